//! Every form on every page an admin reaches, posted with what an attacker or a broken client
//! sends: overlong values, NUL and control characters, right-to-left overrides, numbers that
//! are not, duplicated and missing fields, a body that is not a form, a multipart without a
//! boundary and one with invalid UTF-8. The desk never answers with a server error, and where
//! it refuses, nothing in the database changed.

use std::collections::BTreeSet;

use diesel::prelude::*;
use reqwest::StatusCode;
use tierdesk::db;
use tierdesk::db::schema::{audit_events, outbox, ticket_events, tickets};
use tierdesk::domain::account::Role;

use crate::crawl::{crawl, post_forms_on};
use crate::fixtures::seed_demo_desk;
use crate::helpers::TestApp;

/// What every change the desk makes leaves behind: an audit line, a timeline entry, a ticket
/// version, or a queued mail.
async fn fingerprint(app: &TestApp) -> (i64, i64, Option<chrono::NaiveDateTime>, i64) {
    db::run(&app.state.pool, |conn| {
        Ok((
            audit_events::table.count().get_result(conn)?,
            ticket_events::table.count().get_result(conn)?,
            tickets::table
                .select(diesel::dsl::max(tickets::updated_at))
                .first(conn)?,
            outbox::table.count().get_result(conn)?,
        ))
    })
    .await
    .unwrap()
}

/// The bad values each field of a form is given, one kind at a time.
fn hostile_values() -> Vec<(&'static str, String)> {
    vec![
        ("overlong", "x".repeat(20_000)),
        ("empty", String::new()),
        (
            "NUL and control characters",
            "a\u{0}b\u{1b}[31m\u{7}c\r\n".into(),
        ),
        (
            "right-to-left override",
            "\u{202e}gpj.exe\u{202c} report".into(),
        ),
        ("not a number", "-1e309".into()),
        ("markup", "<script>alert(1)</script>\"'><img src=x>".into()),
    ]
}

/// The fields of the form for `action` on `path` that a person types into (and so expects
/// to see again when the form comes back): text inputs and text areas.
async fn typed_fields(app: &TestApp, path: &str, action: &str) -> Vec<String> {
    let html = app.get(path).await.body;
    let doc = scraper::Html::parse_document(&html);
    let selector = scraper::Selector::parse(&format!(
        "form[action=\"{action}\"] textarea[name], form[action=\"{action}\"] input[name]"
    ))
    .unwrap();
    doc.select(&selector)
        .filter(|field| {
            let f = field.value();
            f.name() == "textarea"
                || matches!(
                    f.attr("type").unwrap_or("text"),
                    "text" | "email" | "tel" | "url" | "search"
                )
        })
        .filter_map(|field| field.value().attr("name").map(str::to_string))
        .collect()
}

/// Fields the desk itself fills: the page's CSRF token stays valid, so the value under test
/// reaches the handler.
fn keep_as_is(name: &str) -> bool {
    name == "csrf_token"
}

async fn every_form_survives_hostile_input(app: TestApp) {
    seed_demo_desk(&app).await;
    app.sign_in_as(Role::Admin).await;
    let (paths, _) = crawl(&app, "admin").await;
    let mut tried = BTreeSet::new();
    let mut failures = Vec::new();
    for path in &paths {
        for (action, fields) in post_forms_on(&app, path).await {
            let shape: String = action.chars().filter(|c| !c.is_ascii_digit()).collect();
            if !tried.insert(shape) {
                continue;
            }
            for (kind, value) in hostile_values() {
                // Fetched again for each value: a save may have moved the row's version.
                let Some((_, fresh)) = post_forms_on(&app, path)
                    .await
                    .into_iter()
                    .find(|(a, _)| *a == action)
                else {
                    break;
                };
                // The text a person types is checked for coming back, so that value goes
                // into the typed fields only; every other value goes into every field, the
                // hidden ones included.
                let typed = typed_fields(&app, path, &action).await;
                let echoed = kind == "right-to-left override";
                let mut sent: Vec<(String, String)> = fresh
                    .iter()
                    .map(|(name, kept)| {
                        if keep_as_is(name) || (echoed && !typed.contains(name)) {
                            (name.clone(), kept.clone())
                        } else {
                            (name.clone(), value.clone())
                        }
                    })
                    .collect();
                if kind == "empty" {
                    // Missing and duplicated fields ride along with the empty values.
                    sent.retain(|(name, _)| keep_as_is(name));
                    sent.extend(fields.iter().take(1).cloned());
                    sent.extend(fields.iter().take(1).cloned());
                }
                let before = fingerprint(&app).await;
                let response = app
                    .client
                    .post(app.url(&action))
                    .form(&sent)
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                let body = response.text().await.unwrap_or_default();
                if status.is_server_error() {
                    failures.push(format!("{action} with {kind}: {status}"));
                } else if status.is_client_error() && fingerprint(&app).await != before {
                    failures.push(format!(
                        "{action} with {kind}: refused ({status}) but the database changed"
                    ));
                }
                if status == StatusCode::UNPROCESSABLE_ENTITY
                    && echoed
                    && !body.contains("gpj.exe")
                    && !typed.is_empty()
                {
                    failures.push(format!(
                        "{action} with {kind}: the form came back without the user's text"
                    ));
                }
            }
        }
    }
    assert!(tried.len() > 30, "only {} forms were found", tried.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Bodies no browser sends: not a form at all, a multipart without its boundary, a multipart
/// whose field is not UTF-8.
async fn malformed_bodies_are_refused_not_crashed_on(app: TestApp) {
    seed_demo_desk(&app).await;
    app.sign_in_as(Role::Admin).await;
    let token = app.csrf_token().await;
    let cases: [(&str, &str, Vec<u8>); 4] = [
        ("/tickets", "text/plain", b"subject=x".to_vec()),
        ("/tickets/1/attachments", "multipart/form-data", b"--x\r\n".to_vec()),
        (
            "/tickets/1/attachments",
            "multipart/form-data; boundary=B",
            [
                format!("--B\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"").into_bytes(),
                vec![0xff, 0xfe, 0x00],
                b"\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--B--\r\n".to_vec(),
            ]
            .concat(),
        ),
        ("/clients", "application/json", b"{\"name\": 1}".to_vec()),
    ];
    for (path, content_type, body) in cases {
        let before = fingerprint(&app).await;
        let status = app
            .client
            .post(app.url(path))
            .header("content-type", content_type)
            .header("x-csrf-token", token.as_str())
            .body(body)
            .send()
            .await
            .unwrap()
            .status();
        assert!(
            status.is_client_error(),
            "{path} as {content_type} answered {status}"
        );
        assert_eq!(fingerprint(&app).await, before, "{path} as {content_type}");
    }
}

both_backends!(
    every_form_survives_hostile_input,
    malformed_bodies_are_refused_not_crashed_on,
);
