//! The deadline by which a risk must be removed, entered by hand: one per risk, kept as a
//! milestone of kind "deadline" so the monitoring sweep reminds the owner before it and the
//! dashboard flags it once passed. A changed date is reminded afresh.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use super::{NewHistory, add_history, format_date, get};
use crate::db::outcome::{Outcome, refuse};
use crate::db::schema::{risk_milestones, risks};
use crate::db::users::UserRow;
use crate::db::{DbConn, write_tx};
use crate::domain::risk_review::{MilestoneKind, check_deadline};
use crate::error::AppResult;

/// Sets, moves or (with `None`) removes the risk's remove-by date, with a history line.
#[tracing::instrument(skip_all, fields(risk_id = risk))]
pub fn set_deadline(
    conn: &mut DbConn,
    actor: &UserRow,
    risk: i64,
    date: Option<NaiveDate>,
    note: &str,
    now: DateTime<Utc>,
) -> Outcome<()> {
    write_tx(conn, |conn| {
        let row = get(conn, risk)?;
        if let Some(date) = date
            && let Err(message) = check_deadline(date, now.date_naive())
        {
            return refuse("deadline", message);
        }
        let kind = MilestoneKind::Deadline.as_str();
        let before: Option<(i64, NaiveDate, String)> = risk_milestones::table
            .filter(risk_milestones::risk_id.eq(risk))
            .filter(risk_milestones::kind.eq(kind))
            .select((
                risk_milestones::id,
                risk_milestones::due_on,
                risk_milestones::note,
            ))
            .first(conn)
            .optional()?;
        if before.as_ref().map(|(_, d, n)| (*d, n.as_str())) == date.map(|d| (d, note)) {
            return Ok(Ok(()));
        }
        match (&before, date) {
            (Some((id, _, _)), Some(date)) => {
                diesel::update(risk_milestones::table.find(*id))
                    .set((
                        risk_milestones::due_on.eq(date),
                        risk_milestones::note.eq(note),
                        risk_milestones::reminded_at.eq(None::<chrono::NaiveDateTime>),
                    ))
                    .execute(conn)?;
            }
            (Some((id, _, _)), None) => {
                diesel::delete(risk_milestones::table.find(*id)).execute(conn)?;
            }
            (None, Some(date)) => {
                diesel::insert_into(risk_milestones::table)
                    .values((
                        risk_milestones::risk_id.eq(risk),
                        risk_milestones::kind.eq(kind),
                        risk_milestones::due_on.eq(date),
                        risk_milestones::note.eq(note),
                    ))
                    .execute(conn)?;
            }
            (None, None) => return Ok(Ok(())),
        }
        let at = now.naive_utc();
        diesel::update(risks::table.find(risk))
            .set((risks::version.eq(row.version + 1), risks::updated_at.eq(at)))
            .execute(conn)?;
        let words = |d: Option<NaiveDate>| d.map(format_date).unwrap_or_else(|| "none".into());
        let change = format!(
            "remove by: {} → {}",
            words(before.map(|(_, d, _)| d)),
            words(date)
        );
        add_history(
            conn,
            &NewHistory {
                risk_id: risk,
                at,
                actor_id: Some(actor.id),
                contact_id: None,
                what: "deadline",
                change: &change,
                reason: note,
            },
        )?;
        Ok(Ok(()))
    })
}

/// The risk's remove-by date, if one is set.
pub fn deadline_of(conn: &mut DbConn, risk: i64) -> AppResult<Option<NaiveDate>> {
    Ok(risk_milestones::table
        .filter(risk_milestones::risk_id.eq(risk))
        .filter(risk_milestones::kind.eq(MilestoneKind::Deadline.as_str()))
        .select(risk_milestones::due_on)
        .first(conn)
        .optional()?)
}
