//! The home page after sign-in: the state of the desk at a glance.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::AppState;
use super::extract::CurrentUser;
use super::page::{Ctx, render};
use crate::db;
use crate::db::tickets::Queue;
use crate::error::AppResult;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    ctx: Ctx,
    name: String,
    away: bool,
    queues: Vec<QueueCount>,
    follow_ups: Vec<db::surveys::FlaggedSurvey>,
    overview: db::dashboard::Overview,
}

pub struct QueueCount {
    pub slug: String,
    pub label: String,
    pub count: i64,
}

pub async fn show(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    let (viewer, now) = (user.id(), state.clock.now());
    let is_manager = user.row.role().is_manager();
    let (overview, queues, follow_ups) = db::run(&state.pool, move |conn| {
        let mut queues = Vec::new();
        for queue in [
            Queue::Mine,
            Queue::Untriaged,
            Queue::AtRisk,
            Queue::Pending,
            Queue::AwaitingClosure,
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
        Ok((db::dashboard::overview(conn)?, queues, follow_ups))
    })
    .await?;
    render(&DashboardPage {
        ctx: user.ctx(),
        name: user.row.display_name.clone(),
        away: user.row.away,
        queues,
        follow_ups,
        overview,
    })
}
