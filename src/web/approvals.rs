//! The managers' approvals queue: sensitive changes and on-site escalations waiting for a
//! decision.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::extract::{CurrentUser, Manager};
use super::forms::{Changed, conflict, invalid, required};
use super::page::{Ctx, FlashKind, flash, redirect, render};
use crate::db::approvals;
use crate::db::{self};
use crate::domain::approval::Ruling;
use crate::domain::ids::ApprovalId;
use crate::domain::inputs::FieldErrors;
use crate::error::{AppError, AppResult};
use crate::format::{format_time, iso_time};
use crate::state::AppState;

pub struct RequestItem {
    pub id: i64,
    pub ticket_id: i64,
    pub ticket_subject: String,
    pub kind: &'static str,
    pub what: String,
    pub why: String,
    pub impact: String,
    pub risk: String,
    pub rollback_plan: String,
    pub planned_window: String,
    pub requester: String,
    pub requested_at: String,
    pub requested_at_iso: String,
    pub own: bool,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecideForm {
    decision: String,
    comment: String,
}

#[derive(Template)]
#[template(path = "approvals/index.html")]
struct ApprovalsPage {
    ctx: Ctx,
    requests: Vec<RequestItem>,
    /// The request whose form is sent back, with its errors and the manager's text.
    failed: Option<i64>,
    errors: FieldErrors,
    form: DecideForm,
}

async fn approvals_page(
    state: &AppState,
    user: &CurrentUser,
    failed: Option<i64>,
    errors: FieldErrors,
    form: DecideForm,
) -> AppResult<ApprovalsPage> {
    let pending = db::run(&state.pool, approvals::pending).await?;
    let zone = user.zone();
    let requests = pending
        .into_iter()
        .map(|a| RequestItem {
            id: a.row.id.0,
            ticket_id: a.row.ticket_id.0,
            ticket_subject: a.ticket_subject,
            kind: a.row.kind.label(),
            what: a.row.what,
            why: a.row.why,
            impact: a.row.impact,
            risk: a.row.risk,
            rollback_plan: a.row.rollback_plan,
            planned_window: a.row.planned_window,
            requester: a.requester,
            requested_at: format_time(a.row.requested_at, zone),
            requested_at_iso: iso_time(a.row.requested_at),
            own: a.row.requested_by == user.row.id,
        })
        .collect();
    Ok(ApprovalsPage {
        ctx: user.ctx(),
        requests,
        failed,
        errors,
        form,
    })
}

pub async fn queue(state: web::Data<AppState>, mgr: Manager) -> AppResult<HttpResponse> {
    let page = approvals_page(
        &state,
        &mgr.0,
        None,
        FieldErrors::new(),
        DecideForm::default(),
    )
    .await?;
    render(&page)
}

/// A manager's decision on one request. The command refuses the manager who asked for it,
/// with the reason on the page; a request another manager decided meanwhile shows the
/// conflict page with this manager's comment kept.
pub async fn decide(
    state: web::Data<AppState>,
    manager: Manager,
    path: web::Path<i64>,
    form: web::Form<DecideForm>,
) -> AppResult<HttpResponse> {
    // Only managers see the queue, even when their form comes back with errors.
    let user = manager.0;
    let approval = path.into_inner();
    let form = form.into_inner();
    let mut errors = FieldErrors::new();
    let ruling = errors.take("decision", Ruling::parse(&form.decision));
    let comment = errors.take(
        "comment",
        required(&form.comment, "a comment for the requester"),
    );
    let (Some(ruling), Some(comment)) = (ruling, comment) else {
        return invalid(&approvals_page(&state, &user, Some(approval), errors, form).await?);
    };
    let approve = ruling == Ruling::Approve;
    let (now, mail, actor) = (state.clock.now(), state.mail(), user.row.clone());
    let outcome = db::run(&state.pool, move |conn| {
        approvals::decide(
            conn,
            &actor,
            ApprovalId(approval),
            approve,
            &comment,
            &mail,
            now,
        )
    })
    .await;
    match outcome {
        Ok(Ok(_)) => {
            let done = match ruling {
                Ruling::Approve => "Request approved; the requester is told.",
                Ruling::Reject => "Request rejected; the requester is told.",
            };
            flash(&user.session, FlashKind::Success, done);
            Ok(redirect("/approvals"))
        }
        Ok(Err(errors)) => {
            invalid(&approvals_page(&state, &user, Some(approval), errors, form).await?)
        }
        Err(AppError::Conflict(message)) => {
            let subject = format!("Request #{approval}");
            let changed = Changed {
                subject: &subject,
                back: "/approvals",
                back_label: "Open the approvals as they are now",
            };
            conflict(user.ctx(), changed, message, form.comment)
        }
        Err(e) => Err(e),
    }
}

impl ApprovalsPage {
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
