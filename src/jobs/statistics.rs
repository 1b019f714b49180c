//! Keeps SQLite's planner statistics true on a long-running desk: every few hours, each table
//! that has doubled or halved since it was last analysed is analysed again (the start-up check,
//! `db::analyse_unknown_tables`). A queue chooses its index by them, so a desk that grew from a
//! thousand tickets to a million without a restart must not plan as if it still held a
//! thousand. PostgreSQL's autovacuum does this on its own; the sweep does nothing there.

use chrono::{DateTime, Duration, Utc};

use super::Tally;
use crate::db;
use crate::state::AppState;

pub const NAME: &str = "statistics";
pub const ANALYSED: &str = "tables analysed";

/// How often the check runs in one process; it counts every table's rows, a second or so at a
/// million tickets.
pub const EVERY: Duration = Duration::hours(6);

/// Whether the check is due, given when this process last made it.
pub fn due(last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last.is_none_or(|at| now - at >= EVERY)
}

pub async fn run(
    state: &AppState,
    last: &std::sync::Mutex<Option<DateTime<Utc>>>,
) -> anyhow::Result<Tally> {
    let now = state.clock.now();
    {
        let mut last = last.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if !due(*last, now) {
            return Ok(Tally::default());
        }
        *last = Some(now);
    }
    let analysed = db::run(&state.pool, db::analyse_unknown_tables).await?;
    let mut tally = Tally::default();
    tally.add(ANALYSED, analysed);
    Ok(tally)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn the_check_runs_every_six_hours_from_start_up() {
        let start = Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).unwrap();
        let cases = [
            (None, start, true),
            (Some(start), start, false),
            (
                Some(start),
                start + Duration::hours(5) + Duration::minutes(59),
                false,
            ),
            (Some(start), start + Duration::hours(6), true),
            (Some(start), start + Duration::days(3), true),
        ];
        for (last, now, expected) in cases {
            assert_eq!(due(last, now), expected, "{last:?} {now}");
        }
    }
}
