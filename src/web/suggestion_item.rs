//! A suggested escalation as a page shows it: on the managers' list and on its ticket's page.

use crate::db::escalation::suggestions::SuggestionView;
use crate::domain::satisfaction_escalation::SuggestionStatus;
use crate::format::{format_time, iso_time};

/// One suggestion as a page lists it.
pub struct SuggestionItem {
    pub id: i64,
    pub ticket_id: i64,
    pub subject: String,
    pub client: String,
    pub summary: String,
    pub status: &'static str,
    pub open: bool,
    pub raised: String,
    pub raised_iso: String,
    /// Who decided and what they wrote, once decided.
    pub decided: String,
    pub note: String,
    pub version: i64,
}

impl SuggestionItem {
    pub fn of(v: &SuggestionView, zone: chrono_tz::Tz) -> Self {
        SuggestionItem {
            id: v.id,
            ticket_id: v.ticket_id,
            subject: v.subject.clone(),
            client: v.client.clone(),
            summary: v.summary.clone(),
            status: v.status.label(),
            open: v.status == SuggestionStatus::Open,
            raised: format_time(v.created_at, zone),
            raised_iso: iso_time(v.created_at),
            decided: match (&v.decider, v.decided_at) {
                (Some(who), Some(at)) => {
                    format!("{} by {who}, {}", v.status.label(), format_time(at, zone))
                }
                _ => String::new(),
            },
            note: v.note.clone(),
            version: v.version,
        }
    }
}
