//! Who hears of a change, and the one loop that composes and queues their mail inside the
//! caller's transaction: the ticket's contact, the active managers, the staff of a support line.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::users;
use crate::db::tickets::row::TicketRow;
use crate::db::users::UserRow;
use crate::domain::account::{Role, Tier};
use crate::domain::ids::{ContactId, UserId};
use crate::domain::inputs::EmailAddress;
use crate::error::{AppError, AppResult};
use crate::mail::messages::{MailContext, Recipient, StaffNotice, ThreadKey, compose};
use crate::mail::outbox;

/// Queues a message to the ticket's contact, in the ticket's mail thread, inside the caller's
/// transaction: the mail leaves only if the change it reports is saved.
pub(crate) fn mail_contact<M: crate::mail::messages::Email>(
    conn: &mut DbConn,
    ticket: &TicketRow,
    mail: &MailContext,
    message: &M,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let contact = crate::db::clients::get_contact(conn, ContactId(ticket.contact_id))?;
    let address = crate::domain::inputs::EmailAddress::parse(&contact.email)
        .map_err(|e| AppError::internal(format!("contact {} e-mail: {e}", contact.id)))?;
    let outgoing = compose(mail, message, Recipient::new(address, contact.name))?
        .in_thread(ThreadKey::new("ticket", ticket.id));
    outbox::enqueue(conn, &outgoing, now)?;
    Ok(())
}

pub(crate) fn contact_name(conn: &mut DbConn, ticket: &TicketRow) -> AppResult<String> {
    Ok(crate::db::clients::get_contact(conn, ContactId(ticket.contact_id))?.name)
}

/// The roles that can approve requests, and so are told about them (an admin's role includes
/// the manager's).
const DECIDERS: [&str; 2] = [Role::Manager.as_str(), Role::Admin.as_str()];

/// Active managers, and the active staff of a support line, to notify.
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

pub(crate) fn notify(
    conn: &mut DbConn,
    mail: &MailContext,
    to: &[UserRow],
    skip: Option<UserId>,
    notice: &StaffNotice,
    now: DateTime<Utc>,
) -> AppResult<()> {
    for user in to.iter().filter(|u| Some(u.id()) != skip) {
        let Ok(address) = EmailAddress::parse(&user.email) else {
            tracing::warn!(
                user_id = user.id,
                "staff address unreadable; notice not queued"
            );
            continue;
        };
        let queued = compose(
            mail,
            notice,
            Recipient::new(address, user.display_name.clone()),
        )?
        .in_thread(ThreadKey::new("ticket", notice.ticket_id));
        outbox::enqueue(conn, &queued, now)?;
    }
    Ok(())
}

pub(crate) fn notice(
    mail: &MailContext,
    row: &TicketRow,
    headline: String,
    details: Vec<String>,
) -> StaffNotice {
    StaffNotice {
        headline,
        ticket_id: row.id,
        subject: row.subject.clone(),
        details,
        ticket_url: format!("{}/tickets/{}", mail.base_url.trim_end_matches('/'), row.id),
    }
}
