//! The unmatched queue: staff put a message nobody could place on a ticket, open a ticket for
//! it at a client, or discard it with a reason. Nothing leaves the queue silently.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::State;
use super::effects::{self, Arrival};
use super::process::{Disposition, finish};
use crate::db::clients::{ContactRow, insert_contact_from_mail};
use crate::db::outcome::{Outcome, refuse};
use crate::db::schema::{contacts, inbound_messages, tickets};
use crate::db::{DbConn, audit, write_tx};
use crate::domain::ids::{ClientId, TicketId, UserId};
use crate::domain::inbound_mail;
use crate::domain::inputs::EmailAddress;
use crate::error::{AppError, AppResult};
use crate::mail::inbound::parse::{Incoming, parse};
use crate::mail::messages::MailContext;

/// What staff decided for an unmatched message.
#[derive(Clone, Debug)]
pub enum Placement {
    /// Add it to this ticket, as if the client had replied to it.
    Ticket(TicketId),
    /// Open a ticket for it at this client.
    Client(ClientId),
}

fn unmatched_message(conn: &mut DbConn, id: i64) -> AppResult<(Incoming, Vec<u8>)> {
    let (state, raw): (String, Vec<u8>) = inbound_messages::table
        .find(id)
        .select((inbound_messages::state, inbound_messages::raw))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    if state != State::Unmatched.as_str() {
        return Err(AppError::Conflict(
            "Someone else has already placed or discarded this message.".into(),
        ));
    }
    Ok((parse(&raw).unwrap_or_default(), raw))
}

/// The sender as a contact of `client`: the one on file, or a new one not yet validated.
fn contact_at(
    conn: &mut DbConn,
    client: ClientId,
    incoming: &Incoming,
    now: DateTime<Utc>,
) -> AppResult<Option<ContactRow>> {
    let Ok(address) = EmailAddress::parse(&incoming.from_address) else {
        return Ok(None);
    };
    let on_file: Option<ContactRow> = contacts::table
        .filter(contacts::client_id.eq(client.0))
        .filter(contacts::email.eq(address.as_str()))
        .select(ContactRow::as_select())
        .first(conn)
        .optional()?;
    Ok(Some(match on_file {
        Some(contact) => contact,
        None => insert_contact_from_mail(conn, client, &incoming.from_name, &address, now)?,
    }))
}

/// Places an unmatched message where staff said, as the client's message.
#[tracing::instrument(skip_all, fields(inbound_id = id))]
pub fn place(
    conn: &mut DbConn,
    actor: UserId,
    id: i64,
    placement: &Placement,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> Outcome<TicketId> {
    write_tx(conn, |conn| {
        let (incoming, raw) = unmatched_message(conn, id)?;
        let client = match placement {
            Placement::Ticket(ticket) => {
                let client: Option<i64> = tickets::table
                    .find(ticket.0)
                    .select(tickets::client_id)
                    .first(conn)
                    .optional()?;
                match client {
                    Some(client) => ClientId(client),
                    None => return refuse("ticket", format!("There is no ticket #{ticket}.")),
                }
            }
            Placement::Client(client) => *client,
        };
        let Some(contact) = contact_at(conn, client, &incoming, now)? else {
            return refuse(
                "ticket",
                "The message has no sender address to answer; download it, or discard it.",
            );
        };
        let author = inbound_mail::author(&incoming.signals);
        let arrival = Arrival {
            inbound_id: id,
            incoming: &incoming,
            raw: &raw,
            author,
            contact: &contact,
            now,
        };
        let ticket = match placement {
            Placement::Ticket(ticket) => {
                effects::join_ticket(conn, &arrival, *ticket, mail)?.ticket
            }
            Placement::Client(client) => effects::open_ticket(conn, &arrival, *client, None, mail)?,
        };
        finish(
            conn,
            id,
            &incoming,
            author,
            Disposition {
                state: Some(State::Processed),
                reason: String::new(),
                ticket: Some(ticket.id),
                contact: Some(contact.id),
                acknowledged: false,
            },
            now,
        )?;
        handled_by(
            conn,
            id,
            actor,
            &format!("placed on ticket #{}", ticket.id),
            now,
        )?;
        Ok(Ok(ticket.id))
    })
}

/// Throws an unmatched message away, with the reason; it stays stored and listed as discarded.
#[tracing::instrument(skip_all, fields(inbound_id = id))]
pub fn discard(
    conn: &mut DbConn,
    actor: UserId,
    id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Outcome<()> {
    if reason.trim().is_empty() {
        return refuse(
            "reason",
            "Say why the message is discarded (spam, newsletter, wrong address…).",
        );
    }
    write_tx(conn, |conn| {
        unmatched_message(conn, id)?;
        diesel::update(inbound_messages::table.find(id))
            .set((
                inbound_messages::state.eq(State::Discarded.as_str()),
                inbound_messages::reason.eq(reason.trim()),
                inbound_messages::processed_at.eq(Some(now.naive_utc())),
            ))
            .execute(conn)?;
        handled_by(
            conn,
            id,
            actor,
            &format!("discarded: {}", reason.trim()),
            now,
        )?;
        Ok(Ok(()))
    })
}

fn handled_by(
    conn: &mut DbConn,
    id: i64,
    actor: UserId,
    what: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    diesel::update(inbound_messages::table.find(id))
        .set(inbound_messages::handled_by.eq(Some(actor.0)))
        .execute(conn)?;
    audit::record(
        conn,
        Some(actor),
        audit::Entity::Mail,
        id,
        "inbound",
        what,
        now.naive_utc(),
    )
}
