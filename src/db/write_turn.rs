//! SQLite takes one writer at a time, and a writer that finds the database locked sleeps in
//! growing steps (busy_timeout) instead of queueing. The API's per-request writes on SQLite (a
//! token's count, an alert) take turns here first, so under a burst of alerts one hands over to
//! the next at once instead of sleeping. PostgreSQL runs them side by side and never calls this.

use std::sync::Mutex;

static TURN: Mutex<()> = Mutex::new(());

pub fn sqlite_turn<T>(write: impl FnOnce() -> T) -> T {
    // A writer that panicked left nothing behind the lock to repair.
    let _turn = TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    write()
}
