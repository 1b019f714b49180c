//! The database's plan for a query built with the DSL, on either backend (EXPLAIN QUERY PLAN on
//! SQLite, EXPLAIN on PostgreSQL), one line per step: how the plan tests show that a query is an
//! index range, and how a person checks it on a large database.

use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Text, Untyped};
use diesel::{QueryResult, QueryableByName, RunQueryDsl};

use crate::db::{DbConn, MultiBackend};
use crate::error::AppResult;

/// `query` prefixed with the backend's EXPLAIN.
struct Explain<Q> {
    prefix: &'static str,
    query: Q,
}

impl<Q> QueryId for Explain<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q> Query for Explain<Q> {
    type SqlType = Untyped;
}

impl<Q: QueryFragment<MultiBackend>> QueryFragment<MultiBackend> for Explain<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.push_sql(self.prefix);
        self.query.walk_ast(out.reborrow())
    }
}

impl<Q> RunQueryDsl<DbConn> for Explain<Q> {}

#[derive(QueryableByName)]
struct SqlitePlanLine {
    #[diesel(sql_type = Text)]
    detail: String,
}

#[derive(QueryableByName)]
struct PgPlanLine {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    line: String,
}

/// The plan the database chooses for `query` with its bound values, one line per step.
pub fn plan<Q: QueryFragment<MultiBackend>>(conn: &mut DbConn, query: Q) -> AppResult<Vec<String>> {
    Ok(match conn {
        DbConn::Sqlite(_) => Explain {
            prefix: "EXPLAIN QUERY PLAN ",
            query,
        }
        .load::<SqlitePlanLine>(conn)?
        .into_iter()
        .map(|l| l.detail)
        .collect(),
        DbConn::Postgres(_) => Explain {
            prefix: "EXPLAIN ",
            query,
        }
        .load::<PgPlanLine>(conn)?
        .into_iter()
        .map(|l| l.line)
        .collect(),
    })
}
