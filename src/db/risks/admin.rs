//! The admins' risk settings: the 5 × 5 matrix, the review schedule per classification, the
//! days the client has to accept a treatment, and the example-risk templates the walk-through
//! offers. Every change is written to the audit trail with what it was and what it became.

use chrono::{DateTime, Utc};
use diesel::dsl::max;
use diesel::prelude::*;

use super::matrix;
use super::walkthrough::TemplateRow;
use crate::db::audit::{self, Entity};
use crate::db::schema::{audit_events, risk_matrix, risk_settings, risk_templates, users};
use crate::db::users::UserRow;
use crate::db::{DbConn, write_tx};
use crate::domain::risk::RiskMatrix;
use crate::domain::risk_review::ReviewSchedule;
use crate::domain::risk_walkthrough::TemplateText;
use crate::error::{AppError, AppResult};

/// The audit trail keeps the settings under one id: there is one row of them.
pub const SETTINGS_ID: i64 = 1;

/// Saves the matrix (already checked monotone by the caller's domain call), one audit line
/// naming the cells that changed.
pub fn save_matrix(
    conn: &mut DbConn,
    actor: &UserRow,
    new: &RiskMatrix,
    now: DateTime<Utc>,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let old = matrix(conn)?;
        let mut changed = Vec::new();
        for ((score, before), (_, after)) in old.cells().zip(new.cells()) {
            if before == after {
                continue;
            }
            diesel::update(
                risk_matrix::table
                    .filter(risk_matrix::likelihood.eq(score.likelihood.number()))
                    .filter(risk_matrix::consequence.eq(score.consequence.number())),
            )
            .set(risk_matrix::level.eq(after.as_str()))
            .execute(conn)?;
            changed.push(format!(
                "L{}×C{}: {} → {}",
                score.likelihood.number(),
                score.consequence.number(),
                before.as_str(),
                after.as_str()
            ));
        }
        if changed.is_empty() {
            return Ok(());
        }
        audit::record(
            conn,
            Some(actor.id()),
            Entity::RiskSettings,
            SETTINGS_ID,
            "risk matrix",
            &changed.join("; "),
            now.naive_utc(),
        )
    })
}

/// Saves the review schedule and the acceptance period. Risks keep their next review date
/// until it is next set (by a review or a change of classification), which then follows the
/// new schedule.
pub fn save_settings(
    conn: &mut DbConn,
    actor: &UserRow,
    schedule: ReviewSchedule,
    acceptance_days: i32,
    now: DateTime<Utc>,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let (old, old_days) = super::settings(conn)?;
        let pairs = [
            ("managed", old.managed_days, schedule.managed_days),
            ("monitored", old.monitored_days, schedule.monitored_days),
            ("observed", old.observed_days, schedule.observed_days),
            (
                "acceptance",
                i32::try_from(old_days).map_err(AppError::internal)?,
                acceptance_days,
            ),
        ];
        let changed: Vec<String> = pairs
            .iter()
            .filter(|(_, before, after)| before != after)
            .map(|(what, before, after)| format!("{what}: {before} → {after} days"))
            .collect();
        if changed.is_empty() {
            return Ok(());
        }
        diesel::update(risk_settings::table.find(SETTINGS_ID))
            .set((
                risk_settings::managed_days.eq(schedule.managed_days),
                risk_settings::monitored_days.eq(schedule.monitored_days),
                risk_settings::observed_days.eq(schedule.observed_days),
                risk_settings::acceptance_days.eq(acceptance_days),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            Some(actor.id()),
            Entity::RiskSettings,
            SETTINGS_ID,
            "review schedule",
            &changed.join("; "),
            now.naive_utc(),
        )
    })
}

/// Every template, retired ones last.
pub fn all_templates(conn: &mut DbConn) -> AppResult<Vec<TemplateRow>> {
    Ok(risk_templates::table
        .order((
            risk_templates::active.desc(),
            risk_templates::position.asc(),
        ))
        .select(TemplateRow::as_select())
        .load(conn)?)
}

/// Adds an example risk at the end of the checklist.
pub fn add_template(
    conn: &mut DbConn,
    actor: &UserRow,
    text: &TemplateText,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    write_tx(conn, |conn| {
        let last: Option<i32> = risk_templates::table
            .select(max(risk_templates::position))
            .first(conn)?;
        let id: i64 = diesel::insert_into(risk_templates::table)
            .values((
                risk_templates::title.eq(&text.title),
                risk_templates::vulnerability.eq(&text.vulnerability),
                risk_templates::threat.eq(&text.threat),
                risk_templates::position.eq(last.unwrap_or(0) + 1),
                risk_templates::active.eq(true),
            ))
            .returning(risk_templates::id)
            .get_result(conn)?;
        audit::record(
            conn,
            Some(actor.id()),
            Entity::RiskTemplate,
            id,
            "added",
            &text.title,
            now.naive_utc(),
        )?;
        Ok(id)
    })
}

/// Rewords a template and retires or restores it; a retired one is no longer offered, and the
/// risks already drafted from it keep their words.
pub fn edit_template(
    conn: &mut DbConn,
    actor: &UserRow,
    id: i64,
    text: &TemplateText,
    active: bool,
    now: DateTime<Utc>,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let before: TemplateRow = risk_templates::table
            .find(id)
            .select(TemplateRow::as_select())
            .first(conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        let mut changed = Vec::new();
        for (what, old, new) in [
            ("title", &before.title, &text.title),
            ("vulnerability", &before.vulnerability, &text.vulnerability),
            ("threat", &before.threat, &text.threat),
        ] {
            if old != new {
                changed.push(format!("{what}: “{old}” → “{new}”"));
            }
        }
        if before.active != active {
            changed.push(if active { "restored" } else { "retired" }.to_string());
        }
        if changed.is_empty() {
            return Ok(());
        }
        diesel::update(risk_templates::table.find(id))
            .set((
                risk_templates::title.eq(&text.title),
                risk_templates::vulnerability.eq(&text.vulnerability),
                risk_templates::threat.eq(&text.threat),
                risk_templates::active.eq(active),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            Some(actor.id()),
            Entity::RiskTemplate,
            id,
            "edited",
            &changed.join("; "),
            now.naive_utc(),
        )
    })
}

/// The audit lines of the settings and the templates, newest first, in one query.
pub fn history(conn: &mut DbConn, limit: i64) -> AppResult<Vec<audit::AuditEntry>> {
    Ok(audit_events::table
        .left_join(users::table)
        .filter(
            audit_events::entity
                .eq_any([Entity::RiskSettings.as_str(), Entity::RiskTemplate.as_str()]),
        )
        .order((audit_events::created_at.desc(), audit_events::id.desc()))
        .limit(limit)
        .select((
            audit_events::action,
            audit_events::detail,
            audit_events::created_at,
            users::display_name.nullable(),
        ))
        .load(conn)?)
}
