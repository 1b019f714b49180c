//! What the ticket page reads: the ticket with its client, contact, names, timeline, pauses and
//! service level, and the staff who could take it.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::categories;
use crate::db::clients::ContactRow;
use crate::db::names::Names;
use crate::db::schema::{solved_counts, ticket_counts, tickets, users};
use crate::db::sla_clock::{PauseRow, ServiceLevel, pauses_of, service_level_of};
use crate::db::tickets::row::{TicketRow, get, status_names};
use crate::db::timeline::{EventView, events_of};
use crate::db::users::names as user_names;
use crate::domain::assignment::EXPERTISE_WINDOW;
use crate::domain::ids::{CategoryId, ClientId, ContactId, TicketId};
use crate::domain::ticket::Status;
use crate::error::AppResult;

/// Everything the ticket page shows, from a handful of queries whatever the ticket's history.
pub struct TicketDetail {
    pub row: TicketRow,
    pub client: crate::db::clients::ClientRow,
    pub contact: ContactRow,
    pub names: Names,
    pub categories: Names,
    pub events: Vec<EventView>,
    pub pauses: Vec<PauseRow>,
    /// The client's service level (calendar and policy), not the escalation level.
    pub service: ServiceLevel,
}

pub fn detail(conn: &mut DbConn, id: TicketId) -> AppResult<TicketDetail> {
    let row = get(conn, id)?;
    let client = crate::db::clients::get(conn, ClientId(row.client_id))?;
    let contact = crate::db::clients::get_contact(conn, ContactId(row.contact_id))?;
    let names = user_names(
        conn,
        &[
            row.owner_id,
            row.worker_id,
            row.created_by,
            row.request_approved_by,
        ],
    )?;
    let categories = categories::names(conn, &[row.category_id, row.subcategory_id])?;
    let events = events_of(conn, id)?;
    let pauses = pauses_of(conn, id)?;
    let service = service_level_of(conn, client.calendar_id, client.sla_policy_id)?;
    Ok(TicketDetail {
        row,
        client,
        contact,
        names,
        categories,
        events,
        pauses,
        service,
    })
}

/// Everyone who could take the ticket, with the facts the ranking weighs.
pub struct CandidateFacts {
    pub user: crate::db::users::UserRow,
    pub solved_in_category: i64,
    pub open_tickets: i64,
    /// Granted access to the ticket's client.
    pub client_access: bool,
    /// The ticket's client's systems they have access to.
    pub systems: HashSet<String>,
    /// Their planned absences not over yet, (first, last) day.
    pub absences: Vec<(NaiveDate, NaiveDate)>,
}

/// The staff who could take a ticket for `client`, with what the ranking weighs, and the
/// client's systems (the ranking asks which of them the ticket names).
pub fn assignment_candidates(
    conn: &mut DbConn,
    client: ClientId,
    category: Option<CategoryId>,
    now: DateTime<Utc>,
) -> AppResult<(Vec<CandidateFacts>, Vec<String>)> {
    let staff: Vec<crate::db::users::UserRow> = users::table
        .filter(users::active.eq(true))
        .order(users::display_name.asc())
        .select(crate::db::users::UserRow::as_select())
        .load(conn)?;
    let open = open_by_worker(conn)?;
    let solved = match category {
        Some(category) => solved_in_category(conn, category, now)?,
        None => HashMap::new(),
    };
    let mut access = crate::db::access::access_facts(conn, client)?;
    // A day early covers every zone's today; the ranking decides in each person's own.
    let from = (now - chrono::Duration::days(1)).date_naive();
    let mut absences = crate::db::absences::spans_from(conn, from)?;
    let candidates = staff
        .into_iter()
        .map(|user| CandidateFacts {
            solved_in_category: solved.get(&user.id).copied().unwrap_or(0),
            open_tickets: open.get(&user.id).copied().unwrap_or(0),
            client_access: access.with_access.contains(&user.id),
            systems: access.system_access.remove(&user.id).unwrap_or_default(),
            absences: absences.remove(&user.id).unwrap_or_default(),
            user,
        })
        .collect();
    Ok((candidates, access.systems))
}

/// Open tickets per worker, from the `ticket_counts` counters (kind × status × worker rows),
/// not from the tickets.
pub fn open_by_worker(conn: &mut DbConn) -> AppResult<HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = ticket_counts::table
        .filter(ticket_counts::status.eq_any(status_names(&Status::OPEN)))
        .filter(ticket_counts::worker_id.ne(0))
        .select((ticket_counts::worker_id, ticket_counts::n))
        .load(conn)?;
    let mut open = HashMap::new();
    for (worker, n) in rows {
        *open.entry(worker).or_insert(0) += n;
    }
    Ok(open)
}

/// Tickets each owner solved in `category` within the expertise window: whole days from the
/// `solved_counts` counters (at most a row per owner and day), and the window's first, partial
/// day from the tickets solved in it (one day of one category on its index), so the edge is
/// exact to the instant.
fn solved_in_category(
    conn: &mut DbConn,
    category: CategoryId,
    now: DateTime<Utc>,
) -> AppResult<HashMap<i64, i64>> {
    use diesel::dsl::count_star;
    let from = (now - EXPERTISE_WINDOW).naive_utc();
    let first_day_end = from
        .date()
        .succ_opt()
        .unwrap_or(from.date())
        .and_time(NaiveTime::MIN);
    // Summed by the database: a category's 90 days are hundreds of rows, each owner one answer.
    let whole_days: Vec<(i64, i64)> = solved_counts::table
        .filter(solved_counts::category_id.eq(category.0))
        .filter(solved_counts::day.ge(first_day_end))
        .group_by(solved_counts::owner_id)
        .select((
            solved_counts::owner_id,
            diesel::dsl::sql::<diesel::sql_types::BigInt>("CAST(SUM(n) AS BIGINT)"),
        ))
        .load(conn)?;
    let first_day: Vec<(i64, i64)> = tickets::table
        .filter(tickets::category_id.eq(category.0))
        .filter(tickets::solved_at.ge(from))
        .filter(tickets::solved_at.lt(first_day_end))
        .filter(tickets::owner_id.is_not_null())
        .group_by(tickets::owner_id)
        .select((tickets::owner_id.assume_not_null(), count_star()))
        .load(conn)?;
    let mut solved = HashMap::new();
    for (owner, n) in whole_days.into_iter().chain(first_day) {
        *solved.entry(owner).or_insert(0) += n;
    }
    Ok(solved)
}
