//! Measures problem management's reads at scale, printing for each its plan (EXPLAIN QUERY
//! PLAN on SQLite, EXPLAIN on PostgreSQL) and its median and p90 time:
//! `cargo run --release --example problem_detection -- <database URL>`, on a database made by
//! `tierdesk seed-demo --tickets 1000000 --known-errors 10000` (on an empty one the demo desk
//! and the known errors are added).
//!
//! - the KEDB match of the ticket page (`db::fulltext::ranked` over the known errors), with the
//!   plan of the very SQL the desk runs;
//! - each query of a detection pass (`db::problems::detect`), as the SQL Diesel writes for it,
//!   with the window's start bound: every one must start from the created_at index of tickets
//!   or escalations, never a scan of the whole table;
//! - the whole detection pass (`detect::recompute`), as the background job runs it.

use std::time::{Duration, Instant};

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
use tierdesk::config::DatabaseUrl;
use tierdesk::db::fulltext::{self, Corpus};
use tierdesk::db::problems::detect;
use tierdesk::db::schema::{known_errors, tickets};
use tierdesk::db::{self, DbConn};
use tierdesk::domain::ids::TicketId;
use tierdesk::mail::messages::MailContext;

const KNOWN_ERRORS: i64 = 10_000;
const RUNS: usize = 50;
/// A whole pass writes its suggestions: fewer runs.
const PASSES: usize = 10;

/// The detection pass's queries, in the order `detect::findings` runs them. `$1` is the
/// window's start (SQLite reads `$1` as the first parameter too); `{client}`, `{category}` and
/// `{ids}` are filled from the first answers, as the pass does.
const RECURRING_GROUPS: &str = "SELECT tickets.client_id AS client, tickets.category_id AS category, COUNT(*) AS n \
     FROM tickets LEFT OUTER JOIN problem_incidents ON problem_incidents.ticket_id = tickets.id \
     WHERE tickets.created_at >= $1 AND tickets.kind = 'incident' \
     AND tickets.category_id IS NOT NULL AND problem_incidents.ticket_id IS NULL \
     GROUP BY tickets.client_id, tickets.category_id HAVING COUNT(*) >= 3 LIMIT 100";
const GROUP_MEMBERS: &str = "SELECT tickets.id AS id \
     FROM tickets LEFT OUTER JOIN problem_incidents ON problem_incidents.ticket_id = tickets.id \
     WHERE tickets.created_at >= $1 AND tickets.kind = 'incident' \
     AND tickets.client_id = {client} AND tickets.category_id = {category} \
     AND problem_incidents.ticket_id IS NULL ORDER BY tickets.created_at ASC LIMIT 50";
const REOPENED: &str = "SELECT tickets.id AS id, tickets.client_id, tickets.category_id \
     FROM tickets LEFT OUTER JOIN problem_incidents ON problem_incidents.ticket_id = tickets.id \
     WHERE tickets.created_at >= $1 AND tickets.kind = 'incident' \
     AND problem_incidents.ticket_id IS NULL AND tickets.reopen_count > 0 \
     ORDER BY tickets.created_at ASC LIMIT 500";
const ESCALATED_BEYOND_TIER_1: &str = "SELECT escalations.ticket_id AS id FROM escalations \
     WHERE escalations.created_at >= $1 AND (escalations.vendor <> '' \
     OR escalations.reason = 'external_vendor' OR escalations.to_level_id IN \
     (SELECT id FROM escalation_levels WHERE tier <> 'tier1' OR tier IS NULL)) \
     ORDER BY escalations.created_at ASC LIMIT 500";
const ESCALATED_FOR_SEVERITY: &str = "SELECT escalations.ticket_id AS id FROM escalations \
     WHERE escalations.created_at >= $1 AND escalations.reason = 'severity' \
     ORDER BY escalations.created_at ASC LIMIT 500";
const UNLINKED_AMONG: &str = "SELECT tickets.id AS id, tickets.client_id, tickets.category_id \
     FROM tickets LEFT OUTER JOIN problem_incidents ON problem_incidents.ticket_id = tickets.id \
     WHERE tickets.created_at >= $1 AND tickets.kind = 'incident' \
     AND problem_incidents.ticket_id IS NULL AND tickets.id IN ({ids}) \
     ORDER BY tickets.created_at ASC LIMIT 500";

#[derive(QueryableByName)]
struct Group {
    #[diesel(sql_type = BigInt)]
    client: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    category: Option<i64>,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

#[derive(QueryableByName)]
struct SqlitePlan {
    #[diesel(sql_type = Text)]
    detail: String,
}

#[derive(QueryableByName)]
struct PgPlan {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    line: String,
}

fn main() -> anyhow::Result<()> {
    let raw = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: problem_detection <database URL>"))?;
    let url = DatabaseUrl::parse(&raw).map_err(|e| anyhow::anyhow!(e))?;
    let pool = db::build_pool(&url, 1)?;
    let mut conn = pool.get()?;
    db::run_migrations(&mut conn)?;
    let now = Utc::now();
    let mail = MailContext {
        base_url: "http://localhost".into(),
        domain: "localhost".into(),
        desk_contact: "write to desk@localhost".into(),
    };
    tierdesk::seed::seed_demo(&mut conn, &mail, now)?;
    let have: i64 = known_errors::table.count().get_result(&mut *conn)?;
    if have < KNOWN_ERRORS {
        tierdesk::seed::bulk_known_errors(&mut conn, (KNOWN_ERRORS - have) as u64, now)?;
    }
    if let DbConn::Postgres(pg) = &mut *conn {
        // A freshly loaded database has no statistics until autovacuum comes by, and without
        // them PostgreSQL reads the known errors through their status index instead of the
        // GIN index. A live desk has them; SQLite is measured without any (the desk never
        // runs ANALYZE there, so its indexes must serve without statistics).
        diesel::sql_query("ANALYZE").execute(pg)?;
    }
    let ticket_count: i64 = tickets::table.count().get_result(&mut *conn)?;
    let known: i64 = known_errors::table.count().get_result(&mut *conn)?;
    println!(
        "{}: {ticket_count} tickets, {known} known errors, {RUNS} runs of each query, {PASSES} passes\n",
        db::backend_name(&conn)
    );
    kedb_match(&mut conn)?;
    let settings = detect::settings(&mut conn)?;
    let since = settings.window_start(now).naive_utc();
    println!(
        "Detection window: {} days from {since} (threshold {})\n",
        settings.window_days, settings.threshold
    );
    detection_queries(&mut conn, since)?;
    let times = timed(PASSES, || {
        detect::recompute(&mut conn, now)?;
        Ok(())
    })?;
    report("the whole detection pass (detect::recompute)", &[], &times);
    Ok(())
}

/// Runs `work` `runs` times and answers the sorted times.
fn timed(
    runs: usize,
    mut work: impl FnMut() -> anyhow::Result<()>,
) -> anyhow::Result<Vec<Duration>> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        work()?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok(times)
}

fn report(what: &str, plan: &[String], times: &[Duration]) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{what}: median {:.2} ms, p90 {:.2} ms, max {:.2} ms",
        ms(times[times.len() / 2]),
        ms(times[times.len() * 9 / 10]),
        ms(times[times.len() - 1]),
    );
    for line in plan {
        println!("    {line}");
    }
    println!();
}

fn kedb_match(conn: &mut DbConn) -> anyhow::Result<()> {
    let ids: Vec<i64> = tickets::table
        .order(tickets::id.desc())
        .limit(20)
        .select(tickets::id)
        .load(conn)?;
    let sample = db::tickets::get(conn, TicketId(ids[0]))?;
    let terms = db::known_errors::incident_terms(conn, &sample)?;
    let plan = fulltext::plan(conn, Corpus::KnownErrors, &terms, 5)?;
    let mut run = 0usize;
    let times = timed(RUNS, || {
        let ticket = db::tickets::get(conn, TicketId(ids[run % ids.len()]))?;
        run += 1;
        let terms = db::known_errors::incident_terms(conn, &ticket)?;
        db::known_errors::matches_for_terms(conn, &terms, 5)?;
        Ok(())
    })?;
    report(
        "KEDB match for a ticket (known_errors::matches_for_terms, with reading the ticket, uncached)",
        &plan,
        &times,
    );
    Ok(())
}

fn plan(conn: &mut DbConn, sql: &str, since: NaiveDateTime) -> anyhow::Result<Vec<String>> {
    Ok(match conn {
        DbConn::Sqlite(lite) => diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
            .bind::<Timestamp, _>(since)
            .load::<SqlitePlan>(lite)?
            .into_iter()
            .map(|p| p.detail)
            .collect(),
        DbConn::Postgres(pg) => diesel::sql_query(format!("EXPLAIN {sql}"))
            .bind::<Timestamp, _>(since)
            .load::<PgPlan>(pg)?
            .into_iter()
            .map(|p| p.line)
            .collect(),
    })
}

fn ids(conn: &mut DbConn, sql: &str, since: NaiveDateTime) -> anyhow::Result<Vec<i64>> {
    let rows: Vec<Id> = match conn {
        DbConn::Sqlite(lite) => diesel::sql_query(sql)
            .bind::<Timestamp, _>(since)
            .load(lite)?,
        DbConn::Postgres(pg) => diesel::sql_query(sql)
            .bind::<Timestamp, _>(since)
            .load(pg)?,
    };
    Ok(rows.into_iter().map(|r| r.id).collect())
}

fn groups(conn: &mut DbConn, since: NaiveDateTime) -> anyhow::Result<Vec<Group>> {
    Ok(match conn {
        DbConn::Sqlite(lite) => diesel::sql_query(RECURRING_GROUPS)
            .bind::<Timestamp, _>(since)
            .load(lite)?,
        DbConn::Postgres(pg) => diesel::sql_query(RECURRING_GROUPS)
            .bind::<Timestamp, _>(since)
            .load(pg)?,
    })
}

fn detection_queries(conn: &mut DbConn, since: NaiveDateTime) -> anyhow::Result<()> {
    let found = groups(conn, since)?;
    let times = timed(RUNS, || {
        groups(conn, since)?;
        Ok(())
    })?;
    let shown = plan(conn, RECURRING_GROUPS, since)?;
    report(
        &format!("recurring groups ({} found)", found.len()),
        &shown,
        &times,
    );
    let (client, category) = found
        .first()
        .map(|g| (g.client, g.category.unwrap_or(0)))
        .unwrap_or((0, 0));
    let members = GROUP_MEMBERS
        .replace("{client}", &client.to_string())
        .replace("{category}", &category.to_string());
    let beyond = ids(conn, ESCALATED_BEYOND_TIER_1, since)?;
    let mut listed: Vec<String> = beyond.iter().map(i64::to_string).collect();
    if listed.is_empty() {
        listed.push("0".into());
    }
    let among = UNLINKED_AMONG.replace("{ids}", &listed.join(", "));
    for (what, sql) in [
        ("the incidents of one recurring group", members.as_str()),
        ("reopened incidents", REOPENED),
        (
            "incidents escalated past tier 1 or to a vendor",
            ESCALATED_BEYOND_TIER_1,
        ),
        ("incidents escalated for severity", ESCALATED_FOR_SEVERITY),
        ("the unlinked among the escalated incidents", among.as_str()),
    ] {
        let answered = ids(conn, sql, since)?.len();
        let times = timed(RUNS, || {
            ids(conn, sql, since)?;
            Ok(())
        })?;
        let shown = plan(conn, sql, since)?;
        report(&format!("{what} ({answered} rows)"), &shown, &times);
    }
    Ok(())
}
