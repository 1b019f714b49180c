//! Response and resolution against the SLA per priority (met, met late, breached, and the median
//! and 90th percentile business minutes), filterable by client, date range, priority and
//! technician; as a page with a chart and its table, and as CSV with the same filters.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::chart::rate;
use super::filter::{self, FilterView, csv_response};
use crate::db::{self, reports::ReportFilter, reports::sla_figures::SlaFigures};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::Manager;
use crate::web::page::{Ctx, render};

pub use super::filter::FilterForm;

pub struct SlaRow {
    pub figures: SlaFigures,
    pub rate: String,
    /// The bar's width out of 300 for the resolution-met rate.
    pub bar: i64,
    pub y: usize,
}

fn minutes(value: Option<i32>) -> String {
    value.map_or_else(|| "—".to_string(), |m| m.to_string())
}

impl SlaRow {
    pub fn response_median(&self) -> String {
        minutes(self.figures.response_minutes.median)
    }
    pub fn response_p90(&self) -> String {
        minutes(self.figures.response_minutes.p90)
    }
    pub fn resolution_median(&self) -> String {
        minutes(self.figures.resolution_minutes.median)
    }
    pub fn resolution_p90(&self) -> String {
        minutes(self.figures.resolution_minutes.p90)
    }
}

fn rows(lines: Vec<SlaFigures>) -> Vec<SlaRow> {
    lines
        .into_iter()
        .enumerate()
        .map(|(i, figures)| {
            let line = &figures.line;
            let (rate, per_mille) = rate(line.resolution_met, line.resolved);
            SlaRow {
                rate,
                bar: per_mille * 300 / 1000,
                y: i * 30,
                figures,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "reports/sla.html")]
struct SlaPage {
    ctx: Ctx,
    filter: FilterView,
    rows: Vec<SlaRow>,
    chart_height: usize,
}

async fn load(state: &AppState, filter: ReportFilter) -> AppResult<Vec<SlaRow>> {
    let now = state.clock.now();
    let lines = db::run(&state.pool, move |conn| {
        db::reports::sla_figures::sla_report(conn, &filter, now)
    })
    .await?;
    Ok(rows(lines))
}

pub async fn page(
    state: web::Data<AppState>,
    manager: Manager,
    query: web::Query<FilterForm>,
) -> AppResult<HttpResponse> {
    let (filter, view) = filter::read(&state, query.into_inner()).await?;
    let rows = load(&state, filter).await?;
    render(&SlaPage {
        ctx: manager.0.ctx(),
        filter: view,
        chart_height: rows.len().max(1) * 30,
        rows,
    })
}

pub async fn csv(
    state: web::Data<AppState>,
    _manager: Manager,
    query: web::Query<FilterForm>,
) -> AppResult<HttpResponse> {
    let form = query.into_inner();
    let (filter, from, to) = form.filter(state.clock.now().date_naive());
    let records: Vec<Vec<String>> = load(&state, filter)
        .await?
        .iter()
        .map(|r| {
            let f = &r.figures;
            vec![
                f.line.priority.clone(),
                f.line.resolved.to_string(),
                f.line.response_met.to_string(),
                f.response_met_late.to_string(),
                f.response_breached.to_string(),
                f.line.resolution_met.to_string(),
                f.resolution_met_late.to_string(),
                f.resolution_breached.to_string(),
                f.line.reopened.to_string(),
                r.response_median(),
                r.response_p90(),
                r.resolution_median(),
                r.resolution_p90(),
            ]
        })
        .collect();
    Ok(csv_response(
        &format!("sla-{from}-{to}"),
        &[
            "priority",
            "solved",
            "response_met",
            "response_met_late",
            "response_breached",
            "resolution_met",
            "resolution_met_late",
            "resolution_breached",
            "reopened",
            "response_median_minutes",
            "response_p90_minutes",
            "resolution_median_minutes",
            "resolution_p90_minutes",
        ],
        &records,
    ))
}
