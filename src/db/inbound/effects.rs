//! What a client's message does to the desk's tickets: it opens one, or joins one (resuming a
//! ticket that waited on the client, reopening a solved one inside its window), or, when the
//! ticket is over, opens a follow-up linked to it. Its files are kept on the ticket with the
//! whole message beside them.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::attachments::{MAX_ATTACHMENT_BYTES, human_size, keep};
use crate::db::clients::ContactRow;
use crate::db::notify::mail_contact;
use crate::db::schema::tickets;
use crate::db::sla_clock::apply_pauses;
use crate::db::tickets::intake::{IntakeInput, Origin, Requester, record};
use crate::db::tickets::reopen::reopen_row;
use crate::db::tickets::row::{TicketRow, get, transition, update_ticket};
use crate::db::timeline::{NewEvent, add_event};
use crate::domain::ids::{ClientId, ContactId, TicketId};
use crate::domain::inbound_mail::{self, Author, ReplyEffect};
use crate::domain::inputs::attachment_name;
use crate::domain::priority::{Impact, Urgency};
use crate::domain::ticket::{self, Action, Channel, IdentityCheck, Kind, Status};
use crate::domain::timeline::EventKind;
use crate::error::{AppError, AppResult};
use crate::mail::inbound::parse::Incoming;
use crate::mail::messages::{MailContext, MessageAdded};

/// A message on its way onto a ticket.
pub(super) struct Arrival<'a> {
    pub inbound_id: i64,
    pub incoming: &'a Incoming,
    pub raw: &'a [u8],
    pub author: Author,
    pub contact: &'a ContactRow,
    pub now: DateTime<Utc>,
}

impl Arrival<'_> {
    fn at(&self) -> chrono::NaiveDateTime {
        self.now.naive_utc()
    }

    fn text(&self) -> String {
        inbound_mail::new_text(&self.incoming.text)
    }

    fn sender_line(&self) -> String {
        let by = match self.author {
            Author::Person => String::new(),
            other => format!(" ({}; the ticket was left as it was)", other.label()),
        };
        format!(
            "by e-mail from {} <{}>{by}",
            self.contact.name, self.contact.email
        )
    }

    fn identity(&self) -> IdentityCheck {
        if self.contact.identity_validated {
            IdentityCheck::KnownEmail
        } else {
            IdentityCheck::NotValidated
        }
    }
}

/// Opens a ticket for the message; `follow_up_of` links it to the ticket that was over.
pub(super) fn open_ticket(
    conn: &mut DbConn,
    arrival: &Arrival<'_>,
    client: ClientId,
    follow_up_of: Option<&TicketRow>,
    mail: &MailContext,
) -> AppResult<TicketRow> {
    let text = arrival.text();
    // Triage sets the real impact and urgency; a follow-up starts where its ticket ended.
    let (impact, urgency) = match follow_up_of {
        Some(old) => (old.impact, old.urgency),
        None => (Impact::Low, Urgency::Low),
    };
    let input = IntakeInput {
        kind: Kind::Incident,
        client,
        requester: Requester::Existing(ContactId(arrival.contact.id)),
        subject: inbound_mail::ticket_subject(&arrival.incoming.subject),
        description: if text.is_empty() {
            "(the message has no text)".into()
        } else {
            text
        },
        channel: Channel::Email,
        identity: arrival.identity(),
        identity_detail: if arrival.contact.identity_validated {
            format!("came from {}, the address on file", arrival.contact.email)
        } else {
            String::new()
        },
        impact,
        urgency,
    };
    let origin = Origin {
        actor: None,
        acknowledge: arrival.author.is_person(),
        follow_up_of: follow_up_of.map(|t| t.id),
    };
    let row = record(conn, &origin, &input, arrival.contact, mail, arrival.now)?;
    if let Some(old) = follow_up_of {
        add_event(
            conn,
            old.id,
            None,
            &NewEvent::internal(
                EventKind::ClientMessage,
                &format!(
                    "The client wrote again after this ticket was {}: follow-up #{} opened",
                    old.status.label().to_lowercase(),
                    row.id
                ),
            ),
            arrival.at(),
        )?;
    }
    keep_files(conn, row.id, arrival)?;
    Ok(row)
}

/// What joining a ticket did, for the caller to record and acknowledge.
pub(super) struct Joined {
    pub ticket: TicketRow,
    /// Whether the message opened a new ticket (the intake acknowledgement was its answer).
    pub opened: bool,
}

/// Adds the message to its ticket, or to the one a duplicate was merged into, and does what the
/// ticket's status calls for. Only a person's message moves a ticket.
pub(super) fn join_ticket(
    conn: &mut DbConn,
    arrival: &Arrival<'_>,
    ticket: TicketId,
    mail: &MailContext,
) -> AppResult<Joined> {
    let mut row = get(conn, ticket)?;
    if row.status == Status::Duplicate
        && let Some(survivor) = row.duplicate_of
    {
        row = get(conn, TicketId(survivor))?;
    }
    let effect = if arrival.author.is_person() {
        inbound_mail::reply_effect(
            row.status,
            row.solved_at.map(|s| s.and_utc()),
            arrival.now,
            ticket::DEFAULT_SOLVED_WINDOW,
        )
    } else {
        ReplyEffect::Append
    };
    if effect == ReplyEffect::FollowUp {
        let client = ClientId(row.client_id);
        let opened = open_ticket(conn, arrival, client, Some(&row), mail)?;
        return Ok(Joined {
            ticket: opened,
            opened: true,
        });
    }
    let text = arrival.text();
    add_event(
        conn,
        row.id,
        None,
        &NewEvent {
            kind: EventKind::ClientMessage,
            client_visible: true,
            body: &text,
            detail: &arrival.sender_line(),
        },
        arrival.at(),
    )?;
    let after = match effect {
        ReplyEffect::Resume => resume(conn, row, arrival.now)?,
        ReplyEffect::Reopen => reopen_row(
            conn,
            None,
            row,
            "The client replied by e-mail.",
            arrival.now,
        )?
        .map_err(|errors| {
            AppError::Conflict(format!("the ticket could not be reopened: {errors:?}"))
        })?,
        ReplyEffect::Append | ReplyEffect::FollowUp => row,
    };
    keep_files(conn, after.id, arrival)?;
    Ok(Joined {
        ticket: after,
        opened: false,
    })
}

/// A ticket that waited on the client runs again: the pause ends and the clock restarts.
fn resume(conn: &mut DbConn, before: TicketRow, now: DateTime<Utc>) -> AppResult<TicketRow> {
    let from = before.status;
    let to = transition(&before, Action::Resume)?
        .map_err(|errors| AppError::Conflict(format!("the ticket could not resume: {errors:?}")))?;
    let resolution_due = apply_pauses(conn, &before, from, to, now)?;
    let at = now.naive_utc();
    let id = before.id;
    let after = update_ticket!(
        conn,
        before,
        at,
        (
            tickets::status.eq(to.as_str()),
            tickets::resolution_due_at.eq(resolution_due),
        )
    );
    add_event(
        conn,
        id,
        None,
        &NewEvent::internal(
            EventKind::Status,
            &format!(
                "status {} → {}: the client replied by e-mail, the clock runs again",
                from.label(),
                to.label()
            ),
        ),
        at,
    )?;
    Ok(after)
}

/// Keeps the message's files on the ticket (within the upload limit; a bigger one is named on
/// the timeline) and the whole message as an `.eml` beside them.
fn keep_files(conn: &mut DbConn, ticket: TicketId, arrival: &Arrival<'_>) -> AppResult<()> {
    let at = arrival.at();
    for file in &arrival.incoming.files {
        let name = attachment_name(&file.filename);
        if file.data.len() > MAX_ATTACHMENT_BYTES {
            add_event(
                conn,
                ticket,
                None,
                &NewEvent::internal(
                    EventKind::Attachment,
                    &format!(
                        "{name} ({}) came by e-mail but is over the {} limit; it stays in the whole message (mail #{})",
                        human_size(file.data.len()),
                        human_size(MAX_ATTACHMENT_BYTES),
                        arrival.inbound_id
                    ),
                ),
                at,
            )?;
        } else {
            keep(
                conn,
                ticket,
                None,
                &name,
                &file.content_type,
                &file.data,
                at,
            )?;
        }
    }
    if arrival.raw.len() <= MAX_ATTACHMENT_BYTES {
        keep(
            conn,
            ticket,
            None,
            &format!("message-{}.eml", arrival.inbound_id),
            "message/rfc822",
            arrival.raw,
            at,
        )?;
    }
    Ok(())
}

/// Tells the client their message is on the ticket.
pub(super) fn acknowledge(
    conn: &mut DbConn,
    ticket: &TicketRow,
    contact: &ContactRow,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let message = MessageAdded {
        reference: format!("#{}", ticket.id),
        subject: ticket.subject.clone(),
        contact_name: contact.name.clone(),
        status: ticket.status.label().to_string(),
    };
    mail_contact(conn, ticket, mail, &message, now)
}
