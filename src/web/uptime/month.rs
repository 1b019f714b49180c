//! One service's month: the allowance and how it is computed, the downtime used, what is left,
//! the achieved uptime, the standing, and the burn-down as an SVG chart with its numbers beside.

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::services::{OutageLine, outage_line};
use crate::db::{self, uptime::ServiceRow};
use crate::domain::ids::{ClientId, HostedServiceId};
use crate::domain::uptime::{Month, MonthFigure, minutes_text};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::page::{Ctx, render};

pub const CHART_WIDTH: i64 = 600;
pub const CHART_HEIGHT: i64 = 200;

/// The burn-down drawn into a `CHART_WIDTH` × `CHART_HEIGHT` box: x is the time through the
/// month, y the allowance left (the zero line at `zero_y`; an overrun goes below it).
pub struct Chart {
    pub points: String,
    pub zero_y: i64,
    pub top_label: String,
}

pub fn burn_down_chart(figure: &MonthFigure) -> Chart {
    let span = (figure.month_end - figure.month_start)
        .num_milliseconds()
        .max(1);
    let top = figure.allowed_ms.max(1);
    let bottom = figure
        .burn_down
        .iter()
        .map(|p| p.left_ms)
        .min()
        .unwrap_or(0)
        .min(0);
    let range = (top - bottom).max(1);
    let x = |at: DateTime<Utc>| (at - figure.month_start).num_milliseconds() * CHART_WIDTH / span;
    let y = |left: i64| (top - left) * CHART_HEIGHT / range;
    let points = figure
        .burn_down
        .iter()
        .map(|p| format!("{},{}", x(p.at), y(p.left_ms)))
        .collect::<Vec<_>>()
        .join(" ");
    Chart {
        points,
        zero_y: y(0),
        top_label: format!("{} min", minutes_text(figure.allowed_ms)),
    }
}

pub struct BurnRow {
    pub at: String,
    pub left: String,
}

#[derive(Template)]
#[template(path = "uptime/month.html")]
struct MonthPage {
    ctx: Ctx,
    service: ServiceRow,
    client_name: String,
    zone: String,
    month_label: String,
    previous: String,
    next: String,
    guarantee: String,
    days: i64,
    hours: i64,
    covered_from: Option<String>,
    covered_hours: String,
    allowed: String,
    used: String,
    left: String,
    before_effective: String,
    planned_excluded: String,
    uptime: String,
    standing: &'static str,
    standing_key: &'static str,
    ongoing: bool,
    chart: Chart,
    chart_width: i64,
    chart_height: i64,
    burn: Vec<BurnRow>,
    outages: Vec<OutageLine>,
}

fn when(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%a %-d %b %H:%M").to_string()
}

pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, String)>,
) -> AppResult<HttpResponse> {
    let (id, key) = path.into_inner();
    let id = HostedServiceId(id);
    let month = Month::parse(&key).ok_or(AppError::NotFound)?;
    let now = state.clock.now();
    let (service, client_name, tz, figure, outages) = db::run(&state.pool, move |conn| {
        let service = db::uptime::get(conn, id)?;
        let client = ClientId(service.client_id);
        let client_name = db::clients::get(conn, client)?.name;
        let tz = db::uptime::client_zone(conn, client)?;
        let figure = db::uptime::month_figure(conn, &service, tz, month, now)?;
        let (from, until) = month.bounds(tz);
        let outages = db::uptime::outages::overlapping(conn, id, from, until)?;
        Ok((service, client_name, tz, figure, outages))
    })
    .await?;
    let hours = figure.month_ms / 3_600_000;
    let partial = figure.covered_from > figure.month_start && figure.covered_ms > 0;
    render(&MonthPage {
        ctx: user.ctx(),
        guarantee: service.guarantee()?.label(),
        client_name,
        zone: tz.name().to_string(),
        month_label: month.label(),
        previous: month.previous().key(),
        next: month.next().key(),
        days: hours / 24,
        hours,
        covered_from: partial.then(|| when(figure.covered_from, tz)),
        covered_hours: minutes_text(figure.covered_ms / 60),
        allowed: minutes_text(figure.allowed_ms),
        used: minutes_text(figure.used_ms),
        left: minutes_text(figure.left_ms),
        before_effective: minutes_text(figure.before_effective_ms),
        planned_excluded: minutes_text(figure.planned_excluded_ms),
        uptime: figure.uptime_text().unwrap_or_else(|| "—".into()),
        standing: figure.standing.label(),
        standing_key: figure.standing.key(),
        ongoing: figure.ongoing,
        chart: burn_down_chart(&figure),
        chart_width: CHART_WIDTH,
        chart_height: CHART_HEIGHT,
        burn: figure
            .burn_down
            .iter()
            .map(|p| BurnRow {
                at: when(p.at, tz),
                left: minutes_text(p.left_ms),
            })
            .collect(),
        outages: outages.iter().map(|o| outage_line(o, tz)).collect(),
        service,
    })
}
