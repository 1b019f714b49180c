//! Escalations in the range: by reason (with its chart), by move between levels, and the ones
//! the time triggers made apart; every count as CSV under the same filters.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use askama::Template;

use super::chart::BarChart;
use super::filter::{self, FilterForm, FilterView, csv_response};
use crate::db::{self, reports::ReportFilter, reports::escalations::EscalationCount};
use crate::domain::escalation::Reason;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::Manager;
use crate::web::page::{Ctx, render};

fn reason_label(raw: &str) -> String {
    Reason::parse(raw).map_or_else(|_| raw.to_string(), |r| r.label().to_string())
}

fn move_label(c: &EscalationCount) -> String {
    match &c.from_level {
        Some(from) => format!("{from} → {}", c.to_level),
        None => format!("to {}", c.to_level),
    }
}

/// Counts summed per key, in key order.
fn sum_by(
    counts: &[EscalationCount],
    key: impl Fn(&EscalationCount) -> String,
) -> Vec<(String, i64)> {
    let mut sums: BTreeMap<String, i64> = BTreeMap::new();
    for c in counts {
        *sums.entry(key(c)).or_default() += c.count;
    }
    sums.into_iter().collect()
}

async fn load(state: &AppState, filter: ReportFilter) -> AppResult<Vec<EscalationCount>> {
    db::run(&state.pool, move |conn| {
        db::reports::escalations::counts(conn, &filter)
    })
    .await
}

#[derive(Template)]
#[template(path = "reports/escalations.html")]
struct EscalationsPage {
    ctx: Ctx,
    filter: FilterView,
    total: i64,
    by_reason: Vec<(String, i64)>,
    by_level: Vec<(String, i64)>,
    time_total: i64,
    time_by_level: Vec<(String, i64)>,
    chart: BarChart,
}

pub async fn page(
    state: web::Data<AppState>,
    manager: Manager,
    query: web::Query<FilterForm>,
) -> AppResult<HttpResponse> {
    let (filter, view) = filter::read(&state, query.into_inner()).await?;
    let counts = load(&state, filter).await?;
    let by_reason = sum_by(&counts, |c| reason_label(&c.reason));
    let timed: Vec<EscalationCount> = counts
        .iter()
        .filter(|c| c.trigger_kind == "time")
        .cloned()
        .collect();
    let chart = BarChart::new(
        "escalation-chart",
        "Escalations per reason",
        "Escalations, scaled to the largest count.",
        by_reason.clone(),
        None,
    );
    render(&EscalationsPage {
        ctx: manager.0.ctx(),
        filter: view,
        total: counts.iter().map(|c| c.count).sum(),
        by_level: sum_by(&counts, move_label),
        time_total: timed.iter().map(|c| c.count).sum(),
        time_by_level: sum_by(&timed, move_label),
        by_reason,
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
    let records: Vec<Vec<String>> = load(&state, filter)
        .await?
        .into_iter()
        .map(|c| {
            vec![
                c.reason,
                c.trigger_kind,
                c.from_level.unwrap_or_default(),
                c.to_level,
                c.count.to_string(),
            ]
        })
        .collect();
    Ok(csv_response(
        &format!("escalations-{from}-{to}"),
        &["reason", "trigger", "from_level", "to_level", "escalations"],
        &records,
    ))
}
