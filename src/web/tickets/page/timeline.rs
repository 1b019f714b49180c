//! The ticket's timeline as the page shows it: each event's words and style.

use crate::db::timeline::EventView;
use crate::domain::timeline::EventKind;
use crate::format::{format_time, iso_time};

pub struct EventItem {
    pub when: String,
    pub when_iso: String,
    pub who: String,
    pub kind: String,
    pub css: &'static str,
    pub client_visible: bool,
    pub body: String,
    pub detail: String,
}

fn event_css(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Reply | EventKind::Call => "event event-client",
        EventKind::ClientMessage => "event event-from-client",
        EventKind::Note => "event event-note",
        EventKind::Solution => "event event-solution",
        _ => "event event-system",
    }
}

fn event_label(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Created => "Recorded",
        EventKind::Note => "Internal note",
        EventKind::Reply => "Reply to the client",
        EventKind::Call => "Call with the client",
        EventKind::Triage => "Triage",
        EventKind::Assignment => "Assignment",
        EventKind::Status => "Status",
        EventKind::Solution => "Solution",
        EventKind::Reopen => "Reopened",
        EventKind::Closed => "Closed",
        EventKind::Attachment => "Attachment",
        EventKind::Survey => "Survey",
        EventKind::Escalation => "Escalation",
        EventKind::Approval => "Approval",
        EventKind::Decision => "Decision point",
        EventKind::Identity => "Identity check",
        EventKind::ClientMessage => "Message from the client",
        EventKind::Alert => "Monitoring alert",
        // The review entry has always shown its stored word.
        EventKind::Review => EventKind::Review.as_str(),
    }
}

/// The ticket's events, oldest first, as the timeline shows them.
pub(super) fn timeline(events: &[EventView], zone: chrono_tz::Tz) -> Vec<EventItem> {
    events
        .iter()
        .map(|e| EventItem {
            when: format_time(e.created_at, zone),
            when_iso: iso_time(e.created_at),
            who: e.actor_name.clone().unwrap_or_else(|| "the system".into()),
            kind: event_label(e.kind).into(),
            css: event_css(e.kind),
            client_visible: e.client_visible,
            body: e.body.clone(),
            detail: e.detail.clone(),
        })
        .collect()
}
