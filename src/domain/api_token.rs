//! Personal API tokens: what each scope lets a token do, when a token may still be used, and
//! the per-minute window its requests are counted in.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Timelike, Utc};

use super::inputs::{FieldErrors, Line};

/// What a token is for. A monitoring tool gets `Alerts` and nothing else, so a leaked alert
/// token cannot read a client's tickets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Read,
    ReadWrite,
    Alerts,
}

/// What a request needs of its token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    Read,
    Write,
    Alerts,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Read, Scope::ReadWrite, Scope::Alerts];

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or_else(|| "Choose what the token may do.".to_string())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::ReadWrite => "read_write",
            Scope::Alerts => "alerts",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Scope::Read => "Read",
            Scope::ReadWrite => "Read and write",
            Scope::Alerts => "Alerts (monitoring tools)",
        }
    }

    pub fn allows(self, need: Need) -> bool {
        matches!(
            (self, need),
            (Scope::Read | Scope::ReadWrite, Need::Read)
                | (Scope::ReadWrite, Need::Write)
                | (Scope::Alerts, Need::Alerts)
        )
    }
}

/// A new token as the account page asks for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewToken {
    pub name: String,
    pub scope: Scope,
    /// The token stops working at this instant; `None` for a token kept until revoked.
    pub expires_at: Option<DateTime<Utc>>,
}

impl NewToken {
    /// `expires` is a date (`2027-01-31`, the token works through that day, UTC) or empty.
    pub fn parse(
        name: &str,
        scope: &str,
        expires: &str,
        now: DateTime<Utc>,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.take("name", Line::parse(name, "a name for the token", 100));
        let scope = errors.take("scope", Scope::parse(scope));
        let expires_at = errors.take("expires", parse_expiry(expires, now));
        match (name, scope, expires_at) {
            (Some(name), Some(scope), Some(expires_at)) => Ok(Self {
                name: name.into_string(),
                scope,
                expires_at,
            }),
            _ => Err(errors),
        }
    }
}

fn parse_expiry(raw: &str, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| format!("'{raw}' is not a date like 2027-01-31."))?;
    let end = day
        .succ_opt()
        .and_then(|next| next.and_hms_opt(0, 0, 0))
        .map(|at| at.and_utc())
        .ok_or_else(|| format!("'{raw}' is too far ahead."))?;
    if end <= now {
        return Err("Choose a day from today on.".into());
    }
    Ok(Some(end))
}

/// Requests are counted in fixed one-minute windows; this is the window `now` falls in.
pub fn window_start(now: DateTime<Utc>) -> NaiveDateTime {
    let at = now.naive_utc();
    at.with_nanosecond(0)
        .and_then(|t| t.with_second(0))
        .unwrap_or(at)
}

/// Seconds until the window of `now` ends: the 429's `Retry-After`.
pub fn retry_after_seconds(now: DateTime<Utc>) -> i64 {
    let end = window_start(now) + Duration::minutes(1);
    (end - now.naive_utc()).num_seconds().max(1)
}

/// The last-used time is rewritten only when it is older than this, so a busy token does not
/// rewrite it on every request.
pub fn last_used_stale_before(now: DateTime<Utc>) -> NaiveDateTime {
    (now - Duration::minutes(1)).naive_utc()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chrono::TimeZone;

    use super::*;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 3, h, m, s).unwrap()
    }

    #[test]
    fn each_scope_allows_only_its_needs() {
        let cases = [
            (Scope::Read, Need::Read, true),
            (Scope::Read, Need::Write, false),
            (Scope::Read, Need::Alerts, false),
            (Scope::ReadWrite, Need::Read, true),
            (Scope::ReadWrite, Need::Write, true),
            (Scope::ReadWrite, Need::Alerts, false),
            (Scope::Alerts, Need::Read, false),
            (Scope::Alerts, Need::Write, false),
            (Scope::Alerts, Need::Alerts, true),
        ];
        for (scope, need, allowed) in cases {
            assert_eq!(scope.allows(need), allowed, "{scope:?} {need:?}");
        }
    }

    #[test]
    fn scopes_round_trip_and_unknown_ones_are_refused() {
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.as_str()).unwrap(), scope);
        }
        assert!(Scope::parse("admin").is_err());
    }

    #[test]
    fn an_expiry_is_the_end_of_the_day_given_and_never_in_the_past() {
        let now = at(10, 0, 0);
        type Expiry = Result<Option<DateTime<Utc>>, ()>;
        let cases: &[(&str, Expiry)] = &[
            ("", Ok(None)),
            (
                "2026-12-03",
                Ok(Some(Utc.with_ymd_and_hms(2026, 12, 4, 0, 0, 0).unwrap())),
            ),
            (
                "2027-01-31",
                Ok(Some(Utc.with_ymd_and_hms(2027, 2, 1, 0, 0, 0).unwrap())),
            ),
            ("2026-12-02", Err(())),
            ("31/01/2027", Err(())),
        ];
        for (raw, expected) in cases {
            assert_eq!(&parse_expiry(raw, now).map_err(|_| ()), expected, "{raw}");
        }
    }

    #[test]
    fn a_new_token_reports_every_bad_field() {
        let errors = NewToken::parse("", "root", "yesterday", at(10, 0, 0)).unwrap_err();
        assert!(errors.get("name").is_some());
        assert!(errors.get("scope").is_some());
        assert!(errors.get("expires").is_some());
        let token = NewToken::parse(" Zabbix ", "alerts", "", at(10, 0, 0)).unwrap();
        assert_eq!(token.name, "Zabbix");
        assert_eq!(token.scope, Scope::Alerts);
    }

    #[test]
    fn windows_are_whole_minutes_and_retry_after_counts_to_the_next() {
        let cases = [
            (at(10, 0, 0), at(10, 0, 0), 60),
            (at(10, 0, 59), at(10, 0, 0), 1),
            (at(10, 7, 30), at(10, 7, 0), 30),
        ];
        for (now, start, retry) in cases {
            assert_eq!(window_start(now), start.naive_utc(), "{now}");
            assert_eq!(retry_after_seconds(now), retry, "{now}");
        }
    }
}
