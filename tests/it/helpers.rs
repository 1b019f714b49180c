use std::collections::HashMap;
use std::sync::Arc;

use diesel::{Connection, PgConnection, RunQueryDsl};
use reqwest::StatusCode;
use tierdesk::clock::Clock;
use tierdesk::config::Config;
use tierdesk::db;
use tierdesk::db::users::UserProfile;
use tierdesk::domain::account::{Role, Tier};
use tierdesk::domain::inputs::EmailAddress;
use tierdesk::jobs::Jobs;
use tierdesk::mail::outbox::{self, Status};
use tierdesk::state::AppState;
use tierdesk::{Application, FirstAdmin};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates one `#[tokio::test]` per backend for each named `async fn(TestApp)`. With
/// `outbox_settled;` first, each test also ends with `OutboxCheck::assert_settled`: no mail
/// left queued or mid-send.
macro_rules! both_backends {
    (outbox_settled; $($name:ident),* $(,)?) => {
        both_backends!(@tests crate::helpers::After::OutboxSettled; $($name),*);
    };
    (@tests $after:expr; $($name:ident),*) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::helpers::run(crate::helpers::Backend::Sqlite, $after, super::$name).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::helpers::run(crate::helpers::Backend::Postgres, $after, super::$name).await;
                }
            )*
        }
    };
    ($($name:ident),* $(,)?) => {
        both_backends!(@tests crate::helpers::After::Nothing; $($name),*);
    };
}

/// What the harness checks once a test body has returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum After {
    Nothing,
    /// `OutboxCheck::assert_settled`.
    OutboxSettled,
}

/// One test body on a fresh desk of `backend` (skipped when that backend is not available),
/// followed by the `after` check.
pub async fn run<F, Fut>(backend: Backend, after: After, test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let check = app.outbox_check();
    test(app).await;
    if after == After::OutboxSettled {
        check.assert_settled().await;
    }
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The PostgreSQL server to make per-test databases on, or None to skip (a failure in CI).
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                !in_ci(),
                "CI=true but TEST_DATABASE_URL is not set: PostgreSQL tests must run in CI"
            );
            eprintln!("TEST_DATABASE_URL not set: skipping the PostgreSQL variant");
            None
        }
    }
}

/// A throw-away PostgreSQL database, dropped with this value.
pub struct PgDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl PgDatabase {
    pub fn create(admin_url: &str) -> Self {
        let suffix: String = tierdesk::security::random_token()
            .to_lowercase()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(16)
            .collect();
        let name = format!("tierdesk_t_{suffix}");
        let mut admin = PgConnection::establish(admin_url)
            .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at TEST_DATABASE_URL: {e}"));
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .expect("create test database");
        let base = admin_url
            .rsplit_once('/')
            .map(|(base, _)| base)
            .expect("TEST_DATABASE_URL names a database");
        Self {
            admin_url: admin_url.to_string(),
            url: format!("{base}/{name}"),
            name,
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = PgConnection::establish(&self.admin_url) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin);
        }
    }
}

pub struct TestApp {
    pub address: String,
    pub state: AppState,
    /// The desk's background work, run by the test with `jobs::run_once(&app.jobs)`.
    pub jobs: Arc<Jobs>,
    pub clock: Clock,
    pub client: reqwest::Client,
    pub first_admin: Option<FirstAdmin>,
    pub backend: Backend,
    pub data_dir: Arc<tempfile::TempDir>,
    _pg: Option<Arc<PgDatabase>>,
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, &[]).await
}

/// Starts the application with extra settings (`("BASE_URL", "https://…")`).
pub async fn spawn_app_with(backend: Backend, settings: &[(&str, &str)]) -> Option<TestApp> {
    let data_dir = Arc::new(tempfile::tempdir().expect("temp dir"));
    let pg = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(PgDatabase::create(&postgres_admin_url()?)),
    };
    Some(start(backend, data_dir, pg, settings).await)
}

/// Starts the application on a database that `prepare` has already written to, as a command
/// run before the first start would (`seed-demo`, `create-user`).
pub async fn spawn_app_after<P>(backend: Backend, prepare: P) -> Option<TestApp>
where
    P: FnOnce(&mut db::DbConn, &Config) + Send + 'static,
{
    let data_dir = Arc::new(tempfile::tempdir().expect("temp dir"));
    let pg = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(PgDatabase::create(&postgres_admin_url()?)),
    };
    let config = config_for(&data_dir, pg.as_ref().map(|p| p.url.as_str()), &[]);
    tokio::task::spawn_blocking(move || {
        let pool = db::build_pool(&config.database_url, 1).expect("pool");
        let mut conn = pool.get().expect("connection");
        db::run_migrations(&mut conn).expect("migrations");
        prepare(&mut conn, &config);
    })
    .await
    .expect("preparation");
    Some(start(backend, data_dir, pg, &[]).await)
}

pub fn config_for(
    data_dir: &tempfile::TempDir,
    database_url: Option<&str>,
    settings: &[(&str, &str)],
) -> Config {
    let mut vars: HashMap<String, String> = HashMap::new();
    vars.insert("DATA_DIR".into(), data_dir.path().display().to_string());
    vars.insert("BIND".into(), "127.0.0.1:0".into());
    vars.insert("WORKERS".into(), "2".into());
    // No background loop unless a test asks for one: tests drain with `jobs::run_once`, so
    // what runs when is decided by the test alone.
    vars.insert("JOBS_INTERVAL_SECONDS".into(), "0".into());
    // Tests drive the clock through days of a ticket's life with one signed-in browser; the
    // 12-hour default has a test of its own that sets it.
    vars.insert("SESSION_MAX_HOURS".into(), "720".into());
    if let Some(url) = database_url {
        vars.insert("DATABASE_URL".into(), url.into());
    }
    for (k, v) in settings {
        vars.insert((*k).into(), (*v).into());
    }
    Config::from_lookup(|k| vars.get(k).cloned()).expect("test configuration")
}

async fn start(
    backend: Backend,
    data_dir: Arc<tempfile::TempDir>,
    pg: Option<PgDatabase>,
    settings: &[(&str, &str)],
) -> TestApp {
    let config = config_for(&data_dir, pg.as_ref().map(|p| p.url.as_str()), settings);
    let clock = Clock::default();
    let app = Application::build_with_clock(config, clock.clone())
        .await
        .expect("application starts");
    let first_admin = app.first_admin.clone();
    let (server, state, jobs, port) = app.into_parts();
    tokio::spawn(server);
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        state,
        jobs,
        clock,
        client: new_client(),
        first_admin,
        backend,
        data_dir,
        _pg: pg.map(Arc::new),
    }
}

pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

impl Page {
    async fn from(response: reqwest::Response) -> Self {
        let status = response.status();
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = response.text().await.expect("body");
        Self {
            status,
            location,
            body,
        }
    }

    /// The text a person would read: tags stripped, entities decoded, whitespace collapsed.
    pub fn text(&self) -> String {
        let doc = scraper::Html::parse_document(&self.body);
        doc.root_element()
            .text()
            .collect::<Vec<_>>()
            .join(" ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn field_value(&self, name: &str) -> Option<String> {
        let doc = scraper::Html::parse_document(&self.body);
        let selector = scraper::Selector::parse(&format!("[name=\"{name}\"]")).ok()?;
        doc.select(&selector).next().and_then(|el| {
            el.value()
                .attr("value")
                .map(str::to_string)
                .or_else(|| Some(el.text().collect::<String>()))
        })
    }

    pub fn field_error(&self, name: &str) -> Option<String> {
        let doc = scraper::Html::parse_document(&self.body);
        let selector = scraper::Selector::parse(&format!("#{name}-error")).ok()?;
        doc.select(&selector)
            .next()
            .map(|el| el.text().collect::<String>().trim().to_string())
    }

    pub fn assert_redirect_to(&self, expected: &str) {
        assert_eq!(self.status, StatusCode::SEE_OTHER, "body: {}", self.text());
        assert_eq!(self.location.as_deref(), Some(expected));
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Page {
        Page::from(self.client.get(self.url(path)).send().await.expect("GET")).await
    }

    /// The session's CSRF token, read from a form the way a browser would have it.
    pub async fn csrf_token(&self) -> String {
        let page = self.get("/login").await;
        page.field_value("csrf_token").expect("a csrf_token field")
    }

    /// Posts a form with the session's CSRF token, as the browser would.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf_token().await;
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts exactly these fields, without adding a CSRF token.
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        Page::from(
            self.client
                .post(self.url(path))
                .form(fields)
                .send()
                .await
                .expect("POST"),
        )
        .await
    }

    /// Posts one of a ticket page's forms (`action`: triage, assign, work, …) as the browser
    /// would: with the row version the page shows now, and the session's CSRF token.
    pub async fn post_ticket_form(
        &self,
        ticket: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Page {
        let version = self
            .get(ticket)
            .await
            .field_value("version")
            .expect("a version field");
        let mut all: Vec<(&str, &str)> = vec![("version", version.as_str())];
        all.extend_from_slice(fields);
        self.post_form(&format!("{ticket}/{action}"), &all).await
    }

    /// Posts a client form, choosing the default calendar and SLA policy unless given.
    pub async fn post_client(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let (calendar, policy) = db::run(&self.state.pool, db::service_levels::defaults)
            .await
            .unwrap();
        let (calendar, policy) = (calendar.0.to_string(), policy.0.to_string());
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        // An edit carries the version its form was filled from; a new client has none.
        let version = match path {
            "/clients" => None,
            client => Some(self.form_version(&format!("{client}/edit"), client).await),
        };
        if let Some(version) = &version {
            all.push(("version", version));
        }
        if !fields.iter().any(|(k, _)| *k == "calendar_id") {
            all.push(("calendar_id", &calendar));
        }
        if !fields.iter().any(|(k, _)| *k == "sla_policy_id") {
            all.push(("sla_policy_id", &policy));
        }
        self.post_form(path, &all).await
    }

    /// The record version in `form_page`'s form whose action is `action`, as a browser would
    /// send it back.
    pub async fn form_version(&self, form_page: &str, action: &str) -> String {
        let page = self.get(form_page).await;
        let doc = scraper::Html::parse_document(&page.body);
        let selector = scraper::Selector::parse(&format!(
            "form[action=\"{action}\"] input[name=\"version\"]"
        ))
        .expect("selector");
        doc.select(&selector)
            .next()
            .and_then(|input| input.value().attr("value"))
            .map(str::to_string)
            .unwrap_or_else(|| panic!("{form_page} has no version in the form for {action}"))
    }

    /// Posts an edit form as the browser would: with the record version that `form_page`
    /// shows in the form whose action is `action`.
    pub async fn post_edit(&self, form_page: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let version = self.form_version(form_page, action).await;
        let mut all: Vec<(&str, &str)> = vec![("version", version.as_str())];
        all.extend_from_slice(fields);
        self.post_form(action, &all).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Page {
        self.post_form("/login", &[("email", email), ("password", password)])
            .await
    }

    /// Creates an account directly in the database (set-up, not the behaviour under test).
    pub async fn create_user(
        &self,
        email: &str,
        name: &str,
        role: Role,
        tier: Option<Tier>,
    ) -> String {
        let password = format!("{name} password 1");
        let hash = tierdesk::security::hash_password(&password).unwrap();
        let profile = UserProfile {
            email: EmailAddress::parse(email).unwrap(),
            display_name: name.into(),
            role,
            tier,
            skills: String::new(),
            time_zone: chrono_tz::Europe::London,
        };
        let now = self.clock.now();
        db::run(&self.state.pool, move |conn| {
            db::users::create(conn, None, &profile, &hash, false, now)
        })
        .await
        .unwrap()
        .unwrap();
        password
    }

    /// A fresh account of this role, signed in on this app's client.
    pub async fn sign_in_as(&self, role: Role) -> String {
        let (email, name, tier) = match role {
            Role::Technician => ("tech@msp.example", "Tess Tech", Some(Tier::Tier1)),
            Role::Manager => ("manager@msp.example", "Mia Manager", None),
            Role::Admin => ("boss@msp.example", "Ada Admin", None),
        };
        let password = self.create_user(email, name, role, tier).await;
        let page = self.login(email, &password).await;
        page.assert_redirect_to("/");
        email.to_string()
    }

    /// The end-of-test outbox check, taken before the test consumes the app.
    pub fn outbox_check(&self) -> OutboxCheck {
        OutboxCheck {
            state: self.state.clone(),
            _pg: self._pg.clone(),
        }
    }

    /// A second browser on the same desk.
    pub fn another_browser(&self) -> TestApp {
        TestApp {
            address: self.address.clone(),
            state: self.state.clone(),
            jobs: self.jobs.clone(),
            clock: self.clock.clone(),
            client: new_client(),
            first_admin: None,
            backend: self.backend,
            data_dir: self.data_dir.clone(),
            _pg: None,
        }
    }
}

/// The crates.io-style "nothing left in the queue" check for mail tests: once a test has
/// delivered what it meant to, no outbox row may still be queued or mid-send (failed is a
/// settled state: an admin's Retry decides what happens to it). A mail test that means to end
/// with mail undelivered leaves this check out where it is declared, with a comment saying
/// why; none does today.
pub struct OutboxCheck {
    state: AppState,
    /// Keeps the test's PostgreSQL database until the check has read it.
    _pg: Option<Arc<PgDatabase>>,
}

impl OutboxCheck {
    pub async fn assert_settled(self) {
        let rows = db::run(&self.state.pool, |conn| outbox::recent(conn, i64::MAX))
            .await
            .expect("the outbox reads");
        let stuck: Vec<String> = rows
            .iter()
            .filter(|r| matches!(r.status(), Some(Status::Pending | Status::Sending)))
            .map(|r| format!("#{} {} to {} ({})", r.id, r.kind, r.to_address, r.status))
            .collect();
        assert!(
            stuck.is_empty(),
            "mail left queued or mid-send at the end of the test: {stuck:?}"
        );
    }
}

/// Restarts against the same database (for "runs twice" checks): returns the new app's admin.
pub async fn restart(app: &TestApp) -> Option<FirstAdmin> {
    let url = app._pg.as_ref().map(|pg| pg.url.clone());
    let config = config_for(&app.data_dir, url.as_deref(), &[]);
    let second = Application::build(config).await.expect("second start");
    second.first_admin.clone()
}

/// A second instance of the desk on the same database and clock, as behind a load balancer.
pub async fn another_instance(app: &TestApp, settings: &[(&str, &str)]) -> Arc<Jobs> {
    let url = app._pg.as_ref().map(|pg| pg.url.clone());
    let config = config_for(&app.data_dir, url.as_deref(), settings);
    let second = Application::build_with_clock(config, app.clock.clone())
        .await
        .expect("second instance starts");
    let (server, _, jobs, _) = second.into_parts();
    tokio::spawn(server);
    jobs
}
