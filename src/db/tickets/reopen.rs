//! Reopening a solved ticket, by staff or by the client's link; reopens are counted and the
//! resolution clock runs again.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::outcome::{Outcome, or_refuse};
use crate::db::schema::tickets;
use crate::db::sla_clock::due_times_after_pauses;
use crate::db::tickets::row::{TicketEdit, TicketRow, get, transition, update_ticket};
use crate::db::timeline::{NewEvent, add_event};
use crate::db::{DbConn, write_tx};
use crate::domain::ids::{TicketId, UserId};
use crate::domain::ticket::{self, Action, Status};
use crate::domain::timeline::EventKind;
use crate::error::{AppError, AppResult};

/// Reopens a solved ticket (the client asked, by link or on the phone). Reopens are counted.
#[tracing::instrument(skip_all, fields(ticket_id = %edit.ticket))]
pub fn reopen(conn: &mut DbConn, edit: TicketEdit, reason: &str) -> Outcome<TicketRow> {
    edit.apply(conn, |conn, before| {
        reopen_row(conn, Some(edit.actor), before, reason, edit.now)
    })
}

/// The client reopens from the link in the solution mail: the link is used up and the ticket
/// reopened in one transaction, so a failed reopen leaves the link usable.
#[tracing::instrument(skip_all, fields(ticket_id = %id))]
pub fn reopen_from_link(
    conn: &mut DbConn,
    link: crate::domain::ids::ClientLinkId,
    id: TicketId,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<Result<TicketRow, crate::db::client_links::LinkProblem>> {
    write_tx(conn, |conn| {
        let before = get(conn, id)?;
        if before.status != Status::Solved {
            return Ok(Err(crate::db::client_links::LinkProblem::not_solved(
                before.status,
            )));
        }
        let window_open = before.solved_at.is_some_and(|solved| {
            ticket::reopen_window_open(solved.and_utc(), now, ticket::DEFAULT_SOLVED_WINDOW)
        });
        if !window_open {
            return Ok(Err(crate::db::client_links::LinkProblem::Expired));
        }
        if !crate::db::client_links::mark_used(conn, link, now)? {
            return Ok(Err(crate::db::client_links::LinkProblem::Used));
        }
        match reopen_row(conn, None, before, reason, now)? {
            Ok(row) => Ok(Ok(row)),
            // Rolled back with the transaction: the ticket is no longer solved, so the link
            // has nothing left to do and says so.
            Err(_) => Err(AppError::Conflict("the ticket is no longer solved".into())),
        }
    })
}

pub(crate) fn reopen_row(
    conn: &mut DbConn,
    actor: Option<UserId>,
    before: TicketRow,
    reason: &str,
    now: DateTime<Utc>,
) -> Outcome<TicketRow> {
    let id = before.id;
    let from = before.status;
    let to = or_refuse!(transition(&before, Action::Reopen));
    let at = now.naive_utc();
    let (_, resolution_due) = due_times_after_pauses(conn, &before, before.priority)?;
    let after = update_ticket!(
        conn,
        before,
        at,
        (
            tickets::status.eq(to.as_str()),
            tickets::solved_at.eq(None::<NaiveDateTime>),
            tickets::reopen_count.eq(before.reopen_count + 1),
            tickets::resolution_due_at.eq(resolution_due),
            // Solving again works the figure out afresh, the pauses since included.
            tickets::resolution_business_minutes.eq(None::<i32>),
        )
    );
    add_event(
        conn,
        id,
        actor,
        &NewEvent {
            kind: EventKind::Reopen,
            client_visible: actor.is_none(),
            body: reason,
            detail: &format!(
                "status {} → {}; reopened {} time(s)",
                from.label(),
                to.label(),
                after.reopen_count
            ),
        },
        at,
    )?;
    Ok(Ok(after))
}
