//! Receiving a monitoring alert: every alert is stored, and in the same transaction its dedup
//! key's ticket is opened, counted on, recovered, solved or reopened as `domain::alert` decides.
//! One alert per dedup key at a time: a transaction lock per key on PostgreSQL, BEGIN IMMEDIATE
//! on SQLite, and the unique dedup key of `alert_threads` behind both. Alerts that arrive
//! together share one transaction (`writer`).

pub mod writer;

use std::collections::HashSet;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Text;

use super::alert_sources::{self, MappingRow};
use super::outcome::accepted;
use super::schema::{alert_threads, alerts, tickets, users};
use super::tickets::intake::{IntakeInput, Requester, create_within};
use super::tickets::row::{TicketRow, update_ticket};
use super::timeline::{NewEvent, add_event};
use super::{DbConn, write_tx};
use crate::domain::alert::{AlertInput, Decision, Thread, decide};
use crate::domain::ids::{ClientId, ContactId, TicketId, UserId};
use crate::domain::ticket::{Channel, IdentityCheck, Kind, Status};
use crate::domain::timeline::EventKind;
use crate::error::AppResult;
use crate::mail::messages::MailContext;

/// The account alerts act as: it opens, solves and reopens alert tickets. Inactive, so it
/// never signs in and is never offered for assignment.
pub const SYSTEM_EMAIL: &str = "monitoring@system.invalid";
const SYSTEM_NAME: &str = "Monitoring (system)";

/// What became of an alert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ingested {
    /// Applied to the ticket; `outcome` is the stored word (opened, counted, …).
    Applied {
        alert_id: i64,
        ticket: Option<TicketId>,
        outcome: &'static str,
        firing_count: i64,
    },
    /// Stored, but no mapping covers its source and host.
    Unmapped { alert_id: i64 },
}

#[derive(Clone, Debug, Queryable)]
struct ThreadRow {
    id: i64,
    firing_count: i64,
    recovered_at: Option<NaiveDateTime>,
}

/// An alert as received: who sent it, what it says, and when it came.
#[derive(Clone, Debug)]
pub struct Arrival {
    pub token: Option<i64>,
    pub input: AlertInput,
    pub now: DateTime<Utc>,
}

/// What a transaction of alerts reads once, the dedup keys whose lock it already holds, and
/// the key it is counting firings on.
struct Shared {
    mappings: Vec<(MappingRow, String)>,
    system: Option<UserId>,
    locked: HashSet<String>,
    counting: Option<Counting>,
}

/// A key's thread while its firings are being counted. A batch takes a key's alerts one after
/// another, so the thread is read at the first and its count written once, when the key's run
/// of firings ends, instead of a read and a write per alert.
struct Counting {
    key: String,
    thread: ThreadRow,
    ticket: TicketRow,
    at: NaiveDateTime,
}

impl Counting {
    fn write(self, conn: &mut DbConn) -> AppResult<()> {
        set_count(conn, self.thread.id, self.thread.firing_count, self.at)
    }
}

/// Stores one alert and applies it to its dedup key's ticket, in one transaction.
pub fn ingest(conn: &mut DbConn, arrival: &Arrival, mail: &MailContext) -> AppResult<Ingested> {
    let mut done = write_tx(conn, |conn| {
        apply_all(conn, std::slice::from_ref(arrival), mail)
    })?;
    done.pop()
        .ok_or_else(|| crate::error::AppError::internal("an alert was not applied"))
}

/// Stores the alerts that arrived together and applies each to its dedup key's ticket, in one
/// transaction: one commit for the lot. Should that transaction fail, each alert is tried
/// alone, so a bad alert fails only itself. The answers come in the order of `arrivals`.
#[tracing::instrument(skip_all, fields(alerts = arrivals.len()))]
pub fn ingest_all(
    conn: &mut DbConn,
    arrivals: &[Arrival],
    mail: &MailContext,
) -> Vec<AppResult<Ingested>> {
    match write_tx(conn, |conn| apply_all(conn, arrivals, mail)) {
        Ok(done) => done.into_iter().map(Ok).collect(),
        Err(e) if arrivals.len() == 1 => vec![Err(e)],
        Err(e) => {
            tracing::warn!(error = %e, alerts = arrivals.len(), "an alert batch failed; each is tried alone");
            arrivals.iter().map(|a| ingest(conn, a, mail)).collect()
        }
    }
}

/// Applies the alerts in one transaction. A key's alerts keep their order of arrival, and the
/// keys are taken in sorted order, so two instances' transactions lock keys in the same order
/// and cannot deadlock on them.
fn apply_all(
    conn: &mut DbConn,
    arrivals: &[Arrival],
    mail: &MailContext,
) -> AppResult<Vec<Ingested>> {
    let mut shared = Shared {
        mappings: alert_sources::all_with_codes(conn)?,
        system: None,
        locked: HashSet::new(),
        counting: None,
    };
    let mut order: Vec<usize> = (0..arrivals.len()).collect();
    order.sort_by(|&a, &b| {
        arrivals[a]
            .input
            .dedup_key
            .cmp(&arrivals[b].input.dedup_key)
    });
    let mut done: Vec<Option<Ingested>> = vec![None; arrivals.len()];
    for i in order {
        done[i] = Some(apply(conn, &mut shared, &arrivals[i], mail)?);
    }
    if let Some(counting) = shared.counting.take() {
        counting.write(conn)?;
    }
    Ok(done.into_iter().flatten().collect())
}

fn apply(
    conn: &mut DbConn,
    shared: &mut Shared,
    arrival: &Arrival,
    mail: &MailContext,
) -> AppResult<Ingested> {
    let (token, input, now) = (arrival.token, &arrival.input, arrival.now);
    let Some(mapping) = alert_sources::best_for(
        &shared.mappings,
        &input.source,
        &input.host,
        input.client_code.as_deref(),
    )
    .cloned() else {
        let alert_id = store(conn, token, input, "unmapped", None, now)?;
        return Ok(Ingested::Unmapped { alert_id });
    };
    let handling = mapping.handling(input.severity)?;
    let system = match shared.system {
        Some(system) => system,
        None => *shared.system.insert(system_user(conn, now)?),
    };
    if shared.locked.insert(input.dedup_key.clone()) {
        take_turn(conn, &input.dedup_key)?;
    }
    let at = now.naive_utc();
    let (current, unwritten_since) = match shared.counting.take() {
        Some(c) if c.key == input.dedup_key => (Some((c.thread, c.ticket)), Some(c.at)),
        other => {
            if let Some(c) = other {
                c.write(conn)?;
            }
            (thread_of(conn, &input.dedup_key)?, None)
        }
    };
    let thread = current.as_ref().map(|(t, _)| t.clone());
    let facts = current.as_ref().map(|(t, ticket)| Thread {
        status: ticket.status,
        firing_count: t.firing_count,
        settled_at: t.recovered_at.or(ticket.solved_at).map(|at| at.and_utc()),
    });
    let decision = decide(facts, input.state, &handling, now);
    if let Some(counted_at) = unwritten_since
        && !matches!(decision, Decision::Count { .. })
        && let Some((t, _)) = &current
    {
        set_count(conn, t.id, t.firing_count, counted_at)?;
    }
    let (outcome, ticket, count) = match (decision, current) {
        (Decision::Open, _) => {
            let ticket = open_ticket(conn, system, &mapping, input, &handling, mail, now)?;
            let line = format!("Firing (1): {}", summary(input));
            add_event(
                conn,
                ticket.id,
                Some(system),
                &NewEvent::internal(EventKind::Alert, &line),
                at,
            )?;
            match &thread {
                Some(t) => {
                    diesel::update(alert_threads::table.find(t.id))
                        .set((
                            alert_threads::ticket_id.eq(ticket.id.0),
                            alert_threads::firing_count.eq(1),
                            alert_threads::recovered_at.eq(None::<NaiveDateTime>),
                            alert_threads::updated_at.eq(at),
                        ))
                        .execute(conn)?;
                }
                None => {
                    diesel::insert_into(alert_threads::table)
                        .values((
                            alert_threads::dedup_key.eq(&input.dedup_key),
                            alert_threads::ticket_id.eq(ticket.id.0),
                            alert_threads::firing_count.eq(1),
                            alert_threads::updated_at.eq(at),
                        ))
                        .execute(conn)?;
                }
            }
            ("opened", Some(ticket.id), 1)
        }
        (Decision::Count { count }, Some((t, ticket))) => {
            let line = format!("Firing again ({count}): {}", summary(input));
            add_event(
                conn,
                ticket.id,
                Some(system),
                &NewEvent::internal(EventKind::Alert, &line),
                at,
            )?;
            let id = ticket.id;
            shared.counting = Some(Counting {
                key: input.dedup_key.clone(),
                thread: ThreadRow {
                    firing_count: count,
                    ..t
                },
                ticket,
                at,
            });
            ("counted", Some(id), count)
        }
        (Decision::Reopen { count }, Some((t, ticket))) => {
            let id = ticket.id;
            accepted(
                crate::db::tickets::reopen::reopen_row(
                    conn,
                    Some(system),
                    ticket,
                    &format!(
                        "The check fired again within the flap window: {}",
                        summary(input)
                    ),
                    now,
                )?,
                "reopening a flapping alert's ticket",
            )?;
            let line = format!("Firing again ({count}) within the flap window: reopened");
            add_event(
                conn,
                id,
                Some(system),
                &NewEvent::internal(EventKind::Alert, &line),
                at,
            )?;
            set_count(conn, t.id, count, at)?;
            diesel::update(alert_threads::table.find(t.id))
                .set(alert_threads::recovered_at.eq(None::<NaiveDateTime>))
                .execute(conn)?;
            ("reopened", Some(id), count)
        }
        (Decision::Recover { solve }, Some((t, ticket))) => {
            let id = ticket.id;
            let line = format!("Recovered: {}", summary(input));
            add_event(
                conn,
                id,
                Some(system),
                &NewEvent::internal(EventKind::Alert, &line),
                at,
            )?;
            diesel::update(alert_threads::table.find(t.id))
                .set((
                    alert_threads::recovered_at.eq(Some(at)),
                    alert_threads::updated_at.eq(at),
                ))
                .execute(conn)?;
            if solve {
                solve_by_recovery(conn, system, ticket, input, now)?;
                ("solved", Some(id), t.firing_count)
            } else {
                ("recovered", Some(id), t.firing_count)
            }
        }
        (_, current) => (
            "ignored",
            current.map(|(_, ticket)| ticket.id),
            thread.as_ref().map_or(0, |t| t.firing_count),
        ),
    };
    let alert_id = store(conn, token, input, outcome, ticket, now)?;
    Ok(Ingested::Applied {
        alert_id,
        ticket,
        outcome,
        firing_count: count,
    })
}

/// "critical on web-01, HTTP 200 (zabbix): connection refused"
fn summary(input: &AlertInput) -> String {
    let mut line = format!(
        "{} on {}, {} ({})",
        input.severity.as_str(),
        input.host,
        input.check,
        input.source
    );
    if !input.message.is_empty() {
        line.push_str(": ");
        line.push_str(&input.message);
    }
    line
}

/// PostgreSQL's default isolation lets two transactions see no thread for a new key; a
/// transaction lock per key makes them take turns. SQLite's BEGIN IMMEDIATE already does.
fn take_turn(conn: &mut DbConn, dedup_key: &str) -> AppResult<()> {
    if let DbConn::Postgres(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind::<Text, _>(format!("alert:{dedup_key}"))
            .execute(pg)?;
    }
    Ok(())
}

/// The key's thread and its ticket, as stored.
fn thread_of(conn: &mut DbConn, dedup_key: &str) -> AppResult<Option<(ThreadRow, TicketRow)>> {
    Ok(alert_threads::table
        .inner_join(tickets::table)
        .filter(alert_threads::dedup_key.eq(dedup_key))
        .select((
            (
                alert_threads::id,
                alert_threads::firing_count,
                alert_threads::recovered_at,
            ),
            TicketRow::as_select(),
        ))
        .first(conn)
        .optional()?)
}

fn set_count(conn: &mut DbConn, thread: i64, count: i64, at: NaiveDateTime) -> AppResult<()> {
    diesel::update(alert_threads::table.find(thread))
        .set((
            alert_threads::firing_count.eq(count),
            alert_threads::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

fn store(
    conn: &mut DbConn,
    token: Option<i64>,
    input: &AlertInput,
    outcome: &str,
    ticket: Option<TicketId>,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    Ok(diesel::insert_into(alerts::table)
        .values((
            alerts::received_at.eq(now.naive_utc()),
            alerts::token_id.eq(token),
            alerts::source.eq(&input.source),
            alerts::host.eq(&input.host),
            alerts::check_name.eq(&input.check),
            alerts::severity.eq(input.severity.as_str()),
            alerts::state.eq(input.state.as_str()),
            alerts::dedup_key.eq(&input.dedup_key),
            alerts::message.eq(&input.message),
            alerts::client_code.eq(input.client_code.as_deref().unwrap_or("")),
            alerts::outcome.eq(outcome),
            alerts::ticket_id.eq(ticket.map(|t| t.0)),
        ))
        .returning(alerts::id)
        .get_result(conn)?)
}

fn open_ticket(
    conn: &mut DbConn,
    system: UserId,
    mapping: &MappingRow,
    input: &AlertInput,
    handling: &crate::domain::alert::Handling,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> AppResult<TicketRow> {
    let description = format!(
        "Raised by {} for {} on {} ({} severity).\n\nDedup key: {}\n\n{}",
        input.source,
        input.check,
        input.host,
        input.severity.as_str(),
        input.dedup_key,
        if input.message.is_empty() {
            "(no message)"
        } else {
            &input.message
        }
    );
    let intake = IntakeInput {
        kind: Kind::Incident,
        client: ClientId(mapping.client_id),
        requester: Requester::Existing(ContactId(mapping.contact_id)),
        subject: input.subject(),
        description,
        channel: Channel::AutomaticAlert,
        identity: IdentityCheck::NotValidated,
        identity_detail: String::new(),
        impact: handling.impact,
        urgency: handling.urgency,
    };
    accepted(
        create_within(conn, system, &intake, mail, now)?,
        "an alert's ticket",
    )
}

/// Solves the ticket with the recovery as its solution. The blueprints' owner rule is waived
/// for the monitoring account alone, and the timeline says so: nobody worked the ticket, the
/// check itself reports the fault gone. The client is not mailed; a person who reopens or
/// works the ticket takes it from here.
fn solve_by_recovery(
    conn: &mut DbConn,
    system: UserId,
    before: TicketRow,
    input: &AlertInput,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let at = now.naive_utc();
    let from = before.status;
    let solution = format!(
        "Recovered by itself, as the monitoring reported: {}",
        summary(input)
    );
    let resolution_due =
        crate::db::sla_clock::apply_pauses(conn, &before, from, Status::Solved, now)?;
    let after = update_ticket!(
        conn,
        before,
        at,
        (
            tickets::status.eq(Status::Solved.as_str()),
            tickets::solved_at.eq(Some(at)),
            tickets::solution.eq(Some(&solution)),
            tickets::resolution_due_at.eq(resolution_due),
            tickets::search_text.eq(format!(
                "{}\n{}",
                before.search_text,
                solution.to_lowercase()
            )),
        )
    );
    let after = crate::db::tickets::minutes::store(conn, after)?;
    let detail = format!(
        "status {} → {}; solved by the monitoring recovery: the owner rule is waived for the \
         monitoring system account",
        from.label(),
        after.status_label()
    );
    add_event(
        conn,
        after.id,
        Some(system),
        &NewEvent::for_client(EventKind::Solution, &solution, &detail),
        at,
    )
}

/// The monitoring account, created on first use. Two first alerts at once both insert; the
/// unique e-mail keeps one row, and the loser reads it.
fn system_user(conn: &mut DbConn, now: DateTime<Utc>) -> AppResult<UserId> {
    let find = |conn: &mut DbConn| -> AppResult<Option<i64>> {
        Ok(users::table
            .filter(users::email.eq(SYSTEM_EMAIL))
            .select(users::id)
            .first(conn)
            .optional()?)
    };
    if let Some(id) = find(conn)? {
        return Ok(UserId(id));
    }
    let at = now.naive_utc();
    let insert = "INSERT INTO users (email, display_name, password_hash, role, tier, skills, \
         time_zone, active, away, must_change_password, created_at, updated_at, version) \
         VALUES ({e}, {n}, '!', 'technician', NULL, '', 'UTC', FALSE, FALSE, FALSE, {a}, {a}, 1) \
         ON CONFLICT (email) DO NOTHING";
    match conn {
        DbConn::Postgres(pg) => {
            diesel::sql_query(
                insert
                    .replace("{e}", "$1")
                    .replace("{n}", "$2")
                    .replace("{a}", "$3"),
            )
            .bind::<Text, _>(SYSTEM_EMAIL)
            .bind::<Text, _>(SYSTEM_NAME)
            .bind::<diesel::sql_types::Timestamp, _>(at)
            .execute(pg)?;
        }
        DbConn::Sqlite(lite) => {
            diesel::sql_query(
                insert
                    .replace("{e}", "?1")
                    .replace("{n}", "?2")
                    .replace("{a}", "?3"),
            )
            .bind::<Text, _>(SYSTEM_EMAIL)
            .bind::<Text, _>(SYSTEM_NAME)
            .bind::<diesel::sql_types::Timestamp, _>(at)
            .execute(lite)?;
        }
    }
    find(conn)?
        .map(UserId)
        .ok_or_else(|| crate::error::AppError::internal("the monitoring account is missing"))
}

/// How many alerts were stored for a dedup key, and the tickets they went to: what the
/// benchmark and the tests check nothing was lost against.
pub fn counted(conn: &mut DbConn, dedup_key: &str) -> AppResult<(i64, Vec<i64>)> {
    let total: i64 = alerts::table
        .filter(alerts::dedup_key.eq(dedup_key))
        .count()
        .get_result(conn)?;
    let tickets: Vec<Option<i64>> = alerts::table
        .filter(alerts::dedup_key.eq(dedup_key))
        .select(alerts::ticket_id)
        .distinct()
        .load(conn)?;
    let mut tickets: Vec<i64> = tickets.into_iter().flatten().collect();
    tickets.sort_unstable();
    Ok((total, tickets))
}
