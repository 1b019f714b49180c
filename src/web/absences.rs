//! Planned absences: everyone sees who is away when; each person plans their own, managers and
//! admins plan anyone's. The assignment ranking reads them ("Away until 4 Dec").

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::extract::CurrentUser;
use super::forms::{invalid, parse_optional_id};
use super::page::{Ctx, FlashKind, flash, redirect, render};
use crate::db::{self, absences::AbsenceView};
use crate::domain::ids::{AbsenceId, UserId};
use crate::domain::inputs::FieldErrors;
use crate::error::AppResult;
use crate::state::AppState;

/// "Wed 2 Dec 2026", or "Wed 2 Dec – Fri 4 Dec 2026" for several days.
pub fn days(first: NaiveDate, last: NaiveDate) -> String {
    if first == last {
        first.format("%a %-d %b %Y").to_string()
    } else if first.format("%Y").to_string() == last.format("%Y").to_string() {
        format!(
            "{} – {}",
            first.format("%a %-d %b"),
            last.format("%a %-d %b %Y")
        )
    } else {
        format!(
            "{} – {}",
            first.format("%a %-d %b %Y"),
            last.format("%a %-d %b %Y")
        )
    }
}

pub struct AbsenceLine {
    pub id: i64,
    pub name: String,
    pub days: String,
    pub note: String,
    pub removable: bool,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct AbsenceForm {
    user_id: String,
    first_day: String,
    last_day: String,
    note: String,
}

#[derive(Template)]
#[template(path = "absences/list.html")]
struct AbsencesPage {
    ctx: Ctx,
    absences: Vec<AbsenceLine>,
    /// Managers and admins choose whose absence; a technician plans only their own.
    plans_for_others: bool,
    people: Vec<(String, String)>,
    form: AbsenceForm,
    errors: FieldErrors,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    form: AbsenceForm,
    errors: FieldErrors,
) -> AppResult<AbsencesPage> {
    // A day early covers every zone's today.
    let from = (state.clock.now() - chrono::Duration::days(1)).date_naive();
    let (rows, staff) = db::run(&state.pool, move |conn| {
        Ok((db::absences::upcoming(conn, from)?, db::users::list(conn)?))
    })
    .await?;
    let plans_for_others = user.row.role().is_manager();
    Ok(AbsencesPage {
        ctx: user.ctx(),
        absences: rows
            .into_iter()
            .map(|AbsenceView { row, name }| AbsenceLine {
                id: row.id.0,
                name,
                days: days(row.first_day, row.last_day),
                note: row.note,
                removable: plans_for_others || row.user_id == user.id(),
            })
            .collect(),
        plans_for_others,
        people: staff
            .into_iter()
            .filter(|u| u.active)
            .map(|u| (u.id.to_string(), u.display_name))
            .collect(),
        form,
        errors,
    })
}

pub async fn list(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    let form = AbsenceForm {
        user_id: user.row.id.to_string(),
        ..AbsenceForm::default()
    };
    render(&page(&state, &user, form, FieldErrors::new()).await?)
}

fn parse_day(raw: &str, what: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| format!("Give the {what} as a date."))
}

pub async fn add(
    state: web::Data<AppState>,
    user: CurrentUser,
    form: web::Form<AbsenceForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let mut errors = FieldErrors::new();
    let whose = errors
        .take("user_id", parse_optional_id(&form.user_id, "a person"))
        .flatten()
        .map(UserId)
        .unwrap_or(user.id());
    let first = errors.take("first_day", parse_day(&form.first_day, "first day"));
    let last = errors.take("last_day", parse_day(&form.last_day, "last day"));
    let (Some(first), Some(last)) = (first, last) else {
        return invalid(&page(&state, &user, form, errors).await?);
    };
    if !errors.is_empty() {
        return invalid(&page(&state, &user, form, errors).await?);
    }
    let (actor, now, note) = (
        (user.id(), user.row.role()),
        state.clock.now(),
        form.note.clone(),
    );
    let added = db::run(&state.pool, move |conn| {
        db::absences::add(conn, actor, whose, (first, last, &note), now)
    })
    .await?;
    match added {
        Ok(row) => {
            flash(
                &user.session,
                FlashKind::Success,
                format!("Absence planned: {}.", days(row.first_day, row.last_day)),
            );
            Ok(redirect("/absences"))
        }
        Err(errors) => invalid(&page(&state, &user, form, errors).await?),
    }
}

pub async fn remove(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = AbsenceId(path.into_inner());
    let (actor, now) = ((user.id(), user.row.role()), state.clock.now());
    let row = db::run(&state.pool, move |conn| {
        db::absences::remove(conn, actor, id, now)
    })
    .await?;
    flash(
        &user.session,
        FlashKind::Success,
        format!("Absence removed: {}.", days(row.first_day, row.last_day)),
    );
    Ok(redirect("/absences"))
}
