//! Monitoring alerts: the payload a monitoring tool sends, parsed; which mapping a source and
//! host fall under; and what an alert does to the ticket of its dedup key (open, count,
//! recover, reopen within the flap window, or open anew after it).

use chrono::{DateTime, Duration, Utc};

use super::inputs::{FieldErrors, Line, parse_note};
use super::priority::{Impact, Urgency};
use super::ticket::Status;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Critical,
    Warning,
    Info,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Critical, Severity::Warning, Severity::Info];

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(raw.trim()))
            .ok_or_else(|| "Send a severity of critical, warning or info.".to_string())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Severity::Critical => "Critical",
            Severity::Warning => "Warning",
            Severity::Info => "Info",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlertState {
    Firing,
    Resolved,
}

impl AlertState {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "firing" => Ok(AlertState::Firing),
            "resolved" => Ok(AlertState::Resolved),
            _ => Err("Send a state of firing or resolved.".into()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Firing => "firing",
            AlertState::Resolved => "resolved",
        }
    }
}

/// The alert's fields as they arrived, before parsing.
#[derive(Clone, Copy, Debug, Default)]
pub struct RawAlert<'a> {
    pub source: &'a str,
    pub host: &'a str,
    pub check: &'a str,
    pub severity: &'a str,
    pub state: &'a str,
    pub dedup_key: &'a str,
    pub message: &'a str,
    pub client: &'a str,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlertInput {
    pub source: String,
    pub host: String,
    pub check: String,
    pub severity: Severity,
    pub state: AlertState,
    pub dedup_key: String,
    pub message: String,
    /// The client's code, when the tool knows it; it narrows the mappings to that client's.
    pub client_code: Option<String>,
}

impl AlertInput {
    pub fn parse(raw: &RawAlert<'_>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let source = errors.take("source", Line::parse(raw.source, "the source", 100));
        let host = errors.take("host", Line::parse(raw.host, "the host", 200));
        let check = errors.take("check", Line::parse(raw.check, "the check", 200));
        let severity = errors.take("severity", Severity::parse(raw.severity));
        let state = errors.take("state", AlertState::parse(raw.state));
        let dedup_key = errors.take("dedup_key", Line::parse(raw.dedup_key, "a dedup key", 200));
        let message = errors.take("message", parse_note(raw.message, 4000));
        let code = raw.client.trim().to_uppercase();
        match (source, host, check, severity, state, dedup_key, message) {
            (
                Some(source),
                Some(host),
                Some(check),
                Some(severity),
                Some(state),
                Some(dedup_key),
                Some(message),
            ) => Ok(Self {
                source: source.into_string(),
                host: host.into_string(),
                check: check.into_string(),
                severity,
                state,
                dedup_key: dedup_key.into_string(),
                message,
                client_code: (!code.is_empty()).then_some(code),
            }),
            _ => Err(errors),
        }
    }

    /// The ticket's subject line.
    pub fn subject(&self) -> String {
        let subject = format!(
            "[{}] {} on {}",
            self.severity.label(),
            self.check,
            self.host
        );
        subject.chars().take(200).collect()
    }
}

/// A source or host pattern: `*` stands for any run of characters; letters match in either case.
pub fn parse_pattern(raw: &str, what: &str) -> Result<String, String> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(format!("Enter {what}, or * for any."));
    }
    if value.chars().count() > 200 || value.chars().any(char::is_whitespace) {
        return Err(format!(
            "Keep {what} to one word of 200 characters or fewer."
        ));
    }
    Ok(value.to_lowercase())
}

pub fn pattern_matches(pattern: &str, value: &str) -> bool {
    fn go(p: &[char], v: &[char]) -> bool {
        match p.split_first() {
            None => v.is_empty(),
            Some(('*', rest)) => (0..=v.len()).any(|skip| go(rest, &v[skip..])),
            Some((c, rest)) => v.first() == Some(c) && go(rest, &v[1..]),
        }
    }
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let v: Vec<char> = value.to_lowercase().chars().collect();
    go(&p, &v)
}

/// How precise a mapping is: its literal characters. The most precise match wins, so
/// `web-01` beats `web-*`, which beats `*`.
pub fn specificity(source_pattern: &str, host_pattern: &str) -> usize {
    (source_pattern.chars().chain(host_pattern.chars()))
        .filter(|c| *c != '*')
        .count()
}

/// How a mapping turns an alert into a ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handling {
    pub impact: Impact,
    pub urgency: Urgency,
    pub solve_on_recovery: bool,
    pub flap_window: Duration,
}

pub const MAX_FLAP_MINUTES: i32 = 7 * 24 * 60;

pub fn parse_flap_minutes(raw: &str) -> Result<i32, String> {
    raw.trim()
        .parse::<i32>()
        .ok()
        .filter(|m| (0..=MAX_FLAP_MINUTES).contains(m))
        .ok_or_else(|| format!("Enter a number of minutes from 0 to {MAX_FLAP_MINUTES}."))
}

/// The current ticket of a dedup key, as the decision needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thread {
    pub status: Status,
    pub firing_count: i64,
    /// When the last recovery came in (or, for a ticket a person solved, when they did).
    pub settled_at: Option<DateTime<Utc>>,
}

/// What an alert does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// A new ticket: no thread yet, the last ticket is closed, or the flap window has passed.
    Open,
    /// One more firing on the open ticket; `count` is the running total.
    Count { count: i64 },
    /// Firing again within the flap window after recovery: the same ticket comes back.
    Reopen { count: i64 },
    /// The check recovered; the ticket is solved when the mapping says so.
    Recover { solve: bool },
    /// A recovery with no open ticket to tell: kept, nothing else.
    Nothing,
}

pub fn decide(
    thread: Option<Thread>,
    state: AlertState,
    handling: &Handling,
    now: DateTime<Utc>,
) -> Decision {
    match (state, thread) {
        (AlertState::Firing, None) => Decision::Open,
        (AlertState::Firing, Some(t)) if t.status.is_open() => Decision::Count {
            count: t.firing_count + 1,
        },
        (AlertState::Firing, Some(t))
            if t.status == Status::Solved
                && t.settled_at
                    .is_some_and(|at| now - at <= handling.flap_window) =>
        {
            Decision::Reopen {
                count: t.firing_count + 1,
            }
        }
        (AlertState::Firing, Some(_)) => Decision::Open,
        (AlertState::Resolved, Some(t)) if t.status.is_open() => Decision::Recover {
            solve: handling.solve_on_recovery,
        },
        (AlertState::Resolved, _) => Decision::Nothing,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chrono::TimeZone;

    use super::*;

    fn raw() -> RawAlert<'static> {
        RawAlert {
            source: "zabbix",
            host: "web-01",
            check: "HTTP 200",
            severity: "critical",
            state: "firing",
            dedup_key: "web-01/http",
            message: "down",
            client: "acme",
        }
    }

    #[test]
    fn a_payload_parses_into_a_typed_alert() {
        let alert = AlertInput::parse(&raw()).unwrap();
        assert_eq!(alert.severity, Severity::Critical);
        assert_eq!(alert.state, AlertState::Firing);
        assert_eq!(alert.client_code.as_deref(), Some("ACME"));
        assert_eq!(alert.subject(), "[Critical] HTTP 200 on web-01");
        let no_client = AlertInput::parse(&RawAlert {
            client: " ",
            ..raw()
        })
        .unwrap();
        assert_eq!(no_client.client_code, None);
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases: &[(RawAlert<'static>, &str)] = &[
            (
                RawAlert {
                    source: "",
                    ..raw()
                },
                "source",
            ),
            (RawAlert { host: " ", ..raw() }, "host"),
            (RawAlert { check: "", ..raw() }, "check"),
            (
                RawAlert {
                    severity: "bad",
                    ..raw()
                },
                "severity",
            ),
            (
                RawAlert {
                    state: "ok",
                    ..raw()
                },
                "state",
            ),
            (
                RawAlert {
                    dedup_key: "",
                    ..raw()
                },
                "dedup_key",
            ),
        ];
        for (alert, field) in cases {
            let errors = AlertInput::parse(alert).unwrap_err();
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
            assert_eq!(errors.len(), 1, "{field}");
        }
    }

    #[test]
    fn patterns_match_with_stars_in_any_case() {
        let cases = [
            ("*", "anything", true),
            ("web-*", "WEB-01", true),
            ("web-*", "db-01", false),
            ("*-01", "web-01", true),
            ("web-01", "web-01", true),
            ("web-01", "web-011", false),
            ("w*b*1", "web-01", true),
            ("", "", true),
            ("", "x", false),
        ];
        for (pattern, value, expected) in cases {
            assert_eq!(
                pattern_matches(pattern, value),
                expected,
                "{pattern} {value}"
            );
        }
        assert!(specificity("zabbix", "web-01") > specificity("zabbix", "web-*"));
        assert!(specificity("*", "web-*") > specificity("*", "*"));
    }

    #[test]
    fn patterns_and_flap_minutes_are_checked() {
        assert_eq!(parse_pattern(" Web-* ", "a host").unwrap(), "web-*");
        assert!(parse_pattern("", "a host").is_err());
        assert!(parse_pattern("a b", "a host").is_err());
        assert_eq!(parse_flap_minutes("30").unwrap(), 30);
        assert!(parse_flap_minutes("-1").is_err());
        assert!(parse_flap_minutes("x").is_err());
    }

    #[test]
    fn what_an_alert_does_to_its_thread() {
        let now = Utc.with_ymd_and_hms(2026, 12, 3, 12, 0, 0).unwrap();
        let handling = |solve| Handling {
            impact: Impact::High,
            urgency: Urgency::High,
            solve_on_recovery: solve,
            flap_window: Duration::minutes(30),
        };
        let thread = |status, minutes_ago: Option<i64>| {
            Some(Thread {
                status,
                firing_count: 3,
                settled_at: minutes_ago.map(|m| now - Duration::minutes(m)),
            })
        };
        use AlertState::{Firing, Resolved};
        let cases = [
            (None, Firing, true, Decision::Open),
            (
                thread(Status::New, None),
                Firing,
                true,
                Decision::Count { count: 4 },
            ),
            (
                thread(Status::InProgress, Some(5)),
                Firing,
                true,
                Decision::Count { count: 4 },
            ),
            (
                thread(Status::Solved, Some(30)),
                Firing,
                true,
                Decision::Reopen { count: 4 },
            ),
            (
                thread(Status::Solved, Some(31)),
                Firing,
                true,
                Decision::Open,
            ),
            (thread(Status::Solved, None), Firing, true, Decision::Open),
            (
                thread(Status::Closed, Some(1)),
                Firing,
                true,
                Decision::Open,
            ),
            (
                thread(Status::Cancelled, None),
                Firing,
                true,
                Decision::Open,
            ),
            (
                thread(Status::New, None),
                Resolved,
                true,
                Decision::Recover { solve: true },
            ),
            (
                thread(Status::Assigned, None),
                Resolved,
                false,
                Decision::Recover { solve: false },
            ),
            (None, Resolved, true, Decision::Nothing),
            (
                thread(Status::Solved, Some(1)),
                Resolved,
                true,
                Decision::Nothing,
            ),
        ];
        for (thread, state, solve, expected) in cases {
            assert_eq!(
                decide(thread, state, &handling(solve), now),
                expected,
                "{thread:?} {state:?}"
            );
        }
    }
}
