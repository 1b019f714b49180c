//! tierdesk: a service desk for managed-service providers.

pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod format;
pub mod jobs;
pub mod mail;
pub mod private_files;
pub mod security;
pub mod seed;
pub mod state;
pub mod web;

use std::net::TcpListener;
use std::sync::Arc;

use actix_session::SessionMiddleware;
use actix_session::config::{PersistentSession, TtlExtensionPolicy};
use actix_session::storage::CookieSessionStore;
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::middleware::{self, DefaultHeaders};
use actix_web::{App, HttpServer, web as aweb};
use anyhow::Context;

use crate::clock::Clock;
use crate::config::Config;
use crate::jobs::Jobs;
use crate::mail::transport::Mailer;
use crate::state::AppState;

pub use crate::db::users::FirstAdmin;

/// Connections the web server holds. Each worker runs its blocking work (database turns above
/// all) on at most as many threads: a thread beyond them would only wait for a connection, and
/// each one the default allowed (256 a worker) kept its own stack and allocator arena.
const POOL_SIZE: u32 = 10;

pub struct Application {
    port: u16,
    server: Server,
    pub state: AppState,
    /// This instance's background work; `jobs::run_once(&app.jobs)` runs one pass of it.
    pub jobs: Arc<Jobs>,
    pub first_admin: Option<FirstAdmin>,
}

pub const FIRST_ADMIN_EMAIL: &str = "admin@tierdesk.local";

const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; \
     style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'";

/// Headers on every response. A desk served over https also tells browsers to use nothing
/// else for a year, so a network attacker cannot downgrade a later visit.
fn security_headers(https: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "same-origin"))
        .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY));
    if https {
        headers.add(("Strict-Transport-Security", "max-age=31536000"))
    } else {
        headers
    }
}

impl Application {
    /// Opens the database, runs migrations, creates the first admin when there is no account,
    /// starts the background jobs (see `jobs::spawn`) and binds the listener. The server
    /// starts when the returned value is run.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with_clock(config, Clock::default()).await
    }

    pub async fn build_with_clock(config: Config, clock: Clock) -> anyhow::Result<Self> {
        // First, so a bad MAIL_FROM or SMTP_URL stops start-up before the database is touched.
        let mailer = Mailer::from_config(&config)?;
        let pool = db::build_pool(&config.database_url, POOL_SIZE)?;
        let first_admin = {
            let pool = pool.clone();
            let now = clock.now();
            tokio::task::spawn_blocking(move || -> anyhow::Result<Option<FirstAdmin>> {
                let mut conn = pool.get()?;
                db::run_migrations(&mut conn)?;
                db::analyse_unknown_tables(&mut conn).context("planner statistics")?;
                db::users::ensure_first_admin(&mut conn, FIRST_ADMIN_EMAIL, now)
            })
            .await??
        };

        let listener = TcpListener::bind(config.bind)
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        let port = listener.local_addr()?.port();
        let key = Key::try_from(config.secret_key.expose().as_slice())
            .map_err(|e| anyhow::anyhow!("SECRET_KEY unusable: {e}"))?;
        let state = AppState::new(pool, Arc::new(config), clock);
        let jobs = Arc::new(Jobs::new(state.clone(), mailer));

        let data = aweb::Data::new(state.clone());
        let secure = state.config.cookies_secure();
        // The server decides when a session ends; the cookie only has to outlive the longest.
        let cookie_lifetime =
            actix_web::cookie::time::Duration::hours(state.config.session_max_hours);
        let mut server = HttpServer::new(move || {
            let session = SessionMiddleware::builder(CookieSessionStore::default(), key.clone())
                .cookie_name("tierdesk_session".into())
                .cookie_secure(secure)
                .cookie_http_only(true)
                .cookie_same_site(SameSite::Lax)
                .session_lifecycle(
                    PersistentSession::default()
                        .session_ttl(cookie_lifetime)
                        .session_ttl_extension_policy(TtlExtensionPolicy::OnStateChanges),
                )
                .build();
            App::new()
                .app_data(data.clone())
                .app_data(
                    aweb::FormConfig::default()
                        .limit(web::csrf::MAX_FORM_BYTES)
                        .error_handler(|err, _| {
                            tracing::info!(error = %err, "unreadable form");
                            actix_web::error::ErrorBadRequest(
                                "This form could not be read. Go back and send it again.",
                            )
                        }),
                )
                .configure(web::routes)
                .default_service(aweb::to(web::not_found))
                .wrap(middleware::from_fn(web::csrf::guard))
                .wrap(session)
                .wrap(security_headers(secure))
                .wrap(middleware::Compress::default())
                .wrap(middleware::from_fn(web::head_as_get))
                .wrap(middleware::from_fn(web::log_request))
        })
        .listen(listener)?
        .worker_max_blocking_threads(POOL_SIZE as usize);
        if let Some(workers) = state.config.workers {
            server = server.workers(workers);
        }
        let server = server.run();
        // Started last, so a desk that fails to start leaves no loop behind.
        jobs::spawn(jobs.clone());

        Ok(Self {
            port,
            server,
            state,
            jobs,
            first_admin,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// Splits off the server future so a test can spawn it and keep the state and the jobs.
    pub fn into_parts(self) -> (Server, AppState, Arc<Jobs>, u16) {
        (self.server, self.state, self.jobs, self.port)
    }
}
