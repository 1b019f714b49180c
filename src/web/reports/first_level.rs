//! First-level resolution: per priority, the share of the incidents solved in the range that
//! tier 1 solved without any escalation; as a page with its chart and as CSV.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::chart::{BarChart, percent_text, rate};
use super::filter::{self, FilterForm, FilterView, csv_response};
use crate::db::{self, reports::ReportFilter};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::Manager;
use crate::web::page::{Ctx, render};

pub struct FirstLevelRow {
    pub priority: String,
    pub solved: i64,
    pub first_level: i64,
    pub rate: String,
    pub per_mille: i64,
}

async fn rows(state: &AppState, filter: ReportFilter) -> AppResult<Vec<FirstLevelRow>> {
    let lines = db::run(&state.pool, move |conn| {
        db::reports::solved::first_level(conn, &filter)
    })
    .await?;
    Ok(lines
        .into_iter()
        .map(|(priority, solved, first_level)| {
            let (rate, per_mille) = rate(first_level, solved);
            FirstLevelRow {
                priority,
                solved,
                first_level,
                rate,
                per_mille,
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "reports/first_level.html")]
struct FirstLevelPage {
    ctx: Ctx,
    filter: FilterView,
    rows: Vec<FirstLevelRow>,
    chart: BarChart,
}

pub async fn page(
    state: web::Data<AppState>,
    manager: Manager,
    query: web::Query<FilterForm>,
) -> AppResult<HttpResponse> {
    let (filter, view) = filter::read(&state, query.into_inner()).await?;
    let rows = rows(&state, filter).await?;
    let chart = BarChart::new(
        "first-level-chart",
        "First-level resolution rate per priority",
        "Solved at tier 1 without escalation, 0 to 100 % of the incidents solved.",
        rows.iter()
            .map(|r| (r.priority.clone(), r.per_mille))
            .collect(),
        Some(1000),
    );
    render(&FirstLevelPage {
        ctx: manager.0.ctx(),
        filter: view,
        rows,
        chart,
    })
}

pub async fn csv(
    state: web::Data<AppState>,
    _manager: Manager,
    query: web::Query<FilterForm>,
) -> AppResult<HttpResponse> {
    let form = query.into_inner();
    let (filter, from, to) = form.filter(state.clock.now().date_naive());
    let records: Vec<Vec<String>> = rows(&state, filter)
        .await?
        .into_iter()
        .map(|r| {
            vec![
                r.priority,
                r.solved.to_string(),
                r.first_level.to_string(),
                percent_text(r.per_mille),
            ]
        })
        .collect();
    Ok(csv_response(
        &format!("first-level-{from}-{to}"),
        &[
            "priority",
            "solved",
            "solved_at_first_level",
            "first_level_rate_percent",
        ],
        &records,
    ))
}
