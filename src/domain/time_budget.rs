//! A level's time budget: how long a ticket may stay at its escalation level before the time
//! trigger moves it up, counted on the ticket's resolution clock.

use chrono::{DateTime, Duration, Utc};

use super::calendar::BusinessCalendar;
use super::escalation::{BudgetState, Level, budget_state};
use super::priority::Priority;
use super::sla::{self, Pause, Target};

/// A level's time budget for one ticket, and how it stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LevelBudget {
    pub budget: Duration,
    pub state: BudgetState,
}

/// How the ticket's time at `level` stands against the level's budget at `now`: counted on the
/// ticket's resolution clock (business hours or round the clock, less pauses) from `since`,
/// when it reached the level. `None` when the level has no budget for the priority.
pub fn level_budget(
    level: &Level,
    priority: Priority,
    target: &Target,
    calendar: &BusinessCalendar,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    pauses: &[Pause],
) -> Option<LevelBudget> {
    let budget = level.budget(priority, target.resolution)?;
    let used = sla::elapsed(calendar, target.mode, since, now, pauses);
    Some(LevelBudget {
        budget,
        state: budget_state(budget, used),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::domain::account::Tier;
    use crate::domain::sla::ClockMode;
    use chrono::TimeZone;

    fn level(budget: Option<i32>) -> Level {
        Level {
            id: 1,
            position: 1,
            name: "Tier 1".into(),
            tier: Some(Tier::Tier1),
            decision_point: false,
            budget_percent: [budget; 3],
        }
    }

    #[test]
    fn a_level_budget_is_counted_on_the_clock_less_pauses() {
        let at = |h, m| Utc.with_ymd_and_hms(2026, 5, 11, h, m, 0).unwrap();
        let cal = BusinessCalendar::always_open();
        let target = Target {
            response: Duration::hours(1),
            resolution: Duration::hours(4),
            mode: ClockMode::Always,
        };
        // 50 % of a 4-hour resolution target: two hours at the level.
        let budgeted = level(Some(50));
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
            let got = level_budget(
                &budgeted,
                Priority::P1,
                &target,
                &cal,
                at(9, 0),
                now,
                pauses,
            );
            assert_eq!(got.map(|b| b.state), expected, "at {now}");
            assert_eq!(got.map(|b| b.budget), Some(Duration::hours(2)));
        }
        let unbudgeted = level(None);
        assert_eq!(
            level_budget(
                &unbudgeted,
                Priority::P1,
                &target,
                &cal,
                at(9, 0),
                at(12, 0),
                &[]
            ),
            None
        );
    }
}
