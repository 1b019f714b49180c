//! The knowledge base: search and read the articles (published from solved tickets or written
//! by hand), with each article's history. Writing them is in `kb_edit`.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::{self};
use crate::db::{kb, kb_edit};
use crate::domain::ids::KbArticleId;
use crate::domain::known_error::Status;
use crate::error::AppResult;
use crate::format::format_time;
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::known_errors::check_writer;
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
    can_write: bool,
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
        can_write: check_writer(&user).is_ok(),
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

pub struct VersionItem {
    pub version: i64,
    pub title: String,
    pub status: &'static str,
    pub editor: String,
    pub when: String,
}

#[derive(Template)]
#[template(path = "kb/show.html")]
struct KbArticlePage {
    ctx: Ctx,
    id: i64,
    title: String,
    body: String,
    ticket_id: Option<i64>,
    updated: String,
    version: i64,
    status: Status,
    can_write: bool,
    history: Vec<VersionItem>,
}

pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = KbArticleId(path.into_inner());
    let (article, history) = db::run(&state.pool, move |conn| {
        Ok((kb::kb_article(conn, id)?, kb_edit::history(conn, id)?))
    })
    .await?;
    let zone = user.zone();
    render(&KbArticlePage {
        ctx: user.ctx(),
        id: article.id,
        status: article.status(),
        version: article.version,
        title: article.title,
        body: article.body,
        ticket_id: article.ticket_id,
        updated: format_time(article.updated_at, zone),
        can_write: check_writer(&user).is_ok(),
        history: history
            .into_iter()
            .map(|v| VersionItem {
                version: v.version,
                status: Status::parse(&v.status).unwrap_or(Status::Retired).label(),
                title: v.title,
                editor: v.editor.unwrap_or_else(|| "the desk".into()),
                when: format_time(v.edited_at, zone),
            })
            .collect(),
    })
}
