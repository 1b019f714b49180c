//! The time trigger (blueprints, "Escalation triggers"): a ticket whose level has spent its
//! time budget goes to the next level, and that level and the manager are told. Each
//! escalation is a version-guarded update, so instances running this at once escalate a
//! ticket once.

use super::Tally;
use crate::db;
use crate::state::AppState;

pub const NAME: &str = "escalate";
pub const ESCALATED: &str = "escalated";

pub async fn run(state: &AppState) -> anyhow::Result<Tally> {
    let now = state.clock.now();
    let mail = state.mail();
    let escalated = db::run(&state.pool, move |conn| {
        db::escalation::escalate_overdue(conn, &mail, now)
    })
    .await?;
    let mut tally = Tally::default();
    tally.add(ESCALATED, escalated.len());
    Ok(tally)
}
