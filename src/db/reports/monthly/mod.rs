//! The monthly client service report's figures: one client, one calendar month in the client's
//! zone. Every count is an aggregate over an index range of that client and month (the indexes
//! of migration 000260); nothing loads the month's tickets. Sending it by mail is in `send`.

pub mod figures;
pub mod send;

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::{ReportFilter, SlaLine, sla_by_priority};
use crate::db::DbConn;
use crate::db::clients;
use crate::db::schema::{
    outage_incidents, risk_treatments, risks, service_report_sends, surveys, tickets, users,
};
use crate::db::uptime::outages::{OutageRow, overlapping};
use crate::db::uptime::{client_zone, services_of};
use crate::domain::ids::ClientId;
use crate::domain::uptime::{self, Month, minutes_text};
use crate::error::AppResult;
pub use figures::{
    MonthlyReport, OutageLine, RiskLine, RiskSummary, Satisfaction, SendLine, ServiceMonth,
    SlaMonth, TicketCounts,
};

pub const PRIORITIES: [&str; 3] = ["P1", "P2", "P3"];
const INCIDENT: &str = "incident";

/// The month's bounds in UTC as stored.
pub fn bounds(month: Month, zone: Tz) -> (NaiveDateTime, NaiveDateTime) {
    let (from, until) = month.bounds(zone);
    (from.naive_utc(), until.naive_utc())
}

fn of(rows: &[(String, i64)], priority: &str) -> i64 {
    rows.iter()
        .find(|(p, _)| p == priority)
        .map_or(0, |(_, n)| *n)
}

/// The client's tickets matching `$filter`, counted per priority.
macro_rules! per_priority {
    ($conn:expr, $client:expr, $filter:expr) => {
        tickets::table
            .filter(tickets::client_id.eq($client.0))
            .filter($filter)
            .group_by(tickets::priority)
            .select((tickets::priority, count_star()))
            .load::<(String, i64)>($conn)?
    };
}

/// Response and resolution against the SLA per priority.
pub fn sla(
    conn: &mut DbConn,
    client: ClientId,
    (from, until): (NaiveDateTime, NaiveDateTime),
    now: DateTime<Utc>,
) -> AppResult<Vec<SlaMonth>> {
    let solved: Vec<SlaLine> = sla_by_priority(
        conn,
        &ReportFilter {
            client: Some(client.0),
            from,
            until,
            priority: None,
            technician: None,
        },
    )?;
    // Breaches counted so far: a due instant still to come is not a breach yet.
    let cutoff = now.naive_utc().clamp(from, until);
    // Open at the month's end: neither solved nor cancelled (closed without a solve) by then.
    let unsolved = tickets::solved_at
        .is_null()
        .or(tickets::solved_at.ge(until))
        .and(
            tickets::closed_at
                .is_null()
                .or(tickets::closed_at.ge(until)),
        );
    let response_breached = per_priority!(
        conn,
        client,
        tickets::kind
            .eq(INCIDENT)
            .and(tickets::response_due_at.ge(from))
            .and(tickets::response_due_at.lt(cutoff))
            .and(unsolved)
            .and(
                tickets::responded_at
                    .is_null()
                    .or(tickets::responded_at.gt(tickets::response_due_at))
            )
    );
    let resolution_breached = per_priority!(
        conn,
        client,
        tickets::kind
            .eq(INCIDENT)
            .and(tickets::resolution_due_at.ge(from))
            .and(tickets::resolution_due_at.lt(cutoff))
            .and(unsolved)
    );
    Ok(PRIORITIES
        .iter()
        .map(|p| {
            let line = solved
                .iter()
                .find(|l| l.priority == *p)
                .cloned()
                .unwrap_or_default();
            SlaMonth {
                priority: p.to_string(),
                solved: line.resolved,
                response_met: line.response_met,
                response_late: line.resolved - line.response_met,
                response_breached: of(&response_breached, p),
                resolution_met: line.resolution_met,
                resolution_late: line.resolved - line.resolution_met,
                resolution_breached: of(&resolution_breached, p),
            }
        })
        .collect())
}

/// Tickets of every kind per priority: opened, solved, and opened but still open at the end.
pub fn ticket_counts(
    conn: &mut DbConn,
    client: ClientId,
    (from, until): (NaiveDateTime, NaiveDateTime),
) -> AppResult<Vec<TicketCounts>> {
    let opened = per_priority!(
        conn,
        client,
        tickets::created_at
            .ge(from)
            .and(tickets::created_at.lt(until))
    );
    let solved = per_priority!(
        conn,
        client,
        tickets::solved_at
            .ge(from)
            .and(tickets::solved_at.lt(until))
    );
    let still_open = per_priority!(
        conn,
        client,
        tickets::created_at
            .ge(from)
            .and(tickets::created_at.lt(until))
            .and(
                tickets::solved_at
                    .is_null()
                    .or(tickets::solved_at.ge(until))
            )
            .and(
                tickets::closed_at
                    .is_null()
                    .or(tickets::closed_at.ge(until))
            )
    );
    Ok(PRIORITIES
        .iter()
        .map(|p| TicketCounts {
            priority: p.to_string(),
            opened: of(&opened, p),
            solved: of(&solved, p),
            still_open: of(&still_open, p),
        })
        .collect())
}

fn outage_line(row: &OutageRow, zone: Tz, incidents: &[(i64, i64, String)]) -> OutageLine {
    let local = |at: NaiveDateTime| {
        at.and_utc()
            .with_timezone(&zone)
            .format("%a %-d %b %Y %H:%M")
            .to_string()
    };
    OutageLine {
        started: local(row.started_at),
        ended: row.ended_at.map(local).unwrap_or_else(|| "ongoing".into()),
        minutes: row
            .ended_at
            .map(|e| minutes_text((e - row.started_at).num_milliseconds()))
            .unwrap_or_else(|| "—".into()),
        planned: row.planned,
        note: row.note.clone(),
        incidents: incidents
            .iter()
            .filter(|(outage, _, _)| *outage == row.id.0)
            .map(|(_, id, subject)| (*id, subject.clone()))
            .collect(),
    }
}

/// Each hosted service's month figure and the outages behind it with their P1 incidents.
pub fn services(
    conn: &mut DbConn,
    client: ClientId,
    zone: Tz,
    month: Month,
    now: DateTime<Utc>,
) -> AppResult<Vec<ServiceMonth>> {
    let (from, until) = month.bounds(zone);
    let mut out = Vec::new();
    for service in services_of(conn, client)? {
        let rows = overlapping(conn, service.id, from, until)?;
        let spans: Vec<_> = rows.iter().map(OutageRow::span).collect();
        let figure = uptime::month_figure(service.terms(zone)?, zone, month, &spans, now);
        let ids: Vec<i64> = rows.iter().map(|o| o.id.0).collect();
        let incidents: Vec<(i64, i64, String)> = outage_incidents::table
            .inner_join(tickets::table)
            .filter(outage_incidents::outage_id.eq_any(&ids))
            .filter(tickets::priority.eq("P1"))
            .order(tickets::id.asc())
            .select((outage_incidents::outage_id, tickets::id, tickets::subject))
            .load(conn)?;
        out.push(ServiceMonth {
            guarantee: service.guarantee()?.label(),
            outages: rows
                .iter()
                .map(|o| outage_line(o, zone, &incidents))
                .collect(),
            figure,
            service,
        });
    }
    Ok(out)
}

/// The ratings given in the month to the client's incidents.
pub fn satisfaction(
    conn: &mut DbConn,
    client: ClientId,
    (from, until): (NaiveDateTime, NaiveDateTime),
) -> AppResult<Satisfaction> {
    let rows: Vec<(Option<i32>, i64)> = surveys::table
        .inner_join(tickets::table)
        .filter(surveys::answered_at.ge(from))
        .filter(surveys::answered_at.lt(until))
        .filter(surveys::rating.is_not_null())
        .filter(tickets::client_id.eq(client.0))
        .filter(tickets::kind.eq(INCIDENT))
        .group_by(surveys::rating)
        .select((surveys::rating, count_star()))
        .load(conn)?;
    let count = |rating: i64| {
        rows.iter()
            .find(|(r, _)| r.map(i64::from) == Some(rating))
            .map_or(0, |(_, n)| *n)
    };
    let distribution: Vec<(i64, i64)> = (1..=5).rev().map(|r| (r, count(r))).collect();
    let answered: i64 = distribution.iter().map(|(_, n)| n).sum();
    let points: i64 = distribution.iter().map(|(r, n)| r * n).sum();
    Ok(Satisfaction {
        answered,
        average_hundredths: (points * 100).checked_div(answered),
        distribution,
    })
}

fn acceptance_label(raw: &str) -> &'static str {
    match raw {
        "pending" => "waiting for your answer",
        "accepted" => "accepted by you",
        "declined" => "declined by you",
        _ => "not yet put to you",
    }
}

/// The client's open risks today: counted per level, the high and critical ones listed.
pub fn risks(conn: &mut DbConn, client: ClientId) -> AppResult<RiskSummary> {
    let levels: Vec<(Option<String>, i64)> = risks::table
        .filter(risks::client_id.eq(client.0))
        .filter(risks::status.eq(crate::db::risks::OPEN))
        .group_by(risks::inherent_level)
        .select((risks::inherent_level, count_star()))
        .load(conn)?;
    let counts = ["critical", "high", "medium", "low"]
        .iter()
        .map(|l| Some(*l))
        .chain([None])
        .map(|level| {
            let n = levels
                .iter()
                .filter(|(l, _)| l.as_deref() == level)
                .map(|(_, n)| *n)
                .sum();
            (crate::db::risks::level_label(level).to_string(), n)
        })
        .collect();
    let listed = risks::table
        .left_join(
            risk_treatments::table
                .on(risks::current_treatment_id.eq(risk_treatments::id.nullable())),
        )
        .filter(risks::client_id.eq(client.0))
        .filter(risks::status.eq(crate::db::risks::OPEN))
        .filter(risks::inherent_level.eq_any(["critical", "high"]))
        .order((risks::inherent_level.asc(), risks::id.asc()))
        .select((
            risks::id,
            risks::title,
            risks::inherent_level,
            risk_treatments::summary.nullable(),
            risk_treatments::acceptance.nullable(),
        ))
        .load::<(i64, String, Option<String>, Option<String>, Option<String>)>(conn)?
        .into_iter()
        .map(|(id, title, level, summary, acceptance)| RiskLine {
            id,
            title,
            level: crate::db::risks::level_label(level.as_deref()).to_string(),
            treatment: summary.unwrap_or_else(|| "No treatment decided yet".into()),
            acceptance: acceptance_label(acceptance.as_deref().unwrap_or("")).to_string(),
        })
        .collect();
    Ok(RiskSummary { counts, listed })
}

/// Every time this month's report was e-mailed to the client, newest first.
pub fn sends(conn: &mut DbConn, client: ClientId, month: Month) -> AppResult<Vec<SendLine>> {
    Ok(service_report_sends::table
        .inner_join(users::table)
        .filter(service_report_sends::client_id.eq(client.0))
        .filter(service_report_sends::month.eq(month.key()))
        .order(service_report_sends::sent_at.desc())
        .select((
            service_report_sends::sent_at,
            users::display_name,
            service_report_sends::recipients,
        ))
        .load::<(NaiveDateTime, String, String)>(conn)?
        .into_iter()
        .map(|(sent_at, sent_by, recipients)| SendLine {
            sent_at,
            sent_by,
            recipients: recipients.lines().map(str::to_string).collect(),
        })
        .collect())
}

/// The whole report of `client` for `month`, as of `now`.
#[tracing::instrument(skip_all, fields(client_id = %client, month = %month.key()))]
pub fn assemble(
    conn: &mut DbConn,
    client: ClientId,
    month: Month,
    now: DateTime<Utc>,
) -> AppResult<MonthlyReport> {
    let row = clients::get(conn, client)?;
    let zone = client_zone(conn, client)?;
    let range = bounds(month, zone);
    Ok(MonthlyReport {
        sla: sla(conn, client, range, now)?,
        tickets: ticket_counts(conn, client, range)?,
        services: services(conn, client, zone, month, now)?,
        satisfaction: satisfaction(conn, client, range)?,
        risks: risks(conn, client)?,
        client: row,
        zone,
        month,
    })
}
