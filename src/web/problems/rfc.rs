//! The managers' decisions on problems' requests for change, on a page linked from Approvals.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::problems::rfc;
use crate::db::{self};
use crate::domain::approval::Ruling;
use crate::domain::inputs::FieldErrors;
use crate::domain::problem::ProblemId;
use crate::error::{AppError, AppResult};
use crate::format::format_time;
use crate::state::AppState;
use crate::web::extract::{CurrentUser, Manager};
use crate::web::forms::{Changed, conflict, invalid, required};
use crate::web::page::{Ctx, FlashKind, flash, redirect, render};

pub struct Item {
    pub id: i64,
    pub problem_id: i64,
    pub problem: String,
    pub subject: String,
    pub what: String,
    pub why: String,
    pub risk: String,
    pub rollback_plan: String,
    pub planned_window: String,
    pub requested: String,
    pub own: bool,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecideForm {
    decision: String,
    comment: String,
}

#[derive(Template)]
#[template(path = "problems/rfcs.html")]
struct RfcsPage {
    ctx: Ctx,
    items: Vec<Item>,
    failed: Option<i64>,
    errors: FieldErrors,
    form: DecideForm,
}

impl RfcsPage {
    fn errors_for(&self, id: &i64) -> FieldErrors {
        if self.failed == Some(*id) {
            self.errors.clone()
        } else {
            FieldErrors::new()
        }
    }

    fn comment_for(&self, id: &i64) -> &str {
        if self.failed == Some(*id) {
            &self.form.comment
        } else {
            ""
        }
    }
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    failed: Option<i64>,
    errors: FieldErrors,
    form: DecideForm,
) -> AppResult<RfcsPage> {
    let zone = user.zone();
    let pending = db::run(&state.pool, rfc::pending).await?;
    let people: Vec<Option<i64>> = pending.iter().map(|(r, _)| Some(r.requested_by)).collect();
    let names = db::run(&state.pool, move |conn| {
        crate::db::users::names(conn, &people)
    })
    .await?;
    let items = pending
        .into_iter()
        .map(|(r, subject)| Item {
            id: r.id,
            problem_id: r.problem_id,
            problem: ProblemId(r.problem_id).to_string(),
            subject,
            requested: format!(
                "{}, {}",
                names.of(r.requested_by).unwrap_or_default(),
                format_time(r.requested_at, zone)
            ),
            own: r.requested_by == user.row.id,
            what: r.what,
            why: r.why,
            risk: r.risk,
            rollback_plan: r.rollback_plan,
            planned_window: r.planned_window,
        })
        .collect();
    Ok(RfcsPage {
        ctx: user.ctx(),
        items,
        failed,
        errors,
        form,
    })
}

pub async fn queue(state: web::Data<AppState>, mgr: Manager) -> AppResult<HttpResponse> {
    render(
        &page(
            &state,
            &mgr.0,
            None,
            FieldErrors::new(),
            DecideForm::default(),
        )
        .await?,
    )
}

pub async fn decide(
    state: web::Data<AppState>,
    mgr: Manager,
    path: web::Path<i64>,
    form: web::Form<DecideForm>,
) -> AppResult<HttpResponse> {
    let user = mgr.0;
    let id = path.into_inner();
    let form = form.into_inner();
    let mut errors = FieldErrors::new();
    let ruling = errors.take("decision", Ruling::parse(&form.decision));
    let comment = errors.take(
        "comment",
        required(&form.comment, "a comment for the requester"),
    );
    let (Some(ruling), Some(comment)) = (ruling, comment) else {
        return invalid(&page(&state, &user, Some(id), errors, form).await?);
    };
    let approve = ruling == Ruling::Approve;
    let (now, actor) = (state.clock.now(), user.row.clone());
    let outcome = db::run(&state.pool, move |conn| {
        rfc::decide(conn, &actor, id, approve, &comment, now)
    })
    .await;
    match outcome {
        Ok(Ok(_)) => {
            let done = if approve {
                "Request for change approved."
            } else {
                "Request for change rejected."
            };
            flash(&user.session, FlashKind::Success, done);
            Ok(redirect("/approvals/problem-changes"))
        }
        Ok(Err(errors)) => invalid(&page(&state, &user, Some(id), errors, form).await?),
        Err(AppError::Conflict(message)) => {
            let subject = format!("RFC-{id}");
            conflict(
                user.ctx(),
                Changed {
                    subject: &subject,
                    back: "/approvals/problem-changes",
                    back_label: "Open the requests for change as they are now",
                },
                message,
                form.comment,
            )
        }
        Err(e) => Err(e),
    }
}
