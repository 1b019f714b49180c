//! Measures the report queries: `cargo run --release --example reports_bench -- <database URL>
//! [YYYY-MM]`, on a database made by `tierdesk seed-demo --tickets 1000000`. For each query it
//! prints the plan the database chooses (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL, of
//! the same SQL the query sends) and the median and 90th percentile of 20 runs, for one client
//! and one month, and for all clients and one month. The month defaults to the last whole month
//! before the latest solve.

use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use tierdesk::config::DatabaseUrl;
use tierdesk::db::reports::{self, ReportFilter};
use tierdesk::db::schema::{clients, tickets};
use tierdesk::db::{self, DbConn};
use tierdesk::domain::uptime::Month;
use tierdesk::error::AppResult;

const RUNS: usize = 20;

type Query = fn(&mut DbConn, &ReportFilter) -> AppResult<usize>;

/// Each report query: its name, the SQL whose plan is shown (with `{range}` for the solve or
/// creation range and `{client}` for the client condition), and the call that is timed.
fn queries() -> Vec<(&'static str, &'static str, Query)> {
    vec![
        (
            "SLA counts per priority (sla_by_priority)",
            "SELECT priority, COUNT(*) FROM tickets WHERE kind = 'incident' AND solved_at >= {from} AND solved_at < {until} {client} AND solved_at <= resolution_due_at GROUP BY priority",
            |c, f| Ok(reports::sla_by_priority(c, f)?.len()),
        ),
        (
            "SLA report with breaches and percentiles (sla_report)",
            "SELECT priority, COUNT(*) FROM tickets WHERE kind = 'incident' AND solved_at IS NULL AND status NOT IN ('cancelled', 'duplicate', 'closed') AND resolution_due_at >= {from} AND resolution_due_at < {until} {client} GROUP BY priority",
            |c, f| {
                let until = f.until.and_utc();
                Ok(reports::sla_figures::sla_report(c, f, until)?.len())
            },
        ),
        ("Resolution percentiles", "PERCENTILES", |c, f| {
            Ok(
                reports::sla_figures::percentiles(c, f, reports::sla_figures::Clock::Resolution)?
                    .len(),
            )
        }),
        (
            "Resolved per priority and category",
            "SELECT priority, category_id, COUNT(*) FROM tickets WHERE kind = 'incident' AND solved_at >= {from} AND solved_at < {until} {client} GROUP BY priority, category_id",
            |c, f| Ok(reports::solved::by_priority_and_category(c, f)?.len()),
        ),
        (
            "Resolved list, first page",
            "SELECT id, subject, client_id, priority, reopen_count, solved_at FROM tickets WHERE kind = 'incident' AND solved_at >= {from} AND solved_at < {until} {client} ORDER BY solved_at DESC, id DESC LIMIT 51",
            |c, f| Ok(reports::solved::list(c, f, false, None, 50)?.0.len()),
        ),
        (
            "Reopened list, first page",
            "SELECT id, subject, client_id, priority, reopen_count, solved_at FROM tickets WHERE kind = 'incident' AND solved_at >= {from} AND solved_at < {until} {client} AND reopen_count > 0 ORDER BY solved_at DESC, id DESC LIMIT 51",
            |c, f| Ok(reports::solved::list(c, f, true, None, 50)?.0.len()),
        ),
        (
            "First-level resolution",
            "SELECT priority, COUNT(*) FROM tickets WHERE kind = 'incident' AND solved_at >= {from} AND solved_at < {until} {client} AND tier = 'tier1' AND NOT EXISTS (SELECT 1 FROM escalations WHERE escalations.ticket_id = tickets.id) GROUP BY priority",
            |c, f| Ok(reports::solved::first_level(c, f)?.len()),
        ),
        (
            "Escalations by reason, trigger and level",
            "SELECT escalations.reason, escalations.trigger_kind, escalations.from_level_id, escalations.to_level_id, COUNT(*) FROM escalations INNER JOIN tickets ON tickets.id = escalations.ticket_id WHERE escalations.created_at >= {from} AND escalations.created_at < {until} {client} GROUP BY escalations.reason, escalations.trigger_kind, escalations.from_level_id, escalations.to_level_id",
            |c, f| Ok(reports::escalations::counts(c, f)?.len()),
        ),
        (
            "Satisfaction by client",
            "SELECT clients.name, COUNT(*) FROM surveys INNER JOIN tickets ON tickets.id = surveys.ticket_id INNER JOIN clients ON clients.id = tickets.client_id WHERE tickets.kind = 'incident' AND surveys.sent_at >= {from} AND surveys.sent_at < {until} {client} GROUP BY clients.name",
            |c, f| Ok(reports::satisfaction::by_client(c, f)?.len()),
        ),
        ("Uptime per service", "", |c, f| {
            let month = Month::new(f.from.year(), f.from.month()).unwrap_or(Month {
                year: 2026,
                month: 1,
            });
            Ok(reports::uptime::services_month(c, f.client, month, f.until.and_utc())?.len())
        }),
    ]
}

#[derive(QueryableByName)]
struct SqlitePlan {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Integer)]
    parent: i32,
    #[diesel(sql_type = Text)]
    detail: String,
}

#[derive(QueryableByName)]
struct PgPlan {
    #[diesel(sql_type = Text)]
    #[diesel(column_name = "QUERY PLAN")]
    line: String,
}

fn percentile_sql(postgres: bool) -> String {
    let range = "kind = 'incident' AND solved_at >= {from} AND solved_at < {until} {client} AND resolution_business_minutes IS NOT NULL";
    if postgres {
        format!(
            "SELECT priority, percentile_disc(0.5) WITHIN GROUP (ORDER BY resolution_business_minutes), percentile_disc(0.9) WITHIN GROUP (ORDER BY resolution_business_minutes) FROM tickets WHERE {range} GROUP BY priority"
        )
    } else {
        format!(
            "SELECT priority, MIN(CASE WHEN rn * 2 >= n THEN m END), MIN(CASE WHEN rn * 10 >= n * 9 THEN m END) FROM (SELECT priority, resolution_business_minutes AS m, ROW_NUMBER() OVER (PARTITION BY priority ORDER BY resolution_business_minutes) AS rn, COUNT(*) OVER (PARTITION BY priority) AS n FROM tickets WHERE {range}) AS ranked GROUP BY priority"
        )
    }
}

fn explain(conn: &mut DbConn, template: &str, filter: &ReportFilter) -> anyhow::Result<()> {
    if template.is_empty() {
        println!("    (one outage query per hosted service, on outages (service_id, started_at))");
        return Ok(());
    }
    let postgres = matches!(conn, DbConn::Postgres(_));
    let template = if template == "PERCENTILES" {
        percentile_sql(postgres)
    } else {
        template.to_string()
    };
    let stamp = |t: chrono::NaiveDateTime| format!("'{}'", t.format("%Y-%m-%d %H:%M:%S"));
    let client = filter
        .client
        .map(|c| format!("AND tickets.client_id = {c}"))
        .unwrap_or_default();
    let sql = template
        .replace("{from}", &stamp(filter.from))
        .replace("{until}", &stamp(filter.until))
        .replace("{client}", &client);
    match conn {
        DbConn::Sqlite(lite) => {
            for row in
                diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}")).load::<SqlitePlan>(lite)?
            {
                println!("    {:>3} {:>3} {}", row.id, row.parent, row.detail);
            }
        }
        DbConn::Postgres(pg) => {
            for row in diesel::sql_query(format!("EXPLAIN {sql}")).load::<PgPlan>(pg)? {
                println!("    {}", row.line);
            }
        }
    }
    Ok(())
}

fn measure(
    conn: &mut DbConn,
    query: Query,
    filter: &ReportFilter,
) -> anyhow::Result<(Duration, Duration, usize)> {
    let mut times = Vec::with_capacity(RUNS);
    let mut rows = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        rows = query(conn, filter)?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok((times[RUNS / 2], times[RUNS * 9 / 10], rows))
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let raw = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: reports_bench <database URL> [YYYY-MM]"))?;
    let url = DatabaseUrl::parse(&raw).map_err(|e| anyhow::anyhow!(e))?;
    let pool = db::build_pool(&url, 1)?;
    let mut conn = pool.get()?;
    let latest: Option<chrono::NaiveDateTime> = tickets::table
        .select(diesel::dsl::max(tickets::solved_at))
        .first(&mut *conn)?;
    let month = match args.next() {
        Some(text) => Month::parse(&text).ok_or_else(|| anyhow::anyhow!("month as YYYY-MM"))?,
        None => {
            let latest = latest.ok_or_else(|| anyhow::anyhow!("no solved tickets"))?;
            Month::new(latest.year(), latest.month())
                .ok_or_else(|| anyhow::anyhow!("bad month"))?
                .previous()
        }
    };
    let busiest: (i64, i64) = tickets::table
        .group_by(tickets::client_id)
        .select((tickets::client_id, diesel::dsl::count_star()))
        .order(diesel::dsl::count_star().desc())
        .first(&mut *conn)?;
    let client_name: String = clients::table
        .find(busiest.0)
        .select(clients::name)
        .first(&mut *conn)?;
    let total: i64 = tickets::table.count().get_result(&mut *conn)?;
    let from = month.first_day();
    let until = month.next().first_day();
    let day = |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap_or_default();
    let all = ReportFilter {
        client: None,
        from: day(from),
        until: day(until),
        priority: None,
        technician: None,
    };
    let one = ReportFilter {
        client: Some(busiest.0),
        ..all.clone()
    };
    println!(
        "{}: {total} tickets; month {}; one client = {client_name} ({} tickets); {RUNS} runs each",
        db::backend_name(&conn),
        month.key(),
        busiest.1
    );
    for (name, plan, query) in queries() {
        println!("\n{name}");
        for (label, filter) in [("one client", &one), ("all clients", &all)] {
            println!("  plan, {label}:");
            explain(&mut conn, plan, filter)?;
            let (median, p90, rows) = measure(&mut conn, query, filter)?;
            println!(
                "  {label}: median {:.2} ms, p90 {:.2} ms ({rows} rows)",
                median.as_secs_f64() * 1000.0,
                p90.as_secs_f64() * 1000.0
            );
        }
    }
    Ok(())
}
