//! What keeps the queues independent of the number of tickets: every query a queue page runs is
//! an index range in the order shown (checked on the database's own plan, both backends), and
//! the counters the pages read instead of counting tickets equal a real count after a mixed
//! workload.

use chrono::Duration;
use diesel::prelude::*;
use tierdesk::db::schema::tickets;
use tierdesk::db::tickets::{Cursor, KindChoice, Queue, QueueFilter};
use tierdesk::db::{self, DbConn};
use tierdesk::domain::account::Tier;
use tierdesk::domain::ids::{ClientId, ContactId, TicketId, UserId};
use tierdesk::domain::ticket::{Kind, Status};

use crate::fixtures::{drain, edit_of, phone_incident, seed_demo_desk, staff_id, walk_to_solved};
use crate::helpers::{Backend, TestApp};

/// Why `plan` is not one index range walked in order, or `None` when it is: SQLite must SEARCH
/// tickets through an index (never SCAN it) and need no temporary B-tree to sort; PostgreSQL,
/// with sequential scans and sorts priced out (a test table is too small for its planner to
/// prefer an index on its own), must still find no plan without them.
fn not_a_range(backend: Backend, plan: &[String]) -> Option<String> {
    let text = plan.join("\n");
    let bad = match backend {
        Backend::Sqlite => {
            plan.iter().any(|l| l.contains("SCAN tickets"))
                || plan.iter().any(|l| l.contains("TEMP B-TREE"))
                || !plan
                    .iter()
                    .any(|l| l.contains("SEARCH tickets USING") && l.contains("INDEX"))
        }
        Backend::Postgres => {
            plan.iter().any(|l| l.contains("Seq Scan"))
                || plan.iter().any(|l| {
                    let node = l.trim_start().trim_start_matches("->").trim_start();
                    node.starts_with("Sort") || node.starts_with("Incremental Sort")
                })
                || !plan.iter().any(|l| l.contains("Index Cond"))
        }
    };
    bad.then_some(text)
}

/// Why `plan` reads more than the search's hits, or `None`: a searched queue reads its tickets
/// by primary key, at most `SEARCH_CAP` of them whatever the table's size (sorting so few is
/// allowed), or walks its range as an unsearched queue does.
fn not_bounded_by_the_search(backend: Backend, plan: &[String]) -> Option<String> {
    let by_key = match backend {
        Backend::Sqlite => {
            plan.iter().all(|l| !l.contains("SCAN tickets"))
                && plan
                    .iter()
                    .any(|l| l.contains("SEARCH tickets USING INTEGER PRIMARY KEY"))
        }
        Backend::Postgres => {
            plan.iter().all(|l| !l.contains("Seq Scan"))
                && plan.iter().any(|l| l.contains("tickets_pkey"))
        }
    };
    if by_key {
        None
    } else {
        not_a_range(backend, plan)
    }
}

/// Prices sequential scans and sorts out of PostgreSQL's plans on this connection.
fn price_out_scans(conn: &mut DbConn) {
    if let DbConn::Postgres(pg) = conn {
        diesel::sql_query("SET enable_seqscan = off")
            .execute(pg)
            .unwrap();
        diesel::sql_query("SET enable_sort = off")
            .execute(pg)
            .unwrap();
    }
}

/// A handful of tickets in every queue: the demo desk.
async fn desk(app: &TestApp) -> UserId {
    seed_demo_desk(app).await;
    staff_id(app, "morgan.reyes@msp.example").await
}

async fn every_queue_query_is_one_index_range(app: TestApp) {
    let viewer = desk(&app).await;
    let backend = app.backend;
    let now = app.clock.now();
    let tech = staff_id(&app, "tara.quinn@msp.example").await;
    let cursor = Cursor {
        key: now.naive_utc(),
        id: TicketId(3),
    };
    let mut cases: Vec<(Queue, QueueFilter, Option<Cursor>)> = Vec::new();
    for queue in Queue::all() {
        for kind in [
            KindChoice::QueueDefault,
            KindChoice::Only(Kind::Incident),
            KindChoice::Only(Kind::ServiceRequest),
            KindChoice::Both,
        ] {
            let filter = QueueFilter {
                kind,
                ..QueueFilter::default()
            };
            cases.push((queue, filter.clone(), None));
            cases.push((queue, filter, Some(cursor)));
        }
        cases.push((
            queue,
            QueueFilter {
                client: Some(ClientId(1)),
                ..QueueFilter::default()
            },
            Some(cursor),
        ));
        cases.push((
            queue,
            QueueFilter {
                technician: Some(tech),
                ..QueueFilter::default()
            },
            None,
        ));
        cases.push((
            queue,
            QueueFilter {
                search: Some("printer jams".into()),
                ..QueueFilter::default()
            },
            Some(cursor),
        ));
    }
    let failures = db::run(&app.state.pool, move |conn| {
        price_out_scans(conn);
        let mut failures = Vec::new();
        for (queue, filter, after) in &cases {
            for (query, plan) in db::tickets::plans(conn, *queue, filter, viewer, *after, now)? {
                let refused = if filter.search.is_some() {
                    not_bounded_by_the_search(backend, &plan)
                } else {
                    not_a_range(backend, &plan)
                };
                if let Some(plan) = refused {
                    failures.push(format!("{queue:?} {filter:?} {after:?} {query}:\n{plan}"));
                }
            }
        }
        Ok(failures)
    })
    .await
    .unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The check above can fail: the queries the queues ran before their indexes (open statuses as
/// a list, ordered by an expression on the resolution due time) are refused by it.
async fn the_plan_check_refuses_the_old_queue_queries(app: TestApp) {
    desk(&app).await;
    let backend = app.backend;
    let plans = db::run(&app.state.pool, move |conn| {
        price_out_scans(conn);
        let open: Vec<&str> = Status::OPEN.iter().map(|s| s.as_str()).collect();
        let all_open = tickets::table
            .filter(tickets::status.eq_any(open.clone()))
            .select(tickets::id)
            .order((
                tickets::resolution_due_at.is_null().asc(),
                tickets::resolution_due_at.asc(),
                tickets::id.asc(),
            ))
            .limit(25)
            .offset(25)
            .into_boxed();
        let tier = tickets::table
            .filter(tickets::status.eq_any(open))
            .filter(tickets::tier.eq(Tier::Tier1.as_str()))
            .select(tickets::id)
            .order((tickets::resolution_due_at.asc(), tickets::id.asc()))
            .limit(25)
            .into_boxed();
        Ok(vec![
            db::explain::plan(conn, all_open)?,
            db::explain::plan(conn, tier)?,
        ])
    })
    .await
    .unwrap();
    for plan in plans {
        assert!(
            not_a_range(backend, &plan).is_some(),
            "the old query passed the check:\n{}",
            plan.join("\n")
        );
    }
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Queryable)]
struct CountRow {
    a: String,
    b: String,
    c: i64,
    n: i64,
}

/// The counters as kept, and as counted from the tickets now (zero rows left out).
fn counters_and_counts(conn: &mut DbConn) -> (Vec<CountRow>, Vec<CountRow>) {
    use tierdesk::db::schema::ticket_counts;
    let mut kept: Vec<CountRow> = ticket_counts::table
        .filter(ticket_counts::n.ne(0))
        .select((
            ticket_counts::kind,
            ticket_counts::status,
            ticket_counts::worker_id,
            ticket_counts::n,
        ))
        .load(conn)
        .unwrap();
    kept.sort();
    let tickets: Vec<(String, String, Option<i64>)> = tickets::table
        .select((tickets::kind, tickets::status, tickets::worker_id))
        .load(conn)
        .unwrap();
    let mut counted: std::collections::BTreeMap<(String, String, i64), i64> = Default::default();
    for (kind, status, worker) in tickets {
        *counted
            .entry((kind, status, worker.unwrap_or(0)))
            .or_default() += 1;
    }
    let counted = counted
        .into_iter()
        .map(|((a, b, c), n)| CountRow { a, b, c, n })
        .collect();
    (kept, counted)
}

fn solved_counters_and_counts(conn: &mut DbConn) -> (Vec<CountRow>, Vec<CountRow>) {
    use tierdesk::db::schema::solved_counts;
    let mut kept: Vec<CountRow> = solved_counts::table
        .filter(solved_counts::n.ne(0))
        .select((
            solved_counts::category_id,
            solved_counts::day,
            solved_counts::owner_id,
            solved_counts::n,
        ))
        .load::<(i64, chrono::NaiveDateTime, i64, i64)>(conn)
        .unwrap()
        .into_iter()
        .map(|(a, b, c, n)| CountRow {
            a: a.to_string(),
            b: b.date().to_string(),
            c,
            n,
        })
        .collect();
    kept.sort();
    let solved: Vec<(Option<i64>, Option<chrono::NaiveDateTime>, Option<i64>)> = tickets::table
        .select((tickets::category_id, tickets::solved_at, tickets::owner_id))
        .load(conn)
        .unwrap();
    let mut counted: std::collections::BTreeMap<(String, String, i64), i64> = Default::default();
    for (category, at, owner) in solved {
        if let (Some(category), Some(at), Some(owner)) = (category, at, owner) {
            *counted
                .entry((category.to_string(), at.date().to_string(), owner))
                .or_default() += 1;
        }
    }
    let counted = counted
        .into_iter()
        .map(|((a, b, c), n)| CountRow { a, b, c, n })
        .collect();
    (kept, counted)
}

/// Intake, triage, assignment, work, solving, reassignment, cancelling, merging, reopening, the
/// auto-close sweep and the demo seed (merges, escalations, requests, months of history) all
/// change tickets; the counters the pages read equal a count of the tickets afterwards.
async fn the_counters_equal_a_real_count_after_a_mixed_workload(app: TestApp) {
    desk(&app).await;
    let (client, contact) = db::run(&app.state.pool, |conn| {
        use tierdesk::db::schema::contacts;
        Ok(contacts::table
            .select((contacts::client_id, contacts::id))
            .order(contacts::id)
            .first::<(i64, i64)>(conn)?)
    })
    .await
    .unwrap();
    let tech = staff_id(&app, "tara.quinn@msp.example").await;
    let other = staff_id(&app, "morgan.reyes@msp.example").await;
    let (now, mail) = (app.clock.now(), app.state.mail());
    db::run(&app.state.pool, move |conn| {
        use tierdesk::db::tickets::*;
        let (client, contact) = (ClientId(client), ContactId(contact));
        for n in 0..6 {
            let solved = walk_to_solved(
                conn,
                tech,
                client,
                contact,
                &format!("Printer {n}"),
                &mail,
                now,
            )?;
            // Every third is reopened, then handed to someone else at another tier.
            if n % 3 == 0 {
                let t = reopen(conn, edit_of(tech, &solved, now), "It jams again.")?.unwrap();
                let assigned = AssignInput {
                    tier: Tier::Tier2,
                    owner: Some(other),
                    worker: Some(other),
                };
                assign(conn, edit_of(tech, &t, now), &assigned)?.unwrap();
            }
        }
        let open = create(
            conn,
            tech,
            &phone_incident(client, contact, "Scanner offline"),
            &mail,
            now,
        )?
        .unwrap();
        cancel(conn, edit_of(tech, &open, now), None, "Raised by mistake.")?.unwrap();
        // A merge: the duplicate ends, the one it joins carries on.
        let kept = create(
            conn,
            tech,
            &phone_incident(client, contact, "Fax down"),
            &mail,
            now,
        )?
        .unwrap();
        let twin = create(
            conn,
            tech,
            &phone_incident(client, contact, "Fax down!"),
            &mail,
            now,
        )?
        .unwrap();
        cancel(
            conn,
            edit_of(tech, &twin, now),
            Some(kept.id),
            "Raised twice.",
        )?
        .unwrap();
        Ok(())
    })
    .await
    .unwrap();
    // The solved ones close once their reopen window is over.
    app.clock.advance(Duration::days(30));
    drain(&app).await;
    let ((kept, counted), (solved_kept, solved_counted)) = db::run(&app.state.pool, |conn| {
        Ok((counters_and_counts(conn), solved_counters_and_counts(conn)))
    })
    .await
    .unwrap();
    assert!(counted.len() > 5, "a mixed desk: {counted:?}");
    assert_eq!(kept, counted, "ticket_counts (kept, then counted)");
    assert!(!solved_counted.is_empty());
    assert_eq!(
        solved_kept, solved_counted,
        "solved_counts (kept, then counted)"
    );
    let closed = counted
        .iter()
        .any(|r| r.b == Status::Closed.as_str() && r.n > 0);
    assert!(closed, "the sweep closed tickets: {counted:?}");
}

both_backends!(
    every_queue_query_is_one_index_range,
    the_plan_check_refuses_the_old_queue_queries,
    the_counters_equal_a_real_count_after_a_mixed_workload,
);
