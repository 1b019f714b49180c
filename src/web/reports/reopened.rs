//! Reopened tickets: the reopen rate per priority (incidents solved in the range that were
//! reopened at least once, over those solved) with its chart, and the reopened ones listed a page
//! at a time; the rates as CSV under the same filters.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::chart::{BarChart, percent_text, rate};
use super::filter::{self, FilterForm, FilterView, ListForm, csv_response};
use crate::db::{self, reports::ReportFilter, reports::solved::SolvedItem};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::Manager;
use crate::web::page::{Ctx, render};

pub struct RateRow {
    pub priority: String,
    pub solved: i64,
    pub reopened: i64,
    pub rate: String,
    pub per_mille: i64,
}

async fn rates(state: &AppState, filter: ReportFilter) -> AppResult<Vec<RateRow>> {
    let lines = db::run(&state.pool, move |conn| {
        db::reports::sla_by_priority(conn, &filter)
    })
    .await?;
    Ok(lines
        .into_iter()
        .map(|l| {
            let (text, per_mille) = rate(l.reopened, l.resolved);
            RateRow {
                priority: l.priority,
                solved: l.resolved,
                reopened: l.reopened,
                rate: text,
                per_mille,
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "reports/reopened.html")]
struct ReopenedPage {
    ctx: Ctx,
    filter: FilterView,
    rows: Vec<RateRow>,
    chart: BarChart,
    items: Vec<SolvedItem>,
    next: Option<String>,
}

pub async fn page(
    state: web::Data<AppState>,
    manager: Manager,
    query: web::Query<ListForm>,
) -> AppResult<HttpResponse> {
    let form = query.into_inner();
    let after = form.cursor();
    let (filter, view) = filter::read(&state, form.filter).await?;
    let rows = rates(&state, filter.clone()).await?;
    let (items, next) = filter::solved_page(&state, filter, true, after).await?;
    let chart = BarChart::new(
        "reopen-chart",
        "Reopen rate per priority",
        "Reopened at least once, 0 to 100 % of the incidents solved.",
        rows.iter()
            .map(|r| (r.priority.clone(), r.per_mille))
            .collect(),
        Some(1000),
    );
    render(&ReopenedPage {
        ctx: manager.0.ctx(),
        filter: view,
        rows,
        chart,
        items,
        next,
    })
}

pub async fn csv(
    state: web::Data<AppState>,
    _manager: Manager,
    query: web::Query<FilterForm>,
) -> AppResult<HttpResponse> {
    let form = query.into_inner();
    let (filter, from, to) = form.filter(state.clock.now().date_naive());
    let records: Vec<Vec<String>> = rates(&state, filter)
        .await?
        .into_iter()
        .map(|r| {
            vec![
                r.priority,
                r.solved.to_string(),
                r.reopened.to_string(),
                percent_text(r.per_mille),
            ]
        })
        .collect();
    Ok(csv_response(
        &format!("reopened-{from}-{to}"),
        &["priority", "solved", "reopened", "reopen_rate_percent"],
        &records,
    ))
}
