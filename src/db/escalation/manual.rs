//! A technician's escalation to a higher level, with a reason and a new owner; on-site support
//! goes to a manager for approval instead.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::approvals::{OnSiteRequest, request_onsite};
use crate::db::escalation::ladder::{Standing, standing};
use crate::db::escalation::moves::{Move, apply_move};
use crate::db::notify::{notice, notify};
use crate::db::outcome::{Outcome, refuse};
use crate::db::schema::users;
use crate::db::tickets::row::{TicketEdit, TicketRow};
use crate::db::users::UserRow;
use crate::db::{access, changes};
use crate::domain::escalation::{self as rules, Reason, Trigger};
use crate::domain::ids::{ClientId, UserId};
use crate::mail::messages::MailContext;

#[derive(Clone, Debug)]
pub struct EscalateInput {
    pub to_level: i64,
    pub reason: Reason,
    pub explanation: String,
    pub owner: UserId,
    pub vendor: Option<(String, String)>,
}

/// A technician's escalation, to any higher level. On-site support waits for a manager's
/// approval: the request joins the approvals queue and the ticket stays where it is.
#[tracing::instrument(skip_all, fields(ticket_id = %edit.ticket))]
pub fn escalate(
    conn: &mut DbConn,
    edit: TicketEdit,
    input: &EscalateInput,
    mail: &MailContext,
) -> Outcome<TicketRow> {
    edit.apply(conn, |conn, before| {
        escalate_row(conn, edit, before, input, mail)
    })
}

/// The escalation itself, inside the caller's transaction on the row as the user saw it: a
/// suggestion applied by a manager runs it beside its own writes.
pub(crate) fn escalate_row(
    conn: &mut DbConn,
    edit: TicketEdit,
    before: TicketRow,
    input: &EscalateInput,
    mail: &MailContext,
) -> Outcome<TicketRow> {
    {
        if !rules::can_escalate(before.status) {
            return refuse("to_level_id", "Only an open ticket can be escalated.");
        }
        let Standing {
            ladder,
            level: from,
            ..
        } = standing(conn, &before)?;
        let Some(to) = ladder.get(input.to_level) else {
            return refuse("to_level_id", "Choose a level from the list.");
        };
        if let Err(message) = rules::check_manual(&from, to, input.reason) {
            return refuse("to_level_id", message);
        }
        // Inside the transaction, so a change decided meanwhile is seen: a pending change or an
        // unanswered rejection holds a vendor hand-over, and administrator privileges ask for
        // the change first.
        if let Err(errors) =
            changes::check_escalation(conn, edit.ticket, input.reason, input.vendor.is_some())?
        {
            return Ok(Err(errors));
        }
        let owner_active: Option<bool> = users::table
            .find(input.owner.0)
            .select(users::active)
            .first(conn)
            .optional()?;
        if owner_active != Some(true) {
            return refuse(
                "owner_id",
                "Choose an active member of staff to own the ticket afterwards.",
            );
        }
        let client = ClientId(before.client_id);
        if !access::without_access(conn, client, &[input.owner])?.is_empty() {
            return refuse(
                "owner_id",
                "No access to this client's systems: choose someone with access, or ask an \
                 admin to grant it.",
            );
        }
        if to.needs_approval() {
            let request = OnSiteRequest {
                from: &from,
                to,
                reason: input.reason,
                explanation: &input.explanation,
                owner: input.owner,
            };
            return request_onsite(conn, mail, edit.actor, &before, &request, edit.now);
        }
        let after = match apply_move(
            conn,
            &before,
            &Move {
                from: &from,
                to,
                reason: input.reason,
                explanation: &input.explanation,
                trigger: Trigger::Manual,
                actor: Some(edit.actor),
                owner: Some(input.owner),
                vendor: input.vendor.clone(),
            },
            edit.now,
        )? {
            Ok(after) => after,
            Err(errors) => return Ok(Err(errors)),
        };
        // The new owner hears of it, unless they escalated to themselves.
        let owner: Vec<UserRow> = users::table
            .find(input.owner.0)
            .select(UserRow::as_select())
            .load(conn)?;
        let message = notice(
            mail,
            &after,
            format!("Escalated to {}: you own this ticket now", to.name),
            vec![
                format!("Reason: {}", input.reason.label()),
                input.explanation.clone(),
            ],
        );
        notify(conn, mail, &owner, Some(edit.actor), &message, edit.now)?;
        Ok(Ok(after))
    }
}
