//! Measures the KEDB match query (the ticket page's "Known errors that match") at 10,000
//! known errors: `cargo run --release --example kedb_match -- <database URL>`, on a database
//! made by `tierdesk seed-demo --tickets 1000000 --known-errors 10000` (or an empty one: the
//! demo desk and the known errors are added when missing). The query reads one ticket by its
//! id and the full-text index of the known errors, so the ticket count does not enter it.

use std::time::{Duration, Instant};

use chrono::Utc;
use diesel::prelude::*;
use tierdesk::config::DatabaseUrl;
use tierdesk::db::schema::{known_errors, tickets};
use tierdesk::db::{self, DbConn};
use tierdesk::domain::ids::TicketId;
use tierdesk::mail::messages::MailContext;

const KNOWN_ERRORS: i64 = 10_000;
const RUNS: usize = 200;

fn main() -> anyhow::Result<()> {
    let raw = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: kedb_match <database URL>"))?;
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
    let ticket_count: i64 = tickets::table.count().get_result(&mut *conn)?;
    let known: i64 = known_errors::table.count().get_result(&mut *conn)?;
    let ids: Vec<i64> = tickets::table
        .order(tickets::id.desc())
        .limit(20)
        .select(tickets::id)
        .load(&mut *conn)?;
    let backend = db::backend_name(&conn);
    measure(&mut conn, &ids, ticket_count, known, backend)
}

fn measure(
    conn: &mut DbConn,
    ids: &[i64],
    ticket_count: i64,
    known: i64,
    backend: &str,
) -> anyhow::Result<()> {
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut found = 0usize;
    for run in 0..RUNS {
        let ticket = db::tickets::get(conn, TicketId(ids[run % ids.len()]))?;
        let started = Instant::now();
        let terms = db::known_errors::incident_terms(conn, &ticket)?;
        let matches = db::known_errors::matches_for_terms(conn, &terms, 5)?;
        times.push(started.elapsed());
        found += matches.len();
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{backend}: {ticket_count} tickets, {known} known errors, {RUNS} matches ({:.1} hits each): median {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        found as f64 / RUNS as f64,
        ms(times[RUNS / 2]),
        ms(times[RUNS * 95 / 100]),
        ms(times[RUNS - 1]),
    );
    Ok(())
}
