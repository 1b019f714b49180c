//! The home page after sign-in: the state of the desk at a glance.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::extract::CurrentUser;
use super::page::{Ctx, render};
use crate::db;
use crate::db::tickets::Queue;
use crate::domain::ticket::Kind;
use crate::error::AppResult;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    ctx: Ctx,
    name: String,
    away: bool,
    queues: Vec<QueueCount>,
    follow_ups: Vec<db::surveys::FlaggedSurvey>,
    overview: db::dashboard::Overview,
    kinds: Vec<db::dashboard::KindFigures>,
    manager: Option<ManagerSection>,
    risks: db::risks::monitor::Flags,
}

/// What waits for the service desk manager: requests to decide, tickets at the decision point.
pub struct ManagerSection {
    pub approvals: Vec<PendingItem>,
    pub decisions: Vec<(i64, String)>,
}

pub struct PendingItem {
    pub ticket_id: i64,
    pub subject: String,
    pub kind: &'static str,
    pub requester: String,
}

pub struct QueueCount {
    pub slug: String,
    pub label: String,
    pub count: db::tickets::Total,
}

pub async fn show(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    let (viewer, now) = (user.id(), state.clock.now());
    let is_manager = user.row.role().is_manager();
    let (overview, queues, follow_ups, manager, kinds) = db::run(&state.pool, move |conn| {
        let mut queues = Vec::new();
        for queue in [
            Queue::Mine,
            Queue::Untriaged,
            Queue::AtRisk,
            Queue::Pending,
            Queue::AwaitingClosure,
            Queue::ServiceRequests,
        ] {
            queues.push(QueueCount {
                slug: queue.slug(),
                label: queue.label(),
                count: db::tickets::queue_count(conn, queue, viewer, now)?,
            });
        }
        let follow_ups = if is_manager {
            db::surveys::awaiting_follow_up(conn, 10)?
        } else {
            Vec::new()
        };
        let manager = if is_manager {
            let approvals = db::approvals::pending(conn)?
                .into_iter()
                .map(|a| PendingItem {
                    ticket_id: a.row.ticket_id.0,
                    kind: a.row.kind.label(),
                    subject: a.ticket_subject,
                    requester: a.requester,
                })
                .collect();
            Some(ManagerSection {
                approvals,
                decisions: db::decision_point::at_decision_point(conn)?,
            })
        } else {
            None
        };
        let kinds = db::dashboard::by_kind(conn)?;
        Ok((
            db::dashboard::overview(conn)?,
            queues,
            follow_ups,
            manager,
            kinds,
        ))
    })
    .await?;
    let today = now.date_naive();
    let risks = db::run(&state.pool, move |conn| {
        db::risks::monitor::flags(conn, today)
    })
    .await?;
    render(&DashboardPage {
        ctx: user.ctx(),
        name: user.row.display_name.clone(),
        away: user.row.away,
        queues,
        follow_ups,
        overview,
        kinds,
        manager,
        risks,
    })
}
