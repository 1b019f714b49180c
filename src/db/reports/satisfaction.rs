//! Satisfaction under a report's filters: surveys sent in the range about incidents that match
//! the client, priority and technician, per client and per technician (the ticket's owner).

use diesel::dsl::{count, count_star, sum};
use diesel::prelude::*;

use super::ReportFilter;
use crate::db::DbConn;
use crate::db::schema::{clients, surveys, tickets, users};
use crate::db::surveys::SatisfactionRow;
use crate::error::AppResult;

/// `$query` (grouped and selected, over surveys joined to their tickets) limited to surveys
/// about incidents sent in the range and matching the filter, loaded.
macro_rules! load_filtered {
    ($conn:expr, $filter:expr, $query:expr) => {{
        let filter: &ReportFilter = $filter;
        let mut query = $query
            .filter(tickets::kind.eq("incident"))
            .filter(surveys::sent_at.ge(filter.from))
            .filter(surveys::sent_at.lt(filter.until))
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
        query.load($conn)?
    }};
}

/// Grouped by `$key` (a column reached through `$joined`): (key, sent, rated, sum of ratings)
/// and (key, flagged).
macro_rules! grouped {
    ($conn:expr, $filter:expr, $joined:expr, $key:expr) => {{
        let sent: Vec<(String, i64, i64, Option<i64>)> = load_filtered!(
            $conn,
            $filter,
            $joined.group_by($key).select((
                $key,
                count_star(),
                count(surveys::rating),
                sum(surveys::rating)
            ))
        );
        let flagged: Vec<(String, i64)> = load_filtered!(
            $conn,
            $filter,
            $joined
                .filter(surveys::flagged.eq(true))
                .group_by($key)
                .select(($key, count_star()))
        );
        rows(sent, &flagged)
    }};
}

fn rows(
    sent: Vec<(String, i64, i64, Option<i64>)>,
    flagged: &[(String, i64)],
) -> Vec<SatisfactionRow> {
    let mut rows: Vec<SatisfactionRow> = sent
        .into_iter()
        .map(|(name, sent, answered, total)| SatisfactionRow {
            flagged: flagged
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(0, |(_, f)| *f),
            average: total
                .filter(|_| answered > 0)
                .map(|t| t as f64 / answered as f64),
            name,
            sent,
            answered,
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    rows
}

pub fn by_client(conn: &mut DbConn, filter: &ReportFilter) -> AppResult<Vec<SatisfactionRow>> {
    Ok(grouped!(
        conn,
        filter,
        surveys::table.inner_join(tickets::table.inner_join(clients::table)),
        clients::name
    ))
}

pub fn by_technician(conn: &mut DbConn, filter: &ReportFilter) -> AppResult<Vec<SatisfactionRow>> {
    Ok(grouped!(
        conn,
        filter,
        surveys::table.inner_join(
            tickets::table.inner_join(users::table.on(tickets::owner_id.eq(users::id.nullable())))
        ),
        users::display_name
    ))
}
