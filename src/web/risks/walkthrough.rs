//! The walk-through on site, page by page: assets, threats, measures, vulnerabilities,
//! consequences, business processes, then the example-risk checklist. Every page saves what
//! it holds, so leaving half-way and coming back resumes where the technician stopped.

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use crate::db::risks::walkthrough::{self as walk, NewAsset, PageNotes, WalkthroughRow};
use crate::db::risks::{AssetRow, format_date};
use crate::db::{self};
use crate::domain::ids::ClientId;
use crate::domain::inputs::FieldErrors;
use crate::domain::risk_walkthrough::Step;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::forms::{invalid, required};
use crate::web::page::{Ctx, FlashKind, flash, redirect, render};

pub struct AssetLine {
    pub name: String,
    pub description: String,
    pub warranty_end: String,
    pub end_of_support: String,
}

impl From<AssetRow> for AssetLine {
    fn from(a: AssetRow) -> Self {
        let date = |d: Option<NaiveDate>| d.map(format_date).unwrap_or_else(|| "—".into());
        AssetLine {
            name: a.name,
            description: a.description,
            warranty_end: date(a.warranty_end),
            end_of_support: date(a.end_of_support),
        }
    }
}

pub struct ChecklistItem {
    pub id: i64,
    pub title: String,
    pub vulnerability: String,
    pub ticked: bool,
    pub asset: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct AssetForm {
    name: String,
    description: String,
    warranty_end: String,
    end_of_support: String,
}

#[derive(Template)]
#[template(path = "risks/walkthrough_step.html")]
struct StepPage {
    ctx: Ctx,
    walk_id: i64,
    client_id: i64,
    client_name: String,
    step: Step,
    total: usize,
    notes: String,
    notes_planned: String,
    assets: Vec<AssetLine>,
    asset_options: Vec<(String, String)>,
    checklist: Vec<ChecklistItem>,
    asset_form: AssetForm,
    errors: FieldErrors,
}

fn notes_of(walk: &WalkthroughRow, step: Step) -> (String, String) {
    match step {
        Step::Threats => (walk.threats.clone(), String::new()),
        Step::Measures => (
            walk.measures_existing.clone(),
            walk.measures_planned.clone(),
        ),
        Step::Vulnerabilities => (walk.vulnerabilities.clone(), String::new()),
        Step::Consequences => (walk.consequences.clone(), String::new()),
        Step::Processes => (walk.business_processes.clone(), String::new()),
        Step::Assets | Step::Checklist => (String::new(), String::new()),
    }
}

async fn step_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    step: Step,
    asset_form: AssetForm,
    errors: FieldErrors,
) -> AppResult<StepPage> {
    let (walk, client, assets, templates, ticks) = db::run(&state.pool, move |conn| {
        let walk = walk::get(conn, id)?;
        let client = db::clients::get(conn, ClientId(walk.client_id))?;
        let assets = db::risks::assets_of(conn, walk.client_id)?;
        Ok((
            walk,
            client,
            assets,
            walk::templates(conn)?,
            walk::ticks(conn, id)?,
        ))
    })
    .await?;
    let mut asset_options = vec![(String::new(), "No particular asset".to_string())];
    asset_options.extend(assets.iter().map(|a| (a.id.to_string(), a.name.clone())));
    let checklist = templates
        .into_iter()
        .map(|t| {
            let tick = ticks.iter().find(|(template, _)| *template == t.id);
            ChecklistItem {
                id: t.id,
                title: t.title,
                vulnerability: t.vulnerability,
                ticked: tick.is_some(),
                asset: tick
                    .and_then(|(_, a)| *a)
                    .map(|a| a.to_string())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let (notes, notes_planned) = notes_of(&walk, step);
    Ok(StepPage {
        ctx: user.ctx(),
        walk_id: walk.id,
        client_id: client.id,
        client_name: client.name,
        step,
        total: Step::ALL.len(),
        notes,
        notes_planned,
        assets: assets.into_iter().map(AssetLine::from).collect(),
        asset_options,
        checklist,
        asset_form,
        errors,
    })
}

/// Starts a walk-through for the client and opens its first page.
pub async fn start(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let client = path.into_inner();
    let (now, by) = (state.clock.now(), user.id());
    let id = db::run(&state.pool, move |conn| {
        db::clients::get(conn, ClientId(client))?;
        walk::start(conn, client, by, now)
    })
    .await?;
    Ok(redirect(&format!("/risks/walkthroughs/{id}/assets")))
}

/// Resumes on the page where the walk-through was left.
pub async fn resume(
    state: web::Data<AppState>,
    _user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let walk = db::run(&state.pool, move |conn| walk::get(conn, id)).await?;
    if walk.finished_at.is_some() {
        return Ok(redirect(&format!("/risks/walkthroughs/{id}/found")));
    }
    Ok(redirect(&format!(
        "/risks/walkthroughs/{id}/{}",
        walk.step().as_str()
    )))
}

fn parse_step(raw: &str) -> AppResult<Step> {
    Step::parse(raw).map_err(|_| AppError::NotFound)
}

pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, String)>,
) -> AppResult<HttpResponse> {
    let (id, step) = path.into_inner();
    let step = parse_step(&step)?;
    let page = step_page(
        &state,
        &user,
        id,
        step,
        AssetForm::default(),
        FieldErrors::new(),
    )
    .await?;
    render(&page)
}

fn parse_date(raw: &str) -> Result<Option<NaiveDate>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| "Enter the date as year-month-day, e.g. 2027-03-31.".to_string())
}

/// Adds an asset on the first page and shows the page again with it listed.
pub async fn add_asset(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<AssetForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let form = form.into_inner();
    let mut errors = FieldErrors::new();
    let name = errors.take("name", required(&form.name, "the asset's name"));
    let warranty_end = errors.take("warranty_end", parse_date(&form.warranty_end));
    let end_of_support = errors.take("end_of_support", parse_date(&form.end_of_support));
    let (Some(name), Some(warranty_end), Some(end_of_support)) =
        (name, warranty_end, end_of_support)
    else {
        return invalid(&step_page(&state, &user, id, Step::Assets, form, errors).await?);
    };
    let asset = NewAsset {
        name,
        description: form.description.trim().to_string(),
        warranty_end,
        end_of_support,
    };
    let now = state.clock.now();
    db::run(&state.pool, move |conn| {
        walk::add_asset(conn, id, &asset, now)
    })
    .await?;
    flash(&user.session, FlashKind::Success, "Asset added.");
    Ok(redirect(&format!("/risks/walkthroughs/{id}/assets")))
}

/// Saves a page and goes where the button says: the next page, the previous one, or back to
/// the client's register to resume later. The checklist's "finish" turns its ticks into
/// draft risks.
pub async fn save(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, String)>,
    form: web::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let (id, step) = path.into_inner();
    let step = parse_step(&step)?;
    let fields = form.into_inner();
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let go = field("go");
    let now = state.clock.now();
    let by = user.id();
    if step == Step::Checklist {
        let ticked: Vec<(i64, Option<i64>)> = fields
            .iter()
            .filter_map(|(k, _)| k.strip_prefix("tick_")?.parse::<i64>().ok())
            .map(|template| {
                let asset = field(&format!("asset_{template}")).parse::<i64>().ok();
                (template, asset)
            })
            .collect();
        let finish = go == "finish";
        let walk = db::run(&state.pool, move |conn| {
            walk::save_ticks(conn, id, &ticked, now)?;
            if finish {
                walk::finish(conn, id, by, now)?;
            }
            walk::get(conn, id)
        })
        .await?;
        return Ok(match go.as_str() {
            "finish" => redirect(&format!("/risks/walkthroughs/{id}/found")),
            "previous" => redirect(&format!("/risks/walkthroughs/{id}/processes")),
            _ => {
                flash(
                    &user.session,
                    FlashKind::Success,
                    "Walk-through saved; resume it from the register.",
                );
                redirect(&format!("/clients/{}/risks", walk.client_id))
            }
        });
    }
    let then = match go.as_str() {
        "previous" => step.previous().unwrap_or(step),
        "next" => step.next().unwrap_or(step),
        _ => step,
    };
    let notes = PageNotes {
        first: field("notes"),
        second: field("notes_planned"),
    };
    let walk = db::run(&state.pool, move |conn| {
        walk::save_page(conn, id, step, &notes, then, now)?;
        walk::get(conn, id)
    })
    .await?;
    if go == "save" {
        flash(
            &user.session,
            FlashKind::Success,
            "Walk-through saved; resume it from the register.",
        );
        return Ok(redirect(&format!("/clients/{}/risks", walk.client_id)));
    }
    Ok(redirect(&format!(
        "/risks/walkthroughs/{id}/{}",
        then.as_str()
    )))
}

pub struct FoundRisk {
    pub id: i64,
    pub title: String,
    pub vulnerability: String,
    pub asset: String,
}

#[derive(Template)]
#[template(path = "risks/walkthrough_found.html")]
struct FoundPage {
    ctx: Ctx,
    client_id: i64,
    client_name: String,
    finished: String,
    risks: Vec<FoundRisk>,
}

/// What a finished walk-through found: the draft risks, each to be analysed.
pub async fn found(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (walk, client, risks, assets) = db::run(&state.pool, move |conn| {
        let walk = walk::get(conn, id)?;
        let client = db::clients::get(conn, ClientId(walk.client_id))?;
        let assets = db::risks::assets_of(conn, walk.client_id)?;
        Ok((walk, client, walk::found(conn, id)?, assets))
    })
    .await?;
    let Some(finished) = walk.finished_at else {
        return Ok(redirect(&format!("/risks/walkthroughs/{id}")));
    };
    let zone = user.zone();
    let risks = risks
        .into_iter()
        .map(|r| FoundRisk {
            id: r.id,
            asset: r
                .asset_id
                .and_then(|a| assets.iter().find(|x| x.id == a))
                .map(|a| a.name.clone())
                .unwrap_or_else(|| "—".into()),
            title: r.title,
            vulnerability: r.vulnerability,
        })
        .collect();
    render(&FoundPage {
        ctx: user.ctx(),
        client_id: client.id,
        client_name: client.name,
        finished: crate::format::format_time(finished, zone),
        risks,
    })
}
