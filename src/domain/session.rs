//! How long a signed-in session lives: it ends after a spell without activity (the idle
//! timeout) and, however active, a fixed time after sign-in (the absolute lifetime), so a
//! cookie copied off a shared computer is worthless by the next working day.

use chrono::{DateTime, Duration, Utc};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionLimits {
    pub idle: Duration,
    pub absolute: Duration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Liveness {
    /// Alive; `touch` says whether its last activity is old enough to be written again.
    Live {
        touch: bool,
    },
    Idle,
    Expired,
}

/// Last activity is written back at most this often, so a busy page does not write on every
/// request.
pub const TOUCH_RESOLUTION: Duration = Duration::seconds(60);

/// A session ends on reaching its absolute end, and once more than the idle time has passed
/// since its last activity (so a request at exactly the idle limit still counts).
pub fn liveness(
    limits: &SessionLimits,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Liveness {
    if now >= created_at + limits.absolute {
        Liveness::Expired
    } else if now > last_seen_at + limits.idle {
        Liveness::Idle
    } else {
        Liveness::Live {
            touch: now - last_seen_at >= TOUCH_RESOLUTION,
        }
    }
}

/// A one-time password is accepted until its expiry; signing in with it moves the expiry to
/// that moment, so the second use finds it expired.
pub fn one_time_password_usable(expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    expires_at.is_some_and(|end| now < end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 29, h, m, s).unwrap()
    }

    const LIMITS: SessionLimits = SessionLimits {
        idle: Duration::minutes(120),
        absolute: Duration::hours(12),
    };

    #[test]
    fn liveness_at_the_edges_of_both_limits() {
        let signed_in = at(6, 0, 0);
        let cases = [
            (
                "just signed in",
                at(6, 0, 0),
                at(6, 0, 0),
                Liveness::Live { touch: false },
            ),
            (
                "59 s after activity",
                at(6, 0, 0),
                at(6, 0, 59),
                Liveness::Live { touch: false },
            ),
            (
                "a minute after activity",
                at(6, 0, 0),
                at(6, 1, 0),
                Liveness::Live { touch: true },
            ),
            (
                "at the idle limit",
                at(6, 0, 0),
                at(8, 0, 0),
                Liveness::Live { touch: true },
            ),
            (
                "a second past the idle limit",
                at(6, 0, 0),
                at(8, 0, 1),
                Liveness::Idle,
            ),
            (
                "active, an hour before the end",
                at(16, 30, 0),
                at(17, 0, 0),
                Liveness::Live { touch: true },
            ),
            (
                "active, a second before the end",
                at(17, 59, 30),
                at(17, 59, 59),
                Liveness::Live { touch: false },
            ),
            (
                "active, at the absolute end",
                at(17, 59, 30),
                at(18, 0, 0),
                Liveness::Expired,
            ),
            (
                "idle and past the end",
                at(6, 0, 0),
                at(23, 0, 0),
                Liveness::Expired,
            ),
        ];
        for (case, last_seen, now, expected) in cases {
            assert_eq!(
                liveness(&LIMITS, signed_in, last_seen, now),
                expected,
                "{case}"
            );
        }
    }

    #[test]
    fn a_session_across_midnight_and_a_clock_change_counts_real_time() {
        // 29 March 2026 is the night Europe moves its clocks forward; UTC instants do not care.
        let signed_in = Utc.with_ymd_and_hms(2026, 3, 28, 20, 0, 0).unwrap();
        let last_seen = Utc.with_ymd_and_hms(2026, 3, 29, 7, 30, 0).unwrap();
        assert_eq!(
            liveness(&LIMITS, signed_in, last_seen, at(7, 59, 59)),
            Liveness::Live { touch: true }
        );
        assert_eq!(
            liveness(&LIMITS, signed_in, last_seen, at(8, 0, 0)),
            Liveness::Expired
        );
    }

    #[test]
    fn a_one_time_password_works_until_its_expiry_and_never_without_one() {
        let cases = [
            (None, at(9, 0, 0), false),
            (Some(at(9, 0, 0)), at(8, 59, 59), true),
            (Some(at(9, 0, 0)), at(9, 0, 0), false),
            (Some(at(9, 0, 0)), at(9, 0, 1), false),
        ];
        for (expires_at, now, usable) in cases {
            assert_eq!(
                one_time_password_usable(expires_at, now),
                usable,
                "{expires_at:?} at {now}"
            );
        }
    }
}
