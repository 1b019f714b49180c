//! Working a ticket: a note, a reply to the client or a logged call, with the reviewed status
//! and category; the first reply or call is the response the SLA counts.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::categories;
use crate::db::notify::{contact_name, mail_contact};
use crate::db::outcome::{Outcome, or_refuse, refuse};
use crate::db::schema::{tickets, work_reviews};
use crate::db::sla_clock::apply_pauses;
use crate::db::tickets::row::{TicketEdit, TicketRow, transition, update_ticket};
use crate::db::timeline::NewEvent;
use crate::domain::ids::CategoryId;
use crate::domain::ticket::Action;
use crate::domain::timeline::EventKind;
use crate::domain::work::{self, Review, WorkEntry};
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
    /// The technician's review of the status and category, given on every save.
    pub review: Review,
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
            Some(action) => {
                or_refuse!(crate::db::changes::check_move(
                    conn, &before, action, "next"
                ));
                or_refuse!(transition(&before, action))
            }
            None => from,
        };
        if let Err(message) = work::check_takes_work(from) {
            return refuse("body", message);
        }
        let (category, subcategory) = work::recategorise(
            before.category_id,
            before.subcategory_id,
            input.category.map(|c| c.0),
        );
        if let Err(message) =
            work::check_review(input.review, from != to, category != before.category_id)
        {
            return refuse("review", message);
        }
        let resolution_due = apply_pauses(conn, &before, from, to, edit.now)?;
        let at = edit.at();
        let responded_at = work::responded_at(before.responded_at, input.entry, at);
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
        let after = if before.responded_at.is_none() && responded_at.is_some() {
            super::minutes::store(conn, after)?
        } else {
            after
        };
        diesel::insert_into(work_reviews::table)
            .values((
                work_reviews::ticket_id.eq(edit.ticket.0),
                work_reviews::reviewed_by.eq(edit.actor.0),
                work_reviews::reviewed_at.eq(at),
                work_reviews::status_before.eq(from.as_str()),
                work_reviews::status_after.eq(to.as_str()),
                work_reviews::category_before.eq(before.category_id),
                work_reviews::category_after.eq(category),
            ))
            .execute(conn)?;
        let names = categories::names(conn, &[before.category_id, category])?;
        let name = |id| names.of(id).unwrap_or("none");
        let mut review = vec![work::review_summary(
            (before.status_label(), after.status_label()),
            (name(before.category_id), name(category)),
        )];
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
