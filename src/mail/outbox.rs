//! The outbox: mail is written here in the transaction of the change that causes it and
//! delivered later by `jobs::deliver_mail`, so a mail server outage loses nothing and a
//! rolled-back change sends nothing.
//!
//! A row is `pending` until due, then claimed (`sending`, with a lease in `locked_until`),
//! then `sent`, or `pending` again with a later `next_attempt_at`, or `failed` after the last
//! attempt. `attempts` counts claims; it also fences the result of an attempt, so a worker
//! whose lease expired cannot overwrite what another worker recorded since.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;
use rand::RngCore;
use rand::rngs::OsRng;

use super::messages::{NewMail, ThreadKey};
use super::redact::redact_link_tokens;
use crate::db::schema::outbox;
use crate::db::{DbConn, audit, write_tx};
use crate::domain::delivery::{AfterFailure, MAX_ATTEMPTS, after_failure};
use crate::domain::ids::{OutboxId, UserId};
use crate::domain::inputs::EmailAddress;
use crate::error::AppResult;

/// How long a claim lasts: far longer than a batch may take to send (each message is bounded by
/// `transport::SEND_LIMIT_SECONDS`), so only the claims of a worker that died ever expire.
pub const LEASE_SECONDS: i64 = 600;
pub const LEASE: Duration = Duration::seconds(LEASE_SECONDS);

/// A stored error is cut to this many characters; the cause is always in the first line.
const ERROR_CHARS: usize = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Pending,
    Sending,
    Sent,
    Failed,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Pending,
        Status::Sending,
        Status::Sent,
        Status::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Sending => "sending",
            Status::Sent => "sent",
            Status::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Pending => "queued",
            Status::Sending => "sending",
            Status::Sent => "sent",
            Status::Failed => "failed",
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = outbox)]
struct NewOutboxRow<'a> {
    kind: &'a str,
    to_address: &'a str,
    to_name: &'a str,
    reply_to: Option<&'a str>,
    subject: &'a str,
    text_body: &'a str,
    html_body: &'a str,
    message_id: &'a str,
    thread_key: Option<&'a str>,
    in_reply_to: Option<&'a str>,
    reference_ids: Option<&'a str>,
    status: &'a str,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
    created_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: String,
    pub to_address: String,
    pub to_name: String,
    pub reply_to: Option<String>,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub message_id: String,
    pub thread_key: Option<String>,
    pub in_reply_to: Option<String>,
    pub reference_ids: Option<String>,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

impl OutboxRow {
    pub fn id(&self) -> OutboxId {
        OutboxId(self.id)
    }
}

/// A message as the outbox page lists it (no bodies).
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxSummary {
    pub id: i64,
    pub kind: String,
    pub to_address: String,
    pub to_name: String,
    pub subject: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

impl OutboxSummary {
    pub fn status(&self) -> Option<Status> {
        Status::parse(&self.status)
    }
}

/// 128 random bits at the desk's host: unique without coordination between instances.
fn new_message_id(domain: &str) -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    format!("<{}@{domain}>", hex::encode(bytes))
}

/// Queues `mail`, due at once. Call it inside the transaction of the change that causes the
/// message: it opens none of its own, so the mail is queued exactly when the change commits.
/// The Message-ID is fixed here, so every attempt sends the same one.
pub fn enqueue(conn: &mut DbConn, mail: &NewMail, now: DateTime<Utc>) -> AppResult<OutboxId> {
    let at = now.naive_utc();
    let message_id = new_message_id(&mail.domain);
    let root = mail.thread.as_ref().map(|t| t.root_id(&mail.domain));
    let id = diesel::insert_into(outbox::table)
        .values(NewOutboxRow {
            kind: mail.kind,
            to_address: mail.to.address.as_str(),
            to_name: &mail.to.name,
            reply_to: mail.reply_to.as_ref().map(EmailAddress::as_str),
            subject: &mail.subject,
            text_body: &mail.text_body,
            html_body: &mail.html_body,
            message_id: &message_id,
            thread_key: mail.thread.as_ref().map(ThreadKey::as_str),
            in_reply_to: root.as_deref(),
            reference_ids: root.as_deref(),
            status: Status::Pending.as_str(),
            attempts: 0,
            next_attempt_at: at,
            created_at: at,
        })
        .returning(outbox::id)
        .get_result::<i64>(conn)?;
    tracing::debug!(outbox_id = id, kind = mail.kind, "mail queued");
    Ok(OutboxId(id))
}

/// Claims up to `limit` due messages for this worker until `now + LEASE`, oldest first.
/// Commits before returning: the caller sends outside any transaction, so a slow mail server
/// never holds a database lock (on SQLite, the one write lock).
pub fn claim_due(conn: &mut DbConn, now: DateTime<Utc>, limit: i64) -> AppResult<Vec<OutboxRow>> {
    let at = now.naive_utc();
    write_tx(conn, |conn| {
        let due = outbox::table
            .select(outbox::id)
            .filter(outbox::status.eq(Status::Pending.as_str()))
            .filter(outbox::next_attempt_at.le(at))
            .order((outbox::next_attempt_at.asc(), outbox::id.asc()))
            .limit(limit);
        let ids: Vec<i64> = match conn {
            // Rows another instance is claiming are skipped, not waited for: concurrent
            // workers split the queue instead of queueing behind each other.
            DbConn::Postgres(pg) => due.for_update().skip_locked().load(pg)?,
            // write_tx began with BEGIN IMMEDIATE: this is already the only writer.
            DbConn::Sqlite(lite) => due.load(lite)?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut rows = diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
            .set((
                outbox::status.eq(Status::Sending.as_str()),
                outbox::attempts.eq(outbox::attempts + 1),
                outbox::locked_until.eq(Some(at + LEASE)),
            ))
            .returning(outbox::all_columns)
            .get_results::<OutboxRow>(conn)?;
        rows.sort_by_key(|r| (r.next_attempt_at, r.id));
        Ok(rows)
    })
}

/// Makes the claims of a worker that stopped mid-batch (a crash, a restart) claimable again,
/// or failed when that was the last attempt. Returns how many it released.
pub fn reap_expired_leases(conn: &mut DbConn, now: DateTime<Utc>) -> AppResult<usize> {
    let at = now.naive_utc();
    let interrupted = "Delivery was interrupted before its result was recorded \
                       (the desk stopped while sending); the message may already have arrived.";
    write_tx(conn, |conn| {
        let expired = || {
            outbox::table
                .filter(outbox::status.eq(Status::Sending.as_str()))
                .filter(outbox::locked_until.lt(at))
        };
        let dead = diesel::update(expired().filter(outbox::attempts.ge(MAX_ATTEMPTS)))
            .set((
                outbox::status.eq(Status::Failed.as_str()),
                outbox::locked_until.eq(None::<NaiveDateTime>),
                outbox::last_error.eq(interrupted),
            ))
            .execute(conn)?;
        let again = diesel::update(expired())
            .set((
                outbox::status.eq(Status::Pending.as_str()),
                outbox::next_attempt_at.eq(at),
                outbox::locked_until.eq(None::<NaiveDateTime>),
                outbox::last_error.eq(interrupted),
            ))
            .execute(conn)?;
        Ok(dead + again)
    })
}

/// The claim `attempt` of message `id`, if it still holds.
#[diesel::dsl::auto_type]
fn claimed(id: i64, attempt: i32) -> _ {
    let sending: &'static str = Status::Sending.as_str();
    outbox::table
        .filter(outbox::id.eq(id))
        .filter(outbox::status.eq(sending))
        .filter(outbox::attempts.eq(attempt))
}

/// Records a delivery. False when the claim had expired and was taken over meanwhile. The
/// stored bodies lose their client-link tokens: the client has the message now, and the
/// outbox keeps the record, not the keys.
pub fn mark_sent(
    conn: &mut DbConn,
    id: OutboxId,
    attempt: i32,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    write_tx(conn, |conn| {
        let bodies: Option<(String, String)> = claimed(id.0, attempt)
            .select((outbox::text_body, outbox::html_body))
            .first(conn)
            .optional()?;
        let Some((text, html)) = bodies else {
            return Ok(false);
        };
        let updated = diesel::update(claimed(id.0, attempt))
            .set((
                outbox::status.eq(Status::Sent.as_str()),
                outbox::sent_at.eq(Some(now.naive_utc())),
                outbox::locked_until.eq(None::<NaiveDateTime>),
                outbox::text_body.eq(redact_link_tokens(&text)),
                outbox::html_body.eq(redact_link_tokens(&html)),
            ))
            .execute(conn)?;
        Ok(updated == 1)
    })
}

/// Records a failed attempt: the message waits its backoff, or is failed for good after the
/// last attempt or a permanent refusal. None when the claim had expired and was taken over.
pub fn mark_attempt_failed(
    conn: &mut DbConn,
    id: OutboxId,
    attempt: i32,
    error: &str,
    permanent: bool,
    now: DateTime<Utc>,
) -> AppResult<Option<AfterFailure>> {
    let error: String = error.chars().take(ERROR_CHARS).collect();
    let next = after_failure(attempt, permanent, now);
    let updated = match next {
        AfterFailure::RetryAt(when) => diesel::update(claimed(id.0, attempt))
            .set((
                outbox::status.eq(Status::Pending.as_str()),
                outbox::next_attempt_at.eq(when.naive_utc()),
                outbox::locked_until.eq(None::<NaiveDateTime>),
                outbox::last_error.eq(&error),
            ))
            .execute(conn)?,
        AfterFailure::GiveUp => diesel::update(claimed(id.0, attempt))
            .set((
                outbox::status.eq(Status::Failed.as_str()),
                outbox::locked_until.eq(None::<NaiveDateTime>),
                outbox::last_error.eq(&error),
            ))
            .execute(conn)?,
    };
    Ok((updated == 1).then_some(next))
}

/// An admin sends a failed message again: it gets a fresh set of attempts, due now.
/// False when it is not failed (any more): someone else retried it first.
#[tracing::instrument(skip_all, fields(outbox_id = %id))]
pub fn retry(
    conn: &mut DbConn,
    actor: UserId,
    id: OutboxId,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let at = now.naive_utc();
    write_tx(conn, |conn| {
        let row = outbox::table
            .find(id.0)
            .select(OutboxSummary::as_select())
            .first(conn)?;
        let updated = diesel::update(
            outbox::table
                .filter(outbox::id.eq(id.0))
                .filter(outbox::status.eq(Status::Failed.as_str())),
        )
        .set((
            outbox::status.eq(Status::Pending.as_str()),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(at),
            outbox::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
        if updated == 0 {
            return Ok(false);
        }
        audit::record(
            conn,
            Some(actor),
            audit::Entity::Mail,
            id.0,
            "retry",
            &format!("{} to {}", row.subject, row.to_address),
            at,
        )?;
        Ok(true)
    })
}

/// How many messages are in each status (statuses with none are left out).
pub fn counts(conn: &mut DbConn) -> AppResult<Vec<(String, i64)>> {
    Ok(outbox::table
        .group_by(outbox::status)
        .select((outbox::status, count_star()))
        .load(conn)?)
}

/// The newest messages, any status.
pub fn recent(conn: &mut DbConn, limit: i64) -> AppResult<Vec<OutboxSummary>> {
    Ok(outbox::table
        .order(outbox::id.desc())
        .limit(limit)
        .select(OutboxSummary::as_select())
        .load(conn)?)
}

/// Failed messages, newest first: the ones an admin may retry.
pub fn failed(conn: &mut DbConn, limit: i64) -> AppResult<Vec<OutboxSummary>> {
    Ok(outbox::table
        .filter(outbox::status.eq(Status::Failed.as_str()))
        .order(outbox::id.desc())
        .limit(limit)
        .select(OutboxSummary::as_select())
        .load(conn)?)
}
