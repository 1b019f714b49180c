//! The managers' alert mappings page: which client a monitoring source and host belong to,
//! how each severity maps to impact and urgency, whether a recovery solves the ticket, and
//! the flap window.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::extract::Manager;
use super::forms::{checkbox, invalid};
use super::page::{Ctx, FlashKind, flash, redirect, render};
use crate::db::alert_sources::{self, MappingInput, MappingRow};
use crate::db::{self};
use crate::domain::alert::{Severity, parse_flap_minutes, parse_pattern};
use crate::domain::ids::ContactId;
use crate::domain::inputs::FieldErrors;
use crate::domain::priority::{Impact, Urgency};
use crate::error::AppResult;
use crate::state::AppState;

pub struct MappingLine {
    pub id: i64,
    pub source: String,
    pub host: String,
    pub client: String,
    pub contact: String,
    /// "Critical: high impact, high urgency; …"
    pub levels: String,
    pub solve_on_recovery: bool,
    pub flap_minutes: i32,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct MappingForm {
    source_pattern: String,
    host_pattern: String,
    contact_id: String,
    critical_impact: String,
    critical_urgency: String,
    warning_impact: String,
    warning_urgency: String,
    info_impact: String,
    info_urgency: String,
    solve_on_recovery: Option<String>,
    flap_minutes: String,
}

impl MappingForm {
    /// The form as a mapping on file fills it, for its edit page.
    fn of(m: &MappingRow) -> Self {
        MappingForm {
            source_pattern: m.source_pattern.clone(),
            host_pattern: m.host_pattern.clone(),
            contact_id: m.contact_id.to_string(),
            critical_impact: m.critical_impact.clone(),
            critical_urgency: m.critical_urgency.clone(),
            warning_impact: m.warning_impact.clone(),
            warning_urgency: m.warning_urgency.clone(),
            info_impact: m.info_impact.clone(),
            info_urgency: m.info_urgency.clone(),
            solve_on_recovery: m.solve_on_recovery.then(|| "on".to_string()),
            flap_minutes: m.flap_minutes.to_string(),
        }
    }

    fn parse(&self) -> Result<MappingInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let source = errors.take(
            "source_pattern",
            parse_pattern(&self.source_pattern, "the source"),
        );
        let host = errors.take(
            "host_pattern",
            parse_pattern(&self.host_pattern, "the host"),
        );
        let contact = errors.take(
            "contact_id",
            self.contact_id
                .trim()
                .parse::<i64>()
                .map_err(|_| "Choose the contact alert tickets are for.".to_string()),
        );
        let mut level = |impact: (&'static str, &str), urgency: (&'static str, &str)| {
            let i = errors.take(impact.0, Impact::parse(impact.1));
            let u = errors.take(urgency.0, Urgency::parse(urgency.1));
            i.zip(u)
        };
        let critical = level(
            ("critical_impact", &self.critical_impact),
            ("critical_urgency", &self.critical_urgency),
        );
        let warning = level(
            ("warning_impact", &self.warning_impact),
            ("warning_urgency", &self.warning_urgency),
        );
        let info = level(
            ("info_impact", &self.info_impact),
            ("info_urgency", &self.info_urgency),
        );
        let flap = errors.take("flap_minutes", parse_flap_minutes(&self.flap_minutes));
        match (source, host, contact, critical, warning, info, flap) {
            (
                Some(source_pattern),
                Some(host_pattern),
                Some(contact),
                Some(critical),
                Some(warning),
                Some(info),
                Some(flap_minutes),
            ) => Ok(MappingInput {
                source_pattern,
                host_pattern,
                contact: ContactId(contact),
                levels: [critical, warning, info],
                solve_on_recovery: checkbox(&self.solve_on_recovery),
                flap_minutes,
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Template)]
#[template(path = "alert_sources/index.html")]
struct MappingsPage {
    ctx: Ctx,
    mappings: Vec<MappingLine>,
    form: MappingForm,
    errors: FieldErrors,
    choices: Choices,
}

#[derive(Template)]
#[template(path = "alert_sources/edit.html")]
struct EditPage {
    ctx: Ctx,
    id: i64,
    form: MappingForm,
    errors: FieldErrors,
    choices: Choices,
}

/// What the mapping form's selects offer.
pub struct Choices {
    contacts: Vec<(String, String)>,
    levels: Vec<(String, String)>,
}

/// Every active contact as "Client: Name <address>", and the impact/urgency levels.
fn choices(conn: &mut db::DbConn) -> AppResult<Choices> {
    let clients = db::clients::list(conn, false)?;
    let contacts = db::clients::active_contacts(conn)?
        .iter()
        .filter_map(|c| {
            let client = clients.iter().find(|k| k.client.id == c.client_id)?;
            Some((
                c.id.to_string(),
                format!("{}: {} <{}>", client.client.name, c.name, c.email),
            ))
        })
        .collect();
    Ok(Choices {
        contacts,
        levels: Impact::ALL
            .iter()
            .map(|i| (i.as_str().to_string(), i.label().to_string()))
            .collect(),
    })
}

async fn page(
    state: &AppState,
    ctx: Ctx,
    form: MappingForm,
    errors: FieldErrors,
) -> AppResult<MappingsPage> {
    let (views, choices) = db::run(&state.pool, |conn| {
        Ok((alert_sources::list(conn)?, choices(conn)?))
    })
    .await?;
    let mappings = views
        .into_iter()
        .map(|v| {
            let m = &v.mapping;
            let levels = Severity::ALL
                .iter()
                .filter_map(|s| {
                    m.handling(*s).ok().map(|h| {
                        format!(
                            "{}: {} impact, {} urgency",
                            s.label(),
                            h.impact.as_str(),
                            h.urgency.as_str()
                        )
                    })
                })
                .collect::<Vec<_>>()
                .join("; ");
            MappingLine {
                id: m.id,
                source: m.source_pattern.clone(),
                host: m.host_pattern.clone(),
                client: v.client_name.clone(),
                contact: v.contact_name.clone(),
                levels,
                solve_on_recovery: m.solve_on_recovery,
                flap_minutes: m.flap_minutes,
            }
        })
        .collect();
    Ok(MappingsPage {
        ctx,
        mappings,
        form,
        errors,
        choices,
    })
}

async fn edit_page(
    state: &AppState,
    ctx: Ctx,
    id: i64,
    form: Option<MappingForm>,
    errors: FieldErrors,
) -> AppResult<EditPage> {
    let (row, choices) = db::run(&state.pool, move |conn| {
        Ok((alert_sources::get(conn, id)?, choices(conn)?))
    })
    .await?;
    Ok(EditPage {
        ctx,
        id,
        form: form.unwrap_or_else(|| MappingForm::of(&row)),
        errors,
        choices,
    })
}

pub async fn index(state: web::Data<AppState>, manager: Manager) -> AppResult<HttpResponse> {
    let form = MappingForm {
        source_pattern: "*".into(),
        host_pattern: "*".into(),
        critical_impact: "high".into(),
        critical_urgency: "high".into(),
        warning_impact: "medium".into(),
        warning_urgency: "medium".into(),
        info_impact: "low".into(),
        info_urgency: "low".into(),
        solve_on_recovery: Some("on".into()),
        flap_minutes: "30".into(),
        ..MappingForm::default()
    };
    render(&page(&state, manager.0.ctx(), form, FieldErrors::new()).await?)
}

pub async fn create(
    state: web::Data<AppState>,
    manager: Manager,
    form: web::Form<MappingForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let input = match form.parse() {
        Ok(input) => input,
        Err(errors) => return invalid(&page(&state, manager.0.ctx(), form, errors).await?),
    };
    let (actor, now) = (manager.0.id(), state.clock.now());
    let saved = db::run(&state.pool, move |conn| {
        alert_sources::create(conn, actor, &input, now)
    })
    .await?;
    match saved {
        Ok(_) => {
            flash(
                &manager.0.session,
                FlashKind::Success,
                "Mapping added: matching alerts now open tickets.",
            );
            Ok(redirect("/admin/alert-sources"))
        }
        Err(errors) => invalid(&page(&state, manager.0.ctx(), form, errors).await?),
    }
}

pub async fn edit(
    state: web::Data<AppState>,
    manager: Manager,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    render(&edit_page(&state, manager.0.ctx(), id, None, FieldErrors::new()).await?)
}

pub async fn update(
    state: web::Data<AppState>,
    manager: Manager,
    path: web::Path<i64>,
    form: web::Form<MappingForm>,
) -> AppResult<HttpResponse> {
    let (id, form) = (path.into_inner(), form.into_inner());
    let refused = |form, errors| async {
        invalid(&edit_page(&state, manager.0.ctx(), id, Some(form), errors).await?)
    };
    let input = match form.parse() {
        Ok(input) => input,
        Err(errors) => return refused(form, errors).await,
    };
    let (actor, now) = (manager.0.id(), state.clock.now());
    let saved = db::run(&state.pool, move |conn| {
        alert_sources::update(conn, actor, id, &input, now)
    })
    .await?;
    match saved {
        Ok(_) => {
            flash(
                &manager.0.session,
                FlashKind::Success,
                "Mapping saved: the next matching alert follows it.",
            );
            Ok(redirect("/admin/alert-sources"))
        }
        Err(errors) => refused(form, errors).await,
    }
}

pub async fn remove(
    state: web::Data<AppState>,
    manager: Manager,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, now) = (manager.0.id(), state.clock.now());
    db::run(&state.pool, move |conn| {
        alert_sources::remove(conn, actor, id, now)
    })
    .await?;
    flash(&manager.0.session, FlashKind::Success, "Mapping removed.");
    Ok(redirect("/admin/alert-sources"))
}
