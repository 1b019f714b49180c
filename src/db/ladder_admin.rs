//! The ladder for admins: renaming a level and setting its budgets, reordering and removing
//! levels, and the severity rules applied at triage. Each change is audited.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::escalation::ladder::{LevelRow, load_ladder};
use crate::db::outcome::{Outcome, refuse};
use crate::db::schema::{
    approvals, escalation_levels, escalation_severity_rules, escalations, ticket_levels,
};
use crate::db::stale::{ensure_current, stale};
use crate::db::{DbConn, audit, users, write_tx};
use crate::domain::escalation::{LevelEdit, SeverityRule};
use crate::domain::escalation_owner::fits_level;
use crate::domain::ids::{LevelId, UserId};
use crate::domain::priority::Priority;
use crate::error::{AppError, AppResult};

/// Each level's version, for the ladder page's forms.
pub fn level_versions(conn: &mut DbConn) -> AppResult<std::collections::HashMap<i64, i64>> {
    Ok(escalation_levels::table
        .select((escalation_levels::id, escalation_levels::version))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect())
}

/// Renames a level, sets its budgets and its default owner (who takes the tickets an automatic
/// escalation brings; nobody leaves them in the level's queue).
#[tracing::instrument(skip_all, fields(level_id = %level))]
pub fn update_level(
    conn: &mut DbConn,
    actor: UserId,
    level: LevelId,
    edit: &LevelEdit,
    default_owner: Option<UserId>,
    expected_version: i64,
    now: DateTime<Utc>,
) -> Outcome<()> {
    let id = level.0;
    write_tx(conn, |conn| {
        let before: LevelRow = escalation_levels::table
            .find(id)
            .select(LevelRow::as_select())
            .first(conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        ensure_current(before.version, expected_version, "level")?;
        if let Some(owner) = default_owner {
            let fits = users::find(conn, owner)?
                .is_some_and(|u| fits_level(&before.level(), u.role(), u.tier(), u.active));
            if !fits {
                return refuse(
                    "default_owner_id",
                    "Choose an active member of this level's line (a manager at the decision \
                     point), or nobody to leave its tickets in the level's queue.",
                );
            }
        }
        let [p1, p2, p3] = edit.budget_percent;
        let saved = diesel::update(
            escalation_levels::table
                .find(id)
                .filter(escalation_levels::version.eq(expected_version)),
        )
        .set((
            escalation_levels::version.eq(expected_version + 1),
            escalation_levels::name.eq(&edit.name),
            escalation_levels::budget_p1.eq(p1),
            escalation_levels::budget_p2.eq(p2),
            escalation_levels::budget_p3.eq(p3),
            escalation_levels::default_owner_id.eq(default_owner.map(|o| o.0)),
        ))
        .execute(conn)?;
        if saved == 0 {
            return Err(stale("level"));
        }
        let owners = users::names(conn, &[before.default_owner_id, default_owner.map(|o| o.0)])?;
        let owner = |o: Option<i64>| owners.of(o).unwrap_or("the queue").to_string();
        let percent = |b: Option<i32>| b.map_or_else(|| "none".to_string(), |p| format!("{p}%"));
        audit::record(
            conn,
            Some(actor),
            audit::Entity::EscalationLevel,
            id,
            "level changed",
            &format!(
                "{} → {}; budgets P1/P2/P3 {}/{}/{} → {}/{}/{}; default owner {} → {}",
                before.name,
                edit.name,
                percent(before.budget_p1),
                percent(before.budget_p2),
                percent(before.budget_p3),
                percent(p1),
                percent(p2),
                percent(p3),
                owner(before.default_owner_id),
                owner(default_owner.map(|o| o.0))
            ),
            now.naive_utc(),
        )?;
        Ok(Ok(()))
    })
}

/// Swaps a level with its neighbour above (`up`) or below.
#[tracing::instrument(skip_all, fields(level_id = %level))]
pub fn move_level(
    conn: &mut DbConn,
    actor: UserId,
    level: LevelId,
    up: bool,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let id = level.0;
    write_tx(conn, |conn| {
        let ladder = load_ladder(conn)?;
        let levels = ladder.levels();
        let Some(index) = levels.iter().position(|l| l.id == id) else {
            return Err(AppError::NotFound);
        };
        let other = if up {
            index.checked_add(1)
        } else {
            index.checked_sub(1)
        };
        let Some(other) = other.and_then(|i| levels.get(i)) else {
            return Ok(());
        };
        let level = &levels[index];
        // Positions are unique: park one level outside the ladder while the other moves.
        diesel::update(escalation_levels::table.find(level.id))
            .set(escalation_levels::position.eq(-1))
            .execute(conn)?;
        diesel::update(escalation_levels::table.find(other.id))
            .set(escalation_levels::position.eq(level.position))
            .execute(conn)?;
        diesel::update(escalation_levels::table.find(level.id))
            .set(escalation_levels::position.eq(other.position))
            .execute(conn)?;
        audit::record(
            conn,
            Some(actor),
            audit::Entity::EscalationLevel,
            id,
            "level moved",
            &format!(
                "{} {} {}",
                level.name,
                if up { "above" } else { "below" },
                other.name
            ),
            now.naive_utc(),
        )
    })
}

/// Removes a level no ticket, escalation, request or severity rule refers to, for a small MSP
/// that runs with fewer levels.
#[tracing::instrument(skip_all, fields(level_id = %level))]
pub fn remove_level(
    conn: &mut DbConn,
    actor: UserId,
    level: LevelId,
    now: DateTime<Utc>,
) -> AppResult<Result<(), String>> {
    let id = level.0;
    use diesel::dsl::count_star;
    write_tx(conn, |conn| {
        let name: String = escalation_levels::table
            .find(id)
            .select(escalation_levels::name)
            .first(conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        let used: i64 = ticket_levels::table
            .filter(ticket_levels::level_id.eq(id))
            .select(count_star())
            .first::<i64>(conn)?
            + escalations::table
                .filter(
                    escalations::to_level_id
                        .eq(id)
                        .or(escalations::from_level_id.eq(id)),
                )
                .select(count_star())
                .first::<i64>(conn)?
            + approvals::table
                .filter(approvals::to_level_id.eq(id))
                .select(count_star())
                .first::<i64>(conn)?
            + escalation_severity_rules::table
                .filter(escalation_severity_rules::min_level_id.eq(id))
                .select(count_star())
                .first::<i64>(conn)?;
        if used > 0 {
            return Ok(Err(format!(
                "{name} is part of tickets' history or of a severity rule, so it stays."
            )));
        }
        diesel::delete(escalation_levels::table.find(id)).execute(conn)?;
        audit::record(
            conn,
            Some(actor),
            audit::Entity::EscalationLevel,
            id,
            "level removed",
            &name,
            now.naive_utc(),
        )?;
        Ok(Ok(()))
    })
}

/// Replaces the severity rules applied at triage.
#[tracing::instrument(skip_all)]
pub fn set_severity_rules(
    conn: &mut DbConn,
    actor: UserId,
    rules: &[SeverityRule],
    now: DateTime<Utc>,
) -> Outcome<()> {
    write_tx(conn, |conn| {
        let ladder = load_ladder(conn)?;
        let mut described = Vec::new();
        for rule in rules {
            let Some(level) = ladder.get(rule.min_level) else {
                return refuse(
                    severity_field(rule.priority),
                    "Choose a level from the list.",
                );
            };
            described.push(format!(
                "{} → at least {}{}",
                rule.priority.as_str(),
                level.name,
                if rule.notify_manager {
                    ", manager told"
                } else {
                    ""
                }
            ));
        }
        diesel::delete(escalation_severity_rules::table).execute(conn)?;
        for rule in rules {
            diesel::insert_into(escalation_severity_rules::table)
                .values((
                    escalation_severity_rules::priority.eq(rule.priority.as_str()),
                    escalation_severity_rules::min_level_id.eq(rule.min_level),
                    escalation_severity_rules::notify_manager.eq(rule.notify_manager),
                ))
                .execute(conn)?;
        }
        if described.is_empty() {
            described.push("none".into());
        }
        audit::record(
            conn,
            Some(actor),
            audit::Entity::EscalationLevel,
            0,
            "severity rules set",
            &described.join("; "),
            now.naive_utc(),
        )?;
        Ok(Ok(()))
    })
}

/// The form field of a priority's severity rule.
pub fn severity_field(priority: Priority) -> &'static str {
    match priority {
        Priority::P1 => "min_level_p1",
        Priority::P2 => "min_level_p2",
        Priority::P3 => "min_level_p3",
    }
}
