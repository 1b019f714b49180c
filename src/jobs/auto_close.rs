//! Closes solved tickets once their reopen period has passed (blueprints, incident step 9).
//! Each close is a version-guarded update, so instances running this at once never close a
//! ticket twice.

use super::Tally;
use crate::db;
use crate::domain::ticket::DEFAULT_SOLVED_WINDOW;
use crate::state::AppState;

pub const NAME: &str = "auto_close";
pub const CLOSED: &str = "closed";

/// Tickets closed per transaction batch; the sweep repeats until none is due.
const BATCH: i64 = 100;

pub async fn run(state: &AppState) -> anyhow::Result<Tally> {
    let now = state.clock.now();
    let mail = state.mail();
    let mut tally = Tally::default();
    loop {
        let mail = mail.clone();
        let closed = db::run(&state.pool, move |conn| {
            db::tickets::close_solved(conn, DEFAULT_SOLVED_WINDOW, BATCH, &mail, now)
        })
        .await?;
        tally.add(CLOSED, closed.len());
        if (closed.len() as i64) < BATCH {
            return Ok(tally);
        }
    }
}
