//! Business calendars: opening hours per weekday, the time zone, and the holidays.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{NaiveDate, Weekday};
use serde::Deserialize;

use crate::db::service_levels::{self as levels, CalendarInput, CalendarRecord};
use crate::db::{self, audit};
use crate::domain::calendar::{
    BusinessCalendar, CalendarError, OpeningInterval, WEEK, weekday_name,
};
use crate::domain::ids::{CalendarId, HolidayId};
use crate::domain::inputs::{FieldErrors, Line, parse_opening_hours, parse_time_zone};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::Admin;
use crate::web::forms::{Saved, invalid, submit, versioned};
use crate::web::page::{Ctx, FlashKind, flash, redirect, render, render_status};
use crate::web::users::{HistoryItem, history_items};

use super::preview::{PreviewRow, preview_rows};

fn day_field(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "hours_mon",
        Weekday::Tue => "hours_tue",
        Weekday::Wed => "hours_wed",
        Weekday::Thu => "hours_thu",
        Weekday::Fri => "hours_fri",
        Weekday::Sat => "hours_sat",
        Weekday::Sun => "hours_sun",
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct CalendarForm {
    version: String,
    name: String,
    time_zone: String,
    hours_mon: String,
    hours_tue: String,
    hours_wed: String,
    hours_thu: String,
    hours_fri: String,
    hours_sat: String,
    hours_sun: String,
}

impl CalendarForm {
    fn day(&self, day: Weekday) -> &str {
        match day {
            Weekday::Mon => &self.hours_mon,
            Weekday::Tue => &self.hours_tue,
            Weekday::Wed => &self.hours_wed,
            Weekday::Thu => &self.hours_thu,
            Weekday::Fri => &self.hours_fri,
            Weekday::Sat => &self.hours_sat,
            Weekday::Sun => &self.hours_sun,
        }
    }

    fn from_record(record: &CalendarRecord) -> Self {
        let mut form = Self {
            version: record.row.version.to_string(),
            name: record.row.name.clone(),
            time_zone: record.row.time_zone.clone(),
            ..Self::default()
        };
        for (day, hours) in record.week() {
            let text = if hours == "closed" {
                String::new()
            } else {
                hours.replace('–', "-")
            };
            match day {
                Weekday::Mon => form.hours_mon = text,
                Weekday::Tue => form.hours_tue = text,
                Weekday::Wed => form.hours_wed = text,
                Weekday::Thu => form.hours_thu = text,
                Weekday::Fri => form.hours_fri = text,
                Weekday::Sat => form.hours_sat = text,
                Weekday::Sun => form.hours_sun = text,
            }
        }
        form
    }

    /// The days as the template lists them: field name, label, typed value.
    fn days(&self) -> Vec<(&'static str, &'static str, String)> {
        WEEK.iter()
            .map(|d| (day_field(*d), weekday_name(*d), self.day(*d).to_string()))
            .collect()
    }

    fn parse(&self) -> Result<CalendarInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.take("name", Line::parse(&self.name, "a name", 80));
        let zone = errors.take("time_zone", parse_time_zone(&self.time_zone));
        let mut builder = BusinessCalendar::builder(zone.unwrap_or(chrono_tz::UTC));
        for day in WEEK {
            if let Some(ranges) = errors.take(day_field(day), parse_opening_hours(self.day(day))) {
                for (start, end) in ranges {
                    builder = builder.open_minutes(day, start, end);
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let calendar = match builder.build() {
            Ok(calendar) => calendar,
            Err(e) => {
                let field = match &e {
                    CalendarError::EndNotAfterStart { weekday, .. }
                    | CalendarError::Overlap { weekday, .. } => day_field(*weekday),
                    _ => "hours_mon",
                };
                errors.add(field, format!("{}{}", capitalise(&e.to_string()), "."));
                return Err(errors);
            }
        };
        match (name, zone) {
            (Some(name), Some(zone)) => Ok(CalendarInput {
                name: name.into_string(),
                zone,
                intervals: calendar.intervals().collect::<Vec<OpeningInterval>>(),
            }),
            _ => Err(errors),
        }
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub struct HolidayItem {
    pub id: i64,
    pub date: NaiveDate,
    pub weekday: &'static str,
    pub name: String,
}

#[derive(Template)]
#[template(path = "service_levels/calendar.html")]
struct CalendarPage {
    ctx: Ctx,
    editing: Option<i64>,
    days: Vec<(&'static str, &'static str, String)>,
    form: CalendarForm,
    errors: FieldErrors,
    holidays: Vec<HolidayItem>,
    holiday_form: HolidayForm,
    holiday_errors: FieldErrors,
    preview: Vec<PreviewRow>,
    preview_policy: String,
    history: Vec<HistoryItem>,
}

impl CalendarPage {
    fn new(ctx: Ctx, editing: Option<i64>, form: CalendarForm, errors: FieldErrors) -> Self {
        Self {
            ctx,
            editing,
            days: form.days(),
            form,
            errors,
            holidays: Vec::new(),
            holiday_form: HolidayForm::default(),
            holiday_errors: FieldErrors::new(),
            preview: Vec::new(),
            preview_policy: String::new(),
            history: Vec::new(),
        }
    }
}

pub async fn new_calendar_form(admin: Admin) -> AppResult<HttpResponse> {
    let form = CalendarForm {
        time_zone: admin.0.row.time_zone.clone(),
        hours_mon: "07:00-18:00".into(),
        hours_tue: "07:00-18:00".into(),
        hours_wed: "07:00-18:00".into(),
        hours_thu: "07:00-18:00".into(),
        hours_fri: "07:00-18:00".into(),
        ..CalendarForm::default()
    };
    render(&CalendarPage::new(
        admin.0.ctx(),
        None,
        form,
        FieldErrors::new(),
    ))
}

pub async fn create_calendar(
    state: web::Data<AppState>,
    admin: Admin,
    form: web::Form<CalendarForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let (actor, now) = (admin.0.id(), state.clock.now());
    let parsed = form.parse();
    submit(
        &state,
        &admin.0.session,
        parsed,
        move |conn, input| levels::create_calendar(conn, actor, &input, now),
        |errors| CalendarPage::new(admin.0.ctx(), None, form, errors),
        |row| Saved {
            flash: format!("Calendar {} created.", row.name),
            to: format!("/admin/calendars/{}", row.id),
        },
    )
    .await
}

/// The calendar page with its holidays, history and a preview on the default policy.
async fn calendar_page(
    state: &AppState,
    admin: &Admin,
    id: CalendarId,
    form: Option<CalendarForm>,
    errors: FieldErrors,
    holiday_form: HolidayForm,
    holiday_errors: FieldErrors,
) -> AppResult<CalendarPage> {
    let (record, policy, history) = db::run(&state.pool, move |conn| {
        let (_, policy) = levels::defaults(conn)?;
        Ok((
            levels::load_calendar(conn, id)?,
            levels::load_policy(conn, policy)?,
            audit::history(conn, audit::Entity::Calendar, id.0, 30)?,
        ))
    })
    .await?;
    let form = form.unwrap_or_else(|| CalendarForm::from_record(&record));
    let mut page = CalendarPage::new(admin.0.ctx(), Some(record.row.id), form, errors);
    page.holidays = record
        .holidays
        .iter()
        .map(|h| HolidayItem {
            id: h.id,
            date: h.holiday_date,
            weekday: weekday_name(chrono::Datelike::weekday(&h.holiday_date)),
            name: h.name.clone(),
        })
        .collect();
    page.holiday_form = holiday_form;
    page.holiday_errors = holiday_errors;
    page.preview = preview_rows(
        &record.business_calendar()?,
        &policy.sla_targets()?,
        state.clock.now(),
        admin.0.zone(),
    );
    page.preview_policy = policy.row.name.clone();
    page.history = history_items(history, admin.0.zone());
    Ok(page)
}

pub async fn show_calendar(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = CalendarId(path.into_inner());
    let page = calendar_page(
        &state,
        &admin,
        id,
        None,
        FieldErrors::new(),
        HolidayForm::default(),
        FieldErrors::new(),
    )
    .await?;
    render(&page)
}

pub async fn update_calendar(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<i64>,
    form: web::Form<CalendarForm>,
) -> AppResult<HttpResponse> {
    let id = CalendarId(path.into_inner());
    let form = form.into_inner();
    let (errors, status) = match versioned(form.parse(), &form.version) {
        Ok((input, version)) => {
            let (actor, now) = (admin.0.id(), state.clock.now());
            let updated = db::run(&state.pool, move |conn| {
                levels::update_calendar(conn, actor, id, &input, version, now)
            })
            .await;
            match updated {
                Ok(Ok(row)) => {
                    flash(
                        &admin.0.session,
                        FlashKind::Success,
                        format!("Saved {}.", row.name),
                    );
                    return Ok(redirect(&format!("/admin/calendars/{}", row.id)));
                }
                Ok(Err(errors)) => (errors, StatusCode::UNPROCESSABLE_ENTITY),
                Err(AppError::Conflict(message)) => (
                    FieldErrors::single("version", message),
                    StatusCode::CONFLICT,
                ),
                Err(e) => return Err(e),
            }
        }
        Err(errors) => (errors, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let page = calendar_page(
        &state,
        &admin,
        id,
        Some(form),
        errors,
        HolidayForm::default(),
        FieldErrors::new(),
    )
    .await?;
    render_status(&page, status)
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct HolidayForm {
    holiday_date: String,
    holiday_name: String,
}

pub async fn add_holiday(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<i64>,
    form: web::Form<HolidayForm>,
) -> AppResult<HttpResponse> {
    let id = CalendarId(path.into_inner());
    let form = form.into_inner();
    let mut errors = FieldErrors::new();
    let date = errors.take(
        "holiday_date",
        NaiveDate::parse_from_str(form.holiday_date.trim(), "%Y-%m-%d").map_err(|_| {
            format!(
                "'{}' is not a date like 2026-12-25.",
                form.holiday_date.trim()
            )
        }),
    );
    let name = errors.take(
        "holiday_name",
        Line::parse(&form.holiday_name, "the holiday's name", 80),
    );
    if let (Some(date), Some(name)) = (date, name) {
        let (actor, now) = (admin.0.id(), state.clock.now());
        let added = db::run(&state.pool, move |conn| {
            levels::add_holiday(conn, actor, id, date, name.as_str(), now)
        })
        .await?;
        match added {
            Ok(()) => {
                flash(
                    &admin.0.session,
                    FlashKind::Success,
                    format!("Holiday {date} added."),
                );
                return Ok(redirect(&format!("/admin/calendars/{}#holidays", id.0)));
            }
            Err(e) => errors = e,
        }
    }
    let page = calendar_page(&state, &admin, id, None, FieldErrors::new(), form, errors).await?;
    invalid(&page)
}

pub async fn remove_holiday(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let (id, holiday) = path.into_inner();
    let (id, holiday) = (CalendarId(id), HolidayId(holiday));
    let (actor, now) = (admin.0.id(), state.clock.now());
    db::run(&state.pool, move |conn| {
        levels::remove_holiday(conn, actor, id, holiday, now)
    })
    .await?;
    flash(&admin.0.session, FlashKind::Success, "Holiday removed.");
    Ok(redirect(&format!("/admin/calendars/{}#holidays", id.0)))
}
