//! Report queries: aggregates in SQL over index ranges, never tickets loaded into memory.

pub mod business_minutes;
pub mod escalations;
pub mod satisfaction;
pub mod sla_figures;
pub mod solved;
pub mod uptime;

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::DbConn;
use super::schema::tickets;
use crate::error::AppResult;

pub mod monthly;

/// What every report filters by; `None` is "all".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportFilter {
    pub client: Option<i64>,
    /// Solved in [from, until).
    pub from: NaiveDateTime,
    pub until: NaiveDateTime,
    pub priority: Option<String>,
    pub technician: Option<i64>,
}

/// Per priority: the incidents solved in the range and how they stood against their SLA.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SlaLine {
    pub priority: String,
    pub resolved: i64,
    pub response_met: i64,
    pub resolution_met: i64,
    pub reopened: i64,
}

/// Solved incidents in the filter's range that also match `$extra`, counted per priority.
macro_rules! count_by_priority {
    ($conn:expr, $filter:expr, $extra:expr) => {{
        let filter: &ReportFilter = $filter;
        let mut query = tickets::table
            .group_by(tickets::priority)
            .select((tickets::priority, count_star()))
            .filter(tickets::kind.eq("incident"))
            .filter(tickets::solved_at.ge(filter.from))
            .filter(tickets::solved_at.lt(filter.until))
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
pub(crate) use count_by_priority;

/// Solved incidents per priority (P1 first) with their response and resolution against the SLA:
/// met means by the due instant; the rest were met late (breached).
pub fn sla_by_priority(conn: &mut DbConn, filter: &ReportFilter) -> AppResult<Vec<SlaLine>> {
    let resolved = count_by_priority!(conn, filter, tickets::solved_at.is_not_null());
    let response_met = count_by_priority!(
        conn,
        filter,
        tickets::responded_at.le(tickets::response_due_at)
    );
    let resolution_met = count_by_priority!(
        conn,
        filter,
        tickets::solved_at.le(tickets::resolution_due_at)
    );
    let reopened = count_by_priority!(conn, filter, tickets::reopen_count.gt(0));
    let of =
        |rows: &[(String, i64)], p: &str| rows.iter().find(|(q, _)| q == p).map_or(0, |(_, n)| *n);
    let mut lines: Vec<SlaLine> = resolved
        .iter()
        .map(|(p, n)| SlaLine {
            priority: p.clone(),
            resolved: *n,
            response_met: of(&response_met, p),
            resolution_met: of(&resolution_met, p),
            reopened: of(&reopened, p),
        })
        .collect();
    lines.sort_by(|a, b| a.priority.cmp(&b.priority));
    Ok(lines)
}
