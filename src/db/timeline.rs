//! A ticket's timeline, which is also its audit trail: writing one entry, and reading them back
//! for the ticket page.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{ticket_events, users};
use crate::domain::ids::{TicketId, UserId};
use crate::domain::timeline::EventKind;
use crate::error::AppResult;

/// One timeline entry to write: what kind, whether the client may see it, the text someone
/// wrote (a note, a reply, a reason; may be empty) and the desk's own line about the change.
pub struct NewEvent<'a> {
    pub kind: EventKind,
    pub client_visible: bool,
    pub body: &'a str,
    pub detail: &'a str,
}

impl<'a> NewEvent<'a> {
    /// A change only staff see, described by the desk, with no text of anyone's.
    pub fn internal(kind: EventKind, detail: &'a str) -> Self {
        Self::note(kind, "", detail)
    }

    /// Text someone wrote that only staff see (a note, a reason, a request).
    pub fn note(kind: EventKind, body: &'a str, detail: &'a str) -> Self {
        NewEvent {
            kind,
            client_visible: false,
            body,
            detail,
        }
    }

    /// Text the client sees too (a reply, a solution, their own answer).
    pub fn for_client(kind: EventKind, body: &'a str, detail: &'a str) -> Self {
        NewEvent {
            kind,
            client_visible: true,
            body,
            detail,
        }
    }
}

pub fn add_event(
    conn: &mut DbConn,
    ticket: TicketId,
    actor: Option<UserId>,
    event: &NewEvent<'_>,
    at: NaiveDateTime,
) -> AppResult<()> {
    diesel::insert_into(ticket_events::table)
        .values((
            ticket_events::ticket_id.eq(ticket.0),
            ticket_events::actor_id.eq(actor.map(|a| a.0)),
            ticket_events::kind.eq(event.kind.as_str()),
            ticket_events::client_visible.eq(event.client_visible),
            ticket_events::body.eq(event.body),
            ticket_events::detail.eq(event.detail),
            ticket_events::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Clone, Debug, Queryable)]
pub struct EventView {
    #[diesel(deserialize_as = String)]
    pub kind: EventKind,
    pub client_visible: bool,
    pub body: String,
    pub detail: String,
    pub created_at: NaiveDateTime,
    pub actor_name: Option<String>,
}

/// A ticket's timeline, oldest first, with who wrote each entry.
pub fn events_of(conn: &mut DbConn, ticket: TicketId) -> AppResult<Vec<EventView>> {
    Ok(ticket_events::table
        .left_join(users::table)
        .filter(ticket_events::ticket_id.eq(ticket.0))
        .order((ticket_events::created_at.asc(), ticket_events::id.asc()))
        .select((
            ticket_events::kind,
            ticket_events::client_visible,
            ticket_events::body,
            ticket_events::detail,
            ticket_events::created_at,
            users::display_name.nullable(),
        ))
        .load(conn)?)
}
