//! Closing a resolved problem's open incidents with its permanent solution: each goes through
//! the incidents' own solve command, so its rules, clocks, client mail and reopen link apply,
//! and each incident's owner is told by mail.

use chrono::{DateTime, Utc};

use super::links::incidents_of;
use super::row::{get, kind, log};
use crate::db::notify::{notice, notify};
use crate::db::tickets::{self, SolveInput, TicketEdit};
use crate::db::users::{self, UserRow};
use crate::db::{DbConn, write_tx};
use crate::domain::ids::{TicketId, UserId};
use crate::domain::problem::{ProblemId, Status};
use crate::error::{AppError, AppResult};
use crate::mail::messages::MailContext;

/// What happened to each incident chosen for closure.
#[derive(Clone, Debug, Default)]
pub struct ClosureReport {
    pub solved: Vec<i64>,
    /// The incident and why the solve command refused it (no owner, a pending change…).
    pub refused: Vec<(i64, String)>,
}

/// Solves each chosen open incident of a resolved problem with the permanent solution. The
/// blueprints let only an incident's owner mark it solved, so each is solved in its owner's
/// name, and the timeline and the owner's mail say who closed it from which problem. Each
/// incident is its own transaction: one refused incident does not hold back the others.
#[tracing::instrument(skip_all, fields(problem_id = %problem))]
pub fn close_incidents(
    conn: &mut DbConn,
    actor: &UserRow,
    problem: ProblemId,
    chosen: &[TicketId],
    mail: &MailContext,
    now: DateTime<Utc>,
) -> AppResult<ClosureReport> {
    super::row::require_driver(actor)?;
    let row = get(conn, problem)?;
    if row.status != Status::Resolved {
        return Err(AppError::ForbiddenBecause(
            "Incidents are closed with the permanent solution once the problem is resolved.".into(),
        ));
    }
    let linked = incidents_of(conn, problem)?;
    let mut report = ClosureReport::default();
    for id in chosen {
        let Some(incident) = linked.iter().find(|i| i.id == id.0) else {
            report
                .refused
                .push((id.0, "not linked to this problem".into()));
            continue;
        };
        if !incident.status.is_open() {
            report.refused.push((id.0, "no longer open".into()));
            continue;
        }
        let Some(owner) = incident.owner_id else {
            report
                .refused
                .push((id.0, "it has no owner yet; assign it first".into()));
            continue;
        };
        let ticket = tickets::get(conn, *id)?;
        let edit = TicketEdit {
            actor: UserId(owner),
            ticket: *id,
            version: ticket.version,
            now,
        };
        let input = SolveInput {
            solution: row.permanent_solution.clone(),
            publish_to_kb: false,
            kb_title: String::new(),
            fix: "permanent".into(),
            known_error: String::new(),
        };
        let solved = match tickets::solve(conn, edit, &input, mail) {
            Ok(Ok(after)) => after,
            Ok(Err(errors)) => {
                let message = errors
                    .get("solution")
                    .or_else(|| errors.get("status"))
                    .unwrap_or("the incident cannot be solved in its present state");
                report.refused.push((id.0, message.to_string()));
                continue;
            }
            Err(AppError::Conflict(_)) => {
                report
                    .refused
                    .push((id.0, "it changed meanwhile; try again".into()));
                continue;
            }
            Err(e) => return Err(e),
        };
        write_tx(conn, |conn| {
            let at = now.naive_utc();
            log(
                conn,
                problem,
                Some(actor.id()),
                kind::CLOSURE,
                "",
                &format!("incident #{id} solved with the permanent solution"),
                at,
            )?;
            crate::db::timeline::add_event(
                conn,
                *id,
                Some(actor.id()),
                &crate::db::timeline::NewEvent::internal(
                    crate::domain::timeline::EventKind::Note,
                    &format!(
                        "solved by {} from problem {problem} with its permanent solution",
                        actor.display_name
                    ),
                ),
                at,
            )?;
            let owner_row = users::get(conn, UserId(owner))?;
            let message = notice(
                mail,
                &solved,
                format!("Your incident was solved from problem {problem}"),
                vec![
                    format!("Problem: {problem} {}", row.subject),
                    format!("Solved by: {}", actor.display_name),
                    format!("Permanent solution: {}", row.permanent_solution),
                ],
            );
            notify(conn, mail, &[owner_row], Some(actor.id()), &message, now)
        })?;
        report.solved.push(id.0);
    }
    Ok(report)
}
