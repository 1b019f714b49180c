//! Who hears of a change, and the one loop that composes and queues their mail inside the
//! caller's transaction: the ticket's contact, the active managers, the staff of a support line.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::clients::{ContactRow, get_contact};
use crate::db::schema::users;
use crate::db::tickets::row::TicketRow;
use crate::db::users::UserRow;
use crate::domain::account::{Role, Tier};
use crate::domain::ids::{ContactId, UserId};
use crate::domain::inputs::EmailAddress;
use crate::error::{AppError, AppResult};
use crate::mail::messages::{Email, MailContext, Recipient, StaffNotice, ThreadKey, compose};
use crate::mail::outbox;

/// Someone a ticket's mail goes to, with their address as stored.
pub(crate) struct Addressee {
    /// "user" or "contact", with `id`: names them in the warning when the address is unreadable.
    kind: &'static str,
    id: i64,
    email: String,
    name: String,
}

impl From<&UserRow> for Addressee {
    fn from(user: &UserRow) -> Self {
        Addressee {
            kind: "user",
            id: user.id,
            email: user.email.clone(),
            name: user.display_name.clone(),
        }
    }
}

impl From<ContactRow> for Addressee {
    fn from(contact: ContactRow) -> Self {
        Addressee {
            kind: "contact",
            id: contact.id,
            email: contact.email,
            name: contact.name,
        }
    }
}

/// Composes `message` for each addressee and queues it in the ticket's mail thread, inside the
/// caller's transaction: the mail leaves only if the change it reports is saved. An address
/// that no longer parses is logged and skipped, so one bad row neither blocks the change nor
/// the other recipients.
pub(crate) fn send<M: Email>(
    conn: &mut DbConn,
    mail: &MailContext,
    message: &M,
    ticket: i64,
    to: impl IntoIterator<Item = Addressee>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    for person in to {
        let Ok(address) = EmailAddress::parse(&person.email) else {
            tracing::warn!(
                recipient = person.kind,
                recipient_id = person.id,
                mail = M::KIND,
                "address unreadable; mail not queued"
            );
            continue;
        };
        let outgoing = compose(mail, message, Recipient::new(address, person.name))?
            .in_thread(ThreadKey::new("ticket", ticket));
        outbox::enqueue(conn, &outgoing, now)?;
    }
    Ok(())
}

/// Queues a message to the ticket's contact. Unlike a notice to staff, this mail is what the
/// client is told (an acknowledgement, a reply, a reopen link, a survey): an address that no
/// longer parses fails the change instead of saving it with the client never told.
pub(crate) fn mail_contact<M: Email>(
    conn: &mut DbConn,
    ticket: &TicketRow,
    mail: &MailContext,
    message: &M,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let contact = get_contact(conn, ContactId(ticket.contact_id))?;
    EmailAddress::parse(&contact.email)
        .map_err(|e| AppError::internal(format!("contact {} e-mail: {e}", contact.id)))?;
    send(
        conn,
        mail,
        message,
        ticket.id.0,
        [Addressee::from(contact)],
        now,
    )
}

pub(crate) fn contact_name(conn: &mut DbConn, ticket: &TicketRow) -> AppResult<String> {
    Ok(get_contact(conn, ContactId(ticket.contact_id))?.name)
}

/// The roles that can approve requests, and so are told about them (an admin's role includes
/// the manager's).
const DECIDERS: [&str; 2] = [Role::Manager.as_str(), Role::Admin.as_str()];

/// The active staff of a support line and, with `managers`, the active managers: one query.
pub(crate) fn staff_to_notify(
    conn: &mut DbConn,
    tier: Option<Tier>,
    managers: bool,
) -> AppResult<Vec<UserRow>> {
    let mut query = users::table.filter(users::active.eq(true)).into_boxed();
    query = match (tier, managers) {
        (Some(tier), true) => query.filter(
            users::tier
                .eq(tier.as_str())
                .or(users::role.eq_any(DECIDERS)),
        ),
        (Some(tier), false) => query.filter(users::tier.eq(tier.as_str())),
        (None, true) => query.filter(users::role.eq_any(DECIDERS)),
        (None, false) => return Ok(Vec::new()),
    };
    Ok(query.select(UserRow::as_select()).load(conn)?)
}

/// The active managers (and admins), who decide requests and hear of flagged surveys.
pub(crate) fn managers(conn: &mut DbConn) -> AppResult<Vec<UserRow>> {
    staff_to_notify(conn, None, true)
}

/// Queues a staff notice to each of `to`, except `skip` (whoever caused it).
pub(crate) fn notify(
    conn: &mut DbConn,
    mail: &MailContext,
    to: &[UserRow],
    skip: Option<UserId>,
    notice: &StaffNotice,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let to = to.iter().filter(|u| Some(u.id()) != skip);
    send(
        conn,
        mail,
        notice,
        notice.ticket_id,
        to.map(Addressee::from),
        now,
    )
}

/// A staff notice about a ticket, linking to its page.
pub(crate) fn notice(
    mail: &MailContext,
    row: &TicketRow,
    headline: String,
    details: Vec<String>,
) -> StaffNotice {
    StaffNotice {
        headline,
        ticket_id: row.id.0,
        subject: row.subject.clone(),
        details,
        ticket_url: format!("{}/tickets/{}", mail.base_url.trim_end_matches('/'), row.id),
    }
}
