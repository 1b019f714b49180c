//! The home page after sign-in: the state of the desk at a glance.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::AppState;
use super::extract::CurrentUser;
use super::page::{Ctx, render};
use crate::db;
use crate::error::AppResult;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    ctx: Ctx,
    name: String,
    overview: db::dashboard::Overview,
}

pub async fn show(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    let overview = db::run(&state.pool, db::dashboard::overview).await?;
    render(&DashboardPage {
        ctx: user.ctx(),
        name: user.row.display_name.clone(),
        overview,
    })
}
