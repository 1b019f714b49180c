//! Cancelling a ticket, or closing it as a duplicate of another.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::outcome::{Outcome, or_refuse, refuse};
use crate::db::schema::tickets;
use crate::db::sla_clock::apply_pauses;
use crate::db::tickets::row::TicketRow;
use crate::db::tickets::row::{TicketEdit, transition, update_ticket};
use crate::db::timeline::NewEvent;
use crate::domain::ids::TicketId;
use crate::domain::ticket;
use crate::domain::timeline::EventKind;

/// Cancels a ticket, or merges it into another as a duplicate.
#[tracing::instrument(skip_all, fields(ticket_id = %edit.ticket))]
pub fn cancel(
    conn: &mut DbConn,
    edit: TicketEdit,
    duplicate_of: Option<TicketId>,
    reason: &str,
) -> Outcome<TicketRow> {
    edit.apply(conn, |conn, before| {
        let action = match ticket::cancel_action(edit.ticket, duplicate_of) {
            Ok(action) => action,
            Err(message) => return refuse("duplicate_of", message),
        };
        let from = before.status;
        let to = or_refuse!(transition(&before, action));
        if let Some(original) = duplicate_of {
            let exists: Option<i64> = tickets::table
                .find(original.0)
                .select(tickets::id)
                .first(conn)
                .optional()?;
            if exists.is_none() {
                return refuse("duplicate_of", format!("There is no ticket #{original}."));
            }
        }
        let resolution_due = apply_pauses(conn, &before, from, to, edit.now)?;
        let at = edit.at();
        let after = update_ticket!(
            conn,
            before,
            at,
            (
                tickets::status.eq(to.as_str()),
                tickets::duplicate_of.eq(duplicate_of.map(|d| d.0)),
                tickets::closed_at.eq(Some(at)),
                tickets::resolution_due_at.eq(resolution_due),
            )
        );
        let detail = match duplicate_of {
            Some(original) => format!(
                "status {} → {}; duplicate of #{original}",
                from.label(),
                to.label()
            ),
            None => format!("status {} → {}", from.label(), to.label()),
        };
        edit.log(conn, &NewEvent::note(EventKind::Status, reason, &detail))?;
        Ok(Ok(after))
    })
}
