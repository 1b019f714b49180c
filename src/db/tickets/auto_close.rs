//! The auto-close sweep: solved tickets whose reopen period has passed are closed, and each
//! closed ticket's one satisfaction survey is started and mailed.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::notify::{contact_name, mail_contact};
use crate::db::schema::tickets;
use crate::db::tickets::row::{TicketRow, get, try_update_ticket};
use crate::db::timeline::{NewEvent, add_event};
use crate::db::{DbConn, write_tx};
use crate::domain::ids::TicketId;
use crate::domain::ticket::{self, Status};
use crate::domain::timeline::EventKind;
use crate::error::AppResult;
use crate::mail::messages::{MailContext, RatingLink, SurveyRequest};

/// Closes the tickets whose solved period has passed, a few at a time. Safe to run from
/// several instances at once: each close is a version-guarded update, so a ticket closed by
/// another instance is skipped, never closed twice. Returns the tickets this run closed.
#[tracing::instrument(skip_all)]
pub fn close_solved(
    conn: &mut DbConn,
    window: Duration,
    batch: i64,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> AppResult<Vec<TicketRow>> {
    let cutoff = (now - window).naive_utc();
    // Only ids here: each ticket is read inside its own transaction below, so one unreadable
    // row cannot stop the batch.
    let due: Vec<(i64, Option<NaiveDateTime>)> = tickets::table
        .filter(tickets::status.eq(Status::Solved.as_str()))
        .filter(tickets::solved_at.le(cutoff))
        .order(tickets::solved_at.asc())
        .limit(batch)
        .select((tickets::id, tickets::solved_at))
        .load(conn)?;
    let mut closed = Vec::new();
    let due = due.into_iter().filter(|(_, solved_at)| {
        solved_at.is_some_and(|solved| ticket::close_due(solved.and_utc(), now, window))
    });
    for (id, _) in due {
        let outcome = write_tx(conn, |conn| {
            let before = get(conn, TicketId(id))?;
            let at = now.naive_utc();
            let updated = try_update_ticket!(
                conn,
                before,
                at,
                (
                    tickets::status.eq(Status::Closed.as_str()),
                    tickets::closed_at.eq(Some(at)),
                ),
                only if tickets::status.eq(Status::Solved.as_str())
            );
            if let Some(row) = &updated {
                add_event(
                    conn,
                    row.id,
                    None,
                    &NewEvent::internal(
                        EventKind::Closed,
                        "status Solved → Closed after the reopen period",
                    ),
                    at,
                )?;
                send_survey(conn, row, mail, now)?;
            }
            Ok(updated)
        });
        // One ticket that cannot close (say a stored value became unreadable, or its contact's
        // address) must not hold back every ticket solved after it.
        let result = match outcome {
            Ok(result) => result,
            Err(e) => {
                tracing::error!(ticket_id = id, error = %e, "could not close a solved ticket");
                None
            }
        };
        closed.extend(result);
    }
    Ok(closed)
}

/// Starts the closed ticket's one survey and mails it: one link per rating, each opening a
/// page with that rating chosen (a link opened by a mail scanner records nothing).
fn send_survey(
    conn: &mut DbConn,
    row: &TicketRow,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> AppResult<()> {
    use crate::domain::survey::{SCALE, SURVEY_VALIDITY};
    crate::db::surveys::start(conn, row.id, now)?;
    let token = crate::db::client_links::issue(
        conn,
        crate::db::client_links::LinkPurpose::Survey,
        crate::db::client_links::LinkSubject::ticket(row.id.0),
        SURVEY_VALIDITY,
        now,
    )?;
    let survey = SurveyRequest {
        reference: format!("#{}", row.id),
        subject: row.subject.clone(),
        contact_name: contact_name(conn, row)?,
        ratings: SCALE
            .iter()
            .map(|(rating, label)| RatingLink {
                rating: *rating,
                label,
                url: format!("{}/survey/{token}?rating={rating}", mail.base_url),
            })
            .collect(),
        valid_until: (now + SURVEY_VALIDITY).format("%-d %B %Y").to_string(),
    };
    mail_contact(conn, row, mail, &survey, now)
}
