//! In a real browser: a manager opens the monthly client service report from the client's page
//! and reads its SLA and uptime sections.

use fantoccini::Locator;
use tierdesk::domain::account::Role;

use crate::fixtures::client_with_a_november_outage;
use crate::helpers::{Backend, spawn_app};
use crate::webdriver::start_browser;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_opens_the_monthly_client_report_from_the_client_page_in_a_real_browser() {
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    let (client, _) = client_with_a_november_outage(&app).await;
    let email = app.sign_in_as(Role::Manager).await;
    let Some(browser) = start_browser().await else {
        return;
    };
    browser.client.goto(&app.url("/login")).await.unwrap();
    browser.sign_in(&email, "Mia Manager password 1").await;
    browser
        .client
        .goto(&app.url(&format!("/clients/{client}")))
        .await
        .unwrap();
    browser
        .click(Locator::LinkText("Last month's service report"))
        .await;
    browser
        .wait_for("//h1[.='Service report: Northwind Dental, November 2026']")
        .await;
    let section = |id: &'static str| {
        let client = browser.client.clone();
        async move {
            client
                .find(Locator::Id(id))
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let uptime = section("uptime").await;
    assert!(
        uptime.contains("Uptime of your hosted services"),
        "{uptime}"
    );
    assert!(uptime.contains("99.930 %"), "{uptime}");
    assert!(uptime.contains("Storage controller failover."), "{uptime}");
    let sla = section("sla").await;
    assert!(
        sla.contains("Response and resolution against the agreed times"),
        "{sla}"
    );
    browser.screenshot("monthly-service-report").await;
    browser.client.clone().close().await.unwrap();
}
