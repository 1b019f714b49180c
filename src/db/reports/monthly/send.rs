//! A manager e-mails a client its monthly service report: one mail per chosen contact, queued in
//! the same transaction as the record of the sending and its audit event.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::assemble;
use crate::db::clients::contacts_of;
use crate::db::outcome::{Outcome, refuse};
use crate::db::schema::service_report_sends;
use crate::db::{DbConn, audit, write_tx};
use crate::domain::ids::{ClientId, UserId};
use crate::domain::inputs::EmailAddress;
use crate::domain::uptime::Month;
use crate::mail::messages::{MailContext, Recipient, ThreadKey, compose};
use crate::mail::outbox;
use crate::mail::service_report_messages::ServiceReportMail;

/// What the form asks for: the contacts (of this client) to send to, and a note above the report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SendInput {
    pub contacts: Vec<i64>,
    pub note: String,
}

/// Queues the report of `month` to each chosen contact and records the sending; answers the
/// number of mails queued.
#[tracing::instrument(skip_all, fields(client_id = %client, month = %month.key()))]
pub fn send(
    conn: &mut DbConn,
    actor: (UserId, &str),
    client: ClientId,
    month: Month,
    input: &SendInput,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> Outcome<usize> {
    write_tx(conn, |conn| {
        let chosen: Vec<_> = contacts_of(conn, client)?
            .into_iter()
            .filter(|c| c.active && input.contacts.contains(&c.id))
            .filter_map(|c| EmailAddress::parse(&c.email).ok().map(|a| (a, c.name)))
            .collect();
        if chosen.is_empty() {
            return refuse(
                "contacts",
                "Choose at least one contact to send the report to.",
            );
        }
        let report = assemble(conn, client, month, now)?;
        let at = now.naive_utc();
        for (address, name) in &chosen {
            let message = ServiceReportMail {
                contact_name: name.clone(),
                note: input.note.trim().to_string(),
                sender: actor.1.to_string(),
                report: report.clone(),
            };
            let outgoing = compose(
                mail,
                &message,
                Recipient::new(address.clone(), name.clone()),
            )?
            .in_thread(ThreadKey::new("service-report", client.0));
            outbox::enqueue(conn, &outgoing, now)?;
        }
        let recipients: Vec<String> = chosen
            .iter()
            .map(|(address, name)| format!("{name} <{}>", address.as_str()))
            .collect();
        diesel::insert_into(service_report_sends::table)
            .values((
                service_report_sends::client_id.eq(client.0),
                service_report_sends::month.eq(month.key()),
                service_report_sends::sent_by.eq(actor.0.0),
                service_report_sends::sent_at.eq(at),
                service_report_sends::recipients.eq(recipients.join("\n")),
                service_report_sends::note.eq(input.note.trim()),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            Some(actor.0),
            audit::Entity::Client,
            client.0,
            "monthly service report sent",
            &format!("{} to {}", month.label(), recipients.join(", ")),
            at,
        )?;
        Ok(Ok(chosen.len()))
    })
}
