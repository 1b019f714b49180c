//! SQLite takes one writer at a time, and a writer that finds the database locked sleeps in
//! growing steps (busy_timeout) instead of queueing. Every write transaction of the process
//! (`db::write_tx`) takes its turn here first, so one writer hands over to the next at once
//! instead of sleeping. Another process (a second desk, the mail gate) still meets the lock and
//! busy_timeout. PostgreSQL runs writers side by side and never calls this.

use std::sync::Mutex;

static TURN: Mutex<()> = Mutex::new(());

pub fn sqlite_turn<T>(write: impl FnOnce() -> T) -> T {
    // A writer that panicked left nothing behind the lock to repair.
    let _turn = TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    write()
}
