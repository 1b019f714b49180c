//! `tierdesk seed-demo` gives a newcomer a living desk, and running it twice changes nothing.

use reqwest::StatusCode;
use tierdesk::domain::account::Role;
use tierdesk::{db, seed};

use crate::fixtures::seed_demo_desk;
use crate::helpers::{Backend, TestApp, spawn_app_after};

async fn the_demo_desk_is_complete_and_seeding_twice_adds_nothing(app: TestApp) {
    let first = seed_demo_desk(&app).await;
    assert_eq!(first.accounts_created, seed::DEMO_ACCOUNTS.len());
    assert_eq!(first.clients_created, 3);
    // 11 incidents, the sensitive-category ticket, the ticket that climbed by time, two
    // service requests (approved, fulfilled), and per client the request carrying out a risk
    // control.
    assert_eq!(first.tickets_created, 18);
    let again = seed_demo_desk(&app).await;
    assert_eq!(
        (
            again.accounts_created,
            again.clients_created,
            again.tickets_created
        ),
        (0, 0, 0)
    );
    let statuses: std::collections::BTreeSet<String> = db::run(&app.state.pool, |conn| {
        use diesel::prelude::*;
        use tierdesk::db::schema::tickets;
        Ok(tickets::table
            .select(tickets::status)
            .load::<String>(conn)?
            .into_iter()
            .collect())
    })
    .await
    .unwrap();
    for status in [
        "new",
        "in_progress",
        "pending_vendor",
        "pending_client",
        "assigned",
        "solved",
        "closed",
        "duplicate",
    ] {
        assert!(
            statuses.contains(status),
            "a demo ticket is {status}: {statuses:?}"
        );
    }

    let page = app
        .login("morgan.reyes@msp.example", seed::DEMO_PASSWORD)
        .await;
    page.assert_redirect_to("/");
    let text = app.get("/").await.text();
    assert!(text.contains("3 active clients"), "{text}");
    assert!(text.contains("6 client contacts"), "{text}");
    let clients = app.get("/clients").await;
    assert_eq!(clients.status, StatusCode::OK);
    let harbor = clients.text();
    assert!(harbor.contains("Harbor Logistics HARBOR 3"), "{harbor}");
    let harbor_id = db::run(&app.state.pool, |conn| {
        Ok(db::clients::list(conn, true)?
            .into_iter()
            .find(|s| s.client.code == "HARBOR")
            .unwrap()
            .client
            .id)
    })
    .await
    .unwrap();
    let text = app.get(&format!("/clients/{harbor_id}")).await.text();
    assert!(
        text.contains("Around the clock (America/Chicago)"),
        "{text}"
    );
    assert!(text.contains("Premium 24/7"), "{text}");

    // The demo monitoring: one mapping, a disk alert counted three times on one open ticket,
    // and a web check whose recovery solved its ticket.
    let mappings = app.get("/admin/alert-sources").await.text();
    assert!(mappings.contains("zabbix-harbor harbor-*"), "{mappings}");
    let (disk, web) = db::run(&app.state.pool, |conn| {
        Ok((
            db::alerts::counted(conn, "harbor-fs01/disk-d")?,
            db::alerts::counted(conn, "harbor-web01/https")?,
        ))
    })
    .await
    .unwrap();
    assert_eq!((disk.0, disk.1.len(), web.0, web.1.len()), (3, 1, 2, 1));
    let disk_ticket = app.get(&format!("/tickets/{}", disk.1[0])).await.text();
    assert!(disk_ticket.contains("Firing again (3)"), "{disk_ticket}");
    let web_ticket = app.get(&format!("/tickets/{}", web.1[0])).await.text();
    assert!(web_ticket.contains("Recovered by itself"), "{web_ticket}");
}

async fn bulk_tickets_load_in_batches_and_fill_the_queues(app: TestApp) {
    let now = app.clock.now();
    let mail = app.state.mail();
    let count = |conn: &mut db::DbConn| -> tierdesk::error::AppResult<i64> {
        use diesel::prelude::*;
        Ok(tierdesk::db::schema::tickets::table
            .count()
            .get_result(conn)?)
    };
    // The demo desk's own tickets (its live ones and its history) come first.
    let (seeded, written, total) = db::run(&app.state.pool, move |conn| {
        seed::seed_demo(conn, &mail, now).map_err(tierdesk::error::AppError::Internal)?;
        let seeded = count(conn)?;
        let written =
            seed::bulk_tickets(conn, 1_234, now).map_err(tierdesk::error::AppError::Internal)?;
        Ok((seeded, written, count(conn)?))
    })
    .await
    .unwrap();
    assert_eq!(written, 1_234);
    assert_eq!(total, seeded + 1_234);
    // The history is shaped like a desk's: about one in six generated incidents climbed (some
    // two rungs), one closed ticket in five has an answered survey, one in ten was answered late.
    let (climbs, two_rungs, answered, late) = db::run(&app.state.pool, |conn| {
        use diesel::prelude::*;
        use tierdesk::db::schema::{escalations, surveys, tickets};
        let generated = "Generated for load testing.";
        let climbs: i64 = escalations::table
            .filter(escalations::explanation.eq(generated))
            .count()
            .get_result(conn)?;
        let two_rungs: i64 = escalations::table
            .filter(escalations::explanation.eq(generated))
            .select(escalations::ticket_id)
            .group_by(escalations::ticket_id)
            .having(diesel::dsl::count_star().gt(1))
            .load::<i64>(conn)?
            .len() as i64;
        let answered: i64 = surveys::table
            .inner_join(tickets::table)
            .filter(tickets::description.eq(generated))
            .filter(surveys::rating.is_not_null())
            .count()
            .get_result(conn)?;
        let late: i64 = tickets::table
            .filter(tickets::description.eq(generated))
            .filter(tickets::responded_at.gt(tickets::response_due_at))
            .count()
            .get_result(conn)?;
        Ok((climbs, two_rungs, answered, late))
    })
    .await
    .unwrap();
    assert!((120..=360).contains(&climbs), "{climbs} escalations");
    assert!(two_rungs > 10, "{two_rungs} tickets climbed two rungs");
    assert!(
        (120..=360).contains(&answered),
        "{answered} answered surveys"
    );
    assert!((60..=200).contains(&late), "{late} late responses");

    // Every generated ticket has a timeline as a real one does: 5 to 15 entries once triaged,
    // every closed one was sent a survey, and some carry a log file.
    let (sizes, closed, surveyed, attached, closed_ticket) = db::run(&app.state.pool, |conn| {
        use diesel::prelude::*;
        use tierdesk::db::schema::{surveys, ticket_attachments, ticket_events, tickets};
        let generated = "Generated for load testing.";
        let sizes: Vec<(i64, i64)> = ticket_events::table
            .inner_join(tickets::table)
            .filter(tickets::description.eq(generated))
            .filter(tickets::triaged_at.is_not_null())
            .group_by(ticket_events::ticket_id)
            .select((ticket_events::ticket_id, diesel::dsl::count_star()))
            .load(conn)?;
        let closed: i64 = tickets::table
            .filter(tickets::description.eq(generated))
            .filter(tickets::status.eq("closed"))
            .count()
            .get_result(conn)?;
        let surveyed: i64 = surveys::table
            .inner_join(tickets::table)
            .filter(tickets::description.eq(generated))
            .count()
            .get_result(conn)?;
        let attached: i64 = ticket_attachments::table
            .inner_join(tickets::table)
            .filter(tickets::description.eq(generated))
            .count()
            .get_result(conn)?;
        let closed_ticket: i64 = surveys::table
            .inner_join(tickets::table)
            .filter(tickets::description.eq(generated))
            .filter(surveys::rating.is_not_null())
            .select(tickets::id)
            .first(conn)?;
        Ok((sizes, closed, surveyed, attached, closed_ticket))
    })
    .await
    .unwrap();
    assert!(sizes.len() > 1_000, "{} triaged tickets", sizes.len());
    assert!(
        sizes.iter().all(|(_, n)| (5..=15).contains(n)),
        "{:?}",
        sizes
            .iter()
            .filter(|(_, n)| !(5..=15).contains(n))
            .take(5)
            .collect::<Vec<_>>()
    );
    assert_eq!(surveyed, closed);
    assert!((80..=250).contains(&attached), "{attached} attachments");
    app.login("morgan.reyes@msp.example", seed::DEMO_PASSWORD)
        .await;
    let page = app.get(&format!("/tickets/{closed_ticket}")).await.text();
    assert!(page.contains("client rated"), "{page}");
    assert!(page.contains("after the reopen period"), "{page}");
    let text = app.get("/tickets?queue=all").await.text();
    assert!(text.contains("Showing 1–25 of"), "{text}");
}

/// A desk that grew without a restart has its statistics refreshed within six hours on
/// SQLite (PostgreSQL's autovacuum does this itself, and the sweep leaves it alone).
async fn a_grown_desk_is_analysed_again_within_six_hours(app: TestApp) {
    let now = app.clock.now();
    let mail = app.state.mail();
    db::run(&app.state.pool, move |conn| {
        seed::seed_demo(conn, &mail, now).map_err(tierdesk::error::AppError::Internal)?;
        seed::bulk_tickets(conn, 600, now).map_err(tierdesk::error::AppError::Internal)?;
        Ok(())
    })
    .await
    .unwrap();
    let sweep = tierdesk::jobs::statistics::NAME;
    let analysed = tierdesk::jobs::statistics::ANALYSED;
    assert_eq!(
        crate::fixtures::drain(&app).await.get(sweep, analysed),
        0,
        "not due before six hours"
    );
    let counted = |app: &TestApp| {
        let pool = app.state.pool.clone();
        async move {
            db::run(&pool, |conn| {
                use diesel::prelude::*;
                #[derive(QueryableByName)]
                struct Stat {
                    #[diesel(sql_type = diesel::sql_types::BigInt)]
                    rows: i64,
                }
                let real: i64 = tierdesk::db::schema::ticket_events::table
                    .count()
                    .get_result(conn)?;
                let planned =
                    match conn {
                        db::DbConn::Sqlite(lite) => diesel::sql_query(
                            "SELECT CAST(substr(stat, 1, instr(stat, ' ') - 1) AS INTEGER) AS rows \
                         FROM sqlite_stat1 WHERE idx = 'ticket_events_ticket'",
                        )
                        .get_result::<Stat>(lite)?
                        .rows,
                        db::DbConn::Postgres(_) => real,
                    };
                Ok((real, planned))
            })
            .await
            .unwrap()
        }
    };
    let (before, planned_before) = counted(&app).await;
    db::run(&app.state.pool, move |conn| {
        use diesel::prelude::*;
        // The events quadruple behind the statistics' back, as a busy desk's grow.
        for _ in 0..2 {
            diesel::sql_query(
                "INSERT INTO ticket_events (ticket_id, actor_id, kind, client_visible, body, \
                 detail, created_at) SELECT ticket_id, actor_id, kind, client_visible, body, \
                 detail, created_at FROM ticket_events",
            )
            .execute(conn)?;
        }
        Ok(())
    })
    .await
    .unwrap();
    let (grown, planned) = counted(&app).await;
    assert_eq!(grown, before * 4);
    if app.backend == crate::helpers::Backend::Sqlite {
        assert_eq!(
            planned, planned_before,
            "the planner still counts what the load left"
        );
    }
    app.clock.advance(tierdesk::jobs::statistics::EVERY);
    let report = crate::fixtures::drain(&app).await;
    // The pass's other sweeps write a few events of their own around the analysis.
    let (now_real, planned) = counted(&app).await;
    assert!(
        (grown..=now_real).contains(&planned),
        "the planner counts the grown table: {planned} of {grown}..{now_real}"
    );
    if app.backend == crate::helpers::Backend::Postgres {
        assert_eq!(report.get(sweep, analysed), 0, "autovacuum's work");
    }
}

both_backends!(
    the_demo_desk_is_complete_and_seeding_twice_adds_nothing,
    bulk_tickets_load_in_batches_and_fill_the_queues,
    seeding_refuses_a_desk_with_accounts_of_its_own,
    a_grown_desk_is_analysed_again_within_six_hours,
);

async fn seeding_refuses_a_desk_with_accounts_of_its_own(app: TestApp) {
    let ask = |app: &TestApp| {
        let pool = app.state.pool.clone();
        async move {
            db::run(&pool, |conn| {
                seed::accounts_of_a_real_desk(conn, tierdesk::FIRST_ADMIN_EMAIL)
                    .map_err(tierdesk::error::AppError::Internal)
            })
            .await
            .unwrap()
        }
    };
    seed_demo_desk(&app).await;
    assert!(
        ask(&app).await.is_empty(),
        "the demo staff and the first admin are a demo desk"
    );
    app.create_user("ann@client.example", "Ann Able", Role::Manager, None)
        .await;
    assert_eq!(ask(&app).await, ["ann@client.example"]);
}

/// The README's demo section before its first start: the demo staff hold no admin, so the
/// start still creates one, and its printed password signs in.
async fn seeding_before_the_first_start_still_gives_an_admin(backend: Backend) {
    let Some(app) = spawn_app_after(backend, |conn, config| {
        let mail = tierdesk::mail::messages::MailContext::from_config(config);
        let now = tierdesk::clock::Clock::default().now();
        seed::seed_demo(conn, &mail, now).expect("seed-demo");
        assert!(
            !db::users::active_admin_exists(conn).unwrap(),
            "the demo staff hold no admin"
        );
    })
    .await
    else {
        return;
    };
    let admin = app
        .first_admin
        .clone()
        .expect("the start after seed-demo creates an admin");
    let page = app.login(&admin.email, &admin.one_time_password).await;
    page.assert_redirect_to("/account/password");
    assert!(
        crate::helpers::restart(&app).await.is_none(),
        "with an active admin, the next start creates none"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeding_before_the_first_start_sqlite() {
    seeding_before_the_first_start_still_gives_an_admin(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeding_before_the_first_start_postgres() {
    seeding_before_the_first_start_still_gives_an_admin(Backend::Postgres).await;
}
