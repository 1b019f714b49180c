//! Identity checks that check: a PIN is compared with the one on file, a call-back goes to
//! the number on file, a known e-mail needs a mailed request, and the ticket says who checked,
//! when, and what they found.

use reqwest::StatusCode;
use tierdesk::domain::account::Role;

use crate::fixtures::{client_with_contact, ticket_row};
use crate::helpers::{Page, TestApp};

/// Alice (phone +1 555 0101 200, no PIN) and Bob, whose PIN is "anchor-42"; the technician is
/// signed in on `app`.
async fn contacts(app: &TestApp) -> (i64, i64) {
    let (client, alice) = client_with_contact(app).await;
    let manager = app.another_browser();
    manager
        .login("setup@msp.example", "Sam Setup password 1")
        .await;
    manager
        .post_form(
            &format!("/clients/{client}/contacts"),
            &[
                ("name", "Bob Brandt"),
                ("email", "bob@northwind.example"),
                ("phone", "+1 555 0101 201"),
                ("verification_secret", "anchor-42"),
                ("active", "on"),
            ],
        )
        .await
        .assert_redirect_to(&format!("/clients/{client}"));
    let bob = tierdesk::db::run(&app.state.pool, move |conn| {
        let contacts =
            tierdesk::db::clients::contacts_of(conn, tierdesk::domain::ids::ClientId(client))?;
        Ok(contacts
            .into_iter()
            .find(|c| c.name == "Bob Brandt")
            .unwrap()
            .id)
    })
    .await
    .unwrap();
    app.sign_in_as(Role::Technician).await;
    (alice, bob)
}

async fn intake(app: &TestApp, contact: i64, channel: &str, method: &str, evidence: &str) -> Page {
    let requester = format!("contact:{contact}");
    app.post_form(
        "/tickets",
        &[
            ("kind", "incident"),
            ("requester", &requester),
            ("details_confirmed", "on"),
            ("channel", channel),
            ("identity_check", method),
            ("identity_evidence", evidence),
            ("subject", "Cannot reach the file server"),
            (
                "description",
                "Mapped drives show a red cross since this morning.",
            ),
            ("impact", "medium"),
            ("urgency", "medium"),
        ],
    )
    .await
}

async fn tickets_recorded(app: &TestApp) -> i64 {
    tierdesk::db::run(&app.state.pool, |conn| {
        use diesel::prelude::*;
        use tierdesk::db::schema::tickets;
        Ok(tickets::table.count().get_result(conn)?)
    })
    .await
    .unwrap()
}

async fn intake_compares_the_pin_the_caller_read_back(app: TestApp) {
    let (_, bob) = contacts(&app).await;
    let wrong = intake(&app, bob, "phone", "pin", "anchor-41").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        wrong.field_error("identity_evidence").as_deref(),
        Some("That PIN does not match the one on file for Bob Brandt.")
    );
    assert_eq!(
        wrong.field_value("identity_evidence").as_deref(),
        Some(""),
        "a PIN is never echoed back"
    );
    assert_eq!(
        wrong.field_value("subject").as_deref(),
        Some("Cannot reach the file server")
    );
    assert_eq!(tickets_recorded(&app).await, 0);

    let right = intake(&app, bob, "phone", "pin", " anchor-42 ").await;
    assert_eq!(right.status, StatusCode::SEE_OTHER, "{}", right.text());
    let page = app.get(&right.location.unwrap()).await.text();
    assert!(page.contains("validated PIN"), "{page}");
    assert!(page.contains("by Tess Tech"), "{page}");
    assert!(page.contains("the PIN read back matched the one on file"));
}

async fn pin_and_call_back_need_something_on_file(app: TestApp) {
    let (alice, _) = contacts(&app).await;
    let no_pin = intake(&app, alice, "phone", "pin", "1234").await;
    assert_eq!(no_pin.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_pin
            .field_error("identity_evidence")
            .unwrap()
            .contains("Alice Chen has no PIN on file")
    );

    let elsewhere = intake(&app, alice, "phone", "call_back", "+1 555 0199 999").await;
    assert_eq!(elsewhere.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        elsewhere
            .field_error("identity_evidence")
            .unwrap()
            .contains("That is not the number on file (+1 555 0101 200)")
    );

    let by_phone = intake(&app, alice, "phone", "known_email", "").await;
    assert_eq!(by_phone.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        by_phone
            .field_error("identity_check")
            .unwrap()
            .contains("only to a request that came by e-mail")
    );
    assert_eq!(tickets_recorded(&app).await, 0);

    let called = intake(&app, alice, "phone", "call_back", "+1 (555) 0101-200").await;
    assert_eq!(called.status, StatusCode::SEE_OTHER, "{}", called.text());
    let page = app.get(&called.location.unwrap()).await.text();
    assert!(page.contains("called back +1 555 0101 200"), "{page}");

    let mailed = intake(&app, alice, "email", "known_email", "").await;
    assert_eq!(mailed.status, StatusCode::SEE_OTHER, "{}", mailed.text());
}

async fn a_requester_is_validated_later_on_the_ticket_page(app: TestApp) {
    let (_, bob) = contacts(&app).await;
    let recorded = intake(&app, bob, "phone", "not_validated", "").await;
    let ticket = recorded.location.unwrap();
    let page = app.get(&ticket).await;
    assert!(page.text().contains("Requester not validated"));
    assert!(page.body.contains(&format!("action=\"{ticket}/identity\"")));

    let version = ticket_row(&app, &ticket).await.version.to_string();
    let wrong = app
        .post_form(
            &format!("{ticket}/identity"),
            &[
                ("version", &version),
                ("identity_check", "pin"),
                ("identity_evidence", "guess"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().contains("does not match the one on file"));
    assert!(wrong.text().contains("Requester not validated"));

    app.post_form(
        &format!("{ticket}/identity"),
        &[
            ("version", &version),
            ("identity_check", "call_back"),
            ("identity_evidence", "+1 555 0101 201"),
        ],
    )
    .await
    .assert_redirect_to(&ticket);
    let page = app.get(&ticket).await.text();
    assert!(!page.contains("Requester not validated"), "{page}");
    assert!(page.contains("Identity validated: Call-back to the number on file."));
    assert!(page.contains("Identity check"), "on the timeline");
    assert!(page.contains("called back +1 555 0101 201"));
}

async fn wrong_pins_are_throttled_per_contact(app: TestApp) {
    let (_, bob) = contacts(&app).await;
    for n in 0..4 {
        let page = intake(&app, bob, "phone", "pin", &format!("wrong-{n}")).await;
        assert!(page.text().contains("does not match"), "guess {n}");
    }
    let throttled = intake(&app, bob, "phone", "pin", "anchor-42").await;
    assert_eq!(throttled.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        throttled
            .field_error("identity_evidence")
            .unwrap()
            .contains("Too many wrong PINs for Bob Brandt")
    );
    assert_eq!(tickets_recorded(&app).await, 0);
}

both_backends!(
    intake_compares_the_pin_the_caller_read_back,
    pin_and_call_back_need_something_on_file,
    a_requester_is_validated_later_on_the_ticket_page,
    wrong_pins_are_throttled_per_contact,
);
