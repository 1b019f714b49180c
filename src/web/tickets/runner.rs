//! How a ticket form is sent: parse, run the one command, then redirect with a flash, send
//! the page back with the errors beside the fields, or show the conflict page.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::forms::{FormKey, PageForms};
use super::page::ticket_page;
use crate::db::tickets::{self};
use crate::domain::ids::TicketId;
use crate::domain::inputs::FieldErrors;
use crate::error::{AppError, AppResult};
use crate::web::AppState;
use crate::web::extract::CurrentUser;
use crate::web::forms::invalid;
use crate::web::page::{Ctx, FlashKind, flash, redirect, render_status};

/// A form sent back: the ticket page with the user's text and the errors beside the fields.
pub(crate) async fn refused(
    state: &AppState,
    user: &CurrentUser,
    id: TicketId,
    errors: FieldErrors,
    key: FormKey,
    forms: PageForms,
) -> AppResult<HttpResponse> {
    let page = ticket_page(state, user, id, errors, key, forms).await?;
    invalid(&page)
}

#[derive(Template)]
#[template(path = "tickets/conflict.html")]
struct ConflictPage {
    ctx: Ctx,
    id: i64,
    message: String,
    kept: String,
}

/// Two people saved the same ticket: the second sees this, with their text to copy back.
fn conflict_page(
    user: &CurrentUser,
    id: TicketId,
    message: String,
    kept: String,
) -> AppResult<HttpResponse> {
    render_status(
        &ConflictPage {
            ctx: user.ctx(),
            id: id.0,
            message,
            kept,
        },
        StatusCode::CONFLICT,
    )
}

/// Runs a ticket command and turns its outcome into the response: back to the ticket with a
/// flash, the form again with errors, or the conflict page with the user's text.
/// The form that was sent: which one, its fields as typed, and the text worth keeping if
/// someone else saved the ticket first.
pub(crate) struct Sent {
    pub(crate) key: FormKey,
    pub(crate) forms: PageForms,
    pub(crate) kept: String,
}

pub(crate) async fn finish(
    state: &AppState,
    user: &CurrentUser,
    id: TicketId,
    outcome: AppResult<Result<tickets::TicketRow, FieldErrors>>,
    sent: Sent,
    done: &str,
) -> AppResult<HttpResponse> {
    match outcome {
        Ok(Ok(_)) => {
            flash(&user.session, FlashKind::Success, done);
            Ok(redirect(&format!("/tickets/{}", id.0)))
        }
        Ok(Err(errors)) => refused(state, user, id, errors, sent.key, sent.forms).await,
        Err(AppError::Conflict(message)) => conflict_page(user, id, message, sent.kept),
        Err(e) => Err(e),
    }
}
