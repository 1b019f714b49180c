//! The problem page's forms: the analysis, a step of its life, a log note, linking and
//! unlinking incidents, filing the RFC, and closing the incidents of a resolved problem. Each
//! parses its form, calls one command, and redirects; a refused form comes back with 422.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::page::{Failed, Forms, problem_page};
use crate::db::problems::rfc::{self, RfcInput};
use crate::db::problems::{self, Analysis};
use crate::db::{self};
use crate::domain::ids::TicketId;
use crate::domain::inputs::FieldErrors;
use crate::domain::problem::{MAX_TEXT, ProblemId, Step, check_optional, check_text};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::forms::{Changed, conflict, invalid, parse_version};
use crate::web::page::{FlashKind, flash, redirect};

fn back(id: ProblemId) -> String {
    format!("/problems/{}", id.0)
}

/// The problem page again with the refused form's errors beside its fields and, when given,
/// the user's text in its fields (422).
async fn again(
    state: &AppState,
    user: &CurrentUser,
    id: ProblemId,
    forms: Option<Forms>,
    failed: Failed,
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    invalid(&problem_page(state, user, id, forms, failed, errors, String::new()).await?)
}

/// Sends a command's answer on: a redirect with a flash, the page again with 422, or the
/// conflict page with the user's text.
#[allow(clippy::too_many_arguments)]
async fn answer(
    state: &AppState,
    user: &CurrentUser,
    id: ProblemId,
    outcome: AppResult<Result<(), FieldErrors>>,
    failed: Failed,
    forms: Forms,
    done: &str,
    kept: String,
) -> AppResult<HttpResponse> {
    match outcome {
        Ok(Ok(())) => {
            flash(&user.session, FlashKind::Success, done);
            Ok(redirect(&back(id)))
        }
        Ok(Err(errors)) => again(state, user, id, Some(forms), failed, errors).await,
        Err(AppError::Conflict(message)) => {
            let subject = id.to_string();
            let link = back(id);
            conflict(
                user.ctx(),
                Changed {
                    subject: &subject,
                    back: &link,
                    back_label: "Open the problem as it is now",
                },
                message,
                kept,
            )
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnalysisForm {
    version: String,
    #[serde(flatten)]
    forms: Forms,
}

pub async fn save_analysis(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<AnalysisForm>,
) -> AppResult<HttpResponse> {
    let id = ProblemId(path.into_inner());
    let AnalysisForm { version, forms } = form.into_inner();
    let mut errors = FieldErrors::new();
    let version = errors.take("root_cause", parse_version(&version));
    let root_cause = errors.take(
        "root_cause",
        check_optional(&forms.root_cause, "the root cause", MAX_TEXT),
    );
    let workaround = errors.take(
        "workaround",
        check_optional(&forms.workaround, "the workaround", MAX_TEXT),
    );
    let permanent_solution = errors.take(
        "permanent_solution",
        check_optional(
            &forms.permanent_solution,
            "the permanent solution",
            MAX_TEXT,
        ),
    );
    let (Some(version), Some(root_cause), Some(workaround), Some(permanent_solution)) =
        (version, root_cause, workaround, permanent_solution)
    else {
        return again(&state, &user, id, Some(forms), Failed::Analysis, errors).await;
    };
    let input = Analysis {
        root_cause,
        workaround,
        permanent_solution,
    };
    let (now, actor) = (state.clock.now(), user.row.clone());
    let outcome = db::run(&state.pool, move |conn| {
        problems::save_analysis(conn, &actor, id, version, &input, now)
    })
    .await
    .map(|r| r.map(|_| ()));
    let kept = forms.root_cause.clone();
    answer(
        &state,
        &user,
        id,
        outcome,
        Failed::Analysis,
        forms,
        "Analysis saved.",
        kept,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StepForm {
    version: String,
    step: String,
}

pub async fn take_step(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<StepForm>,
) -> AppResult<HttpResponse> {
    let id = ProblemId(path.into_inner());
    let form = form.into_inner();
    let mut errors = FieldErrors::new();
    let version = errors.take("step", parse_version(&form.version));
    let step = errors.take("step", Step::parse(&form.step));
    let (Some(version), Some(step)) = (version, step) else {
        return again(&state, &user, id, None, Failed::Step, errors).await;
    };
    let (now, actor) = (state.clock.now(), user.row.clone());
    let outcome = db::run(&state.pool, move |conn| {
        problems::take_step(conn, &actor, id, version, step, now)
    })
    .await
    .map(|r| r.map(|_| ()));
    let done = format!("Done: {}.", step.label());
    answer(
        &state,
        &user,
        id,
        outcome,
        Failed::Step,
        Forms::default(),
        &done,
        String::new(),
    )
    .await
}

pub async fn add_note(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<Forms>,
) -> AppResult<HttpResponse> {
    let id = ProblemId(path.into_inner());
    let forms = form.into_inner();
    let note = match check_text(&forms.note, "what was found or tried", MAX_TEXT) {
        Ok(note) => note,
        Err(message) => {
            let errors = FieldErrors::single("note", message);
            return again(&state, &user, id, Some(forms), Failed::Note, errors).await;
        }
    };
    let (now, actor) = (state.clock.now(), user.row.clone());
    let outcome = db::run(&state.pool, move |conn| {
        problems::add_note(conn, &actor, id, &note, now)
    })
    .await;
    let kept = forms.note.clone();
    answer(
        &state,
        &user,
        id,
        outcome,
        Failed::Note,
        forms,
        "Note added to the log.",
        kept,
    )
    .await
}

/// A ticket number as typed: "#42" or "42".
pub(super) fn parse_ticket(raw: &str) -> Result<TicketId, String> {
    crate::domain::inputs::parse_ticket_number(raw, "Enter the incident's number, such as 42.")
}

pub async fn link(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<Forms>,
) -> AppResult<HttpResponse> {
    let id = ProblemId(path.into_inner());
    let forms = form.into_inner();
    let ticket = match parse_ticket(&forms.ticket) {
        Ok(ticket) => ticket,
        Err(message) => {
            let errors = FieldErrors::single("ticket", message);
            return again(&state, &user, id, Some(forms), Failed::Link, errors).await;
        }
    };
    let (now, actor) = (state.clock.now(), user.row.clone());
    let outcome = db::run(&state.pool, move |conn| {
        problems::link(conn, &actor, id, ticket, now)
    })
    .await;
    let done = format!("Incident #{ticket} linked.");
    answer(
        &state,
        &user,
        id,
        outcome,
        Failed::Link,
        forms,
        &done,
        String::new(),
    )
    .await
}

pub async fn unlink(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let (id, ticket) = path.into_inner();
    let (id, ticket) = (ProblemId(id), TicketId(ticket));
    let (now, actor) = (state.clock.now(), user.row.clone());
    let outcome = db::run(&state.pool, move |conn| {
        problems::unlink(conn, &actor, id, ticket, now)
    })
    .await;
    let done = format!("Incident #{ticket} unlinked.");
    answer(
        &state,
        &user,
        id,
        outcome,
        Failed::Link,
        Forms::default(),
        &done,
        String::new(),
    )
    .await
}

pub async fn file_rfc(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<Forms>,
) -> AppResult<HttpResponse> {
    let id = ProblemId(path.into_inner());
    let forms = form.into_inner();
    let mut errors = FieldErrors::new();
    let what = errors.take("what", check_text(&forms.what, "what changes", MAX_TEXT));
    let why = errors.take("why", check_text(&forms.why, "why it is needed", MAX_TEXT));
    let risk = errors.take("risk", check_text(&forms.risk, "the risk", MAX_TEXT));
    let rollback_plan = errors.take(
        "rollback_plan",
        check_text(&forms.rollback_plan, "the rollback plan", MAX_TEXT),
    );
    let planned_window = errors.take(
        "planned_window",
        check_text(&forms.planned_window, "the planned window", MAX_TEXT),
    );
    let (Some(what), Some(why), Some(risk), Some(rollback_plan), Some(planned_window)) =
        (what, why, risk, rollback_plan, planned_window)
    else {
        return again(&state, &user, id, Some(forms), Failed::Rfc, errors).await;
    };
    let input = RfcInput {
        what,
        why,
        risk,
        rollback_plan,
        planned_window,
    };
    let (now, actor, mail) = (state.clock.now(), user.row.clone(), state.mail());
    let outcome = db::run(&state.pool, move |conn| {
        rfc::file(conn, &actor, id, &input, &mail, now)
    })
    .await
    .map(|r| r.map(|_| ()));
    let kept = forms.what.clone();
    answer(
        &state,
        &user,
        id,
        outcome,
        Failed::Rfc,
        forms,
        "Request for change filed; a manager decides it in Approvals.",
        kept,
    )
    .await
}

/// The incidents chosen for closure: one `ticket` field per ticked box.
pub async fn close_incidents(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let id = ProblemId(path.into_inner());
    let chosen: Vec<TicketId> = form_urlencoded::parse(&body)
        .filter(|(k, _)| k == "ticket")
        .filter_map(|(_, v)| parse_ticket(&v).ok())
        .collect();
    if chosen.is_empty() {
        flash(
            &user.session,
            FlashKind::Notice,
            "Tick the incidents to close with the permanent solution.",
        );
        return Ok(redirect(&back(id)));
    }
    let (now, actor, mail) = (state.clock.now(), user.row.clone(), state.mail());
    let report = db::run(&state.pool, move |conn| {
        problems::close_incidents(conn, &actor, id, &chosen, &mail, now)
    })
    .await?;
    let mut text = format!(
        "{} incident(s) solved with the permanent solution.",
        report.solved.len()
    );
    for (ticket, why) in &report.refused {
        text.push_str(&format!(" #{ticket} not solved: {why}."));
    }
    let kind = if report.refused.is_empty() {
        FlashKind::Success
    } else {
        FlashKind::Notice
    };
    flash(&user.session, kind, text);
    Ok(redirect(&back(id)))
}
