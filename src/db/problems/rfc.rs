//! The request for change a problem's permanent fix goes through (blueprints: "ensures that
//! resolutions are implemented through appropriate control procedures such as Change
//! Management"): filed by the problem's drivers, decided by a manager who did not file it.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::commands::record;
use super::row::require_driver;
use super::row::{ProblemRow, get, kind, log};
use crate::db::notify::managers;
use crate::db::outcome::{Outcome, refuse};
use crate::db::schema::{problem_rfcs, problems};
use crate::db::users::UserRow;
use crate::db::{DbConn, write_tx};
use crate::domain::approval;
use crate::domain::inputs::EmailAddress;
use crate::domain::problem::{self, ProblemId, RfcStatus};
use crate::error::{AppError, AppResult};
use crate::mail::messages::{MailContext, Recipient, ThreadKey, compose};
use crate::mail::outbox;
use crate::mail::problem_messages::ProblemRfcFiled;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = problem_rfcs)]
pub struct RfcRow {
    pub id: i64,
    pub problem_id: i64,
    #[diesel(deserialize_as = String)]
    pub status: RfcStatus,
    pub what: String,
    pub why: String,
    pub risk: String,
    pub rollback_plan: String,
    pub planned_window: String,
    pub requested_by: i64,
    pub requested_at: NaiveDateTime,
    pub decided_by: Option<i64>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_comment: String,
}

#[derive(Clone, Debug, Default)]
pub struct RfcInput {
    pub what: String,
    pub why: String,
    pub risk: String,
    pub rollback_plan: String,
    pub planned_window: String,
}

/// Files the RFC; it waits on the managers' approvals page, and each manager but the filer is
/// mailed it in the same transaction.
#[tracing::instrument(skip_all, fields(problem_id = %id))]
pub fn file(
    conn: &mut DbConn,
    actor: &UserRow,
    id: ProblemId,
    input: &RfcInput,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> Outcome<i64> {
    require_driver(actor)?;
    write_tx(conn, |conn| {
        let row = get(conn, id)?;
        let facts = record(conn, &row)?;
        if let Err(message) = problem::check_rfc_filing(row.status, facts.rfc_filed) {
            return refuse("what", message);
        }
        let at = now.naive_utc();
        let rfc: i64 = diesel::insert_into(problem_rfcs::table)
            .values((
                problem_rfcs::problem_id.eq(id.0),
                problem_rfcs::status.eq(RfcStatus::Pending.as_str()),
                problem_rfcs::what.eq(&input.what),
                problem_rfcs::why.eq(&input.why),
                problem_rfcs::risk.eq(&input.risk),
                problem_rfcs::rollback_plan.eq(&input.rollback_plan),
                problem_rfcs::planned_window.eq(&input.planned_window),
                problem_rfcs::requested_by.eq(actor.id),
                problem_rfcs::requested_at.eq(at),
                problem_rfcs::decision_comment.eq(""),
            ))
            .returning(problem_rfcs::id)
            .get_result(conn)?;
        log(
            conn,
            id,
            Some(actor.id()),
            kind::RFC,
            &input.what,
            &format!("request for change RFC-{rfc} filed; awaiting a manager's approval"),
            at,
        )?;
        tell_managers(conn, actor, &row, rfc, input, mail, now)?;
        Ok(Ok(rfc))
    })
}

/// Queues the RFC to every active manager except its filer, who may not decide it.
fn tell_managers(
    conn: &mut DbConn,
    actor: &UserRow,
    row: &ProblemRow,
    rfc: i64,
    input: &RfcInput,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let base = mail.base_url.trim_end_matches('/');
    let message = ProblemRfcFiled {
        rfc,
        problem: row.id.to_string(),
        subject: row.subject.clone(),
        filed_by: actor.display_name.clone(),
        what: input.what.clone(),
        why: input.why.clone(),
        risk: input.risk.clone(),
        rollback_plan: input.rollback_plan.clone(),
        planned_window: input.planned_window.clone(),
        approvals_url: format!("{base}/approvals/problem-changes"),
        problem_url: format!("{base}/problems/{}", row.id.0),
    };
    for manager in managers(conn)?.iter().filter(|m| m.id != actor.id) {
        let Ok(address) = EmailAddress::parse(&manager.email) else {
            tracing::warn!(
                user_id = manager.id,
                "address unreadable; RFC mail not queued"
            );
            continue;
        };
        let outgoing = compose(
            mail,
            &message,
            Recipient::new(address, manager.display_name.clone()),
        )?
        .in_thread(ThreadKey::new("problem", row.id.0));
        outbox::enqueue(conn, &outgoing, now)?;
    }
    Ok(())
}

/// A manager's decision on an RFC, guarded by its pending status.
#[tracing::instrument(skip_all, fields(rfc_id = rfc))]
pub fn decide(
    conn: &mut DbConn,
    actor: &UserRow,
    rfc: i64,
    approve: bool,
    comment: &str,
    now: DateTime<Utc>,
) -> Outcome<RfcRow> {
    write_tx(conn, |conn| {
        let row: RfcRow = problem_rfcs::table
            .find(rfc)
            .select(RfcRow::as_select())
            .first(conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        approval::check_approver(actor.role().is_manager(), actor.id, row.requested_by)
            .map_err(AppError::ForbiddenBecause)?;
        let status = if approve {
            RfcStatus::Approved
        } else {
            RfcStatus::Rejected
        };
        let at = now.naive_utc();
        let decided = diesel::update(
            problem_rfcs::table
                .find(rfc)
                .filter(problem_rfcs::status.eq(RfcStatus::Pending.as_str())),
        )
        .set((
            problem_rfcs::status.eq(status.as_str()),
            problem_rfcs::decided_by.eq(Some(actor.id)),
            problem_rfcs::decided_at.eq(Some(at)),
            problem_rfcs::decision_comment.eq(comment),
        ))
        .returning(problem_rfcs::all_columns)
        .get_result::<RfcRow>(conn)
        .optional()?;
        let Some(decided) = decided else {
            return Err(AppError::Conflict(
                "This request for change was decided while you were writing; your comment is \
                 below."
                    .into(),
            ));
        };
        log(
            conn,
            ProblemId(decided.problem_id),
            Some(actor.id()),
            kind::RFC,
            comment,
            &format!(
                "request for change RFC-{rfc} {}",
                status.label().to_lowercase()
            ),
            at,
        )?;
        Ok(Ok(decided))
    })
}

pub fn of_problem(conn: &mut DbConn, id: ProblemId) -> AppResult<Vec<RfcRow>> {
    Ok(problem_rfcs::table
        .filter(problem_rfcs::problem_id.eq(id.0))
        .order((problem_rfcs::requested_at.asc(), problem_rfcs::id.asc()))
        .select(RfcRow::as_select())
        .load(conn)?)
}

/// The RFCs waiting for a manager, oldest first, each with its problem's number and subject.
pub fn pending(conn: &mut DbConn) -> AppResult<Vec<(RfcRow, String)>> {
    let rows: Vec<(RfcRow, String)> = problem_rfcs::table
        .inner_join(problems::table)
        .filter(problem_rfcs::status.eq(RfcStatus::Pending.as_str()))
        .order((problem_rfcs::requested_at.asc(), problem_rfcs::id.asc()))
        .select((RfcRow::as_select(), problems::subject))
        .load(conn)?;
    Ok(rows)
}
