//! Manager reports: client satisfaction, and the follow-up of flagged survey answers here; the
//! index of the set and each other report (page and CSV download) in its own file, sharing the
//! filter form of `filter` and the SVG bar chart of `chart`.

pub mod chart;
pub mod escalations;
pub mod filter;
pub mod first_level;
pub mod index;
pub mod monthly;
pub mod reopened;
pub mod resolved;
pub mod sla;
pub mod uptime;

use actix_web::{HttpResponse, web};
use askama::Template;

use crate::db::{self, reports::ReportFilter};
use crate::domain::ids::TicketId;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::page::{Ctx, FlashKind, flash, redirect, render};

/// A manager records the follow-up of a low rating or a comment.
pub async fn followed_up(
    state: web::Data<AppState>,
    manager: crate::web::extract::Manager,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = TicketId(path.into_inner());
    let (actor, now) = (manager.0.id(), state.clock.now());
    db::run(&state.pool, move |conn| {
        db::surveys::mark_followed_up(conn, actor, id, now)
    })
    .await?;
    flash(
        &manager.0.session,
        FlashKind::Success,
        "Follow-up recorded.",
    );
    Ok(redirect(&format!("/tickets/{}", id.0)))
}

pub struct SatisfactionItem {
    pub name: String,
    pub sent: i64,
    pub answered: i64,
    pub average: String,
    pub flagged: i64,
}

#[derive(Template)]
#[template(path = "reports/satisfaction.html")]
struct SatisfactionPage {
    ctx: Ctx,
    filter: filter::FilterView,
    tables: Vec<(&'static str, Vec<SatisfactionItem>)>,
    awaiting: Vec<db::surveys::FlaggedSurvey>,
}

fn average_text(average: Option<f64>) -> String {
    average
        .map(|a| format!("{a:.1}"))
        .unwrap_or_else(|| "—".into())
}

fn satisfaction_items(rows: Vec<db::surveys::SatisfactionRow>) -> Vec<SatisfactionItem> {
    rows.into_iter()
        .map(|r| SatisfactionItem {
            name: r.name,
            sent: r.sent,
            answered: r.answered,
            average: average_text(r.average),
            flagged: r.flagged,
        })
        .collect()
}

type Tables = (
    Vec<db::surveys::SatisfactionRow>,
    Vec<db::surveys::SatisfactionRow>,
);

async fn satisfaction_tables(state: &AppState, filter: ReportFilter) -> AppResult<Tables> {
    db::run(&state.pool, move |conn| {
        Ok((
            db::reports::satisfaction::by_client(conn, &filter)?,
            db::reports::satisfaction::by_technician(conn, &filter)?,
        ))
    })
    .await
}

/// Satisfaction per client and per technician over the surveys sent in the range, and the
/// answers waiting for a follow-up (whenever sent).
pub async fn satisfaction(
    state: web::Data<AppState>,
    manager: crate::web::extract::Manager,
    query: web::Query<filter::FilterForm>,
) -> AppResult<HttpResponse> {
    let (filter, view) = filter::read(&state, query.into_inner()).await?;
    let (by_client, by_technician) = satisfaction_tables(&state, filter).await?;
    let awaiting = db::run(&state.pool, |conn| {
        db::surveys::awaiting_follow_up(conn, 50)
    })
    .await?;
    render(&SatisfactionPage {
        ctx: manager.0.ctx(),
        filter: view,
        tables: vec![
            ("By client", satisfaction_items(by_client)),
            (
                "By technician (ticket owner)",
                satisfaction_items(by_technician),
            ),
        ],
        awaiting,
    })
}

/// The satisfaction figures as CSV under the same filters: one record per client and per
/// technician.
pub async fn satisfaction_csv(
    state: web::Data<AppState>,
    _manager: crate::web::extract::Manager,
    query: web::Query<filter::FilterForm>,
) -> AppResult<HttpResponse> {
    let form = query.into_inner();
    let (filter, from, to) = form.filter(state.clock.now().date_naive());
    let (by_client, by_technician) = satisfaction_tables(&state, filter).await?;
    let records: Vec<Vec<String>> = by_client
        .into_iter()
        .map(|r| ("client", r))
        .chain(by_technician.into_iter().map(|r| ("technician", r)))
        .map(|(group, r)| {
            vec![
                group.to_string(),
                r.name,
                r.sent.to_string(),
                r.answered.to_string(),
                r.average.map(|a| format!("{a:.2}")).unwrap_or_default(),
                r.flagged.to_string(),
            ]
        })
        .collect();
    Ok(filter::csv_response(
        &format!("satisfaction-{from}-{to}"),
        &[
            "group",
            "name",
            "sent",
            "rated",
            "average_rating",
            "flagged",
        ],
        &records,
    ))
}
