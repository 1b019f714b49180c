//! Measures the monthly client service report:
//! `cargo run --release --example monthly_report_bench -- <database URL> [client id] [YYYY-MM]`,
//! on a database made by `tierdesk seed-demo --tickets 1000000`. Prints the query plan of each
//! ticket and survey query the report makes (the same SQL written out, values inline), then the
//! median and 90th percentile over 20 runs of each of the report's query functions and of the
//! whole report's assembly. Defaults: the client with the most tickets, and last month. On a
//! database without tickets it first seeds the demo desk and 100,000 generated tickets.

use std::time::{Duration, Instant};

use chrono::Utc;
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::sql_types::Text;
use tierdesk::config::DatabaseUrl;
use tierdesk::db::reports::monthly;
use tierdesk::db::schema::tickets;
use tierdesk::db::{self, DbConn};
use tierdesk::domain::ids::ClientId;
use tierdesk::domain::uptime::Month;

const RUNS: usize = 20;
const EMPTY_DESK_TICKETS: u64 = 100_000;

#[derive(QueryableByName)]
struct PgPlan {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    line: String,
}

#[derive(QueryableByName)]
struct LitePlan {
    #[diesel(sql_type = Text)]
    detail: String,
}

fn plan(conn: &mut DbConn, sql: &str) -> anyhow::Result<Vec<String>> {
    Ok(match conn {
        DbConn::Postgres(pg) => diesel::sql_query(format!("EXPLAIN ANALYZE {sql}"))
            .load::<PgPlan>(pg)?
            .into_iter()
            .map(|p| p.line)
            .collect(),
        DbConn::Sqlite(lite) => diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
            .load::<LitePlan>(lite)?
            .into_iter()
            .map(|p| p.detail)
            .collect(),
    })
}

/// The SQL of each ticket and survey query of `db::reports::monthly`, values written in.
fn queries(client: i64, from: &str, until: &str, cutoff: &str) -> Vec<(&'static str, String)> {
    let solved = format!(
        "FROM tickets WHERE kind = 'incident' AND solved_at >= '{from}' AND solved_at < '{until}' \
         AND client_id = {client}"
    );
    let unsolved = format!("(solved_at IS NULL OR solved_at >= '{until}')");
    vec![
        (
            "SLA: solved incidents per priority (sla_by_priority, four such counts)",
            format!(
                "SELECT priority, count(*) {solved} AND solved_at <= resolution_due_at GROUP BY priority"
            ),
        ),
        (
            "SLA: responses breached",
            format!(
                "SELECT priority, count(*) FROM tickets WHERE client_id = {client} AND kind = 'incident' \
                 AND response_due_at >= '{from}' AND response_due_at < '{cutoff}' AND {unsolved} \
                 AND (responded_at IS NULL OR responded_at > response_due_at) GROUP BY priority"
            ),
        ),
        (
            "SLA: resolutions breached",
            format!(
                "SELECT priority, count(*) FROM tickets WHERE client_id = {client} AND kind = 'incident' \
                 AND resolution_due_at >= '{from}' AND resolution_due_at < '{cutoff}' AND {unsolved} \
                 GROUP BY priority"
            ),
        ),
        (
            "Tickets opened",
            format!(
                "SELECT priority, count(*) FROM tickets WHERE client_id = {client} \
                 AND created_at >= '{from}' AND created_at < '{until}' GROUP BY priority"
            ),
        ),
        (
            "Tickets solved",
            format!(
                "SELECT priority, count(*) FROM tickets WHERE client_id = {client} \
                 AND solved_at >= '{from}' AND solved_at < '{until}' GROUP BY priority"
            ),
        ),
        (
            "Tickets opened and still open",
            format!(
                "SELECT priority, count(*) FROM tickets WHERE client_id = {client} \
                 AND created_at >= '{from}' AND created_at < '{until}' AND {unsolved} GROUP BY priority"
            ),
        ),
        (
            "Satisfaction distribution",
            format!(
                "SELECT surveys.rating, count(*) FROM surveys INNER JOIN tickets ON tickets.id = surveys.ticket_id \
                 WHERE surveys.answered_at >= '{from}' AND surveys.answered_at < '{until}' \
                 AND surveys.rating IS NOT NULL AND tickets.client_id = {client} \
                 AND tickets.kind = 'incident' GROUP BY surveys.rating"
            ),
        ),
    ]
}

fn timed<T>(
    label: &str,
    conn: &mut DbConn,
    mut work: impl FnMut(&mut DbConn) -> tierdesk::error::AppResult<T>,
) -> anyhow::Result<()> {
    work(conn).map_err(|e| anyhow::anyhow!("{label}: {e}"))?;
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        work(conn).map_err(|e| anyhow::anyhow!("{label}: {e}"))?;
        times.push(started.elapsed());
    }
    times.sort();
    println!(
        "{label:<40} median {:>9.3} ms   p90 {:>9.3} ms",
        times[RUNS / 2].as_secs_f64() * 1000.0,
        times[RUNS * 9 / 10 - 1].as_secs_f64() * 1000.0
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let raw = args.next().ok_or_else(|| {
        anyhow::anyhow!("usage: monthly_report_bench <database URL> [client id] [YYYY-MM]")
    })?;
    let url = DatabaseUrl::parse(&raw).map_err(|e| anyhow::anyhow!(e))?;
    let pool = db::build_pool(&url, 1)?;
    let mut conn = pool.get()?;
    let conn: &mut DbConn = &mut conn;
    db::run_migrations(conn)?;
    if tickets::table.count().get_result::<i64>(conn)? == 0 {
        let mail = tierdesk::mail::messages::MailContext {
            base_url: "http://localhost".into(),
            domain: "localhost".into(),
            desk_contact: "write to desk@localhost".into(),
        };
        tierdesk::seed::seed_demo(conn, &mail, Utc::now())?;
        tierdesk::seed::bulk_tickets(conn, EMPTY_DESK_TICKETS, Utc::now())?;
    }
    let client = match args.next() {
        Some(id) => ClientId(id.parse()?),
        None => {
            let (id, _): (i64, i64) = tickets::table
                .group_by(tickets::client_id)
                .select((tickets::client_id, count_star()))
                .order(count_star().desc())
                .first(conn)?;
            ClientId(id)
        }
    };
    let now = Utc::now();
    let zone = db::uptime::client_zone(conn, client).map_err(|e| anyhow::anyhow!("{e}"))?;
    let month = match args.next() {
        Some(key) => Month::parse(&key).ok_or_else(|| anyhow::anyhow!("month as YYYY-MM"))?,
        None => Month::containing(zone, now).previous(),
    };
    let range = monthly::bounds(month, zone);
    let total: i64 = tickets::table.count().get_result(conn)?;
    let of_client: i64 = tickets::table
        .filter(tickets::client_id.eq(client.0))
        .count()
        .get_result(conn)?;
    println!(
        "{} · {total} tickets, {of_client} of client {client} · {} ({zone})\n",
        db::backend_name(conn),
        month.label()
    );
    let stamp = |at: chrono::NaiveDateTime| at.format("%Y-%m-%d %H:%M:%S").to_string();
    let cutoff = now.naive_utc().clamp(range.0, range.1);
    for (label, sql) in queries(client.0, &stamp(range.0), &stamp(range.1), &stamp(cutoff)) {
        println!("== {label}\n{sql}");
        for line in plan(conn, &sql)? {
            println!("   {line}");
        }
        println!();
    }
    timed("SLA per priority", conn, |c| {
        monthly::sla(c, client, range, now)
    })?;
    timed("Tickets by priority", conn, |c| {
        monthly::ticket_counts(c, client, range)
    })?;
    timed("Uptime per service with outages", conn, |c| {
        monthly::services(c, client, zone, month, now)
    })?;
    timed("Satisfaction", conn, |c| {
        monthly::satisfaction(c, client, range)
    })?;
    timed("Open risks", conn, |c| monthly::risks(c, client))?;
    timed("Sendings", conn, |c| monthly::sends(c, client, month))?;
    timed("Whole report (assemble)", conn, |c| {
        monthly::assemble(c, client, month, now)
    })?;
    Ok(())
}
