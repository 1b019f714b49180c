//! Risk monitoring (blueprints, Risk Management step 4): reminds owners of milestones,
//! deadlines and reviews, and clients of treatments left unaccepted. Every reminder is claimed
//! by a guarded update, so instances running this at once send each one once.

use super::Tally;
use crate::db;
use crate::state::AppState;

pub const NAME: &str = "risks";
pub const MILESTONES: &str = "milestone reminders";
pub const REVIEWS: &str = "review reminders";
pub const ACCEPTANCES: &str = "acceptance reminders";

pub async fn run(state: &AppState) -> anyhow::Result<Tally> {
    let now = state.clock.now();
    let mail = state.mail();
    let swept = db::run(&state.pool, move |conn| {
        db::risks::monitor::sweep(conn, &mail, now)
    })
    .await?;
    let mut tally = Tally::default();
    tally.add(MILESTONES, swept.milestones);
    tally.add(REVIEWS, swept.reviews);
    tally.add(ACCEPTANCES, swept.acceptances);
    Ok(tally)
}
