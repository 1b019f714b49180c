//! Uptime per hosted service for one month, across clients or for one: each service's allowance,
//! downtime used, what is left, achieved uptime and standing, from the uptime room's arithmetic;
//! as a page with a chart of the allowance used, and as CSV.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::chart::BarChart;
use super::filter::csv_response;
use crate::db;
use crate::domain::uptime::{Month, minutes_text};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::Manager;
use crate::web::page::{Ctx, render, url_encode};

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct UptimeForm {
    pub month: String,
    pub client: String,
}

pub struct UptimeRow {
    pub client: String,
    pub service_id: i64,
    pub service: String,
    pub guarantee: String,
    pub allowed: String,
    pub used: String,
    pub left: String,
    pub achieved: String,
    pub standing: &'static str,
    /// The share of the allowance used, in per mille (above 1000 when overrun).
    pub used_per_mille: i64,
}

impl UptimeForm {
    /// The month asked for (this month in UTC when unreadable) and the client, if one.
    fn read(&self, state: &AppState) -> (Month, Option<i64>) {
        let month = Month::parse(&self.month)
            .unwrap_or_else(|| Month::containing(chrono_tz::UTC, state.clock.now()));
        (month, self.client.trim().parse().ok())
    }
}

async fn rows(state: &AppState, month: Month, client: Option<i64>) -> AppResult<Vec<UptimeRow>> {
    let now = state.clock.now();
    let lines = db::run(&state.pool, move |conn| {
        db::reports::uptime::services_month(conn, client, month, now)
    })
    .await?;
    lines
        .into_iter()
        .map(|l| {
            let f = &l.figure;
            Ok(UptimeRow {
                client: l.client,
                service_id: l.service.id.0,
                guarantee: l.service.guarantee()?.label(),
                allowed: minutes_text(f.allowed_ms),
                used: minutes_text(f.used_ms),
                left: minutes_text(f.left_ms),
                achieved: f.uptime_text().unwrap_or_else(|| "—".to_string()),
                standing: f.standing.label(),
                used_per_mille: (f.used_ms * 1000).checked_div(f.allowed_ms).unwrap_or(0),
                service: l.service.name,
            })
        })
        .collect()
}

#[derive(Template)]
#[template(path = "reports/uptime.html")]
struct UptimePage {
    ctx: Ctx,
    month: String,
    month_label: String,
    client: String,
    clients: Vec<(String, String)>,
    no_errors: crate::domain::inputs::FieldErrors,
    query: String,
    rows: Vec<UptimeRow>,
    chart: BarChart,
}

pub async fn page(
    state: web::Data<AppState>,
    manager: Manager,
    query: web::Query<UptimeForm>,
) -> AppResult<HttpResponse> {
    let form = query.into_inner();
    let (month, client) = form.read(&state);
    let rows = rows(&state, month, client).await?;
    let mut clients: Vec<(String, String)> = db::run(&state.pool, |conn| {
        Ok(db::clients::list(conn, true)?
            .into_iter()
            .map(|c| (c.client.id.to_string(), c.client.name))
            .collect())
    })
    .await?;
    clients.insert(0, (String::new(), "All clients".to_string()));
    let chart = BarChart::new(
        "uptime-chart",
        "Share of the downtime allowance used per service",
        "Allowance used, 0 to 100 % (an overrun shows as a full bar).",
        rows.iter()
            .map(|r| (format!("{} · {}", r.client, r.service), r.used_per_mille))
            .collect(),
        Some(1000),
    );
    render(&UptimePage {
        ctx: manager.0.ctx(),
        query: format!(
            "month={}&client={}",
            month.key(),
            url_encode(form.client.trim())
        ),
        month: month.key(),
        month_label: month.label(),
        client: form.client,
        clients,
        no_errors: crate::domain::inputs::FieldErrors::new(),
        rows,
        chart,
    })
}

pub async fn csv(
    state: web::Data<AppState>,
    _manager: Manager,
    query: web::Query<UptimeForm>,
) -> AppResult<HttpResponse> {
    let (month, client) = query.read(&state);
    let records: Vec<Vec<String>> = rows(&state, month, client)
        .await?
        .into_iter()
        .map(|r| {
            vec![
                r.client,
                r.service,
                r.guarantee,
                r.allowed,
                r.used,
                r.left,
                r.achieved,
                r.standing.to_string(),
            ]
        })
        .collect();
    Ok(csv_response(
        &format!("uptime-{}", month.key()),
        &[
            "client",
            "service",
            "guarantee",
            "allowed_minutes",
            "used_minutes",
            "left_minutes",
            "achieved_uptime",
            "standing",
        ],
        &records,
    ))
}
