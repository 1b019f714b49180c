//! The minutes a ticket took to be answered and to be resolved, as the reports count them for
//! their medians and 90th percentiles: on the clock its SLA target runs on (the client's business
//! calendar, or around the clock for a target counted that way), the resolution clock stopped by
//! the ticket's pauses — exactly the figure the SLA clock shows as "used".

use chrono::{DateTime, Utc};

use crate::domain::calendar::BusinessCalendar;
use crate::domain::sla::{Pause, Target, elapsed};

/// Whole minutes (rounded down); `None` while the ticket has no response, or is not solved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TicketMinutes {
    pub response: Option<i32>,
    pub resolution: Option<i32>,
}

/// The figures of one ticket created at `created`, answered at `responded` and solved at
/// `solved`. The response clock never pauses (as the SLA's response due time); the resolution
/// clock skips the pauses. An instant before the creation counts as no time at all.
pub fn ticket_minutes(
    cal: &BusinessCalendar,
    target: &Target,
    created: DateTime<Utc>,
    responded: Option<DateTime<Utc>>,
    solved: Option<DateTime<Utc>>,
    pauses: &[Pause],
) -> TicketMinutes {
    let minutes = |until: DateTime<Utc>, pauses: &[Pause]| {
        let counted = elapsed(cal, target.mode, created, until.max(created), pauses);
        i32::try_from(counted.num_minutes()).unwrap_or(i32::MAX)
    };
    TicketMinutes {
        response: responded.map(|at| minutes(at, &[])),
        resolution: solved.map(|at| minutes(at, pauses)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::domain::sla::ClockMode;
    use crate::domain::test_time::ny;
    use chrono::{Duration, NaiveDate};
    use chrono_tz::America::New_York;

    // 2026-05-15 is a Friday; 2026-12-25 (Christmas) a Friday; 2026-03-08 the US spring-forward
    // Sunday; 2026-11-01 the fall-back Sunday.

    fn office() -> BusinessCalendar {
        BusinessCalendar::builder(New_York)
            .open_weekdays("07:00", "18:00")
            .holiday(NaiveDate::from_ymd_opt(2026, 12, 25).unwrap())
            .build()
            .unwrap()
    }

    fn target(mode: ClockMode) -> Target {
        Target {
            response: Duration::minutes(30),
            resolution: Duration::hours(4),
            mode,
        }
    }

    fn pause(from: DateTime<Utc>, until: DateTime<Utc>) -> Pause {
        Pause {
            from,
            until: Some(until),
        }
    }

    type Case = (
        &'static str,
        ClockMode,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        Vec<Pause>,
        (Option<i32>, Option<i32>),
    );

    #[test]
    fn minutes_follow_the_clock_of_the_target() {
        use ClockMode::{Always, BusinessHours as Business};
        let cases: Vec<Case> = vec![
            (
                "inside one business day",
                Business,
                ny((2026, 5, 15), 9, 0),
                Some(ny((2026, 5, 15), 9, 20)),
                Some(ny((2026, 5, 15), 11, 5)),
                vec![],
                (Some(20), Some(125)),
            ),
            (
                "a weekend counts nothing: Friday 17:00 to Monday 08:00",
                Business,
                ny((2026, 5, 15), 17, 0),
                Some(ny((2026, 5, 18), 8, 0)),
                Some(ny((2026, 5, 18), 8, 0)),
                vec![],
                (Some(120), Some(120)),
            ),
            (
                "a holiday counts nothing: Thursday 17:00 to Monday 08:00 over Christmas",
                Business,
                ny((2026, 12, 24), 17, 0),
                Some(ny((2026, 12, 28), 8, 0)),
                None,
                vec![],
                (Some(120), None),
            ),
            (
                "around the clock, a weekend counts in full",
                Always,
                ny((2026, 5, 15), 17, 0),
                Some(ny((2026, 5, 16), 17, 0)),
                None,
                vec![],
                (Some(1440), None),
            ),
            (
                "around the clock across the spring-forward night: 23 hours from noon to noon",
                Always,
                ny((2026, 3, 7), 12, 0),
                None,
                Some(ny((2026, 3, 8), 12, 0)),
                vec![],
                (None, Some(1380)),
            ),
            (
                "around the clock across the fall-back night: 25 hours from noon to noon",
                Always,
                ny((2026, 10, 31), 12, 0),
                None,
                Some(ny((2026, 11, 1), 12, 0)),
                vec![],
                (None, Some(1500)),
            ),
            (
                "business hours across the spring-forward weekend: Saturday to Monday 07:30",
                Business,
                ny((2026, 3, 7), 10, 0),
                Some(ny((2026, 3, 9), 7, 30)),
                None,
                vec![],
                (Some(30), None),
            ),
            (
                "around the clock across midnight",
                Always,
                ny((2026, 5, 14), 23, 30),
                Some(ny((2026, 5, 15), 0, 30)),
                Some(ny((2026, 5, 15), 0, 45)),
                vec![],
                (Some(60), Some(75)),
            ),
            (
                "a pause across a night stops the resolution clock, not the response clock",
                Business,
                ny((2026, 5, 14), 16, 0),
                Some(ny((2026, 5, 15), 10, 0)),
                Some(ny((2026, 5, 15), 10, 0)),
                vec![pause(ny((2026, 5, 14), 17, 0), ny((2026, 5, 15), 9, 0))],
                (Some(300), Some(120)),
            ),
            (
                "a pause across a night around the clock",
                Always,
                ny((2026, 5, 14), 22, 0),
                None,
                Some(ny((2026, 5, 15), 2, 0)),
                vec![pause(ny((2026, 5, 14), 23, 0), ny((2026, 5, 15), 1, 0))],
                (None, Some(120)),
            ),
            (
                "part of a minute is not counted",
                Always,
                ny((2026, 5, 15), 9, 0),
                Some(ny((2026, 5, 15), 9, 0) + Duration::seconds(59)),
                Some(ny((2026, 5, 15), 9, 1) + Duration::seconds(59)),
                vec![],
                (Some(0), Some(1)),
            ),
            (
                "an instant before the creation counts as none",
                Always,
                ny((2026, 5, 15), 9, 0),
                Some(ny((2026, 5, 15), 8, 0)),
                None,
                vec![],
                (Some(0), None),
            ),
            (
                "nothing answered or solved yet",
                Business,
                ny((2026, 5, 15), 9, 0),
                None,
                None,
                vec![],
                (None, None),
            ),
        ];
        let cal = office();
        for (name, mode, created, responded, solved, pauses, (response, resolution)) in cases {
            let got = ticket_minutes(&cal, &target(mode), created, responded, solved, &pauses);
            assert_eq!(
                got,
                TicketMinutes {
                    response,
                    resolution
                },
                "{name}"
            );
        }
    }
}
