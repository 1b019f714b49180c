//! Scenarios in a real browser (headless Chromium, see `webdriver.rs`): sign-in, a tour of a
//! seeded desk, recording and triaging a call, a client answering the survey mail, and the
//! layout screenshots (dashboard, a queue, a ticket at desktop and phone widths).

use fantoccini::Locator;
use tierdesk::domain::account::{Role, Tier};

use crate::fixtures::seed_demo_desk;
use crate::helpers::{Backend, spawn_app};
use crate::webdriver::start_browser;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_technician_signs_in_with_a_real_browser_and_reaches_the_dashboard() {
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    let password = app
        .create_user(
            "tara@msp.example",
            "Tara Quinn",
            Role::Technician,
            Some(Tier::Tier1),
        )
        .await;
    let Some(browser) = start_browser().await else {
        return;
    };

    browser.client.goto(&app.url("/")).await.unwrap();
    assert_eq!(browser.heading().await, "Sign in");
    assert!(
        browser
            .client
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/login")
    );
    browser.screenshot("login").await;

    browser.sign_in("tara@msp.example", &password).await;
    assert_eq!(browser.heading().await, "Good to see you, Tara Quinn");
    let nav = browser
        .client
        .find(Locator::Css("header"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(nav.contains("Clients"));
    assert!(!nav.contains("Users"), "technicians see no admin link");
    browser.screenshot("dashboard").await;

    browser.client.goto(&app.url("/clients")).await.unwrap();
    assert_eq!(browser.heading().await, "Clients");
    browser.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_tours_a_seeded_desk_in_a_real_browser() {
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    seed_demo_desk(&app).await;
    let password = app
        .create_user("ada@msp.example", "Ada Admin", Role::Admin, None)
        .await;
    let Some(browser) = start_browser().await else {
        return;
    };
    browser.client.goto(&app.url("/login")).await.unwrap();
    browser.sign_in("ada@msp.example", &password).await;

    let tour = [
        ("/clients", "Clients", "clients"),
        ("/admin/service-levels", "Service levels", "service-levels"),
        (
            "/priority-matrix",
            "How priority is chosen",
            "priority-matrix",
        ),
        ("/admin/users", "Users", "users"),
        ("/admin/outbox", "Outbox", "outbox"),
    ];
    for (path, heading, shot) in tour {
        browser.client.goto(&app.url(path)).await.unwrap();
        assert_eq!(browser.heading().await, heading, "{path}");
        browser.screenshot(shot).await;
    }

    browser
        .client
        .goto(&app.url("/admin/service-levels"))
        .await
        .unwrap();
    browser
        .click(Locator::LinkText("New York office hours"))
        .await;
    assert_eq!(browser.heading().await, "Calendar: New York office hours");
    browser.screenshot("calendar").await;

    browser.client.goto(&app.url("/clients")).await.unwrap();
    browser.click(Locator::LinkText("Harbor Logistics")).await;
    let heading = browser.heading().await;
    assert!(heading.starts_with("Harbor Logistics"), "{heading}");
    let body = browser
        .client
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("Premium 24/7"), "{body}");
    browser.screenshot("client").await;
    browser.client.clone().close().await.unwrap();
}

/// Whole-page shots of the pages a technician lives in, at a laptop's and a phone's width, in
/// target/screenshots/layout-*.png: a change to the layout is seen there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_pages_are_photographed_at_desktop_and_phone_widths() {
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    seed_demo_desk(&app).await;
    let ticket: i64 = tierdesk::db::run(&app.state.pool, |conn| {
        use diesel::prelude::*;
        use tierdesk::db::schema::tickets;
        Ok(tickets::table
            .filter(tickets::status.eq("in_progress"))
            .select(tickets::id)
            .first(conn)?)
    })
    .await
    .unwrap();
    let Some(browser) = start_browser().await else {
        return;
    };
    browser.client.goto(&app.url("/login")).await.unwrap();
    browser
        .sign_in("tara.quinn@msp.example", tierdesk::seed::DEMO_PASSWORD)
        .await;
    let ticket = format!("/tickets/{ticket}");
    let pages = [
        ("/", "dashboard"),
        ("/tickets?queue=all", "queue"),
        (ticket.as_str(), "ticket"),
    ];
    for (path, name) in pages {
        browser.client.goto(&app.url(path)).await.unwrap();
        for width in [1366, 390] {
            browser
                .screenshot_at(width, &format!("layout-{name}-{width}"))
                .await;
        }
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    for name in ["dashboard", "queue", "ticket"] {
        for width in [1366, 390] {
            let shot = dir.join(format!("layout-{name}-{width}.png"));
            let bytes = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
            assert!(bytes > 10_000, "{} is written", shot.display());
        }
    }
    browser.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_technician_records_a_call_and_triages_it_in_a_real_browser() {
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    seed_demo_desk(&app).await;
    let Some(browser) = start_browser().await else {
        return;
    };
    browser.client.goto(&app.url("/login")).await.unwrap();
    browser
        .sign_in("tara.quinn@msp.example", tierdesk::seed::DEMO_PASSWORD)
        .await;

    browser.client.goto(&app.url("/tickets/new")).await.unwrap();
    assert_eq!(browser.heading().await, "Record a request");
    browser
        .client
        .find(Locator::Css("#requester"))
        .await
        .unwrap()
        .select_by_label("Tom Becker <tom.becker@harbor-logistics.example>")
        .await
        .unwrap();
    browser.click(Locator::Css("#details_confirmed")).await;
    browser
        .client
        .find(Locator::Css("#identity_check"))
        .await
        .unwrap()
        .select_by_value("call_back")
        .await
        .unwrap();
    browser.fill("#identity_evidence", "+1 555 0199 311").await;
    browser
        .fill("#subject", "Warehouse scanners cannot reach the WMS")
        .await;
    browser
        .fill(
            "#description",
            "All handheld scanners in bay 3 show 'server unreachable' since 06:10.",
        )
        .await;
    browser
        .client
        .find(Locator::Css("#impact"))
        .await
        .unwrap()
        .select_by_value("high")
        .await
        .unwrap();
    browser
        .client
        .find(Locator::Css("#urgency"))
        .await
        .unwrap()
        .select_by_value("high")
        .await
        .unwrap();
    browser.screenshot("intake").await;
    browser
        .click(Locator::XPath("//button[.='Record ticket']"))
        .await;
    browser
        .wait_for("//h1[contains(., 'Warehouse scanners cannot reach the WMS')]")
        .await;
    let main = browser
        .client
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(main.contains("P1 · Critical"), "{main}");
    assert!(main.contains("Triage it next"), "{main}");

    browser
        .client
        .find(Locator::Css("#triage select[name=category_id]"))
        .await
        .unwrap()
        .select_by_label("Network")
        .await
        .unwrap();
    browser
        .fill("#affected_service", "WMS server, bay 3 access points")
        .await;
    browser
        .click(Locator::XPath("//button[.='Save triage']"))
        .await;
    browser.wait_for("//p[contains(., 'Triage saved.')]").await;
    let main = browser
        .client
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(main.contains("Network"), "{main}");
    assert!(main.contains("WMS server, bay 3 access points"), "{main}");
    browser.screenshot("ticket").await;
    browser.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_rates_and_comments_from_the_survey_mail_in_a_real_browser() {
    use tierdesk::domain::ids::{ClientId, ContactId, UserId};

    let sink = crate::smtp::SmtpSink::start().await;
    let Some(app) = crate::smtp::spawn_app_with_sink(Backend::Sqlite, &sink, &[]).await else {
        return;
    };
    let mail = app.state.mail();
    let now = app.clock.now();
    let surveyed = tierdesk::db::run(&app.state.pool, move |conn| {
        tierdesk::seed::seed_demo(conn, &mail, now).map_err(tierdesk::error::AppError::Internal)?;
        crate::fixtures::walk_to_solved(
            conn,
            UserId(2),
            ClientId(1),
            ContactId(1),
            "Scanner will not pair",
            &mail,
            now,
        )
    })
    .await
    .unwrap()
    .id;
    app.clock.advance(chrono::Duration::hours(25));
    tierdesk::jobs::run_once(&app.jobs).await.unwrap();
    let survey = sink
        .received()
        .into_iter()
        .find(|m| {
            m.header("Subject")
                .unwrap_or_default()
                .contains("How did we do? Scanner will not pair")
        })
        .expect("the survey arrives");
    let text = survey.text_body();
    let link = text
        .split_whitespace()
        .find(|w| w.starts_with(crate::smtp::BASE_URL) && w.ends_with("rating=4"))
        .expect("a link for rating 4")
        .replace(crate::smtp::BASE_URL, &app.address);

    let Some(browser) = start_browser().await else {
        return;
    };
    browser.client.goto(&link).await.unwrap();
    assert_eq!(browser.heading().await, "How did we do?");
    let four = browser
        .client
        .find(Locator::Css("#rating-4"))
        .await
        .unwrap();
    assert_eq!(four.prop("checked").await.unwrap().as_deref(), Some("true"));
    browser.screenshot("survey").await;
    browser.click(Locator::Css("#rating-5")).await;
    browser
        .click(Locator::XPath("//button[.='Send my rating']"))
        .await;
    browser.wait_for("//h1[.='Thank you']").await;
    browser
        .fill("#comment", "Fixed while I waited, thank you!")
        .await;
    browser
        .click(Locator::XPath("//button[.='Send comment']"))
        .await;
    browser
        .wait_for("//p[contains(., 'Your comment is saved')]")
        .await;
    browser.screenshot("survey-thanks").await;
    let answer = tierdesk::db::run(&app.state.pool, move |conn| {
        tierdesk::db::surveys::for_ticket(conn, surveyed)
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(answer.rating, Some(5));
    assert_eq!(answer.comment, "Fixed while I waited, thank you!");
    browser.client.clone().close().await.unwrap();
    // The comment tells the managers; that note leaves like any other mail.
    tierdesk::jobs::run_once(&app.jobs).await.unwrap();
    app.outbox_check().assert_settled().await;
}
