//! The problems list with its filters (status, client, owner), newest change first.

use diesel::prelude::*;

use super::row::ProblemRow;
use crate::db::DbConn;
use crate::db::schema::problems;
use crate::domain::problem::Status;
use crate::error::AppResult;

#[derive(Clone, Debug, Default)]
pub struct ProblemFilter {
    pub status: Option<Status>,
    pub client: Option<i64>,
    pub owner: Option<i64>,
    /// Archived problems stay out unless asked for by status.
    pub include_archived: bool,
}

pub const LIST_LIMIT: i64 = 200;

pub fn list(conn: &mut DbConn, filter: &ProblemFilter) -> AppResult<Vec<ProblemRow>> {
    let mut query = problems::table.into_boxed();
    if let Some(status) = filter.status {
        query = query.filter(problems::status.eq(status.as_str()));
    } else if !filter.include_archived {
        query = query.filter(problems::status.ne(Status::Archived.as_str()));
    }
    if let Some(client) = filter.client {
        query = query.filter(problems::client_id.eq(client));
    }
    if let Some(owner) = filter.owner {
        query = query.filter(problems::owner_id.eq(owner));
    }
    Ok(query
        .order((problems::updated_at.desc(), problems::id.desc()))
        .limit(LIST_LIMIT)
        .select(ProblemRow::as_select())
        .load(conn)?)
}
