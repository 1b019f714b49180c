//! Logging a problem: the blueprints' problem ticket as a form, optionally from an incident,
//! which it links.

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDateTime;
use serde::Deserialize;

use super::actions::parse_ticket;
use crate::db::categories::list_categories;
use crate::db::problems::{self, NewProblem};
use crate::db::tickets;
use crate::db::{self, clients, users};
use crate::domain::ids::{TicketId, UserId};
use crate::domain::inputs::FieldErrors;
use crate::domain::priority::{Impact, Urgency};
use crate::domain::problem::{self, MAX_SUBJECT, MAX_TEXT, check_optional, check_text};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::forms::{invalid, parse_optional_id};
use crate::web::page::{Ctx, FlashKind, flash, redirect, render};

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProblemForm {
    pub(super) subject: String,
    pub(super) description: String,
    pub(super) business_impact: String,
    pub(super) symptoms: String,
    pub(super) service_details: String,
    pub(super) equipment_details: String,
    pub(super) previous_fixes: String,
    pub(super) occurred_at: String,
    pub(super) client_id: String,
    pub(super) category_id: String,
    pub(super) team: String,
    pub(super) owner_id: String,
    pub(super) impact: String,
    pub(super) urgency: String,
    pub(super) from_ticket: String,
}

/// The choices of the problem ticket's lists, shared by the log and edit forms.
pub(super) struct Choices {
    pub clients: Vec<(String, String)>,
    pub categories: Vec<(String, String)>,
    pub owners: Vec<(String, String)>,
    pub impacts: Vec<(String, String)>,
    pub urgencies: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "problems/new.html")]
struct NewPage {
    ctx: Ctx,
    form: ProblemForm,
    errors: FieldErrors,
    c: Choices,
}

async fn new_page(
    state: &AppState,
    user: &CurrentUser,
    form: ProblemForm,
    errors: FieldErrors,
) -> AppResult<NewPage> {
    Ok(NewPage {
        ctx: user.ctx(),
        form,
        errors,
        c: choices(state).await?,
    })
}

pub(super) async fn choices(state: &AppState) -> AppResult<Choices> {
    let (clients, categories, owners) = db::run(&state.pool, |conn| {
        let clients: Vec<(String, String)> = std::iter::once((String::new(), "None".to_string()))
            .chain(
                clients::list(conn, false)?
                    .into_iter()
                    .map(|c| (c.client.id.to_string(), c.client.name)),
            )
            .collect();
        let categories: Vec<(String, String)> =
            std::iter::once((String::new(), "None".to_string()))
                .chain(
                    list_categories(conn)?
                        .into_iter()
                        .filter(|c| c.active)
                        .map(|c| (c.id.to_string(), c.name)),
                )
                .collect();
        let owners: Vec<(String, String)> = users::list(conn)?
            .into_iter()
            .filter(|u| problem::check_owner(u.role(), u.tier(), u.active).is_ok())
            .map(|u| (u.id.to_string(), u.display_name))
            .collect();
        Ok((clients, categories, owners))
    })
    .await?;
    let scale = |all: [(&'static str, &'static str); 3]| {
        all.iter()
            .map(|(v, l)| (v.to_string(), l.to_string()))
            .collect()
    };
    Ok(Choices {
        clients,
        categories,
        owners,
        impacts: scale(Impact::ALL.map(|i| (i.as_str(), i.label()))),
        urgencies: scale(Urgency::ALL.map(|u| (u.as_str(), u.label()))),
    })
}

pub(super) fn require_driver(user: &CurrentUser) -> AppResult<()> {
    if super::drives(user) {
        Ok(())
    } else {
        Err(AppError::ForbiddenBecause(
            "Problems are logged by managers and tier 2/3 technicians; link the incident to an \
             existing problem instead."
                .into(),
        ))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    ticket: String,
}

/// The form; from an incident (`?ticket=N`) it starts from the incident's facts.
pub async fn new_form(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<NewQuery>,
) -> AppResult<HttpResponse> {
    require_driver(&user)?;
    let mut form = ProblemForm {
        owner_id: user.row.id.to_string(),
        impact: Impact::Medium.as_str().into(),
        urgency: Urgency::Medium.as_str().into(),
        ..ProblemForm::default()
    };
    if let Ok(ticket) = parse_ticket(&query.ticket) {
        let row = db::run(&state.pool, move |conn| tickets::get(conn, ticket)).await?;
        form.subject = row.subject;
        form.description = row.description;
        form.service_details = row.affected_service;
        form.client_id = row.client_id.to_string();
        form.category_id = row.category_id.map(|c| c.to_string()).unwrap_or_default();
        form.impact = row.impact.as_str().into();
        form.urgency = row.urgency.as_str().into();
        form.from_ticket = ticket.to_string();
    }
    render(&new_page(&state, &user, form, FieldErrors::new()).await?)
}

/// "2026-12-01T09:30" from a datetime-local field, in the viewer's zone.
fn parse_occurred(raw: &str, zone: chrono_tz::Tz) -> Result<Option<NaiveDateTime>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let local = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .map_err(|_| "Enter the date and time it happened, or leave it empty.".to_string())?;
    local
        .and_local_timezone(zone)
        .earliest()
        .map(|t| Some(t.naive_utc()))
        .ok_or_else(|| "That time does not exist in your time zone.".to_string())
}

/// The problem ticket as typed, parsed; the incident it was logged from is its first link.
pub(super) fn parse(form: &ProblemForm, zone: chrono_tz::Tz) -> Result<NewProblem, FieldErrors> {
    let mut e = FieldErrors::new();
    let subject = e.take(
        "subject",
        check_text(&form.subject, "a short subject", MAX_SUBJECT),
    );
    let description = e.take(
        "description",
        check_text(&form.description, "a description", MAX_TEXT),
    );
    let business_impact = e.take(
        "business_impact",
        check_optional(
            &form.business_impact,
            "the impact on the business",
            MAX_TEXT,
        ),
    );
    let symptoms = e.take(
        "symptoms",
        check_optional(&form.symptoms, "the symptoms", MAX_TEXT),
    );
    let service_details = e.take(
        "service_details",
        check_optional(&form.service_details, "the service details", MAX_TEXT),
    );
    let equipment_details = e.take(
        "equipment_details",
        check_optional(&form.equipment_details, "the equipment details", MAX_TEXT),
    );
    let previous_fixes = e.take(
        "previous_fixes",
        check_optional(&form.previous_fixes, "the previous fixes", MAX_TEXT),
    );
    let occurred_at = e.take("occurred_at", parse_occurred(&form.occurred_at, zone));
    let client_id = e.take("client_id", parse_optional_id(&form.client_id, "client"));
    let category_id = e.take(
        "category_id",
        parse_optional_id(&form.category_id, "category"),
    );
    let team = e.take("team", check_optional(&form.team, "the team", MAX_SUBJECT));
    let owner = e.take(
        "owner_id",
        form.owner_id
            .trim()
            .parse::<i64>()
            .map(UserId)
            .map_err(|_| "Choose the problem's owner from the list.".to_string()),
    );
    let impact = e.take("impact", Impact::parse(&form.impact));
    let urgency = e.take("urgency", Urgency::parse(&form.urgency));
    let from: Option<TicketId> = parse_ticket(&form.from_ticket).ok();
    let (
        Some(subject),
        Some(description),
        Some(business_impact),
        Some(symptoms),
        Some(service_details),
        Some(equipment_details),
        Some(previous_fixes),
        Some(occurred_at),
        Some(client_id),
        Some(category_id),
        Some(team),
        Some(owner),
        Some(impact),
        Some(urgency),
    ) = (
        subject,
        description,
        business_impact,
        symptoms,
        service_details,
        equipment_details,
        previous_fixes,
        occurred_at,
        client_id,
        category_id,
        team,
        owner,
        impact,
        urgency,
    )
    else {
        return Err(e);
    };
    Ok(NewProblem {
        subject,
        description,
        business_impact,
        symptoms,
        service_details,
        equipment_details,
        previous_fixes,
        occurred_at,
        client_id,
        category_id,
        team,
        owner,
        impact,
        urgency,
        incidents: from.into_iter().collect(),
    })
}

pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    form: web::Form<ProblemForm>,
) -> AppResult<HttpResponse> {
    require_driver(&user)?;
    let form = form.into_inner();
    let input = match parse(&form, user.zone()) {
        Ok(input) => input,
        Err(e) => return invalid(&new_page(&state, &user, form, e).await?),
    };
    let (now, actor) = (state.clock.now(), user.row.clone());
    match db::run(&state.pool, move |conn| {
        problems::create(conn, &actor, &input, now)
    })
    .await?
    {
        Ok(id) => {
            flash(
                &user.session,
                FlashKind::Success,
                format!("Problem {id} logged."),
            );
            Ok(redirect(&format!("/problems/{}", id.0)))
        }
        Err(errors) => invalid(&new_page(&state, &user, form, errors).await?),
    }
}
