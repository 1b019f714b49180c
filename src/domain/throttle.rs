//! Sign-in throttling: after a few free mistakes each further failure doubles the wait, and
//! too many failures lock the account (or address) for a while. Counted per key, so one
//! attacker cannot lock everyone out from one address, nor guess one account from many.

use chrono::{DateTime, Duration, Utc};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures older than this are forgotten.
    pub window: Duration,
    /// Failures allowed before any wait.
    pub free_failures: u32,
    /// Failures that lock the key.
    pub lock_after: u32,
    pub lock_for: Duration,
    pub max_delay: Duration,
}

impl ThrottlePolicy {
    pub const ACCOUNT: ThrottlePolicy = ThrottlePolicy {
        window: Duration::minutes(15),
        free_failures: 3,
        lock_after: 8,
        lock_for: Duration::minutes(15),
        max_delay: Duration::seconds(60),
    };

    /// Generous, because one office's staff often share an address behind NAT.
    pub const ADDRESS: ThrottlePolicy = ThrottlePolicy {
        window: Duration::minutes(15),
        free_failures: 10,
        lock_after: 30,
        lock_for: Duration::minutes(15),
        max_delay: Duration::seconds(60),
    };
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    SlowDown { retry_after: Duration },
    Locked { retry_after: Duration },
}

impl Verdict {
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Verdict::Allowed => None,
            Verdict::SlowDown { retry_after } | Verdict::Locked { retry_after } => {
                Some(*retry_after)
            }
        }
    }

    /// The stricter of two verdicts, for when the account and the address are both counted.
    pub fn stricter(self, other: Verdict) -> Verdict {
        fn rank(v: &Verdict) -> (u8, Duration) {
            match v {
                Verdict::Allowed => (0, Duration::zero()),
                Verdict::SlowDown { retry_after } => (1, *retry_after),
                Verdict::Locked { retry_after } => (2, *retry_after),
            }
        }
        if rank(&other) > rank(&self) {
            other
        } else {
            self
        }
    }
}

impl ThrottlePolicy {
    /// How far back failures can still matter: a lock lasts `lock_for` after the failure
    /// that completed a window's worth.
    pub fn lookback(&self) -> Duration {
        self.window + self.lock_for
    }

    /// The most failures worth reading: beyond `lock_after` the verdict cannot change.
    pub fn relevant_failures(&self) -> usize {
        self.lock_after as usize + 1
    }
}

/// `recent_failures` are the latest failures (any order). The window is counted back from the
/// latest failure, not from now, so a lock lasts its full time even as old failures age out.
pub fn assess(
    policy: &ThrottlePolicy,
    recent_failures: &[DateTime<Utc>],
    now: DateTime<Utc>,
) -> Verdict {
    let Some(last) = recent_failures.iter().max().copied() else {
        return Verdict::Allowed;
    };
    let counted = recent_failures
        .iter()
        .filter(|t| **t > last - policy.window)
        .count();
    let failures = u32::try_from(counted).unwrap_or(u32::MAX);
    if failures >= policy.lock_after {
        let until = last + policy.lock_for;
        return if now < until {
            Verdict::Locked {
                retry_after: until - now,
            }
        } else {
            Verdict::Allowed
        };
    }
    if failures <= policy.free_failures {
        return Verdict::Allowed;
    }
    let doublings = (failures - policy.free_failures - 1).min(16);
    let delay = (Duration::seconds(1) * 2i32.pow(doublings)).min(policy.max_delay);
    let until = last + delay;
    if now < until {
        Verdict::SlowDown {
            retry_after: until - now,
        }
    } else {
        Verdict::Allowed
    }
}

/// "2 seconds", "15 minutes": rounded up, because waiting too little only fails again.
pub fn describe_wait(wait: Duration) -> String {
    let seconds = ((wait.num_milliseconds() + 999) / 1000).max(1);
    if seconds < 60 {
        return format!("{seconds} second{}", if seconds == 1 { "" } else { "s" });
    }
    let minutes = (seconds + 59) / 60;
    format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + seconds, 0)
            .single()
            .unwrap_or_default()
    }

    /// `n` failures, one a second, the last at `at(0)`.
    fn failures(n: u32) -> Vec<DateTime<Utc>> {
        (0..i64::from(n)).map(|i| at(-i)).collect()
    }

    #[test]
    fn account_policy_table() {
        let p = ThrottlePolicy::ACCOUNT;
        let table: &[(u32, i64, Verdict)] = &[
            (0, 0, Verdict::Allowed),
            (3, 0, Verdict::Allowed),
            (
                4,
                0,
                Verdict::SlowDown {
                    retry_after: Duration::seconds(1),
                },
            ),
            (4, 1, Verdict::Allowed),
            (
                5,
                0,
                Verdict::SlowDown {
                    retry_after: Duration::seconds(2),
                },
            ),
            (
                7,
                1,
                Verdict::SlowDown {
                    retry_after: Duration::seconds(7),
                },
            ),
            (7, 8, Verdict::Allowed),
            (
                8,
                0,
                Verdict::Locked {
                    retry_after: Duration::minutes(15),
                },
            ),
            (
                8,
                899,
                Verdict::Locked {
                    retry_after: Duration::seconds(1),
                },
            ),
            (8, 900, Verdict::Allowed),
            (
                50,
                60,
                Verdict::Locked {
                    retry_after: Duration::minutes(14),
                },
            ),
        ];
        for (failures, elapsed, expected) in table {
            assert_eq!(
                assess(&p, &self::failures(*failures), at(*elapsed)),
                *expected,
                "{failures} failures, {elapsed}s later"
            );
        }
    }

    #[test]
    fn only_failures_within_the_window_before_the_last_one_count() {
        let p = ThrottlePolicy::ACCOUNT;
        let spread = [at(-3600), at(-1800), at(-960), at(-10), at(0)];
        assert_eq!(
            assess(&p, &spread, at(0)),
            Verdict::Allowed,
            "2 within 15 minutes"
        );
        let mut burst = failures(7);
        burst.push(at(-1000));
        assert_eq!(
            assess(&p, &burst, at(0)),
            Verdict::SlowDown {
                retry_after: Duration::seconds(8)
            }
        );
    }

    #[test]
    fn a_lock_lasts_its_full_time_as_failures_age() {
        let p = ThrottlePolicy::ACCOUNT;
        let spread: Vec<_> = (0..8).map(|i| at(-60 * i)).collect();
        assert_eq!(
            assess(&p, &spread, at(14 * 60)),
            Verdict::Locked {
                retry_after: Duration::minutes(1)
            }
        );
        assert_eq!(assess(&p, &spread, at(15 * 60)), Verdict::Allowed);
    }

    #[test]
    fn delays_are_capped() {
        let p = ThrottlePolicy::ADDRESS;
        assert_eq!(
            assess(&p, &failures(29), at(0)),
            Verdict::SlowDown {
                retry_after: Duration::seconds(60)
            }
        );
    }

    #[test]
    fn stricter_prefers_locks_then_longer_waits() {
        let slow = Verdict::SlowDown {
            retry_after: Duration::seconds(4),
        };
        let slower = Verdict::SlowDown {
            retry_after: Duration::seconds(8),
        };
        let locked = Verdict::Locked {
            retry_after: Duration::seconds(1),
        };
        assert_eq!(Verdict::Allowed.stricter(slow), slow);
        assert_eq!(slower.stricter(slow), slower);
        assert_eq!(slower.stricter(locked), locked);
    }

    #[test]
    fn waits_read_naturally() {
        assert_eq!(describe_wait(Duration::milliseconds(200)), "1 second");
        assert_eq!(describe_wait(Duration::milliseconds(1500)), "2 seconds");
        assert_eq!(describe_wait(Duration::seconds(60)), "1 minute");
        assert_eq!(describe_wait(Duration::seconds(61)), "2 minutes");
        assert_eq!(describe_wait(Duration::minutes(15)), "15 minutes");
    }
}
