//! Taking a ticket from its level's queue: after an automatic escalation nobody owns it, and
//! whoever of that level takes it becomes its owner and worker.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::access;
use crate::db::escalation::ladder::standing;
use crate::db::outcome::{Outcome, or_refuse, refuse};
use crate::db::schema::tickets;
use crate::db::tickets::row::{TicketEdit, TicketRow, transition, update_ticket};
use crate::db::timeline::NewEvent;
use crate::db::users;
use crate::domain::escalation_owner::may_take;
use crate::domain::ids::ClientId;
use crate::domain::ticket::Action;
use crate::domain::timeline::EventKind;

/// The signed-in member of staff takes the ownerless ticket: owner and worker become them.
#[tracing::instrument(skip_all, fields(ticket_id = %edit.ticket))]
pub fn take(conn: &mut DbConn, edit: TicketEdit) -> Outcome<TicketRow> {
    edit.apply(conn, |conn, before| {
        let status = or_refuse!(transition(&before, Action::Assign));
        let names = users::names(conn, &[before.owner_id])?;
        if let Some(owner) = names.of(before.owner_id) {
            return refuse(
                "owner_id",
                format!("{owner} owns this ticket now; ask them, or reassign it below."),
            );
        }
        let taker = users::get(conn, edit.actor)?;
        let level = standing(conn, &before)?.level;
        if let Err(message) = may_take(&level, taker.role(), taker.tier()) {
            return refuse("owner_id", message);
        }
        let client = ClientId(before.client_id);
        if !access::without_access(conn, client, &[edit.actor])?.is_empty() {
            return refuse(
                "owner_id",
                "No access to this client's systems: ask an admin to grant it, or leave the \
                 ticket to someone who has it.",
            );
        }
        let at = edit.at();
        let after = update_ticket!(
            conn,
            before,
            at,
            (
                tickets::status.eq(status.as_str()),
                tickets::owner_id.eq(taker.id),
                tickets::worker_id.eq(taker.id),
            )
        );
        let detail = format!(
            "taken from the {} queue; owner nobody → {name}; worker → {name}",
            level.name,
            name = taker.display_name
        );
        edit.log(conn, &NewEvent::internal(EventKind::Assignment, &detail))?;
        Ok(Ok(after))
    })
}
