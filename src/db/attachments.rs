//! Files kept on a ticket: attaching one (with its timeline entry), listing and reading them.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::{ticket_attachments, users};
use crate::db::tickets::row::get;
use crate::db::timeline::{NewEvent, add_event};
use crate::db::{DbConn, write_tx};
use crate::domain::ids::{AttachmentId, TicketId, UserId};
use crate::domain::timeline::EventKind;
use crate::error::{AppError, AppResult};

/// The largest attachment the desk keeps: enough for screenshots and event logs, small
/// enough to live in a database row.
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;

#[derive(Clone, Debug, Queryable)]
pub struct AttachmentInfo {
    #[diesel(deserialize_as = i64)]
    pub id: AttachmentId,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub created_at: NaiveDateTime,
    pub uploaded_by: Option<String>,
}

/// Keeps a file on the ticket, with a timeline entry saying who attached what.
#[tracing::instrument(skip_all, fields(ticket_id = %id))]
pub fn attach(
    conn: &mut DbConn,
    actor: UserId,
    id: TicketId,
    filename: &str,
    content_type: &str,
    data: &[u8],
    now: DateTime<Utc>,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        get(conn, id)?;
        keep(
            conn,
            id,
            Some(actor),
            filename,
            content_type,
            data,
            now.naive_utc(),
        )
    })
}

/// Keeps a file on the ticket inside the caller's transaction; `by` is `None` when it came
/// with the client's e-mail.
pub(crate) fn keep(
    conn: &mut DbConn,
    id: TicketId,
    by: Option<UserId>,
    filename: &str,
    content_type: &str,
    data: &[u8],
    at: NaiveDateTime,
) -> AppResult<()> {
    diesel::insert_into(ticket_attachments::table)
        .values((
            ticket_attachments::ticket_id.eq(id.0),
            ticket_attachments::filename.eq(filename),
            ticket_attachments::content_type.eq(content_type),
            ticket_attachments::size_bytes.eq(i64::try_from(data.len()).unwrap_or(i64::MAX)),
            ticket_attachments::data.eq(data),
            ticket_attachments::uploaded_by.eq(by.map(|b| b.0)),
            ticket_attachments::created_at.eq(at),
        ))
        .execute(conn)?;
    add_event(
        conn,
        id,
        by,
        &NewEvent::internal(
            EventKind::Attachment,
            &format!("attached {filename} ({})", human_size(data.len())),
        ),
        at,
    )
}

pub fn human_size(bytes: usize) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1024 * 1024 => format!("{:.0} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

pub fn attachments_of(conn: &mut DbConn, id: TicketId) -> AppResult<Vec<AttachmentInfo>> {
    Ok(ticket_attachments::table
        .left_join(users::table.on(ticket_attachments::uploaded_by.eq(users::id.nullable())))
        .filter(ticket_attachments::ticket_id.eq(id.0))
        .order(ticket_attachments::created_at.asc())
        .select((
            ticket_attachments::id,
            ticket_attachments::filename,
            ticket_attachments::content_type,
            ticket_attachments::size_bytes,
            ticket_attachments::created_at,
            users::display_name.nullable(),
        ))
        .load(conn)?)
}

/// One attachment's name and bytes, only through its own ticket.
pub fn attachment(
    conn: &mut DbConn,
    id: TicketId,
    attachment: AttachmentId,
) -> AppResult<(String, Vec<u8>)> {
    ticket_attachments::table
        .filter(ticket_attachments::id.eq(attachment.0))
        .filter(ticket_attachments::ticket_id.eq(id.0))
        .select((ticket_attachments::filename, ticket_attachments::data))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}
