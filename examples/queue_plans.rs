//! Prints, for every queue page, the plan of each ticket query it runs (EXPLAIN QUERY PLAN on
//! SQLite, EXPLAIN on PostgreSQL) and the median and p90 time of the whole page's reads, as the
//! demo manager sees it, first page and a page deep in the queue:
//!
//!     cargo run --release --example queue_plans -- <database URL>

use std::time::{Duration, Instant};

use diesel::prelude::*;
use tierdesk::config::DatabaseUrl;
use tierdesk::db::schema::users;
use tierdesk::db::tickets::{self, Queue, QueueFilter};
use tierdesk::db::{self, DbConn};
use tierdesk::domain::ids::UserId;

const RUNS: usize = 30;

fn timed(
    conn: &mut DbConn,
    queue: Queue,
    viewer: UserId,
    after: Option<tickets::Cursor>,
) -> anyhow::Result<(Duration, Duration, tickets::QueuePage)> {
    let now = chrono::Utc::now();
    let mut times = Vec::with_capacity(RUNS);
    let mut last = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        last = Some(tickets::queue(
            conn,
            queue,
            &QueueFilter::default(),
            viewer,
            after,
            25,
            now,
        )?);
        times.push(start.elapsed());
    }
    times.sort();
    let page = last.ok_or_else(|| anyhow::anyhow!("no run"))?;
    Ok((times[RUNS / 2], times[RUNS * 9 / 10], page))
}

fn main() -> anyhow::Result<()> {
    let raw = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: queue_plans <database URL>"))?;
    let url = DatabaseUrl::parse(&raw).map_err(|e| anyhow::anyhow!(e))?;
    let pool = db::build_pool(&url, 1)?;
    let mut conn = pool.get()?;
    let viewer: i64 = users::table
        .filter(users::email.eq("morgan.reyes@msp.example"))
        .select(users::id)
        .first(&mut *conn)?;
    let viewer = UserId(viewer);
    for queue in Queue::all() {
        let (p50, p90, page) = timed(&mut conn, queue, viewer, None)?;
        println!(
            "== {} ({}): {} rows, total {}, first page p50 {:.2} ms p90 {:.2} ms",
            queue.label(),
            queue.slug(),
            page.rows.len(),
            page.total,
            p50.as_secs_f64() * 1e3,
            p90.as_secs_f64() * 1e3
        );
        // Twenty pages on, by following the next links.
        let mut after = page.next;
        for _ in 0..20 {
            let Some(cursor) = after else { break };
            after = tickets::queue(
                &mut conn,
                queue,
                &QueueFilter::default(),
                viewer,
                Some(cursor),
                25,
                chrono::Utc::now(),
            )?
            .next;
        }
        if let Some(cursor) = after {
            let (p50, p90, _) = timed(&mut conn, queue, viewer, Some(cursor))?;
            println!(
                "   page 21: p50 {:.2} ms p90 {:.2} ms",
                p50.as_secs_f64() * 1e3,
                p90.as_secs_f64() * 1e3
            );
        }
        let plans = tickets::plans(
            &mut conn,
            queue,
            &QueueFilter::default(),
            viewer,
            after,
            chrono::Utc::now(),
        )?;
        for (query, plan) in plans {
            println!("   {query}");
            for line in plan {
                println!("      {line}");
            }
        }
    }
    Ok(())
}
