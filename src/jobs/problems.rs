//! Recomputes the suggested problems from recent incidents. The pass is one serialised write
//! transaction and each finding's signature is unique, so instances running it at once record
//! each suggestion once.

use super::Tally;
use crate::db;
use crate::state::AppState;

pub const NAME: &str = "problem_detection";
pub const SUGGESTED: &str = "suggested";

pub async fn run(state: &AppState) -> anyhow::Result<Tally> {
    let now = state.clock.now();
    let added = db::run(&state.pool, move |conn| {
        db::problems::detect::recompute(conn, now)
    })
    .await?;
    let mut tally = Tally::default();
    tally.add(SUGGESTED, added);
    Ok(tally)
}
