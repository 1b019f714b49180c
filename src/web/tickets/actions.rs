//! The work on a ticket, one handler per form: triage, pull, assign, work, solve, cancel and
//! reopen. Each says how its form parses, which command it runs and what the flash says; the
//! runner does the rest.

use actix_web::{HttpResponse, web};
use chrono::Duration;

use super::forms::{AssignForm, CancelForm, ReopenForm, SolveForm, TriageForm, WorkForm};
use super::runner::{TicketForm, TicketPost};
use crate::db::tickets::{self, AssignInput, SolveInput, TriageInput, WorkInput};
use crate::domain::account::Tier;
use crate::domain::ids::{CategoryId, TicketId, UserId};
use crate::domain::inputs::{FieldErrors, Line, format_minutes, parse_note, parse_required_note};
use crate::domain::priority::{Impact, Urgency};
use crate::domain::ticket::{self, Action};
use crate::domain::work::{Review, WorkEntry};
use crate::error::AppResult;
use crate::web::extract::CurrentUser;
use crate::web::forms::{checkbox, parse_optional_id};
use crate::web::page::redirect;

pub async fn triage(post: TicketPost<TriageForm>) -> AppResult<HttpResponse> {
    post.run(|conn, c| tickets::triage(conn, c.edit, &c.input, &c.mail))
        .await
}

impl TicketForm for TriageForm {
    type Input = TriageInput;

    fn parse(&self, errors: &mut FieldErrors) -> Option<TriageInput> {
        let impact = errors.take("impact", Impact::parse(&self.impact));
        let urgency = errors.take("urgency", Urgency::parse(&self.urgency));
        let category = errors.take(
            "category_id",
            parse_optional_id(&self.category_id, "a category"),
        );
        let subcategory = errors.take(
            "subcategory_id",
            parse_optional_id(&self.subcategory_id, "a subcategory"),
        );
        let service = errors.take("affected_service", parse_note(&self.affected_service, 200));
        Some(TriageInput {
            impact: impact?,
            urgency: urgency?,
            category: category?.map(CategoryId),
            subcategory: subcategory?.map(CategoryId),
            affected_service: service?,
        })
    }

    fn done(&self, _: &TriageInput) -> String {
        "Triage saved.".into()
    }
}

/// The pull from a queue: an untriaged ticket opens at its triage form (the blueprints: who
/// pulls a ticket triages it first).
pub async fn pull(path: web::Path<i64>, _user: CurrentUser) -> HttpResponse {
    redirect(&format!("/tickets/{}#triage", path.into_inner()))
}

pub async fn assign(post: TicketPost<AssignForm>) -> AppResult<HttpResponse> {
    post.run(|conn, c| tickets::assign(conn, c.edit, &c.input))
        .await
}

impl TicketForm for AssignForm {
    type Input = AssignInput;

    fn parse(&self, errors: &mut FieldErrors) -> Option<AssignInput> {
        let tier = errors.take("tier", Tier::parse(&self.tier));
        let owner = errors.take("owner_id", parse_optional_id(&self.owner_id, "an owner"));
        let worker = errors.take(
            "worker_id",
            parse_optional_id(&self.worker_id, "a technician"),
        );
        Some(AssignInput {
            tier: tier?,
            owner: owner?.map(UserId),
            worker: worker?.map(UserId),
        })
    }

    fn done(&self, _: &AssignInput) -> String {
        "Assignment saved.".into()
    }
}

pub async fn work(post: TicketPost<WorkForm>) -> AppResult<HttpResponse> {
    post.run(|conn, c| tickets::work(conn, c.edit, &c.input, &c.mail))
        .await
}

impl TicketForm for WorkForm {
    type Input = WorkInput;

    fn parse(&self, errors: &mut FieldErrors) -> Option<WorkInput> {
        let entry = errors.take("entry", WorkEntry::parse(&self.entry));
        let body = errors.take(
            "body",
            parse_required_note(
                &self.body,
                20_000,
                "Write what was done, asked or answered.",
            ),
        );
        let action = if self.next.trim().is_empty() || self.next == "keep" {
            Some(None)
        } else {
            errors.take("next", Action::parse(&self.next).map(Some))
        };
        let category = errors.take(
            "category_id",
            parse_optional_id(&self.category_id, "a category"),
        );
        let review = errors.take("review", Review::parse(&self.review).map_err(String::from));
        Some(WorkInput {
            entry: entry?,
            body: body?,
            action: action?,
            category: category?.map(CategoryId),
            review: review?,
        })
    }

    fn done(&self, input: &WorkInput) -> String {
        match input.entry {
            WorkEntry::Note => "Note added.",
            WorkEntry::Reply => "Reply recorded and queued for the client.",
            WorkEntry::Call => "Call logged.",
        }
        .into()
    }
}

pub async fn solve(post: TicketPost<SolveForm>) -> AppResult<HttpResponse> {
    post.run(|conn, c| tickets::solve(conn, c.edit, &c.input, &c.mail))
        .await
}

impl TicketForm for SolveForm {
    type Input = SolveInput;

    fn parse(&self, errors: &mut FieldErrors) -> Option<SolveInput> {
        let solution = errors.take("solution", ticket::check_solution(&self.solution));
        let publish = checkbox(&self.publish_to_kb);
        let kb_title = if publish {
            errors
                .take(
                    "kb_title",
                    Line::parse(&self.kb_title, "a title for the article", 200),
                )
                .map(Line::into_string)
        } else {
            Some(String::new())
        };
        Some(SolveInput {
            solution: solution?,
            publish_to_kb: publish,
            kb_title: kb_title?,
            fix: self.fix.clone(),
            known_error: self.known_error.clone(),
        })
    }

    fn done(&self, _: &SolveInput) -> String {
        format!(
            "Marked solved. The client can reopen it during {}.",
            the_next(ticket::DEFAULT_SOLVED_WINDOW)
        )
    }
}

/// "the next day", "the next 3 days", "the next 12h": how long the client may still reopen.
fn the_next(window: Duration) -> String {
    match window.num_days() {
        1 if window == Duration::days(1) => "the next day".into(),
        days if days > 1 && window == Duration::days(days) => format!("the next {days} days"),
        _ => format!("the next {}", format_minutes(window.num_minutes())),
    }
}

pub async fn cancel(post: TicketPost<CancelForm>) -> AppResult<HttpResponse> {
    post.run(|conn, c| {
        let (duplicate, reason) = c.input;
        tickets::cancel(conn, c.edit, duplicate, &reason)
    })
    .await
}

impl TicketForm for CancelForm {
    /// The ticket this one duplicates, if any, and why it closes without a fix.
    type Input = (Option<TicketId>, String);

    fn parse(&self, errors: &mut FieldErrors) -> Option<Self::Input> {
        let duplicate = errors.take(
            "duplicate_of",
            parse_optional_id(
                self.duplicate_of.trim().trim_start_matches('#'),
                "a ticket number",
            ),
        );
        let reason = errors.take(
            "reason",
            parse_required_note(&self.reason, 4000, "Say why, for the record."),
        );
        Some((duplicate?.map(TicketId), reason?))
    }

    fn done(&self, _: &Self::Input) -> String {
        "Ticket closed without a fix.".into()
    }
}

/// Staff reopen a solved ticket when the client asks on the phone.
pub async fn reopen(post: TicketPost<ReopenForm>) -> AppResult<HttpResponse> {
    post.run(|conn, c| tickets::reopen(conn, c.edit, &c.input))
        .await
}

impl TicketForm for ReopenForm {
    /// What the client reported.
    type Input = String;

    fn parse(&self, errors: &mut FieldErrors) -> Option<String> {
        errors.take(
            "reason",
            parse_required_note(&self.reason, 4000, "Say what the client reported."),
        )
    }

    fn done(&self, _: &String) -> String {
        "Ticket reopened.".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_solved_flash_follows_the_window() {
        assert_eq!(the_next(ticket::DEFAULT_SOLVED_WINDOW), "the next day");
        assert_eq!(the_next(Duration::days(3)), "the next 3 days");
        assert_eq!(the_next(Duration::hours(12)), "the next 12h");
        assert_eq!(the_next(Duration::minutes(90)), "the next 1h 30m");
    }
}
