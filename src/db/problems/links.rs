//! Incidents and the problem that causes them: linking from either side, unlinking, and the
//! reads each side shows (a problem's incidents with their state, an incident's problem).

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::row::{get, kind, log};
use crate::db::outcome::{Outcome, refuse};
use crate::db::schema::{problem_incidents, problems, tickets};
use crate::db::search::like_pattern;
use crate::db::timeline::{NewEvent, add_event};
use crate::db::users::UserRow;
use crate::db::{DbConn, write_tx};
use crate::domain::ids::{TicketId, UserId};
use crate::domain::problem::{ProblemId, Status};
use crate::domain::ticket::{Kind, Status as TicketStatus};
use crate::domain::timeline::EventKind;
use crate::error::AppResult;

/// Links an incident inside the caller's transaction: the problem's trail and the incident's
/// timeline both say so. The ticket machine has no "awaiting problem" status, so the incident
/// keeps its status and its timeline carries the line instead.
pub(crate) fn link_in_tx(
    conn: &mut DbConn,
    actor: UserId,
    problem: ProblemId,
    ticket: TicketId,
    at: NaiveDateTime,
) -> Outcome<()> {
    let row = get(conn, problem)?;
    if !row.status.is_active() {
        return refuse("ticket", "A closed problem takes no more incidents.");
    }
    let found: Option<(String, String)> = tickets::table
        .find(ticket.0)
        .select((tickets::kind, tickets::subject))
        .first(conn)
        .optional()?;
    let Some((ticket_kind, subject)) = found else {
        return refuse("ticket", format!("There is no ticket #{ticket}."));
    };
    if ticket_kind != Kind::Incident.as_str() {
        return refuse(
            "ticket",
            format!("#{ticket} is a service request; only incidents are caused by problems."),
        );
    }
    let linked: Option<i64> = problem_incidents::table
        .find(ticket.0)
        .select(problem_incidents::problem_id)
        .first(conn)
        .optional()?;
    if let Some(other) = linked {
        return refuse(
            "ticket",
            format!(
                "#{ticket} is already linked to problem {}.",
                ProblemId(other)
            ),
        );
    }
    diesel::insert_into(problem_incidents::table)
        .values((
            problem_incidents::problem_id.eq(problem.0),
            problem_incidents::ticket_id.eq(ticket.0),
            problem_incidents::linked_by.eq(actor.0),
            problem_incidents::linked_at.eq(at),
        ))
        .execute(conn)?;
    log(
        conn,
        problem,
        Some(actor),
        kind::LINK,
        "",
        &format!("incident #{ticket} linked: {subject}"),
        at,
    )?;
    add_event(
        conn,
        ticket,
        Some(actor),
        &NewEvent::internal(
            EventKind::Note,
            &format!(
                "linked to problem {problem} ({}); awaiting the problem's fix",
                row.subject
            ),
        ),
        at,
    )?;
    Ok(Ok(()))
}

/// Links an incident to a problem, from the problem page or the ticket page.
#[tracing::instrument(skip_all, fields(problem_id = %problem, ticket_id = %ticket))]
pub fn link(
    conn: &mut DbConn,
    actor: &UserRow,
    problem: ProblemId,
    ticket: TicketId,
    now: DateTime<Utc>,
) -> Outcome<()> {
    write_tx(conn, |conn| {
        link_in_tx(conn, actor.id(), problem, ticket, now.naive_utc())
    })
}

/// Takes a wrongly linked incident off a problem (drivers only).
#[tracing::instrument(skip_all, fields(problem_id = %problem, ticket_id = %ticket))]
pub fn unlink(
    conn: &mut DbConn,
    actor: &UserRow,
    problem: ProblemId,
    ticket: TicketId,
    now: DateTime<Utc>,
) -> Outcome<()> {
    super::row::require_driver(actor)?;
    write_tx(conn, |conn| {
        let row = get(conn, problem)?;
        if !row.status.is_active() {
            return refuse("ticket", "A closed problem's incidents stay as they were.");
        }
        let removed = diesel::delete(
            problem_incidents::table
                .find(ticket.0)
                .filter(problem_incidents::problem_id.eq(problem.0)),
        )
        .execute(conn)?;
        if removed == 0 {
            return refuse(
                "ticket",
                format!("#{ticket} is not linked to this problem."),
            );
        }
        let at = now.naive_utc();
        log(
            conn,
            problem,
            Some(actor.id()),
            kind::LINK,
            "",
            &format!("incident #{ticket} unlinked"),
            at,
        )?;
        add_event(
            conn,
            ticket,
            Some(actor.id()),
            &NewEvent::internal(EventKind::Note, &format!("unlinked from problem {problem}")),
            at,
        )?;
        Ok(Ok(()))
    })
}

/// A linked incident as the problem page lists it.
#[derive(Clone, Debug, Queryable)]
pub struct LinkedIncident {
    pub id: i64,
    pub subject: String,
    #[diesel(deserialize_as = String)]
    pub status: TicketStatus,
    pub owner_id: Option<i64>,
    pub client_id: i64,
    pub linked_at: NaiveDateTime,
}

/// The problem's incidents with their state, through the link table's problem index and the
/// tickets' primary key.
pub fn incidents_of(conn: &mut DbConn, problem: ProblemId) -> AppResult<Vec<LinkedIncident>> {
    Ok(problem_incidents::table
        .inner_join(tickets::table)
        .filter(problem_incidents::problem_id.eq(problem.0))
        .order((problem_incidents::linked_at.asc(), tickets::id.asc()))
        .select((
            tickets::id,
            tickets::subject,
            tickets::status,
            tickets::owner_id,
            tickets::client_id,
            problem_incidents::linked_at,
        ))
        .load(conn)?)
}

/// The problem an incident is linked to: its number, subject and status.
pub fn problem_of(
    conn: &mut DbConn,
    ticket: TicketId,
) -> AppResult<Option<(ProblemId, String, Status)>> {
    let found: Option<(i64, String, String)> = problem_incidents::table
        .inner_join(problems::table)
        .filter(problem_incidents::ticket_id.eq(ticket.0))
        .select((problems::id, problems::subject, problems::status))
        .first(conn)
        .optional()?;
    found
        .map(|(id, subject, status)| {
            Status::try_from(status)
                .map(|s| (ProblemId(id), subject, s))
                .map_err(crate::error::AppError::internal)
        })
        .transpose()
}

/// How far back a subject search reads: recent incidents only, through the created_at index.
pub const SEARCH_DAYS: i64 = 90;
pub const SEARCH_LIMIT: i64 = 10;

/// Incidents of the last 90 days whose subject or description holds `term`, newest first, not yet linked.
pub fn search_incidents(
    conn: &mut DbConn,
    term: &str,
    now: DateTime<Utc>,
) -> AppResult<Vec<(i64, String)>> {
    let since = (now - Duration::days(SEARCH_DAYS)).naive_utc();
    let pattern = like_pattern(term);
    Ok(tickets::table
        .left_join(problem_incidents::table)
        .filter(tickets::created_at.ge(since))
        .filter(tickets::kind.eq(Kind::Incident.as_str()))
        .filter(problem_incidents::ticket_id.is_null())
        .filter(tickets::search_text.like(pattern).escape('\\'))
        .order(tickets::created_at.desc())
        .limit(SEARCH_LIMIT)
        .select((tickets::id, tickets::subject))
        .load(conn)?)
}
