//! Client satisfaction as an escalation trigger, end to end: the client rates a closed ticket
//! 1 through the e-mailed survey link, the client's other open tickets carry a suggested
//! escalation, and a manager applies one (or dismisses it with a note).

use chrono::{Duration, TimeZone, Utc};
use diesel::prelude::*;
use reqwest::StatusCode;
use tierdesk::db;
use tierdesk::domain::account::Role;
use tierdesk::domain::ids::{ClientId, ContactId};

use crate::fixtures::{
    client_with_contact, drain, record_ticket, staff_id, ticket_id, ticket_row, walk_to_solved,
};
use crate::helpers::TestApp;
use crate::smtp::{BASE_URL, SmtpSink};

/// (ticket, status, reason) of every suggestion.
async fn suggestions(app: &TestApp) -> Vec<(i64, String, String)> {
    db::run(&app.state.pool, |conn| {
        use tierdesk::db::schema::escalation_suggestions::dsl::*;
        Ok(escalation_suggestions
            .order(id.asc())
            .select((ticket_id, status, reason))
            .load(conn)?)
    })
    .await
    .unwrap()
}

async fn a_low_survey_rating_suggests_escalating_the_clients_other_open_tickets(
    app: TestApp,
    sink: SmtpSink,
) {
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).single().unwrap());
    let (client, contact) = client_with_contact(&app).await;
    app.create_user("mia@msp.example", "Mia Manager", Role::Manager, None)
        .await;
    app.sign_in_as(Role::Technician).await;
    let tech = staff_id(&app, "tech@msp.example").await;
    let (mail, now) = (app.state.mail(), app.clock.now());
    let surveyed = db::run(&app.state.pool, move |conn| {
        walk_to_solved(
            conn,
            tech,
            ClientId(client),
            ContactId(contact),
            "Printer offline",
            &mail,
            now,
        )
    })
    .await
    .unwrap();
    // The solved day passes: the ticket closes and its survey goes out.
    app.clock.advance(Duration::hours(25));
    drain(&app).await;
    drain(&app).await;
    let survey = sink
        .received()
        .into_iter()
        .find(|m| m.header("Subject").unwrap().contains("How did we do?"))
        .expect("the survey mail");
    let text = survey.text_body();
    let start = text.find(&format!("{BASE_URL}/survey/")).unwrap() + BASE_URL.len();
    let link = text[start..].split_whitespace().next().unwrap().to_string();
    let survey_path = link.split('?').next().unwrap().to_string();

    // The client has two other tickets open; the desk works them.
    app.login("tech@msp.example", "Tess Tech password 1").await;
    let open = record_ticket(&app, contact, "Scanner drops jobs", "medium", "medium").await;
    let other = record_ticket(&app, contact, "New starter laptop", "low", "low").await;
    for ticket in [&open, &other] {
        app.post_ticket_form(
            ticket,
            "triage",
            &[
                ("impact", "medium"),
                ("urgency", "medium"),
                ("category_id", "1"),
            ],
        )
        .await
        .assert_redirect_to(ticket);
    }

    // The client follows the link and rates 1, then comments on the next page.
    let client_browser = app.another_browser();
    assert_eq!(client_browser.get(&link).await.status, StatusCode::OK);
    client_browser
        .post_form(&survey_path, &[("rating", "1")])
        .await
        .assert_redirect_to(&format!("{survey_path}/comment"));
    client_browser
        .post_form(
            &format!("{survey_path}/comment"),
            &[("comment", "Nobody called me back\nfor two days.")],
        )
        .await;
    let raised = suggestions(&app).await;
    let (open_id, other_id) = (ticket_id(&open).0, ticket_id(&other).0);
    assert_eq!(
        raised,
        vec![
            (other_id, "open".into(), "client_satisfaction".into()),
            (open_id, "open".into(), "client_satisfaction".into()),
        ],
        "one per open ticket, none for the surveyed one, none twice for the comment"
    );

    let sentence = format!(
        "The client rated ticket #{} 1 of 5 (Very dissatisfied): “Nobody called me back for two \
         days.”",
        surveyed.id
    );
    // The technician sees it; only a manager may act on it.
    let seen = app.get(&open).await;
    assert!(seen.text().contains(&sentence), "{}", seen.text());
    assert!(!seen.text().contains("Escalate for client satisfaction"));
    let suggestion = db::run(&app.state.pool, move |conn| {
        use tierdesk::db::schema::escalation_suggestions::dsl::*;
        Ok(escalation_suggestions
            .filter(ticket_id.eq(open_id))
            .select(id)
            .first::<i64>(conn)?)
    })
    .await
    .unwrap()
    .to_string();
    let forbidden = app
        .post_ticket_form(
            &open,
            "suggestions/apply",
            &[("suggestion_id", &suggestion)],
        )
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);

    let mia = app.another_browser();
    mia.login("mia@msp.example", "Mia Manager password 1").await;
    let list = mia.get("/approvals/suggestions").await.text();
    assert!(list.contains("Scanner drops jobs"), "{list}");
    assert!(list.contains("New starter laptop"), "{list}");
    assert!(list.contains(&sentence), "{list}");
    let page = mia.get(&open).await;
    assert!(
        page.text().contains("Suggested escalations"),
        "{}",
        page.text()
    );
    assert!(page.text().contains("Escalate for client satisfaction"));

    mia.post_ticket_form(
        &open,
        "suggestions/apply",
        &[("suggestion_id", &suggestion)],
    )
    .await
    .assert_redirect_to(&open);
    let row = ticket_row(&app, &open).await;
    let mia_id = staff_id(&app, "mia@msp.example").await;
    assert_eq!(row.owner_id, Some(mia_id.0));
    let (level, reason, trigger) = db::run(&app.state.pool, move |conn| {
        use tierdesk::db::schema::escalations::dsl::*;
        let standing = db::escalation::standing(conn, &row)?;
        let (r, t): (String, String) = escalations
            .filter(ticket_id.eq(open_id))
            .select((reason, trigger_kind))
            .first(conn)?;
        Ok((standing.level.name, r, t))
    })
    .await
    .unwrap();
    assert_eq!(
        (level.as_str(), reason.as_str(), trigger.as_str()),
        ("Service desk manager", "client_satisfaction", "manual")
    );
    let page = mia.get(&open).await.text();
    assert!(page.contains("Tier 1 → Service desk manager"), "{page}");
    assert!(page.contains("Client satisfaction"), "{page}");
    assert!(page.contains("Applied by Mia Manager"), "{page}");
    let again = mia
        .post_ticket_form(
            &open,
            "suggestions/apply",
            &[("suggestion_id", &suggestion)],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().contains("already decided"), "{}", again.text());

    // The other one does not need to go up: dismissed with a note, which the timeline keeps.
    let other_suggestion = mia.get(&other).await.field_value("suggestion_id").unwrap();
    let unexplained = mia
        .post_ticket_form(
            &other,
            "suggestions/dismiss",
            &[("suggestion_id", &other_suggestion), ("note", " ")],
        )
        .await;
    assert_eq!(unexplained.status, StatusCode::UNPROCESSABLE_ENTITY);
    mia.post_ticket_form(
        &other,
        "suggestions/dismiss",
        &[
            ("suggestion_id", &other_suggestion),
            (
                "note",
                "Laptop is on its way; I called Alice about the printer.",
            ),
        ],
    )
    .await
    .assert_redirect_to(&other);
    let page = mia.get(&other).await.text();
    assert!(page.contains("Dismissed by Mia Manager"), "{page}");
    assert!(page.contains("I called Alice about the printer."), "{page}");
    assert!(
        mia.get("/approvals/suggestions")
            .await
            .text()
            .contains("No suggestion is waiting for a manager."),
    );
    drain(&app).await;
}

both_backends_with_smtp!(a_low_survey_rating_suggests_escalating_the_clients_other_open_tickets);
