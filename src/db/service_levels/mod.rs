//! Business calendars, SLA policies and the priority matrix: what a client is promised. One room
//! each; this one holds what they share (client counts for the index page, the defaults a new
//! client starts with).

mod calendars;
mod matrix;
mod policies;

use std::collections::HashMap;

use diesel::prelude::*;

use super::DbConn;
use super::schema::{calendars as calendar_table, sla_policies};
use crate::domain::ids::{CalendarId, PolicyId};
use crate::error::AppResult;

pub use calendars::*;
pub use matrix::*;
pub use policies::*;

/// A calendar or policy with how many clients it serves, for the service-levels index.
pub struct Summary<R> {
    pub record: R,
    pub client_count: i64,
}

pub type CalendarSummary = Summary<CalendarRecord>;
pub type PolicySummary = Summary<PolicyRecord>;

/// Pairs each record with its number of clients, from one grouped count over the clients'
/// `calendar_id` or `sla_policy_id` column.
fn with_client_counts<R, F>(
    conn: &mut DbConn,
    records: Vec<R>,
    id: impl Fn(&R) -> i64,
    count_by_column: F,
) -> AppResult<Vec<Summary<R>>>
where
    F: Fn(&mut DbConn) -> QueryResult<Vec<(i64, i64)>>,
{
    let counts: HashMap<i64, i64> = count_by_column(conn)?.into_iter().collect();
    Ok(records
        .into_iter()
        .map(|record| Summary {
            client_count: counts.get(&id(&record)).copied().unwrap_or(0),
            record,
        })
        .collect())
}

/// The rows of `all` that belong to the record `owner`.
fn owned_by<T: Clone>(all: &[T], owner: i64, owner_of: impl Fn(&T) -> i64) -> Vec<T> {
    all.iter()
        .filter(|row| owner_of(row) == owner)
        .cloned()
        .collect()
}

/// The calendar and policy a new client starts with: the oldest of each (the blueprints'
/// defaults, unless an admin made others first and removed those).
pub fn defaults(conn: &mut DbConn) -> AppResult<(CalendarId, PolicyId)> {
    let calendar: i64 = calendar_table::table
        .order(calendar_table::id)
        .select(calendar_table::id)
        .first(conn)?;
    let policy: i64 = sla_policies::table
        .order(sla_policies::id)
        .select(sla_policies::id)
        .first(conn)?;
    Ok((CalendarId(calendar), PolicyId(policy)))
}
