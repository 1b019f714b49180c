//! Which ticket a message belongs to and who sent it: the Message-IDs it answers against the
//! ones the desk sent (and the client's own earlier messages), else the `[#42]` tag in its
//! subject; the sender by address, else by a client's mail domain.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::clients::ContactRow;
use crate::db::schema::{clients, contacts, inbound_messages, outbox, tickets};
use crate::domain::ids::{ClientId, TicketId};
use crate::domain::inbound_mail::{self, parse_mail_domains, ticket_of_thread};
use crate::error::AppResult;

fn ticket_exists(conn: &mut DbConn, id: i64) -> AppResult<Option<(TicketId, ClientId)>> {
    Ok(tickets::table
        .find(id)
        .select(tickets::client_id)
        .first::<i64>(conn)
        .optional()?
        .map(|client| (TicketId(id), ClientId(client))))
}

/// The ticket the Message-IDs a message answers belong to, newest reference first.
pub(super) fn by_references(
    conn: &mut DbConn,
    replying_to: &[String],
    desk_domain: &str,
) -> AppResult<Option<(TicketId, ClientId)>> {
    for id in replying_to {
        if let Some(ticket) = ticket_of_thread(id, desk_domain)
            && let Some(found) = ticket_exists(conn, ticket)?
        {
            return Ok(Some(found));
        }
        let key: Option<Option<String>> = outbox::table
            .filter(outbox::message_id.eq(format!("<{id}>")))
            .select(outbox::thread_key)
            .first(conn)
            .optional()?;
        if let Some(ticket) = key
            .flatten()
            .and_then(|k| ticket_of_thread(&k, desk_domain))
            && let Some(found) = ticket_exists(conn, ticket)?
        {
            return Ok(Some(found));
        }
        let earlier: Option<Option<i64>> = inbound_messages::table
            .filter(inbound_messages::message_id.eq(id))
            .select(inbound_messages::ticket_id)
            .first(conn)
            .optional()?;
        if let Some(ticket) = earlier.flatten()
            && let Some(found) = ticket_exists(conn, ticket)?
        {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// The ticket a subject's tag names, if it exists.
pub(super) fn by_subject(
    conn: &mut DbConn,
    subject: &str,
) -> AppResult<Option<(TicketId, ClientId)>> {
    match inbound_mail::subject_ticket(subject) {
        Some(id) => ticket_exists(conn, id),
        None => Ok(None),
    }
}

/// Whether the message is one the desk sent, come back (copied to the desk's own inbox, or
/// returned whole by a mail server).
pub(super) fn is_our_own(
    conn: &mut DbConn,
    message_id: &str,
    from: &str,
    own_address: &str,
) -> AppResult<bool> {
    if !own_address.is_empty() && from.eq_ignore_ascii_case(own_address) {
        return Ok(true);
    }
    if message_id.is_empty() {
        return Ok(false);
    }
    Ok(outbox::table
        .filter(outbox::message_id.eq(format!("<{message_id}>")))
        .select(outbox::id)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

/// Who sent a message, as far as the desk knows them.
#[derive(Clone, Debug)]
pub(super) enum Sender {
    /// A contact on file with this address.
    Contact(ContactRow),
    /// Not on file, but at a client's mail domain: becomes a contact, not yet validated.
    AtDomain(ClientId),
    /// Several clients hold a contact with this address, and nothing says which is meant.
    Ambiguous,
    Unknown,
}

/// Finds the sender, preferring the client of the ticket the message threads to.
pub(super) fn sender(
    conn: &mut DbConn,
    address: &str,
    client: Option<ClientId>,
) -> AppResult<Sender> {
    let mut found: Vec<ContactRow> = contacts::table
        .filter(contacts::email.eq(address))
        .filter(contacts::active.eq(true))
        .select(ContactRow::as_select())
        .order(contacts::id)
        .load(conn)?;
    if let Some(client) = client {
        found.retain(|c| c.client_id == client.0);
    }
    match found.len() {
        1 => return Ok(Sender::Contact(found.remove(0))),
        0 => {}
        _ => {
            // The same address at one client twice cannot happen; across clients it can.
            let first_client = found[0].client_id;
            return Ok(if found.iter().all(|c| c.client_id == first_client) {
                Sender::Contact(found.remove(0))
            } else {
                Sender::Ambiguous
            });
        }
    }
    let mut candidates = clients::table
        .filter(clients::active.eq(true))
        .filter(clients::mail_domains.ne(""))
        .select((clients::id, clients::mail_domains))
        .into_boxed();
    if let Some(client) = client {
        candidates = candidates.filter(clients::id.eq(client.0));
    }
    let matching: Vec<i64> = candidates
        .load::<(i64, String)>(conn)?
        .into_iter()
        .filter(|(_, domains)| {
            parse_mail_domains(domains).is_ok_and(|list| inbound_mail::at_domains(address, &list))
        })
        .map(|(id, _)| id)
        .collect();
    Ok(match matching.as_slice() {
        [only] => Sender::AtDomain(ClientId(*only)),
        [] => Sender::Unknown,
        _ => Sender::Ambiguous,
    })
}
