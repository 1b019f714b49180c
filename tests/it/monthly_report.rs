//! The monthly client service report over HTTP: November 2026 of a client whose numbers are
//! known (SLA per priority, tickets, a service's uptime with its outages and the P1 incident
//! behind one, satisfaction, open risks), and who may read it.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use diesel::prelude::*;
use reqwest::StatusCode;
use tierdesk::db::{self, schema};
use tierdesk::domain::account::{Role, Tier};
use tierdesk::domain::ids::{CategoryId, ClientId, ContactId, HostedServiceId, TicketId, UserId};
use tierdesk::domain::priority::{Impact, Urgency};
use tierdesk::domain::uptime::{EffectiveRule, Guarantee};
use tierdesk::domain::uptime_input::{OutageInput, ServiceInput};
use tierdesk::error::AppResult;
use tierdesk::mail::messages::MailContext;

use crate::fixtures::{
    client_with_contact, edit_of, phone_incident, seed_demo_desk, staff_id, walk_to_solved,
};
use crate::helpers::TestApp;

fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, minute, 0)
        .unwrap()
}

/// An incident recorded, triaged and assigned at `start`; with `solved` it is answered by a
/// call at `start` and solved then.
#[allow(clippy::too_many_arguments)]
fn incident(
    conn: &mut db::DbConn,
    tech: UserId,
    (client, contact): (ClientId, ContactId),
    subject: &str,
    severity: (Impact, Urgency),
    start: DateTime<Utc>,
    solved: Option<DateTime<Utc>>,
    mail: &MailContext,
) -> AppResult<TicketId> {
    use tierdesk::db::tickets::*;
    use tierdesk::domain::ticket::Action;
    use tierdesk::domain::work::{Review, WorkEntry};
    let mut intake = phone_incident(client, contact, subject);
    (intake.impact, intake.urgency) = severity;
    let t = create(conn, tech, &intake, mail, start)?.unwrap();
    let triaged = TriageInput {
        impact: severity.0,
        urgency: severity.1,
        category: Some(CategoryId(1)),
        subcategory: None,
        affected_service: String::new(),
    };
    let t = triage(conn, edit_of(tech, &t, start), &triaged, mail)?.unwrap();
    let Some(solved) = solved else {
        return Ok(t.id);
    };
    let assigned = AssignInput {
        tier: Tier::Tier1,
        owner: Some(tech),
        worker: Some(tech),
    };
    let t = assign(conn, edit_of(tech, &t, start), &assigned)?.unwrap();
    let worked = WorkInput {
        entry: WorkEntry::Call,
        body: "Called back.".into(),
        action: Some(Action::StartWork),
        category: None,
        review: Review::Changed,
    };
    let t = work(conn, edit_of(tech, &t, start), &worked, mail)?.unwrap();
    let solution = SolveInput {
        solution: "Fixed.".into(),
        publish_to_kb: false,
        kb_title: String::new(),
        fix: "permanent".into(),
        known_error: String::new(),
    };
    Ok(solve(conn, edit_of(tech, &t, solved), &solution, mail)?
        .unwrap()
        .id)
}

fn rate(
    conn: &mut db::DbConn,
    ticket: TicketId,
    rating: u8,
    on: DateTime<Utc>,
    mail: &MailContext,
) {
    db::surveys::start(conn, ticket, on).unwrap();
    db::surveys::answer(conn, ticket, &db::surveys::Answer::Rating(rating), mail, on).unwrap();
}

fn risk(
    conn: &mut db::DbConn,
    client: i64,
    by: UserId,
    (title, status, level): (&str, &str, Option<&str>),
    treatment: Option<(&str, &str)>,
) {
    use schema::{risk_treatments, risks};
    let now = at(20, 9, 0).naive_utc();
    let id: i64 = diesel::insert_into(risks::table)
        .values((
            risks::client_id.eq(client),
            risks::title.eq(title),
            risks::vulnerability.eq("Found in the walk-through."),
            risks::cause.eq(""),
            risks::source.eq(""),
            risks::status.eq(status),
            risks::inherent_level.eq(level),
            risks::decision_reason.eq(""),
            risks::version.eq(1),
            risks::created_by.eq(by.0),
            risks::created_at.eq(now),
            risks::updated_at.eq(now),
        ))
        .returning(risks::id)
        .get_result(conn)
        .unwrap();
    if let Some((summary, acceptance)) = treatment {
        let treatment: i64 = diesel::insert_into(risk_treatments::table)
            .values((
                risk_treatments::risk_id.eq(id),
                risk_treatments::options.eq("reduce"),
                risk_treatments::summary.eq(summary),
                risk_treatments::decided_by.eq(by.0),
                risk_treatments::decided_at.eq(now),
                risk_treatments::acceptance.eq(acceptance),
                risk_treatments::answer_comment.eq(""),
            ))
            .returning(risk_treatments::id)
            .get_result(conn)
            .unwrap();
        diesel::update(risks::table.find(id))
            .set(risks::current_treatment_id.eq(Some(treatment)))
            .execute(conn)
            .unwrap();
    }
}

/// November 2026 of one client, as the report should tell it:
/// - P3: A and B solved in time, C solved 20 days late, D recorded on 4 Nov and never answered
///   nor solved (breached twice); E solved in October (not counted).
/// - P1: the 5 Nov incident behind the hosted archive's 30-minute outage, solved in time; a
///   6-minute outage inside that one (not counted twice) and a planned hour (not counted).
/// - Ratings 5, 4 and 4 in November, a 1 in October (not counted).
/// - Open risks: one critical with a treatment awaiting the client, one high without one, one
///   low; a high one still a draft (not counted).
async fn november(app: &TestApp) -> (i64, HostedServiceId) {
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 12, 2, 12, 0, 0).unwrap());
    let (client, contact) = client_with_contact(app).await;
    let manager = staff_id(app, "setup@msp.example").await;
    let mail = app.state.mail();
    let now = app.clock.now();
    db::run(&app.state.pool, move |conn| {
        let ids = (ClientId(client), ContactId(contact));
        let low = (Impact::Low, Urgency::Low);
        let a = walk_to_solved(
            conn,
            manager,
            ids.0,
            ids.1,
            "Mouse broken",
            &mail,
            at(10, 14, 0),
        )?;
        let b = walk_to_solved(
            conn,
            manager,
            ids.0,
            ids.1,
            "Screen flickers",
            &mail,
            at(11, 14, 0),
        )?;
        let c = incident(
            conn,
            manager,
            ids,
            "Printer jams",
            low,
            at(3, 14, 0),
            Some(at(23, 14, 0)),
            &mail,
        )?;
        incident(
            conn,
            manager,
            ids,
            "Scanner slow",
            low,
            at(4, 14, 0),
            None,
            &mail,
        )?;
        let e = walk_to_solved(
            conn,
            manager,
            ids.0,
            ids.1,
            "Old one",
            &mail,
            Utc.with_ymd_and_hms(2026, 10, 15, 14, 0, 0).unwrap(),
        )?;
        rate(conn, a.id, 5, at(12, 9, 0), &mail);
        rate(conn, b.id, 4, at(13, 9, 0), &mail);
        rate(conn, c, 4, at(24, 9, 0), &mail);
        rate(
            conn,
            e.id,
            5,
            Utc.with_ymd_and_hms(2026, 10, 16, 9, 0, 0).unwrap(),
            &mail,
        );

        let service = db::uptime::create(
            conn,
            manager,
            ids.0,
            ServiceInput {
                name: "Hosted imaging archive".into(),
                covers: "The X-ray archive.".into(),
                guarantee: Guarantee::parse("99.9").unwrap(),
                contract_start: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                rule: EffectiveRule::AfterDays(0),
                planned_counts: false,
            },
            now,
        )?
        .unwrap();
        let p1 = incident(
            conn,
            manager,
            ids,
            "Imaging archive down",
            (Impact::High, Urgency::High),
            at(5, 10, 0),
            Some(at(5, 10, 40)),
            &mail,
        )?;
        let outages = [
            (at(5, 10, 0), 30, false, Some(p1)),
            (at(5, 10, 10), 6, false, None),
            (at(12, 22, 0), 60, true, None),
        ];
        for (start, minutes, planned, incident) in outages {
            let input = OutageInput {
                start,
                end: Some(start + Duration::minutes(minutes)),
                planned,
                note: format!("{minutes} minutes"),
            };
            db::uptime::outages::open(conn, manager, service.id, input, incident, now)?.unwrap();
        }

        risk(
            conn,
            client,
            manager,
            ("Backups never restored", "open", Some("critical")),
            Some(("Monthly restore test", "pending")),
        );
        risk(
            conn,
            client,
            manager,
            ("Firewall out of support", "open", Some("high")),
            None,
        );
        risk(
            conn,
            client,
            manager,
            ("Printer toner theft", "open", Some("low")),
            None,
        );
        risk(
            conn,
            client,
            manager,
            ("Unlocked server room", "draft", Some("high")),
            None,
        );
        Ok((client, service.id))
    })
    .await
    .unwrap()
}

async fn the_monthly_report_tells_a_known_november(app: TestApp) {
    let (client, _) = november(&app).await;
    app.sign_in_as(Role::Manager).await;
    let page = app
        .get(&format!("/clients/{client}/service-report?month=2026-11"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(
        text.contains("Service report: Northwind Dental, November 2026"),
        "{text}"
    );
    // Priority, solved, response met / late / breached, resolution met / late / breached, rate.
    assert!(text.contains("P1 1 1 0 0 1 0 0 100.0 %"), "{text}");
    assert!(text.contains("P2 0 0 0 0 0 0 0 —"), "{text}");
    assert!(text.contains("P3 3 3 0 1 2 1 1 50.0 %"), "{text}");
    // Opened, solved, opened and still open.
    assert!(text.contains("P1 1 1 0"), "{text}");
    assert!(text.contains("P3 4 3 1"), "{text}");
    // 99.9 % of 30 days: 43.2 minutes; 30 used (the overlap and the planned hour not counted).
    assert!(
        text.contains("Hosted imaging archive 99.9 % 43.2 30 13.2 99.930 % Met"),
        "{text}"
    );
    assert!(text.contains("Caused by P1 incident"), "{text}");
    assert!(text.contains("Imaging archive down"), "{text}");
    assert!(
        text.contains("Planned outage from Thu 12 Nov 2026 22:00"),
        "{text}"
    );
    assert!(
        text.contains("3 surveys answered this month; average rating 4.33 of 5."),
        "{text}"
    );
    assert!(text.contains("5 of 5 1"), "{text}");
    assert!(text.contains("4 of 5 2"), "{text}");
    assert!(text.contains("3 of 5 0"), "{text}");
    assert!(
        text.contains("Critical 1 High 1 Medium 0 Low 1 Not analysed 0"),
        "{text}"
    );
    assert!(
        text.contains(
            "Backups never restored Critical Monthly restore test waiting for your answer"
        ),
        "{text}"
    );
    assert!(
        text.contains("Firewall out of support High No treatment decided yet not yet put to you"),
        "{text}"
    );
    assert!(!text.contains("Unlocked server room"), "{text}");
    assert!(!text.contains("Printer toner theft"), "{text}");

    // October holds only E and its rating.
    let october = app
        .get(&format!("/clients/{client}/service-report?month=2026-10"))
        .await
        .text();
    assert!(october.contains("P3 1 1 0 0 1 0 0 100.0 %"), "{october}");
    assert!(
        october.contains("1 survey answered this month; average rating 5.00 of 5."),
        "{october}"
    );
}

async fn only_managers_and_admins_read_and_send_the_monthly_report(app: TestApp) {
    let (client, _) = november(&app).await;
    let path = format!("/clients/{client}/service-report?month=2026-11");
    let tech = app.another_browser();
    tech.sign_in_as(Role::Technician).await;
    assert_eq!(tech.get(&path).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        tech.get("/reports/monthly").await.status,
        StatusCode::FORBIDDEN
    );
    let contact = format!("contact_{}", 1);
    let refused = tech
        .post_form(
            &format!("/clients/{client}/service-report"),
            &[("month", "2026-11"), (&contact, "on"), ("note", "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let client_page = tech.get(&format!("/clients/{client}")).await;
    assert!(!client_page.body.contains("service-report"));

    let admin = app.another_browser();
    admin.sign_in_as(Role::Admin).await;
    assert_eq!(admin.get(&path).await.status, StatusCode::OK);
    app.sign_in_as(Role::Manager).await;
    let index = app.get("/reports/monthly?month=2026-11").await;
    assert_eq!(index.status, StatusCode::OK);
    assert!(index.body.contains(&path), "{}", index.body);
    let chosen = app
        .get(&format!("/reports/monthly?client={client}&month=2026-11"))
        .await;
    chosen.assert_redirect_to(&path);
    let sent: i64 = db::run(&app.state.pool, |conn| {
        Ok(schema::service_report_sends::table
            .count()
            .get_result(conn)?)
    })
    .await
    .unwrap();
    assert_eq!(sent, 0);
}

async fn tickets(app: &TestApp) -> i64 {
    db::run(&app.state.pool, |conn| {
        Ok(schema::tickets::table.count().get_result::<i64>(conn)?)
    })
    .await
    .unwrap()
}

async fn the_demo_desk_has_history_for_every_report_and_seeding_twice_adds_none(app: TestApp) {
    seed_demo_desk(&app).await;
    let once = tickets(&app).await;
    seed_demo_desk(&app).await;
    assert_eq!(tickets(&app).await, once);
    app.login("morgan.reyes@msp.example", tierdesk::seed::DEMO_PASSWORD)
        .await;
    let index = app.get("/reports/monthly").await;
    let doc = scraper::Html::parse_document(&index.body);
    let links: Vec<String> = doc
        .select(&scraper::Selector::parse("main li a").unwrap())
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect();
    assert_eq!(links.len(), 3, "{}", index.body);
    // Each of the three months before this one has solved tickets, answered surveys and, for
    // every demo client, a hosted service.
    for link in &links {
        let mut month =
            tierdesk::domain::uptime::Month::containing(chrono_tz::UTC, app.clock.now());
        for _ in 0..3 {
            month = month.previous();
            let path = link.replace(&link[link.len() - 7..], &month.key());
            let text = app.get(&path).await.text();
            assert!(!text.contains("P3 0 0 0 0 0 0 0"), "{path}: {text}");
            assert!(!text.contains(" 0 surveys answered"), "{path}: {text}");
            assert!(!text.contains("no hosted services"), "{path}: {text}");
        }
    }
}

both_backends!(
    the_monthly_report_tells_a_known_november,
    only_managers_and_admins_read_and_send_the_monthly_report,
    the_demo_desk_has_history_for_every_report_and_seeding_twice_adds_none,
);
