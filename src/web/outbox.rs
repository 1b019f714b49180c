//! The admin's view of outgoing mail: what is queued, sent and failed, a Retry for failed
//! messages, and a test e-mail to check the mail settings.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::extract::Admin;
use super::forms::invalid;
use super::page::{Ctx, FlashKind, flash, redirect, render};
use crate::db;
use crate::domain::ids::OutboxId;
use crate::domain::inputs::{EmailAddress, FieldErrors};
use crate::error::AppResult;
use crate::format::format_time;
use crate::mail::commands::queue_smtp_check;
use crate::mail::messages::SmtpCheck;
use crate::mail::outbox::{self, OutboxSummary, Status};
use crate::mail::transport;
use crate::state::AppState;

/// How many messages each list shows.
const LIST_LIMIT: i64 = 50;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct TestMailForm {
    address: String,
}

pub struct StatusCount {
    pub label: &'static str,
    pub count: i64,
}

pub struct MailItem {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub kind: String,
    pub status: &'static str,
    pub badge: &'static str,
    pub attempts: i32,
    pub last_error: String,
    pub queued_at: String,
    /// When it was sent, or when the next attempt is due.
    pub progress: String,
}

fn mail_item(row: OutboxSummary, zone: chrono_tz::Tz) -> MailItem {
    let status = row.status();
    let (label, badge) = match status {
        Some(Status::Pending) if row.attempts > 0 => ("retrying", "badge badge-warn"),
        Some(Status::Pending) => (Status::Pending.label(), "badge badge-muted"),
        Some(Status::Sending) => (Status::Sending.label(), "badge badge-muted"),
        Some(Status::Sent) => (Status::Sent.label(), "badge badge-ok"),
        Some(Status::Failed) => (Status::Failed.label(), "badge badge-bad"),
        None => ("unknown", "badge badge-muted"),
    };
    let progress = match (status, row.sent_at) {
        (_, Some(sent)) => format!("sent {}", format_time(sent, zone)),
        (Some(Status::Pending), None) if row.attempts > 0 => {
            format!("next try {}", format_time(row.next_attempt_at, zone))
        }
        _ => String::new(),
    };
    let to = if row.to_name.trim().is_empty() {
        row.to_address
    } else {
        format!("{} <{}>", row.to_name, row.to_address)
    };
    MailItem {
        id: row.id,
        to,
        subject: row.subject,
        kind: row.kind,
        status: label,
        badge,
        attempts: row.attempts,
        last_error: row.last_error.unwrap_or_default(),
        queued_at: format_time(row.created_at, zone),
        progress,
    }
}

#[derive(Template)]
#[template(path = "outbox/index.html")]
struct OutboxPage {
    ctx: Ctx,
    delivery: String,
    jobs_running: bool,
    counts: Vec<StatusCount>,
    failed: Vec<MailItem>,
    recent: Vec<MailItem>,
    form: TestMailForm,
    errors: FieldErrors,
}

async fn page(
    state: &AppState,
    admin: &Admin,
    form: TestMailForm,
    errors: FieldErrors,
) -> AppResult<OutboxPage> {
    let (counts, failed, recent) = db::run(&state.pool, |conn| {
        Ok((
            outbox::counts(conn)?,
            outbox::failed(conn, LIST_LIMIT)?,
            outbox::recent(conn, LIST_LIMIT)?,
        ))
    })
    .await?;
    let zone = admin.0.zone();
    let counts = Status::ALL
        .into_iter()
        .map(|status| StatusCount {
            label: status.label(),
            count: counts
                .iter()
                .filter(|(s, _)| s == status.as_str())
                .map(|(_, n)| *n)
                .sum(),
        })
        .collect();
    Ok(OutboxPage {
        ctx: admin.0.ctx(),
        delivery: transport::describe(&state.config),
        jobs_running: state.config.jobs_interval.is_some(),
        counts,
        failed: failed.into_iter().map(|r| mail_item(r, zone)).collect(),
        recent: recent.into_iter().map(|r| mail_item(r, zone)).collect(),
        form,
        errors,
    })
}

pub async fn index(state: web::Data<AppState>, admin: Admin) -> AppResult<HttpResponse> {
    render(&page(&state, &admin, TestMailForm::default(), FieldErrors::new()).await?)
}

pub async fn send_test(
    state: web::Data<AppState>,
    admin: Admin,
    form: web::Form<TestMailForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let address = match EmailAddress::parse(&form.address) {
        Ok(address) => address,
        Err(message) => {
            let errors = FieldErrors::single("address", message);
            return invalid(&page(&state, &admin, form, errors).await?);
        }
    };
    let ctx = state.mail();
    let now = state.clock.now();
    let message = SmtpCheck {
        requested_by: admin.0.row.display_name.clone(),
        requested_at: format_time(now.naive_utc(), admin.0.zone()),
        desk_url: ctx.base_url.clone(),
        delivery: transport::describe(&state.config),
    };
    let actor = admin.0.id();
    let to = address.clone();
    db::run(&state.pool, move |conn| {
        queue_smtp_check(conn, &ctx, &message, actor, &to, now)
    })
    .await?;
    flash(
        &admin.0.session,
        FlashKind::Success,
        format!("Test e-mail to {address} queued. Its status shows below; reload to follow it."),
    );
    Ok(redirect("/admin/outbox"))
}

pub async fn retry(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = OutboxId(path.into_inner());
    let actor = admin.0.id();
    let now = state.clock.now();
    let retried = db::run(&state.pool, move |conn| outbox::retry(conn, actor, id, now)).await?;
    if retried {
        flash(
            &admin.0.session,
            FlashKind::Success,
            "The message is queued again, with a fresh set of attempts.",
        );
    } else {
        flash(
            &admin.0.session,
            FlashKind::Notice,
            "That message is no longer failed (someone retried it already); nothing was changed.",
        );
    }
    Ok(redirect("/admin/outbox"))
}
