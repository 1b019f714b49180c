//! Suggested escalations: an unhappy survey answer raises the client's other open tickets to
//! the managers' attention; a manager applies a suggestion (a manual escalation with the reason
//! "Client satisfaction") or dismisses it with a note.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::escalation::ladder::standing;
use crate::db::escalation::manual::{EscalateInput, escalate_row};
use crate::db::outcome::{Outcome, or_refuse, refuse};
use crate::db::schema::{clients, escalation_suggestions, tickets};
use crate::db::tickets::row::{TicketEdit, TicketRow, status_names, update_ticket};
use crate::db::timeline::{NewEvent, add_event};
use crate::db::users;
use crate::domain::escalation::{Reason, can_escalate};
use crate::domain::ids::TicketId;
use crate::domain::satisfaction_escalation::{
    SuggestionStatus, raises_escalation, suggestion_sentence, target,
};
use crate::domain::survey::DEFAULT_FLAG_AT;
use crate::domain::ticket::{Kind, Status};
use crate::domain::timeline::EventKind;
use crate::error::{AppError, AppResult};
use crate::mail::messages::MailContext;

/// The most tickets one answer raises: a client with more open tickets than this has the
/// manager's attention already, and the survey's transaction stays short.
const MOST_RAISED: i64 = 100;

/// A client's survey answer as the suggestions read it.
pub(crate) struct SurveyAnswer<'a> {
    pub(crate) id: i64,
    pub(crate) ticket_id: i64,
    pub(crate) rating: Option<u8>,
    pub(crate) comment: &'a str,
}

/// Inside the survey answer's transaction: when the answer is unhappy, a suggestion on each of
/// the client's other open (unsolved) tickets, once per survey and ticket.
pub(crate) fn raise_for_survey(
    conn: &mut DbConn,
    survey: &SurveyAnswer<'_>,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    if !raises_escalation(survey.rating, survey.comment, DEFAULT_FLAG_AT) {
        return Ok(0);
    }
    let client: i64 = tickets::table
        .find(survey.ticket_id)
        .select(tickets::client_id)
        .first(conn)?;
    let open: Vec<i64> = tickets::table
        .filter(tickets::client_id.eq(client))
        // The ladder is incident management's: service requests are fulfilled in their own
        // queue and are never escalated, so they get no suggestion either.
        .filter(tickets::kind.eq(Kind::Incident.as_str()))
        .filter(tickets::status.eq_any(status_names(&unsolved())))
        .filter(tickets::id.ne(survey.ticket_id))
        .order(tickets::id.desc())
        .limit(MOST_RAISED)
        .select(tickets::id)
        .load(conn)?;
    let already: Vec<i64> = escalation_suggestions::table
        .filter(escalation_suggestions::survey_id.eq(survey.id))
        .select(escalation_suggestions::ticket_id)
        .load(conn)?;
    let summary = suggestion_sentence(survey.ticket_id, survey.rating, survey.comment);
    // The client rates first and comments on the next page: the open suggestions follow the
    // answer, so the manager reads the comment too.
    diesel::update(
        escalation_suggestions::table
            .filter(escalation_suggestions::survey_id.eq(survey.id))
            .filter(escalation_suggestions::status.eq(SuggestionStatus::Open.as_str())),
    )
    .set(escalation_suggestions::summary.eq(&summary))
    .execute(conn)?;
    let at = now.naive_utc();
    let mut raised = 0;
    for ticket in open.into_iter().filter(|t| !already.contains(t)) {
        diesel::insert_into(escalation_suggestions::table)
            .values((
                escalation_suggestions::ticket_id.eq(ticket),
                escalation_suggestions::survey_id.eq(survey.id),
                escalation_suggestions::reason.eq(Reason::ClientSatisfaction.as_str()),
                escalation_suggestions::summary.eq(&summary),
                escalation_suggestions::status.eq(SuggestionStatus::Open.as_str()),
                escalation_suggestions::created_at.eq(at),
                escalation_suggestions::note.eq(""),
            ))
            .execute(conn)?;
        let detail = format!(
            "escalation suggested to the managers; reason: {}",
            Reason::ClientSatisfaction.label()
        );
        add_event(
            conn,
            TicketId(ticket),
            None,
            &NewEvent::note(EventKind::Escalation, &summary, &detail),
            at,
        )?;
        raised += 1;
    }
    Ok(raised)
}

/// The tickets a suggestion may still send up: open and not solved (escalation's own rule).
fn unsolved() -> Vec<Status> {
    Status::OPEN
        .into_iter()
        .filter(|s| can_escalate(*s))
        .collect()
}

/// One suggestion as the ticket page and the managers' list show it.
#[derive(Clone, Debug)]
pub struct SuggestionView {
    pub id: i64,
    pub ticket_id: i64,
    pub subject: String,
    pub client: String,
    pub summary: String,
    pub status: SuggestionStatus,
    pub created_at: NaiveDateTime,
    pub decider: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub note: String,
    /// The ticket's row version, for the apply form's guard.
    pub version: i64,
}

type Raw = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    NaiveDateTime,
    Option<i64>,
    Option<NaiveDateTime>,
    String,
    i64,
);

fn views(conn: &mut DbConn, rows: Vec<Raw>) -> AppResult<Vec<SuggestionView>> {
    let deciders: Vec<Option<i64>> = rows.iter().map(|r| r.7).collect();
    let names = users::names(conn, &deciders)?;
    rows.into_iter()
        .map(
            |(id, ticket_id, subject, client, summary, status, created_at, by, at, note, v)| {
                Ok(SuggestionView {
                    id,
                    ticket_id,
                    subject,
                    client,
                    summary,
                    status: SuggestionStatus::parse(&status).ok_or_else(|| {
                        AppError::internal(format!("stored suggestion status '{status}'"))
                    })?,
                    created_at,
                    decider: names.of(by).map(str::to_string),
                    decided_at: at,
                    note,
                    version: v,
                })
            },
        )
        .collect()
}

macro_rules! suggestion_query {
    () => {
        escalation_suggestions::table
            .inner_join(tickets::table.inner_join(clients::table))
            .select((
                escalation_suggestions::id,
                escalation_suggestions::ticket_id,
                tickets::subject,
                clients::name,
                escalation_suggestions::summary,
                escalation_suggestions::status,
                escalation_suggestions::created_at,
                escalation_suggestions::decided_by,
                escalation_suggestions::decided_at,
                escalation_suggestions::note,
                tickets::version,
            ))
    };
}

/// A ticket's suggestions, oldest first.
pub fn of_ticket(conn: &mut DbConn, ticket: TicketId) -> AppResult<Vec<SuggestionView>> {
    let rows: Vec<Raw> = suggestion_query!()
        .filter(escalation_suggestions::ticket_id.eq(ticket.0))
        .order(escalation_suggestions::id.asc())
        .load(conn)?;
    views(conn, rows)
}

/// The suggestions waiting for a manager on tickets the desk still works, oldest first.
pub fn open(conn: &mut DbConn, limit: i64) -> AppResult<Vec<SuggestionView>> {
    let rows: Vec<Raw> = suggestion_query!()
        .filter(escalation_suggestions::status.eq(SuggestionStatus::Open.as_str()))
        .filter(tickets::status.eq_any(status_names(&unsolved())))
        .order((
            escalation_suggestions::created_at.asc(),
            escalation_suggestions::id.asc(),
        ))
        .limit(limit)
        .load(conn)?;
    views(conn, rows)
}

/// The open suggestion `id` of the ticket being edited, or a refusal.
fn open_suggestion(
    conn: &mut DbConn,
    ticket: TicketId,
    id: i64,
) -> AppResult<Result<String, &'static str>> {
    let row: Option<(i64, String, String)> = escalation_suggestions::table
        .find(id)
        .select((
            escalation_suggestions::ticket_id,
            escalation_suggestions::status,
            escalation_suggestions::summary,
        ))
        .first(conn)
        .optional()?;
    match row {
        Some((t, status, summary)) if t == ticket.0 => {
            if status == SuggestionStatus::Open.as_str() {
                Ok(Ok(summary))
            } else {
                Ok(Err("A manager has already decided this suggestion."))
            }
        }
        _ => Err(AppError::NotFound),
    }
}

fn decide(
    conn: &mut DbConn,
    edit: &TicketEdit,
    id: i64,
    status: SuggestionStatus,
    note: &str,
) -> AppResult<()> {
    diesel::update(escalation_suggestions::table.find(id))
        .set((
            escalation_suggestions::status.eq(status.as_str()),
            escalation_suggestions::decided_by.eq(Some(edit.actor.0)),
            escalation_suggestions::decided_at.eq(Some(edit.at())),
            escalation_suggestions::note.eq(note),
        ))
        .execute(conn)?;
    Ok(())
}

/// A manager applies the suggestion: the ticket goes to the decision point (or, above it, the
/// next level) with the reason "Client satisfaction", owned by the manager, through the same
/// escalation a technician's form runs.
#[tracing::instrument(skip_all, fields(ticket_id = %edit.ticket))]
pub fn apply(
    conn: &mut DbConn,
    edit: TicketEdit,
    id: i64,
    mail: &MailContext,
) -> Outcome<TicketRow> {
    edit.apply(conn, |conn, before| {
        let summary = match open_suggestion(conn, edit.ticket, id)? {
            Ok(summary) => summary,
            Err(message) => return refuse("suggestion", message),
        };
        let current = standing(conn, &before)?;
        let Some(to) = target(&current.ladder, &current.level) else {
            return refuse(
                "suggestion",
                format!(
                    "The ticket is already at {}, the top of the ladder; talk to the client, \
                     then dismiss the suggestion with a note.",
                    current.level.name
                ),
            );
        };
        let input = EscalateInput {
            to_level: to.id,
            reason: Reason::ClientSatisfaction,
            explanation: summary,
            owner: edit.actor,
            vendor: None,
        };
        let after = or_refuse!(escalate_row(conn, edit, before, &input, mail));
        decide(conn, &edit, id, SuggestionStatus::Applied, "")?;
        Ok(Ok(after))
    })
}

/// A manager dismisses the suggestion, saying why; the ticket's timeline keeps the note.
#[tracing::instrument(skip_all, fields(ticket_id = %edit.ticket))]
pub fn dismiss(conn: &mut DbConn, edit: TicketEdit, id: i64, note: &str) -> Outcome<TicketRow> {
    edit.apply(conn, |conn, before| {
        if let Err(message) = open_suggestion(conn, edit.ticket, id)? {
            return refuse("note", message);
        }
        // The version moves on, so an apply of the same suggestion racing this dismissal meets
        // the version guard instead of overwriting the decision.
        let after = update_ticket!(conn, before, edit.at(), ());
        decide(conn, &edit, id, SuggestionStatus::Dismissed, note)?;
        let detail = format!(
            "suggested escalation ({}) dismissed",
            Reason::ClientSatisfaction.label()
        );
        edit.log(conn, &NewEvent::note(EventKind::Escalation, note, &detail))?;
        Ok(Ok(after))
    })
}
