//! The risk page's deadline form: the date by which the risk must be removed.

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::db::{self, risks::deadline};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::page::{FlashKind, flash, redirect};

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeadlineForm {
    deadline: String,
    note: String,
}

/// Sets, moves or (with an empty date) removes the deadline. The form holds one date picked
/// from a date field, so a refusal is said as a notice above the form rather than re-rendered.
pub async fn set(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<DeadlineForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let form = form.into_inner();
    let back = format!("/risks/{id}#deadline");
    let raw = form.deadline.trim();
    let date = if raw.is_empty() {
        None
    } else if let Ok(date) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Some(date)
    } else {
        flash(
            &user.session,
            FlashKind::Notice,
            "Enter the deadline as a date, e.g. 2027-03-31.",
        );
        return Ok(redirect(&back));
    };
    let note = form.note.trim().to_string();
    let (now, actor) = (state.clock.now(), user.row.clone());
    let outcome = db::run(&state.pool, move |conn| {
        deadline::set_deadline(conn, &actor, id, date, &note, now)
    })
    .await?;
    match outcome {
        Ok(()) if date.is_some() => flash(
            &user.session,
            FlashKind::Success,
            "Deadline saved: the owner is reminded before it.",
        ),
        Ok(()) => flash(&user.session, FlashKind::Success, "Deadline removed."),
        Err(errors) => flash(
            &user.session,
            FlashKind::Notice,
            errors.get("deadline").unwrap_or("Check the date."),
        ),
    }
    Ok(redirect(&back))
}
