//! The work on a ticket, one handler per form: triage, pull, assign, work, solve, cancel and
//! reopen.

use actix_web::{HttpResponse, web};

use super::forms::{
    AssignForm, CancelForm, FormKey, PageForms, ReopenForm, SolveForm, TriageForm, WorkForm,
};
use super::runner::{Sent, finish, refused};
use crate::db::tickets::{self, AssignInput, Entry, SolveInput, TriageInput, WorkInput};
use crate::db::{self};
use crate::domain::account::Tier;
use crate::domain::ids::{CategoryId, TicketId, UserId};
use crate::domain::inputs::{FieldErrors, Line, parse_note, parse_required_note};
use crate::domain::priority::{Impact, Urgency};
use crate::domain::ticket::{self, Action};
use crate::error::AppResult;
use crate::mail::messages::MailContext;
use crate::web::AppState;
use crate::web::extract::CurrentUser;
use crate::web::forms::{parse_optional_id, parse_version};
use crate::web::page::{checkbox, redirect};

pub async fn triage(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<TriageForm>,
) -> AppResult<HttpResponse> {
    let id = TicketId(path.into_inner());
    let form = form.into_inner();
    let mut errors = FieldErrors::new();
    let version = errors.take("version", parse_version(&form.version));
    let impact = errors.take("impact", Impact::parse(&form.impact));
    let urgency = errors.take("urgency", Urgency::parse(&form.urgency));
    let category = errors.take(
        "category_id",
        parse_optional_id(&form.category_id, "a category"),
    );
    let subcategory = errors.take(
        "subcategory_id",
        parse_optional_id(&form.subcategory_id, "a subcategory"),
    );
    if category == Some(None) {
        errors.add("category_id", "Choose a category.");
    }
    let service = errors.take("affected_service", parse_note(&form.affected_service, 200));
    let forms = PageForms {
        triage: form.clone(),
        ..PageForms::default()
    };
    let (
        Some(version),
        Some(impact),
        Some(urgency),
        Some(category),
        Some(subcategory),
        Some(service),
    ) = (version, impact, urgency, category, subcategory, service)
    else {
        return refused(&state, &user, id, errors, FormKey::Triage, forms).await;
    };
    if !errors.is_empty() {
        return refused(&state, &user, id, errors, FormKey::Triage, forms).await;
    }
    let input = TriageInput {
        impact,
        urgency,
        category: category.map(CategoryId),
        subcategory: subcategory.map(CategoryId),
        affected_service: service,
    };
    let (actor, now) = (user.id(), state.clock.now());
    let mail = MailContext::from_config(&state.config);
    let outcome = db::run(&state.pool, move |conn| {
        tickets::triage(conn, actor, id, version, &input, &mail, now)
    })
    .await;
    finish(
        &state,
        &user,
        id,
        outcome,
        Sent {
            key: FormKey::Triage,
            forms,
            kept: form.affected_service,
        },
        "Triage saved.",
    )
    .await
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
    let id = TicketId(path.into_inner());
    let form = form.into_inner();
    let mut errors = FieldErrors::new();
    let version = errors.take("version", parse_version(&form.version));
    let tier = errors.take("tier", Tier::parse(&form.tier));
    let owner = errors
        .take("owner_id", parse_optional_id(&form.owner_id, "an owner"))
        .flatten();
    let worker = errors
        .take(
            "worker_id",
            parse_optional_id(&form.worker_id, "a technician"),
        )
        .flatten();
    if owner.is_none() && errors.get("owner_id").is_none() {
        errors.add("owner_id", "Choose who owns the ticket through its life.");
    }
    if worker.is_none() && errors.get("worker_id").is_none() {
        errors.add("worker_id", "Choose who works on it now.");
    }
    let forms = PageForms {
        assign: form.clone(),
        ..PageForms::default()
    };
    let (Some(version), Some(tier), Some(owner), Some(worker)) = (version, tier, owner, worker)
    else {
        return refused(&state, &user, id, errors, FormKey::Assign, forms).await;
    };
    let input = AssignInput {
        tier,
        owner: UserId(owner),
        worker: UserId(worker),
    };
    let (actor, now) = (user.id(), state.clock.now());
    let outcome = db::run(&state.pool, move |conn| {
        tickets::assign(conn, actor, id, version, &input, now)
    })
    .await;
    finish(
        &state,
        &user,
        id,
        outcome,
        Sent {
            key: FormKey::Assign,
            forms,
            kept: String::new(),
        },
        "Assignment saved.",
    )
    .await
}

pub async fn work(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<WorkForm>,
) -> AppResult<HttpResponse> {
    let id = TicketId(path.into_inner());
    let form = form.into_inner();
    let mut errors = FieldErrors::new();
    let version = errors.take("version", parse_version(&form.version));
    let entry = errors.take("entry", Entry::parse(&form.entry));
    let body = errors.take(
        "body",
        parse_required_note(
            &form.body,
            20_000,
            "Write what was done, asked or answered.",
        ),
    );
    let action = if form.next.trim().is_empty() || form.next == "keep" {
        Some(None)
    } else {
        errors.take(
            "next",
            Action::parse(&form.next)
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
        parse_optional_id(&form.category_id, "a category"),
    );
    let forms = PageForms {
        work: form.clone(),
        ..PageForms::default()
    };
    let (Some(version), Some(entry), Some(body), Some(action), Some(category)) =
        (version, entry, body, action, category)
    else {
        return refused(&state, &user, id, errors, FormKey::Work, forms).await;
    };
    let input = WorkInput {
        entry,
        body,
        action,
        category: category.map(CategoryId),
    };
    let (actor, now) = (user.id(), state.clock.now());
    let mail = state.mail();
    let done = match entry {
        Entry::Note => "Note added.",
        Entry::Reply => "Reply recorded and queued for the client.",
        Entry::Call => "Call logged.",
    };
    let outcome = db::run(&state.pool, move |conn| {
        tickets::work(conn, actor, id, version, &input, &mail, now)
    })
    .await;
    let sent = Sent {
        key: FormKey::Work,
        forms,
        kept: form.body,
    };
    finish(&state, &user, id, outcome, sent, done).await
}

pub async fn solve(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<SolveForm>,
) -> AppResult<HttpResponse> {
    let id = TicketId(path.into_inner());
    let form = form.into_inner();
    let mut errors = FieldErrors::new();
    let version = errors.take("version", parse_version(&form.version));
    let solution = errors.take("solution", ticket::check_solution(&form.solution));
    let publish = checkbox(&form.publish_to_kb);
    let title = if publish {
        errors
            .take(
                "kb_title",
                Line::parse(&form.kb_title, "a title for the article", 200),
            )
            .map(Line::into_string)
    } else {
        Some(String::new())
    };
    let forms = PageForms {
        solve: form.clone(),
        ..PageForms::default()
    };
    let (Some(version), Some(solution), Some(kb_title)) = (version, solution, title) else {
        return refused(&state, &user, id, errors, FormKey::Solve, forms).await;
    };
    let input = SolveInput {
        solution,
        publish_to_kb: publish,
        kb_title,
    };
    let (actor, now) = (user.id(), state.clock.now());
    let mail = state.mail();
    let outcome = db::run(&state.pool, move |conn| {
        tickets::solve(conn, actor, id, version, &input, &mail, now)
    })
    .await;
    finish(
        &state,
        &user,
        id,
        outcome,
        Sent {
            key: FormKey::Solve,
            forms,
            kept: form.solution,
        },
        "Marked solved. The client can reopen it during the next day.",
    )
    .await
}

pub async fn cancel(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<CancelForm>,
) -> AppResult<HttpResponse> {
    let id = TicketId(path.into_inner());
    let form = form.into_inner();
    let mut errors = FieldErrors::new();
    let version = errors.take("version", parse_version(&form.version));
    let duplicate = errors.take(
        "duplicate_of",
        parse_optional_id(
            form.duplicate_of.trim().trim_start_matches('#'),
            "a ticket number",
        ),
    );
    let reason = errors.take(
        "reason",
        parse_required_note(&form.reason, 4000, "Say why, for the record."),
    );
    let forms = PageForms {
        cancel: form.clone(),
        ..PageForms::default()
    };
    let (Some(version), Some(duplicate), Some(reason)) = (version, duplicate, reason) else {
        return refused(&state, &user, id, errors, FormKey::Cancel, forms).await;
    };
    let (actor, now) = (user.id(), state.clock.now());
    let outcome = db::run(&state.pool, move |conn| {
        tickets::cancel(
            conn,
            actor,
            id,
            version,
            duplicate.map(TicketId),
            &reason,
            now,
        )
    })
    .await;
    finish(
        &state,
        &user,
        id,
        outcome,
        Sent {
            key: FormKey::Cancel,
            forms,
            kept: form.reason,
        },
        "Ticket closed without a fix.",
    )
    .await
}

/// Staff reopen a solved ticket when the client asks on the phone.
pub async fn reopen(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<ReopenForm>,
) -> AppResult<HttpResponse> {
    let id = TicketId(path.into_inner());
    let form = form.into_inner();
    let forms = PageForms {
        reopen: form.clone(),
        ..PageForms::default()
    };
    let reason = match parse_required_note(&form.reason, 4000, "Say what the client reported.") {
        Ok(reason) => reason,
        Err(message) => {
            let errors = FieldErrors::single("reason", message);
            return refused(&state, &user, id, errors, FormKey::Reopen, forms).await;
        }
    };
    let version = match parse_version(&form.version) {
        Ok(version) => version,
        Err(message) => {
            let errors = FieldErrors::single("reason", message);
            return refused(&state, &user, id, errors, FormKey::Reopen, forms).await;
        }
    };
    let (actor, now) = (user.id(), state.clock.now());
    let outcome = db::run(&state.pool, move |conn| {
        tickets::reopen(conn, actor, id, version, &reason, now)
    })
    .await;
    finish(
        &state,
        &user,
        id,
        outcome,
        Sent {
            key: FormKey::Reopen,
            forms,
            kept: form.reason,
        },
        "Ticket reopened.",
    )
    .await
}
