//! Detection: the managers' settings, the sweep that turns recent incident patterns into
//! suggestions, and what a manager does with one (make it a problem, or dismiss it for good).
//! Every read starts from an indexed created_at window, so the work is bounded by the window,
//! not by the number of tickets the desk holds.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::commands::{NewProblem, create_in_tx};
use super::row::require_driver;
use crate::db::outcome::{Outcome, refuse};
use crate::db::schema::{
    categories, clients, escalation_levels, escalations, problem_detection, problem_incidents,
    problem_suggestions, tickets,
};
use crate::db::users::UserRow;
use crate::db::{DbConn, write_tx};
use crate::domain::account::Tier;
use crate::domain::escalation::Reason;
use crate::domain::ids::TicketId;
use crate::domain::priority::{Impact, Urgency};
use crate::domain::problem::ProblemId;
use crate::domain::problem_detection::{
    Finding, Settings, Signal, format_ticket_ids, parse_ticket_ids, recurring_reason,
};
use crate::domain::ticket::Kind;
use crate::error::{AppError, AppResult};

/// The most groups and incidents one pass reads, so a storm of incidents cannot make a pass
/// unbounded either.
const MAX_GROUPS: i64 = 100;
const MAX_INCIDENTS: i64 = 500;
const MAX_PER_GROUP: i64 = 50;

pub mod state {
    pub const OPEN: &str = "open";
    pub const DISMISSED: &str = "dismissed";
    pub const ACCEPTED: &str = "accepted";
    /// No longer found (the window moved on, or the incidents were linked meanwhile).
    pub const SUPERSEDED: &str = "superseded";
}

pub fn settings(conn: &mut DbConn) -> AppResult<Settings> {
    let found: Option<(i32, i32)> = problem_detection::table
        .order(problem_detection::id.desc())
        .select((problem_detection::threshold, problem_detection::window_days))
        .first(conn)
        .optional()?;
    Ok(found
        .map(|(threshold, window_days)| Settings {
            threshold,
            window_days,
        })
        .unwrap_or_default())
}

/// Keeps every change of the settings, so who set the rule and when stays on record.
pub fn save_settings(
    conn: &mut DbConn,
    actor: &UserRow,
    settings: Settings,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if !actor.role().is_manager() {
        return Err(AppError::Forbidden);
    }
    diesel::insert_into(problem_detection::table)
        .values((
            problem_detection::threshold.eq(settings.threshold),
            problem_detection::window_days.eq(settings.window_days),
            problem_detection::updated_by.eq(Some(actor.id)),
            problem_detection::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

type Incident = (i64, i64, Option<i64>);

/// Recent incidents not linked to any problem, as (id, client, category).
fn unlinked_recent(
    conn: &mut DbConn,
    since: NaiveDateTime,
    only: Option<&[i64]>,
    reopened: bool,
) -> AppResult<Vec<Incident>> {
    let mut query = tickets::table
        .left_join(problem_incidents::table)
        .filter(tickets::created_at.ge(since))
        .filter(tickets::kind.eq(Kind::Incident.as_str()))
        .filter(problem_incidents::ticket_id.is_null())
        .into_boxed();
    if let Some(ids) = only {
        query = query.filter(tickets::id.eq_any(ids.to_vec()));
    }
    if reopened {
        query = query.filter(tickets::reopen_count.gt(0));
    }
    Ok(query
        .order(tickets::created_at.asc())
        .limit(MAX_INCIDENTS)
        .select((tickets::id, tickets::client_id, tickets::category_id))
        .load(conn)?)
}

fn names(conn: &mut DbConn, client: i64, category: Option<i64>) -> AppResult<(String, String)> {
    let client: String = clients::table
        .find(client)
        .select(clients::name)
        .first(conn)?;
    let category = match category {
        Some(id) => categories::table
            .find(id)
            .select(categories::name)
            .first(conn)?,
        None => "no category".to_string(),
    };
    Ok((client, category))
}

/// Incidents grouped by client and category, one finding per group.
fn grouped(
    conn: &mut DbConn,
    signal: Signal,
    incidents: Vec<Incident>,
    why: &str,
) -> AppResult<Vec<Finding>> {
    let mut groups: BTreeMap<(i64, Option<i64>), Vec<i64>> = BTreeMap::new();
    for (id, client, category) in incidents {
        groups.entry((client, category)).or_default().push(id);
    }
    let mut findings = Vec::new();
    for ((client, category), ids) in groups {
        let (client_name, category_name) = names(conn, client, category)?;
        let reason = format!(
            "{} incident(s) in {category_name} for {client_name} {why}.",
            ids.len()
        );
        findings.push(Finding::new(signal, Some(client), category, ids, reason));
    }
    Ok(findings)
}

/// The escalated incidents of the window: to a level above tier 1 or to a vendor, or for
/// "Complexity or severity".
fn escalated(conn: &mut DbConn, since: NaiveDateTime, severity: bool) -> AppResult<Vec<i64>> {
    let mut query = escalations::table
        .filter(escalations::created_at.ge(since))
        .into_boxed();
    if severity {
        query = query.filter(escalations::reason.eq(Reason::Severity.as_str()));
    } else {
        let beyond: Vec<i64> = escalation_levels::table
            .filter(
                escalation_levels::tier
                    .ne(Tier::Tier1.as_str())
                    .or(escalation_levels::tier.is_null()),
            )
            .select(escalation_levels::id)
            .load(conn)?;
        query = query.filter(
            escalations::vendor
                .ne("")
                .or(escalations::reason.eq(Reason::ExternalVendor.as_str()))
                .or(escalations::to_level_id.eq_any(beyond)),
        );
    }
    let mut ids: Vec<i64> = query
        .order(escalations::created_at.asc())
        .limit(MAX_INCIDENTS)
        .select(escalations::ticket_id)
        .load(conn)?;
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Everything the signals point at now.
fn findings(conn: &mut DbConn, settings: Settings, now: DateTime<Utc>) -> AppResult<Vec<Finding>> {
    let since = settings.window_start(now).naive_utc();
    let mut found = Vec::new();
    let groups: Vec<(i64, Option<i64>, i64)> = tickets::table
        .left_join(problem_incidents::table)
        .filter(tickets::created_at.ge(since))
        .filter(tickets::kind.eq(Kind::Incident.as_str()))
        .filter(tickets::category_id.is_not_null())
        .filter(problem_incidents::ticket_id.is_null())
        .group_by((tickets::client_id, tickets::category_id))
        .having(diesel::dsl::count_star().ge(i64::from(settings.threshold)))
        .select((
            tickets::client_id,
            tickets::category_id,
            diesel::dsl::count_star(),
        ))
        .limit(MAX_GROUPS)
        .load(conn)?;
    for (client, category, count) in groups {
        if !settings.is_recurring(count) {
            continue;
        }
        let ids: Vec<i64> = tickets::table
            .left_join(problem_incidents::table)
            .filter(tickets::created_at.ge(since))
            .filter(tickets::kind.eq(Kind::Incident.as_str()))
            .filter(tickets::client_id.eq(client))
            .filter(tickets::category_id.eq(category))
            .filter(problem_incidents::ticket_id.is_null())
            .order(tickets::created_at.asc())
            .limit(MAX_PER_GROUP)
            .select(tickets::id)
            .load(conn)?;
        let (client_name, category_name) = names(conn, client, category)?;
        let reason = recurring_reason(count, &category_name, &client_name, settings);
        found.push(Finding::new(
            Signal::Recurring,
            Some(client),
            category,
            ids,
            reason,
        ));
    }
    let reopened = unlinked_recent(conn, since, None, true)?;
    found.extend(grouped(
        conn,
        Signal::Reopened,
        reopened,
        "reopened after they were solved",
    )?);
    let unresolved = escalated(conn, since, false)?;
    let unresolved = unlinked_recent(conn, since, Some(&unresolved), false)?;
    found.extend(grouped(
        conn,
        Signal::Unresolved,
        unresolved,
        "not resolved at the service desk (escalated past tier 1 or to a vendor)",
    )?);
    let severe = escalated(conn, since, true)?;
    let severe = unlinked_recent(conn, since, Some(&severe), false)?;
    found.extend(grouped(
        conn,
        Signal::Severity,
        severe,
        "escalated for complexity or severity",
    )?);
    Ok(found)
}

/// One detection pass: records what is newly found and retires open suggestions no longer
/// found. Runs in one write transaction, serialised across instances (BEGIN IMMEDIATE on
/// SQLite, a transaction-scoped advisory lock on PostgreSQL), and the signature is unique, so
/// two instances sweeping at once record each finding once. Answers how many are new.
#[tracing::instrument(skip_all)]
pub fn recompute(conn: &mut DbConn, now: DateTime<Utc>) -> AppResult<usize> {
    write_tx(conn, |conn| {
        if let DbConn::Postgres(pg) = conn {
            diesel::sql_query("SELECT pg_advisory_xact_lock(100100)").execute(pg)?;
        }
        let settings = settings(conn)?;
        let found = findings(conn, settings, now)?;
        let signatures: Vec<String> = found.iter().map(Finding::signature).collect();
        diesel::update(
            problem_suggestions::table
                .filter(problem_suggestions::status.eq(state::OPEN))
                .filter(problem_suggestions::signature.ne_all(&signatures)),
        )
        .set(problem_suggestions::status.eq(state::SUPERSEDED))
        .execute(conn)?;
        let known: Vec<String> = problem_suggestions::table
            .filter(problem_suggestions::signature.eq_any(&signatures))
            .select(problem_suggestions::signature)
            .load(conn)?;
        let at = now.naive_utc();
        let mut added = 0;
        for finding in found {
            let signature = finding.signature();
            if known.contains(&signature) {
                continue;
            }
            diesel::insert_into(problem_suggestions::table)
                .values((
                    problem_suggestions::signature.eq(&signature),
                    problem_suggestions::signal.eq(finding.signal.as_str()),
                    problem_suggestions::reason.eq(&finding.reason),
                    problem_suggestions::client_id.eq(finding.client),
                    problem_suggestions::category_id.eq(finding.category),
                    problem_suggestions::ticket_ids.eq(format_ticket_ids(&finding.tickets)),
                    problem_suggestions::status.eq(state::OPEN),
                    problem_suggestions::found_at.eq(at),
                    problem_suggestions::dismiss_reason.eq(""),
                ))
                .execute(conn)?;
            added += 1;
        }
        Ok(added)
    })
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = problem_suggestions)]
pub struct SuggestionRow {
    pub id: i64,
    pub signature: String,
    pub signal: String,
    pub reason: String,
    pub client_id: Option<i64>,
    pub category_id: Option<i64>,
    pub ticket_ids: String,
    pub status: String,
    pub found_at: NaiveDateTime,
    pub decided_by: Option<i64>,
    pub decided_at: Option<NaiveDateTime>,
    pub dismiss_reason: String,
    pub problem_id: Option<i64>,
}

impl SuggestionRow {
    pub fn signal(&self) -> AppResult<Signal> {
        Signal::parse(&self.signal).map_err(AppError::internal)
    }

    pub fn tickets(&self) -> AppResult<Vec<i64>> {
        parse_ticket_ids(&self.ticket_ids).map_err(AppError::internal)
    }
}

pub const OPEN_LIMIT: i64 = 100;

/// An open suggestion with its incidents' numbers and subjects.
pub type OpenSuggestion = (SuggestionRow, Vec<(i64, String)>);

/// The open suggestions, newest first, with each incident's subject.
pub fn open(conn: &mut DbConn) -> AppResult<Vec<OpenSuggestion>> {
    let rows: Vec<SuggestionRow> = problem_suggestions::table
        .filter(problem_suggestions::status.eq(state::OPEN))
        .order((
            problem_suggestions::found_at.desc(),
            problem_suggestions::id.desc(),
        ))
        .limit(OPEN_LIMIT)
        .select(SuggestionRow::as_select())
        .load(conn)?;
    let mut ids = Vec::new();
    for row in &rows {
        ids.extend(row.tickets()?);
    }
    let subjects: BTreeMap<i64, String> = tickets::table
        .filter(tickets::id.eq_any(&ids))
        .select((tickets::id, tickets::subject))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    rows.into_iter()
        .map(|row| {
            let incidents = row
                .tickets()?
                .into_iter()
                .map(|id| (id, subjects.get(&id).cloned().unwrap_or_default()))
                .collect();
            Ok((row, incidents))
        })
        .collect()
}

fn open_suggestion(conn: &mut DbConn, id: i64) -> AppResult<Option<SuggestionRow>> {
    let row: SuggestionRow = problem_suggestions::table
        .find(id)
        .select(SuggestionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    Ok((row.status == state::OPEN).then_some(row))
}

/// Makes a suggestion a problem with its incidents linked, owned by whoever accepts it.
#[tracing::instrument(skip_all, fields(suggestion_id = id))]
pub fn accept(
    conn: &mut DbConn,
    actor: &UserRow,
    id: i64,
    now: DateTime<Utc>,
) -> Outcome<ProblemId> {
    require_driver(actor)?;
    write_tx(conn, |conn| {
        let Some(row) = open_suggestion(conn, id)? else {
            return refuse("suggestion", "This suggestion was already decided.");
        };
        let signal = row.signal()?;
        let incidents: Vec<TicketId> = row.tickets()?.into_iter().map(TicketId).collect();
        let first_subject: String = tickets::table
            .filter(tickets::id.eq_any(incidents.iter().map(|t| t.0).collect::<Vec<_>>()))
            .order(tickets::created_at.asc())
            .select(tickets::subject)
            .first(conn)
            .optional()?
            .unwrap_or_default();
        let input = NewProblem {
            subject: format!("{}: {first_subject}", signal.label()),
            description: row.reason.clone(),
            business_impact: String::new(),
            symptoms: String::new(),
            service_details: String::new(),
            equipment_details: String::new(),
            previous_fixes: String::new(),
            occurred_at: None,
            client_id: row.client_id,
            category_id: row.category_id,
            team: String::new(),
            owner: actor.id(),
            impact: Impact::Medium,
            urgency: Urgency::Medium,
            incidents,
        };
        let problem = match create_in_tx(conn, actor, &input, now)? {
            Ok(problem) => problem,
            Err(errors) => return Ok(Err(errors)),
        };
        diesel::update(problem_suggestions::table.find(id))
            .set((
                problem_suggestions::status.eq(state::ACCEPTED),
                problem_suggestions::decided_by.eq(Some(actor.id)),
                problem_suggestions::decided_at.eq(Some(now.naive_utc())),
                problem_suggestions::problem_id.eq(Some(problem.0)),
            ))
            .execute(conn)?;
        Ok(Ok(problem))
    })
}

/// Dismisses a suggestion with the reason; its signature stays, so the same incidents are
/// never suggested again.
#[tracing::instrument(skip_all, fields(suggestion_id = id))]
pub fn dismiss(
    conn: &mut DbConn,
    actor: &UserRow,
    id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Outcome<()> {
    require_driver(actor)?;
    write_tx(conn, |conn| {
        if open_suggestion(conn, id)?.is_none() {
            return refuse("reason", "This suggestion was already decided.");
        }
        diesel::update(problem_suggestions::table.find(id))
            .set((
                problem_suggestions::status.eq(state::DISMISSED),
                problem_suggestions::decided_by.eq(Some(actor.id)),
                problem_suggestions::decided_at.eq(Some(now.naive_utc())),
                problem_suggestions::dismiss_reason.eq(reason),
            ))
            .execute(conn)?;
        Ok(Ok(()))
    })
}
