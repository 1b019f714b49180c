//! Fills the business minutes of answered and solved tickets written before the reports kept
//! them (or loaded as generated history), a few batches per pass so the other sweeps keep their
//! pace; it finds nothing to do once the history is filled.

use super::Tally;
use crate::db;
use crate::state::AppState;

pub const NAME: &str = "report minutes";
pub const FILLED: &str = "tickets filled";

/// Batches per pass: at most this many × `db::reports::business_minutes::BATCH` tickets.
const BATCHES_PER_PASS: usize = 10;

pub async fn run(state: &AppState) -> anyhow::Result<Tally> {
    let filled = db::run(&state.pool, |conn| {
        let mut filled = 0;
        for _ in 0..BATCHES_PER_PASS {
            match db::reports::business_minutes::backfill_batch(conn)? {
                0 => break,
                n => filled += n,
            }
        }
        Ok(filled)
    })
    .await?;
    let mut tally = Tally::default();
    tally.add(FILLED, filled);
    Ok(tally)
}
