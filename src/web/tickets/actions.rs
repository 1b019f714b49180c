//! The work on a ticket, one handler per form: triage, pull, assign, work, solve, cancel and
//! reopen. Each says how its form parses, which command it runs and what the flash says; the
//! runner does the rest.

use actix_web::{HttpResponse, web};
use chrono::Duration;

use super::forms::{
    AssignForm, CancelForm, FormKey, PageForms, ReopenForm, SolveForm, TriageForm, WorkForm,
};
use super::runner::{TicketForm, send};
use crate::db::tickets::{self, AssignInput, Entry, SolveInput, TriageInput, WorkInput};
use crate::domain::account::Tier;
use crate::domain::ids::{CategoryId, TicketId, UserId};
use crate::domain::inputs::{FieldErrors, Line, format_minutes, parse_note, parse_required_note};
use crate::domain::priority::{Impact, Urgency};
use crate::domain::ticket::{self, Action};
use crate::error::AppResult;
use crate::web::AppState;
use crate::web::extract::CurrentUser;
use crate::web::forms::{checkbox, parse_optional_id};
use crate::web::page::redirect;

pub async fn triage(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<TriageForm>,
) -> AppResult<HttpResponse> {
    let mail = state.mail();
    send(
        &state,
        &user,
        path.into_inner(),
        form.into_inner(),
        move |conn, c| tickets::triage(conn, c.actor, c.id, c.version, &c.input, &mail, c.now),
    )
    .await
}

impl TicketForm for TriageForm {
    const KEY: FormKey = FormKey::Triage;
    type Input = TriageInput;

    fn version(&self) -> &str {
        &self.version
    }

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
        // Also decided here until the triage command refuses a ticket without a category.
        if category == Some(None) {
            errors.add("category_id", "Choose a category.");
        }
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

    fn kept(&self) -> &str {
        &self.affected_service
    }

    fn into_forms(self) -> PageForms {
        PageForms {
            triage: self,
            ..PageForms::default()
        }
    }
}

/// The pull from a queue: an untriaged ticket opens at its triage form (the blueprints: who
/// pulls a ticket triages it first).
pub async fn pull(path: web::Path<i64>, _user: CurrentUser) -> HttpResponse {
    redirect(&format!("/tickets/{}#triage", path.into_inner()))
}

pub async fn assign(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<AssignForm>,
) -> AppResult<HttpResponse> {
    send(
        &state,
        &user,
        path.into_inner(),
        form.into_inner(),
        |conn, c| tickets::assign(conn, c.actor, c.id, c.version, &c.input, c.now),
    )
    .await
}

impl TicketForm for AssignForm {
    const KEY: FormKey = FormKey::Assign;
    type Input = AssignInput;

    fn version(&self) -> &str {
        &self.version
    }

    fn parse(&self, errors: &mut FieldErrors) -> Option<AssignInput> {
        let tier = errors.take("tier", Tier::parse(&self.tier));
        let owner = errors
            .take("owner_id", parse_optional_id(&self.owner_id, "an owner"))
            .flatten();
        let worker = errors
            .take(
                "worker_id",
                parse_optional_id(&self.worker_id, "a technician"),
            )
            .flatten();
        // Also decided here until the assign command requires both people itself.
        if owner.is_none() && errors.get("owner_id").is_none() {
            errors.add("owner_id", "Choose who owns the ticket through its life.");
        }
        if worker.is_none() && errors.get("worker_id").is_none() {
            errors.add("worker_id", "Choose who works on it now.");
        }
        Some(AssignInput {
            tier: tier?,
            owner: UserId(owner?),
            worker: UserId(worker?),
        })
    }

    fn done(&self, _: &AssignInput) -> String {
        "Assignment saved.".into()
    }

    fn kept(&self) -> &str {
        ""
    }

    fn into_forms(self) -> PageForms {
        PageForms {
            assign: self,
            ..PageForms::default()
        }
    }
}

pub async fn work(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<WorkForm>,
) -> AppResult<HttpResponse> {
    let mail = state.mail();
    send(
        &state,
        &user,
        path.into_inner(),
        form.into_inner(),
        move |conn, c| tickets::work(conn, c.actor, c.id, c.version, &c.input, &mail, c.now),
    )
    .await
}

impl TicketForm for WorkForm {
    const KEY: FormKey = FormKey::Work;
    type Input = WorkInput;

    fn version(&self) -> &str {
        &self.version
    }

    fn parse(&self, errors: &mut FieldErrors) -> Option<WorkInput> {
        let entry = errors.take("entry", Entry::parse(&self.entry));
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
            // Also decided in the work command; the gate here puts the message by the field.
            errors.take(
                "next",
                Action::parse(&self.next)
                    .and_then(|a| {
                        if ticket::is_work_action(a) {
                            Ok(a)
                        } else {
                            Err("Use the ticket's own form for that step.".to_string())
                        }
                    })
                    .map(Some),
            )
        };
        let category = errors.take(
            "category_id",
            parse_optional_id(&self.category_id, "a category"),
        );
        Some(WorkInput {
            entry: entry?,
            body: body?,
            action: action?,
            category: category?.map(CategoryId),
        })
    }

    fn done(&self, input: &WorkInput) -> String {
        match input.entry {
            Entry::Note => "Note added.",
            Entry::Reply => "Reply recorded and queued for the client.",
            Entry::Call => "Call logged.",
        }
        .into()
    }

    fn kept(&self) -> &str {
        &self.body
    }

    fn into_forms(self) -> PageForms {
        PageForms {
            work: self,
            ..PageForms::default()
        }
    }
}

pub async fn solve(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<SolveForm>,
) -> AppResult<HttpResponse> {
    let mail = state.mail();
    send(
        &state,
        &user,
        path.into_inner(),
        form.into_inner(),
        move |conn, c| tickets::solve(conn, c.actor, c.id, c.version, &c.input, &mail, c.now),
    )
    .await
}

impl TicketForm for SolveForm {
    const KEY: FormKey = FormKey::Solve;
    type Input = SolveInput;

    fn version(&self) -> &str {
        &self.version
    }

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
        })
    }

    fn done(&self, _: &SolveInput) -> String {
        format!(
            "Marked solved. The client can reopen it during {}.",
            the_next(ticket::DEFAULT_SOLVED_WINDOW)
        )
    }

    fn kept(&self) -> &str {
        &self.solution
    }

    fn into_forms(self) -> PageForms {
        PageForms {
            solve: self,
            ..PageForms::default()
        }
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

pub async fn cancel(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<CancelForm>,
) -> AppResult<HttpResponse> {
    send(
        &state,
        &user,
        path.into_inner(),
        form.into_inner(),
        |conn, c| {
            let (duplicate, reason) = c.input;
            tickets::cancel(conn, c.actor, c.id, c.version, duplicate, &reason, c.now)
        },
    )
    .await
}

impl TicketForm for CancelForm {
    const KEY: FormKey = FormKey::Cancel;
    /// The ticket this one duplicates, if any, and why it closes without a fix.
    type Input = (Option<TicketId>, String);

    fn version(&self) -> &str {
        &self.version
    }

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

    fn kept(&self) -> &str {
        &self.reason
    }

    fn into_forms(self) -> PageForms {
        PageForms {
            cancel: self,
            ..PageForms::default()
        }
    }
}

/// Staff reopen a solved ticket when the client asks on the phone.
pub async fn reopen(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<ReopenForm>,
) -> AppResult<HttpResponse> {
    send(
        &state,
        &user,
        path.into_inner(),
        form.into_inner(),
        |conn, c| tickets::reopen(conn, c.actor, c.id, c.version, &c.input, c.now),
    )
    .await
}

impl TicketForm for ReopenForm {
    const KEY: FormKey = FormKey::Reopen;
    // The form has one visible field; a stale page is reported where the user looks.
    const VERSION_FIELD: &'static str = "reason";
    /// What the client reported.
    type Input = String;

    fn version(&self) -> &str {
        &self.version
    }

    fn parse(&self, errors: &mut FieldErrors) -> Option<String> {
        errors.take(
            "reason",
            parse_required_note(&self.reason, 4000, "Say what the client reported."),
        )
    }

    fn done(&self, _: &String) -> String {
        "Ticket reopened.".into()
    }

    fn kept(&self) -> &str {
        &self.reason
    }

    fn into_forms(self) -> PageForms {
        PageForms {
            reopen: self,
            ..PageForms::default()
        }
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
