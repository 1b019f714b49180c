//! Wall-clock instants for the calendar and SLA tests: both reason in New York office hours,
//! so both build their instants the same way.

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::America::New_York;

/// Wall-clock time in New York; the earlier instant when the time repeats.
#[allow(clippy::unwrap_used)]
pub fn ny((year, month, day): (i32, u32, u32), hour: u32, min: u32) -> DateTime<Utc> {
    New_York
        .with_ymd_and_hms(year, month, day, hour, min, 0)
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}
