//! Outages: opened on a service's page or from a P1 incident in one step, changed, ended (at the
//! incident's solve time when offered on the ticket page), and linked to incidents.

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{TimeZone, Utc};
use serde::Deserialize;

use super::services::{ServiceForms, outage_line, service_page};
use super::{OutageForm, field_value};
use crate::db::{self, uptime::ServiceRow, uptime::outages::OutageRow};
use crate::domain::ids::{ClientId, HostedServiceId, OutageId, TicketId};
use crate::domain::inputs::FieldErrors;
use crate::domain::uptime::Month;
use crate::domain::uptime_input::{parse_local_time, parse_outage};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::forms::{Changed, conflict, invalid, parse_optional_id, parse_version};
use crate::web::page::{Ctx, FlashKind, flash, redirect, render};

pub async fn open(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<OutageForm>,
) -> AppResult<HttpResponse> {
    let service = HostedServiceId(path.into_inner());
    let form = form.into_inner();
    let (actor, now) = (user.id(), state.clock.now());
    let planned = form.planned_ticked();
    let (start, end, note) = (
        form.started_at.clone(),
        form.ended_at.clone(),
        form.note.clone(),
    );
    let result = db::run(&state.pool, move |conn| {
        let row = db::uptime::get(conn, service)?;
        let tz = db::uptime::client_zone(conn, ClientId(row.client_id))?;
        match parse_outage((&start, &end, &note), planned, tz, now) {
            Ok(input) => db::uptime::outages::open(conn, actor, service, input, None, now),
            Err(errors) => Ok(Err(errors)),
        }
    })
    .await?;
    match result {
        Ok(row) => {
            flash(
                &user.session,
                FlashKind::Success,
                format!("Outage #{} recorded.", row.id),
            );
            Ok(redirect(&format!("/outages/{}", row.id)))
        }
        Err(errors) => {
            let forms = ServiceForms {
                outage: form,
                outage_errors: errors,
                ..ServiceForms::default()
            };
            invalid(&service_page(&state, &user, service, forms).await?)
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct LinkForm {
    ticket_id: String,
}

#[derive(Template)]
#[template(path = "uptime/outage.html")]
struct OutagePage {
    ctx: Ctx,
    service: ServiceRow,
    client_name: String,
    zone: String,
    outage: OutageRow,
    line: super::services::OutageLine,
    month_key: String,
    incidents: Vec<(i64, String)>,
    form: OutageForm,
    errors: FieldErrors,
    end_form: OutageForm,
    end_errors: FieldErrors,
    link: LinkForm,
    link_errors: FieldErrors,
}

#[derive(Default)]
struct OutageForms {
    form: Option<OutageForm>,
    errors: FieldErrors,
    end_form: Option<OutageForm>,
    end_errors: FieldErrors,
    link: LinkForm,
    link_errors: FieldErrors,
}

async fn outage_page(
    state: &AppState,
    user: &CurrentUser,
    id: OutageId,
    forms: OutageForms,
) -> AppResult<OutagePage> {
    let now = state.clock.now();
    let (outage, service, client_name, tz, incidents) = db::run(&state.pool, move |conn| {
        let outage = db::uptime::outages::get(conn, id)?;
        let service = db::uptime::get(conn, outage.service_id)?;
        let client = ClientId(service.client_id);
        let client_name = db::clients::get(conn, client)?.name;
        let tz = db::uptime::client_zone(conn, client)?;
        let incidents = db::uptime::outages::incidents(conn, id)?;
        Ok((outage, service, client_name, tz, incidents))
    })
    .await?;
    let form = forms.form.unwrap_or_else(|| OutageForm {
        started_at: field_value(outage.started_at, tz),
        ended_at: outage
            .ended_at
            .map(|e| field_value(e, tz))
            .unwrap_or_default(),
        planned: outage.planned.then(|| "on".into()),
        note: outage.note.clone(),
        version: outage.version.to_string(),
    });
    let end_form = forms.end_form.unwrap_or_else(|| OutageForm {
        ended_at: field_value(now.naive_utc(), tz),
        ..OutageForm::default()
    });
    Ok(OutagePage {
        ctx: user.ctx(),
        line: outage_line(&outage, tz),
        month_key: Month::containing(tz, Utc.from_utc_datetime(&outage.started_at)).key(),
        zone: tz.name().to_string(),
        client_name,
        service,
        outage,
        incidents,
        form,
        errors: forms.errors,
        end_form,
        end_errors: forms.end_errors,
        link: forms.link,
        link_errors: forms.link_errors,
    })
}

pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    render(
        &outage_page(
            &state,
            &user,
            OutageId(path.into_inner()),
            OutageForms::default(),
        )
        .await?,
    )
}

pub async fn edit(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<OutageForm>,
) -> AppResult<HttpResponse> {
    let id = OutageId(path.into_inner());
    let form = form.into_inner();
    let now = state.clock.now();
    let version = match parse_version(&form.version) {
        Ok(v) => v,
        Err(m) => {
            let forms = OutageForms {
                form: Some(form),
                errors: FieldErrors::single("version", m),
                ..OutageForms::default()
            };
            return invalid(&outage_page(&state, &user, id, forms).await?);
        }
    };
    let planned = form.planned_ticked();
    let (start, end, note) = (
        form.started_at.clone(),
        form.ended_at.clone(),
        form.note.clone(),
    );
    let result = db::run(&state.pool, move |conn| {
        let outage = db::uptime::outages::get(conn, id)?;
        let service = db::uptime::get(conn, outage.service_id)?;
        let tz = db::uptime::client_zone(conn, ClientId(service.client_id))?;
        match parse_outage((&start, &end, &note), planned, tz, now) {
            Ok(input) => db::uptime::outages::edit(conn, id, version, input, now),
            Err(errors) => Ok(Err(errors)),
        }
    })
    .await;
    match result {
        Ok(Ok(row)) => {
            flash(
                &user.session,
                FlashKind::Success,
                format!("Outage #{} saved.", row.id),
            );
            Ok(redirect(&format!("/outages/{}", row.id)))
        }
        Ok(Err(errors)) => {
            let forms = OutageForms {
                form: Some(form),
                errors,
                ..OutageForms::default()
            };
            invalid(&outage_page(&state, &user, id, forms).await?)
        }
        Err(AppError::Conflict(message)) => {
            let back = format!("/outages/{id}");
            conflict(
                user.ctx(),
                Changed {
                    subject: &format!("Outage #{id}"),
                    back: &back,
                    back_label: "Open the outage as it is now",
                },
                message,
                form.note.clone(),
            )
        }
        Err(e) => Err(e),
    }
}

pub async fn end(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<OutageForm>,
) -> AppResult<HttpResponse> {
    let id = OutageId(path.into_inner());
    let form = form.into_inner();
    let now = state.clock.now();
    let raw = form.ended_at.clone();
    let result = db::run(&state.pool, move |conn| {
        let outage = db::uptime::outages::get(conn, id)?;
        let service = db::uptime::get(conn, outage.service_id)?;
        let tz = db::uptime::client_zone(conn, ClientId(service.client_id))?;
        match parse_local_time(&raw, tz, "end") {
            Ok(end) => db::uptime::outages::end(conn, id, end, now),
            Err(m) => Ok(Err(FieldErrors::single("ended_at", m))),
        }
    })
    .await?;
    match result {
        Ok(row) => {
            flash(
                &user.session,
                FlashKind::Success,
                format!("Outage #{} ended.", row.id),
            );
            Ok(redirect(&format!("/outages/{}", row.id)))
        }
        Err(errors) => {
            let forms = OutageForms {
                end_form: Some(form),
                end_errors: errors,
                ..OutageForms::default()
            };
            invalid(&outage_page(&state, &user, id, forms).await?)
        }
    }
}

pub async fn link(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<LinkForm>,
) -> AppResult<HttpResponse> {
    let id = OutageId(path.into_inner());
    let form = form.into_inner();
    let (actor, now) = (user.id(), state.clock.now());
    let result = match parse_optional_id(
        form.ticket_id.trim().trim_start_matches('#'),
        "a ticket number",
    ) {
        Ok(Some(ticket)) => {
            db::run(&state.pool, move |conn| {
                db::uptime::outages::link_incident(conn, actor, id, TicketId(ticket), now)
            })
            .await?
        }
        Ok(None) => Err(FieldErrors::single(
            "ticket_id",
            "Give the incident's number.",
        )),
        Err(_) => Err(FieldErrors::single(
            "ticket_id",
            "Give the incident's number, such as 42.",
        )),
    };
    match result {
        Ok(row) => {
            flash(
                &user.session,
                FlashKind::Success,
                format!("Incident linked to outage #{}.", row.id),
            );
            Ok(redirect(&format!("/outages/{}", row.id)))
        }
        Err(errors) => {
            let forms = OutageForms {
                link: form,
                link_errors: errors,
                ..OutageForms::default()
            };
            invalid(&outage_page(&state, &user, id, forms).await?)
        }
    }
}

/// The ticket page's one-step form: the service that is down, the start and a note.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct FromIncidentForm {
    service_id: String,
    started_at: String,
    note: String,
}

/// Opens an ongoing unplanned outage from a P1 incident, linked to it.
pub async fn open_from_incident(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<FromIncidentForm>,
) -> AppResult<HttpResponse> {
    let ticket = TicketId(path.into_inner());
    let form = form.into_inner();
    let (actor, now) = (user.id(), state.clock.now());
    let result = db::run(&state.pool, move |conn| {
        let row = db::tickets::row::get(conn, ticket)?;
        if !db::uptime::outages::may_open_from(
            row.priority,
            row.kind == crate::domain::ticket::Kind::Incident,
        ) {
            return Err(AppError::ForbiddenBecause(
                "Only a P1 incident opens an outage.".into(),
            ));
        }
        let tz = db::uptime::client_zone(conn, ClientId(row.client_id))?;
        let service = match form.service_id.trim().parse::<i64>() {
            Ok(id) => HostedServiceId(id),
            Err(_) => {
                return Ok(Err(FieldErrors::single(
                    "service_id",
                    "Choose the service that is down.",
                )));
            }
        };
        let start = if form.started_at.trim().is_empty() {
            field_value(row.created_at, tz)
        } else {
            form.started_at.clone()
        };
        match parse_outage((&start, "", &form.note), false, tz, now) {
            Ok(input) => db::uptime::outages::open(conn, actor, service, input, Some(ticket), now),
            Err(errors) => Ok(Err(errors)),
        }
    })
    .await?;
    match result {
        Ok(row) => {
            flash(
                &user.session,
                FlashKind::Success,
                format!("Outage #{} opened from this incident.", row.id),
            );
        }
        Err(errors) => {
            let message = errors
                .get("service_id")
                .or(errors.get("started_at"))
                .or(errors.get("note"))
                .unwrap_or("The outage was not opened.");
            flash(
                &user.session,
                FlashKind::Notice,
                format!("Outage not opened: {message}"),
            );
        }
    }
    Ok(redirect(&format!("/tickets/{}", ticket.0)))
}

/// Ends an ongoing outage linked to a solved incident at the incident's solve time.
pub async fn end_at_solve(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let (ticket, outage) = path.into_inner();
    let (ticket, outage) = (TicketId(ticket), OutageId(outage));
    let now = state.clock.now();
    let result = db::run(&state.pool, move |conn| {
        let row = db::tickets::row::get(conn, ticket)?;
        let linked = db::uptime::outages::linked_to_ticket(conn, ticket)?;
        if !linked.iter().any(|l| l.outage.id == outage) {
            return Err(AppError::NotFound);
        }
        let Some(solved) = row.solved_at else {
            return Ok(Err(FieldErrors::single(
                "ended_at",
                "The incident is not solved yet.",
            )));
        };
        db::uptime::outages::end(conn, outage, Utc.from_utc_datetime(&solved), now)
    })
    .await?;
    match result {
        Ok(row) => flash(
            &user.session,
            FlashKind::Success,
            format!("Outage #{} ended at the solve time.", row.id),
        ),
        Err(errors) => flash(
            &user.session,
            FlashKind::Notice,
            format!(
                "Outage not ended: {}",
                errors.get("ended_at").unwrap_or("check the outage.")
            ),
        ),
    }
    Ok(redirect(&format!("/tickets/{}", ticket.0)))
}
