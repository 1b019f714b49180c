//! Solving: the owner records the solution (optionally published to the knowledge base), the
//! resolution clock is judged at this moment, and the client gets a link to reopen.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::kb;
use crate::db::known_errors;
use crate::db::notify::{contact_name, mail_contact};
use crate::db::outcome::{Outcome, or_refuse, refuse};
use crate::db::schema::tickets;
use crate::db::sla_clock::apply_pauses;
use crate::db::tickets::row::{TicketEdit, TicketRow, transition, update_ticket};
use crate::db::timeline::NewEvent;
use crate::domain::known_error;
use crate::domain::ticket::{self, Action, Kind};
use crate::domain::timeline::EventKind;
use crate::error::AppError;
use crate::mail::messages::{MailContext, RequestFulfilled, TicketSolved};

#[derive(Clone, Debug)]
pub struct SolveInput {
    pub solution: String,
    pub publish_to_kb: bool,
    pub kb_title: String,
    /// An incident's required choice, as sent: "permanent", or "workaround" with `known_error`
    /// naming one of the known errors applied to it. A service request makes none.
    pub fix: String,
    pub known_error: String,
}

/// Marks the ticket solved with its documented solution. Only the owner may; a running pause
/// ends here, so the resolution clock is judged at this moment.
#[tracing::instrument(skip_all, fields(ticket_id = %edit.ticket))]
pub fn solve(
    conn: &mut DbConn,
    edit: TicketEdit,
    input: &SolveInput,
    mail: &MailContext,
) -> Outcome<TicketRow> {
    edit.apply(conn, |conn, before| {
        if let Err(message) = ticket::can_solve(edit.actor, before.owner()) {
            return Err(AppError::ForbiddenBecause(message));
        }
        or_refuse!(crate::db::changes::check_solve(conn, &before, "solution"));
        let from = before.status;
        let to = or_refuse!(transition(&before, Action::Solve));
        let fix = if before.kind == Kind::Incident {
            let applied = known_errors::applied_ids(conn, before.id)?;
            match known_error::parse_solve_kind(&input.fix, &input.known_error, &applied) {
                Ok(fix) => Some(fix),
                Err((field, message)) => return refuse(field, message),
            }
        } else {
            None
        };
        let resolution_due = apply_pauses(conn, &before, from, to, edit.now)?;
        let at = edit.at();
        let after = update_ticket!(
            conn,
            before,
            at,
            (
                tickets::status.eq(to.as_str()),
                tickets::solved_at.eq(Some(at)),
                tickets::solution.eq(Some(&input.solution)),
                tickets::resolution_due_at.eq(resolution_due),
                tickets::search_text.eq(format!(
                    "{}\n{}",
                    before.search_text,
                    input.solution.to_lowercase()
                )),
            )
        );
        let after = super::minutes::store(conn, after)?;
        let mut detail = format!(
            "status {} → {}",
            before.status_label(),
            after.status_label()
        );
        if let Some(fix) = fix {
            detail.push_str(&format!("; {}", fix.describe()));
        }
        if input.publish_to_kb {
            let article = kb::publish(conn, &after, &input.kb_title, &input.solution, edit)?;
            detail.push_str(&format!(
                "; published to the knowledge base as article {article}"
            ));
        }
        edit.log(
            conn,
            &NewEvent::for_client(EventKind::Solution, &input.solution, &detail),
        )?;
        let window = ticket::DEFAULT_SOLVED_WINDOW;
        let token = crate::db::client_links::issue(
            conn,
            crate::db::client_links::LinkPurpose::Reopen,
            crate::db::client_links::LinkSubject::ticket(edit.ticket.0),
            window,
            edit.now,
        )?;
        let solved = TicketSolved {
            reference: format!("#{}", after.id),
            subject: after.subject.clone(),
            contact_name: contact_name(conn, &after)?,
            solution: input.solution.clone(),
            fix: fix.map(|f| f.for_client()).unwrap_or_default(),
            reopen_url: format!("{}/reopen/{token}", mail.base_url),
            reopen_until: (edit.now + window)
                .format("%a %-d %b %Y %H:%M UTC")
                .to_string(),
        };
        if after.kind == Kind::ServiceRequest {
            mail_contact(conn, &after, mail, &RequestFulfilled(solved), edit.now)?;
        } else {
            mail_contact(conn, &after, mail, &solved, edit.now)?;
        }
        Ok(Ok(after))
    })
}
