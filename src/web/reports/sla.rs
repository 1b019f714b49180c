//! Response and resolution against the SLA per priority, filterable by client, solve-date range,
//! priority and technician; as a page with a chart and its table, and as CSV with the same
//! filters.

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{Duration, NaiveDate};
use serde::Deserialize;

use crate::db::{self, reports::ReportFilter, reports::SlaLine};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::Manager;
use crate::web::page::{Ctx, render, url_encode};

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct FilterForm {
    pub client: String,
    pub from: String,
    pub to: String,
    pub priority: String,
    pub technician: String,
}

impl FilterForm {
    /// The filter; an unreadable field falls back to "all" (or the last 30 days for dates), and
    /// the page shows the filter it applied.
    fn filter(&self, today: NaiveDate) -> (ReportFilter, NaiveDate, NaiveDate) {
        let day = |raw: &str| NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok();
        let to = day(&self.to).unwrap_or(today);
        let from = day(&self.from)
            .filter(|f| *f <= to)
            .unwrap_or(to - Duration::days(30));
        let priority = Some(self.priority.trim())
            .filter(|p| ["P1", "P2", "P3"].contains(p))
            .map(str::to_string);
        let filter = ReportFilter {
            client: self.client.trim().parse().ok(),
            from: from.and_hms_opt(0, 0, 0).unwrap_or_default(),
            until: (to + Duration::days(1))
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default(),
            priority,
            technician: self.technician.trim().parse().ok(),
        };
        (filter, from, to)
    }

    fn query(&self, from: NaiveDate, to: NaiveDate) -> String {
        format!(
            "client={}&from={from}&to={to}&priority={}&technician={}",
            url_encode(self.client.trim()),
            url_encode(self.priority.trim()),
            url_encode(self.technician.trim())
        )
    }
}

pub struct SlaRow {
    pub line: SlaLine,
    pub response_late: i64,
    pub resolution_late: i64,
    pub rate: String,
    /// The bar's width out of 300 for the resolution-met rate.
    pub bar: i64,
    pub y: usize,
}

fn rows(lines: Vec<SlaLine>) -> Vec<SlaRow> {
    lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            let per_mille = (line.resolution_met * 1000)
                .checked_div(line.resolved)
                .unwrap_or(0);
            SlaRow {
                response_late: line.resolved - line.response_met,
                resolution_late: line.resolved - line.resolution_met,
                rate: format!("{}.{} %", per_mille / 10, per_mille % 10),
                bar: per_mille * 300 / 1000,
                y: i * 30,
                line,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "reports/sla.html")]
struct SlaPage {
    ctx: Ctx,
    form: FilterForm,
    from: String,
    to: String,
    clients: Vec<(String, String)>,
    technicians: Vec<(String, String)>,
    priorities: Vec<(String, String)>,
    rows: Vec<SlaRow>,
    chart_height: usize,
    csv_query: String,
    no_errors: crate::domain::inputs::FieldErrors,
}

async fn load(
    state: &AppState,
    filter: ReportFilter,
) -> AppResult<(Vec<SlaLine>, Vec<(String, String)>, Vec<(String, String)>)> {
    db::run(&state.pool, move |conn| {
        let lines = db::reports::sla_by_priority(conn, &filter)?;
        let clients = db::clients::list(conn, true)?
            .into_iter()
            .map(|c| (c.client.id.to_string(), c.client.name))
            .collect();
        let technicians = db::users::list(conn)?
            .into_iter()
            .map(|u| (u.id.to_string(), u.display_name))
            .collect();
        Ok((lines, clients, technicians))
    })
    .await
}

fn with_all(mut options: Vec<(String, String)>, all: &str) -> Vec<(String, String)> {
    options.insert(0, (String::new(), all.to_string()));
    options
}

pub async fn page(
    state: web::Data<AppState>,
    manager: Manager,
    query: web::Query<FilterForm>,
) -> AppResult<HttpResponse> {
    let form = query.into_inner();
    let (filter, from, to) = form.filter(state.clock.now().date_naive());
    let (lines, clients, technicians) = load(&state, filter).await?;
    let rows = rows(lines);
    render(&SlaPage {
        ctx: manager.0.ctx(),
        csv_query: form.query(from, to),
        from: from.to_string(),
        to: to.to_string(),
        clients: with_all(clients, "All clients"),
        technicians: with_all(technicians, "All technicians"),
        priorities: with_all(
            ["P1", "P2", "P3"]
                .iter()
                .map(|p| (p.to_string(), p.to_string()))
                .collect(),
            "All priorities",
        ),
        chart_height: rows.len().max(1) * 30,
        rows,
        form,
        no_errors: crate::domain::inputs::FieldErrors::new(),
    })
}

/// One CSV field as RFC 4180 has it: quoted when it holds a comma, a quote or a line break.
fn field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

pub async fn csv(
    state: web::Data<AppState>,
    _manager: Manager,
    query: web::Query<FilterForm>,
) -> AppResult<HttpResponse> {
    let form = query.into_inner();
    let (filter, from, to) = form.filter(state.clock.now().date_naive());
    let (lines, _, _) = load(&state, filter).await?;
    let mut body = String::from(
        "priority,resolved,response_met,response_late,resolution_met,resolution_late,reopened\r\n",
    );
    for r in rows(lines) {
        let l = &r.line;
        body.push_str(&format!(
            "{},{},{},{},{},{},{}\r\n",
            field(&l.priority),
            l.resolved,
            l.response_met,
            r.response_late,
            l.resolution_met,
            r.resolution_late,
            l.reopened
        ));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"sla-{from}-{to}.csv\""),
        ))
        .body(body))
}
