//! The one place the real time is read. Tests set and move it instead of sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, DurationRound, Utc};

/// Marks a clock that follows the real time (plus its offset).
const RUNNING: i64 = i64::MIN;

#[derive(Clone, Debug)]
pub struct Clock {
    offset_micros: Arc<AtomicI64>,
    /// Microseconds since the epoch while the clock is stopped at a set instant, or RUNNING.
    fixed_micros: Arc<AtomicI64>,
}

impl Default for Clock {
    fn default() -> Self {
        Self {
            offset_micros: Arc::new(AtomicI64::new(0)),
            fixed_micros: Arc::new(AtomicI64::new(RUNNING)),
        }
    }
}

impl Clock {
    /// Truncated to microseconds: PostgreSQL keeps no more, and SQLite must round-trip the same.
    pub fn now(&self) -> DateTime<Utc> {
        let fixed = self.fixed_micros.load(Ordering::Relaxed);
        let now = if fixed == RUNNING {
            Utc::now() + Duration::microseconds(self.offset_micros.load(Ordering::Relaxed))
        } else {
            DateTime::from_timestamp_micros(fixed).unwrap_or_else(Utc::now)
        };
        now.duration_trunc(Duration::microseconds(1)).unwrap_or(now)
    }

    /// Stops this clock (and every clone of it) at `at`, so tests can reason to the second;
    /// it moves only with `advance` from then on.
    pub fn set(&self, at: DateTime<Utc>) {
        self.fixed_micros
            .store(at.timestamp_micros(), Ordering::Relaxed);
    }

    /// Moves this clock (and every clone of it) forward; for tests and demos of time rules.
    pub fn advance(&self, by: Duration) {
        let micros = by.num_microseconds().unwrap_or(i64::MAX);
        if self.fixed_micros.load(Ordering::Relaxed) == RUNNING {
            self.offset_micros.fetch_add(micros, Ordering::Relaxed);
        } else {
            self.fixed_micros.fetch_add(micros, Ordering::Relaxed);
        }
    }
}
