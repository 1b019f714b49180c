//! Escalations made in a report's range (by when they happened), on tickets matching its client,
//! priority and technician: counted in SQL per reason, trigger and move between levels.

use diesel::dsl::count_star;
use diesel::prelude::*;

use super::ReportFilter;
use crate::db::DbConn;
use crate::db::schema::{escalation_levels, escalations, tickets};
use crate::error::AppResult;

/// Escalations of one reason, trigger and move.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EscalationCount {
    pub reason: String,
    pub trigger_kind: String,
    /// The level left (`None`: the ticket had none yet) and the level reached, by name.
    pub from_level: Option<String>,
    pub to_level: String,
    pub count: i64,
}

pub fn counts(conn: &mut DbConn, filter: &ReportFilter) -> AppResult<Vec<EscalationCount>> {
    let mut query = escalations::table
        .inner_join(tickets::table)
        .group_by((
            escalations::reason,
            escalations::trigger_kind,
            escalations::from_level_id,
            escalations::to_level_id,
        ))
        .select((
            escalations::reason,
            escalations::trigger_kind,
            escalations::from_level_id,
            escalations::to_level_id,
            count_star(),
        ))
        .filter(escalations::created_at.ge(filter.from))
        .filter(escalations::created_at.lt(filter.until))
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
    let rows = query.load::<(String, String, Option<i64>, i64, i64)>(conn)?;
    let levels: Vec<(i64, String)> = escalation_levels::table
        .select((escalation_levels::id, escalation_levels::name))
        .load(conn)?;
    let name = |id: i64| {
        levels
            .iter()
            .find(|(l, _)| *l == id)
            .map_or_else(|| format!("level {id}"), |(_, n)| n.clone())
    };
    let mut counts: Vec<EscalationCount> = rows
        .into_iter()
        .map(|(reason, trigger_kind, from, to, count)| EscalationCount {
            reason,
            trigger_kind,
            from_level: from.map(name),
            to_level: name(to),
            count,
        })
        .collect();
    counts.sort_by(|a, b| (&a.reason, &a.trigger_kind).cmp(&(&b.reason, &b.trigger_kind)));
    Ok(counts)
}
