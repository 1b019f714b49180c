//! The knowledge base: articles published from solved tickets, searched and read by staff.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::kb_articles;
use crate::db::search::like_pattern;
use crate::db::tickets::row::{TicketEdit, TicketRow};
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
}

pub fn kb_search(
    conn: &mut DbConn,
    term: Option<&str>,
    limit: i64,
) -> AppResult<Vec<KbArticleRow>> {
    let mut query = kb_articles::table.into_boxed();
    if let Some(term) = term.filter(|t| !t.trim().is_empty()) {
        query = query.filter(
            kb_articles::search_text
                .like(like_pattern(term.trim()))
                .escape('\\'),
        );
    }
    Ok(query
        .order(kb_articles::updated_at.desc())
        .limit(limit)
        .select(KbArticleRow::as_select())
        .load(conn)?)
}

pub fn kb_article(
    conn: &mut DbConn,
    id: crate::domain::ids::KbArticleId,
) -> AppResult<KbArticleRow> {
    kb_articles::table
        .find(id.0)
        .select(KbArticleRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
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
    Ok(diesel::insert_into(kb_articles::table)
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
        .get_result(conn)?)
}
