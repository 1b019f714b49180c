//! The SLA report's figures beyond met and met late: the clocks breached (open incidents past
//! their due instant), and the median and 90th percentile of the business minutes to respond and
//! to resolve, taken in SQL on both backends.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::count_star;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamp};
use diesel::sqlite::Sqlite;

use super::{ReportFilter, SlaLine, sla_by_priority};
use crate::db::DbConn;
use crate::db::schema::tickets;
use crate::domain::priority::Priority;
use crate::error::AppResult;

/// Which clock a figure is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    Response,
    Resolution,
}

impl Clock {
    fn column(self) -> &'static str {
        match self {
            Clock::Response => "response_business_minutes",
            Clock::Resolution => "resolution_business_minutes",
        }
    }
}

/// Business minutes at the median and the 90th percentile, as `percentile_disc` has them: the
/// smallest figure that at least half (nine tenths) of the tickets do not exceed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Percentiles {
    pub median: Option<i32>,
    pub p90: Option<i32>,
}

#[derive(QueryableByName)]
struct PercentileRow {
    #[diesel(sql_type = Text)]
    priority: String,
    #[diesel(sql_type = Nullable<Integer>)]
    median: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    p90: Option<i32>,
}

/// The filter's conditions on incidents solved in the range with a figure for `clock`, with
/// placeholders numbered for PostgreSQL or plain for SQLite, bound in this order: from, until,
/// then client, priority and technician when given.
fn conditions(filter: &ReportFilter, clock: Clock, numbered: bool) -> String {
    let mut n = 0;
    let mut next = || {
        n += 1;
        if numbered {
            format!("${n}")
        } else {
            "?".to_string()
        }
    };
    let from = next();
    let until = next();
    let mut sql = format!(
        "kind = 'incident' AND solved_at >= {from} AND solved_at < {until} AND {} IS NOT NULL",
        clock.column()
    );
    if filter.client.is_some() {
        sql.push_str(&format!(" AND client_id = {}", next()));
    }
    if filter.priority.is_some() {
        sql.push_str(&format!(" AND priority = {}", next()));
    }
    if filter.technician.is_some() {
        sql.push_str(&format!(" AND owner_id = {}", next()));
    }
    sql
}

macro_rules! load_with_filter {
    ($conn:expr, $backend:ty, $sql:expr, $filter:expr) => {{
        let filter: &ReportFilter = $filter;
        let mut query = diesel::sql_query($sql)
            .into_boxed::<$backend>()
            .bind::<Timestamp, _>(filter.from)
            .bind::<Timestamp, _>(filter.until);
        if let Some(client) = filter.client {
            query = query.bind::<BigInt, _>(client);
        }
        if let Some(priority) = filter.priority.clone() {
            query = query.bind::<Text, _>(priority);
        }
        if let Some(technician) = filter.technician {
            query = query.bind::<BigInt, _>(technician);
        }
        query.load::<PercentileRow>($conn)?
    }};
}

/// Median and 90th percentile of `clock`'s business minutes per priority, over the incidents
/// solved in the filter's range. PostgreSQL takes `percentile_disc`; SQLite numbers the figures
/// of each priority in order and takes the first whose rank reaches the fraction, which is the
/// same value.
pub fn percentiles(
    conn: &mut DbConn,
    filter: &ReportFilter,
    clock: Clock,
) -> AppResult<Vec<(String, Percentiles)>> {
    let column = clock.column();
    let rows = match conn {
        DbConn::Postgres(pg) => {
            let sql = format!(
                "SELECT priority, \
                 percentile_disc(0.5) WITHIN GROUP (ORDER BY {column}) AS median, \
                 percentile_disc(0.9) WITHIN GROUP (ORDER BY {column}) AS p90 \
                 FROM tickets WHERE {} GROUP BY priority ORDER BY priority",
                conditions(filter, clock, true)
            );
            load_with_filter!(pg, Pg, sql, filter)
        }
        DbConn::Sqlite(lite) => {
            let sql = format!(
                "SELECT priority, \
                 MIN(CASE WHEN rn * 2 >= n THEN m END) AS median, \
                 MIN(CASE WHEN rn * 10 >= n * 9 THEN m END) AS p90 \
                 FROM (SELECT priority, {column} AS m, \
                 ROW_NUMBER() OVER (PARTITION BY priority ORDER BY {column}) AS rn, \
                 COUNT(*) OVER (PARTITION BY priority) AS n \
                 FROM tickets WHERE {}) AS ranked GROUP BY priority ORDER BY priority",
                conditions(filter, clock, false)
            );
            load_with_filter!(lite, Sqlite, sql, filter)
        }
    };
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.priority,
                Percentiles {
                    median: r.median,
                    p90: r.p90,
                },
            )
        })
        .collect())
}

/// Open incidents (neither solved nor cancelled) whose `$due` column lies in
/// [from, min(until, now)) and that match `$extra`, per priority.
macro_rules! open_past_due {
    ($conn:expr, $filter:expr, $due:expr, $end:expr, $extra:expr) => {{
        let filter: &ReportFilter = $filter;
        let mut query = tickets::table
            .group_by(tickets::priority)
            .select((tickets::priority, count_star()))
            .filter(tickets::kind.eq("incident"))
            .filter(tickets::solved_at.is_null())
            .filter(tickets::status.ne_all(["cancelled", "duplicate", "closed"]))
            .filter($due.ge(filter.from))
            .filter($due.lt($end))
            .filter($extra)
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
        query.load::<(String, i64)>($conn)?
    }};
}

/// One priority's line of the SLA report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SlaFigures {
    /// Solved in the range, with met on time, and reopened (see [`SlaLine`]).
    pub line: SlaLine,
    /// Solved in the range, answered (resolved) after the due instant.
    pub response_met_late: i64,
    pub resolution_met_late: i64,
    /// Open, with the due instant in the range and already past: no response yet / not solved.
    pub response_breached: i64,
    pub resolution_breached: i64,
    pub response_minutes: Percentiles,
    pub resolution_minutes: Percentiles,
}

/// Solved incidents in the range answered late: after the due instant.
fn responded_late(conn: &mut DbConn, filter: &ReportFilter) -> AppResult<Vec<(String, i64)>> {
    Ok(super::count_by_priority!(
        conn,
        filter,
        tickets::responded_at.gt(tickets::response_due_at)
    ))
}

fn resolved_late(conn: &mut DbConn, filter: &ReportFilter) -> AppResult<Vec<(String, i64)>> {
    Ok(super::count_by_priority!(
        conn,
        filter,
        tickets::solved_at.gt(tickets::resolution_due_at)
    ))
}

/// The SLA report per priority (P1 first), every priority with something to show.
pub fn sla_report(
    conn: &mut DbConn,
    filter: &ReportFilter,
    now: DateTime<Utc>,
) -> AppResult<Vec<SlaFigures>> {
    let end: NaiveDateTime = filter.until.min(now.naive_utc());
    let lines = sla_by_priority(conn, filter)?;
    let response_late = responded_late(conn, filter)?;
    let resolution_late = resolved_late(conn, filter)?;
    let response_breached = open_past_due!(
        conn,
        filter,
        tickets::response_due_at,
        end,
        tickets::responded_at.is_null()
    );
    let resolution_breached = open_past_due!(
        conn,
        filter,
        tickets::resolution_due_at,
        end,
        tickets::resolution_due_at.is_not_null()
    );
    let response_minutes = percentiles(conn, filter, Clock::Response)?;
    let resolution_minutes = percentiles(conn, filter, Clock::Resolution)?;
    let count =
        |rows: &[(String, i64)], p: &str| rows.iter().find(|(q, _)| q == p).map_or(0, |(_, n)| *n);
    let minutes = |rows: &[(String, Percentiles)], p: &str| {
        rows.iter()
            .find(|(q, _)| q == p)
            .map(|(_, m)| *m)
            .unwrap_or_default()
    };
    Ok(Priority::ALL
        .iter()
        .map(|p| p.as_str())
        .map(|p| SlaFigures {
            line: lines
                .iter()
                .find(|l| l.priority == p)
                .cloned()
                .unwrap_or_else(|| SlaLine {
                    priority: p.to_string(),
                    ..SlaLine::default()
                }),
            response_met_late: count(&response_late, p),
            resolution_met_late: count(&resolution_late, p),
            response_breached: count(&response_breached, p),
            resolution_breached: count(&resolution_breached, p),
            response_minutes: minutes(&response_minutes, p),
            resolution_minutes: minutes(&resolution_minutes, p),
        })
        .filter(|f| f.line.resolved > 0 || f.response_breached > 0 || f.resolution_breached > 0)
        .collect())
}
