//! What a ticket's sensitive changes allow, read from the database for the commands that move
//! a ticket on (work, solve, escalate, the decision point), and the owner answering a rejected
//! change with the path they take instead.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::outcome::{Outcome, refuse};
use crate::db::schema::{approvals, categories};
use crate::db::tickets::row::{TicketEdit, TicketRow, update_ticket};
use crate::db::timeline::NewEvent;
use crate::domain::approval::{ApprovalKind, ApprovalStatus};
use crate::domain::change_gate::{self, ChangeStanding, FiledChange};
use crate::domain::escalation::Reason;
use crate::domain::ids::{ApprovalId, TicketId, UserId};
use crate::domain::ticket::{Action, PendingReason};
use crate::domain::timeline::EventKind;
use crate::error::{AppError, AppResult};

/// Where the ticket's sensitive changes stand (one indexed query on approvals.ticket_id).
pub fn standing(conn: &mut DbConn, ticket: TicketId) -> AppResult<ChangeStanding> {
    let rows: Vec<(String, Option<i64>)> = approvals::table
        .filter(approvals::ticket_id.eq(ticket.0))
        .filter(approvals::kind.eq(ApprovalKind::Change.as_str()))
        .select((approvals::status, approvals::acknowledged_by))
        .load(conn)?;
    let changes = rows
        .into_iter()
        .map(|(status, acknowledged_by)| {
            let status = ApprovalStatus::parse(&status).map_err(AppError::internal)?;
            Ok(FiledChange {
                status,
                acknowledged: acknowledged_by.is_some(),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(ChangeStanding::of(changes))
}

/// Whether the ticket's category or subcategory is one an admin flagged as sensitive.
pub fn in_sensitive_category(conn: &mut DbConn, row: &TicketRow) -> AppResult<bool> {
    let ids: Vec<i64> = [row.category_id, row.subcategory_id]
        .into_iter()
        .flatten()
        .collect();
    if ids.is_empty() {
        return Ok(false);
    }
    let flagged: i64 = categories::table
        .filter(categories::id.eq_any(ids))
        .filter(categories::sensitive.eq(true))
        .count()
        .get_result(conn)?;
    Ok(flagged > 0)
}

/// The status move `action` on `row`, refused under `field` while a change holds the ticket.
pub fn check_move(
    conn: &mut DbConn,
    row: &TicketRow,
    action: Action,
    field: &'static str,
) -> Outcome<()> {
    match change_gate::check_move(standing(conn, row.id)?, action) {
        Ok(()) => Ok(Ok(())),
        Err(message) => refuse(field, message),
    }
}

/// Solving `row`: not while a change holds it, and in a sensitive category only after a manager
/// approved a change.
pub fn check_solve(conn: &mut DbConn, row: &TicketRow, field: &'static str) -> Outcome<()> {
    let sensitive = in_sensitive_category(conn, row)?;
    match change_gate::check_solve(standing(conn, row.id)?, sensitive) {
        Ok(()) => Ok(Ok(())),
        Err(message) => refuse(field, message),
    }
}

/// An escalation of `ticket` for `reason`, which hands over to a vendor (a status move) when
/// `to_vendor`: refused while held, and for administrator privileges until a change is filed.
pub fn check_escalation(
    conn: &mut DbConn,
    ticket: TicketId,
    reason: Reason,
    to_vendor: bool,
) -> Outcome<()> {
    let standing = standing(conn, ticket)?;
    let handover = Action::Pend(PendingReason::Vendor);
    if let (true, Err(message)) = (to_vendor, change_gate::check_move(standing, handover)) {
        return refuse("reason", message);
    }
    match change_gate::check_escalation(standing, reason) {
        Ok(()) => Ok(Ok(())),
        Err(message) => refuse("reason", message),
    }
}

/// The owner's answer to a rejected change: what they will do instead. Recorded on the request
/// (who, when, the text) and on the timeline; the ticket may move on afterwards.
#[tracing::instrument(skip_all, fields(ticket_id = %edit.ticket))]
pub fn acknowledge_rejection(
    conn: &mut DbConn,
    edit: TicketEdit,
    approval: ApprovalId,
    instead: &str,
) -> Outcome<TicketRow> {
    edit.apply(conn, |conn, before| {
        let request: Option<(String, String, i64, Option<i64>, String)> = approvals::table
            .find(approval.0)
            .filter(approvals::ticket_id.eq(edit.ticket.0))
            .filter(approvals::kind.eq(ApprovalKind::Change.as_str()))
            .select((
                approvals::status,
                approvals::what,
                approvals::requested_by,
                approvals::acknowledged_by,
                approvals::decision_comment,
            ))
            .first(conn)
            .optional()?;
        let Some((status, what, requester, acknowledged_by, comment)) = request else {
            return Err(AppError::NotFound);
        };
        if status != ApprovalStatus::Rejected.as_str() || acknowledged_by.is_some() {
            return refuse(
                "instead",
                "This change is not waiting for an acknowledgement any more; reload the ticket.",
            );
        }
        if let Err(message) =
            change_gate::check_acknowledger(edit.actor, before.owner(), UserId(requester))
        {
            return Err(AppError::ForbiddenBecause(message.into()));
        }
        let at = edit.at();
        // The version moves on, so a page still offering the old forms sees what happened.
        let after = update_ticket!(conn, before, at, ());
        diesel::update(approvals::table.find(approval.0))
            .set((
                approvals::acknowledged_by.eq(Some(edit.actor.0)),
                approvals::acknowledged_at.eq(Some(at)),
                approvals::acknowledgement.eq(instead),
            ))
            .execute(conn)?;
        let detail = if comment.trim().is_empty() {
            format!("rejection of the sensitive change acknowledged: {what}")
        } else {
            format!(
                "rejection of the sensitive change acknowledged: {what} (the manager said: {comment})"
            )
        };
        edit.log(
            conn,
            &NewEvent::note(EventKind::Approval, instead, &detail),
        )?;
        Ok(Ok(after))
    })
}
