//! Full-text search with each database's own index: SQLite's FTS5 tables (kept in step with
//! their rows by triggers) ranked by bm25, PostgreSQL's generated tsvector columns under a GIN
//! index ranked by ts_rank. The desk's searches over prose: known errors and articles by any
//! of their words, best first (`ranked`), live tickets by all of theirs, newest first
//! (`live_tickets`).
//!
//! Both rank known errors and articles the same way: the query is the OR of plain words (see
//! `domain::known_error::search_terms`), the heavier fields count more (title over symptoms over
//! cause over workaround; an article's title over its body; the weights halve from one field to
//! the next on both), and equal ranks fall back to the oldest id. So a row that matches more of
//! the words, in heavier fields, comes first on both backends.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::db::DbConn;
use crate::error::AppResult;

/// What is searched: only published rows are found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Corpus {
    KnownErrors,
    KbArticles,
}

impl Corpus {
    fn sqlite(self) -> &'static str {
        match self {
            Corpus::KnownErrors => {
                "SELECT k.id AS id FROM known_errors_fts \
                 JOIN known_errors k ON k.id = known_errors_fts.rowid \
                 WHERE known_errors_fts MATCH ? AND k.status = 'published' \
                 ORDER BY bm25(known_errors_fts, 8.0, 4.0, 2.0, 1.0), k.id LIMIT ?"
            }
            Corpus::KbArticles => {
                "SELECT a.id AS id FROM kb_articles_fts \
                 JOIN kb_articles a ON a.id = kb_articles_fts.rowid \
                 WHERE kb_articles_fts MATCH ? AND a.status = 'published' \
                 ORDER BY bm25(kb_articles_fts, 2.0, 1.0), a.id LIMIT ?"
            }
        }
    }

    // ts_rank's weights are listed {D, C, B, A}.
    fn postgres(self) -> &'static str {
        match self {
            Corpus::KnownErrors => {
                "SELECT id FROM known_errors, to_tsquery('english', $1) query \
                 WHERE search_vector @@ query AND status = 'published' \
                 ORDER BY ts_rank('{0.125, 0.25, 0.5, 1.0}', search_vector, query) DESC, id \
                 LIMIT $2"
            }
            Corpus::KbArticles => {
                "SELECT id FROM kb_articles, to_tsquery('english', $1) query \
                 WHERE search_vector @@ query AND status = 'published' \
                 ORDER BY ts_rank('{0.1, 0.2, 0.5, 1.0}', search_vector, query) DESC, id \
                 LIMIT $2"
            }
        }
    }
}

/// The FTS5 query for `terms`: each word quoted, any of them.
fn fts5_query(terms: &[String]) -> String {
    terms
        .iter()
        .map(|t| format!("\"{t}\""))
        .collect::<Vec<_>>()
        .join(" OR ")
}

#[derive(QueryableByName)]
struct Hit {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// The ids of the rows matching any of `terms`, best first, at most `limit`. `terms` are plain
/// lower-case words (letters and digits), so they are never query syntax on either backend.
pub fn ranked(
    conn: &mut DbConn,
    corpus: Corpus,
    terms: &[String],
    limit: i64,
) -> AppResult<Vec<i64>> {
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let hits: Vec<Hit> = match conn {
        DbConn::Sqlite(lite) => {
            let query = fts5_query(terms);
            diesel::sql_query(corpus.sqlite())
                .bind::<Text, _>(query)
                .bind::<BigInt, _>(limit)
                .load(lite)?
        }
        DbConn::Postgres(pg) => diesel::sql_query(corpus.postgres())
            .bind::<Text, _>(terms.join(" | "))
            .bind::<BigInt, _>(limit)
            .load(pg)?,
    };
    Ok(hits.into_iter().map(|h| h.id).collect())
}

/// The statuses no longer worked: the queues' search leaves them out, and so do both indexes'
/// `live` condition (the migration `ticket_search` spells the same list).
const NOT_LIVE: &str = "('closed', 'cancelled', 'duplicate')";

/// The live tickets (every status but closed, cancelled and duplicate) whose text holds every
/// one of `words` as a word or the start of one, the newest first, at most `limit`. The queue
/// shows them in its own order, so a rank would only choose which tickets pass the limit when
/// a common word matches more: at a million tickets "printer" matched 10,000 live ones, and
/// scoring each (bm25 reads every match's length) made the search seven times slower than
/// taking the newest, which the index yields in order. `words` come from
/// `domain::ticket_search::ticket_words`: letters and digits, never query syntax.
pub fn live_tickets(conn: &mut DbConn, words: &[String], limit: i64) -> AppResult<Vec<i64>> {
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let (sql, query) = live_tickets_query(conn, words);
    let hits: Vec<Hit> = match conn {
        DbConn::Sqlite(lite) => diesel::sql_query(sql)
            .bind::<Text, _>(query)
            .bind::<BigInt, _>(limit)
            .load(lite)?,
        DbConn::Postgres(pg) => diesel::sql_query(sql)
            .bind::<Text, _>(query)
            .bind::<BigInt, _>(limit)
            .load(pg)?,
    };
    Ok(hits.into_iter().map(|h| h.id).collect())
}

/// The statement and its query string for `live_tickets` on this backend.
fn live_tickets_query(conn: &DbConn, words: &[String]) -> (String, String) {
    match conn {
        DbConn::Sqlite(_) => (
            "SELECT rowid AS id FROM tickets_fts WHERE tickets_fts MATCH ? \
             ORDER BY rowid DESC LIMIT ?"
                .to_string(),
            std::iter::once("live : yes".to_string())
                .chain(words.iter().map(|w| format!("search_text : \"{w}\"*")))
                .collect::<Vec<_>>()
                .join(" AND "),
        ),
        DbConn::Postgres(_) => (
            format!(
                "SELECT id FROM tickets \
                 WHERE search_vector @@ to_tsquery('simple', $1) AND status NOT IN {NOT_LIVE} \
                 ORDER BY id DESC LIMIT $2"
            ),
            words
                .iter()
                .map(|w| format!("{w}:*"))
                .collect::<Vec<_>>()
                .join(" & "),
        ),
    }
}

/// The database's plan for `live_tickets`, one line per step: what the plan tests read.
pub fn live_tickets_plan(
    conn: &mut DbConn,
    words: &[String],
    limit: i64,
) -> AppResult<Vec<String>> {
    let (sql, query) = live_tickets_query(conn, words);
    Ok(match conn {
        DbConn::Sqlite(lite) => diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
            .bind::<Text, _>(query)
            .bind::<BigInt, _>(limit)
            .load::<PlanLine>(lite)?
            .into_iter()
            .map(|l| l.detail)
            .collect(),
        DbConn::Postgres(pg) => diesel::sql_query(format!("EXPLAIN {sql}"))
            .bind::<Text, _>(query)
            .bind::<BigInt, _>(limit)
            .load::<PgPlanLine>(pg)?
            .into_iter()
            .map(|l| l.line)
            .collect(),
    })
}

#[derive(QueryableByName)]
struct PlanLine {
    #[diesel(sql_type = Text)]
    detail: String,
}

#[derive(QueryableByName)]
struct PgPlanLine {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    line: String,
}

/// The database's plan for `ranked` with these terms (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on
/// PostgreSQL), one line per step: how the benchmark example shows the index is used.
pub fn plan(
    conn: &mut DbConn,
    corpus: Corpus,
    terms: &[String],
    limit: i64,
) -> AppResult<Vec<String>> {
    Ok(match conn {
        DbConn::Sqlite(lite) => {
            let query = fts5_query(terms);
            diesel::sql_query(format!("EXPLAIN QUERY PLAN {}", corpus.sqlite()))
                .bind::<Text, _>(query)
                .bind::<BigInt, _>(limit)
                .load::<PlanLine>(lite)?
                .into_iter()
                .map(|l| l.detail)
                .collect()
        }
        DbConn::Postgres(pg) => diesel::sql_query(format!("EXPLAIN {}", corpus.postgres()))
            .bind::<Text, _>(terms.join(" | "))
            .bind::<BigInt, _>(limit)
            .load::<PgPlanLine>(pg)?
            .into_iter()
            .map(|l| l.line)
            .collect(),
    })
}

/// Puts `rows` (loaded by id in any order) in the order of `ids`.
pub fn in_rank_order<T>(ids: &[i64], mut rows: Vec<T>, id_of: impl Fn(&T) -> i64) -> Vec<T> {
    rows.sort_by_key(|r| ids.iter().position(|id| *id == id_of(r)));
    rows
}
