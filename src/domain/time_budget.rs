//! A level's time budget: how long a ticket may stay at its escalation level before the time
//! trigger moves it up, counted on the ticket's resolution clock.

use chrono::{DateTime, Duration, Utc};

use super::calendar::BusinessCalendar;
use super::escalation::{BudgetSpan, BudgetState, Ladder, Level};
use super::priority::Priority;
use super::sla::{self, Pause, Target};

/// A level's time budget for one ticket, and how it stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LevelBudget {
    pub span: BudgetSpan,
    /// What the due-soon share is taken of: the level's own share.
    pub budget: Duration,
    pub state: BudgetState,
}

/// When a ticket's clock is read: recorded at `opened`, at its level `since`, read at `now`.
#[derive(Clone, Copy, Debug)]
pub struct Times<'a> {
    pub opened: DateTime<Utc>,
    pub since: DateTime<Utc>,
    pub now: DateTime<Utc>,
    pub pauses: &'a [Pause],
}

/// How the ticket's time at `level` stands against the level's budget: it runs out once the
/// resolution clock (business hours or round the clock, less pauses) has passed the level's
/// point and the ticket has had the level's own share since it arrived. `None` when the level
/// has no budget for the priority.
pub fn level_budget(
    ladder: &Ladder,
    level: &Level,
    priority: Priority,
    target: &Target,
    calendar: &BusinessCalendar,
    times: Times<'_>,
) -> Option<LevelBudget> {
    let span = ladder.budget(level, priority, target.resolution)?;
    let used = |from| sla::elapsed(calendar, target.mode, from, times.now, times.pauses);
    let left = (span.until - used(times.opened)).max(span.share - used(times.since));
    let state = if left > Duration::zero() {
        BudgetState::Left(left)
    } else {
        BudgetState::RanOut
    };
    Some(LevelBudget {
        span,
        budget: span.share,
        state,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::domain::account::Tier;
    use crate::domain::sla::ClockMode;
    use chrono::TimeZone;

    fn level(id: i64, tier: Tier, budget: Option<i32>) -> Level {
        Level {
            id,
            position: i32::try_from(id).unwrap(),
            name: tier.label().into(),
            tier: Some(tier),
            decision_point: false,
            budget_percent: [budget; 3],
            default_owner: None,
        }
    }

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 11, h, m, 0).unwrap()
    }

    fn target() -> Target {
        Target {
            response: Duration::hours(1),
            resolution: Duration::hours(4),
            mode: ClockMode::Always,
        }
    }

    #[test]
    fn a_level_budget_is_counted_on_the_clock_less_pauses() {
        let cal = BusinessCalendar::always_open();
        // 50 % of a 4-hour resolution target: two hours at the level.
        let ladder = Ladder::new(vec![level(1, Tier::Tier1, Some(50))]);
        let tier1 = ladder.get(1).unwrap();
        let pause = [Pause {
            from: at(9, 30),
            until: Some(at(10, 0)),
        }];
        let left = |m| Some(BudgetState::Left(Duration::minutes(m)));
        for (now, pauses, expected) in [
            (at(9, 0), &[][..], left(120)),
            (at(10, 59), &[][..], left(1)),
            (at(11, 0), &[][..], Some(BudgetState::RanOut)),
            (at(11, 0), &pause[..], left(30)),
            (at(11, 30), &pause[..], Some(BudgetState::RanOut)),
        ] {
            let times = Times {
                opened: at(9, 0),
                since: at(9, 0),
                now,
                pauses,
            };
            let got = level_budget(&ladder, tier1, Priority::P1, &target(), &cal, times);
            assert_eq!(got.map(|b| b.state), expected, "at {now}");
            assert_eq!(got.map(|b| b.budget), Some(Duration::hours(2)));
        }
        let unbudgeted = Ladder::new(vec![level(1, Tier::Tier1, None)]);
        let times = Times {
            opened: at(9, 0),
            since: at(9, 0),
            now: at(12, 0),
            pauses: &[],
        };
        assert_eq!(
            level_budget(
                &unbudgeted,
                unbudgeted.get(1).unwrap(),
                Priority::P1,
                &target(),
                &cal,
                times
            ),
            None
        );
    }

    #[test]
    fn each_level_runs_to_its_point_but_a_late_arrival_keeps_its_share() {
        let cal = BusinessCalendar::always_open();
        // Recorded at 9:00 with 4 hours to resolve: tier 1 until 11:00 (50 %), tier 2 until
        // 12:00 (75 %, its share one hour), tier 3 until 12:36 (90 %, its share 36 minutes).
        let ladder = Ladder::new(vec![
            level(1, Tier::Tier1, Some(50)),
            level(2, Tier::Tier2, Some(75)),
            level(3, Tier::Tier3, Some(90)),
        ]);
        let left = |m| BudgetState::Left(Duration::minutes(m));
        let table = [
            // Arrived by time at tier 2 at 11:00: an hour to 12:00.
            (2, at(11, 0), at(11, 0), left(60)),
            (2, at(11, 0), at(12, 0), BudgetState::RanOut),
            // Escalated by hand at 9:30: still only until 12:00.
            (2, at(9, 30), at(11, 30), left(30)),
            // Escalated by hand at 12:30, past tier 2's point: its hour still counts.
            (2, at(12, 30), at(12, 30), left(60)),
            (2, at(12, 30), at(13, 30), BudgetState::RanOut),
            (3, at(12, 0), at(12, 35), left(1)),
            (3, at(12, 0), at(12, 36), BudgetState::RanOut),
        ];
        for (id, since, now, expected) in table {
            let times = Times {
                opened: at(9, 0),
                since,
                now,
                pauses: &[],
            };
            let got = level_budget(
                &ladder,
                ladder.get(id).unwrap(),
                Priority::P2,
                &target(),
                &cal,
                times,
            )
            .unwrap();
            assert_eq!(got.state, expected, "level {id} since {since} at {now}");
        }
    }
}
