//! The incidents solved in a report's range: counted per priority and category, counted at the
//! first level without an escalation, and listed a page at a time (newest solve first, keyset
//! paginated so a page deep in a million tickets costs what the first one does).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::{count_star, exists, not};
use diesel::prelude::*;

use super::ReportFilter;
use crate::db::DbConn;
use crate::db::schema::{clients, escalations, tickets};
use crate::error::AppResult;

type BoxedTickets<'a> = tickets::BoxedQuery<'a, crate::db::MultiBackend>;

/// Incidents solved in the filter's range that match its client, priority and technician.
fn solved_incidents(filter: &ReportFilter) -> BoxedTickets<'static> {
    let mut query = tickets::table
        .filter(tickets::kind.eq("incident"))
        .filter(tickets::solved_at.ge(filter.from))
        .filter(tickets::solved_at.lt(filter.until))
        .into_boxed();
    if let Some(client) = filter.client {
        query = query.filter(tickets::client_id.eq(client));
    }
    if let Some(priority) = filter.priority.clone() {
        query = query.filter(tickets::priority.eq(priority));
    }
    if let Some(technician) = filter.technician {
        query = query.filter(tickets::owner_id.eq(technician));
    }
    query
}

/// Solved incidents per priority and category (`None`: uncategorised), with the category's
/// name; priorities P1 first, categories by name.
pub fn by_priority_and_category(
    conn: &mut DbConn,
    filter: &ReportFilter,
) -> AppResult<Vec<(String, String, i64)>> {
    let mut query = tickets::table
        .group_by((tickets::priority, tickets::category_id))
        .select((tickets::priority, tickets::category_id, count_star()))
        .filter(tickets::kind.eq("incident"))
        .filter(tickets::solved_at.ge(filter.from))
        .filter(tickets::solved_at.lt(filter.until))
        .into_boxed();
    if let Some(client) = filter.client {
        query = query.filter(tickets::client_id.eq(client));
    }
    if let Some(priority) = filter.priority.clone() {
        query = query.filter(tickets::priority.eq(priority));
    }
    if let Some(technician) = filter.technician {
        query = query.filter(tickets::owner_id.eq(technician));
    }
    let rows = query.load::<(String, Option<i64>, i64)>(conn)?;
    let ids: Vec<Option<i64>> = rows.iter().map(|(_, c, _)| *c).collect();
    let names = crate::db::categories::names(conn, &ids)?;
    let mut counts: Vec<(String, String, i64)> = rows
        .into_iter()
        .map(|(p, c, n)| (p, names.of(c).unwrap_or("Uncategorised").to_string(), n))
        .collect();
    counts.sort();
    Ok(counts)
}

/// Per priority: the incidents solved in the range, and those among them solved at tier 1 that
/// were never escalated.
pub fn first_level(conn: &mut DbConn, filter: &ReportFilter) -> AppResult<Vec<(String, i64, i64)>> {
    let solved = super::count_by_priority!(conn, filter, tickets::solved_at.is_not_null());
    let first = super::count_by_priority!(
        conn,
        filter,
        tickets::tier.eq("tier1").and(not(exists(
            escalations::table.filter(escalations::ticket_id.eq(tickets::id))
        )))
    );
    let mut lines: Vec<(String, i64, i64)> = solved
        .into_iter()
        .map(|(p, n)| {
            let at_first = first.iter().find(|(q, _)| *q == p).map_or(0, |(_, m)| *m);
            (p, n, at_first)
        })
        .collect();
    lines.sort();
    Ok(lines)
}

/// Where a page of a list starts: after the row solved at `.0` with id `.1`.
pub type Cursor = (NaiveDateTime, i64);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SolvedItem {
    pub id: i64,
    pub subject: String,
    pub client: String,
    pub priority: String,
    pub reopen_count: i32,
    pub solved_at: NaiveDateTime,
}

/// Up to `limit` solved incidents of the range, newest solve first, after `after`; only those
/// reopened at least once when `reopened_only`. Also says whether more follow.
pub fn list(
    conn: &mut DbConn,
    filter: &ReportFilter,
    reopened_only: bool,
    after: Option<Cursor>,
    limit: i64,
) -> AppResult<(Vec<SolvedItem>, bool)> {
    let mut query = solved_incidents(filter);
    if reopened_only {
        query = query.filter(tickets::reopen_count.gt(0));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            tickets::solved_at
                .lt(at)
                .or(tickets::solved_at.eq(at).and(tickets::id.lt(id))),
        );
    }
    let rows: Vec<(i64, String, i64, String, i32, Option<NaiveDateTime>)> = query
        .order((tickets::solved_at.desc(), tickets::id.desc()))
        .limit(limit + 1)
        .select((
            tickets::id,
            tickets::subject,
            tickets::client_id,
            tickets::priority,
            tickets::reopen_count,
            tickets::solved_at,
        ))
        .load(conn)?;
    let more = rows.len() as i64 > limit;
    let client_ids: Vec<i64> = rows.iter().map(|r| r.2).collect();
    let names: HashMap<i64, String> = clients::table
        .filter(clients::id.eq_any(&client_ids))
        .select((clients::id, clients::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let items = rows
        .into_iter()
        .take(usize::try_from(limit).unwrap_or(0))
        .filter_map(|(id, subject, client, priority, reopen_count, solved_at)| {
            Some(SolvedItem {
                id,
                subject,
                client: names.get(&client).cloned().unwrap_or_default(),
                priority,
                reopen_count,
                solved_at: solved_at?,
            })
        })
        .collect();
    Ok((items, more))
}
