//! Assignment: the ticket's tier, its owner (responsible through its life) and its worker (on
//! it now); the ladder follows the tier.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::outcome::{Outcome, or_refuse, refuse};
use crate::db::schema::{tickets, users};
use crate::db::tickets::row::{TicketEdit, TicketRow, transition, update_ticket};
use crate::db::timeline::NewEvent;
use crate::db::users::names as user_names;
use crate::domain::assignment;
use crate::domain::ids::{ClientId, UserId};
use crate::domain::inputs::FieldErrors;
use crate::domain::ticket::Action;
use crate::domain::timeline::EventKind;

#[derive(Clone, Debug)]
pub struct AssignInput {
    pub tier: crate::domain::account::Tier,
    /// Both are required; the command refuses a missing one beside its field.
    pub owner: Option<UserId>,
    pub worker: Option<UserId>,
}

/// Gives the ticket a tier, an owner (responsible through its life) and a worker (on it now).
#[tracing::instrument(skip_all, fields(ticket_id = %edit.ticket))]
pub fn assign(conn: &mut DbConn, edit: TicketEdit, input: &AssignInput) -> Outcome<TicketRow> {
    edit.apply(conn, |conn, before| {
        let status = or_refuse!(transition(&before, Action::Assign));
        if let Err(message) = assignment::check_tier_change(before.tier, input.tier) {
            return refuse("tier", message);
        }
        let (owner, worker) = match assignment::check_people(input.owner, input.worker) {
            Ok(people) => people,
            Err(problems) => return Ok(Err(problems.into())),
        };
        let active: Vec<i64> = users::table
            .filter(users::id.eq_any([owner.0, worker.0]))
            .filter(users::active.eq(true))
            .select(users::id)
            .load(conn)?;
        let mut errors = FieldErrors::new();
        if !active.contains(&owner.0) {
            errors.add("owner_id", "Choose an active member of staff as owner.");
        }
        if !active.contains(&worker.0) {
            errors.add(
                "worker_id",
                "Choose an active member of staff to work the ticket.",
            );
        }
        // The blueprints' access factor: nobody is given a ticket for a client whose systems
        // they cannot reach.
        let client = ClientId(before.client_id);
        for person in crate::db::access::without_access(conn, client, &[owner, worker])? {
            let field = if person == owner { "owner_id" } else { "worker_id" };
            if errors.get(field).is_none() {
                errors.add(
                    field,
                    "No access to this client's systems: choose someone with access, or ask an admin to grant it.",
                );
            }
        }
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        let at = edit.at();
        let after = update_ticket!(
            conn,
            before,
            at,
            (
                tickets::status.eq(status.as_str()),
                tickets::tier.eq(input.tier.as_str()),
                tickets::owner_id.eq(owner.0),
                tickets::worker_id.eq(worker.0),
            )
        );
        crate::db::escalation::ladder::follow_tier(conn, &before, input.tier, at)?;
        let names = user_names(
            conn,
            &[
                before.owner_id,
                before.worker_id,
                after.owner_id,
                after.worker_id,
            ],
        )?;
        let name = |id: Option<i64>| names.of(id).unwrap_or("nobody");
        let detail = format!(
            "tier {} → {}; owner {} → {}; worker {} → {}",
            before.tier.map_or("none", |t| t.label()),
            input.tier.label(),
            name(before.owner_id),
            name(after.owner_id),
            name(before.worker_id),
            name(after.worker_id)
        );
        edit.log(conn, &NewEvent::internal(EventKind::Assignment, &detail))?;
        Ok(Ok(after))
    })
}
