//! Uptime guarantees over HTTP: hosted services and their terms, outages (one opened from a P1
//! incident and ended at its solve time), the monthly figure against hand-computed values, and
//! who may change what.

use chrono::{TimeZone, Utc};
use reqwest::StatusCode;
use tierdesk::db;
use tierdesk::domain::account::Role;
use tierdesk::domain::ids::ClientId;

use crate::fixtures::{
    client_with_contact, edit_of, record_ticket, staff_id, ticket_id, ticket_row,
};
use crate::helpers::{Page, TestApp};

fn service_fields<'a>(name: &'a str, rule: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("covers", "Mail relay and webmail"),
        ("guarantee", "99.9"),
        ("contract_start", "2026-01-01"),
        ("rule", rule),
        ("after_days", "0"),
    ]
}

/// Adds a service as the signed-in manager; returns its page path.
async fn add_service(app: &TestApp, client: i64, name: &str, rule: &str) -> String {
    let page = app
        .post_form(
            &format!("/clients/{client}/services"),
            &service_fields(name, rule),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    page.location.unwrap()
}

fn figure(page: &Page, id: &str) -> String {
    let doc = scraper::Html::parse_document(&page.body);
    let selector = scraper::Selector::parse(&format!("#{id}")).unwrap();
    doc.select(&selector)
        .next()
        .unwrap()
        .text()
        .collect::<String>()
        .trim()
        .to_string()
}

async fn the_monthly_figure_matches_hand_computed_values(app: TestApp) {
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap());
    let (client, _) = client_with_contact(&app).await;
    app.sign_in_as(Role::Manager).await;
    let service = add_service(&app, client, "Hosted mail", "after_days").await;
    let outages = format!("{service}/outages");
    for (start, end, planned) in [
        ("2026-10-31T23:50", "2026-11-01T00:30", ""),
        ("2026-11-01T00:20", "2026-11-01T00:40", ""),
        ("2026-11-05T02:00", "2026-11-05T03:00", "on"),
    ] {
        let page = app
            .post_form(
                &outages,
                &[
                    ("started_at", start),
                    ("ended_at", end),
                    ("planned", planned),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    }

    // November (30 days, UTC): 43.2 min allowed; 00:00–00:40 used once though two outages
    // overlap; the planned hour does not count. Uptime over the 19.5 days passed:
    // (28080 − 40) / 28080 = 99.8575… %, rounded down.
    let nov = app.get(&format!("{service}/months/2026-11")).await;
    assert_eq!(nov.status, StatusCode::OK);
    assert_eq!(figure(&nov, "allowed"), "43.2");
    assert_eq!(figure(&nov, "used"), "40");
    assert_eq!(figure(&nov, "left"), "3.2");
    assert_eq!(figure(&nov, "uptime"), "99.857 %");
    assert!(nov.text().contains("Standing: At risk"), "{}", nov.text());
    assert!(
        nov.text()
            .contains("Planned maintenance not counted 60 min")
    );
    assert!(nov.body.contains("<svg"));

    // October (31 days): 44.64 min allowed, its last 10 minutes used, over when it ended.
    let oct = app.get(&format!("{service}/months/2026-10")).await;
    assert_eq!(figure(&oct, "allowed"), "44.64");
    assert_eq!(figure(&oct, "used"), "10");
    assert_eq!(figure(&oct, "left"), "34.64");
    assert_eq!(figure(&oct, "uptime"), "99.977 %");
    assert!(oct.text().contains("Standing: Met"));

    // The client's list shows this month's standing.
    let list = app.get(&format!("/clients/{client}/services")).await;
    assert!(list.text().contains("Hosted mail"));
    assert!(list.text().contains("40 of 43.2"), "{}", list.text());
}

async fn a_bad_outage_comes_back_with_the_text_kept_and_the_reason_beside_the_field(app: TestApp) {
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap());
    let (client, _) = client_with_contact(&app).await;
    app.sign_in_as(Role::Manager).await;
    let service = add_service(&app, client, "Hosted mail", "after_days").await;
    let page = app
        .post_form(
            &format!("{service}/outages"),
            &[
                ("started_at", "2026-11-10T10:00"),
                ("ended_at", "2026-11-10T09:00"),
                ("note", "Relay down"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.field_error("ended_at").as_deref(),
        Some("The end must come after the start.")
    );
    assert_eq!(page.field_value("note").as_deref(), Some("Relay down"));
    let bad = app
        .post_form(
            &format!("/clients/{client}/services"),
            &[("name", "X"), ("guarantee", "100")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("guarantee").is_some());
    let count = db::run(&app.state.pool, move |conn| {
        Ok(db::uptime::services_of(conn, ClientId(client))?.len())
    })
    .await
    .unwrap();
    assert_eq!(count, 1);
}

async fn a_guarantee_awaiting_sign_off_applies_once_a_manager_signs_off(app: TestApp) {
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap());
    let (client, _) = client_with_contact(&app).await;
    app.sign_in_as(Role::Manager).await;
    let service = add_service(&app, client, "Backup", "after_sign_off").await;
    let waiting = app.get(&format!("{service}/months/2026-11")).await;
    assert!(waiting.text().contains("Standing: Not in effect"));

    let tech = app.another_browser();
    tech.sign_in_as(Role::Technician).await;
    let refused = tech
        .post_form(
            &format!("{service}/sign-off"),
            &[("signed_off_on", "2026-11-16")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let refused = tech
        .post_form(
            &format!("/clients/{client}/services"),
            &service_fields("Other", "after_days"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    app.post_form(
        &format!("{service}/sign-off"),
        &[("signed_off_on", "2026-11-16")],
    )
    .await
    .assert_redirect_to(&service);
    // From 16 November: 15 days of 30 allow 21.6 minutes.
    let signed = app.get(&format!("{service}/months/2026-11")).await;
    assert_eq!(figure(&signed, "allowed"), "21.6");
    assert!(signed.text().contains("Standing: Met"));
    assert!(
        app.get(&service)
            .await
            .text()
            .contains("16 Nov 2026 by Mia Manager")
    );
}

async fn an_outage_opened_from_a_p1_incident_ends_at_the_solve_time(app: TestApp) {
    let opened_at = Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap();
    app.clock.set(opened_at);
    let (client, contact) = client_with_contact(&app).await;
    app.sign_in_as(Role::Manager).await;
    let service = add_service(&app, client, "Hosted mail", "after_days").await;
    let service_id = service.rsplit('/').next().unwrap().to_string();
    let ticket = record_ticket(&app, contact, "Mail is down for everyone", "high", "high").await;
    let page = app.get(&ticket).await;
    assert!(
        page.text().contains("Open an outage from this incident"),
        "{}",
        page.text()
    );

    let opened = app
        .post_form(
            &format!("{ticket}/outage"),
            &[
                ("service_id", &service_id),
                ("started_at", "2026-11-20T11:40"),
                ("note", ""),
            ],
        )
        .await;
    opened.assert_redirect_to(&ticket);
    let page = app.get(&ticket).await;
    assert!(
        page.text().contains("Outage #1 of Hosted mail"),
        "{}",
        page.text()
    );
    assert!(page.text().contains("to ongoing"));

    // The incident is solved 30 minutes later: the page offers to end the outage then.
    app.clock.set(opened_at + chrono::Duration::minutes(30));
    let manager = staff_id(&app, "manager@msp.example").await;
    let id = ticket_id(&ticket);
    let row = ticket_row(&app, &ticket).await;
    let (now, mail) = (app.clock.now(), app.state.mail());
    db::run(&app.state.pool, move |conn| {
        solve_p1(conn, manager, row, &mail, now)
    })
    .await
    .unwrap();
    let page = app.get(&ticket).await;
    assert!(
        page.text()
            .contains("End outage #1 at the solve time (Fri 20 Nov 2026 12:30)"),
        "{}",
        page.text()
    );
    app.post_form(&format!("{ticket}/outages/1/end"), &[])
        .await
        .assert_redirect_to(&ticket);

    let (outage, linked) = db::run(&app.state.pool, move |conn| {
        let linked = db::uptime::outages::linked_to_ticket(conn, id)?;
        Ok((linked[0].outage.clone(), linked.len()))
    })
    .await
    .unwrap();
    assert_eq!(linked, 1);
    assert_eq!(
        outage.ended_at,
        Some(
            Utc.with_ymd_and_hms(2026, 11, 20, 12, 30, 0)
                .unwrap()
                .naive_utc()
        )
    );
    assert!(!outage.planned);
    let month = app.get(&format!("{service}/months/2026-11")).await;
    assert_eq!(figure(&month, "used"), "50");
    assert!(month.text().contains("Standing: Breached"));

    // A P3 incident offers no such form, and posting it anyway is refused.
    let minor = record_ticket(&app, contact, "One mailbox is slow", "low", "low").await;
    assert!(
        !app.get(&minor)
            .await
            .text()
            .contains("Open an outage from this incident")
    );
    let refused = app
        .post_form(
            &format!("{minor}/outage"),
            &[("service_id", &service_id), ("started_at", "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

/// Triage, assignment, work and solve through the commands, keeping the ticket's P1.
fn solve_p1(
    conn: &mut db::DbConn,
    actor: tierdesk::domain::ids::UserId,
    row: db::tickets::TicketRow,
    mail: &tierdesk::mail::messages::MailContext,
    now: chrono::DateTime<Utc>,
) -> tierdesk::error::AppResult<()> {
    use tierdesk::db::tickets::*;
    use tierdesk::domain::account::Tier;
    use tierdesk::domain::ids::CategoryId;
    use tierdesk::domain::priority::{Impact, Urgency};
    use tierdesk::domain::ticket::Action;
    use tierdesk::domain::work::{Review, WorkEntry};
    let triaged = TriageInput {
        impact: Impact::High,
        urgency: Urgency::High,
        category: Some(CategoryId(1)),
        subcategory: None,
        affected_service: "Mail".into(),
    };
    let t = triage(conn, edit_of(actor, &row, now), &triaged, mail)?.unwrap();
    let assigned = AssignInput {
        tier: Tier::Tier1,
        owner: Some(actor),
        worker: Some(actor),
    };
    let t = assign(conn, edit_of(actor, &t, now), &assigned)?.unwrap();
    let worked = WorkInput {
        entry: WorkEntry::Call,
        body: "Restarted the relay.".into(),
        action: Some(Action::StartWork),
        category: None,
        review: Review::Changed,
    };
    let t = work(conn, edit_of(actor, &t, now), &worked, mail)?.unwrap();
    let solved = SolveInput {
        solution: "The relay's certificate was renewed.".into(),
        publish_to_kb: false,
        kb_title: String::new(),
        fix: "permanent".into(),
        known_error: String::new(),
    };
    solve(conn, edit_of(actor, &t, now), &solved, mail)?.unwrap();
    Ok(())
}

both_backends!(
    the_monthly_figure_matches_hand_computed_values,
    a_bad_outage_comes_back_with_the_text_kept_and_the_reason_beside_the_field,
    a_guarantee_awaiting_sign_off_applies_once_a_manager_signs_off,
    an_outage_opened_from_a_p1_incident_ends_at_the_solve_time,
);
