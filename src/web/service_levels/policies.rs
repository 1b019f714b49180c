//! SLA policies: response and resolution targets per priority, and when "due soon" starts.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::service_levels::{self as levels, PolicyInput, PolicyRecord};
use crate::db::{self, audit};
use crate::domain::ids::PolicyId;
use crate::domain::inputs::{FieldErrors, Line, format_minutes, parse_minutes};
use crate::domain::priority::Priority;
use crate::domain::request;
use crate::domain::sla::{self, ClockMode, SlaTargets, Target};
use crate::domain::ticket::Kind;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::Admin;
use crate::web::forms::{Saved, submit, versioned};
use crate::web::page::{Ctx, render};
use crate::web::users::{HistoryItem, history_items};

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct PolicyForm {
    version: String,
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
    sr_p1_response: String,
    sr_p1_resolution: String,
    sr_p1_mode: String,
    sr_p2_response: String,
    sr_p2_resolution: String,
    sr_p2_mode: String,
    sr_p3_response: String,
    sr_p3_resolution: String,
    sr_p3_mode: String,
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

/// One of the policy's two tables as the form shows it.
pub struct TargetTable {
    pub kind: Kind,
    pub heading: &'static str,
    pub hint: &'static str,
    pub rows: Vec<TargetFields>,
}

/// The three field names of a priority's row in a kind's table.
fn field_names(kind: Kind, p: Priority) -> (&'static str, &'static str, &'static str) {
    match (kind, p) {
        (Kind::Incident, Priority::P1) => ("p1_response", "p1_resolution", "p1_mode"),
        (Kind::Incident, Priority::P2) => ("p2_response", "p2_resolution", "p2_mode"),
        (Kind::Incident, Priority::P3) => ("p3_response", "p3_resolution", "p3_mode"),
        (Kind::ServiceRequest, Priority::P1) => {
            ("sr_p1_response", "sr_p1_resolution", "sr_p1_mode")
        }
        (Kind::ServiceRequest, Priority::P2) => {
            ("sr_p2_response", "sr_p2_resolution", "sr_p2_mode")
        }
        (Kind::ServiceRequest, Priority::P3) => {
            ("sr_p3_response", "sr_p3_resolution", "sr_p3_mode")
        }
    }
}

impl PolicyForm {
    fn from_record(record: &PolicyRecord) -> AppResult<Self> {
        let mut form = Self {
            version: record.row.version.to_string(),
            name: record.row.name.clone(),
            due_soon: format!("{} %", record.row.due_soon_percent),
            ..Self::default()
        };
        for kind in Kind::ALL {
            form.fill(kind, &record.targets_for(kind)?);
        }
        Ok(form)
    }

    fn fill(&mut self, kind: Kind, targets: &SlaTargets) {
        for p in Priority::ALL {
            let t = targets.target(p);
            let (r, s, m) = self.slots_mut(kind, p);
            *r = format_minutes(t.response.num_minutes());
            *s = format_minutes(t.resolution.num_minutes());
            *m = t.mode.as_str().to_string();
        }
    }

    fn slots_mut(&mut self, kind: Kind, p: Priority) -> (&mut String, &mut String, &mut String) {
        match (kind, p) {
            (Kind::Incident, Priority::P1) => (
                &mut self.p1_response,
                &mut self.p1_resolution,
                &mut self.p1_mode,
            ),
            (Kind::Incident, Priority::P2) => (
                &mut self.p2_response,
                &mut self.p2_resolution,
                &mut self.p2_mode,
            ),
            (Kind::Incident, Priority::P3) => (
                &mut self.p3_response,
                &mut self.p3_resolution,
                &mut self.p3_mode,
            ),
            (Kind::ServiceRequest, Priority::P1) => (
                &mut self.sr_p1_response,
                &mut self.sr_p1_resolution,
                &mut self.sr_p1_mode,
            ),
            (Kind::ServiceRequest, Priority::P2) => (
                &mut self.sr_p2_response,
                &mut self.sr_p2_resolution,
                &mut self.sr_p2_mode,
            ),
            (Kind::ServiceRequest, Priority::P3) => (
                &mut self.sr_p3_response,
                &mut self.sr_p3_resolution,
                &mut self.sr_p3_mode,
            ),
        }
    }

    fn fields(&self, kind: Kind) -> Vec<TargetFields> {
        let mut form = self.clone();
        Priority::ALL
            .into_iter()
            .map(|priority| {
                let names = field_names(kind, priority);
                let (r, s, m) = form.slots_mut(kind, priority);
                TargetFields {
                    priority,
                    response_name: names.0,
                    response: r.clone(),
                    resolution_name: names.1,
                    resolution: s.clone(),
                    mode_name: names.2,
                    mode: m.clone(),
                }
            })
            .collect()
    }

    fn tables(&self) -> Vec<TargetTable> {
        vec![
            TargetTable {
                kind: Kind::Incident,
                heading: "Incident targets",
                hint: "Something that worked has stopped: restore it within these times.",
                rows: self.fields(Kind::Incident),
            },
            TargetTable {
                kind: Kind::ServiceRequest,
                heading: "Service request targets",
                hint: "A new or altered service, handled by request fulfilment, not as an \
                       outage: answer and fulfil it within these times.",
                rows: self.fields(Kind::ServiceRequest),
            },
        ]
    }

    /// One kind's table, with each problem beside its priority's fields.
    fn parse_targets(&self, kind: Kind, errors: &mut FieldErrors) -> SlaTargets {
        let mut targets = SlaTargets::blueprint_default();
        let mut complete = true;
        for f in self.fields(kind) {
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
            } else {
                complete = false;
            }
        }
        if complete && let Err(problems) = targets.validate() {
            for (priority, message) in problems {
                errors.add(field_names(kind, priority).1, message);
            }
        }
        targets
    }

    fn parse(&self) -> Result<PolicyInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.take("name", Line::parse(&self.name, "a name", 80));
        let due_soon = errors.take("due_soon", parse_percent(&self.due_soon));
        let targets = self.parse_targets(Kind::Incident, &mut errors);
        let request_targets = self.parse_targets(Kind::ServiceRequest, &mut errors);
        match (name, due_soon) {
            (Some(name), Some(due_soon)) if errors.is_empty() => Ok(PolicyInput {
                name: name.into_string(),
                due_soon_percent: due_soon,
                targets,
                request_targets,
            }),
            _ => Err(errors),
        }
    }
}

/// "25", "25%" or "25 %": the share of each target left when a clock turns "due soon".
fn parse_percent(raw: &str) -> Result<i32, String> {
    raw.trim()
        .trim_end_matches('%')
        .trim_end()
        .parse::<i32>()
        .ok()
        .filter(|p| (0..=100).contains(p))
        .ok_or_else(|| format!("'{}' is not a share like 25 %, from 0 to 100.", raw.trim()))
}

#[derive(Template)]
#[template(path = "service_levels/policy.html")]
struct PolicyPage {
    ctx: Ctx,
    editing: Option<i64>,
    form: PolicyForm,
    tables: Vec<TargetTable>,
    modes: [ClockMode; 2],
    errors: FieldErrors,
    history: Vec<HistoryItem>,
}

impl PolicyPage {
    fn new(ctx: Ctx, editing: Option<i64>, form: PolicyForm, errors: FieldErrors) -> Self {
        Self {
            ctx,
            editing,
            tables: form.tables(),
            form,
            modes: ClockMode::ALL,
            errors,
            history: Vec::new(),
        }
    }
}

pub async fn new_policy_form(admin: Admin) -> AppResult<HttpResponse> {
    let mut form = PolicyForm {
        due_soon: format!("{} %", sla::DEFAULT_DUE_SOON_PERCENT),
        ..PolicyForm::default()
    };
    form.fill(Kind::Incident, &SlaTargets::blueprint_default());
    form.fill(Kind::ServiceRequest, &request::default_targets());
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
    let (actor, now) = (admin.0.id(), state.clock.now());
    let parsed = form.parse();
    submit(
        &state,
        &admin.0.session,
        parsed,
        move |conn, input| levels::create_policy(conn, actor, &input, now),
        |errors| PolicyPage::new(admin.0.ctx(), None, form, errors),
        |row| Saved {
            flash: format!("SLA policy {} created.", row.name),
            to: "/admin/service-levels".into(),
        },
    )
    .await
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
    let (actor, now) = (admin.0.id(), state.clock.now());
    let parsed = versioned(form.parse(), &form.version);
    submit(
        &state,
        &admin.0.session,
        parsed,
        move |conn, (input, version)| levels::update_policy(conn, actor, id, &input, version, now),
        |errors| PolicyPage::new(admin.0.ctx(), Some(id.0), form, errors),
        |row| Saved {
            flash: format!("Saved {}.", row.name),
            to: "/admin/service-levels".into(),
        },
    )
    .await
}
