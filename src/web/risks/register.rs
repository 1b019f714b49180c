//! The client's risk register, the risks-to-review queue, and the risk page where a risk is
//! analysed, treated and reviewed.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::heatmap::{Heatmap, heatmap};
use super::view::{RiskLine, risk_lines};
use crate::db::risks::format_date;
use crate::db::risks::register::{self, Filter};
use crate::db::risks::walkthrough;
use crate::db::{self};
use crate::domain::ids::ClientId;
use crate::domain::inputs::FieldErrors;
use crate::domain::risk::{Classification, Level};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::page::{Ctx, FlashKind, flash, redirect, render};

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct RegisterQuery {
    status: String,
    level: String,
    classification: String,
}

pub struct WalkLine {
    pub id: i64,
    pub started: String,
    pub step: &'static str,
    pub finished: bool,
}

#[derive(Template)]
#[template(path = "risks/register.html")]
struct RegisterPage {
    ctx: Ctx,
    client_id: i64,
    client_name: String,
    risks: Vec<RiskLine>,
    query: RegisterQuery,
    statuses: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    classifications: Vec<(String, String)>,
    walks: Vec<WalkLine>,
    maps: Vec<Heatmap>,
    risk_contacts: Vec<String>,
    contacts: Vec<(i64, String, bool)>,
    no_errors: FieldErrors,
}

fn choice(raw: &str) -> Option<String> {
    let raw = raw.trim();
    (!raw.is_empty()).then(|| raw.to_string())
}

pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    query: web::Query<RegisterQuery>,
) -> AppResult<HttpResponse> {
    let client = path.into_inner();
    let query = query.into_inner();
    let filter = Filter {
        status: choice(&query.status),
        level: choice(&query.level),
        classification: choice(&query.classification),
    };
    let today = state.clock.now().date_naive();
    let (row, all, walks, matrix, contacts, lines) = db::run(&state.pool, move |conn| {
        let row = db::clients::get(conn, ClientId(client))?;
        let listed = register::list(conn, client, &filter)?;
        let lines = risk_lines(conn, &listed, today)?;
        let all = register::list(conn, client, &Filter::default())?;
        Ok((
            row,
            all,
            walkthrough::of_client(conn, client)?,
            db::risks::matrix(conn)?,
            db::clients::contacts_of(conn, ClientId(client))?,
            lines,
        ))
    })
    .await?;
    let zone = user.zone();
    let mut statuses = vec![(String::new(), "Any state".to_string())];
    statuses.push(("draft".into(), "Draft".into()));
    statuses.push(("open".into(), "Recorded".into()));
    let mut levels = vec![(String::new(), "Any level".to_string())];
    levels.extend(Level::ALL.map(|l| (l.as_str().to_string(), l.label().to_string())));
    let mut classifications = vec![(String::new(), "Any classification".to_string())];
    classifications
        .extend(Classification::ALL.map(|c| (c.as_str().to_string(), c.label().to_string())));
    render(&RegisterPage {
        ctx: user.ctx(),
        client_id: row.id,
        client_name: row.name,
        risks: lines,
        query,
        statuses,
        levels,
        classifications,
        walks: walks
            .into_iter()
            .map(|w| WalkLine {
                id: w.id,
                started: crate::format::format_time(w.started_at, zone),
                step: w.step().title(),
                finished: w.finished_at.is_some(),
            })
            .collect(),
        maps: vec![
            heatmap("Inherent risk", &all, &matrix, false),
            heatmap("Residual risk", &all, &matrix, true),
        ],
        risk_contacts: contacts
            .iter()
            .filter(|c| c.risk_contact && c.active)
            .map(|c| c.name.clone())
            .collect(),
        contacts: contacts
            .into_iter()
            .filter(|c| c.active)
            .map(|c| (c.id, c.name, c.risk_contact))
            .collect(),
        no_errors: FieldErrors::new(),
    })
}

#[derive(Template)]
#[template(path = "risks/queue.html")]
struct QueuePage {
    ctx: Ctx,
    risks: Vec<RiskLine>,
    today: String,
}

/// Open risks whose review date has come, across clients.
pub async fn queue(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    let today = state.clock.now().date_naive();
    let lines = db::run(&state.pool, move |conn| {
        let risks = register::to_review(conn, today, 200)?;
        risk_lines(conn, &risks, today)
    })
    .await?;
    render(&QueuePage {
        ctx: user.ctx(),
        risks: lines,
        today: format_date(today),
    })
}

/// Saves which of the client's contacts receive its risk mails.
pub async fn save_contacts(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let client = path.into_inner();
    let chosen: Vec<i64> = form
        .into_inner()
        .into_iter()
        .filter_map(|(k, _)| k.strip_prefix("risk_contact_")?.parse().ok())
        .collect();
    let (now, actor) = (state.clock.now(), user.row.clone());
    db::run(&state.pool, move |conn| {
        register::set_risk_contacts(conn, &actor, client, &chosen, now)
    })
    .await?;
    flash(&user.session, FlashKind::Success, "Risk contacts saved.");
    Ok(redirect(&format!("/clients/{client}/risks")))
}
