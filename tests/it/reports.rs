//! Manager reports over HTTP: the SLA report against a set of solved incidents whose numbers
//! are known, its CSV download parsed back, and who may read reports.

use chrono::{Duration, TimeZone, Utc};
use reqwest::StatusCode;
use tierdesk::db;
use tierdesk::domain::account::Role;
use tierdesk::domain::ids::{ClientId, ContactId};

use crate::fixtures::{client_with_contact, edit_of, phone_incident, staff_id, walk_to_solved};
use crate::helpers::TestApp;

/// A P3 incident recorded and worked at `start`, solved `after` later.
fn solved_after(
    conn: &mut db::DbConn,
    tech: tierdesk::domain::ids::UserId,
    (client, contact): (ClientId, ContactId),
    start: chrono::DateTime<Utc>,
    after: Duration,
    mail: &tierdesk::mail::messages::MailContext,
) -> tierdesk::error::AppResult<()> {
    use tierdesk::db::tickets::*;
    use tierdesk::domain::account::Tier;
    use tierdesk::domain::ids::CategoryId;
    use tierdesk::domain::priority::{Impact, Urgency};
    use tierdesk::domain::ticket::Action;
    use tierdesk::domain::work::{Review, WorkEntry};
    let t = create(
        conn,
        tech,
        &phone_incident(client, contact, "Printer jams"),
        mail,
        start,
    )?
    .unwrap();
    let triaged = TriageInput {
        impact: Impact::Low,
        urgency: Urgency::Low,
        category: Some(CategoryId(1)),
        subcategory: None,
        affected_service: String::new(),
    };
    let t = triage(conn, edit_of(tech, &t, start), &triaged, mail)?.unwrap();
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
    let solved = SolveInput {
        solution: "Replaced the roller.".into(),
        publish_to_kb: false,
        kb_title: String::new(),
        fix: "permanent".into(),
        known_error: String::new(),
    };
    solve(conn, edit_of(tech, &t, start + after), &solved, mail)?.unwrap();
    Ok(())
}

async fn the_sla_report_counts_a_known_set_and_downloads_the_same_as_csv(app: TestApp) {
    let now = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap();
    app.clock.set(now);
    let (client, contact) = client_with_contact(&app).await;
    app.sign_in_as(Role::Manager).await;
    let manager = staff_id(&app, "manager@msp.example").await;
    let mail = app.state.mail();
    let ids = (ClientId(client), ContactId(contact));
    db::run(&app.state.pool, move |conn| {
        walk_to_solved(
            conn,
            manager,
            ids.0,
            ids.1,
            "Mouse broken",
            &mail,
            now - Duration::days(3),
        )?;
        walk_to_solved(
            conn,
            manager,
            ids.0,
            ids.1,
            "Screen flickers",
            &mail,
            now - Duration::days(2),
        )?;
        solved_after(
            conn,
            manager,
            ids,
            now - Duration::days(25),
            Duration::days(20),
            &mail,
        )?;
        // Solved before the range: not counted.
        walk_to_solved(
            conn,
            manager,
            ids.0,
            ids.1,
            "Old one",
            &mail,
            now - Duration::days(60),
        )
    })
    .await
    .unwrap();

    let query = format!("client={client}&from=2026-11-01&to=2026-11-30&priority=&technician=");
    let page = app.get(&format!("/reports/sla?{query}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text().contains("P3 3 3 0 2 1 66.6 % 0"),
        "{}",
        page.text()
    );

    let csv = app.get(&format!("/reports/sla.csv?{query}")).await;
    assert_eq!(csv.status, StatusCode::OK);
    let lines: Vec<Vec<&str>> = csv
        .body
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(
        lines[0],
        [
            "priority",
            "resolved",
            "response_met",
            "response_late",
            "resolution_met",
            "resolution_late",
            "reopened"
        ]
    );
    assert_eq!(lines[1], ["P3", "3", "3", "0", "2", "1", "0"]);
    assert_eq!(lines.len(), 2);

    // A priority filter with none solved shows none.
    let p1 = app
        .get("/reports/sla?client=&from=2026-11-01&to=2026-11-30&priority=P1&technician=")
        .await;
    assert!(
        p1.text()
            .contains("No incidents were solved in this range.")
    );

    let tech = app.another_browser();
    tech.sign_in_as(Role::Technician).await;
    assert_eq!(tech.get("/reports/sla").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        tech.get("/reports/sla.csv").await.status,
        StatusCode::FORBIDDEN
    );
}

both_backends!(the_sla_report_counts_a_known_set_and_downloads_the_same_as_csv);
