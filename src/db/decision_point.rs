//! The client decision point: what a manager offered the client (the ticket waits, its clock
//! stopped) and the client's answer (work resumes), and the open tickets standing there.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::account_managers::is_account_manager;
use crate::db::outcome::{Outcome, or_refuse, refuse};
use crate::db::schema::{client_decisions, escalation_levels, ticket_levels, tickets};
use crate::db::sla_clock::apply_pauses;
use crate::db::tickets::row::{TicketEdit, TicketRow, status_names, transition, update_ticket};
use crate::db::timeline::NewEvent;
use crate::db::users;
use crate::domain::decision_point::{self as rules, Decider, DecisionStep, Refusal};
use crate::domain::ids::{ClientId, DecisionId, TicketId};
use crate::domain::ticket::Status;
use crate::domain::timeline::EventKind;
use crate::error::{AppError, AppResult};

/// Open tickets at the decision point, for the manager's dashboard.
pub fn at_decision_point(conn: &mut DbConn) -> AppResult<Vec<(i64, String)>> {
    Ok(tickets::table
        .inner_join(ticket_levels::table.inner_join(escalation_levels::table))
        .filter(escalation_levels::decision_point.eq(true))
        .filter(tickets::status.eq_any(status_names(&Status::OPEN)))
        .order(tickets::id.asc())
        .select((tickets::id, tickets::subject))
        .load(conn)?)
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = client_decisions)]
pub struct DecisionRow {
    #[diesel(deserialize_as = i64)]
    pub id: DecisionId,
    #[diesel(deserialize_as = i64)]
    pub ticket_id: TicketId,
    pub offered: String,
    pub offered_by: i64,
    pub offered_at: NaiveDateTime,
    pub answer: String,
    pub answered_on: Option<NaiveDate>,
    pub answered_by: Option<i64>,
}

/// A ticket's decisions, oldest first, with the name of the manager who made each offer.
pub fn decisions_of(conn: &mut DbConn, id: TicketId) -> AppResult<Vec<(DecisionRow, String)>> {
    let rows: Vec<DecisionRow> = client_decisions::table
        .filter(client_decisions::ticket_id.eq(id.0))
        .order((
            client_decisions::offered_at.asc(),
            client_decisions::id.asc(),
        ))
        .select(DecisionRow::as_select())
        .load(conn)?;
    let people: Vec<Option<i64>> = rows.iter().map(|r| Some(r.offered_by)).collect();
    let names = users::names(conn, &people)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let name = names.of(row.offered_by).unwrap_or_default().to_string();
            (row, name)
        })
        .collect())
}

#[derive(Clone, Debug)]
pub struct DecisionInput {
    pub offered: String,
    pub answer: String,
    pub answered_on: Option<NaiveDate>,
    /// The manager's today, in their zone, so an answer is never dated in the future.
    pub today: NaiveDate,
}

/// The manager (or the client's account manager) at the decision point: records what the client
/// was offered (the ticket waits for the client's input, its clock stopped), then the client's
/// answer and its date (work resumes). Refused on a ticket below the decision-point level, and
/// forbidden to anyone who may not decide for the ticket's client.
#[tracing::instrument(skip_all, fields(ticket_id = %edit.ticket))]
pub fn record_decision(
    conn: &mut DbConn,
    edit: TicketEdit,
    input: &DecisionInput,
) -> Outcome<TicketRow> {
    edit.apply(conn, |conn, before| {
        let standing = crate::db::escalation::standing(conn, &before)?;
        let decider = Decider {
            is_manager: users::get(conn, edit.actor)?.role().is_manager(),
            is_account_manager: is_account_manager(conn, ClientId(before.client_id), edit.actor)?,
        };
        match rules::check_decision(standing.level.decision_point, &standing.level.name, decider) {
            Ok(()) => {}
            Err(Refusal::NotADecider(rule)) => return Err(AppError::ForbiddenBecause(rule)),
            Err(Refusal::NotAtDecisionPoint(sentence)) => return refuse("offered", sentence),
        }
        let open: Option<DecisionRow> = client_decisions::table
            .filter(client_decisions::ticket_id.eq(edit.ticket.0))
            .filter(client_decisions::answered_on.is_null())
            .select(DecisionRow::as_select())
            .first(conn)
            .optional()?;
        let step = match rules::decision_step(
            open.is_some(),
            &input.offered,
            &input.answer,
            input.answered_on,
            input.today,
        ) {
            Ok(step) => step,
            Err(problems) => return Ok(Err(problems.into())),
        };
        let from = before.status;
        let to = match step.action(from) {
            Some(action) => {
                or_refuse!(crate::db::changes::check_move(
                    conn, &before, action, "offered"
                ));
                or_refuse!(transition(&before, action))
            }
            None => from,
        };
        let resolution_due = apply_pauses(conn, &before, from, to, edit.now)?;
        let at = edit.at();
        let after = update_ticket!(
            conn,
            before,
            at,
            (
                tickets::status.eq(to.as_str()),
                tickets::resolution_due_at.eq(resolution_due),
            )
        );
        let answered = (!input.answer.trim().is_empty()).then_some(edit.actor.0);
        let (offered, detail) = match &open {
            Some(open) => {
                diesel::update(client_decisions::table.find(open.id.0))
                    .set((
                        client_decisions::answer.eq(&input.answer),
                        client_decisions::answered_on.eq(input.answered_on),
                        client_decisions::answered_by.eq(answered),
                    ))
                    .execute(conn)?;
                (open.offered.clone(), "client's answer recorded")
            }
            None => {
                diesel::insert_into(client_decisions::table)
                    .values((
                        client_decisions::ticket_id.eq(edit.ticket.0),
                        client_decisions::offered.eq(&input.offered),
                        client_decisions::offered_by.eq(edit.actor.0),
                        client_decisions::offered_at.eq(at),
                        client_decisions::answer.eq(&input.answer),
                        client_decisions::answered_on.eq(input.answered_on),
                        client_decisions::answered_by.eq(answered),
                    ))
                    .execute(conn)?;
                let detail = if step == DecisionStep::Offer {
                    "offer made; the client decides"
                } else {
                    "offer made and answered"
                };
                (input.offered.clone(), detail)
            }
        };
        let mut body = format!("Offered: {offered}");
        if let Some(on) = input.answered_on {
            body.push_str(&format!("\nClient's answer ({on}): {}", input.answer));
        }
        let mut detail = format!("decision point: {detail}");
        if from != to {
            detail.push_str(&format!("; status {} → {}", from.label(), to.label()));
        }
        edit.log(conn, &NewEvent::note(EventKind::Decision, &body, &detail))?;
        Ok(Ok(after))
    })
}
