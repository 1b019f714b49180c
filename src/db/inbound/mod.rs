//! Mail that reached the desk: each message is stored whole before anything is done with it
//! (`store`), then processed once (`process`): joined to its ticket, opened as a new one, or
//! left in the unmatched queue for staff (`unmatched`).

mod effects;
pub mod process;
mod thread;
pub mod unmatched;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::inbound_messages;
use crate::db::{DbConn, write_tx};
use crate::domain::ids::TicketId;
use crate::error::{AppError, AppResult};
use crate::mail::inbound::parse::dedup_key;

/// The largest message kept whole. Anything bigger keeps its headers only and waits for staff.
pub const MAX_MESSAGE_BYTES: usize = 25 * 1024 * 1024;

/// How a message reached the desk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Imap,
    Mailgate,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Imap => "imap",
            Source::Mailgate => "mailgate",
        }
    }
}

/// What became of a stored message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Stored, not yet processed (or processing failed and will be tried again).
    Received,
    /// Joined a ticket or opened one.
    Processed,
    /// Waiting for staff to assign or discard it.
    Unmatched,
    /// The desk's own message coming back: nothing to do.
    Ignored,
    /// Staff threw it away, saying why.
    Discarded,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Received => "received",
            State::Processed => "processed",
            State::Unmatched => "unmatched",
            State::Ignored => "ignored",
            State::Discarded => "discarded",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            State::Received => "Waiting to be processed",
            State::Processed => "Processed",
            State::Unmatched => "Unmatched",
            State::Ignored => "Ignored (the desk's own mail)",
            State::Discarded => "Discarded",
        }
    }

    pub fn parse(raw: &str) -> Option<State> {
        [
            State::Received,
            State::Processed,
            State::Unmatched,
            State::Ignored,
            State::Discarded,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }
}

/// Whether a message was new to the desk or a second delivery of one it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stored {
    New(i64),
    Again(i64),
}

impl Stored {
    pub fn id(self) -> i64 {
        match self {
            Stored::New(id) | Stored::Again(id) => id,
        }
    }
}

fn existing(conn: &mut DbConn, key: &str) -> AppResult<Option<i64>> {
    Ok(inbound_messages::table
        .filter(inbound_messages::dedup_key.eq(key))
        .select(inbound_messages::id)
        .first(conn)
        .optional()?)
}

/// The header block of a message: what is kept of one too big to keep whole.
fn headers_of(raw: &[u8]) -> &[u8] {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n"))
        .unwrap_or(raw.len().min(64 * 1024));
    &raw[..end.min(64 * 1024)]
}

/// Keeps `raw` as it arrived, once: a second delivery of the same message (same Message-ID,
/// or the same bytes when it has none) finds the first and stores nothing.
#[tracing::instrument(skip_all, fields(source = source.as_str(), bytes = raw.len()))]
pub fn store(
    conn: &mut DbConn,
    raw: &[u8],
    source: Source,
    now: DateTime<Utc>,
) -> AppResult<Stored> {
    let key = dedup_key(raw);
    let too_big = raw.len() > MAX_MESSAGE_BYTES;
    let kept = if too_big { headers_of(raw) } else { raw };
    let message_id = key.strip_prefix("id:").unwrap_or("").to_string();
    let inserted = write_tx(conn, |conn| {
        if let Some(id) = existing(conn, &key)? {
            return Ok(Stored::Again(id));
        }
        let (state, reason) = if too_big {
            (
                State::Unmatched,
                format!(
                    "The message was {} MB, over the {} MB the desk keeps; only its headers are stored.",
                    raw.len() / (1024 * 1024),
                    MAX_MESSAGE_BYTES / (1024 * 1024)
                ),
            )
        } else {
            (State::Received, String::new())
        };
        let id = diesel::insert_into(inbound_messages::table)
            .values((
                inbound_messages::dedup_key.eq(&key),
                inbound_messages::message_id.eq(&message_id),
                inbound_messages::source.eq(source.as_str()),
                inbound_messages::raw.eq(kept),
                inbound_messages::size_bytes.eq(i64::try_from(raw.len()).unwrap_or(i64::MAX)),
                inbound_messages::state.eq(state.as_str()),
                inbound_messages::reason.eq(reason),
                inbound_messages::received_at.eq(now.naive_utc()),
            ))
            .returning(inbound_messages::id)
            .get_result::<i64>(conn)?;
        Ok(Stored::New(id))
    });
    match inserted {
        // Another instance stored the same message between our read and our insert.
        Err(AppError::Internal(e))
            if e.downcast_ref::<diesel::result::Error>()
                .is_some_and(crate::db::is_unique_violation) =>
        {
            existing(conn, &key)?
                .map(Stored::Again)
                .ok_or_else(|| AppError::internal("a stored message vanished"))
        }
        other => other,
    }
}

/// The stored messages still to process, oldest first, skipping those that failed `max_attempts`
/// times (they stay listed for staff with their error).
pub fn due(conn: &mut DbConn, max_attempts: i32, limit: i64) -> AppResult<Vec<i64>> {
    Ok(inbound_messages::table
        .filter(inbound_messages::state.eq(State::Received.as_str()))
        .filter(inbound_messages::attempts.lt(max_attempts))
        .order((inbound_messages::received_at, inbound_messages::id))
        .select(inbound_messages::id)
        .limit(limit)
        .load(conn)?)
}

/// A stored message as the desk's pages list it.
#[derive(Clone, Debug, Queryable)]
pub struct MessageSummary {
    pub id: i64,
    pub from_address: String,
    pub from_name: String,
    pub subject: String,
    pub state: String,
    pub reason: String,
    pub ticket_id: Option<i64>,
    pub size_bytes: i64,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub received_at: NaiveDateTime,
    pub processed_at: Option<NaiveDateTime>,
}

impl MessageSummary {
    pub fn state(&self) -> Option<State> {
        State::parse(&self.state)
    }

    pub fn ticket(&self) -> Option<TicketId> {
        self.ticket_id.map(TicketId)
    }
}

type SummaryColumns = (
    inbound_messages::id,
    inbound_messages::from_address,
    inbound_messages::from_name,
    inbound_messages::subject,
    inbound_messages::state,
    inbound_messages::reason,
    inbound_messages::ticket_id,
    inbound_messages::size_bytes,
    inbound_messages::attempts,
    inbound_messages::last_error,
    inbound_messages::received_at,
    inbound_messages::processed_at,
);

const SUMMARY: SummaryColumns = (
    inbound_messages::id,
    inbound_messages::from_address,
    inbound_messages::from_name,
    inbound_messages::subject,
    inbound_messages::state,
    inbound_messages::reason,
    inbound_messages::ticket_id,
    inbound_messages::size_bytes,
    inbound_messages::attempts,
    inbound_messages::last_error,
    inbound_messages::received_at,
    inbound_messages::processed_at,
);

/// The messages in one state, newest first, `limit` of them after the one with id `before`.
pub fn in_state(
    conn: &mut DbConn,
    state: State,
    before: Option<i64>,
    limit: i64,
) -> AppResult<Vec<MessageSummary>> {
    let mut query = inbound_messages::table
        .filter(inbound_messages::state.eq(state.as_str()))
        .select(SUMMARY)
        .order(inbound_messages::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(inbound_messages::id.lt(before));
    }
    Ok(query.load(conn)?)
}

/// How many messages wait for staff or for processing.
pub fn waiting_counts(conn: &mut DbConn) -> AppResult<(i64, i64)> {
    let count = |conn: &mut DbConn, state: State| -> AppResult<i64> {
        Ok(inbound_messages::table
            .filter(inbound_messages::state.eq(state.as_str()))
            .count()
            .get_result(conn)?)
    };
    Ok((
        count(conn, State::Unmatched)?,
        count(conn, State::Received)?,
    ))
}

pub fn summary(conn: &mut DbConn, id: i64) -> AppResult<MessageSummary> {
    inbound_messages::table
        .find(id)
        .select(SUMMARY)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The message exactly as it arrived, for download.
pub fn raw(conn: &mut DbConn, id: i64) -> AppResult<Vec<u8>> {
    inbound_messages::table
        .find(id)
        .select(inbound_messages::raw)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}
