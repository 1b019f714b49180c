//! The outbox, its delivery and the admin outbox page, against a real SMTP server.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration as StdDuration;

use chrono::Duration;
use diesel::prelude::*;
use reqwest::StatusCode;
use tierdesk::db::{self, DbConn};
use tierdesk::domain::account::Role;
use tierdesk::domain::delivery::{MAX_ATTEMPTS, backoff};
use tierdesk::domain::inputs::EmailAddress;
use tierdesk::jobs::{self, JobReport, deliver_mail};
use tierdesk::mail::messages::{MailContext, Recipient, SmtpCheck, ThreadKey, compose};
use tierdesk::mail::outbox::{self, LEASE, OutboxRow};

use crate::fixtures::drain;
use crate::helpers::{Backend, TestApp, another_instance};
use crate::smtp::{BASE_URL, SmtpSink, spawn_app_with_sink};

fn sent(report: &JobReport) -> usize {
    report.get(deliver_mail::NAME, deliver_mail::SENT)
}

fn claimed(report: &JobReport) -> usize {
    report.get(deliver_mail::NAME, deliver_mail::CLAIMED)
}

async fn all_rows(app: &TestApp) -> Vec<OutboxRow> {
    db::run(&app.state.pool, |conn: &mut DbConn| {
        use tierdesk::db::schema::outbox::dsl::*;
        Ok(outbox
            .order(id.asc())
            .select(OutboxRow::as_select())
            .load(conn)?)
    })
    .await
    .unwrap()
}

fn client_address(i: usize) -> String {
    format!("contact{i}@client{}.example", i % 7)
}

/// Queues one message per contact, each in its own transaction, as the changes that cause
/// them will (one ticket each, so each in its own thread).
async fn queue_for_contacts(app: &TestApp, count: usize) {
    let ctx = MailContext::from_config(&app.state.config);
    for i in 0..count {
        let message = SmtpCheck {
            requested_by: "Ada Admin".into(),
            requested_at: "today".into(),
            desk_url: ctx.base_url.clone(),
            delivery: "the test sink".into(),
        };
        let to = Recipient::new(
            EmailAddress::parse(&client_address(i)).unwrap(),
            format!("Contact {i}"),
        );
        let mail = compose(&ctx, &message, to)
            .unwrap()
            .in_thread(ThreadKey::new("ticket", i as i64))
            .reply_to(EmailAddress::parse("help@msp.example").unwrap());
        let now = app.clock.now();
        db::run(&app.state.pool, move |conn| {
            db::write_tx(conn, |conn| outbox::enqueue(conn, &mail, now))
        })
        .await
        .unwrap();
    }
}

async fn the_test_email_from_the_outbox_page_arrives_multipart_with_its_headers(
    app: TestApp,
    sink: SmtpSink,
) {
    app.sign_in_as(Role::Admin).await;
    let page = app.get("/admin/outbox").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text().contains(&format!(
            "the SMTP server {} (no encryption)",
            sink.url().trim_start_matches("smtp://")
        )),
        "{}",
        page.text()
    );

    let queued = app
        .post_form("/admin/outbox/test", &[("address", "Ops@MSP.example")])
        .await;
    queued.assert_redirect_to("/admin/outbox");
    let page = app.get("/admin/outbox").await;
    assert!(
        page.text()
            .contains("Test e-mail to ops@msp.example queued")
    );
    assert!(page.text().contains("queued"));
    assert!(
        sink.received().is_empty(),
        "nothing is sent during the request"
    );

    let report = drain(&app).await;
    assert_eq!(sent(&report), 1, "{report}");
    let mails = sink.received();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    let row = &all_rows(&app).await[0];
    assert_eq!(row.status, "sent");

    assert_eq!(mail.envelope_to, ["<ops@msp.example>"]);
    assert_eq!(mail.envelope_from, "<desk@msp.example>");
    let parsed = mail.parsed();
    let from = parsed.from().and_then(|a| a.first()).unwrap();
    assert_eq!(from.name(), Some("MSP Service Desk"));
    assert_eq!(from.address(), Some("desk@msp.example"));
    let to = parsed.to().and_then(|a| a.first()).unwrap();
    assert_eq!(to.address(), Some("ops@msp.example"));
    assert_eq!(mail.message_id(), row.message_id, "the stored Message-ID");
    assert!(
        row.message_id.ends_with("@desk.msp.example>"),
        "{}",
        row.message_id
    );
    assert!(parsed.date().is_some(), "a Date header");
    assert_eq!(
        parsed.subject(),
        Some("tierdesk test e-mail: outgoing mail works")
    );
    let content_type = mail.header("Content-Type").unwrap();
    assert!(
        content_type.starts_with("multipart/alternative"),
        "{content_type}"
    );
    assert!(mail.header("Reply-To").is_none());
    assert!(mail.header("In-Reply-To").is_none(), "not part of a thread");

    let text = mail.text_body();
    assert!(text.contains("Ada Admin asked for it"), "{text}");
    assert!(text.contains(BASE_URL));
    let html = mail.html_body();
    assert!(html.contains(&format!("<a href=\"{BASE_URL}\">")), "{html}");
    assert!(html.contains("Ada Admin"));

    let page = app.get("/admin/outbox").await;
    assert!(page.text().contains("sent"));
    assert!(page.text().contains("ops@msp.example"));
}

async fn a_bad_test_address_comes_back_to_the_form_with_the_text_kept(app: TestApp) {
    app.sign_in_as(Role::Admin).await;
    let page = app
        .post_form("/admin/outbox/test", &[("address", "ops at msp")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(page.field_value("address").as_deref(), Some("ops at msp"));
    assert!(page.field_error("address").unwrap().contains("@"));
    assert!(all_rows(&app).await.is_empty());
}

async fn only_admins_see_the_outbox(app: TestApp) {
    app.sign_in_as(Role::Manager).await;
    assert_eq!(app.get("/admin/outbox").await.status, StatusCode::FORBIDDEN);
    let post = app
        .post_form("/admin/outbox/test", &[("address", "x@msp.example")])
        .await;
    assert_eq!(post.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.post_form("/admin/outbox/1/retry", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert!(!app.get("/").await.body.contains("/admin/outbox"));
    assert!(all_rows(&app).await.is_empty());
}

async fn without_smtp_url_mail_is_written_as_eml_files(app: TestApp) {
    app.sign_in_as(Role::Admin).await;
    let page = app.get("/admin/outbox").await;
    assert!(
        page.text().contains("SMTP_URL is not set"),
        "{}",
        page.text()
    );
    app.post_form("/admin/outbox/test", &[("address", "ops@msp.example")])
        .await
        .assert_redirect_to("/admin/outbox");
    let report = drain(&app).await;
    assert_eq!(sent(&report), 1, "{report}");

    let dir = app.data_dir.path().join("mail");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].extension().unwrap(), "eml");
    let raw = std::fs::read_to_string(&files[0]).unwrap();
    let row = &all_rows(&app).await[0];
    assert!(
        raw.contains(&format!("Message-ID: {}", row.message_id)),
        "{raw}"
    );
    assert!(raw.contains("multipart/alternative"));
}

async fn an_outage_loses_nothing_and_two_workers_send_each_message_exactly_once(
    app: TestApp,
    mut sink: SmtpSink,
) {
    const COUNT: usize = 100;
    sink.stop().await;
    queue_for_contacts(&app, COUNT).await;

    // Every message is tried once and waits its backoff; the passes end early while the
    // server is down, so it takes several.
    let mut retrying = 0;
    for _ in 0..COUNT {
        let report = drain(&app).await;
        if claimed(&report) == 0 {
            break;
        }
        assert_eq!(sent(&report), 0);
        retrying += report.get(deliver_mail::NAME, deliver_mail::RETRYING);
    }
    assert_eq!(retrying, COUNT);
    let now = app.clock.now().naive_utc();
    for row in all_rows(&app).await {
        assert_eq!(row.status, "pending");
        assert_eq!(row.attempts, 1);
        assert!(row.last_error.as_deref().is_some_and(|e| !e.is_empty()));
        assert!(row.next_attempt_at > now, "waits before the next attempt");
    }
    assert_eq!(
        claimed(&drain(&app).await),
        0,
        "nothing is due before the backoff ends"
    );

    sink.restart().await;
    app.clock.advance(backoff(1));
    let url = sink.url();
    let second = another_instance(&app, &[("SMTP_URL", &url), ("BASE_URL", BASE_URL)]).await;
    let (first, other) = tokio::join!(jobs::run_once(&app.jobs), jobs::run_once(&second));
    let (first, other) = (first.unwrap(), other.unwrap());
    assert_eq!(sent(&first) + sent(&other), COUNT, "{first} / {other}");
    assert_eq!(
        first.get(deliver_mail::NAME, deliver_mail::SUPERSEDED)
            + other.get(deliver_mail::NAME, deliver_mail::SUPERSEDED),
        0
    );

    let mails = sink.received();
    let mut by_id: BTreeMap<String, usize> = BTreeMap::new();
    for mail in &mails {
        *by_id.entry(mail.message_id()).or_default() += 1;
    }
    assert_eq!(mails.len(), COUNT, "every message arrived, once");
    assert!(by_id.values().all(|n| *n == 1), "no Message-ID twice");
    let rows = all_rows(&app).await;
    let stored: BTreeSet<String> = rows.iter().map(|r| r.message_id.clone()).collect();
    assert_eq!(
        by_id.keys().cloned().collect::<BTreeSet<_>>(),
        stored,
        "the Message-IDs fixed at enqueue"
    );
    assert!(rows.iter().all(|r| r.status == "sent" && r.attempts == 2));
    let recipients: BTreeSet<String> = mails.iter().flat_map(|m| m.envelope_to.clone()).collect();
    assert_eq!(recipients.len(), COUNT);

    // Each ticket's mail names its thread, so a mail program keeps the conversation together.
    let mail = mails
        .iter()
        .find(|m| m.envelope_to == ["<contact7@client0.example>"])
        .unwrap();
    assert_eq!(
        mail.header("In-Reply-To").as_deref(),
        Some("<ticket-7@desk.msp.example>")
    );
    assert_eq!(
        mail.header("References").as_deref(),
        Some("<ticket-7@desk.msp.example>")
    );
    assert_eq!(mail.header("Reply-To").as_deref(), Some("help@msp.example"));
    let to = mail.parsed().to().and_then(|a| a.first()).map(|a| {
        (
            a.name().map(str::to_string),
            a.address().map(str::to_string),
        )
    });
    assert_eq!(
        to,
        Some((
            Some("Contact 7".to_string()),
            Some("contact7@client0.example".to_string())
        ))
    );

    assert_eq!(claimed(&drain(&app).await), 0);
    assert_eq!(sink.received().len(), COUNT, "nothing is sent again");
}

async fn a_message_that_keeps_failing_is_shown_as_failed_and_retry_sends_it(
    app: TestApp,
    mut sink: SmtpSink,
) {
    let admin = app.sign_in_as(Role::Admin).await;
    sink.stop().await;
    app.post_form("/admin/outbox/test", &[("address", "ops@msp.example")])
        .await
        .assert_redirect_to("/admin/outbox");

    for attempt in 1..=MAX_ATTEMPTS {
        let report = drain(&app).await;
        assert_eq!(claimed(&report), 1, "attempt {attempt}: {report}");
        let row = &all_rows(&app).await[0];
        assert_eq!(row.attempts, attempt);
        if attempt < MAX_ATTEMPTS {
            assert_eq!(row.status, "pending");
            assert_eq!(claimed(&drain(&app).await), 0, "not due before its backoff");
            app.clock.advance(backoff(attempt));
        } else {
            assert_eq!(row.status, "failed");
            assert_eq!(report.get(deliver_mail::NAME, deliver_mail::FAILED), 1);
        }
    }
    app.clock.advance(Duration::days(1));
    assert_eq!(claimed(&drain(&app).await), 0, "a failed message rests");

    // Hours went by: the admin signs in again.
    app.login(&admin, "Ada Admin password 1")
        .await
        .assert_redirect_to("/");
    let page = app.get("/admin/outbox").await;
    let text = page.text();
    assert!(text.contains("Failed"), "{text}");
    assert!(text.contains("ops@msp.example"));
    assert!(text.contains(&MAX_ATTEMPTS.to_string()));
    let row = all_rows(&app).await.remove(0);
    let error = row.last_error.clone().unwrap();
    assert!(text.contains(&error), "the last error is shown: {error}");
    let retry_path = format!("/admin/outbox/{}/retry", row.id);
    assert!(page.body.contains(&format!("action=\"{retry_path}\"")));

    sink.restart().await;
    app.post_form(&retry_path, &[])
        .await
        .assert_redirect_to("/admin/outbox");
    assert!(
        app.get("/admin/outbox")
            .await
            .text()
            .contains("queued again")
    );
    assert_eq!(sent(&drain(&app).await), 1);
    let mails = sink.received();
    assert_eq!(mails.len(), 1);
    assert_eq!(
        mails[0].message_id(),
        row.message_id,
        "the retry sends the same message"
    );
    let row = all_rows(&app).await.remove(0);
    assert_eq!((row.status.as_str(), row.attempts), ("sent", 1));

    app.post_form(&retry_path, &[])
        .await
        .assert_redirect_to("/admin/outbox");
    assert!(
        app.get("/admin/outbox")
            .await
            .text()
            .contains("no longer failed")
    );
    let history = db::run(&app.state.pool, move |conn| {
        db::audit::history(conn, db::audit::Entity::Mail, row.id, 10)
    })
    .await
    .unwrap();
    let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(actions, ["retry", "test e-mail queued"]);
    assert_eq!(history[0].actor_name.as_deref(), Some("Ada Admin"));
}

async fn a_permanent_refusal_fails_the_message_at_once(app: TestApp, sink: SmtpSink) {
    app.sign_in_as(Role::Admin).await;
    app.post_form("/admin/outbox/test", &[("address", "refused@msp.example")])
        .await
        .assert_redirect_to("/admin/outbox");
    app.post_form("/admin/outbox/test", &[("address", "ops@msp.example")])
        .await
        .assert_redirect_to("/admin/outbox");
    let report = drain(&app).await;
    assert_eq!(
        report.get(deliver_mail::NAME, deliver_mail::FAILED),
        1,
        "{report}"
    );
    assert_eq!(sent(&report), 1, "the next message still goes");
    let rows = all_rows(&app).await;
    assert_eq!((rows[0].status.as_str(), rows[0].attempts), ("failed", 1));
    assert!(rows[0].last_error.as_deref().unwrap().contains("550"));
    assert_eq!(sink.received().len(), 1);
}

async fn the_reaper_releases_the_claims_of_a_worker_that_died(app: TestApp, sink: SmtpSink) {
    queue_for_contacts(&app, 3).await;
    // A worker claims the batch and dies before sending.
    let now = app.clock.now();
    let claimed_rows = db::run(&app.state.pool, move |conn| {
        outbox::claim_due(conn, now, 10)
    })
    .await
    .unwrap();
    assert_eq!(claimed_rows.len(), 3);
    assert_eq!(claimed(&drain(&app).await), 0, "claimed rows are not taken");
    assert!(sink.received().is_empty());

    app.clock.advance(LEASE + Duration::seconds(1));
    let report = drain(&app).await;
    assert_eq!(
        report.get(deliver_mail::NAME, deliver_mail::REAPED),
        3,
        "{report}"
    );
    assert_eq!(sent(&report), 3);
    assert_eq!(sink.received().len(), 3);

    // The dead worker's late result cannot overwrite what the live one recorded.
    let stale = claimed_rows[0].clone();
    let later = app.clock.now();
    let recorded = db::run(&app.state.pool, move |conn| {
        outbox::mark_attempt_failed(conn, stale.id(), stale.attempts, "late", false, later)
    })
    .await
    .unwrap();
    assert_eq!(recorded, None);
    assert!(all_rows(&app).await.iter().all(|r| r.status == "sent"));
}

both_backends_with_smtp!(
    the_test_email_from_the_outbox_page_arrives_multipart_with_its_headers,
    an_outage_loses_nothing_and_two_workers_send_each_message_exactly_once,
    a_message_that_keeps_failing_is_shown_as_failed_and_retry_sends_it,
    a_permanent_refusal_fails_the_message_at_once,
    the_reaper_releases_the_claims_of_a_worker_that_died,
);

mod without_a_mail_server {
    both_backends!(
        outbox_settled;
        a_bad_test_address_comes_back_to_the_form_with_the_text_kept,
        only_admins_see_the_outbox,
        without_smtp_url_mail_is_written_as_eml_files,
    );
    use super::*;
}

/// With the background loop on, mail leaves by itself, and a drain alongside the loop still
/// sends nothing twice: `run_once` waits for a pass in flight, then finishes what is due.
async fn the_background_loop_delivers_by_itself_and_a_drain_beside_it_sends_nothing_twice(
    backend: Backend,
) {
    let sink = SmtpSink::start().await;
    let Some(app) = spawn_app_with_sink(backend, &sink, &[("JOBS_INTERVAL_SECONDS", "1")]).await
    else {
        return;
    };
    queue_for_contacts(&app, 20).await;
    drain(&app).await;
    let mails = sink.received();
    assert_eq!(mails.len(), 20, "all sent, by the loop or the drain");
    let ids: BTreeSet<String> = mails.iter().map(|m| m.message_id()).collect();
    assert_eq!(ids.len(), 20);

    queue_for_contacts(&app, 1).await;
    let mails = sink.wait_for(21, StdDuration::from_secs(20)).await;
    assert_eq!(mails.len(), 21);
    // The loop records the delivery just after the server's reply; a drain waits for it.
    assert_eq!(claimed(&drain(&app).await), 0);
    assert!(all_rows(&app).await.iter().all(|r| r.status == "sent"));
    assert_eq!(sink.received().len(), 21);
    app.outbox_check().assert_settled().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_loop_delivers_by_itself_sqlite() {
    the_background_loop_delivers_by_itself_and_a_drain_beside_it_sends_nothing_twice(
        Backend::Sqlite,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_loop_delivers_by_itself_postgres() {
    the_background_loop_delivers_by_itself_and_a_drain_beside_it_sends_nothing_twice(
        Backend::Postgres,
    )
    .await;
}
