//! The browser harness: headless Chromium through chromedriver (WebDriver), driven like a
//! person would. Without chromedriver the tests skip, except in CI where they fail.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tierdesk::domain::account::{Role, Tier};

use crate::helpers::{Backend, in_ci, spawn_app};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub async fn start_browser() -> Option<Browser> {
    if !std::path::Path::new(CHROMEDRIVER).exists() || !std::path::Path::new(CHROMIUM).exists() {
        assert!(
            !in_ci(),
            "CI=true but chromium/chromedriver are not installed"
        );
        eprintln!("chromium or chromedriver missing: skipping the browser test");
        return None;
    }
    let port = free_port();
    let driver = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let profile = tempfile::tempdir().expect("profile dir");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", "--window-size=1280,900",
                format!("--user-data-dir={}", profile.path().display()),
            ],
        }),
    );
    let webdriver = format!("http://127.0.0.1:{port}");
    let mut last_error = None;
    for _ in 0..50 {
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&webdriver)
            .await
        {
            Ok(client) => {
                return Some(Browser {
                    client,
                    driver,
                    _profile: profile,
                });
            }
            Err(e) => {
                last_error = Some(e);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    panic!("chromedriver did not accept a session: {last_error:?}");
}

impl Browser {
    /// Saves what the browser shows, for people to look at (target/screenshots/NAME.png).
    pub async fn screenshot(&self, name: &str) {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }

    pub async fn fill(&self, css: &str, value: &str) {
        let field = self.client.find(Locator::Css(css)).await.expect(css);
        field.clear().await.expect("clear");
        field.send_keys(value).await.expect("type");
    }

    pub async fn heading(&self) -> String {
        self.client
            .find(Locator::Css("h1"))
            .await
            .expect("a heading")
            .text()
            .await
            .expect("heading text")
    }
}

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

    browser.fill("#email", "tara@msp.example").await;
    browser.fill("#password", &password).await;
    browser
        .client
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    browser
        .client
        .wait()
        .for_element(Locator::XPath("//h1[starts-with(., 'Good to see you')]"))
        .await
        .expect("the dashboard after signing in");
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
    let now = app.clock.now();
    let mail = tierdesk::mail::messages::MailContext::from_config(&app.state.config);
    tierdesk::db::run(&app.state.pool, move |conn| {
        tierdesk::seed::seed_demo(conn, &mail, now).map_err(tierdesk::error::AppError::Internal)
    })
    .await
    .unwrap();
    let password = app
        .create_user("ada@msp.example", "Ada Admin", Role::Admin, None)
        .await;
    let Some(browser) = start_browser().await else {
        return;
    };
    browser.client.goto(&app.url("/login")).await.unwrap();
    browser.fill("#email", "ada@msp.example").await;
    browser.fill("#password", &password).await;
    browser
        .client
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .client
        .wait()
        .for_element(Locator::XPath("//h1[starts-with(., 'Good to see you')]"))
        .await
        .unwrap();

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
        .client
        .find(Locator::LinkText("New York office hours"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(browser.heading().await, "Calendar: New York office hours");
    browser.screenshot("calendar").await;

    browser.client.goto(&app.url("/clients")).await.unwrap();
    browser
        .client
        .find(Locator::LinkText("Harbor Logistics"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_technician_records_a_call_and_triages_it_in_a_real_browser() {
    let Some(app) = spawn_app(Backend::Sqlite).await else {
        return;
    };
    let now = app.clock.now();
    let mail = tierdesk::mail::messages::MailContext::from_config(&app.state.config);
    tierdesk::db::run(&app.state.pool, move |conn| {
        tierdesk::seed::seed_demo(conn, &mail, now).map_err(tierdesk::error::AppError::Internal)
    })
    .await
    .unwrap();
    let Some(browser) = start_browser().await else {
        return;
    };
    browser.client.goto(&app.url("/login")).await.unwrap();
    browser.fill("#email", "tara.quinn@msp.example").await;
    browser
        .fill("#password", tierdesk::seed::DEMO_PASSWORD)
        .await;
    browser
        .client
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .client
        .wait()
        .for_element(Locator::XPath("//h1[starts-with(., 'Good to see you')]"))
        .await
        .unwrap();

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
    browser
        .client
        .find(Locator::Css("#details_confirmed"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .client
        .find(Locator::Css("#identity_check"))
        .await
        .unwrap()
        .select_by_value("pin")
        .await
        .unwrap();
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
        .client
        .find(Locator::XPath("//button[.='Record ticket']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .client
        .wait()
        .for_element(Locator::XPath(
            "//h1[contains(., 'Warehouse scanners cannot reach the WMS')]",
        ))
        .await
        .unwrap();
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
        .client
        .find(Locator::XPath("//button[.='Save triage']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .client
        .wait()
        .for_element(Locator::XPath("//p[contains(., 'Triage saved.')]"))
        .await
        .unwrap();
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
