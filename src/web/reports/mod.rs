//! Manager reports: client satisfaction, and the follow-up of flagged survey answers here; the
//! SLA report (with its CSV download) in `sla`.

pub mod monthly;
pub mod sla;

use actix_web::{HttpResponse, web};
use askama::Template;

use crate::db::{self};
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
    tables: Vec<(&'static str, Vec<SatisfactionItem>)>,
    awaiting: Vec<db::surveys::FlaggedSurvey>,
}

fn satisfaction_items(rows: Vec<db::surveys::SatisfactionRow>) -> Vec<SatisfactionItem> {
    rows.into_iter()
        .map(|r| SatisfactionItem {
            name: r.name,
            sent: r.sent,
            answered: r.answered,
            average: r
                .average
                .map(|a| format!("{a:.1}"))
                .unwrap_or_else(|| "—".into()),
            flagged: r.flagged,
        })
        .collect()
}

/// Satisfaction per client and per technician, and the answers waiting for a follow-up.
pub async fn satisfaction(
    state: web::Data<AppState>,
    manager: crate::web::extract::Manager,
) -> AppResult<HttpResponse> {
    let (by_client, by_technician, awaiting) = db::run(&state.pool, |conn| {
        Ok((
            db::surveys::by_client(conn)?,
            db::surveys::by_technician(conn)?,
            db::surveys::awaiting_follow_up(conn, 50)?,
        ))
    })
    .await?;
    render(&SatisfactionPage {
        ctx: manager.0.ctx(),
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
