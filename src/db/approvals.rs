//! Requests a manager must approve: sensitive changes and on-site escalations, filing them,
//! deciding them (an approved on-site request moves the ticket), and listing them.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::escalation::ladder::{Standing, standing};
use crate::db::escalation::moves::{Move, apply_move};
use crate::db::notify::{managers, notice, notify};
use crate::db::outcome::{Outcome, accepted, refuse};
use crate::db::schema::{approvals, tickets, users};
use crate::db::tickets::row::{TicketEdit, TicketRow, get, update_ticket};
use crate::db::timeline::{NewEvent, add_event};
use crate::db::users::{UserRow, names as user_names};
use crate::db::{DbConn, write_tx};
use crate::domain::approval::{self, ApprovalKind, ApprovalStatus};
use crate::domain::escalation::{self as rules, Level, Reason, Trigger};
use crate::domain::ids::{ApprovalId, TicketId, UserId};
use crate::domain::timeline::EventKind;
use crate::error::{AppError, AppResult};
use crate::mail::messages::MailContext;

/// An escalation to on-site support, held until a manager approves it.
pub(crate) struct OnSiteRequest<'a> {
    pub(crate) from: &'a Level,
    pub(crate) to: &'a Level,
    pub(crate) reason: Reason,
    pub(crate) explanation: &'a str,
    /// Who owns the ticket once it moves.
    pub(crate) owner: UserId,
}

/// Files an on-site request for a manager; the ticket stays where it is until it is decided.
pub(crate) fn request_onsite(
    conn: &mut DbConn,
    mail: &MailContext,
    actor: UserId,
    before: &TicketRow,
    request: &OnSiteRequest<'_>,
    now: DateTime<Utc>,
) -> Outcome<TicketRow> {
    let OnSiteRequest {
        from,
        to,
        reason,
        explanation,
        owner,
    } = *request;
    if has_pending(conn, before.id, ApprovalKind::OnSite)? {
        return refuse(
            "to_level_id",
            "An on-site request is already waiting for a manager.",
        );
    }
    let at = now.naive_utc();
    // The version moves on, so whoever still has the old page sees that something happened.
    let after = update_ticket!(conn, before, at, ());
    diesel::insert_into(approvals::table)
        .values((
            approvals::ticket_id.eq(before.id.0),
            approvals::kind.eq(ApprovalKind::OnSite.as_str()),
            approvals::status.eq(ApprovalStatus::Pending.as_str()),
            approvals::what.eq(format!("Escalate from {} to {}", from.name, to.name)),
            approvals::why.eq(explanation),
            approvals::impact.eq(""),
            approvals::risk.eq(""),
            approvals::rollback_plan.eq(""),
            approvals::planned_window.eq(""),
            approvals::to_level_id.eq(Some(to.id)),
            approvals::owner_id.eq(Some(owner.0)),
            approvals::reason.eq(reason.as_str()),
            approvals::requested_by.eq(actor.0),
            approvals::requested_at.eq(at),
            approvals::decision_comment.eq(""),
        ))
        .execute(conn)?;
    add_event(
        conn,
        before.id,
        Some(actor),
        &NewEvent::note(
            EventKind::Approval,
            explanation,
            &format!(
                "{} → {} requested; reason: {}; awaiting a manager's approval",
                from.name,
                to.name,
                reason.label()
            ),
        ),
        at,
    )?;
    let managers = managers(conn)?;
    let message = notice(
        mail,
        before,
        "On-site support requested: awaiting your approval".to_string(),
        vec![
            format!("Reason: {}", reason.label()),
            explanation.to_string(),
        ],
    );
    notify(conn, mail, &managers, Some(actor), &message, now)?;
    Ok(Ok(after))
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = approvals)]
pub struct ApprovalRow {
    #[diesel(deserialize_as = i64)]
    pub id: ApprovalId,
    #[diesel(deserialize_as = i64)]
    pub ticket_id: TicketId,
    #[diesel(deserialize_as = String)]
    pub kind: ApprovalKind,
    #[diesel(deserialize_as = String)]
    pub status: ApprovalStatus,
    pub what: String,
    pub why: String,
    pub impact: String,
    pub risk: String,
    pub rollback_plan: String,
    pub planned_window: String,
    pub to_level_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub reason: String,
    pub requested_by: i64,
    pub requested_at: NaiveDateTime,
    pub decided_by: Option<i64>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_comment: String,
    /// The owner's answer to a rejected change: who, when, and what they do instead.
    pub acknowledged_by: Option<i64>,
    pub acknowledged_at: Option<NaiveDateTime>,
    pub acknowledgement: String,
}

fn has_pending(conn: &mut DbConn, ticket: TicketId, kind: ApprovalKind) -> AppResult<bool> {
    let found: Option<i64> = approvals::table
        .filter(approvals::ticket_id.eq(ticket.0))
        .filter(approvals::kind.eq(kind.as_str()))
        .filter(approvals::status.eq(ApprovalStatus::Pending.as_str()))
        .select(approvals::id)
        .first(conn)
        .optional()?;
    Ok(found.is_some())
}

#[derive(Clone, Debug)]
pub struct ChangeInput {
    pub what: String,
    pub why: String,
    pub impact: String,
    pub risk: String,
    pub rollback_plan: String,
    pub planned_window: String,
}

/// Files a sensitive change for a manager's approval. The ticket keeps its status (the desk's
/// own approval stops no clock), and `db::changes` holds it there until a manager decides.
#[tracing::instrument(skip_all, fields(ticket_id = %edit.ticket))]
pub fn request_change(
    conn: &mut DbConn,
    edit: TicketEdit,
    input: &ChangeInput,
    mail: &MailContext,
) -> Outcome<TicketRow> {
    edit.apply(conn, |conn, before| {
        if !rules::can_escalate(before.status) {
            return refuse("what", "Only an open ticket can ask for a change.");
        }
        if let Err(message) = crate::domain::ticket::sensitive_work_allowed(before.identity_check) {
            return refuse("what", message);
        }
        let at = edit.at();
        let after = update_ticket!(conn, before, at, ());
        diesel::insert_into(approvals::table)
            .values((
                approvals::ticket_id.eq(edit.ticket.0),
                approvals::kind.eq(ApprovalKind::Change.as_str()),
                approvals::status.eq(ApprovalStatus::Pending.as_str()),
                approvals::what.eq(&input.what),
                approvals::why.eq(&input.why),
                approvals::impact.eq(&input.impact),
                approvals::risk.eq(&input.risk),
                approvals::rollback_plan.eq(&input.rollback_plan),
                approvals::planned_window.eq(&input.planned_window),
                approvals::reason.eq(""),
                approvals::requested_by.eq(edit.actor.0),
                approvals::requested_at.eq(at),
                approvals::decision_comment.eq(""),
            ))
            .execute(conn)?;
        let details = vec![
            format!("What: {}", input.what),
            format!("Why: {}", input.why),
            format!("Expected impact: {}", input.impact),
            format!("Risk: {}", input.risk),
            format!("Rollback plan: {}", input.rollback_plan),
            format!("Planned window: {}", input.planned_window),
        ];
        edit.log(
            conn,
            &NewEvent::note(
                EventKind::Approval,
                &details.join("\n"),
                "sensitive change filed; awaiting a manager's approval",
            ),
        )?;
        let managers = managers(conn)?;
        let message = notice(
            mail,
            &after,
            "Sensitive change awaiting your approval".into(),
            details,
        );
        notify(conn, mail, &managers, Some(edit.actor), &message, edit.now)?;
        Ok(Ok(after))
    })
}

/// A manager's answer to a request, with their comment. An approved on-site request moves the
/// ticket to on-site support now, with the owner the requester chose.
#[tracing::instrument(skip_all, fields(approval_id = %approval))]
pub fn decide(
    conn: &mut DbConn,
    actor: &UserRow,
    approval: ApprovalId,
    approve: bool,
    comment: &str,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> Outcome<ApprovalRow> {
    write_tx(conn, |conn| {
        let request: ApprovalRow = approvals::table
            .find(approval.0)
            .select(ApprovalRow::as_select())
            .first(conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        approval::check_approver(actor.role().is_manager(), actor.id, request.requested_by)
            .map_err(AppError::ForbiddenBecause)?;
        if approve && request.kind == ApprovalKind::OnSite {
            let status = get(conn, request.ticket_id)?.status;
            if let Err(message) = rules::check_onsite_ticket(status) {
                return refuse("comment", message);
            }
        }
        let decision = if approve {
            ApprovalStatus::Approved
        } else {
            ApprovalStatus::Rejected
        };
        let at = now.naive_utc();
        // Guarded by the pending status, so two managers deciding at once cannot both win.
        let decided = diesel::update(
            approvals::table
                .find(approval.0)
                .filter(approvals::status.eq(ApprovalStatus::Pending.as_str())),
        )
        .set((
            approvals::status.eq(decision.as_str()),
            approvals::decided_by.eq(Some(actor.id)),
            approvals::decided_at.eq(Some(at)),
            approvals::decision_comment.eq(comment),
        ))
        .returning(approvals::all_columns)
        .get_result::<ApprovalRow>(conn)
        .optional()?;
        let Some(decided) = decided else {
            return Err(AppError::Conflict(
                "Another manager decided this request while you were writing; your comment is below."
                    .into(),
            ));
        };
        let kind = decided.kind;
        let ticket = decided.ticket_id;
        let mut row = get(conn, ticket)?;
        if kind == ApprovalKind::OnSite && approve {
            let Standing {
                ladder,
                level: from,
                ..
            } = standing(conn, &row)?;
            let to = decided
                .to_level_id
                .and_then(|l| ladder.get(l))
                .cloned()
                .ok_or_else(|| AppError::internal("approved on-site request names no level"))?;
            rules::check_onsite_step(&from, &to).map_err(AppError::Conflict)?;
            let reason = Reason::parse(&decided.reason).map_err(|_| {
                AppError::internal(format!("stored reason '{}' is unreadable", decided.reason))
            })?;
            row = accepted(
                apply_move(
                    conn,
                    &row,
                    &Move {
                        from: &from,
                        to: &to,
                        reason,
                        explanation: &decided.why,
                        trigger: Trigger::Manual,
                        actor: Some(UserId(decided.requested_by)),
                        owner: decided.owner_id.map(UserId),
                        vendor: None,
                    },
                    now,
                )?,
                "approved move",
            )?;
        }
        let verdict = if approve { "approved" } else { "rejected" };
        add_event(
            conn,
            ticket,
            Some(actor.id()),
            &NewEvent::note(
                EventKind::Approval,
                comment,
                &format!("{} {verdict}: {}", kind.label(), decided.what),
            ),
            at,
        )?;
        let requester: UserRow = users::table
            .find(decided.requested_by)
            .select(UserRow::as_select())
            .first(conn)?;
        let message = notice(
            mail,
            &row,
            format!("Your request was {verdict} by {}", actor.display_name),
            {
                let mut lines = vec![decided.what.clone(), format!("Comment: {comment}")];
                if kind == ApprovalKind::Change && !approve {
                    lines.push(
                        "Before the ticket moves on, its owner acknowledges the rejection on the \
                         ticket and says what they will do instead."
                            .into(),
                    );
                }
                lines
            },
        );
        notify(conn, mail, &[requester], None, &message, now)?;
        Ok(Ok(decided))
    })
}

/// A request as the queue and the ticket page list it.
#[derive(Clone, Debug)]
pub struct ApprovalView {
    pub row: ApprovalRow,
    pub ticket_subject: String,
    pub requester: String,
    pub decider: Option<String>,
    pub acknowledger: Option<String>,
}

fn views(conn: &mut DbConn, rows: Vec<ApprovalRow>) -> AppResult<Vec<ApprovalView>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let people: Vec<Option<i64>> = rows
        .iter()
        .flat_map(|r| [Some(r.requested_by), r.decided_by, r.acknowledged_by])
        .collect();
    let names = user_names(conn, &people)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.ticket_id.0).collect();
    let subjects: HashMap<i64, String> = tickets::table
        .filter(tickets::id.eq_any(&ids))
        .select((tickets::id, tickets::subject))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| ApprovalView {
            ticket_subject: subjects.get(&row.ticket_id.0).cloned().unwrap_or_default(),
            requester: names.of(row.requested_by).unwrap_or_default().to_string(),
            decider: names.of(row.decided_by).map(str::to_string),
            acknowledger: names.of(row.acknowledged_by).map(str::to_string),
            row,
        })
        .collect())
}

/// Every request still waiting for a manager, oldest first.
pub fn pending(conn: &mut DbConn) -> AppResult<Vec<ApprovalView>> {
    let rows = approvals::table
        .filter(approvals::status.eq(ApprovalStatus::Pending.as_str()))
        .order((approvals::requested_at.asc(), approvals::id.asc()))
        .select(ApprovalRow::as_select())
        .load(conn)?;
    views(conn, rows)
}

pub fn of_ticket(conn: &mut DbConn, id: TicketId) -> AppResult<Vec<ApprovalView>> {
    let rows = approvals::table
        .filter(approvals::ticket_id.eq(id.0))
        .order((approvals::requested_at.asc(), approvals::id.asc()))
        .select(ApprovalRow::as_select())
        .load(conn)?;
    views(conn, rows)
}
