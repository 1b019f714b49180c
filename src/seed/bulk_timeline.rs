//! The timeline of one generated ticket, as a real ticket's reads: its creation, triage and
//! assignment, the notes, replies and calls of the work, its escalations, the solution, the
//! close and the survey, 5 to 15 entries in time order and none after now, and for one ticket
//! in eight an attached log file. So a ticket page at a million tickets reads as much as a
//! real one, and the events table is as large as a real desk's.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{ticket_attachments, ticket_events};
use crate::domain::timeline::EventKind;

#[derive(Insertable)]
#[diesel(table_name = ticket_events, treat_none_as_default_value = false)]
pub(super) struct BulkEvent {
    ticket_id: i64,
    actor_id: Option<i64>,
    kind: &'static str,
    client_visible: bool,
    body: &'static str,
    detail: String,
    created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = ticket_attachments, treat_none_as_default_value = false)]
pub(super) struct BulkAttachment {
    ticket_id: i64,
    filename: &'static str,
    content_type: &'static str,
    size_bytes: i64,
    data: &'static [u8],
    uploaded_by: Option<i64>,
    created_at: NaiveDateTime,
}

/// What the timeline is written from: the ticket as generated.
pub(super) struct Facts<'a> {
    pub id: i64,
    pub kind_label: &'static str,
    pub channel_label: &'static str,
    pub priority: &'static str,
    pub tier_label: Option<&'static str>,
    pub technician: Option<(i64, &'a str)>,
    pub created: NaiveDateTime,
    pub triaged: Option<NaiveDateTime>,
    pub solved: Option<NaiveDateTime>,
    pub closed: Option<NaiveDateTime>,
    pub solution: Option<&'static str>,
    /// When each climb happened, and the rung it reached.
    pub climbs: Vec<(NaiveDateTime, &'a str)>,
    pub survey: Option<(NaiveDateTime, i32)>,
    /// Random bits for the ticket's own variety.
    pub bits: u64,
}

/// The most entries a generated timeline has.
const MOST: usize = 15;

const NOTES: [&str; 6] = [
    "Checked the event log on the machine: the same error every few minutes since Monday.",
    "Remote session with the user: reproduced it, collecting logs.",
    "Restarted the service and cleared the queue; watching it for an hour.",
    "Opened a case with the vendor; their reference is in the ticket fields.",
    "Same symptom on a second machine in that office: probably not the workstation.",
    "Rolled back last night's update on this device; the user can work again.",
];

const REPLIES: [&str; 5] = [
    "Thank you for reporting this; we are looking at it now and will update you within the hour.",
    "Could you tell us when this started, and whether anything changed on your side?",
    "We have applied a fix. Please try again and let us know if it still happens.",
    "We need the machine for about 15 minutes this afternoon; does 15:00 suit you?",
    "The vendor has confirmed the fault; we expect their patch tomorrow morning.",
];

const CALLS: [&str; 3] = [
    "Called the user: confirmed the symptoms and the affected machines.",
    "Call-back on the number on file: walked the user through the steps, working again.",
    "Left a voicemail asking for a good time to connect remotely.",
];

const LOG_FILE: &[u8] = b"2026-11-30 08:14:02 ERROR spooler: job 4471 failed (0x00000709)\n\
2026-11-30 08:14:07 WARN  spooler: retrying job 4471\n\
2026-11-30 08:14:12 ERROR spooler: job 4471 failed (0x00000709)\n";

/// The entries of one ticket's timeline, oldest first, and its attachment if it has one.
pub(super) fn timeline(
    facts: &Facts<'_>,
    now: NaiveDateTime,
) -> (Vec<BulkEvent>, Option<BulkAttachment>) {
    let tech = facts.technician.map(|(id, _)| id);
    let mut events = Vec::with_capacity(MOST);
    let entry = |kind: EventKind,
                 actor: Option<i64>,
                 client_visible: bool,
                 body: &'static str,
                 detail: String,
                 at: NaiveDateTime| BulkEvent {
        ticket_id: facts.id,
        actor_id: actor,
        kind: kind.as_str(),
        client_visible,
        body,
        detail,
        created_at: at,
    };
    events.push(entry(
        EventKind::Created,
        None,
        false,
        "",
        format!(
            "{} from the contact on file by {}; priority {} (medium impact, medium urgency)",
            facts.kind_label, facts.channel_label, facts.priority
        ),
        facts.created,
    ));
    let mut attachment = None;
    if let Some(triaged) = facts.triaged {
        events.push(entry(
            EventKind::Triage,
            tech,
            false,
            "",
            format!(
                "priority {p} → {p} (medium impact, medium urgency); status New → Triaged",
                p = facts.priority
            ),
            triaged,
        ));
        if let (Some(tier), Some((_, name))) = (facts.tier_label, facts.technician) {
            events.push(entry(
                EventKind::Assignment,
                tech,
                false,
                "",
                format!("tier none → {tier}; owner nobody → {name}; worker nobody → {name}"),
                triaged + Duration::minutes(2),
            ));
        }
        for (when, rung) in &facts.climbs {
            events.push(entry(
                EventKind::Escalation,
                tech,
                false,
                "",
                format!("escalated to {rung}: the ticket needed more than this rung"),
                *when,
            ));
        }
        let end = facts
            .solved
            .unwrap_or(now)
            .max(triaged + Duration::minutes(30));
        let span = (end - triaged).num_minutes();
        if (facts.bits >> 40).is_multiple_of(8) {
            let at = triaged + Duration::minutes(span / 3);
            events.push(entry(
                EventKind::Attachment,
                tech,
                false,
                "",
                format!("attached spooler.log ({} bytes)", LOG_FILE.len()),
                at,
            ));
            attachment = Some(BulkAttachment {
                ticket_id: facts.id,
                filename: "spooler.log",
                content_type: "text/plain",
                size_bytes: LOG_FILE.len() as i64,
                data: LOG_FILE,
                uploaded_by: tech,
                created_at: at,
            });
        }
        if let (Some(solved), Some(solution)) = (facts.solved, facts.solution) {
            events.push(entry(
                EventKind::Solution,
                tech,
                true,
                solution,
                "status In progress → Solved".into(),
                solved,
            ));
        }
        if let Some(closed) = facts.closed {
            events.push(entry(
                EventKind::Closed,
                None,
                false,
                "",
                "status Solved → Closed after the reopen period".into(),
                closed,
            ));
        }
        if let Some((answered, rating)) = facts.survey {
            events.push(entry(
                EventKind::Survey,
                None,
                true,
                "",
                format!("client rated {rating} of 5"),
                answered,
            ));
        }
        // The work between triage and the solution fills the timeline up to 5 to 15 entries.
        let fixed = events.len() as u64;
        let work = (2 + (facts.bits >> 4) % 7)
            .min(MOST as u64 - fixed)
            .max(5u64.saturating_sub(fixed));
        for step in 0..work {
            let at = triaged + Duration::minutes(span * (step as i64 + 1) / (work as i64 + 1));
            let pick = ((facts.bits >> (8 + step * 3)) % 8) as usize;
            match (step + facts.bits % 3) % 3 {
                0 => events.push(entry(
                    EventKind::Note,
                    tech,
                    false,
                    NOTES[pick % NOTES.len()],
                    String::new(),
                    at,
                )),
                1 => events.push(entry(
                    EventKind::Reply,
                    tech,
                    true,
                    REPLIES[pick % REPLIES.len()],
                    String::new(),
                    at,
                )),
                _ => events.push(entry(
                    EventKind::Call,
                    tech,
                    false,
                    CALLS[pick % CALLS.len()],
                    String::new(),
                    at,
                )),
            }
        }
    } else if facts.bits.is_multiple_of(3) {
        // Not triaged yet: the client may have added a line by mail while it waits.
        events.push(entry(
            EventKind::ClientMessage,
            None,
            true,
            "It is still happening this morning, on two more machines now.",
            String::new(),
            facts.created + Duration::minutes(20),
        ));
    }
    events.retain(|e| e.created_at <= now);
    events.sort_by_key(|e| e.created_at);
    (events, attachment.filter(|a| a.created_at <= now))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chrono::NaiveDate;

    use super::*;
    use crate::domain::ticket::Status;

    fn at(day: u32, hour: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, day)
            .unwrap()
            .and_hms_opt(hour, 0, 0)
            .unwrap()
    }

    fn facts(status: Status, bits: u64) -> Facts<'static> {
        let solved = matches!(status, Status::Solved | Status::Closed);
        let closed = status == Status::Closed;
        Facts {
            id: 7,
            kind_label: "Incident",
            channel_label: "E-mail",
            priority: "P3",
            tier_label: (status != Status::New).then_some("Tier 1"),
            technician: (status != Status::New).then_some((3, "Tara Quinn")),
            created: at(2, 9),
            triaged: (status != Status::New).then(|| at(2, 9) + Duration::minutes(5)),
            solved: solved.then(|| at(2, 12)),
            closed: closed.then(|| at(3, 12)),
            solution: solved.then_some("Replaced the toner."),
            climbs: vec![(at(2, 10), "Tier 2")],
            survey: closed.then(|| (at(3, 14), 4)),
            bits,
        }
    }

    #[test]
    fn a_worked_ticket_has_five_to_fifteen_entries_in_time_order_none_after_now() {
        let now = at(20, 0);
        for status in [
            Status::Triaged,
            Status::InProgress,
            Status::Solved,
            Status::Closed,
        ] {
            for bits in [0u64, 1, 0xFFFF_FFFF_FFFF_FFFF, 0x1234_5678_9ABC_DEF0] {
                let (events, _) = timeline(&facts(status, bits), now);
                assert!(
                    (5..=15).contains(&events.len()),
                    "{status:?} {bits:x}: {}",
                    events.len()
                );
                assert!(
                    events
                        .windows(2)
                        .all(|w| w[0].created_at <= w[1].created_at),
                    "{status:?} {bits:x}: out of order"
                );
                assert!(events.iter().all(|e| e.created_at <= now));
                assert_eq!(events[0].kind, "created");
            }
        }
    }

    #[test]
    fn a_closed_ticket_ends_with_its_close_and_survey_and_an_escalation_is_on_record() {
        let (events, _) = timeline(&facts(Status::Closed, 5), at(20, 0));
        let kinds: Vec<&str> = events.iter().map(|e| e.kind).collect();
        assert_eq!(kinds[kinds.len() - 3..], ["solution", "closed", "survey"]);
        assert!(kinds.contains(&"escalation"), "{kinds:?}");
    }

    #[test]
    fn nothing_is_written_after_now_for_a_young_ticket() {
        let mut young = facts(Status::InProgress, 9);
        young.created = at(2, 9);
        young.triaged = Some(at(2, 9) + Duration::minutes(5));
        let now = at(2, 9) + Duration::minutes(6);
        let (events, attachment) = timeline(&young, now);
        assert!(events.iter().all(|e| e.created_at <= now));
        assert!(attachment.is_none_or(|a| a.created_at <= now));
    }

    #[test]
    fn one_ticket_in_eight_carries_a_log_file_with_its_timeline_line() {
        let with = (0u64..64)
            .map(|b| timeline(&facts(Status::Closed, b << 40), at(20, 0)))
            .filter(|(events, attachment)| {
                attachment.is_some() && events.iter().any(|e| e.kind == "attachment")
            })
            .count();
        assert_eq!(with, 8);
    }
}
