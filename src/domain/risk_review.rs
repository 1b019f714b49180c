//! Monitoring a risk over time (the blueprints' steps 4 and 5): when it is next reviewed, the
//! dates where it grows (a warranty ends, support ends) or by which it must be gone, and what
//! the monitoring sweep owes the owner and the client on a given day.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::risk::Classification;

/// Days between reviews, per classification; admins may change them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReviewSchedule {
    pub managed_days: i32,
    pub monitored_days: i32,
    pub observed_days: i32,
}

impl Default for ReviewSchedule {
    /// Monitored risks are watched for signs, so most often; observed ones least.
    fn default() -> Self {
        Self {
            managed_days: 90,
            monitored_days: 30,
            observed_days: 180,
        }
    }
}

impl ReviewSchedule {
    /// The longest gap allowed: a risk left unreviewed for over two years is no longer
    /// monitored in any useful sense.
    pub const MAX_DAYS: i32 = 730;

    /// # Errors
    ///
    /// One sentence per interval outside 1 to [`MAX_DAYS`](Self::MAX_DAYS).
    pub fn new(managed_days: i32, monitored_days: i32, observed_days: i32) -> Result<Self, String> {
        let problems: Vec<String> = [
            ("managed", managed_days),
            ("monitored", monitored_days),
            ("observed", observed_days),
        ]
        .into_iter()
        .filter(|(_, days)| !(1..=Self::MAX_DAYS).contains(days))
        .map(|(name, _)| format!("Review {name} risks every 1 to {} days.", Self::MAX_DAYS))
        .collect();
        if problems.is_empty() {
            Ok(Self {
                managed_days,
                monitored_days,
                observed_days,
            })
        } else {
            Err(problems.join(" "))
        }
    }

    pub fn days(self, classification: Classification) -> i32 {
        match classification {
            Classification::Managed => self.managed_days,
            Classification::Monitored => self.monitored_days,
            Classification::Observed => self.observed_days,
        }
    }

    /// The next review after one done (or the risk classified) on `from`.
    pub fn next_review(self, classification: Classification, from: NaiveDate) -> NaiveDate {
        from + Duration::days(i64::from(self.days(classification)))
    }
}

/// A date that matters to a risk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MilestoneKind {
    /// The asset's hardware warranty ends: repairs are no longer covered.
    WarrantyEnd,
    /// The vendor stops supporting the asset: no more security fixes.
    EndOfSupport,
    /// Any other date where the risk grows, entered by hand.
    Other,
    /// The date by which the risk must be removed.
    Deadline,
}

impl MilestoneKind {
    pub const ALL: [MilestoneKind; 4] = [
        MilestoneKind::WarrantyEnd,
        MilestoneKind::EndOfSupport,
        MilestoneKind::Other,
        MilestoneKind::Deadline,
    ];

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw.trim())
            .ok_or_else(|| "Choose warranty end, end of support, other or deadline.".to_string())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MilestoneKind::WarrantyEnd => "warranty_end",
            MilestoneKind::EndOfSupport => "end_of_support",
            MilestoneKind::Other => "other",
            MilestoneKind::Deadline => "deadline",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MilestoneKind::WarrantyEnd => "Warranty ends",
            MilestoneKind::EndOfSupport => "End of support",
            MilestoneKind::Other => "Milestone",
            MilestoneKind::Deadline => "Deadline",
        }
    }
}

/// How far ahead the owner hears of a milestone or deadline: two weeks leaves time to order
/// a replacement or plan the work.
pub const MILESTONE_LEAD_DAYS: i64 = 14;

/// Where a dated milestone stands on `today`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MilestoneState {
    Later,
    /// Within the lead time: the owner should be told once.
    Approaching,
    /// The date has passed: flagged on the dashboard.
    Passed,
}

pub fn milestone_state(date: NaiveDate, today: NaiveDate) -> MilestoneState {
    if date < today {
        MilestoneState::Passed
    } else if date - today <= Duration::days(MILESTONE_LEAD_DAYS) {
        MilestoneState::Approaching
    } else {
        MilestoneState::Later
    }
}

/// The furthest a deadline may lie: beyond ten years it is a wish, not a plan.
pub const MAX_DEADLINE_DAYS: i64 = 3650;

/// A remove-by date entered by hand must lie ahead: a deadline already passed plans nothing.
pub fn check_deadline(date: NaiveDate, today: NaiveDate) -> Result<(), String> {
    if date < today {
        Err("Choose today or a later date: a deadline in the past plans nothing.".into())
    } else if date - today > Duration::days(MAX_DEADLINE_DAYS) {
        Err("Choose a date within ten years.".into())
    } else {
        Ok(())
    }
}

/// Whether a review date has come.
pub fn review_due(review_on: NaiveDate, today: NaiveDate) -> bool {
    review_on <= today
}

/// Days the client has to accept a treatment before the reminder, unless configured.
pub const DEFAULT_ACCEPTANCE_DAYS: i64 = 7;

/// The longest wait before the one reminder: a client not answering in two months is
/// better phoned than reminded.
pub const MAX_ACCEPTANCE_DAYS: i32 = 60;

/// Days the client has to accept a treatment, as an admin sets them.
pub fn check_acceptance_days(days: i32) -> Result<i32, String> {
    if (1..=MAX_ACCEPTANCE_DAYS).contains(&days) {
        Ok(days)
    } else {
        Err(format!(
            "Give the client 1 to {MAX_ACCEPTANCE_DAYS} days before the reminder."
        ))
    }
}

/// Whether a treatment asked for on `asked_at` and still unanswered is overdue: the client is
/// reminded once and the owner flagged.
pub fn acceptance_overdue(asked_at: DateTime<Utc>, now: DateTime<Utc>, days: i64) -> bool {
    now - asked_at >= Duration::days(days)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn schedule_per_classification() {
        let schedule = ReviewSchedule::default();
        let table = [
            (Classification::Managed, d(2026, 12, 2), d(2027, 3, 2)),
            (Classification::Monitored, d(2026, 12, 2), d(2027, 1, 1)),
            (Classification::Observed, d(2026, 12, 2), d(2027, 5, 31)),
        ];
        for (classification, from, expected) in table {
            assert_eq!(
                schedule.next_review(classification, from),
                expected,
                "{classification:?}"
            );
        }
        let edited = ReviewSchedule::new(1, 730, 7).unwrap();
        assert_eq!(
            edited.next_review(Classification::Managed, d(2026, 2, 28)),
            d(2026, 3, 1)
        );
        assert_eq!(edited.days(Classification::Monitored), 730);
    }

    #[test]
    fn schedule_refuses_the_edges() {
        assert_eq!(
            ReviewSchedule::new(0, 30, 731),
            Err(
                "Review managed risks every 1 to 730 days. Review observed risks every 1 to 730 \
                 days."
                    .to_string()
            )
        );
        assert!(ReviewSchedule::new(1, -5, 1).is_err());
    }

    #[test]
    fn milestone_states_table() {
        let today = d(2026, 12, 2);
        let table = [
            (d(2026, 12, 1), MilestoneState::Passed),
            (d(2026, 12, 2), MilestoneState::Approaching),
            (d(2026, 12, 16), MilestoneState::Approaching),
            (d(2026, 12, 17), MilestoneState::Later),
            (d(2027, 6, 1), MilestoneState::Later),
        ];
        for (date, expected) in table {
            assert_eq!(milestone_state(date, today), expected, "{date}");
        }
        assert!(review_due(today, today));
        assert!(review_due(d(2026, 11, 1), today));
        assert!(!review_due(d(2026, 12, 3), today));
        for kind in MilestoneKind::ALL {
            assert_eq!(MilestoneKind::parse(kind.as_str()), Ok(kind));
        }
    }

    #[test]
    fn acceptance_overdue_after_n_days() {
        let asked = Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap();
        let table = [
            (Duration::days(6) + Duration::hours(23), false),
            (Duration::days(7), true),
            (Duration::days(30), true),
            (Duration::zero(), false),
        ];
        for (after, expected) in table {
            assert_eq!(
                acceptance_overdue(asked, asked + after, DEFAULT_ACCEPTANCE_DAYS),
                expected,
                "{after}"
            );
        }
    }

    #[test]
    fn a_deadline_lies_between_today_and_ten_years_ahead() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let cases = [
            (today - Duration::days(1), false),
            (today, true),
            (today + Duration::days(1), true),
            (today + Duration::days(3650), true),
            (today + Duration::days(3651), false),
        ];
        for (date, allowed) in cases {
            assert_eq!(check_deadline(date, today).is_ok(), allowed, "{date}");
        }
    }

    #[test]
    fn the_acceptance_period_runs_from_one_day_to_two_months() {
        for (days, allowed) in [
            (0, false),
            (1, true),
            (7, true),
            (60, true),
            (61, false),
            (-3, false),
        ] {
            assert_eq!(check_acceptance_days(days).is_ok(), allowed, "{days}");
        }
    }
}
