//! What a ticket logged now would be due by under a calendar and policy: the preview the
//! service-level and client pages show.

use chrono::{DateTime, Utc};

use crate::domain::calendar::BusinessCalendar;
use crate::domain::priority::Priority;
use crate::domain::sla::{self, SlaTargets};

/// One row of "a ticket logged now would be due at …".
pub struct PreviewRow {
    pub priority: Priority,
    pub mode: &'static str,
    pub response_due: String,
    pub resolution_due: String,
}

fn show_due(due: Option<DateTime<Utc>>, zone: chrono_tz::Tz) -> String {
    due.map(|d| crate::format::format_time(d.naive_utc(), zone))
        .unwrap_or_else(|| "never (the calendar is never open)".into())
}

pub fn preview_rows(
    calendar: &BusinessCalendar,
    targets: &SlaTargets,
    now: DateTime<Utc>,
    zone: chrono_tz::Tz,
) -> Vec<PreviewRow> {
    Priority::ALL
        .into_iter()
        .map(|priority| {
            let target = targets.target(priority);
            let resolution = sla::resolution_due(calendar, target, now, &[]).at();
            PreviewRow {
                priority,
                mode: target.mode.label(),
                response_due: show_due(sla::response_due(calendar, target, now), zone),
                resolution_due: show_due(resolution, zone),
            }
        })
        .collect()
}
