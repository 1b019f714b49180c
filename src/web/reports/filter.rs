//! What every report page shares: the filter form (client, date range, priority, technician)
//! read from the query string, the options it offers, and the CSV response (RFC 4180, UTF-8,
//! header row) that downloads a report under the same filters.

use actix_web::HttpResponse;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::Deserialize;

use crate::db::reports::solved::{Cursor, SolvedItem};
use crate::db::{self, reports::ReportFilter};
use crate::domain::inputs::FieldErrors;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::page::url_encode;

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
    pub fn filter(&self, today: NaiveDate) -> (ReportFilter, NaiveDate, NaiveDate) {
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

    pub fn query(&self, from: NaiveDate, to: NaiveDate) -> String {
        format!(
            "client={}&from={from}&to={to}&priority={}&technician={}",
            url_encode(self.client.trim()),
            url_encode(self.priority.trim()),
            url_encode(self.technician.trim())
        )
    }
}

/// The filter form as a page shows it: the values applied and the options offered.
pub struct FilterView {
    pub form: FilterForm,
    pub from: String,
    pub to: String,
    pub clients: Vec<(String, String)>,
    pub technicians: Vec<(String, String)>,
    pub priorities: Vec<(String, String)>,
    /// The query string of the same filters, for the CSV link and the pages of a list.
    pub query: String,
    pub no_errors: FieldErrors,
}

fn with_all(mut options: Vec<(String, String)>, all: &str) -> Vec<(String, String)> {
    options.insert(0, (String::new(), all.to_string()));
    options
}

/// Reads the filter from the query string (dates counted from the desk's `today`) and loads the
/// form's options.
pub async fn read(state: &AppState, form: FilterForm) -> AppResult<(ReportFilter, FilterView)> {
    let (filter, from, to) = form.filter(state.clock.now().date_naive());
    let (clients, technicians) = db::run(&state.pool, |conn| {
        let clients = db::clients::list(conn, true)?
            .into_iter()
            .map(|c| (c.client.id.to_string(), c.client.name))
            .collect();
        let technicians = db::users::list(conn)?
            .into_iter()
            .map(|u| (u.id.to_string(), u.display_name))
            .collect();
        Ok((clients, technicians))
    })
    .await?;
    let view = FilterView {
        query: form.query(from, to),
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
        form,
        no_errors: FieldErrors::new(),
    };
    Ok((filter, view))
}

/// One CSV field as RFC 4180 has it: quoted when it holds a comma, a quote or a line break.
pub fn field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// A CSV download: the header row, then one line per record, CRLF line ends, UTF-8.
pub fn csv_response(name: &str, header: &[&str], records: &[Vec<String>]) -> HttpResponse {
    let mut body = header.join(",");
    body.push_str("\r\n");
    for record in records {
        let line: Vec<String> = record.iter().map(|v| field(v)).collect();
        body.push_str(&line.join(","));
        body.push_str("\r\n");
    }
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{name}.csv\""),
        ))
        .body(body)
}

/// A list page's position: the filter and where the page starts (after the row solved at that
/// instant with that id, as the previous page's "next" link gives it).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListForm {
    #[serde(flatten)]
    pub filter: FilterForm,
    pub after: String,
}

const CURSOR_TIME: &str = "%Y-%m-%dT%H:%M:%S%.6f";

impl ListForm {
    /// The keyset cursor; an unreadable one starts at the first page.
    pub fn cursor(&self) -> Option<Cursor> {
        let (at, id) = self.after.trim().split_once('_')?;
        let at = NaiveDateTime::parse_from_str(at, CURSOR_TIME).ok()?;
        Some((at, id.parse().ok()?))
    }
}

/// The `after` value of the page that follows `last`.
pub fn cursor_text((at, id): Cursor) -> String {
    format!("{}_{id}", at.format(CURSOR_TIME))
}

/// Incidents on one page of a report's list.
const PAGE: i64 = 50;

/// One page of the incidents solved under `filter` (only the reopened ones when `reopened`),
/// and the `after` value of the next page when there is one.
pub async fn solved_page(
    state: &AppState,
    filter: ReportFilter,
    reopened: bool,
    after: Option<Cursor>,
) -> AppResult<(Vec<SolvedItem>, Option<String>)> {
    let (items, more) = db::run(&state.pool, move |conn| {
        db::reports::solved::list(conn, &filter, reopened, after, PAGE)
    })
    .await?;
    let next = items
        .last()
        .filter(|_| more)
        .map(|last| url_encode(&cursor_text((last.solved_at, last.id))));
    Ok((items, next))
}
