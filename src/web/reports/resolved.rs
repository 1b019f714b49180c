//! Resolved incidents: how many were solved in the range per priority and per category (with
//! the per-priority chart), and the incidents themselves a page at a time; the counts as CSV.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::chart::BarChart;
use super::filter::{self, FilterForm, FilterView, ListForm, csv_response};
use crate::db::{self, reports::ReportFilter, reports::solved::SolvedItem};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::Manager;
use crate::web::page::{Ctx, render};

/// (priority, category, solved), P1 first and categories by name.
async fn counts(state: &AppState, filter: ReportFilter) -> AppResult<Vec<(String, String, i64)>> {
    db::run(&state.pool, move |conn| {
        db::reports::solved::by_priority_and_category(conn, &filter)
    })
    .await
}

/// The totals per priority, in the order the counts come.
fn per_priority(counts: &[(String, String, i64)]) -> Vec<(String, i64)> {
    let mut totals: Vec<(String, i64)> = Vec::new();
    for (priority, _, n) in counts {
        match totals.last_mut() {
            Some((p, total)) if p == priority => *total += n,
            _ => totals.push((priority.clone(), *n)),
        }
    }
    totals
}

#[derive(Template)]
#[template(path = "reports/resolved.html")]
struct ResolvedPage {
    ctx: Ctx,
    filter: FilterView,
    totals: Vec<(String, i64)>,
    counts: Vec<(String, String, i64)>,
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
    let counts = counts(&state, filter.clone()).await?;
    let (items, next) = filter::solved_page(&state, filter, false, after).await?;
    let totals = per_priority(&counts);
    let chart = BarChart::new(
        "resolved-chart",
        "Incidents solved per priority",
        "Incidents solved, scaled to the largest count.",
        totals.clone(),
        None,
    );
    render(&ResolvedPage {
        ctx: manager.0.ctx(),
        filter: view,
        totals,
        counts,
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
    let records: Vec<Vec<String>> = counts(&state, filter)
        .await?
        .into_iter()
        .map(|(priority, category, n)| vec![priority, category, n.to_string()])
        .collect();
    Ok(csv_response(
        &format!("resolved-{from}-{to}"),
        &["priority", "category", "solved"],
        &records,
    ))
}
