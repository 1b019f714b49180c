//! Status and category reviewed on every save, through HTTP: the work form refuses a save that
//! gives no review, records each review (who, when, both values before and after) and shows it
//! on the timeline.

use chrono::{NaiveDateTime, TimeZone, Utc};
use diesel::prelude::*;
use reqwest::StatusCode;
use tierdesk::db;
use tierdesk::domain::account::Role;

use crate::fixtures::{category_id, client_with_contact, record_ticket, ticket_id, user_id};
use crate::helpers::TestApp;

type ReviewRecord = (i64, NaiveDateTime, String, String, Option<i64>, Option<i64>);

async fn reviews(app: &TestApp, ticket: &str) -> Vec<ReviewRecord> {
    let ticket = ticket_id(ticket);
    db::run(&app.state.pool, move |conn| {
        use tierdesk::db::schema::work_reviews::dsl::*;
        Ok(work_reviews
            .filter(ticket_id.eq(ticket.0))
            .order(id.asc())
            .select((
                reviewed_by,
                reviewed_at,
                status_before,
                status_after,
                category_before,
                category_after,
            ))
            .load(conn)?)
    })
    .await
    .unwrap()
}

async fn every_save_of_the_work_form_records_the_status_and_category_review(app: TestApp) {
    let monday = Utc
        .with_ymd_and_hms(2026, 11, 30, 10, 0, 0)
        .single()
        .unwrap();
    app.clock.set(monday);
    let (_, contact) = client_with_contact(&app).await;
    app.sign_in_as(Role::Technician).await;
    let ticket = record_ticket(&app, contact, "Printer prints garbage", "low", "medium").await;
    let (printing, network) = (
        category_id(&app, "Printing").await.parse::<i64>().unwrap(),
        category_id(&app, "Network").await.parse::<i64>().unwrap(),
    );
    app.post_ticket_form(
        &ticket,
        "triage",
        &[
            ("impact", "low"),
            ("urgency", "medium"),
            ("category_id", &printing.to_string()),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    let tess = user_id(&app, "tech@msp.example").await;
    app.post_ticket_form(
        &ticket,
        "assign",
        &[("tier", "tier1"), ("owner_id", &tess), ("worker_id", &tess)],
    )
    .await
    .assert_redirect_to(&ticket);

    // The form offers the review with no answer chosen.
    let page = app.get(&ticket).await;
    assert!(
        page.text()
            .contains("Unchanged: stays Assigned, category Printing")
    );
    assert!(!page.body.contains("value=\"unchanged\" required checked"));

    // No review: refused, text kept, nothing recorded.
    let missing = app
        .post_ticket_form(
            &ticket,
            "work",
            &[("entry", "note"), ("body", "Checked the print queue.")],
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        missing
            .field_error("review")
            .unwrap()
            .contains("Review the status and the category"),
        "{}",
        missing.text()
    );
    assert_eq!(
        missing.field_value("body").as_deref(),
        Some("Checked the print queue.")
    );
    // "Unchanged" while setting a new status is a slip, not a review.
    let slip = app
        .post_ticket_form(
            &ticket,
            "work",
            &[
                ("entry", "note"),
                ("body", "Checked the print queue."),
                ("next", "start_work"),
                ("review", "unchanged"),
            ],
        )
        .await;
    assert_eq!(slip.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(slip.field_error("review").is_some());
    assert!(reviews(&app, &ticket).await.is_empty());

    // Changed: work starts, and the category turns out to be the network.
    app.clock.set(monday + chrono::Duration::minutes(5));
    app.post_ticket_form(
        &ticket,
        "work",
        &[
            ("entry", "note"),
            (
                "body",
                "The print server is unreachable: a network problem.",
            ),
            ("next", "start_work"),
            ("category_id", &network.to_string()),
            ("review", "changed"),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    // Unchanged is an answer too.
    app.clock.set(monday + chrono::Duration::minutes(9));
    app.post_ticket_form(
        &ticket,
        "work",
        &[
            ("entry", "note"),
            ("body", "Switch port 12 was down; re-enabled."),
            ("review", "unchanged"),
        ],
    )
    .await
    .assert_redirect_to(&ticket);

    let tess: i64 = tess.parse().unwrap();
    let at = |minutes| (monday + chrono::Duration::minutes(minutes)).naive_utc();
    assert_eq!(
        reviews(&app, &ticket).await,
        vec![
            (
                tess,
                at(5),
                "assigned".to_string(),
                "in_progress".to_string(),
                Some(printing),
                Some(network),
            ),
            (
                tess,
                at(9),
                "in_progress".to_string(),
                "in_progress".to_string(),
                Some(network),
                Some(network),
            ),
        ]
    );
    let text = app.get(&ticket).await.text();
    assert!(
        text.contains(
            "Reviewed status (changed: Assigned → In progress) and category (changed: Printing → Network)"
        ),
        "{text}"
    );
    assert!(
        text.contains("Reviewed status (unchanged: In progress) and category (unchanged: Network)"),
        "{text}"
    );
}

both_backends!(every_save_of_the_work_form_records_the_status_and_category_review);
