//! The escalation ladder in the database: its levels, the severity rules, and where a ticket
//! stands on it (and since when its level's budget counts).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::columns::Optional;
use crate::db::schema::{escalation_levels, escalation_severity_rules, ticket_levels};
use crate::db::tickets::row::TicketRow;
use crate::domain::account::Tier;
use crate::domain::escalation::{Ladder, Level, SeverityRule};
use crate::domain::ids::{LevelId, TicketId};
use crate::domain::priority::Priority;
use crate::error::{AppError, AppResult};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = escalation_levels)]
pub struct LevelRow {
    #[diesel(deserialize_as = i64)]
    pub id: LevelId,
    pub position: i32,
    pub name: String,
    #[diesel(deserialize_as = Optional<Tier>)]
    pub tier: Option<Tier>,
    pub decision_point: bool,
    pub budget_p1: Option<i32>,
    pub budget_p2: Option<i32>,
    pub budget_p3: Option<i32>,
    pub default_owner_id: Option<i64>,
    pub version: i64,
}

impl LevelRow {
    pub(crate) fn level(&self) -> Level {
        Level {
            id: self.id.0,
            position: self.position,
            name: self.name.clone(),
            tier: self.tier,
            decision_point: self.decision_point,
            budget_percent: [self.budget_p1, self.budget_p2, self.budget_p3],
            default_owner: self.default_owner_id,
        }
    }
}

pub fn load_ladder(conn: &mut DbConn) -> AppResult<Ladder> {
    let rows: Vec<LevelRow> = escalation_levels::table
        .select(LevelRow::as_select())
        .load(conn)?;
    Ok(Ladder::new(rows.iter().map(LevelRow::level).collect()))
}

/// The severity rules applied at triage, as the ladder page also shows them.
pub fn load_severity_rules(conn: &mut DbConn) -> AppResult<Vec<SeverityRule>> {
    let rows: Vec<(String, i64, bool)> = escalation_severity_rules::table
        .order(escalation_severity_rules::priority.asc())
        .select((
            escalation_severity_rules::priority,
            escalation_severity_rules::min_level_id,
            escalation_severity_rules::notify_manager,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(priority, min_level, notify_manager)| {
            Ok(SeverityRule {
                priority: Priority::parse(&priority).map_err(|_| {
                    AppError::internal(format!("stored severity rule '{priority}' is unreadable"))
                })?,
                min_level,
                notify_manager,
            })
        })
        .collect()
}

/// Where a ticket stands on the ladder, and since when its level's budget counts.
pub struct Standing {
    pub ladder: Ladder,
    pub level: Level,
    pub since: NaiveDateTime,
}

pub(crate) fn standing_of(
    ladder: Ladder,
    row: &TicketRow,
    recorded: Option<(i64, NaiveDateTime)>,
) -> AppResult<Standing> {
    let tier = row.tier;
    let level = ladder
        .current(recorded.map(|(id, _)| id), tier)
        .cloned()
        .ok_or_else(|| AppError::internal("the escalation ladder has no levels"))?;
    // A ticket nobody escalated has been at its level since it was recorded.
    let since = recorded.map_or(row.created_at, |(_, at)| at);
    Ok(Standing {
        ladder,
        level,
        since,
    })
}

pub fn standing(conn: &mut DbConn, row: &TicketRow) -> AppResult<Standing> {
    let ladder = load_ladder(conn)?;
    let recorded: Option<(i64, NaiveDateTime)> = ticket_levels::table
        .find(row.id.0)
        .select((ticket_levels::level_id, ticket_levels::entered_at))
        .first(conn)
        .optional()?;
    standing_of(ladder, row, recorded)
}

pub(crate) fn set_level(
    conn: &mut DbConn,
    ticket: TicketId,
    level: &Level,
    at: NaiveDateTime,
) -> AppResult<()> {
    // Delete then insert: upserts are written differently on each backend, and this runs inside
    // the command's transaction.
    diesel::delete(ticket_levels::table.find(ticket.0)).execute(conn)?;
    diesel::insert_into(ticket_levels::table)
        .values((
            ticket_levels::ticket_id.eq(ticket.0),
            ticket_levels::level_id.eq(level.id),
            ticket_levels::entered_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Keeps the ladder in step when the assign form moves a ticket to another tier. `before` is
/// the ticket as it was, so a first assignment to the tier it already stood at (tier 1, from
/// intake) keeps counting its budget from the start.
pub fn follow_tier(
    conn: &mut DbConn,
    before: &TicketRow,
    tier: Tier,
    at: NaiveDateTime,
) -> AppResult<()> {
    // The same tier means only the people change: a ticket the time trigger carried past its
    // tier's level (to the decision point, which has no tier) stays where it was carried.
    if before.tier == Some(tier) {
        return Ok(());
    }
    let Standing { ladder, level, .. } = standing(conn, before)?;
    if let Some(target) = ladder.levels().iter().find(|l| l.tier == Some(tier))
        && target.id != level.id
    {
        set_level(conn, before.id, target, at)?;
    }
    Ok(())
}
