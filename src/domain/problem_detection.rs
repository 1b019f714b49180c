//! Detecting problems (blueprints' step 1: "incidents that repeat after successful
//! troubleshooting and incidents not resolved at the service desk"): which signals make a
//! suggestion, how a suggestion is named so it is found once and a dismissal sticks, and the
//! window of recent incidents detection reads.

use chrono::{DateTime, Duration, Utc};

/// How many incidents of one category and client within how many days make a pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    pub threshold: i32,
    pub window_days: i32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            threshold: 3,
            window_days: 14,
        }
    }
}

pub const THRESHOLD_RANGE: (i32, i32) = (2, 50);
pub const WINDOW_RANGE: (i32, i32) = (1, 90);

impl Settings {
    /// A manager's settings as typed, each figure within its range.
    pub fn parse(threshold: &str, window_days: &str) -> Result<Self, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let mut figure =
            |raw: &str, field: &'static str, (lo, hi): (i32, i32), what: &str| match raw
                .trim()
                .parse::<i32>()
            {
                Ok(n) if (lo..=hi).contains(&n) => n,
                _ => {
                    errors.push((
                        field,
                        format!("Enter {what}, a whole number from {lo} to {hi}."),
                    ));
                    0
                }
            };
        let threshold = figure(
            threshold,
            "threshold",
            THRESHOLD_RANGE,
            "how many incidents",
        );
        let window_days = figure(window_days, "window_days", WINDOW_RANGE, "how many days");
        if errors.is_empty() {
            Ok(Settings {
                threshold,
                window_days,
            })
        } else {
            Err(errors)
        }
    }

    /// The oldest creation time detection reads: only recent incidents count, which also bounds
    /// the work however many tickets the desk holds.
    pub fn window_start(self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - Duration::days(i64::from(self.window_days))
    }

    pub fn is_recurring(self, count: i64) -> bool {
        count >= i64::from(self.threshold)
    }
}

/// The blueprints' signs of a problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// The same category and client, N times in D days.
    Recurring,
    /// Incidents reopened after they were solved.
    Reopened,
    /// Incidents the desk could not resolve: escalated past tier 1, or handed to a vendor.
    Unresolved,
    /// Incidents escalated for "Complexity or severity".
    Severity,
}

impl Signal {
    pub const ALL: [Signal; 4] = [
        Signal::Recurring,
        Signal::Reopened,
        Signal::Unresolved,
        Signal::Severity,
    ];

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| format!("unknown signal '{raw}'"))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Signal::Recurring => "recurring",
            Signal::Reopened => "reopened",
            Signal::Unresolved => "unresolved",
            Signal::Severity => "severity",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Signal::Recurring => "Recurring incidents",
            Signal::Reopened => "Reopened incidents",
            Signal::Unresolved => "Not resolved at the service desk",
            Signal::Severity => "Escalated for complexity or severity",
        }
    }
}

/// A group of incidents a signal points at, before it is recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub signal: Signal,
    pub client: Option<i64>,
    pub category: Option<i64>,
    /// Sorted, no repeats.
    pub tickets: Vec<i64>,
    pub reason: String,
}

impl Finding {
    pub fn new(
        signal: Signal,
        client: Option<i64>,
        category: Option<i64>,
        mut tickets: Vec<i64>,
        reason: String,
    ) -> Self {
        tickets.sort_unstable();
        tickets.dedup();
        Finding {
            signal,
            client,
            category,
            tickets,
            reason,
        }
    }

    /// Names the finding by its signal and incidents: the same incidents found again (by
    /// another instance, or after a dismissal) make the same signature.
    pub fn signature(&self) -> String {
        let ids: Vec<String> = self.tickets.iter().map(i64::to_string).collect();
        format!("{}:{}", self.signal.as_str(), ids.join(","))
    }
}

/// Why a recurring group is suggested, in words a manager reads.
pub fn recurring_reason(count: i64, category: &str, client: &str, settings: Settings) -> String {
    format!(
        "{count} incidents in {category} for {client} within {} days (the threshold is {}).",
        settings.window_days, settings.threshold
    )
}

/// Reads the stored incident list back.
pub fn parse_ticket_ids(raw: &str) -> Result<Vec<i64>, String> {
    raw.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<i64>()
                .map_err(|_| format!("unreadable incident list '{raw}'"))
        })
        .collect()
}

pub fn format_ticket_ids(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn the_threshold_counts_from_n_incidents() {
        let settings = Settings::default();
        let table = [(0, false), (2, false), (3, true), (4, true)];
        for (count, recurring) in table {
            assert_eq!(settings.is_recurring(count), recurring, "{count}");
        }
        let two = Settings {
            threshold: 2,
            window_days: 7,
        };
        assert!(two.is_recurring(2));
    }

    #[test]
    fn the_window_reaches_back_exactly_d_days() {
        let now = utc(2026, 12, 15, 9, 0);
        let settings = Settings::default();
        assert_eq!(settings.window_start(now), utc(2026, 12, 1, 9, 0));
        let one = Settings {
            threshold: 3,
            window_days: 1,
        };
        assert_eq!(one.window_start(now), utc(2026, 12, 14, 9, 0));
    }

    #[test]
    fn settings_stay_within_their_ranges() {
        let table = [
            ("3", "14", true),
            ("2", "1", true),
            ("50", "90", true),
            ("1", "14", false),
            ("51", "14", false),
            ("3", "0", false),
            ("3", "91", false),
            ("three", "14", false),
            ("", "", false),
        ];
        for (threshold, days, ok) in table {
            assert_eq!(
                Settings::parse(threshold, days).is_ok(),
                ok,
                "{threshold} {days}"
            );
        }
        let errors = Settings::parse("x", "y").unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!(Settings::default(), Settings::parse("3", "14").unwrap());
    }

    #[test]
    fn the_same_incidents_make_the_same_signature_in_any_order() {
        let a = Finding::new(
            Signal::Recurring,
            Some(1),
            Some(2),
            vec![9, 3, 5, 3],
            "r".into(),
        );
        let b = Finding::new(
            Signal::Recurring,
            Some(1),
            Some(2),
            vec![5, 9, 3],
            "r".into(),
        );
        assert_eq!(a.tickets, vec![3, 5, 9]);
        assert_eq!(a.signature(), b.signature());
        assert_eq!(a.signature(), "recurring:3,5,9");
        let other_signal = Finding::new(Signal::Reopened, None, None, vec![3, 5, 9], "r".into());
        assert_ne!(a.signature(), other_signal.signature());
        let more = Finding::new(
            Signal::Recurring,
            Some(1),
            Some(2),
            vec![3, 5, 9, 11],
            "r".into(),
        );
        assert_ne!(a.signature(), more.signature());
    }

    #[test]
    fn incident_lists_read_back() {
        assert_eq!(
            parse_ticket_ids(&format_ticket_ids(&[3, 5, 9])),
            Ok(vec![3, 5, 9])
        );
        assert_eq!(parse_ticket_ids(""), Ok(vec![]));
        assert!(parse_ticket_ids("3,x").is_err());
        for signal in Signal::ALL {
            assert_eq!(Signal::parse(signal.as_str()), Ok(signal));
        }
    }

    #[test]
    fn the_reason_says_how_many_where_and_the_rule() {
        let reason = recurring_reason(4, "E-mail", "Acme", Settings::default());
        assert_eq!(
            reason,
            "4 incidents in E-mail for Acme within 14 days (the threshold is 3)."
        );
    }
}
