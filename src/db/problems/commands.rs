//! Logging a problem, recording its analysis (root cause, workaround, permanent solution),
//! moving it along its life, and the investigation log: one transaction each, the trail line
//! written with the change.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::kedb;
use super::links::link_in_tx;
use super::row::{ProblemRow, get, get_at_version, kind, log, require_driver};
use crate::db::outcome::{Outcome, refuse};
use crate::db::schema::{problem_reviews, problem_rfcs, problems};
use crate::db::service_levels::load_matrix;
use crate::db::users::{self, UserRow};
use crate::db::{DbConn, write_tx};
use crate::domain::ids::{TicketId, UserId};
use crate::domain::priority::{Impact, Urgency};
use crate::domain::problem::{self, ProblemId, Record, RfcStatus, Status, Step};
use crate::error::{AppError, AppResult};

/// One version-guarded update of the problem row: someone having saved it since is a conflict.
macro_rules! bump {
    ($conn:expr, $before:expr, $at:expr, ($($set:expr),* $(,)?)) => {{
        diesel::update(
            problems::table
                .find($before.id.0)
                .filter(problems::version.eq($before.version)),
        )
        .set((
            $($set,)*
            problems::version.eq($before.version + 1),
            problems::updated_at.eq($at),
        ))
        .returning(problems::all_columns)
        .get_result::<ProblemRow>($conn)
        .optional()?
        .ok_or_else(super::row::stale)?
    }};
}
/// The problem ticket as the blueprints list it.
#[derive(Clone, Debug)]
pub struct NewProblem {
    pub subject: String,
    pub description: String,
    pub business_impact: String,
    pub symptoms: String,
    pub service_details: String,
    pub equipment_details: String,
    pub previous_fixes: String,
    pub occurred_at: Option<NaiveDateTime>,
    pub client_id: Option<i64>,
    pub category_id: Option<i64>,
    pub team: String,
    pub owner: UserId,
    pub impact: Impact,
    pub urgency: Urgency,
    pub incidents: Vec<TicketId>,
}

/// Logs a problem with its incidents linked; the priority comes from the desk's impact ×
/// urgency matrix, as an incident's does.
#[tracing::instrument(skip_all)]
pub fn create(
    conn: &mut DbConn,
    actor: &UserRow,
    input: &NewProblem,
    now: DateTime<Utc>,
) -> Outcome<ProblemId> {
    require_driver(actor)?;
    write_tx(conn, |conn| create_in_tx(conn, actor, input, now))
}

/// Logs a problem inside the caller's transaction (a suggestion accepted logs one too).
pub(crate) fn create_in_tx(
    conn: &mut DbConn,
    actor: &UserRow,
    input: &NewProblem,
    now: DateTime<Utc>,
) -> Outcome<ProblemId> {
    let Some(owner) = users::find(conn, input.owner)? else {
        return refuse("owner_id", "Choose the problem's owner from the list.");
    };
    if let Err(message) = problem::check_owner(owner.role(), owner.tier(), owner.active) {
        return refuse("owner_id", message);
    }
    let priority = load_matrix(conn)?.priority(input.impact, input.urgency);
    let at = now.naive_utc();
    let id: i64 = diesel::insert_into(problems::table)
        .values((
            problems::subject.eq(&input.subject),
            problems::description.eq(&input.description),
            problems::business_impact.eq(&input.business_impact),
            problems::symptoms.eq(&input.symptoms),
            problems::service_details.eq(&input.service_details),
            problems::equipment_details.eq(&input.equipment_details),
            problems::previous_fixes.eq(&input.previous_fixes),
            problems::occurred_at.eq(input.occurred_at),
            problems::client_id.eq(input.client_id),
            problems::category_id.eq(input.category_id),
            problems::team.eq(&input.team),
            problems::owner_id.eq(owner.id),
            problems::status.eq(Status::Logged.as_str()),
            problems::impact.eq(input.impact.as_str()),
            problems::urgency.eq(input.urgency.as_str()),
            problems::priority.eq(priority.as_str()),
            problems::root_cause.eq(""),
            problems::workaround.eq(""),
            problems::permanent_solution.eq(""),
            problems::created_by.eq(actor.id),
            problems::created_at.eq(at),
            problems::updated_at.eq(at),
            problems::version.eq(1),
        ))
        .returning(problems::id)
        .get_result(conn)?;
    let id = ProblemId(id);
    log(
        conn,
        id,
        Some(actor.id()),
        kind::CREATED,
        &input.description,
        &format!(
            "logged; priority {} ({} impact, {} urgency); owner {}",
            priority.label(),
            input.impact.label(),
            input.urgency.label(),
            owner.display_name
        ),
        at,
    )?;
    for ticket in &input.incidents {
        if let Err(errors) = link_in_tx(conn, actor.id(), id, *ticket, at)? {
            return Ok(Err(errors));
        }
    }
    Ok(Ok(id))
}

/// The analysis a problem carries: kept apart, because the workaround restores service while
/// the permanent solution removes the cause.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    pub root_cause: String,
    pub workaround: String,
    pub permanent_solution: String,
}

/// Saves the root cause, workaround and permanent solution as typed.
#[tracing::instrument(skip_all, fields(problem_id = %id))]
pub fn save_analysis(
    conn: &mut DbConn,
    actor: &UserRow,
    id: ProblemId,
    version: i64,
    input: &Analysis,
    now: DateTime<Utc>,
) -> Outcome<ProblemRow> {
    require_driver(actor)?;
    write_tx(conn, |conn| {
        let before = get_at_version(conn, id, version)?;
        if !before.status.is_active() {
            return refuse("root_cause", "A closed problem's record is kept as it was.");
        }
        let at = now.naive_utc();
        let after = bump!(
            conn,
            before,
            at,
            (
                problems::root_cause.eq(&input.root_cause),
                problems::workaround.eq(&input.workaround),
                problems::permanent_solution.eq(&input.permanent_solution),
            )
        );
        for (name, old, new) in [
            ("root cause", &before.root_cause, &input.root_cause),
            ("workaround", &before.workaround, &input.workaround),
            (
                "permanent solution",
                &before.permanent_solution,
                &input.permanent_solution,
            ),
        ] {
            if old != new {
                log(
                    conn,
                    id,
                    Some(actor.id()),
                    kind::ANALYSIS,
                    new,
                    &format!("{name} recorded"),
                    at,
                )?;
            }
        }
        kedb::sync_known_error(conn, actor.id(), &after, at)?;
        Ok(Ok(after))
    })
}

/// What the record holds, for the status machine.
pub(crate) fn record(conn: &mut DbConn, row: &ProblemRow) -> AppResult<Record> {
    let rfcs: Vec<String> = problem_rfcs::table
        .filter(problem_rfcs::problem_id.eq(row.id.0))
        .select(problem_rfcs::status)
        .load(conn)?;
    let reviewed = problem_reviews::table
        .find(row.id.0)
        .select(problem_reviews::problem_id)
        .first::<i64>(conn)
        .optional()?
        .is_some();
    Ok(Record {
        has_root_cause: !row.root_cause.trim().is_empty(),
        has_workaround: !row.workaround.trim().is_empty(),
        has_permanent_solution: !row.permanent_solution.trim().is_empty(),
        rfc_filed: rfcs.iter().any(|s| s != RfcStatus::Rejected.as_str()),
        rfc_approved: rfcs.iter().any(|s| s == RfcStatus::Approved.as_str()),
        reviewed,
    })
}

/// Takes one step of the problem's life; the domain's machine decides whether it may.
#[tracing::instrument(skip_all, fields(problem_id = %id))]
pub fn take_step(
    conn: &mut DbConn,
    actor: &UserRow,
    id: ProblemId,
    version: i64,
    step: Step,
    now: DateTime<Utc>,
) -> Outcome<ProblemRow> {
    require_driver(actor)?;
    write_tx(conn, |conn| {
        let before = get_at_version(conn, id, version)?;
        let facts = record(conn, &before)?;
        let to = match problem::next_status(before.status, step, facts) {
            Ok(to) => to,
            Err(message) => return refuse("step", message),
        };
        let at = now.naive_utc();
        let stamp = Some(at);
        let status = problems::status.eq(to.as_str());
        let after = match to {
            Status::Investigating => bump!(
                conn,
                before,
                at,
                (status, problems::investigating_at.eq(stamp))
            ),
            Status::RootCauseKnown => bump!(
                conn,
                before,
                at,
                (status, problems::root_cause_at.eq(stamp))
            ),
            Status::KnownError => bump!(
                conn,
                before,
                at,
                (status, problems::known_error_at.eq(stamp))
            ),
            Status::FixInChange => bump!(
                conn,
                before,
                at,
                (status, problems::fix_in_change_at.eq(stamp))
            ),
            Status::Resolved => bump!(conn, before, at, (status, problems::resolved_at.eq(stamp))),
            Status::Closed => bump!(conn, before, at, (status, problems::closed_at.eq(stamp))),
            Status::Archived => bump!(conn, before, at, (status, problems::archived_at.eq(stamp))),
            Status::Logged => return Err(AppError::internal("no step leads back to logged")),
        };
        log(
            conn,
            id,
            Some(actor.id()),
            kind::STATUS,
            "",
            &format!("status {} → {}", before.status.label(), to.label()),
            at,
        )?;
        match to {
            Status::KnownError => {
                kedb::publish_known_error(conn, actor.id(), &after, at)?;
            }
            Status::Resolved => {
                kedb::publish_resolution(conn, actor.id(), &after, at)?;
            }
            _ => {}
        }
        Ok(Ok(after))
    })
}

/// A line of the investigation log: anyone who works incidents may add what they saw.
#[tracing::instrument(skip_all, fields(problem_id = %id))]
pub fn add_note(
    conn: &mut DbConn,
    actor: &UserRow,
    id: ProblemId,
    body: &str,
    now: DateTime<Utc>,
) -> Outcome<()> {
    write_tx(conn, |conn| {
        let row = get(conn, id)?;
        if !row.status.is_active() {
            return refuse("note", "A closed problem's log is kept as it was.");
        }
        log(
            conn,
            id,
            Some(actor.id()),
            kind::NOTE,
            body,
            "investigation note",
            now.naive_utc(),
        )?;
        Ok(Ok(()))
    })
}
