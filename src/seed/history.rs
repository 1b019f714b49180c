//! Three months and more of ticket history for the demo clients: closed incidents of every
//! priority (a few answered or solved late, a few still open past their due time), the surveys
//! their contacts answered, and the P1 incidents behind the demo outages, so the monthly client
//! report and every other report show something on a fresh desk. Rows are written directly,
//! in one transaction per client, to keep seeding fast.

use chrono::{DateTime, Duration, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;

use crate::db::schema::{categories, contacts, outage_incidents, surveys, tickets, users};
use crate::db::{self, DbConn};
use crate::domain::ids::ClientId;
use crate::domain::ticket::{Channel, IdentityCheck, Kind, Status};

/// Marks the rows written here, so a second run leaves a client's history alone.
const HISTORY: &str = "Demo history: a ticket from the months before the demo.";
/// Tickets per client, one every `SPACING_HOURS`: about 100 days of history.
const PER_CLIENT: i64 = 40;
const SPACING_HOURS: i64 = 61;

const SUBJECTS: [&str; 6] = [
    "Outlook keeps asking for the password",
    "Label printer offline",
    "VPN drops every few minutes",
    "New starter needs a laptop set up",
    "Shared drive is read-only",
    "Phone handset has no dial tone",
];
const RATINGS: [i32; 8] = [5, 4, 5, 3, 5, 4, 2, 5];

#[derive(Insertable)]
#[diesel(table_name = tickets, treat_none_as_default_value = false)]
struct PastTicket {
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
    affected_service: String,
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
    search_text: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Targets by priority as (response, resolution) minutes.
fn targets(priority: &str) -> (i64, i64) {
    match priority {
        "P1" => (15, 240),
        "P2" => (30, 480),
        _ => (60, 1440),
    }
}

struct Ctx {
    client: i64,
    contact: i64,
    tech: Option<i64>,
    category: Option<i64>,
}

/// The n-th past ticket of a client: mostly closed in time; every fifth answered late, every
/// seventh solved late, and the two most recent of every ten still open.
fn past_ticket(ctx: &Ctx, n: i64, now: NaiveDateTime) -> PastTicket {
    // The newest is old enough for all of its story to be past: a late P3 is solved 48 hours
    // after it was opened, closed a day later and its survey answered three hours after that.
    let created = now - Duration::hours(n * SPACING_HOURS + 76);
    let priority = ["P3", "P2", "P3", "P1", "P3", "P2", "P3"][(n % 7) as usize];
    let (respond, resolve) = targets(priority);
    let open = n % 10 == 1 && n < 20;
    let response_late = n % 5 == 2;
    let resolution_late = n % 7 == 4;
    let solved = (!open).then(|| {
        created
            + Duration::minutes(if resolution_late {
                resolve * 2
            } else {
                resolve / 2
            })
    });
    let subject = format!("{} ({})", SUBJECTS[(n % 6) as usize], n + 1);
    PastTicket {
        kind: Kind::Incident.as_str(),
        client_id: ctx.client,
        contact_id: ctx.contact,
        search_text: subject.to_lowercase(),
        subject,
        description: HISTORY,
        channel: Channel::ALL[(n % 5) as usize].as_str(),
        identity_check: IdentityCheck::KnownEmail.as_str(),
        status: if open {
            Status::InProgress.as_str()
        } else {
            Status::Closed.as_str()
        },
        impact: "medium",
        urgency: "medium",
        priority,
        category_id: ctx.category,
        affected_service: String::new(),
        triaged_at: Some(created + Duration::minutes(3)),
        tier: Some("tier1"),
        owner_id: ctx.tech,
        worker_id: ctx.tech,
        response_due_at: Some(created + Duration::minutes(respond)),
        responded_at: Some(
            created
                + Duration::minutes(if response_late {
                    respond * 3
                } else {
                    respond / 2
                }),
        ),
        resolution_due_at: Some(created + Duration::minutes(resolve)),
        solution: solved.map(|_| "Fixed and confirmed with the caller."),
        closed_at: solved.map(|s| s + Duration::days(1)),
        solved_at: solved,
        created_at: created,
        updated_at: solved.unwrap_or(created),
    }
}

/// The P1 incident behind an unplanned outage: raised at its start, solved at its end.
fn outage_incident(ctx: &Ctx, start: NaiveDateTime, end: NaiveDateTime, what: &str) -> PastTicket {
    let subject = format!("Hosted service down: {what}");
    PastTicket {
        kind: Kind::Incident.as_str(),
        client_id: ctx.client,
        contact_id: ctx.contact,
        search_text: subject.to_lowercase(),
        subject,
        description: HISTORY,
        channel: Channel::ALL[0].as_str(),
        identity_check: IdentityCheck::KnownEmail.as_str(),
        status: Status::Closed.as_str(),
        impact: "high",
        urgency: "high",
        priority: "P1",
        category_id: ctx.category,
        affected_service: what.to_string(),
        triaged_at: Some(start + Duration::minutes(2)),
        tier: Some("tier2"),
        owner_id: ctx.tech,
        worker_id: ctx.tech,
        response_due_at: Some(start + Duration::minutes(15)),
        responded_at: Some(start + Duration::minutes(5)),
        resolution_due_at: Some(start + Duration::minutes(240)),
        solution: Some("Service restored; see the outage for the cause."),
        closed_at: Some(end + Duration::days(1)),
        solved_at: Some(end),
        created_at: start,
        updated_at: end,
    }
}

fn insert(conn: &mut DbConn, rows: &[PastTicket]) -> QueryResult<usize> {
    // Multi-row INSERTs are backend-specific SQL, so each backend runs its own.
    match conn {
        DbConn::Postgres(pg) => diesel::insert_into(tickets::table).values(rows).execute(pg),
        DbConn::Sqlite(lite) => diesel::insert_into(tickets::table)
            .values(rows)
            .execute(lite),
    }
}

/// One client's history, unless it has one already; answers the tickets written.
fn seed_client(conn: &mut DbConn, client: ClientId, now: NaiveDateTime) -> anyhow::Result<usize> {
    let done: i64 = tickets::table
        .filter(tickets::client_id.eq(client.0))
        .filter(tickets::description.eq(HISTORY))
        .count()
        .get_result(conn)?;
    let contact: Option<i64> = contacts::table
        .filter(contacts::client_id.eq(client.0))
        .filter(contacts::active.eq(true))
        .order(contacts::id.asc())
        .select(contacts::id)
        .first(conn)
        .optional()?;
    let Some(contact) = contact.filter(|_| done == 0) else {
        return Ok(0);
    };
    let ctx = Ctx {
        client: client.0,
        contact,
        tech: users::table
            .filter(users::active.eq(true))
            .filter(users::tier.is_not_null())
            .order(users::id.asc())
            .select(users::id)
            .first(conn)
            .optional()?,
        category: categories::table
            .filter(categories::parent_id.is_null())
            .order(categories::id.asc())
            .select(categories::id)
            .first(conn)
            .optional()?,
    };
    let mut rows: Vec<PastTicket> = (0..PER_CLIENT).map(|n| past_ticket(&ctx, n, now)).collect();
    let mut outages = Vec::new();
    let app = |e: crate::error::AppError| anyhow::anyhow!("{e}");
    for service in db::uptime::services_of(conn, client).map_err(app)? {
        for outage in db::uptime::outages::latest(conn, service.id, 20).map_err(app)? {
            if let (false, Some(end)) = (outage.planned, outage.ended_at) {
                outages.push(outage.id.0);
                rows.push(outage_incident(&ctx, outage.started_at, end, &service.name));
            }
        }
    }
    insert(conn, &rows)?;
    let written: Vec<(i64, Option<NaiveDateTime>, String)> = tickets::table
        .filter(tickets::client_id.eq(client.0))
        .filter(tickets::description.eq(HISTORY))
        .order(tickets::id.asc())
        .select((tickets::id, tickets::closed_at, tickets::subject))
        .load(conn)?;
    // The outage incidents were written last, in the order of `outages`.
    let split = written.len() - outages.len();
    for (outage, (ticket, _, _)) in outages.iter().zip(&written[split..]) {
        diesel::insert_into(outage_incidents::table)
            .values((
                outage_incidents::outage_id.eq(outage),
                outage_incidents::ticket_id.eq(ticket),
            ))
            .execute(conn)?;
    }
    for (i, (ticket, closed, _)) in written[..split].iter().enumerate() {
        let Some(closed) = closed else { continue };
        // Two of every three contacts answer; a low rating was followed up by a manager.
        let answered = i % 3 != 2;
        let rating = RATINGS[i % RATINGS.len()];
        diesel::insert_into(surveys::table)
            .values((
                surveys::ticket_id.eq(ticket),
                surveys::rating.eq(answered.then_some(rating)),
                surveys::comment.eq(""),
                surveys::answered_at.eq(answered.then(|| *closed + Duration::hours(3))),
                surveys::flagged.eq(answered && rating <= 2),
                surveys::followed_up_at
                    .eq((answered && rating <= 2).then(|| *closed + Duration::days(1))),
                surveys::sent_at.eq(*closed),
            ))
            .execute(conn)?;
    }
    Ok(written.len())
}

/// Writes every demo client's history; answers the tickets written.
pub fn seed_history(conn: &mut DbConn, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let now = now.trunc_subsecs(6).naive_utc();
    let clients = db::clients::list(conn, false).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut written = 0;
    for client in clients {
        written += db::write_tx(conn, |conn| {
            seed_client(conn, client.client.id(), now)
                .map_err(|e| crate::error::AppError::internal(e.to_string()))
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(written)
}
