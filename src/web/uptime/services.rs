//! A client's hosted services: the list with this month's standing, adding and changing a
//! service's terms, and a manager's sign-off of the infrastructure upgrade.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{field_value, local};
use crate::db::{self, clients::ClientRow, uptime::ServiceRow, uptime::outages::OutageRow};
use crate::domain::ids::{ClientId, HostedServiceId};
use crate::domain::inputs::FieldErrors;
use crate::domain::uptime::{EffectiveRule, Month, minutes_text, percent_text};
use crate::domain::uptime_input::{ServiceFields, parse_day, parse_service};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::{CurrentUser, Manager};
use crate::web::forms::{Changed, checkbox, conflict, invalid, parse_version};
use crate::web::page::{Ctx, FlashKind, flash, redirect, render};

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ServiceForm {
    name: String,
    covers: String,
    guarantee: String,
    contract_start: String,
    rule: String,
    after_days: String,
    planned_counts: Option<String>,
    version: String,
}

impl ServiceForm {
    fn fields(&self) -> ServiceFields<'_> {
        ServiceFields {
            name: &self.name,
            covers: &self.covers,
            guarantee: &self.guarantee,
            contract_start: &self.contract_start,
            rule: &self.rule,
            after_days: &self.after_days,
            planned_counts: checkbox(&self.planned_counts),
        }
    }

    fn of(row: &ServiceRow) -> Self {
        let (rule, after_days) = match row.rule() {
            EffectiveRule::AfterDays(d) => ("after_days", d.to_string()),
            EffectiveRule::AfterSignOff(_) => ("after_sign_off", String::new()),
        };
        ServiceForm {
            name: row.name.clone(),
            covers: row.covers.clone(),
            guarantee: percent_text(row.guarantee_thousandths.max(0) as u32, false),
            contract_start: row.contract_start.to_string(),
            rule: rule.into(),
            after_days,
            planned_counts: row.planned_counts.then(|| "on".into()),
            version: row.version.to_string(),
        }
    }

    pub fn planned_ticked(&self) -> bool {
        checkbox(&self.planned_counts)
    }
}

/// One service as listed, with the current month's standing.
pub struct ServiceLine {
    pub id: i64,
    pub name: String,
    pub covers: String,
    pub guarantee: String,
    pub applies: String,
    pub month_key: String,
    pub standing: &'static str,
    pub standing_key: &'static str,
    pub used: String,
    pub allowed: String,
}

fn applies_text(row: &ServiceRow, tz: chrono_tz::Tz) -> String {
    match (row.rule(), row.effective_from(tz)) {
        (_, Some(from)) => format!("from {}", from.with_timezone(&tz).format("%-d %b %Y")),
        (EffectiveRule::AfterSignOff(None), None) => {
            "after the infrastructure upgrade is signed off (awaited)".into()
        }
        _ => "not yet".into(),
    }
}

#[derive(Template)]
#[template(path = "uptime/services.html")]
struct ServicesPage {
    ctx: Ctx,
    client: ClientRow,
    zone: String,
    services: Vec<ServiceLine>,
    can_manage: bool,
    form: ServiceForm,
    errors: FieldErrors,
}

async fn services_page(
    state: &AppState,
    user: &CurrentUser,
    client: ClientId,
    form: ServiceForm,
    errors: FieldErrors,
) -> AppResult<ServicesPage> {
    let now = state.clock.now();
    let (row, tz, lines) = db::run(&state.pool, move |conn| {
        let row = db::clients::get(conn, client)?;
        let tz = db::uptime::client_zone(conn, client)?;
        let month = Month::containing(tz, now);
        let mut lines = Vec::new();
        for s in db::uptime::services_of(conn, client)? {
            let figure = db::uptime::month_figure(conn, &s, tz, month, now)?;
            lines.push(ServiceLine {
                id: s.id.0,
                name: s.name.clone(),
                covers: s.covers.clone(),
                guarantee: s.guarantee()?.label(),
                applies: applies_text(&s, tz),
                month_key: month.key(),
                standing: figure.standing.label(),
                standing_key: figure.standing.key(),
                used: minutes_text(figure.used_ms),
                allowed: minutes_text(figure.allowed_ms),
            });
        }
        Ok((row, tz, lines))
    })
    .await?;
    Ok(ServicesPage {
        ctx: user.ctx(),
        client: row,
        zone: tz.name().to_string(),
        services: lines,
        can_manage: user.row.role().is_manager(),
        form,
        errors,
    })
}

pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let form = ServiceForm {
        guarantee: "99.9".into(),
        rule: "after_days".into(),
        after_days: "30".into(),
        ..ServiceForm::default()
    };
    render(
        &services_page(
            &state,
            &user,
            ClientId(path.into_inner()),
            form,
            FieldErrors::new(),
        )
        .await?,
    )
}

pub async fn create(
    state: web::Data<AppState>,
    manager: Manager,
    path: web::Path<i64>,
    form: web::Form<ServiceForm>,
) -> AppResult<HttpResponse> {
    let client = ClientId(path.into_inner());
    let form = form.into_inner();
    let user = manager.0;
    let (actor, now) = (user.id(), state.clock.now());
    let result = match parse_service(&form.fields()) {
        Ok(input) => {
            db::run(&state.pool, move |conn| {
                db::uptime::create(conn, actor, client, input, now)
            })
            .await?
        }
        Err(errors) => Err(errors),
    };
    match result {
        Ok(row) => {
            flash(
                &user.session,
                FlashKind::Success,
                format!("Service {} added.", row.name),
            );
            Ok(redirect(&format!("/hosted-services/{}", row.id)))
        }
        Err(errors) => invalid(&services_page(&state, &user, client, form, errors).await?),
    }
}

/// An outage as listed on its service's page.
pub struct OutageLine {
    pub id: i64,
    pub started: String,
    pub ended: String,
    pub minutes: String,
    pub planned: bool,
    pub note: String,
}

pub fn outage_line(o: &OutageRow, tz: chrono_tz::Tz) -> OutageLine {
    OutageLine {
        id: o.id.0,
        started: local(o.started_at, tz),
        ended: o
            .ended_at
            .map(|e| local(e, tz))
            .unwrap_or_else(|| "ongoing".into()),
        minutes: o
            .ended_at
            .map(|e| minutes_text((e - o.started_at).num_milliseconds()))
            .unwrap_or_else(|| "—".into()),
        planned: o.planned,
        note: o.note.clone(),
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignOffForm {
    signed_off_on: String,
}

#[derive(Template)]
#[template(path = "uptime/service.html")]
struct ServicePage {
    ctx: Ctx,
    client: ClientRow,
    service: ServiceRow,
    guarantee: String,
    applies: String,
    signed_off: Option<String>,
    zone: String,
    months: Vec<(String, String)>,
    outages: Vec<OutageLine>,
    can_manage: bool,
    form: ServiceForm,
    errors: FieldErrors,
    sign_off: SignOffForm,
    sign_off_errors: FieldErrors,
    outage: super::OutageForm,
    outage_errors: FieldErrors,
}

pub(super) struct ServiceForms {
    pub form: Option<ServiceForm>,
    pub errors: FieldErrors,
    pub sign_off: SignOffForm,
    pub sign_off_errors: FieldErrors,
    pub outage: super::OutageForm,
    pub outage_errors: FieldErrors,
}

impl Default for ServiceForms {
    fn default() -> Self {
        ServiceForms {
            form: None,
            errors: FieldErrors::new(),
            sign_off: SignOffForm::default(),
            sign_off_errors: FieldErrors::new(),
            outage: super::OutageForm::default(),
            outage_errors: FieldErrors::new(),
        }
    }
}

pub(super) async fn service_page(
    state: &AppState,
    user: &CurrentUser,
    id: HostedServiceId,
    forms: ServiceForms,
) -> AppResult<impl Template + use<>> {
    let now = state.clock.now();
    let (service, client, tz, outages, signer) = db::run(&state.pool, move |conn| {
        let service = db::uptime::get(conn, id)?;
        let client = db::clients::get(conn, ClientId(service.client_id))?;
        let tz = db::uptime::client_zone(conn, ClientId(service.client_id))?;
        let outages = db::uptime::outages::latest(conn, id, 100)?;
        let signer = match service.signed_off_by {
            Some(u) => Some(db::users::get(conn, crate::domain::ids::UserId(u))?.display_name),
            None => None,
        };
        Ok((service, client, tz, outages, signer))
    })
    .await?;
    let current = Month::containing(tz, now);
    let months = [current, current.previous(), current.previous().previous()]
        .iter()
        .map(|m| (m.key(), m.label()))
        .collect();
    let signed_off = service.signed_off_on.map(|on| {
        format!(
            "{} by {}",
            on.format("%-d %b %Y"),
            signer.unwrap_or_default()
        )
    });
    Ok(ServicePage {
        ctx: user.ctx(),
        guarantee: service.guarantee()?.label(),
        applies: applies_text(&service, tz),
        signed_off,
        zone: tz.name().to_string(),
        months,
        outages: outages.iter().map(|o| outage_line(o, tz)).collect(),
        can_manage: user.row.role().is_manager(),
        form: forms.form.unwrap_or_else(|| ServiceForm::of(&service)),
        errors: forms.errors,
        sign_off: forms.sign_off,
        sign_off_errors: forms.sign_off_errors,
        outage: if forms.outage.started_at.is_empty() {
            super::OutageForm {
                started_at: field_value(now.naive_utc(), tz),
                ..forms.outage
            }
        } else {
            forms.outage
        },
        outage_errors: forms.outage_errors,
        client,
        service,
    })
}

pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    render(
        &service_page(
            &state,
            &user,
            HostedServiceId(path.into_inner()),
            ServiceForms::default(),
        )
        .await?,
    )
}

pub async fn update(
    state: web::Data<AppState>,
    manager: Manager,
    path: web::Path<i64>,
    form: web::Form<ServiceForm>,
) -> AppResult<HttpResponse> {
    let id = HostedServiceId(path.into_inner());
    let form = form.into_inner();
    let user = manager.0;
    let mut errors = FieldErrors::new();
    let version = errors.take("version", parse_version(&form.version));
    let parsed = parse_service(&form.fields());
    let (input, version) = match (parsed, version) {
        (Ok(input), Some(version)) => (input, version),
        (Err(more), _) => {
            let forms = ServiceForms {
                form: Some(form),
                errors: more,
                ..ServiceForms::default()
            };
            return invalid(&service_page(&state, &user, id, forms).await?);
        }
        (Ok(_), None) => {
            let forms = ServiceForms {
                form: Some(form),
                errors,
                ..ServiceForms::default()
            };
            return invalid(&service_page(&state, &user, id, forms).await?);
        }
    };
    let now = state.clock.now();
    let actor = user.id();
    let result = db::run(&state.pool, move |conn| {
        db::uptime::update(conn, actor, id, version, input, now)
    })
    .await;
    match result {
        Ok(Ok(row)) => {
            flash(
                &user.session,
                FlashKind::Success,
                format!("Service {} saved.", row.name),
            );
            Ok(redirect(&format!("/hosted-services/{}", row.id)))
        }
        Ok(Err(errors)) => {
            let forms = ServiceForms {
                form: Some(form),
                errors,
                ..ServiceForms::default()
            };
            invalid(&service_page(&state, &user, id, forms).await?)
        }
        Err(crate::error::AppError::Conflict(message)) => {
            let back = format!("/hosted-services/{}", id);
            conflict(
                user.ctx(),
                Changed {
                    subject: &form.name,
                    back: &back,
                    back_label: "Open the service as it is now",
                },
                message,
                form.covers.clone(),
            )
        }
        Err(e) => Err(e),
    }
}

pub async fn sign_off(
    state: web::Data<AppState>,
    manager: Manager,
    path: web::Path<i64>,
    form: web::Form<SignOffForm>,
) -> AppResult<HttpResponse> {
    let id = HostedServiceId(path.into_inner());
    let form = form.into_inner();
    let user = manager.0;
    let parsed = parse_day(&form.signed_off_on, "sign-off date")
        .map_err(|m| FieldErrors::single("signed_off_on", m));
    let (actor, now) = (user.id(), state.clock.now());
    let page = |errors| ServiceForms {
        sign_off: form.clone(),
        sign_off_errors: errors,
        ..ServiceForms::default()
    };
    let result = match parsed {
        Ok(on) => {
            db::run(&state.pool, move |conn| {
                db::uptime::sign_off(conn, actor, id, on, now)
            })
            .await?
        }
        Err(errors) => Err(errors),
    };
    match result {
        Ok(row) => {
            flash(
                &user.session,
                FlashKind::Success,
                format!(
                    "Infrastructure upgrade signed off: the guarantee of {} applies.",
                    row.name
                ),
            );
            Ok(redirect(&format!("/hosted-services/{}", row.id)))
        }
        Err(errors) => invalid(&service_page(&state, &user, id, page(errors)).await?),
    }
}
