//! Service requests through HTTP: request fulfilment, not incidents. Their own SLA targets per
//! priority (edited beside the incident table), their own queue kept out of the incident
//! queues, a manager's approval before any work starts, "Fulfilled" in the page and the client's
//! mail, and the dashboard counting requests apart from incidents.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use diesel::prelude::*;
use reqwest::StatusCode;
use tierdesk::db;
use tierdesk::domain::account::Role;
use tierdesk::domain::ticket::Kind;

use crate::fixtures::{
    client_with_contact, drain, record_ticket, seed_demo_desk, staff_id, ticket_row, user_id,
};
use crate::helpers::TestApp;

fn utc(month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, hour, minute, 0)
        .single()
        .unwrap()
}

fn naive(at: DateTime<Utc>) -> Option<NaiveDateTime> {
    Some(at.naive_utc())
}

/// Records a service request for `contact` through the intake form; returns the ticket's path.
async fn record_request(app: &TestApp, contact: i64, subject: &str) -> String {
    let requester = format!("contact:{contact}");
    let page = app
        .post_form(
            "/tickets",
            &[
                ("kind", "service_request"),
                ("requester", &requester),
                ("details_confirmed", "on"),
                ("identity_check", "known_email"),
                ("channel", "email"),
                ("subject", subject),
                (
                    "description",
                    "Please set up a mailbox and a laptop for our new hygienist, starting Monday.",
                ),
                ("impact", "low"),
                ("urgency", "low"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    page.location.unwrap()
}

/// The request targets (minutes) the default policy holds for each priority.
async fn request_minutes(app: &TestApp) -> Vec<(i64, i64)> {
    db::run(&app.state.pool, |conn| {
        let (_, policy) = db::service_levels::defaults(conn)?;
        let targets =
            db::service_levels::load_policy(conn, policy)?.targets_for(Kind::ServiceRequest)?;
        Ok(targets
            .iter()
            .map(|(_, t)| (t.response.num_minutes(), t.resolution.num_minutes()))
            .collect())
    })
    .await
    .unwrap()
}

/// The admin saves the default policy with the incident table as the blueprints have it and
/// P3 service requests at 5 h to respond and 19 h to fulfil.
async fn set_request_targets(app: &TestApp) {
    let admin = app.another_browser();
    admin
        .create_user("admin2@msp.example", "Ada Admin", Role::Admin, None)
        .await;
    admin
        .login("admin2@msp.example", "Ada Admin password 1")
        .await;
    let policy = db::run(&app.state.pool, |conn| {
        Ok(db::service_levels::defaults(conn)?.1)
    })
    .await
    .unwrap();
    let path = format!("/admin/sla-policies/{}", policy.0);
    let form = admin.get(&path).await;
    assert!(
        form.text().contains("Service request targets"),
        "the policy page edits both tables: {}",
        form.text()
    );
    let saved = admin
        .post_edit(
            &path,
            &path,
            &[
                ("name", "Standard SLA"),
                ("due_soon", "25 %"),
                ("p1_response", "30m"),
                ("p1_resolution", "2h"),
                ("p1_mode", "always"),
                ("p2_response", "30m"),
                ("p2_resolution", "4h"),
                ("p2_mode", "business"),
                ("p3_response", "30m"),
                ("p3_resolution", "8h"),
                ("p3_mode", "business"),
                ("sr_p1_response", "4h"),
                ("sr_p1_resolution", "16h"),
                ("sr_p1_mode", "business"),
                ("sr_p2_response", "8h"),
                ("sr_p2_resolution", "40h"),
                ("sr_p2_mode", "business"),
                ("sr_p3_response", "5h"),
                ("sr_p3_resolution", "19h"),
                ("sr_p3_mode", "business"),
            ],
        )
        .await;
    saved.assert_redirect_to("/admin/service-levels");
}

async fn queue_text(app: &TestApp, query: &str) -> String {
    let page = app.get(&format!("/tickets?{query}")).await;
    assert_eq!(page.status, StatusCode::OK);
    page.text()
}

/// The request, from intake to fulfilled: its clocks come from the request targets, it waits
/// in the requests queue and not in the incident queues, nobody starts work before a manager
/// approves it, and once fulfilled the client's mail, the page and the dashboard say so.
async fn a_service_request_is_fulfilled_not_solved_from_intake_to_the_dashboard(app: TestApp) {
    // Monday 30 November, 09:00 UTC: the standard calendar is open 07:00–18:00 on weekdays.
    app.clock.set(utc(11, 30, 9, 0));
    // Every policy got request targets from the migration, P1 4 h / 16 h down to P3 16 h / 80 h.
    assert_eq!(
        request_minutes(&app).await,
        vec![(240, 960), (480, 2400), (960, 4800)]
    );
    set_request_targets(&app).await;
    assert_eq!(request_minutes(&app).await[2], (300, 1140));

    let tech = app.sign_in_as(Role::Technician).await;
    let (_, contact) = client_with_contact(&app).await;
    let incident = record_ticket(&app, contact, "Printer offline at reception", "low", "low").await;
    let request = record_request(&app, contact, "New starter: mailbox and laptop").await;

    // Its due times come from the request table: P3 5 h → Monday 14:00, and 19 business hours →
    // 9 on Monday and 10 on Tuesday, 17:00; the incident beside it keeps 30 min / 8 h.
    let row = ticket_row(&app, &request).await;
    assert_eq!(row.kind, Kind::ServiceRequest);
    assert_eq!(row.response_due_at, naive(utc(11, 30, 14, 0)));
    assert_eq!(row.resolution_due_at, naive(utc(12, 1, 17, 0)));
    let incident_row = ticket_row(&app, &incident).await;
    assert_eq!(incident_row.response_due_at, naive(utc(11, 30, 9, 30)));
    assert_eq!(incident_row.resolution_due_at, naive(utc(11, 30, 17, 0)));
    let sla = app.get(&format!("{request}/sla")).await.text();
    assert!(
        sla.contains("Measured against the service request targets of the Standard SLA policy"),
        "{sla}"
    );
    let page = app.get(&request).await.text();
    assert!(page.contains("Requested"), "{page}");
    assert!(page.contains("waiting for approval"), "{page}");

    // Its own queue; not among the untriaged incidents unless asked for.
    let requests_queue = queue_text(&app, "queue=service-requests").await;
    assert!(requests_queue.contains("New starter: mailbox and laptop"));
    assert!(!requests_queue.contains("Printer offline"));
    let untriaged = queue_text(&app, "queue=untriaged").await;
    assert!(untriaged.contains("Printer offline"), "{untriaged}");
    assert!(!untriaged.contains("New starter"), "{untriaged}");
    assert!(untriaged.contains("Incidents only"), "{untriaged}");
    assert!(
        queue_text(&app, "queue=untriaged&kind=any")
            .await
            .contains("New starter")
    );

    // Triaged and assigned to tier 1 like any ticket, it stays out of the tier-1 queue.
    let tech_id = user_id(&app, &tech).await;
    app.post_ticket_form(
        &request,
        "triage",
        &[
            ("impact", "low"),
            ("urgency", "low"),
            ("category_id", "1"),
            ("affected_service", "Mail"),
        ],
    )
    .await
    .assert_redirect_to(&request);
    app.post_ticket_form(
        &request,
        "assign",
        &[
            ("tier", "tier1"),
            ("owner_id", &tech_id),
            ("worker_id", &tech_id),
        ],
    )
    .await
    .assert_redirect_to(&request);
    let tier1 = queue_text(&app, "queue=tier-tier1").await;
    assert!(!tier1.contains("New starter"), "{tier1}");
    assert!(
        queue_text(&app, "queue=tier-tier1&kind=service_request")
            .await
            .contains("New starter")
    );
    assert!(
        queue_text(&app, "queue=service-requests")
            .await
            .contains("New starter")
    );

    // Work cannot start before a manager approves, and a technician cannot approve.
    let refused = app
        .post_ticket_form(
            &request,
            "work",
            &[
                ("entry", "note"),
                ("body", "Ordering the laptop now."),
                ("next", "start_work"),
                ("review", "changed"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .contains("waiting for a service desk manager's approval"),
        "{}",
        refused.text()
    );
    assert_eq!(
        ticket_row(&app, &request).await.status,
        tierdesk::domain::ticket::Status::Assigned
    );
    // A note is fine meanwhile, and its review reads in the request's words.
    app.post_ticket_form(
        &request,
        "work",
        &[
            ("entry", "note"),
            ("body", "Asked the practice for the starter's name."),
            ("review", "unchanged"),
        ],
    )
    .await
    .assert_redirect_to(&request);
    let page = app.get(&request).await.text();
    assert!(
        page.contains("Reviewed status (unchanged: Requested)"),
        "{page}"
    );
    let by_tech = app
        .post_ticket_form(&request, "approve", &[("approval_note", "")])
        .await;
    assert_eq!(by_tech.status, StatusCode::FORBIDDEN);
    assert!(
        ticket_row(&app, &request)
            .await
            .request_approved_at
            .is_none()
    );

    // The manager approves: who and when, on the ticket and its timeline.
    let manager = app.another_browser();
    manager
        .create_user("mia@msp.example", "Mia Manager", Role::Manager, None)
        .await;
    manager
        .login("mia@msp.example", "Mia Manager password 1")
        .await;
    app.clock.set(utc(11, 30, 10, 0));
    manager
        .post_ticket_form(
            &request,
            "approve",
            &[("approval_note", "Within the onboarding budget.")],
        )
        .await
        .assert_redirect_to(&request);
    let approved = ticket_row(&app, &request).await;
    assert_eq!(
        approved.request_approved_by,
        Some(staff_id(&app, "mia@msp.example").await.0)
    );
    assert_eq!(approved.request_approved_at, naive(utc(11, 30, 10, 0)));
    let page = app.get(&request).await.text();
    assert!(page.contains("Approved by Mia Manager"), "{page}");
    assert!(page.contains("service request approved; status Requested → Approved"));
    assert!(page.contains("Within the onboarding budget."));

    // Now the technician works it and fulfils it.
    app.post_ticket_form(
        &request,
        "work",
        &[
            ("entry", "note"),
            ("body", "Ordering the laptop now."),
            ("next", "start_work"),
            ("review", "changed"),
        ],
    )
    .await
    .assert_redirect_to(&request);
    app.post_ticket_form(
        &request,
        "solve",
        &[(
            "solution",
            "Mailbox created and the laptop set up and handed over at reception.",
        )],
    )
    .await
    .assert_redirect_to(&request);
    let page = app.get(&request).await.text();
    assert!(page.contains("Fulfilled"), "{page}");
    assert!(page.contains("status In progress → Fulfilled"), "{page}");

    let mail: Vec<(String, String, String)> = db::run(&app.state.pool, |conn| {
        use tierdesk::db::schema::outbox::dsl::*;
        Ok(outbox
            .filter(kind.eq("request_fulfilled"))
            .select((to_address, subject, text_body))
            .load(conn)?)
    })
    .await
    .unwrap();
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0].0, "alice@northwind.example");
    assert!(
        mail[0].1.contains("Fulfilled: New starter"),
        "{}",
        mail[0].1
    );
    assert!(mail[0].2.contains("has been fulfilled"), "{}", mail[0].2);

    // The dashboard counts it as a request, not an incident.
    let dashboard = manager.get("/").await.text();
    assert!(
        dashboard.contains("Incidents 1 — 0"),
        "one open incident, none solved: {dashboard}"
    );
    assert!(
        dashboard.contains("Service requests 0 0 1"),
        "no open request, one fulfilled: {dashboard}"
    );
    assert!(dashboard.contains("count incidents only"));
    drain(&app).await;
}

/// Approving is for open, unapproved service requests: an incident has nothing to approve.
async fn an_incident_cannot_be_approved_as_a_request(app: TestApp) {
    app.sign_in_as(Role::Manager).await;
    let (_, contact) = client_with_contact(&app).await;
    let incident = record_ticket(&app, contact, "Printer offline at reception", "low", "low").await;
    let page = app
        .post_ticket_form(&incident, "approve", &[("approval_note", "")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.text()
            .contains("Only service requests are approved; an incident is worked on at once."),
        "{}",
        page.text()
    );
    assert!(
        ticket_row(&app, &incident)
            .await
            .request_approved_at
            .is_none()
    );
    drain(&app).await;
}

/// `seed-demo` shows requests in each state: requested, approved, fulfilled.
/// The incident ladder is not request fulfilment's: a P1 request is not sent to Tier 2 at
/// triage, and its time passing does not move it up, while an incident beside it climbs.
async fn a_service_request_never_climbs_the_incident_ladder(app: TestApp) {
    app.clock.set(utc(11, 30, 9, 0));
    app.sign_in_as(Role::Technician).await;
    let (_, contact) = client_with_contact(&app).await;
    let request = record_request(&app, contact, "Access for the new auditor today").await;
    let incident = record_ticket(&app, contact, "Whole office offline", "high", "high").await;
    for ticket in [&request, &incident] {
        app.post_ticket_form(
            ticket,
            "triage",
            &[
                ("impact", "high"),
                ("urgency", "high"),
                ("category_id", "1"),
            ],
        )
        .await
        .assert_redirect_to(ticket);
    }
    let level = |path: String| {
        let app = &app;
        async move {
            let row = ticket_row(app, &path).await;
            db::run(&app.state.pool, move |conn| {
                Ok(db::escalation::standing(conn, &row)?.level.name)
            })
            .await
            .unwrap()
        }
    };
    assert_eq!(level(request.clone()).await, "Tier 1");
    assert_eq!(level(incident.clone()).await, "Tier 2");

    // A week later every budget of the ladder is long spent.
    app.clock.set(utc(12, 7, 9, 0));
    tierdesk::jobs::run_once(&app.jobs).await.unwrap();
    assert_eq!(level(request.clone()).await, "Tier 1");
    assert_ne!(level(incident).await, "Tier 2");
    assert!(
        !app.get(&request)
            .await
            .text()
            .contains("Escalated automatically")
    );
}

async fn the_demo_desk_shows_requests_requested_approved_and_fulfilled(app: TestApp) {
    seed_demo_desk(&app).await;
    app.sign_in_as(Role::Manager).await;
    let queue = queue_text(&app, "queue=service-requests").await;
    assert!(
        queue.contains("Account for the new night-shift lead"),
        "{queue}"
    );
    assert!(queue.contains("Requested"), "{queue}");
    assert!(queue.contains("Approved"), "{queue}");
    let statuses: Vec<(String, bool)> = db::run(&app.state.pool, |conn| {
        use tierdesk::db::schema::tickets::dsl::*;
        Ok(tickets
            .filter(kind.eq("service_request"))
            .select((status, request_approved_at.is_not_null()))
            .load(conn)?)
    })
    .await
    .unwrap();
    assert!(
        statuses.contains(&("assigned".into(), false)),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&("assigned".into(), true)),
        "{statuses:?}"
    );
    assert!(statuses.contains(&("solved".into(), true)), "{statuses:?}");
    let fulfilled = queue_text(&app, "queue=awaiting-closure&kind=service_request").await;
    assert!(
        fulfilled.contains("Shared calendar for the front desk"),
        "{fulfilled}"
    );
    assert!(fulfilled.contains("Fulfilled"), "{fulfilled}");
    drain(&app).await;
}

both_backends!(
    outbox_settled;
    a_service_request_is_fulfilled_not_solved_from_intake_to_the_dashboard,
    an_incident_cannot_be_approved_as_a_request,
    a_service_request_never_climbs_the_incident_ladder,
    the_demo_desk_shows_requests_requested_approved_and_fulfilled,
);
