//! Triage: impact, urgency (and so priority), category and affected service; a new priority
//! moves both due times, and a severity rule may escalate the ticket at once.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::categories::names as category_names;
use crate::db::outcome::{Outcome, or_refuse, refuse};
use crate::db::schema::{categories, tickets};
use crate::db::service_levels as levels;
use crate::db::sla_clock::due_times_after_pauses;
use crate::db::tickets::row::{TicketEdit, TicketRow, transition, update_ticket};
use crate::db::timeline::NewEvent;
use crate::domain::ids::CategoryId;
use crate::domain::priority::{Impact, Urgency};
use crate::domain::ticket::{self, Action};
use crate::domain::timeline::EventKind;
use crate::mail::messages::MailContext;

#[derive(Clone, Debug)]
pub struct TriageInput {
    pub impact: Impact,
    pub urgency: Urgency,
    pub category: Option<CategoryId>,
    pub subcategory: Option<CategoryId>,
    pub affected_service: String,
}

/// Sets impact, urgency (and so priority), category and affected service. A new priority
/// recomputes both targets from the creation time, with the pauses so far.
#[tracing::instrument(skip_all, fields(ticket_id = %edit.ticket))]
pub fn triage(
    conn: &mut DbConn,
    edit: TicketEdit,
    input: &TriageInput,
    mail: &MailContext,
) -> Outcome<TicketRow> {
    edit.apply(conn, |conn, before| {
        let status = or_refuse!(transition(&before, Action::Triage));
        if let Err(message) = ticket::check_triage_category(input.category) {
            return refuse("category_id", message);
        }
        if let Some(sub) = input.subcategory {
            let parent: Option<Option<i64>> = categories::table
                .find(sub.0)
                .select(categories::parent_id)
                .first(conn)
                .optional()?;
            if parent.flatten() != input.category.map(|c| c.0) {
                return refuse(
                    "subcategory_id",
                    "Choose a subcategory of the chosen category.",
                );
            }
        }
        let priority = levels::load_matrix(conn)?.priority(input.impact, input.urgency);
        let old_priority = before.priority;
        let (response_due, resolution_due) = if priority != old_priority {
            due_times_after_pauses(conn, &before, priority)?
        } else {
            (before.response_due_at, before.resolution_due_at)
        };
        let at = edit.at();
        let after = update_ticket!(
            conn,
            before,
            at,
            (
                tickets::status.eq(status.as_str()),
                tickets::impact.eq(input.impact.as_str()),
                tickets::urgency.eq(input.urgency.as_str()),
                tickets::priority.eq(priority.as_str()),
                tickets::category_id.eq(input.category.map(|c| c.0)),
                tickets::subcategory_id.eq(input.subcategory.map(|c| c.0)),
                tickets::affected_service.eq(&input.affected_service),
                tickets::triaged_at.eq(at),
                tickets::response_due_at.eq(response_due),
                tickets::resolution_due_at.eq(resolution_due),
            )
        );
        let names = category_names(
            conn,
            &[
                before.category_id,
                before.subcategory_id,
                after.category_id,
                after.subcategory_id,
            ],
        )?;
        let category = |main: Option<i64>, sub: Option<i64>| match (names.of(main), names.of(sub)) {
            (Some(m), Some(s)) => format!("{m} › {s}"),
            (Some(m), None) => m.to_string(),
            _ => "none".to_string(),
        };
        let mut parts = vec![format!(
            "priority {} → {} ({} impact, {} urgency)",
            old_priority.as_str(),
            priority.as_str(),
            input.impact.as_str(),
            input.urgency.as_str()
        )];
        let (old_cat, new_cat) = (
            category(before.category_id, before.subcategory_id),
            category(after.category_id, after.subcategory_id),
        );
        if old_cat != new_cat {
            parts.push(format!("category {old_cat} → {new_cat}"));
        }
        if before.affected_service != after.affected_service {
            parts.push(format!("affected service: {}", after.affected_service));
        }
        if before.status != after.status {
            parts.push(format!(
                "status {} → {}",
                before.status.label(),
                status.label()
            ));
        }
        edit.log(
            conn,
            &NewEvent::internal(EventKind::Triage, &parts.join("; ")),
        )?;
        Ok(Ok(crate::db::escalation::severity::apply_severity(
            conn, edit.actor, after, mail, edit.now,
        )?))
    })
}
