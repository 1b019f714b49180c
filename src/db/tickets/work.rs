//! Working a ticket: a note, a reply to the client or a logged call, with the reviewed status
//! and category; the first reply or call is the response the SLA counts.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::categories;
use crate::db::notify::{contact_name, mail_contact};
use crate::db::outcome::{Outcome, or_refuse, refuse};
use crate::db::schema::tickets;
use crate::db::sla_clock::apply_pauses;
use crate::db::tickets::row::{TicketEdit, TicketRow, transition, update_ticket};
use crate::db::timeline::NewEvent;
use crate::domain::ids::CategoryId;
use crate::domain::ticket::Action;
use crate::domain::timeline::EventKind;
use crate::domain::work::{self, WorkEntry};
use crate::mail::messages::{MailContext, TicketReply};

/// The timeline entry a piece of work makes.
fn event_kind(entry: WorkEntry) -> EventKind {
    match entry {
        WorkEntry::Note => EventKind::Note,
        WorkEntry::Reply => EventKind::Reply,
        WorkEntry::Call => EventKind::Call,
    }
}

#[derive(Clone, Debug)]
pub struct WorkInput {
    pub entry: WorkEntry,
    pub body: String,
    /// The status after this piece of work (reviewed on every save; the business rule).
    pub action: Option<Action>,
    pub category: Option<CategoryId>,
}

/// Adds a note, a client reply or a logged call, and applies the reviewed status and category.
/// The first reply or call by staff is the response the SLA counts.
#[tracing::instrument(skip_all, fields(ticket_id = %edit.ticket))]
pub fn work(
    conn: &mut DbConn,
    edit: TicketEdit,
    input: &WorkInput,
    mail: &MailContext,
) -> Outcome<TicketRow> {
    edit.apply(conn, |conn, before| {
        let from = before.status;
        if let Err(message) = work::check_work_action(input.action) {
            return refuse("next", message);
        }
        let to = match input.action {
            Some(action) => or_refuse!(transition(&before, action)),
            None => from,
        };
        if let Err(message) = work::check_takes_work(from) {
            return refuse("body", message);
        }
        let resolution_due = apply_pauses(conn, &before, from, to, edit.now)?;
        let at = edit.at();
        let responded_at = work::responded_at(before.responded_at, input.entry, at);
        let (category, subcategory) = work::recategorise(
            before.category_id,
            before.subcategory_id,
            input.category.map(|c| c.0),
        );
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
        edit.log(
            conn,
            &NewEvent {
                kind: event_kind(input.entry),
                client_visible: input.entry.is_response(),
                body: &input.body,
                detail: &review.join("; "),
            },
        )?;
        if input.entry == WorkEntry::Reply {
            let reply = TicketReply {
                reference: format!("#{}", after.id),
                subject: after.subject.clone(),
                contact_name: contact_name(conn, &after)?,
                technician: crate::db::users::get(conn, edit.actor)?.display_name,
                body: input.body.clone(),
            };
            mail_contact(conn, &after, mail, &reply, edit.now)?;
        }
        Ok(Ok(after))
    })
}
