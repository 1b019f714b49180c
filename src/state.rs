//! What the web handlers and the background sweeps share: the database pool, the
//! configuration, the clock, and what outgoing mail needs from the configuration. Both `web`
//! and `jobs` take it from here, so neither has to import the other.

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::Pool;
use crate::mail::messages::MailContext;

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub config: Arc<Config>,
    pub clock: Clock,
    /// Fixed at start-up: the configuration does not change while the desk runs.
    mail: MailContext,
}

impl AppState {
    pub fn new(pool: Pool, config: Arc<Config>, clock: Clock) -> Self {
        let mail = MailContext::from_config(&config);
        Self {
            pool,
            config,
            clock,
            mail,
        }
    }

    /// What outgoing mail needs from the configuration (link base, Message-ID domain), owned so
    /// it can move into a `db::run` closure.
    pub fn mail(&self) -> MailContext {
        self.mail.clone()
    }
}
