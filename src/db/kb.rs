//! The knowledge base: articles published from solved tickets or written by hand, searched
//! (full-text, see `fulltext`) and read by staff. Editing and retiring are in `kb_edit`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::fulltext::{self, Corpus};
use crate::db::schema::{kb_article_versions, kb_articles};
use crate::db::tickets::row::{TicketEdit, TicketRow};
use crate::domain::ids::{KbArticleId, UserId};
use crate::domain::known_error::{Status, search_terms};
use crate::error::{AppError, AppResult};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = kb_articles)]
pub struct KbArticleRow {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub ticket_id: Option<i64>,
    pub category_id: Option<i64>,
    pub search_text: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub status: String,
    pub version: i64,
    pub updated_by: Option<i64>,
    pub problem_id: Option<i64>,
}

impl KbArticleRow {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Retired)
    }
}

/// The best matches for `term` by full-text search, or else the latest changed articles;
/// published articles only.
pub fn kb_search(
    conn: &mut DbConn,
    term: Option<&str>,
    limit: i64,
) -> AppResult<Vec<KbArticleRow>> {
    let terms = search_terms(term.unwrap_or_default());
    if !terms.is_empty() {
        let ids = fulltext::ranked(conn, Corpus::KbArticles, &terms, limit)?;
        let rows = kb_articles::table
            .filter(kb_articles::id.eq_any(&ids))
            .select(KbArticleRow::as_select())
            .load(conn)?;
        return Ok(fulltext::in_rank_order(&ids, rows, |r| r.id));
    }
    Ok(kb_articles::table
        .filter(kb_articles::status.eq(Status::Published.as_str()))
        .order((kb_articles::updated_at.desc(), kb_articles::id.desc()))
        .limit(limit)
        .select(KbArticleRow::as_select())
        .load(conn)?)
}

pub fn kb_article(conn: &mut DbConn, id: KbArticleId) -> AppResult<KbArticleRow> {
    kb_articles::table
        .find(id.0)
        .select(KbArticleRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The article a resolved problem published, if any.
pub fn of_problem(conn: &mut DbConn, problem: i64) -> AppResult<Option<KbArticleRow>> {
    Ok(kb_articles::table
        .filter(kb_articles::problem_id.eq(problem))
        .order(kb_articles::id.desc())
        .select(KbArticleRow::as_select())
        .first(conn)
        .optional()?)
}

/// Publishes a solved ticket's solution as an article, in the solve's transaction. Returns the
/// article's number for the timeline.
pub fn publish(
    conn: &mut DbConn,
    ticket: &TicketRow,
    title: &str,
    solution: &str,
    edit: TicketEdit,
) -> AppResult<i64> {
    let at = edit.at();
    let id = diesel::insert_into(kb_articles::table)
        .values((
            kb_articles::title.eq(title),
            kb_articles::body.eq(solution),
            kb_articles::ticket_id.eq(Some(ticket.id.0)),
            kb_articles::category_id.eq(ticket.category_id),
            kb_articles::search_text.eq(format!("{title}\n{solution}").to_lowercase()),
            kb_articles::created_by.eq(Some(edit.actor.0)),
            kb_articles::created_at.eq(at),
            kb_articles::updated_at.eq(at),
        ))
        .returning(kb_articles::id)
        .get_result(conn)?;
    let article = kb_article(conn, KbArticleId(id))?;
    keep_version(conn, &article, Some(edit.actor))?;
    Ok(id)
}

/// Keeps the article as it stands now as one version of its history.
pub fn keep_version(
    conn: &mut DbConn,
    article: &KbArticleRow,
    editor: Option<UserId>,
) -> AppResult<()> {
    diesel::insert_into(kb_article_versions::table)
        .values((
            kb_article_versions::article_id.eq(article.id),
            kb_article_versions::version.eq(article.version),
            kb_article_versions::title.eq(&article.title),
            kb_article_versions::body.eq(&article.body),
            kb_article_versions::status.eq(&article.status),
            kb_article_versions::edited_by.eq(editor.map(|e| e.0)),
            kb_article_versions::edited_at.eq(article.updated_at),
        ))
        .execute(conn)?;
    Ok(())
}
