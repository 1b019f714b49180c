//! Uptime guarantees: a client's hosted services, their outages, and each month's figure with
//! the burn-down of the allowance.

pub mod month;
pub mod outages;
pub mod services;
pub mod ticket_panel;

use chrono::{NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::web::forms::checkbox;

/// An instant as the client reads it: "Mon 30 Nov 2026 23:50".
pub fn local(at: NaiveDateTime, tz: Tz) -> String {
    Utc.from_utc_datetime(&at)
        .with_timezone(&tz)
        .format("%a %-d %b %Y %H:%M")
        .to_string()
}

/// An instant as a datetime-local field holds it, in the client's zone.
pub fn field_value(at: NaiveDateTime, tz: Tz) -> String {
    Utc.from_utc_datetime(&at)
        .with_timezone(&tz)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// An outage as its forms send it (the service page's and the outage page's).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct OutageForm {
    pub started_at: String,
    pub ended_at: String,
    pub planned: Option<String>,
    pub note: String,
    pub version: String,
}

impl OutageForm {
    pub fn planned_ticked(&self) -> bool {
        checkbox(&self.planned)
    }
}
