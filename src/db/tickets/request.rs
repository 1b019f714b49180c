//! A service request's approval: a service desk manager agrees to the request before any work
//! starts on it (the status rule in `row::transition` refuses work until then). Recorded on the
//! ticket, who and when, with a line on its timeline.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::outcome::{Outcome, refuse};
use crate::db::schema::tickets;
use crate::db::tickets::row::{TicketEdit, TicketRow, update_ticket};
use crate::db::timeline::NewEvent;
use crate::db::users;
use crate::domain::request::{self, ApprovalRefusal};
use crate::domain::timeline::EventKind;
use crate::error::AppError;

#[derive(Clone, Debug)]
pub struct ApproveInput {
    /// What the manager agreed to, or on what terms (a budget, a date); may be empty.
    pub note: String,
}

/// Records the manager's approval of a service request, so work on it may start.
#[tracing::instrument(skip_all, fields(ticket_id = %edit.ticket))]
pub fn approve(conn: &mut DbConn, edit: TicketEdit, input: &ApproveInput) -> Outcome<TicketRow> {
    edit.apply(conn, |conn, before| {
        // The role is read here, not taken from the route, so no caller can approve for
        // someone who is not a manager.
        let by_manager = users::get(conn, edit.actor)?.role().is_manager();
        match request::check_approval(
            before.kind,
            before.status,
            before.request_approved(),
            by_manager,
        ) {
            Ok(()) => {}
            Err(refusal @ ApprovalRefusal::NotAManager) => {
                return Err(AppError::ForbiddenBecause(refusal.to_string()));
            }
            Err(refusal) => return refuse("approval_note", refusal.to_string()),
        }
        let at = edit.at();
        let after = update_ticket!(
            conn,
            before,
            at,
            (
                tickets::request_approved_by.eq(Some(edit.actor.0)),
                tickets::request_approved_at.eq(Some(at)),
            )
        );
        let detail = format!(
            "service request approved; status {} → {}; work may start",
            before.status_label(),
            after.status_label()
        );
        edit.log(
            conn,
            &NewEvent::note(EventKind::Approval, &input.note, &detail),
        )?;
        Ok(Ok(after))
    })
}
