//! Admin pages for what clients are promised: business calendars with their holidays, SLA
//! policies, and the priority matrix. Each shows what a ticket logged now would be due by.

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, NaiveDate, Utc, Weekday};
use serde::Deserialize;

use super::AppState;
use super::extract::{Admin, CurrentUser};
use super::forms::invalid;
use super::page::{Ctx, FlashKind, flash, redirect, render};
use super::users::{HistoryItem, history_items};
use crate::db::service_levels::{
    self as levels, CalendarInput, CalendarRecord, PolicyInput, PolicyRecord, WEEK,
};
use crate::db::{self, audit};
use crate::domain::calendar::{BusinessCalendar, CalendarError, OpeningInterval};
use crate::domain::ids::{CalendarId, HolidayId, PolicyId};
use crate::domain::inputs::{
    FieldErrors, Line, format_minutes, parse_minutes, parse_opening_hours, parse_time_zone,
};
use crate::domain::priority::{Impact, Priority, PriorityMatrix, Urgency};
use crate::domain::sla::{self, ClockMode, ResolutionDue, SlaTargets, Target};
use crate::error::AppResult;

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

pub fn day_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// One row of "a ticket logged now would be due at …".
pub struct PreviewRow {
    pub priority: Priority,
    pub mode: &'static str,
    pub response_due: String,
    pub resolution_due: String,
}

fn show_due(due: Option<DateTime<Utc>>, zone: chrono_tz::Tz) -> String {
    due.map(|d| super::page::format_time(d.naive_utc(), zone))
        .unwrap_or_else(|| "never (the calendar is never open)".into())
}

pub fn preview_rows(
    calendar: &BusinessCalendar,
    targets: &SlaTargets,
    now: DateTime<Utc>,
    zone: chrono_tz::Tz,
) -> Vec<PreviewRow> {
    Priority::ALL
        .into_iter()
        .map(|priority| {
            let target = targets.target(priority);
            let resolution = match sla::resolution_due(calendar, target, now, &[]) {
                ResolutionDue::At(at) => Some(at),
                ResolutionDue::Paused { .. } | ResolutionDue::Never => None,
            };
            PreviewRow {
                priority,
                mode: target.mode.label(),
                response_due: show_due(sla::response_due(calendar, target, now), zone),
                resolution_due: show_due(resolution, zone),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "service_levels/index.html")]
struct IndexPage {
    ctx: Ctx,
    calendars: Vec<levels::CalendarSummary>,
    policies: Vec<PolicyListItem>,
}

pub struct PolicyListItem {
    pub id: i64,
    pub name: String,
    pub client_count: i64,
    pub targets: Vec<(Priority, String, String, &'static str)>,
}

fn policy_list_item(summary: &levels::PolicySummary) -> AppResult<PolicyListItem> {
    let targets = summary.record.sla_targets()?;
    Ok(PolicyListItem {
        id: summary.record.row.id,
        name: summary.record.row.name.clone(),
        client_count: summary.client_count,
        targets: Priority::ALL
            .into_iter()
            .map(|p| {
                let t = targets.target(p);
                (
                    p,
                    format_minutes(t.response.num_minutes()),
                    format_minutes(t.resolution.num_minutes()),
                    t.mode.label(),
                )
            })
            .collect(),
    })
}

pub async fn index(state: web::Data<AppState>, admin: Admin) -> AppResult<HttpResponse> {
    let (calendars, policies) = db::run(&state.pool, |conn| {
        Ok((levels::list_calendars(conn)?, levels::list_policies(conn)?))
    })
    .await?;
    let policies = policies
        .iter()
        .map(policy_list_item)
        .collect::<AppResult<_>>()?;
    render(&IndexPage {
        ctx: admin.0.ctx(),
        calendars,
        policies,
    })
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct CalendarForm {
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
            .map(|d| (day_field(*d), day_name(*d), self.day(*d).to_string()))
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
    let input = match form.parse() {
        Ok(input) => input,
        Err(errors) => return invalid(&CalendarPage::new(admin.0.ctx(), None, form, errors)),
    };
    let (actor, now) = (admin.0.id(), state.clock.now());
    let created = db::run(&state.pool, move |conn| {
        levels::create_calendar(conn, actor, &input, now)
    })
    .await?;
    match created {
        Ok(row) => {
            flash(
                &admin.0.session,
                FlashKind::Success,
                format!("Calendar {} created.", row.name),
            );
            Ok(redirect(&format!("/admin/calendars/{}", row.id)))
        }
        Err(errors) => invalid(&CalendarPage::new(admin.0.ctx(), None, form, errors)),
    }
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
            weekday: day_name(chrono::Datelike::weekday(&h.holiday_date)),
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
    let errors = match form.parse() {
        Ok(input) => {
            let (actor, now) = (admin.0.id(), state.clock.now());
            let updated = db::run(&state.pool, move |conn| {
                levels::update_calendar(conn, actor, id, &input, now)
            })
            .await?;
            match updated {
                Ok(row) => {
                    flash(
                        &admin.0.session,
                        FlashKind::Success,
                        format!("Saved {}.", row.name),
                    );
                    return Ok(redirect(&format!("/admin/calendars/{}", row.id)));
                }
                Err(errors) => errors,
            }
        }
        Err(errors) => errors,
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
    invalid(&page)
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

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct PolicyForm {
    name: String,
    due_soon: String,
    p1_response: String,
    p1_resolution: String,
    p1_mode: String,
    p2_response: String,
    p2_resolution: String,
    p2_mode: String,
    p3_response: String,
    p3_resolution: String,
    p3_mode: String,
}

/// The form fields of one priority's row: (response, resolution, mode) names and values.
pub struct TargetFields {
    pub priority: Priority,
    pub response_name: &'static str,
    pub response: String,
    pub resolution_name: &'static str,
    pub resolution: String,
    pub mode_name: &'static str,
    pub mode: String,
}

impl PolicyForm {
    fn from_record(record: &PolicyRecord) -> AppResult<Self> {
        let mut form = Self {
            name: record.row.name.clone(),
            due_soon: format_minutes(i64::from(record.row.due_soon_minutes)),
            ..Self::default()
        };
        let targets = record.sla_targets()?;
        for p in Priority::ALL {
            let t = targets.target(p);
            let (r, s, m) = form.slots_mut(p);
            *r = format_minutes(t.response.num_minutes());
            *s = format_minutes(t.resolution.num_minutes());
            *m = t.mode.as_str().to_string();
        }
        Ok(form)
    }

    fn slots_mut(&mut self, p: Priority) -> (&mut String, &mut String, &mut String) {
        match p {
            Priority::P1 => (
                &mut self.p1_response,
                &mut self.p1_resolution,
                &mut self.p1_mode,
            ),
            Priority::P2 => (
                &mut self.p2_response,
                &mut self.p2_resolution,
                &mut self.p2_mode,
            ),
            Priority::P3 => (
                &mut self.p3_response,
                &mut self.p3_resolution,
                &mut self.p3_mode,
            ),
        }
    }

    fn fields(&self) -> Vec<TargetFields> {
        let row = |priority,
                   names: (&'static str, &'static str, &'static str),
                   values: (&String, &String, &String)| TargetFields {
            priority,
            response_name: names.0,
            response: values.0.clone(),
            resolution_name: names.1,
            resolution: values.1.clone(),
            mode_name: names.2,
            mode: values.2.clone(),
        };
        vec![
            row(
                Priority::P1,
                ("p1_response", "p1_resolution", "p1_mode"),
                (&self.p1_response, &self.p1_resolution, &self.p1_mode),
            ),
            row(
                Priority::P2,
                ("p2_response", "p2_resolution", "p2_mode"),
                (&self.p2_response, &self.p2_resolution, &self.p2_mode),
            ),
            row(
                Priority::P3,
                ("p3_response", "p3_resolution", "p3_mode"),
                (&self.p3_response, &self.p3_resolution, &self.p3_mode),
            ),
        ]
    }

    fn parse(&self) -> Result<PolicyInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.take("name", Line::parse(&self.name, "a name", 80));
        let due_soon = errors.take("due_soon", parse_minutes(&self.due_soon));
        let mut targets = SlaTargets::blueprint_default();
        for f in self.fields() {
            let response = errors.take(f.response_name, parse_minutes(&f.response));
            let resolution = errors.take(f.resolution_name, parse_minutes(&f.resolution));
            let mode = errors.take(f.mode_name, ClockMode::parse(&f.mode));
            if let (Some(response), Some(resolution), Some(mode)) = (response, resolution, mode) {
                targets = targets.with(
                    f.priority,
                    Target {
                        response: chrono::Duration::minutes(response),
                        resolution: chrono::Duration::minutes(resolution),
                        mode,
                    },
                );
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        if let Err(problems) = targets.validate() {
            for (priority, message) in problems {
                let field = match priority {
                    Priority::P1 => "p1_resolution",
                    Priority::P2 => "p2_resolution",
                    Priority::P3 => "p3_resolution",
                };
                errors.add(field, message);
            }
            return Err(errors);
        }
        match (name, due_soon) {
            (Some(name), Some(due_soon)) => Ok(PolicyInput {
                name: name.into_string(),
                due_soon_minutes: i32::try_from(due_soon).unwrap_or(i32::MAX),
                targets,
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Template)]
#[template(path = "service_levels/policy.html")]
struct PolicyPage {
    ctx: Ctx,
    editing: Option<i64>,
    form: PolicyForm,
    rows: Vec<TargetFields>,
    modes: [ClockMode; 2],
    errors: FieldErrors,
    history: Vec<HistoryItem>,
}

impl PolicyPage {
    fn new(ctx: Ctx, editing: Option<i64>, form: PolicyForm, errors: FieldErrors) -> Self {
        Self {
            ctx,
            editing,
            rows: form.fields(),
            form,
            modes: ClockMode::ALL,
            errors,
            history: Vec::new(),
        }
    }
}

pub async fn new_policy_form(admin: Admin) -> AppResult<HttpResponse> {
    let mut form = PolicyForm {
        due_soon: "30m".into(),
        ..PolicyForm::default()
    };
    let defaults = SlaTargets::blueprint_default();
    for p in Priority::ALL {
        let t = defaults.target(p);
        let (r, s, m) = form.slots_mut(p);
        *r = format_minutes(t.response.num_minutes());
        *s = format_minutes(t.resolution.num_minutes());
        *m = t.mode.as_str().to_string();
    }
    render(&PolicyPage::new(
        admin.0.ctx(),
        None,
        form,
        FieldErrors::new(),
    ))
}

pub async fn create_policy(
    state: web::Data<AppState>,
    admin: Admin,
    form: web::Form<PolicyForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let input = match form.parse() {
        Ok(input) => input,
        Err(errors) => return invalid(&PolicyPage::new(admin.0.ctx(), None, form, errors)),
    };
    let (actor, now) = (admin.0.id(), state.clock.now());
    let created = db::run(&state.pool, move |conn| {
        levels::create_policy(conn, actor, &input, now)
    })
    .await?;
    match created {
        Ok(row) => {
            flash(
                &admin.0.session,
                FlashKind::Success,
                format!("SLA policy {} created.", row.name),
            );
            Ok(redirect("/admin/service-levels"))
        }
        Err(errors) => invalid(&PolicyPage::new(admin.0.ctx(), None, form, errors)),
    }
}

pub async fn show_policy(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = PolicyId(path.into_inner());
    let (record, history) = db::run(&state.pool, move |conn| {
        Ok((
            levels::load_policy(conn, id)?,
            audit::history(conn, audit::Entity::SlaPolicy, id.0, 30)?,
        ))
    })
    .await?;
    let mut page = PolicyPage::new(
        admin.0.ctx(),
        Some(record.row.id),
        PolicyForm::from_record(&record)?,
        FieldErrors::new(),
    );
    page.history = history_items(history, admin.0.zone());
    render(&page)
}

pub async fn update_policy(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<i64>,
    form: web::Form<PolicyForm>,
) -> AppResult<HttpResponse> {
    let id = PolicyId(path.into_inner());
    let form = form.into_inner();
    let input = match form.parse() {
        Ok(input) => input,
        Err(errors) => return invalid(&PolicyPage::new(admin.0.ctx(), Some(id.0), form, errors)),
    };
    let (actor, now) = (admin.0.id(), state.clock.now());
    let updated = db::run(&state.pool, move |conn| {
        levels::update_policy(conn, actor, id, &input, now)
    })
    .await?;
    match updated {
        Ok(row) => {
            flash(
                &admin.0.session,
                FlashKind::Success,
                format!("Saved {}.", row.name),
            );
            Ok(redirect("/admin/service-levels"))
        }
        Err(errors) => invalid(&PolicyPage::new(admin.0.ctx(), Some(id.0), form, errors)),
    }
}

/// One cell of the matrix form: its field name and the priority it holds.
pub struct MatrixCell {
    pub field: String,
    pub urgency: Urgency,
    pub priority: Priority,
}

pub struct MatrixRow {
    pub impact: Impact,
    pub cells: Vec<MatrixCell>,
}

#[derive(Template)]
#[template(path = "service_levels/matrix.html")]
struct MatrixPage {
    ctx: Ctx,
    rows: Vec<MatrixRow>,
    urgencies: [Urgency; 3],
    impacts: [Impact; 3],
    priorities: [Priority; 3],
    can_edit: bool,
    error: Option<String>,
    history: Vec<HistoryItem>,
}

fn matrix_rows(matrix: &PriorityMatrix) -> Vec<MatrixRow> {
    Impact::ALL
        .into_iter()
        .map(|impact| MatrixRow {
            impact,
            cells: Urgency::ALL
                .into_iter()
                .map(|urgency| MatrixCell {
                    field: format!("{}_{}", impact.as_str(), urgency.as_str()),
                    urgency,
                    priority: matrix.priority(impact, urgency),
                })
                .collect(),
        })
        .collect()
}

/// Anybody on the desk may read the matrix (it is the triage guidance); admins change it.
pub async fn show_matrix(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    let (matrix, history) = db::run(&state.pool, |conn| {
        Ok((
            levels::load_matrix(conn)?,
            audit::history(conn, audit::Entity::PriorityMatrix, 0, 20)?,
        ))
    })
    .await?;
    let history = if user.row.role().is_admin() {
        history_items(history, user.zone())
    } else {
        Vec::new()
    };
    render(&MatrixPage {
        ctx: user.ctx(),
        rows: matrix_rows(&matrix),
        urgencies: Urgency::ALL,
        impacts: Impact::ALL,
        priorities: Priority::ALL,
        can_edit: user.row.role().is_admin(),
        error: None,
        history,
    })
}

pub async fn update_matrix(
    state: web::Data<AppState>,
    admin: Admin,
    form: web::Form<std::collections::HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let mut matrix = PriorityMatrix::blueprint_default();
    let mut unreadable = Vec::new();
    for impact in Impact::ALL {
        for urgency in Urgency::ALL {
            let field = format!("{}_{}", impact.as_str(), urgency.as_str());
            match form.get(&field).map(|v| Priority::parse(v)) {
                Some(Ok(priority)) => matrix = matrix.with(impact, urgency, priority),
                _ => unreadable.push(field),
            }
        }
    }
    let problem = if unreadable.is_empty() {
        matrix.validate().err()
    } else {
        Some(format!(
            "Choose a priority for every cell ({}).",
            unreadable.join(", ")
        ))
    };
    if let Some(error) = problem {
        return invalid(&MatrixPage {
            ctx: admin.0.ctx(),
            rows: matrix_rows(&matrix),
            urgencies: Urgency::ALL,
            impacts: Impact::ALL,
            priorities: Priority::ALL,
            can_edit: true,
            error: Some(error),
            history: Vec::new(),
        });
    }
    let (actor, now) = (admin.0.id(), state.clock.now());
    db::run(&state.pool, move |conn| {
        levels::save_matrix(conn, actor, &matrix, now)
    })
    .await?;
    flash(
        &admin.0.session,
        FlashKind::Success,
        "Priority matrix saved.",
    );
    Ok(redirect("/priority-matrix"))
}
