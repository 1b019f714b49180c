//! Who owns a ticket after an automatic escalation, and time budgets on every level: a ticket
//! that climbs tier 1 → tier 2 → tier 3 by time alone waits ownerless in each level's queue
//! (the previous owner told), is taken from it, and a level's default owner takes it instead.

use chrono::{DateTime, TimeZone, Utc};
use diesel::prelude::*;
use reqwest::StatusCode;
use tierdesk::db;
use tierdesk::domain::account::{Role, Tier};
use tierdesk::jobs;

use crate::fixtures::{
    client_with_contact, level_id, record_ticket, seed_demo_desk, staff_notices, ticket_id,
    ticket_row, user_id,
};
use crate::helpers::{Page, TestApp};

/// Monday 7 December 2026, on the standard calendar's open hours (07:00–18:00 UTC).
fn monday(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, hour, minute, 0)
        .single()
        .unwrap()
}

async fn level_of(app: &TestApp, path: &str) -> String {
    let row = ticket_row(app, path).await;
    db::run(&app.state.pool, move |conn| {
        Ok(db::escalation::standing(conn, &row)?.level.name)
    })
    .await
    .unwrap()
}

async fn escalated(app: &TestApp) -> usize {
    jobs::run_once(&app.jobs)
        .await
        .unwrap()
        .get(jobs::escalate::NAME, jobs::escalate::ESCALATED)
}

/// A P2 (4 business hours to resolve) recorded Monday 08:00, triaged and owned by Tess at
/// tier 1. Tier 1 runs to 50 % (10:00), tier 2 to 75 % (11:00), tier 3 to 90 % (11:36).
/// Priya is on tier 2, Theo on tier 3, Mia manages; the app is signed in as Tess.
async fn monday_ticket(app: &TestApp) -> String {
    app.clock.set(monday(8, 0));
    let (_, contact) = client_with_contact(app).await;
    for (email, name, tier) in [
        ("priya@msp.example", "Priya Nair", Tier::Tier2),
        ("theo@msp.example", "Theo Third", Tier::Tier3),
    ] {
        app.create_user(email, name, Role::Technician, Some(tier))
            .await;
    }
    app.create_user("mia@msp.example", "Mia Manager", Role::Manager, None)
        .await;
    app.sign_in_as(Role::Technician).await;
    let ticket = record_ticket(app, contact, "Mail server rejects sends", "high", "medium").await;
    app.post_ticket_form(
        &ticket,
        "triage",
        &[
            ("impact", "high"),
            ("urgency", "medium"),
            ("category_id", "1"),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    let tess = user_id(app, "tech@msp.example").await;
    app.post_ticket_form(
        &ticket,
        "assign",
        &[("tier", "tier1"), ("owner_id", &tess), ("worker_id", &tess)],
    )
    .await
    .assert_redirect_to(&ticket);
    ticket
}

async fn a_ticket_climbs_two_levels_by_time_and_waits_ownerless_in_each_queue(app: TestApp) {
    let ticket = monday_ticket(&app).await;
    app.clock.set(monday(9, 59));
    assert_eq!(escalated(&app).await, 0, "tier 1 still has a minute");

    app.clock.set(monday(10, 0));
    assert_eq!(escalated(&app).await, 1);
    let row = ticket_row(&app, &ticket).await;
    assert_eq!(row.tier, Some(Tier::Tier2));
    assert_eq!((row.owner_id, row.worker_id), (None, None));
    assert_eq!(level_of(&app, &ticket).await, "Tier 2");
    let page = app.get(&ticket).await.text();
    assert!(
        page.contains(
            "Escalated automatically to Tier 2: SLA time budget for Tier 1 spent (50 % of the \
             resolution target). Now in the Tier 2 queue, no owner until someone takes it."
        ),
        "{page}"
    );
    assert!(page.contains("Awaiting an owner."), "{page}");
    assert!(page.contains("Tier 2 · awaiting an owner"), "{page}");
    assert!(
        page.contains("You have 60 business minutes before this must go to Tier 3."),
        "tier 2 has its own budget: {page}"
    );
    let mail = staff_notices(&app).await;
    assert!(
        mail.iter().any(|(to, s)| to == "tech@msp.example"
            && s.contains("went to Tier 2: you no longer own it")),
        "{mail:?}"
    );
    assert!(
        mail.iter()
            .any(|(to, s)| to == "priya@msp.example"
                && s.contains("Escalated to Tier 2: time exceeded")),
        "{mail:?}"
    );

    // Tess, on tier 1, may no longer take or solve it; Priya takes it from the Tier 2 queue.
    let refused = app.post_ticket_form(&ticket, "take", &[]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .contains("only Tier 2 staff or a manager may take it"),
        "{}",
        refused.text()
    );
    let priya = app.another_browser();
    priya
        .login("priya@msp.example", "Priya Nair password 1")
        .await;
    assert!(priya.get(&ticket).await.text().contains("Take this ticket"));
    priya
        .post_ticket_form(&ticket, "take", &[])
        .await
        .assert_redirect_to(&ticket);
    let row = ticket_row(&app, &ticket).await;
    let priya_id = user_id(&app, "priya@msp.example").await;
    assert_eq!(row.owner_id.map(|o| o.to_string()), Some(priya_id.clone()));
    assert_eq!(row.worker_id.map(|o| o.to_string()), Some(priya_id));
    assert!(
        !priya
            .get(&ticket)
            .await
            .text()
            .contains("Awaiting an owner.")
    );

    // Tier 2's hour ends at 11:00 (75 %): up to Tier 3, Priya told.
    app.clock.set(monday(11, 0));
    assert_eq!(escalated(&app).await, 1);
    let row = ticket_row(&app, &ticket).await;
    assert_eq!(row.tier, Some(Tier::Tier3));
    assert_eq!((row.owner_id, row.worker_id), (None, None));
    assert_eq!(level_of(&app, &ticket).await, "Tier 3");
    let page = priya.get(&ticket).await.text();
    assert!(
        page.contains(
            "Escalated automatically to Tier 3: SLA time budget for Tier 2 spent (75 % of the \
             resolution target). Now in the Tier 3 queue, no owner until someone takes it."
        ),
        "{page}"
    );
    assert!(page.contains("Tier 1 → Tier 2"), "{page}");
    assert!(page.contains("Tier 2 → Tier 3"), "{page}");
    let mail = staff_notices(&app).await;
    assert!(
        mail.iter().any(|(to, s)| to == "priya@msp.example"
            && s.contains("went to Tier 3: you no longer own it")),
        "{mail:?}"
    );
    assert!(
        mail.iter()
            .any(|(to, s)| to == "theo@msp.example"
                && s.contains("Escalated to Tier 3: time exceeded")),
        "{mail:?}"
    );
    assert_eq!(escalated(&app).await, 0, "tier 3 runs to 90 %");
    let history = db::run(&app.state.pool, {
        let ticket = ticket_id(&ticket).0;
        move |conn| {
            use tierdesk::db::schema::escalations::dsl::*;
            Ok(escalations
                .filter(ticket_id.eq(ticket))
                .select((trigger_kind, reason, owner_id))
                .load::<(String, String, Option<i64>)>(conn)?)
        }
    })
    .await
    .unwrap();
    assert_eq!(
        history,
        vec![
            ("time".into(), "time_exceeded".into(), None),
            ("time".into(), "time_exceeded".into(), None)
        ]
    );
}

/// An admin's form post naming `owner` (a user id) Tier 2's default owner.
async fn post_tier2_default_owner(app: &TestApp, admin: &TestApp, owner: &str) -> Page {
    let tier2 = db::run(&app.state.pool, |conn| {
        let ladder = db::escalation::load_ladder(conn)?;
        Ok(ladder
            .levels()
            .iter()
            .find(|l| l.name == "Tier 2")
            .unwrap()
            .id)
    })
    .await
    .unwrap();
    let path = format!("/admin/escalation/levels/{tier2}");
    admin
        .post_edit(
            "/admin/escalation",
            &path,
            &[
                ("name", "Tier 2"),
                ("budget_p1", "75"),
                ("budget_p2", "75"),
                ("budget_p3", "75"),
                ("default_owner_id", owner),
            ],
        )
        .await
}

async fn a_levels_default_owner_takes_what_an_automatic_escalation_brings(app: TestApp) {
    let ticket = monday_ticket(&app).await;
    let admin = app.another_browser();
    admin.sign_in_as(Role::Admin).await;
    let ladder = admin.get("/admin/escalation").await.text();
    assert!(ladder.contains("Default owner after an automatic escalation"));
    let tess = user_id(&app, "tech@msp.example").await;
    let bad = post_tier2_default_owner(&app, &admin, &tess).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.field_error("default_owner_id").is_some(),
        "a tier 1 technician does not own Tier 2's tickets"
    );
    let priya = user_id(&app, "priya@msp.example").await;
    post_tier2_default_owner(&app, &admin, &priya)
        .await
        .assert_redirect_to("/admin/escalation");

    app.clock.set(monday(10, 0));
    assert_eq!(escalated(&app).await, 1);
    let row = ticket_row(&app, &ticket).await;
    assert_eq!(row.owner_id.map(|o| o.to_string()), Some(priya));
    assert_eq!(row.worker_id, None);
    let page = app.get(&ticket).await.text();
    assert!(
        page.contains(
            "Now in the Tier 2 queue; owner is now Priya Nair (the level's default owner)."
        ),
        "{page}"
    );
    assert!(!page.contains("Awaiting an owner."), "{page}");
    let mail = staff_notices(&app).await;
    assert!(
        mail.iter().any(|(to, s)| to == "priya@msp.example"
            && s.contains("you own this ticket now, as the level's default owner")),
        "{mail:?}"
    );
    assert!(
        mail.iter()
            .any(|(to, s)| to == "tech@msp.example" && s.contains("you no longer own it")),
        "{mail:?}"
    );
}

/// The access factor holds for automatic escalations too: a default owner who may not work for
/// the client does not get the ticket, and nobody without access takes it from the queue.
async fn nobody_without_access_to_the_client_owns_or_takes_an_escalated_ticket(app: TestApp) {
    let ticket = monday_ticket(&app).await;
    let admin = app.another_browser();
    admin.sign_in_as(Role::Admin).await;
    let priya = user_id(&app, "priya@msp.example").await;
    post_tier2_default_owner(&app, &admin, &priya)
        .await
        .assert_redirect_to("/admin/escalation");
    let client = ticket_row(&app, &ticket).await.client_id;
    let revoked = priya.parse::<i64>().unwrap();
    db::run(&app.state.pool, move |conn| {
        use tierdesk::db::schema::client_access::dsl::*;
        Ok(
            diesel::delete(client_access.filter(client_id.eq(client).and(user_id.eq(revoked))))
                .execute(conn)?,
        )
    })
    .await
    .unwrap();

    // Nor does a manual escalation name her as the owner.
    let tier2 = level_id(&app, "Tier 2").await;
    let revoked = revoked.to_string();
    let refused = app
        .post_ticket_form(
            &ticket,
            "escalate",
            &[
                ("to_level_id", &tier2),
                ("reason", "skill_limitation"),
                ("explanation", "Needs the mail gateway logs."),
                ("owner_id", &revoked),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .field_error("owner_id")
            .is_some_and(|e| e.contains("No access to this client's systems")),
        "{}",
        refused.text()
    );

    app.clock.set(monday(10, 0));
    assert_eq!(escalated(&app).await, 1);
    let row = ticket_row(&app, &ticket).await;
    assert_eq!((row.owner_id, row.worker_id), (None, None));
    assert!(
        app.get(&ticket)
            .await
            .text()
            .contains("Now in the Tier 2 queue, no owner until someone takes it.")
    );
    let priya = app.another_browser();
    priya
        .login("priya@msp.example", "Priya Nair password 1")
        .await;
    let refused = priya.post_ticket_form(&ticket, "take", &[]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .contains("No access to this client's systems"),
        "{}",
        refused.text()
    );
    assert_eq!(ticket_row(&app, &ticket).await.owner_id, None);
}

/// A default owner on holiday does not get what an automatic escalation brings: the ticket
/// waits in the level's queue for someone present.
async fn a_default_owner_who_is_away_leaves_the_ticket_in_the_queue(app: TestApp) {
    let ticket = monday_ticket(&app).await;
    let admin = app.another_browser();
    admin.sign_in_as(Role::Admin).await;
    let priya = user_id(&app, "priya@msp.example").await;
    post_tier2_default_owner(&app, &admin, &priya)
        .await
        .assert_redirect_to("/admin/escalation");
    admin
        .post_form(
            "/absences",
            &[
                ("user_id", &priya),
                ("first_day", "2026-12-07"),
                ("last_day", "2026-12-11"),
                ("note", "Holiday"),
            ],
        )
        .await
        .assert_redirect_to("/absences");

    app.clock.set(monday(10, 0));
    assert_eq!(escalated(&app).await, 1);
    assert_eq!(ticket_row(&app, &ticket).await.owner_id, None);
    assert!(
        app.get(&ticket)
            .await
            .text()
            .contains("Now in the Tier 2 queue, no owner until someone takes it.")
    );
}

/// Time carries a ticket past tier 3 to the decision point; the manager who then hands it to
/// people keeps it there, where the decision with the client is recorded.
async fn assigning_people_at_the_decision_point_keeps_the_ticket_there(app: TestApp) {
    let ticket = monday_ticket(&app).await;
    for (hour, minute) in [(10, 0), (11, 0), (11, 36)] {
        app.clock.set(monday(hour, minute));
        assert_eq!(escalated(&app).await, 1, "at {hour}:{minute:02}");
    }
    assert_eq!(level_of(&app, &ticket).await, "Service desk manager");
    let mia = app.another_browser();
    mia.login("mia@msp.example", "Mia Manager password 1").await;
    let me = user_id(&app, "mia@msp.example").await;
    mia.post_ticket_form(
        &ticket,
        "assign",
        &[("tier", "tier3"), ("owner_id", &me), ("worker_id", &me)],
    )
    .await
    .assert_redirect_to(&ticket);
    assert_eq!(level_of(&app, &ticket).await, "Service desk manager");
    mia.post_ticket_form(
        &ticket,
        "work",
        &[
            ("entry", "note"),
            ("body", "Calling the client about a replacement."),
            ("next", "start_work"),
            ("review", "changed"),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    mia.post_ticket_form(
        &ticket,
        "decision",
        &[("offered", "Replace the mail gateway this week, 900 EUR")],
    )
    .await
    .assert_redirect_to(&ticket);
}

async fn the_demo_desk_shows_a_ticket_that_climbed_by_time_and_a_suggestion(app: TestApp) {
    app.clock.set(monday(10, 0));
    seed_demo_desk(&app).await;
    let (path, triggers, open_suggestions) = db::run(&app.state.pool, |conn| {
        use tierdesk::db::schema::{escalation_suggestions, escalations, tickets};
        let id: i64 = tickets::table
            .filter(tickets::subject.eq("Warehouse Wi-Fi controller keeps rebooting"))
            .select(tickets::id)
            .first(conn)?;
        let triggers: Vec<String> = escalations::table
            .filter(escalations::ticket_id.eq(id))
            .order(escalations::id.asc())
            .select(escalations::trigger_kind)
            .load(conn)?;
        let open: i64 = escalation_suggestions::table
            .filter(escalation_suggestions::status.eq("open"))
            .count()
            .get_result(conn)?;
        Ok((format!("/tickets/{id}"), triggers, open))
    })
    .await
    .unwrap();
    assert_eq!(triggers, ["time", "time"]);
    assert!(open_suggestions >= 1);
    let row = ticket_row(&app, &path).await;
    assert_eq!((row.tier, row.owner_id), (Some(Tier::Tier3), None));
    assert_eq!(level_of(&app, &path).await, "Tier 3");
    app.sign_in_as(Role::Manager).await;
    let page = app.get(&path).await.text();
    assert!(page.contains("Tier 1 → Tier 2"), "{page}");
    assert!(page.contains("Tier 2 → Tier 3"), "{page}");
    assert!(page.contains("taken from the Tier 2 queue"), "{page}");
    assert!(
        page.contains("Now in the Tier 3 queue, no owner until someone takes it."),
        "{page}"
    );
    let list = app.get("/approvals/suggestions").await.text();
    assert!(
        list.contains("1 of 5 (Very dissatisfied): “Dispatch was without labels"),
        "{list}"
    );
}

both_backends!(
    a_ticket_climbs_two_levels_by_time_and_waits_ownerless_in_each_queue,
    a_levels_default_owner_takes_what_an_automatic_escalation_brings,
    nobody_without_access_to_the_client_owns_or_takes_an_escalated_ticket,
    a_default_owner_who_is_away_leaves_the_ticket_in_the_queue,
    assigning_people_at_the_decision_point_keeps_the_ticket_there,
    the_demo_desk_shows_a_ticket_that_climbed_by_time_and_a_suggestion,
);
