//! The browser harness: headless Chromium through chromedriver (WebDriver), driven like a
//! person would. Without chromedriver the browser tests skip, except in CI where they fail.
//! Shared by `browser.rs` and any area file that drives a page in a real browser.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::helpers::in_ci;

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

    /// Saves the whole page as it lays out at `width` CSS pixels (target/screenshots/NAME.png):
    /// the window grows to the page's height, bounded, so the shot shows what scrolls too.
    pub async fn screenshot_at(&self, width: u32, name: &str) {
        self.client
            .set_window_size(width, 900)
            .await
            .expect("window resized");
        let height = self
            .client
            .execute(
                "return document.documentElement.scrollHeight + window.outerHeight - window.innerHeight;",
                vec![],
            )
            .await
            .expect("page height")
            .as_u64()
            .map_or(900, |h| u32::try_from(h.clamp(600, 9000)).unwrap_or(9000));
        self.client
            .set_window_size(width, height)
            .await
            .expect("window resized to the page");
        self.screenshot(name).await;
    }

    pub async fn fill(&self, css: &str, value: &str) {
        let field = self.client.find(Locator::Css(css)).await.expect(css);
        field.clear().await.expect("clear");
        field.send_keys(value).await.expect("type");
    }

    /// Fills the sign-in form on the current page and waits for the dashboard.
    pub async fn sign_in(&self, email: &str, password: &str) {
        self.fill("#email", email).await;
        self.fill("#password", password).await;
        self.click(Locator::Css("button[type=submit]")).await;
        self.wait_for("//h1[starts-with(., 'Good to see you')]")
            .await;
    }

    pub async fn click(&self, target: Locator<'_>) {
        self.client
            .find(target)
            .await
            .expect("the element to click")
            .click()
            .await
            .expect("click");
    }

    /// Waits for the page the last click led to.
    pub async fn wait_for(&self, xpath: &str) {
        self.client
            .wait()
            .for_element(Locator::XPath(xpath))
            .await
            .unwrap_or_else(|e| panic!("{xpath} did not appear: {e}"));
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
