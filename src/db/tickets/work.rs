//! Working a ticket: a note, a reply to the client or a logged call, with the reviewed status
//! and category; the first reply or call is the response the SLA counts.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::categories;
use crate::db::notify::{contact_name, mail_contact};
use crate::db::schema::tickets;
use crate::db::sla_clock::apply_pauses;
use crate::db::tickets::row::{TicketRow, get_at_version, transition, update_ticket};
use crate::db::timeline::{EventKind, NewEvent, add_event};
use crate::db::{DbConn, write_tx};
use crate::domain::ids::{CategoryId, TicketId, UserId};
use crate::domain::inputs::FieldErrors;
use crate::domain::ticket::{self, Action};
use crate::error::AppResult;
use crate::mail::messages::{MailContext, TicketReply};

/// What a technician writes while working a ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    /// Internal: only staff see it.
    Note,
    /// Sent to the client by e-mail; counts as the response.
    Reply,
    /// A call with the client, logged; counts as the response.
    Call,
}

impl Entry {
    pub const ALL: [Entry; 3] = [Entry::Note, Entry::Reply, Entry::Call];

    pub fn as_str(self) -> &'static str {
        match self {
            Entry::Note => "note",
            Entry::Reply => "reply",
            Entry::Call => "call",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|e| e.as_str() == raw.trim())
            .ok_or_else(|| {
                "Choose an internal note, a reply to the client or a logged call.".into()
            })
    }

    pub fn label(self) -> &'static str {
        match self {
            Entry::Note => "Internal note",
            Entry::Reply => "Reply to the client (e-mailed)",
            Entry::Call => "Logged call with the client",
        }
    }

    fn event_kind(self) -> EventKind {
        match self {
            Entry::Note => EventKind::Note,
            Entry::Reply => EventKind::Reply,
            Entry::Call => EventKind::Call,
        }
    }

    pub fn is_response(self) -> bool {
        matches!(self, Entry::Reply | Entry::Call)
    }
}

#[derive(Clone, Debug)]
pub struct WorkInput {
    pub entry: Entry,
    pub body: String,
    /// The status after this piece of work (reviewed on every save; the business rule).
    pub action: Option<Action>,
    pub category: Option<CategoryId>,
}

/// Adds a note, a client reply or a logged call, and applies the reviewed status and category.
/// The first reply or call by staff is the response the SLA counts.
#[tracing::instrument(skip_all, fields(ticket_id = %id))]
pub fn work(
    conn: &mut DbConn,
    actor: UserId,
    id: TicketId,
    version: i64,
    input: &WorkInput,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> AppResult<Result<TicketRow, FieldErrors>> {
    write_tx(conn, |conn| {
        let before = get_at_version(conn, id, version)?;
        let from = before.status()?;
        if input.action.is_some_and(|a| !ticket::is_work_action(a)) {
            return Ok(Err(FieldErrors::single(
                "next",
                "Use the ticket's own form for that step.",
            )));
        }
        let to = match input.action {
            Some(action) => match transition(&before, action)? {
                Ok(status) => status,
                Err(errors) => return Ok(Err(errors)),
            },
            None => from,
        };
        if from.is_final() {
            return Ok(Err(FieldErrors::single(
                "body",
                "This ticket is finished. A new message from the client starts a new ticket.",
            )));
        }
        let resolution_due = apply_pauses(conn, &before, from, to, now)?;
        let at = now.naive_utc();
        let responded_at = match before.responded_at {
            None if input.entry.is_response() => Some(at),
            other => other,
        };
        let category = input.category.map(|c| c.0).or(before.category_id);
        let subcategory = if category == before.category_id {
            before.subcategory_id
        } else {
            None
        };
        let search = format!("{}\n{}", before.search_text, input.body.to_lowercase());
        let after = update_ticket!(
            conn,
            before,
            at,
            (
                tickets::status.eq(to.as_str()),
                tickets::responded_at.eq(responded_at),
                tickets::resolution_due_at.eq(resolution_due),
                tickets::category_id.eq(category),
                tickets::subcategory_id.eq(subcategory),
                tickets::search_text.eq(search),
            )
        );
        let mut review = vec![format!("reviewed status: {}", to.label())];
        if from != to {
            review[0] = format!("status {} → {}", from.label(), to.label());
        }
        if category != before.category_id {
            let names = categories::names(conn, &[before.category_id, category])?;
            review.push(format!(
                "category {} → {}",
                names.of(before.category_id).unwrap_or("none"),
                names.of(category).unwrap_or("none")
            ));
        } else {
            review.push("category reviewed".into());
        }
        if before.responded_at.is_none() && responded_at.is_some() {
            review.push("first response to the client".into());
        }
        add_event(
            conn,
            id,
            Some(actor),
            &NewEvent {
                kind: input.entry.event_kind(),
                client_visible: input.entry.is_response(),
                body: &input.body,
                detail: &review.join("; "),
            },
            at,
        )?;
        if input.entry == Entry::Reply {
            let reply = TicketReply {
                reference: format!("#{}", after.id),
                subject: after.subject.clone(),
                contact_name: contact_name(conn, &after)?,
                technician: crate::db::users::get(conn, actor)?.display_name,
                body: input.body.clone(),
            };
            mail_contact(conn, &after, mail, &reply, now)?;
        }
        Ok(Ok(after))
    })
}
