//! When to try a message again: exponential backoff from one minute, capped at two hours, and
//! a message that failed `MAX_ATTEMPTS` times is dead (shown to admins, who may retry it).
//! Ten attempts span about six hours, so a mail server that is down for a morning loses
//! nothing, while a wrong address does not retry forever.

use chrono::{DateTime, Duration, Utc};

pub const MAX_ATTEMPTS: i32 = 10;
pub const FIRST_DELAY: Duration = Duration::minutes(1);
pub const MAX_DELAY: Duration = Duration::hours(2);

/// The wait after the `attempts`-th failed attempt (1 → 1 min, 2 → 2 min, 3 → 4 min, …).
pub fn backoff(attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0);
    // 2^7 minutes already exceeds the cap; stopping there keeps the multiplication small.
    let factor = 1i32 << doublings.min(7);
    (FIRST_DELAY * factor).min(MAX_DELAY)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterFailure {
    RetryAt(DateTime<Utc>),
    GiveUp,
}

/// What follows a failed attempt. `permanent` is the server's word that trying again cannot
/// help (a 5xx reply, an address it refuses): such a message is dead at once.
pub fn after_failure(attempts: i32, permanent: bool, now: DateTime<Utc>) -> AfterFailure {
    if permanent || attempts >= MAX_ATTEMPTS {
        AfterFailure::GiveUp
    } else {
        AfterFailure::RetryAt(now + backoff(attempts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_one_minute_and_stops_at_two_hours() {
        let minutes: Vec<i64> = (1..=12).map(|a| backoff(a).num_minutes()).collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 64, 120, 120, 120, 120, 120]);
        assert_eq!(backoff(0), FIRST_DELAY, "a nonsense count waits the least");
        assert_eq!(backoff(i32::MAX), MAX_DELAY);
    }

    #[test]
    fn the_last_attempt_or_a_permanent_refusal_gives_up() {
        let now = DateTime::<Utc>::UNIX_EPOCH;
        assert_eq!(
            after_failure(1, false, now),
            AfterFailure::RetryAt(now + Duration::minutes(1))
        );
        assert_eq!(
            after_failure(MAX_ATTEMPTS - 1, false, now),
            AfterFailure::RetryAt(now + MAX_DELAY)
        );
        assert_eq!(
            after_failure(MAX_ATTEMPTS, false, now),
            AfterFailure::GiveUp
        );
        assert_eq!(after_failure(1, true, now), AfterFailure::GiveUp);
    }

    #[test]
    fn all_attempts_span_about_six_hours() {
        let total: i64 = (1..MAX_ATTEMPTS).map(|a| backoff(a).num_minutes()).sum();
        assert_eq!(total, 1 + 2 + 4 + 8 + 16 + 32 + 64 + 120 + 120);
        assert!((6 * 60..7 * 60).contains(&total));
    }
}
