//! Mail that a person asks for directly rather than as the side effect of a change: today the
//! admin's test e-mail from the outbox page. Composed, queued and audited in one transaction;
//! the caller (the page) decides the wording, such as the time in the admin's zone.

use chrono::{DateTime, Utc};

use super::messages::{MailContext, Recipient, SmtpCheck, compose};
use super::outbox::enqueue;
use crate::db::{DbConn, audit, write_tx};
use crate::domain::ids::{OutboxId, UserId};
use crate::domain::inputs::EmailAddress;
use crate::error::AppResult;

/// Queues the SMTP check `message` to `to`, asked for by the admin `actor`.
#[tracing::instrument(skip_all)]
pub fn queue_smtp_check(
    conn: &mut DbConn,
    ctx: &MailContext,
    message: &SmtpCheck,
    actor: UserId,
    to: &EmailAddress,
    now: DateTime<Utc>,
) -> AppResult<OutboxId> {
    let mail = compose(ctx, message, Recipient::new(to.clone(), ""))?;
    write_tx(conn, |conn| {
        let id = enqueue(conn, &mail, now)?;
        audit::record(
            conn,
            Some(actor),
            audit::Entity::Mail,
            id.0,
            "test e-mail queued",
            &format!("to {to}"),
            now.naive_utc(),
        )?;
        Ok(id)
    })
}
