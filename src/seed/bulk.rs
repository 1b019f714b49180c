//! The bulk history generator for benchmarks: tickets over two years with the spread a real
//! desk has (late responses and resolutions, reopens, escalations on every rung and for every
//! reason, answered surveys), so report and queue queries are measured on data shaped like a
//! busy desk's rather than on identical rows.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::bulk_timeline::{BulkAttachment, BulkEvent, Facts, timeline};
use crate::db::schema::{
    categories, contacts, escalation_levels, escalations, surveys, ticket_attachments,
    ticket_events, tickets, users,
};
use crate::db::{self, DbConn};
use crate::domain::account::Tier;
use crate::domain::escalation::{Reason, Trigger};
use crate::domain::ticket::{Channel, IdentityCheck, Kind, Status};

fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// `treat_none_as_default_value = false` writes NULL rather than DEFAULT, which lets SQLite
/// take many rows in one INSERT.
#[derive(Insertable)]
#[diesel(table_name = tickets, treat_none_as_default_value = false)]
struct BulkTicket {
    kind: &'static str,
    client_id: i64,
    contact_id: i64,
    subject: String,
    description: &'static str,
    channel: &'static str,
    identity_check: &'static str,
    status: &'static str,
    impact: &'static str,
    urgency: &'static str,
    priority: &'static str,
    category_id: Option<i64>,
    affected_service: &'static str,
    triaged_at: Option<NaiveDateTime>,
    tier: Option<&'static str>,
    owner_id: Option<i64>,
    worker_id: Option<i64>,
    response_due_at: Option<NaiveDateTime>,
    responded_at: Option<NaiveDateTime>,
    resolution_due_at: Option<NaiveDateTime>,
    solved_at: Option<NaiveDateTime>,
    solution: Option<&'static str>,
    closed_at: Option<NaiveDateTime>,
    reopen_count: i32,
    search_text: String,
    created_by: Option<i64>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i64,
    /// A request past the approval step counts as approved (by nobody on record).
    request_approved_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = escalations, treat_none_as_default_value = false)]
struct BulkEscalation {
    ticket_id: i64,
    from_level_id: Option<i64>,
    to_level_id: i64,
    reason: &'static str,
    explanation: &'static str,
    trigger_kind: &'static str,
    actor_id: Option<i64>,
    owner_id: Option<i64>,
    vendor: &'static str,
    vendor_reference: &'static str,
    created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = surveys, treat_none_as_default_value = false)]
struct BulkSurvey {
    ticket_id: i64,
    rating: Option<i32>,
    comment: &'static str,
    answered_at: Option<NaiveDateTime>,
    flagged: bool,
    flag_notified_at: Option<NaiveDateTime>,
    followed_up_at: Option<NaiveDateTime>,
    sent_at: NaiveDateTime,
}

const SUBJECTS: [&str; 8] = [
    "Workstation slow to start",
    "Printer not printing",
    "Cannot open shared drive",
    "Password reset needed",
    "Outlook not syncing",
    "Wi-Fi drops in meeting room",
    "Install accounting update",
    "Phone handset no dial tone",
];

/// A closed ticket was solved within 11 hours and auto-closed a day after: 27 hours at least.
const CLOSED_AFTER_MINUTES: u64 = 27 * 60;

/// Rows per INSERT: well under SQLite's and PostgreSQL's limits on bound parameters.
const BULK_BATCH: usize = 500;

/// Answered ratings lean happy, as on a real desk, with a tail of unhappy clients.
const RATINGS: [i32; 10] = [5, 5, 5, 4, 4, 4, 3, 5, 2, 1];

/// What one generated ticket went through besides its own row.
struct Story {
    /// How many rungs it climbed (0, 1 or 2), and why.
    climbs: u8,
    reason: Reason,
    /// The rating of an answered survey; every closed ticket was sent one.
    survey: Option<i32>,
    /// The technician's name, for the timeline.
    technician: Option<usize>,
    /// Random bits for the timeline's variety.
    bits: u64,
}

/// The ids and names of the ladder's first three rungs, bottom first.
fn ladder(conn: &mut DbConn) -> anyhow::Result<Vec<(i64, String)>> {
    let ids: Vec<(i64, String)> = escalation_levels::table
        .order(escalation_levels::position.asc())
        .select((escalation_levels::id, escalation_levels::name))
        .limit(3)
        .load(conn)?;
    if ids.len() < 3 {
        return Err(anyhow::anyhow!("the escalation ladder needs three levels"));
    }
    Ok(ids)
}

/// Loads `count` historical tickets for benchmarks, spread over the last two years: most
/// closed, a few percent open in every state, so queue pages look like a busy desk's. About one
/// in six climbed the ladder, one in ten was answered late, one in eight solved late, one in
/// twenty-five reopened, and one closed ticket in five has an answered survey.
pub fn bulk_tickets(conn: &mut DbConn, count: u64, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let pairs: Vec<(i64, i64)> = contacts::table
        .filter(contacts::active.eq(true))
        .select((contacts::client_id, contacts::id))
        .load(conn)?;
    let staff: Vec<(i64, Option<String>, String)> = users::table
        .filter(users::active.eq(true))
        .filter(users::tier.is_not_null())
        .select((users::id, users::tier, users::display_name))
        .load(conn)?;
    let category_ids: Vec<i64> = categories::table
        .filter(categories::parent_id.is_null())
        .select(categories::id)
        .load(conn)?;
    if pairs.is_empty() || staff.is_empty() {
        return Err(anyhow::anyhow!(
            "run seed-demo first: bulk tickets need clients, contacts and technicians"
        ));
    }
    let rungs = ladder(conn)?;
    const OPEN_STATES: [Status; 7] = [
        Status::New,
        Status::Triaged,
        Status::Assigned,
        Status::InProgress,
        Status::PendingClient,
        Status::PendingVendor,
        Status::Solved,
    ];
    if let DbConn::Sqlite(lite) = conn {
        // A large page cache keeps the indexes' pages in memory while rows arrive in random
        // time order; this connection is the seeding command's own.
        diesel::connection::SimpleConnection::batch_execute(lite, "PRAGMA cache_size = -262144;")?;
    }
    let span_minutes = 2 * 365 * 24 * 60;
    let mut written = 0u64;
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        // xorshift: deterministic and fast; these tickets need variety, not secrecy.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    while written < count {
        let batch = (count - written).min(BULK_BATCH as u64);
        let mut stories = Vec::with_capacity(batch as usize);
        let rows: Vec<BulkTicket> = (0..batch)
            .map(|i| {
                let n = written + i;
                let r = next();
                let open = n.is_multiple_of(20);
                let (client_id, contact_id) = pairs[(r % pairs.len() as u64) as usize];
                let technician = ((r >> 8) % staff.len() as u64) as usize;
                let (tech, tier, _) = &staff[technician];
                let tier = tier
                    .as_deref()
                    .and_then(|t| Tier::parse(t).ok())
                    .map(Tier::as_str);
                let priority = ["P1", "P2", "P3", "P3", "P3"][((r >> 16) % 5) as usize];
                // One in twenty is open, and recent, as on a real desk; a closed one is at least
                // old enough to have been solved and auto-closed a day later.
                let age = if open {
                    (r >> 20) % (3 * 24 * 60)
                } else {
                    CLOSED_AFTER_MINUTES + (r >> 20) % (span_minutes - CLOSED_AFTER_MINUTES)
                };
                let created = (now - Duration::minutes(age as i64)).naive_utc();
                let status = if open {
                    OPEN_STATES[((r >> 40) % 7) as usize]
                } else {
                    Status::Closed
                };
                let hours = |h: i64| created + Duration::hours(h);
                // A young open ticket has not got that far yet: nothing has happened after now.
                let happened = |at: NaiveDateTime| at.min(now.naive_utc());
                let triaged = status != Status::New;
                let solved = matches!(status, Status::Solved | Status::Closed);
                let request = r % 11 == 0;
                let answered_late = (r >> 44).is_multiple_of(10);
                let solved_late = (r >> 48).is_multiple_of(8);
                let reopened = status == Status::Closed && (r >> 52).is_multiple_of(25);
                stories.push(Story {
                    climbs: match (request || !triaged, (r >> 36) % 30) {
                        (true, _) => 0,
                        (false, 0) => 2,
                        (false, 1..=4) => 1,
                        _ => 0,
                    },
                    reason: Reason::ALL[((r >> 56) % Reason::ALL.len() as u64) as usize],
                    survey: (status == Status::Closed && (r >> 58).is_multiple_of(5))
                        .then(|| RATINGS[((r >> 3) % 10) as usize]),
                    technician: triaged.then_some(technician),
                    // Mixed from this ticket's draw, so the tickets themselves stay as before.
                    bits: r.rotate_left(29) ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15),
                });
                let subject = format!("{} #{n}", SUBJECTS[((r >> 24) % 8) as usize]);
                BulkTicket {
                    kind: if request {
                        Kind::ServiceRequest.as_str()
                    } else {
                        Kind::Incident.as_str()
                    },
                    client_id,
                    contact_id,
                    search_text: subject.to_lowercase(),
                    subject,
                    description: "Generated for load testing.",
                    channel: Channel::ALL[((r >> 28) % 5) as usize].as_str(),
                    identity_check: IdentityCheck::KnownEmail.as_str(),
                    status: status.as_str(),
                    impact: "medium",
                    urgency: "medium",
                    priority,
                    category_id: triaged
                        .then(|| category_ids[((r >> 32) % category_ids.len() as u64) as usize]),
                    affected_service: "",
                    triaged_at: triaged.then(|| happened(created + Duration::minutes(5))),
                    tier: if triaged { tier } else { None },
                    owner_id: triaged.then_some(*tech),
                    worker_id: triaged.then_some(*tech),
                    response_due_at: Some(created + Duration::minutes(30)),
                    responded_at: triaged.then(|| {
                        happened(created + Duration::minutes(if answered_late { 47 } else { 12 }))
                    }),
                    resolution_due_at: (!status.is_pending()).then(|| hours(8)),
                    solved_at: solved.then(|| happened(hours(if solved_late { 11 } else { 3 }))),
                    solution: solved.then_some("Resolved; see the ticket notes."),
                    closed_at: (status == Status::Closed).then(|| hours(27)),
                    reopen_count: i32::from(reopened),
                    created_by: None,
                    created_at: created,
                    updated_at: created,
                    version: 1,
                    request_approved_at: (request
                        && !matches!(status, Status::New | Status::Triaged | Status::Assigned))
                    .then(|| happened(created + Duration::minutes(10))),
                }
            })
            .collect();
        // Multi-row INSERTs are backend-specific SQL, so each backend runs its own.
        db::write_tx(conn, |conn| {
            let ids: Vec<i64> = match conn {
                DbConn::Postgres(pg) => diesel::insert_into(tickets::table)
                    .values(&rows)
                    .returning(tickets::id)
                    .get_results(pg)?,
                DbConn::Sqlite(lite) => diesel::insert_into(tickets::table)
                    .values(&rows)
                    .returning(tickets::id)
                    .get_results(lite)?,
            };
            let history = histories(&ids, &rows, &stories, &rungs, &staff, now.naive_utc());
            insert_history(conn, &history)?;
            Ok(())
        })
        .map_err(err)?;
        written += batch;
    }
    // The figures first: the backfill rewrites every row, and the statistics (and on PostgreSQL
    // the visibility map the report counts rely on) must see the rows as they stay.
    db::reports::business_minutes::backfill_all(conn).map_err(err)?;
    db::refresh_statistics(conn).map_err(err)?;
    Ok(written)
}

/// The rows one batch of inserted tickets brings along.
#[derive(Default)]
struct History {
    climbs: Vec<BulkEscalation>,
    surveys: Vec<BulkSurvey>,
    events: Vec<BulkEvent>,
    attachments: Vec<BulkAttachment>,
}

/// Multi-row INSERTs are backend-specific SQL, so each backend runs its own; the events go in
/// slices, as a batch of tickets has up to fifteen each.
fn insert_history(conn: &mut DbConn, history: &History) -> diesel::QueryResult<()> {
    macro_rules! insert_all {
        ($conn:expr) => {{
            diesel::insert_into(escalations::table)
                .values(&history.climbs)
                .execute($conn)?;
            diesel::insert_into(surveys::table)
                .values(&history.surveys)
                .execute($conn)?;
            for events in history.events.chunks(BULK_BATCH) {
                diesel::insert_into(ticket_events::table)
                    .values(events)
                    .execute($conn)?;
            }
            if !history.attachments.is_empty() {
                diesel::insert_into(ticket_attachments::table)
                    .values(&history.attachments)
                    .execute($conn)?;
            }
        }};
    }
    match conn {
        DbConn::Postgres(pg) => insert_all!(pg),
        DbConn::Sqlite(lite) => insert_all!(lite),
    }
    Ok(())
}

/// The escalations, surveys, timelines and attachments of one batch of inserted tickets.
fn histories(
    ids: &[i64],
    rows: &[BulkTicket],
    stories: &[Story],
    rungs: &[(i64, String)],
    staff: &[(i64, Option<String>, String)],
    now: NaiveDateTime,
) -> History {
    let mut history = History::default();
    for ((id, row), story) in ids.iter().zip(rows).zip(stories) {
        let trigger = match story.reason {
            Reason::TimeExceeded => Trigger::Time,
            Reason::Severity => Trigger::Severity,
            _ => Trigger::Manual,
        };
        let mut climbed = Vec::new();
        for step in 0..usize::from(story.climbs) {
            let at = (row.created_at + Duration::minutes(40 + 60 * step as i64)).min(now);
            climbed.push((at, rungs[step + 1].1.as_str()));
            history.climbs.push(BulkEscalation {
                ticket_id: *id,
                from_level_id: Some(rungs[step].0),
                to_level_id: rungs[step + 1].0,
                reason: story.reason.as_str(),
                explanation: "Generated for load testing.",
                trigger_kind: trigger.as_str(),
                actor_id: (!trigger.is_automatic()).then_some(row.owner_id).flatten(),
                owner_id: row.owner_id,
                vendor: "",
                vendor_reference: "",
                created_at: at,
            });
        }
        let mut answered_survey = None;
        if let Some(closed) = row.closed_at {
            // An unhappy answer from the past was told to the managers and followed up then,
            // so the history does not flood today's follow-up list.
            let answered = closed + Duration::hours(2);
            let flagged = story.survey.is_some_and(|rating| rating <= 2);
            answered_survey = story.survey.map(|rating| (answered, rating));
            history.surveys.push(BulkSurvey {
                ticket_id: *id,
                rating: story.survey,
                comment: "",
                answered_at: story.survey.map(|_| answered),
                flagged,
                flag_notified_at: flagged.then_some(answered),
                followed_up_at: flagged.then(|| answered + Duration::days(1)),
                sent_at: closed,
            });
        }
        let (events, attachment) = timeline(
            &Facts {
                id: *id,
                kind_label: Kind::parse(row.kind).map_or("Ticket", Kind::label),
                channel_label: Channel::parse(row.channel).map_or("phone", Channel::label),
                priority: row.priority,
                tier_label: row.tier.and_then(|t| Tier::parse(t).ok()).map(Tier::label),
                technician: story.technician.map(|i| (staff[i].0, staff[i].2.as_str())),
                created: row.created_at,
                triaged: row.triaged_at,
                solved: row.solved_at,
                closed: row.closed_at,
                solution: row.solution,
                climbs: climbed,
                survey: answered_survey,
                bits: story.bits,
            },
            now,
        );
        history.events.extend(events);
        history.attachments.extend(attachment);
    }
    history
}
