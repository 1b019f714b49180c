//! What the web handlers and the background sweeps share: the database pool, the
//! configuration, the clock, and what outgoing mail needs from the configuration. Both `web`
//! and `jobs` take it from here, so neither has to import the other.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OnceCell, Semaphore};

use crate::clock::Clock;
use crate::config::Config;
use crate::db::Pool;
use crate::db::alerts::writer::AlertWriter;
use crate::db::known_errors_on_ticket::MatchCache;
use crate::error::{AppError, AppResult};
use crate::mail::messages::MailContext;

/// How long a password check may wait for a free hashing slot before the request is answered
/// 503: a flood of sign-ins queues briefly, then sheds load instead of piling up.
const HASHING_QUEUE_WAIT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub config: Arc<Config>,
    pub clock: Clock,
    /// Fixed at start-up: the configuration does not change while the desk runs.
    mail: MailContext,
    /// One slot per core for argon2 (19 MiB and tens of milliseconds per check), so a burst of
    /// sign-ins cannot take all memory and every blocking thread.
    hashing: Arc<Semaphore>,
    /// Started with the first alert, so a desk without monitoring runs no writer threads.
    alert_writer: Arc<OnceCell<AlertWriter>>,
    /// The ticket page's known-error matches, shared by every worker.
    pub known_error_matches: Arc<MatchCache>,
}

impl AppState {
    pub fn new(pool: Pool, config: Arc<Config>, clock: Clock) -> Self {
        let mail = MailContext::from_config(&config);
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self {
            pool,
            config,
            clock,
            mail,
            hashing: Arc::new(Semaphore::new(cores)),
            alert_writer: Arc::new(OnceCell::new()),
            known_error_matches: Arc::new(MatchCache::default()),
        }
    }

    /// Runs password hashing or verification on a blocking thread once a hashing slot is free;
    /// `AppError::Busy` when none frees up in time.
    pub async fn password_work<T, F>(&self, work: F) -> AppResult<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit = tokio::time::timeout(HASHING_QUEUE_WAIT, self.hashing.clone().acquire_owned())
            .await
            .map_err(|_| AppError::Busy)?
            .map_err(AppError::internal)?;
        let result = actix_web::web::block(move || {
            let result = work();
            drop(permit);
            result
        })
        .await?;
        Ok(result)
    }

    /// The threads that write monitoring alerts, several to a transaction.
    pub async fn alert_writer(&self) -> AppResult<&AlertWriter> {
        self.alert_writer
            .get_or_try_init(|| async { AlertWriter::start(&self.pool, &self.mail) })
            .await
    }

    /// What outgoing mail needs from the configuration (link base, Message-ID domain), owned so
    /// it can move into a `db::run` closure.
    pub fn mail(&self) -> MailContext {
        self.mail.clone()
    }
}
