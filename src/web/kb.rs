//! The knowledge base: search and read the articles published from solved tickets.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::kb;
use crate::db::{self};
use crate::domain::ids::KbArticleId;
use crate::error::AppResult;
use crate::format::format_time;
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::page::{Ctx, render};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct KbQuery {
    q: Option<String>,
}

pub struct KbItem {
    pub id: i64,
    pub title: String,
    pub excerpt: String,
    pub ticket_id: Option<i64>,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "kb/index.html")]
struct KbPage {
    ctx: Ctx,
    q: String,
    articles: Vec<KbItem>,
}

pub async fn index(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<KbQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner().q.unwrap_or_default();
    let term = q.clone();
    let rows = db::run(&state.pool, move |conn| {
        kb::kb_search(conn, Some(&term), 50)
    })
    .await?;
    let zone = user.zone();
    render(&KbPage {
        ctx: user.ctx(),
        q,
        articles: rows
            .into_iter()
            .map(|a| KbItem {
                id: a.id,
                excerpt: a.body.chars().take(220).collect(),
                title: a.title,
                ticket_id: a.ticket_id,
                updated: format_time(a.updated_at, zone),
            })
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "kb/show.html")]
struct KbArticlePage {
    ctx: Ctx,
    title: String,
    body: String,
    ticket_id: Option<i64>,
    updated: String,
}

pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = KbArticleId(path.into_inner());
    let article = db::run(&state.pool, move |conn| kb::kb_article(conn, id)).await?;
    render(&KbArticlePage {
        ctx: user.ctx(),
        title: article.title,
        body: article.body,
        ticket_id: article.ticket_id,
        updated: format_time(article.updated_at, user.zone()),
    })
}
