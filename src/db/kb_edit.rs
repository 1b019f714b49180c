//! Writing the knowledge base by hand: an article is created, edited and retired, and every
//! save keeps the article as it was then (who, when) for its history.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;

use crate::db::audit::{self, Entity};
use crate::db::kb::{kb_article, keep_version};
use crate::db::schema::{kb_article_versions, kb_articles, users};
use crate::db::{DbConn, write_tx};
use crate::domain::ids::{CategoryId, KbArticleId, UserId};
use crate::domain::known_error::Status;
use crate::domain::problem::ProblemId;
use crate::error::{AppError, AppResult};

/// An article as typed (already parsed).
#[derive(Clone, Debug)]
pub struct ArticleInput {
    pub title: String,
    pub body: String,
    pub category: Option<CategoryId>,
}

fn searchable_text(input: &ArticleInput) -> String {
    format!("{}\n{}", input.title, input.body).to_lowercase()
}

#[tracing::instrument(skip_all)]
pub fn create(
    conn: &mut DbConn,
    actor: UserId,
    input: &ArticleInput,
    now: DateTime<Utc>,
) -> AppResult<KbArticleId> {
    let at = now.naive_utc().trunc_subsecs(6);
    write_tx(conn, |conn| insert(conn, actor, input, None, at))
}

/// Writes a published article, its first version and its audit line inside the caller's
/// transaction; a resolved problem publishing its resolution names itself as `problem`.
pub(crate) fn insert(
    conn: &mut DbConn,
    actor: UserId,
    input: &ArticleInput,
    problem: Option<ProblemId>,
    at: NaiveDateTime,
) -> AppResult<KbArticleId> {
    let id: i64 = diesel::insert_into(kb_articles::table)
        .values((
            kb_articles::title.eq(&input.title),
            kb_articles::body.eq(&input.body),
            kb_articles::category_id.eq(input.category.map(|c| c.0)),
            kb_articles::search_text.eq(searchable_text(input)),
            kb_articles::created_by.eq(Some(actor.0)),
            kb_articles::created_at.eq(at),
            kb_articles::updated_at.eq(at),
            kb_articles::updated_by.eq(Some(actor.0)),
            kb_articles::status.eq(Status::Published.as_str()),
            kb_articles::version.eq(1),
            kb_articles::problem_id.eq(problem.map(|p| p.0)),
        ))
        .returning(kb_articles::id)
        .get_result(conn)?;
    let article = kb_article(conn, KbArticleId(id))?;
    keep_version(conn, &article, Some(actor))?;
    let detail = match problem {
        Some(p) => format!("{} (resolution of problem {p})", input.title),
        None => input.title.clone(),
    };
    audit::record(
        conn,
        Some(actor),
        Entity::KbArticle,
        id,
        "created",
        &detail,
        at,
    )?;
    Ok(KbArticleId(id))
}

fn stale() -> AppError {
    AppError::Conflict(
        "Someone else saved this article after you opened it. Your text is below; reload it, check what changed, and apply your edit again.".into(),
    )
}

/// What an edit or a retirement changes besides the row's own version and stamp.
enum Change<'a> {
    Edit(&'a ArticleInput),
    Retire,
}

fn save(
    conn: &mut DbConn,
    actor: UserId,
    id: KbArticleId,
    version: i64,
    change: Change<'_>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let at = now.naive_utc().trunc_subsecs(6);
    write_tx(conn, |conn| {
        let guarded = kb_articles::table
            .find(id.0)
            .filter(kb_articles::version.eq(version))
            .filter(kb_articles::status.eq(Status::Published.as_str()));
        let stamp = (
            kb_articles::version.eq(version + 1),
            kb_articles::updated_at.eq(at),
            kb_articles::updated_by.eq(Some(actor.0)),
        );
        let (saved, action, detail) = match change {
            Change::Edit(input) => (
                diesel::update(guarded)
                    .set((
                        stamp,
                        kb_articles::title.eq(&input.title),
                        kb_articles::body.eq(&input.body),
                        kb_articles::category_id.eq(input.category.map(|c| c.0)),
                        kb_articles::search_text.eq(searchable_text(input)),
                    ))
                    .execute(conn)?,
                "updated",
                format!("version {}", version + 1),
            ),
            Change::Retire => (
                diesel::update(guarded)
                    .set((stamp, kb_articles::status.eq(Status::Retired.as_str())))
                    .execute(conn)?,
                "retired",
                String::new(),
            ),
        };
        if saved == 0 {
            kb_article(conn, id)?;
            return Err(stale());
        }
        let article = kb_article(conn, id)?;
        keep_version(conn, &article, Some(actor))?;
        audit::record(
            conn,
            Some(actor),
            Entity::KbArticle,
            id.0,
            action,
            &detail,
            at,
        )
    })
}

/// Saves an edit made from `version` (a stale version, or a retired article, is a conflict).
#[tracing::instrument(skip_all, fields(article = %id))]
pub fn update(
    conn: &mut DbConn,
    actor: UserId,
    id: KbArticleId,
    version: i64,
    input: &ArticleInput,
    now: DateTime<Utc>,
) -> AppResult<()> {
    save(conn, actor, id, version, Change::Edit(input), now)
}

/// Retires an article: it leaves the search and keeps its page and history.
#[tracing::instrument(skip_all, fields(article = %id))]
pub fn retire(
    conn: &mut DbConn,
    actor: UserId,
    id: KbArticleId,
    version: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    save(conn, actor, id, version, Change::Retire, now)
}

/// One entry of an article's history.
#[derive(Clone, Debug)]
pub struct VersionView {
    pub version: i64,
    pub title: String,
    pub status: String,
    pub editor: Option<String>,
    pub edited_at: NaiveDateTime,
}

/// An article's history, newest first.
pub fn history(conn: &mut DbConn, id: KbArticleId) -> AppResult<Vec<VersionView>> {
    let rows: Vec<(i64, String, String, Option<String>, NaiveDateTime)> =
        kb_article_versions::table
            .left_join(users::table.on(kb_article_versions::edited_by.eq(users::id.nullable())))
            .filter(kb_article_versions::article_id.eq(id.0))
            .order(kb_article_versions::version.desc())
            .select((
                kb_article_versions::version,
                kb_article_versions::title,
                kb_article_versions::status,
                users::display_name.nullable(),
                kb_article_versions::edited_at,
            ))
            .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(version, title, status, editor, edited_at)| VersionView {
            version,
            title,
            status,
            editor,
            edited_at,
        })
        .collect())
}
