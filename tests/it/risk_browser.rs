//! The client risk walk-through in a real browser (headless Chromium), from the register's
//! "Start a walk-through" to the list of the risks it found, as a technician on site would
//! click through it, without any JavaScript of ours.

use fantoccini::Locator;
use tierdesk::db;
use tierdesk::domain::account::Role;

use crate::fixtures::client_with_contact;
use crate::helpers::{Backend, spawn_app};
use crate::webdriver::start_browser;

const PAGES: [(&str, &str); 5] = [
    ("Threats", "Visitors use the office Wi-Fi"),
    (
        "Existing and planned security measures",
        "Antivirus on every PC",
    ),
    ("Vulnerabilities", "No tested backup"),
    ("Consequences", "A day without patient records"),
    ("Related business processes", "Appointments and billing"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_technician_walks_a_client_through_to_the_risks_found_in_a_real_browser() {
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    let (client, _) = client_with_contact(&app).await;
    let email = app.sign_in_as(Role::Technician).await;
    let Some(browser) = start_browser().await else {
        return;
    };
    browser.client.goto(&app.url("/login")).await.unwrap();
    browser.sign_in(&email, "Tess Tech password 1").await;
    browser
        .client
        .goto(&app.url(&format!("/clients/{client}/risks")))
        .await
        .unwrap();
    browser
        .click(Locator::XPath("//button[.='Start a walk-through']"))
        .await;
    browser
        .wait_for("//h1[.='Risk walk-through: Assets']")
        .await;

    browser.fill("#name", "File server").await;
    browser
        .fill("#description", "Shared drives and the accounting database")
        .await;
    browser
        .click(Locator::XPath("//button[.='Add asset']"))
        .await;
    browser.wait_for("//td[.='File server']").await;
    browser.screenshot("risk-walkthrough-assets").await;
    browser
        .click(Locator::XPath("//button[.='Next: Threats']"))
        .await;

    for (i, (title, notes)) in PAGES.iter().enumerate() {
        browser
            .wait_for(&format!("//h1[.='Risk walk-through: {title}']"))
            .await;
        browser.fill("#notes", notes).await;
        let next = PAGES.get(i + 1).map_or("Example risks", |(t, _)| t);
        browser
            .click(Locator::XPath(&format!("//button[.='Next: {next}']")))
            .await;
    }

    browser
        .wait_for("//h1[.='Risk walk-through: Example risks']")
        .await;
    let templates = db::run(&app.state.pool, |conn| {
        db::risks::walkthrough::templates(conn)
    })
    .await
    .unwrap();
    let guests = &templates[0];
    let backup = templates
        .iter()
        .find(|t| t.title.contains("backed up"))
        .unwrap();
    for t in [guests, backup] {
        browser
            .click(Locator::Css(&format!("label[for='tick_{}']", t.id)))
            .await;
    }
    let asset = browser
        .client
        .find(Locator::Css(&format!("#asset_{}", backup.id)))
        .await
        .unwrap();
    asset.select_by_label("File server").await.unwrap();
    browser.screenshot("risk-walkthrough-checklist").await;
    browser
        .click(Locator::XPath(
            "//button[.='Finish and list the risks found']",
        ))
        .await;

    browser.wait_for("//h1[.='Risks found']").await;
    let found = browser
        .client
        .find(Locator::Css("ol.found-risks"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(found.contains(&guests.title), "{found}");
    assert!(found.contains(&backup.title), "{found}");
    assert!(found.contains("Asset: File server"), "{found}");
    browser.screenshot("risk-walkthrough-found").await;

    let drafts = db::run(&app.state.pool, move |conn| {
        db::risks::register::list(conn, client, &Default::default())
    })
    .await
    .unwrap();
    assert_eq!(drafts.len(), 2);
    assert!(drafts.iter().all(|r| r.is_draft()));
    let walk = db::run(&app.state.pool, move |conn| {
        db::risks::walkthrough::of_client(conn, client)
    })
    .await
    .unwrap();
    assert!(walk[0].finished_at.is_some());
    assert_eq!(walk[0].threats, "Visitors use the office Wi-Fi");
    browser.client.clone().close().await.unwrap();
}
