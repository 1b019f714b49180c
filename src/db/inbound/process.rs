//! Processing one stored message, once: in one transaction it is read, threaded, its sender
//! found, its ticket opened or changed, its acknowledgement queued and its state written; a
//! failure leaves it stored, counted and tried again by the next sweep.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::effects::{self, Arrival};
use super::thread::{self, Sender};
use super::{State, due};
use crate::db::clients::{ContactRow, insert_contact_from_mail};
use crate::db::schema::inbound_messages;
use crate::db::timeline::{NewEvent, add_event};
use crate::db::{DbConn, write_tx};
use crate::domain::ids::{ClientId, TicketId};
use crate::domain::inbound_mail::{self, ACKNOWLEDGEMENT_INTERVAL, Author};
use crate::domain::inputs::EmailAddress;
use crate::domain::timeline::EventKind;
use crate::error::{AppError, AppResult};
use crate::mail::inbound::parse::{Incoming, parse};
use crate::mail::messages::MailContext;

/// What processing needs beyond the database.
#[derive(Clone, Debug)]
pub struct InboundContext {
    pub mail: MailContext,
    /// The desk's own From address (MAIL_FROM): mail from it is the desk's own, come back.
    pub own_address: String,
}

impl InboundContext {
    pub fn from_config(config: &crate::config::Config) -> Self {
        Self {
            mail: MailContext::from_config(config),
            own_address: crate::config::bare_address(&config.mail_from).to_lowercase(),
        }
    }
}

/// How often a message is tried before it waits for staff with its error.
pub const MAX_ATTEMPTS: i32 = 5;

/// What became of a message, as stored on its row.
#[derive(Debug, Default)]
pub(super) struct Disposition {
    pub state: Option<State>,
    pub reason: String,
    pub ticket: Option<TicketId>,
    pub contact: Option<i64>,
    pub acknowledged: bool,
}

impl Disposition {
    fn unmatched(reason: impl Into<String>) -> Self {
        Self {
            state: Some(State::Unmatched),
            reason: reason.into(),
            ..Self::default()
        }
    }
}

/// Processes stored message `id` unless it was already; answers its state afterwards. A failure
/// is counted on the row (and the message tried again later) before it is returned.
#[tracing::instrument(skip_all, fields(inbound_id = id))]
pub fn process(
    conn: &mut DbConn,
    id: i64,
    ctx: &InboundContext,
    now: DateTime<Utc>,
) -> AppResult<State> {
    match write_tx(conn, |conn| process_within(conn, id, ctx, now)) {
        Ok(state) => Ok(state),
        Err(e) => {
            tracing::warn!(error = %e, "inbound message not processed; it stays stored");
            diesel::update(inbound_messages::table.find(id))
                .set((
                    inbound_messages::attempts.eq(inbound_messages::attempts + 1),
                    inbound_messages::last_error.eq(Some(e.to_string())),
                ))
                .execute(conn)?;
            Err(e)
        }
    }
}

/// Processes every stored message still waiting, oldest first; answers how many were.
pub fn process_due(
    conn: &mut DbConn,
    ctx: &InboundContext,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let waiting = due(conn, MAX_ATTEMPTS, 200)?;
    let mut done = 0;
    for id in waiting {
        if process(conn, id, ctx, now).is_ok() {
            done += 1;
        }
    }
    Ok(done)
}

fn process_within(
    conn: &mut DbConn,
    id: i64,
    ctx: &InboundContext,
    now: DateTime<Utc>,
) -> AppResult<State> {
    let (state, raw): (String, Vec<u8>) = inbound_messages::table
        .find(id)
        .select((inbound_messages::state, inbound_messages::raw))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    if state != State::Received.as_str() {
        return Ok(State::parse(&state).unwrap_or(State::Processed));
    }
    let Some(incoming) = parse(&raw) else {
        let result = Disposition::unmatched("The message could not be read as an e-mail message.");
        return finish(conn, id, &Incoming::default(), Author::Person, result, now);
    };
    let author = inbound_mail::author(&incoming.signals);
    let result = decide(conn, id, &incoming, &raw, author, ctx, now)?;
    finish(conn, id, &incoming, author, result, now)
}

fn decide(
    conn: &mut DbConn,
    id: i64,
    incoming: &Incoming,
    raw: &[u8],
    author: Author,
    ctx: &InboundContext,
    now: DateTime<Utc>,
) -> AppResult<Disposition> {
    if thread::is_our_own(
        conn,
        &incoming.message_id,
        &incoming.from_address,
        &ctx.own_address,
    )? {
        return Ok(Disposition {
            state: Some(State::Ignored),
            reason: "The desk's own message, come back.".into(),
            ..Disposition::default()
        });
    }
    let Ok(address) = EmailAddress::parse(&incoming.from_address) else {
        return Ok(Disposition::unmatched(
            "The message has no sender address the desk can read.",
        ));
    };
    let ticket = match thread::by_references(conn, &incoming.replying_to, &ctx.mail.domain)? {
        Some(found) => Some(found),
        None => thread::by_subject(conn, &incoming.subject)?,
    };
    if author == Author::Bounce {
        return Ok(match ticket {
            Some((ticket, _)) => {
                bounce_on_ticket(conn, ticket, incoming, now)?;
                Disposition {
                    state: Some(State::Processed),
                    ticket: Some(ticket),
                    ..Disposition::default()
                }
            }
            None => Disposition::unmatched("A delivery failure that names no ticket."),
        });
    }
    let client_of_ticket = ticket.map(|(_, client)| client);
    let contact: ContactRow = match thread::sender(conn, address.as_str(), client_of_ticket)? {
        Sender::Contact(contact) => contact,
        Sender::AtDomain(client) => {
            insert_contact_from_mail(conn, client, &incoming.from_name, &address, now)?
        }
        Sender::Ambiguous => {
            return Ok(Disposition::unmatched(
                "The sender's address belongs to several clients; choose which one.",
            ));
        }
        Sender::Unknown => {
            return Ok(Disposition::unmatched(match ticket {
                Some((ticket, _)) => format!(
                    "The sender is not a contact of the client of ticket #{ticket}, nor at one of its mail domains."
                ),
                None => "The sender is neither a contact nor at a client's mail domain.".into(),
            }));
        }
    };
    let arrival = Arrival {
        inbound_id: id,
        incoming,
        raw,
        author,
        contact: &contact,
        now,
    };
    let joined = match ticket {
        Some((ticket, _)) => effects::join_ticket(conn, &arrival, ticket, &ctx.mail)?,
        None => effects::Joined {
            ticket: effects::open_ticket(
                conn,
                &arrival,
                ClientId(contact.client_id),
                None,
                &ctx.mail,
            )?,
            opened: true,
        },
    };
    let acknowledged = if joined.opened {
        author.is_person()
    } else {
        let last = last_acknowledged(conn, joined.ticket.id, address.as_str(), now)?;
        let due = inbound_mail::acknowledge(author, last, now);
        if due {
            effects::acknowledge(conn, &joined.ticket, &contact, &ctx.mail, now)?;
        }
        due
    };
    Ok(Disposition {
        state: Some(State::Processed),
        reason: String::new(),
        ticket: Some(joined.ticket.id),
        contact: Some(contact.id),
        acknowledged,
    })
}

/// When the sender was last acknowledged on the ticket, within the interval that matters.
fn last_acknowledged(
    conn: &mut DbConn,
    ticket: TicketId,
    address: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<DateTime<Utc>>> {
    let since = (now - ACKNOWLEDGEMENT_INTERVAL - Duration::minutes(1)).naive_utc();
    let last: Option<NaiveDateTime> = inbound_messages::table
        .filter(inbound_messages::ticket_id.eq(ticket.0))
        .filter(inbound_messages::from_address.eq(address))
        .filter(inbound_messages::acknowledged.eq(true))
        .filter(inbound_messages::received_at.ge(since))
        .select(diesel::dsl::max(inbound_messages::processed_at))
        .first(conn)?;
    Ok(last.map(|at| at.and_utc()))
}

/// A delivery failure about a ticket's mail: staff should know the client did not get it.
fn bounce_on_ticket(
    conn: &mut DbConn,
    ticket: TicketId,
    incoming: &Incoming,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let excerpt: String = inbound_mail::new_text(&incoming.text)
        .chars()
        .take(500)
        .collect();
    add_event(
        conn,
        ticket,
        None,
        &NewEvent::note(
            EventKind::Note,
            &excerpt,
            &format!(
                "A mail to the client could not be delivered ({}): check the contact's address",
                incoming.subject
            ),
        ),
        now.naive_utc(),
    )
}

pub(super) fn finish(
    conn: &mut DbConn,
    id: i64,
    incoming: &Incoming,
    author: Author,
    result: Disposition,
    now: DateTime<Utc>,
) -> AppResult<State> {
    let state = result.state.unwrap_or(State::Processed);
    diesel::update(inbound_messages::table.find(id))
        .set((
            inbound_messages::from_address.eq(&incoming.from_address),
            inbound_messages::from_name.eq(&incoming.from_name),
            inbound_messages::subject.eq(&incoming.subject),
            inbound_messages::author.eq(author.label()),
            inbound_messages::state.eq(state.as_str()),
            inbound_messages::reason.eq(&result.reason),
            inbound_messages::ticket_id.eq(result.ticket.map(|t| t.0)),
            inbound_messages::contact_id.eq(result.contact),
            inbound_messages::acknowledged.eq(result.acknowledged),
            inbound_messages::processed_at.eq(Some(now.naive_utc())),
            inbound_messages::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(state)
}
