//! What a problem publishes, in the transaction of the step that causes it: its known error
//! in the KEDB when it becomes a known error (kept in step with the problem's root cause and
//! workaround afterwards), and its resolution as a KB article when it is resolved.

use chrono::NaiveDateTime;

use super::row::{ProblemRow, kind, log};
use crate::db::DbConn;
use crate::db::kb::{self, KbArticleRow};
use crate::db::kb_edit::{self, ArticleInput};
use crate::db::known_errors::{self, KnownErrorRow};
use crate::domain::ids::{CategoryId, KbArticleId, KnownErrorId, UserId};
use crate::domain::known_error::{KnownErrorInput, Status as KnownStatus, reference};
use crate::domain::problem::ProblemId;
use crate::error::AppResult;

/// What the problem page, the report and the known error's page show of the problem's
/// entries in the KEDB and the KB.
#[derive(Clone, Debug, Default)]
pub struct Published {
    pub known_error: Option<KnownErrorRow>,
    pub article: Option<KbArticleRow>,
}

pub fn published(conn: &mut DbConn, id: ProblemId) -> AppResult<Published> {
    Ok(Published {
        known_error: known_errors::of_problem(conn, id)?,
        article: kb::of_problem(conn, id.0)?,
    })
}

/// What the user sees first: the symptoms as recorded, or the description when none were.
fn symptoms(row: &ProblemRow) -> &str {
    if row.symptoms.trim().is_empty() {
        &row.description
    } else {
        &row.symptoms
    }
}

/// The step to "known error" publishes the problem's root cause and workaround to the KEDB
/// with the problem named on it. A problem that already has a known error keeps it, brought
/// up to date, rather than publishing a second one.
pub(crate) fn publish_known_error(
    conn: &mut DbConn,
    actor: UserId,
    row: &ProblemRow,
    at: NaiveDateTime,
) -> AppResult<KnownErrorId> {
    if let Some(known) = known_errors::of_problem(conn, row.id)? {
        follow(conn, actor, row, &known, at)?;
        return Ok(known.id);
    }
    let input = KnownErrorInput {
        title: row.subject.clone(),
        symptoms: symptoms(row).to_string(),
        cause: row.root_cause.clone(),
        workaround: row.workaround.clone(),
        category: row.category_id.map(CategoryId),
    };
    let id = known_errors::insert(conn, actor, &input, Some(row.id), at)?;
    log(
        conn,
        row.id,
        Some(actor),
        kind::PUBLISHED,
        "",
        &format!(
            "known error {} published to the known-error database",
            reference(id)
        ),
        at,
    )?;
    Ok(id)
}

/// After the problem's analysis is saved: its published known error takes the new root cause
/// and workaround, so the two never drift apart. A retired known error is left as it was.
pub(crate) fn sync_known_error(
    conn: &mut DbConn,
    actor: UserId,
    row: &ProblemRow,
    at: NaiveDateTime,
) -> AppResult<()> {
    match known_errors::of_problem(conn, row.id)? {
        Some(known) if known.status() == KnownStatus::Published => {
            follow(conn, actor, row, &known, at)
        }
        _ => Ok(()),
    }
}

fn follow(
    conn: &mut DbConn,
    actor: UserId,
    row: &ProblemRow,
    known: &KnownErrorRow,
    at: NaiveDateTime,
) -> AppResult<()> {
    if known.cause == row.root_cause && known.workaround == row.workaround {
        return Ok(());
    }
    known_errors::follow_problem(conn, actor, known, &row.root_cause, &row.workaround, at)?;
    log(
        conn,
        row.id,
        Some(actor),
        kind::PUBLISHED,
        "",
        &format!(
            "known error {} updated with the problem's root cause and workaround",
            known.reference()
        ),
        at,
    )
}

/// The article's text: what the reader recognises, why it happens, and what removed it.
fn article_body(row: &ProblemRow) -> String {
    format!(
        "Symptoms\n{}\n\nRoot cause\n{}\n\nPermanent solution\n{}\n\nFrom problem {}.",
        symptoms(row).trim(),
        row.root_cause.trim(),
        row.permanent_solution.trim(),
        row.id
    )
}

/// The step to "resolved" publishes the resolution to the knowledge base, versioned like any
/// article.
pub(crate) fn publish_resolution(
    conn: &mut DbConn,
    actor: UserId,
    row: &ProblemRow,
    at: NaiveDateTime,
) -> AppResult<KbArticleId> {
    let input = ArticleInput {
        title: row.subject.clone(),
        body: article_body(row),
        category: row.category_id.map(CategoryId),
    };
    let id = kb_edit::insert(conn, actor, &input, Some(row.id), at)?;
    log(
        conn,
        row.id,
        Some(actor),
        kind::PUBLISHED,
        "",
        &format!(
            "resolution published to the knowledge base as article {}",
            id.0
        ),
        at,
    )?;
    Ok(id)
}
