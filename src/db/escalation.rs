//! The escalation ladder in the database: where each ticket stands, escalations (manual, by
//! time, by severity), approval requests and their decisions. Each command is one transaction
//! that writes the ticket, the escalation or approval row, the timeline event and the staff mail
//! together.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::schema::{
    approvals, client_decisions, escalation_levels, escalation_severity_rules, escalations,
    ticket_levels, tickets, users,
};
use super::tickets::{
    self as t, EventKind, NewEvent, PauseRow, TicketRow, add_event, update_ticket,
};
use super::users::UserRow;
use super::{DbConn, audit, write_tx};
use crate::domain::account::{Role, Tier};
use crate::domain::escalation::{
    self as rules, DecisionStep, Ladder, Level, LevelEdit, Reason, SeverityRule, Trigger,
};
use crate::domain::ids::{ClientId, TicketId, UserId};
use crate::domain::inputs::{EmailAddress, FieldErrors};
use crate::domain::priority::Priority;
use crate::domain::sla::{self, Pause};
use crate::domain::ticket::{Action, PendingReason, Status};
use crate::error::{AppError, AppResult};
use crate::mail::messages::{MailContext, Recipient, StaffNotice, ThreadKey, compose};
use crate::mail::outbox;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = escalation_levels)]
pub struct LevelRow {
    pub id: i64,
    pub position: i32,
    pub name: String,
    pub tier: Option<String>,
    pub decision_point: bool,
    pub budget_p1: Option<i32>,
    pub budget_p2: Option<i32>,
    pub budget_p3: Option<i32>,
}

impl LevelRow {
    fn level(&self) -> AppResult<Level> {
        let tier = match self.tier.as_deref() {
            Some(raw) => Some(Tier::parse(raw).map_err(|_| {
                AppError::internal(format!("stored tier '{raw}' of a level is unreadable"))
            })?),
            None => None,
        };
        Ok(Level {
            id: self.id,
            position: self.position,
            name: self.name.clone(),
            tier,
            decision_point: self.decision_point,
            budget_percent: [self.budget_p1, self.budget_p2, self.budget_p3],
        })
    }
}

pub fn load_ladder(conn: &mut DbConn) -> AppResult<Ladder> {
    let rows: Vec<LevelRow> = escalation_levels::table
        .select(LevelRow::as_select())
        .load(conn)?;
    Ok(Ladder::new(
        rows.iter().map(LevelRow::level).collect::<AppResult<_>>()?,
    ))
}

fn severity_rules(conn: &mut DbConn) -> AppResult<Vec<SeverityRule>> {
    let rows: Vec<(String, i64, bool)> = escalation_severity_rules::table
        .order(escalation_severity_rules::priority.asc())
        .select((
            escalation_severity_rules::priority,
            escalation_severity_rules::min_level_id,
            escalation_severity_rules::notify_manager,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(priority, min_level, notify_manager)| {
            Ok(SeverityRule {
                priority: Priority::parse(&priority).map_err(|_| {
                    AppError::internal(format!("stored severity rule '{priority}' is unreadable"))
                })?,
                min_level,
                notify_manager,
            })
        })
        .collect()
}

/// Where a ticket stands on the ladder, and since when its level's budget counts.
pub struct Standing {
    pub ladder: Ladder,
    pub level: Level,
    pub since: NaiveDateTime,
}

fn standing_of(
    ladder: Ladder,
    row: &TicketRow,
    recorded: Option<(i64, NaiveDateTime)>,
) -> AppResult<Standing> {
    let tier = row.tier.as_deref().and_then(|t| Tier::parse(t).ok());
    let level = ladder
        .current(recorded.map(|(id, _)| id), tier)
        .cloned()
        .ok_or_else(|| AppError::internal("the escalation ladder has no levels"))?;
    // A ticket nobody escalated has been at its level since it was recorded.
    let since = recorded.map_or(row.created_at, |(_, at)| at);
    Ok(Standing {
        ladder,
        level,
        since,
    })
}

pub fn standing(conn: &mut DbConn, row: &TicketRow) -> AppResult<Standing> {
    let ladder = load_ladder(conn)?;
    let recorded: Option<(i64, NaiveDateTime)> = ticket_levels::table
        .find(row.id)
        .select((ticket_levels::level_id, ticket_levels::entered_at))
        .first(conn)
        .optional()?;
    standing_of(ladder, row, recorded)
}

fn set_level(
    conn: &mut DbConn,
    ticket: TicketId,
    level: &Level,
    at: NaiveDateTime,
) -> AppResult<()> {
    // Delete then insert: upserts are written differently on each backend, and this runs inside
    // the command's transaction.
    diesel::delete(ticket_levels::table.find(ticket.0)).execute(conn)?;
    diesel::insert_into(ticket_levels::table)
        .values((
            ticket_levels::ticket_id.eq(ticket.0),
            ticket_levels::level_id.eq(level.id),
            ticket_levels::entered_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Keeps the ladder in step when the assign form moves a ticket to another tier. `before` is
/// the ticket as it was, so a first assignment to the tier it already stood at (tier 1, from
/// intake) keeps counting its budget from the start.
pub fn follow_tier(
    conn: &mut DbConn,
    before: &TicketRow,
    tier: Tier,
    at: NaiveDateTime,
) -> AppResult<()> {
    let Standing { ladder, level, .. } = standing(conn, before)?;
    if let Some(target) = ladder.levels().iter().find(|l| l.tier == Some(tier))
        && target.id != level.id
    {
        set_level(conn, before.ticket_id(), target, at)?;
    }
    Ok(())
}

/// Active managers, and the active staff of a support line, to notify.
/// The roles that can approve requests, and so are told about them (an admin's role includes
/// the manager's).
const DECIDERS: [&str; 2] = [Role::Manager.as_str(), Role::Admin.as_str()];

fn staff_to_notify(
    conn: &mut DbConn,
    tier: Option<Tier>,
    managers: bool,
) -> AppResult<Vec<UserRow>> {
    let mut query = users::table.filter(users::active.eq(true)).into_boxed();
    query = match (tier, managers) {
        (Some(tier), true) => query.filter(
            users::tier
                .eq(tier.as_str())
                .or(users::role.eq_any(DECIDERS)),
        ),
        (Some(tier), false) => query.filter(users::tier.eq(tier.as_str())),
        (None, true) => query.filter(users::role.eq_any(DECIDERS)),
        (None, false) => return Ok(Vec::new()),
    };
    Ok(query.select(UserRow::as_select()).load(conn)?)
}

fn notify(
    conn: &mut DbConn,
    mail: &MailContext,
    to: &[UserRow],
    skip: Option<UserId>,
    notice: &StaffNotice,
    now: DateTime<Utc>,
) -> AppResult<()> {
    for user in to.iter().filter(|u| Some(u.id()) != skip) {
        let Ok(address) = EmailAddress::parse(&user.email) else {
            tracing::warn!(
                user_id = user.id,
                "staff address unreadable; notice not queued"
            );
            continue;
        };
        let queued = compose(
            mail,
            notice,
            Recipient::new(address, user.display_name.clone()),
        )?
        .in_thread(ThreadKey::new("ticket", notice.ticket_id));
        outbox::enqueue(conn, &queued, now)?;
    }
    Ok(())
}

fn notice(
    mail: &MailContext,
    row: &TicketRow,
    headline: String,
    details: Vec<String>,
) -> StaffNotice {
    StaffNotice {
        headline,
        ticket_id: row.id,
        subject: row.subject.clone(),
        details,
        ticket_url: format!("{}/tickets/{}", mail.base_url.trim_end_matches('/'), row.id),
    }
}

/// One move up the ladder, whatever set it off.
struct Move<'a> {
    from: &'a Level,
    to: &'a Level,
    reason: Reason,
    explanation: &'a str,
    trigger: Trigger,
    actor: Option<UserId>,
    /// The owner afterwards; `None` keeps the current one.
    owner: Option<UserId>,
    vendor: Option<(String, String)>,
}

/// Writes one escalation: the ticket's tier, owner and (for a vendor) status, its place on the
/// ladder, the escalation row and the timeline entry.
fn apply_move(
    conn: &mut DbConn,
    before: &TicketRow,
    m: &Move<'_>,
    now: DateTime<Utc>,
) -> AppResult<Result<TicketRow, FieldErrors>> {
    let from_status = before.status()?;
    let to_status = if m.vendor.is_some() {
        match t::transition(before, Action::Pend(PendingReason::Vendor))? {
            Ok(status) => status,
            Err(errors) => return Ok(Err(errors)),
        }
    } else {
        from_status
    };
    let resolution_due = t::apply_pauses(conn, before, from_status, to_status, now)?;
    let at = now.naive_utc();
    let tier =
        m.to.tier
            .map(Tier::as_str)
            .map(str::to_string)
            .or(before.tier.clone());
    let owner = m.owner.map(|o| o.0).or(before.owner_id);
    let after = update_ticket!(
        conn,
        before,
        at,
        (
            tickets::status.eq(to_status.as_str()),
            tickets::tier.eq(tier),
            tickets::owner_id.eq(owner),
            tickets::resolution_due_at.eq(resolution_due),
        )
    );
    set_level(conn, before.ticket_id(), m.to, at)?;
    let (vendor, reference) = m.vendor.clone().unwrap_or_default();
    diesel::insert_into(escalations::table)
        .values((
            escalations::ticket_id.eq(before.id),
            escalations::from_level_id.eq(m.from.id),
            escalations::to_level_id.eq(m.to.id),
            escalations::reason.eq(m.reason.as_str()),
            escalations::explanation.eq(m.explanation),
            escalations::trigger_kind.eq(m.trigger.as_str()),
            escalations::actor_id.eq(m.actor.map(|a| a.0)),
            escalations::owner_id.eq(owner),
            escalations::vendor.eq(&vendor),
            escalations::vendor_reference.eq(&reference),
            escalations::created_at.eq(at),
        ))
        .execute(conn)?;
    let names = t::user_names(conn, &[before.owner_id, owner])?;
    let name = |id: Option<i64>| {
        id.and_then(|i| names.get(&i).cloned())
            .unwrap_or_else(|| "nobody".into())
    };
    let mut detail = format!(
        "{} → {} ({} trigger); reason: {}; owner {} → {}",
        m.from.name,
        m.to.name,
        m.trigger.as_str(),
        m.reason.label(),
        name(before.owner_id),
        name(owner)
    );
    if !vendor.is_empty() {
        detail.push_str(&format!(
            "; vendor {vendor}, reference {reference}; status {} → {}",
            from_status.label(),
            to_status.label()
        ));
    }
    add_event(
        conn,
        before.ticket_id(),
        m.actor,
        &NewEvent {
            kind: EventKind::Escalation,
            client_visible: false,
            body: m.explanation,
            detail: &detail,
        },
        at,
    )?;
    Ok(Ok(after))
}

#[derive(Clone, Debug)]
pub struct EscalateInput {
    pub to_level: i64,
    pub reason: Reason,
    pub explanation: String,
    pub owner: UserId,
    pub vendor: Option<(String, String)>,
}

/// A technician's escalation, to any higher level. On-site support waits for a manager's
/// approval: the request joins the approvals queue and the ticket stays where it is.
#[tracing::instrument(skip_all, fields(ticket_id = %id))]
pub fn escalate(
    conn: &mut DbConn,
    actor: UserId,
    id: TicketId,
    version: i64,
    input: &EscalateInput,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> AppResult<Result<TicketRow, FieldErrors>> {
    write_tx(conn, |conn| {
        let before = t::get_at_version(conn, id, version)?;
        if !before.status()?.is_open() || before.status()? == Status::Solved {
            return Ok(Err(FieldErrors::single(
                "to_level_id",
                "Only an open ticket can be escalated.",
            )));
        }
        let Standing {
            ladder,
            level: from,
            ..
        } = standing(conn, &before)?;
        let Some(to) = ladder.get(input.to_level) else {
            return Ok(Err(FieldErrors::single(
                "to_level_id",
                "Choose a level from the list.",
            )));
        };
        if let Err(message) = rules::check_manual(&from, to, input.reason) {
            return Ok(Err(FieldErrors::single("to_level_id", message)));
        }
        let owner_active: Option<bool> = users::table
            .find(input.owner.0)
            .select(users::active)
            .first(conn)
            .optional()?;
        if owner_active != Some(true) {
            return Ok(Err(FieldErrors::single(
                "owner_id",
                "Choose an active member of staff to own the ticket afterwards.",
            )));
        }
        if to.needs_approval() {
            return request_onsite(conn, mail, actor, &before, &from, to, input, now);
        }
        let after = match apply_move(
            conn,
            &before,
            &Move {
                from: &from,
                to,
                reason: input.reason,
                explanation: &input.explanation,
                trigger: Trigger::Manual,
                actor: Some(actor),
                owner: Some(input.owner),
                vendor: input.vendor.clone(),
            },
            now,
        )? {
            Ok(after) => after,
            Err(errors) => return Ok(Err(errors)),
        };
        // The new owner hears of it, unless they escalated to themselves.
        let owner: Vec<UserRow> = users::table
            .find(input.owner.0)
            .select(UserRow::as_select())
            .load(conn)?;
        let message = notice(
            mail,
            &after,
            format!("Escalated to {}: you own this ticket now", to.name),
            vec![
                format!("Reason: {}", input.reason.label()),
                input.explanation.clone(),
            ],
        );
        notify(conn, mail, &owner, Some(actor), &message, now)?;
        Ok(Ok(after))
    })
}

#[allow(clippy::too_many_arguments)]
fn request_onsite(
    conn: &mut DbConn,
    mail: &MailContext,
    actor: UserId,
    before: &TicketRow,
    from: &Level,
    to: &Level,
    input: &EscalateInput,
    now: DateTime<Utc>,
) -> AppResult<Result<TicketRow, FieldErrors>> {
    if has_pending(conn, before.ticket_id(), Kind::OnSite)? {
        return Ok(Err(FieldErrors::single(
            "to_level_id",
            "An on-site request is already waiting for a manager.",
        )));
    }
    let at = now.naive_utc();
    // The version moves on, so whoever still has the old page sees that something happened.
    let after = update_ticket!(conn, before, at, ());
    diesel::insert_into(approvals::table)
        .values((
            approvals::ticket_id.eq(before.id),
            approvals::kind.eq(Kind::OnSite.as_str()),
            approvals::status.eq(Decision::Pending.as_str()),
            approvals::what.eq(format!("Escalate from {} to {}", from.name, to.name)),
            approvals::why.eq(&input.explanation),
            approvals::impact.eq(""),
            approvals::risk.eq(""),
            approvals::rollback_plan.eq(""),
            approvals::planned_window.eq(""),
            approvals::to_level_id.eq(Some(to.id)),
            approvals::owner_id.eq(Some(input.owner.0)),
            approvals::reason.eq(input.reason.as_str()),
            approvals::requested_by.eq(actor.0),
            approvals::requested_at.eq(at),
            approvals::decision_comment.eq(""),
        ))
        .execute(conn)?;
    add_event(
        conn,
        before.ticket_id(),
        Some(actor),
        &NewEvent {
            kind: EventKind::Approval,
            client_visible: false,
            body: &input.explanation,
            detail: &format!(
                "{} → {} requested; reason: {}; awaiting a manager's approval",
                from.name,
                to.name,
                input.reason.label()
            ),
        },
        at,
    )?;
    let managers = staff_to_notify(conn, None, true)?;
    let message = notice(
        mail,
        before,
        "On-site support requested: awaiting your approval".to_string(),
        vec![
            format!("Reason: {}", input.reason.label()),
            input.explanation.clone(),
        ],
    );
    notify(conn, mail, &managers, Some(actor), &message, now)?;
    Ok(Ok(after))
}

/// At triage: a severity rule may send the ticket up at once (a P1 to at least Tier 2) and
/// tell the manager. Runs inside the triage's transaction, on the row it just wrote.
pub fn apply_severity(
    conn: &mut DbConn,
    actor: UserId,
    row: TicketRow,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> AppResult<TicketRow> {
    let priority = row.priority()?;
    let rules = severity_rules(conn)?;
    let Standing { ladder, level, .. } = standing(conn, &row)?;
    let Some((to, notify_manager)) = rules::severity_target(&ladder, &rules, priority, &level)
    else {
        return Ok(row);
    };
    let to = to.clone();
    let explanation = format!(
        "{} tickets go at once to at least {}.",
        priority.as_str(),
        to.name
    );
    let after = match apply_move(
        conn,
        &row,
        &Move {
            from: &level,
            to: &to,
            reason: Reason::Severity,
            explanation: &explanation,
            trigger: Trigger::Severity,
            actor: Some(actor),
            owner: None,
            vendor: None,
        },
        now,
    )? {
        Ok(after) => after,
        Err(errors) => {
            return Err(AppError::internal(format!(
                "severity escalation refused: {errors:?}"
            )));
        }
    };
    let staff = staff_to_notify(conn, to.tier, notify_manager)?;
    let message = notice(
        mail,
        &after,
        format!("{} ticket escalated to {}", priority.label(), to.name),
        vec![explanation],
    );
    notify(conn, mail, &staff, Some(actor), &message, now)?;
    Ok(after)
}

/// Escalates the tickets whose level's time budget has run out, to the next level, with
/// reason "SLA or time exceeded". Safe with several instances: each escalation re-reads the
/// ticket and updates it guarded by its version, so a ticket another instance escalated (or
/// anyone changed) is skipped this pass. Returns the tickets this run escalated.
#[tracing::instrument(skip_all)]
pub fn escalate_overdue(
    conn: &mut DbConn,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> AppResult<Vec<TicketRow>> {
    let ladder = load_ladder(conn)?;
    let budgeted: Vec<&Level> = ladder
        .levels()
        .iter()
        .filter(|l| l.budget_percent.iter().any(Option::is_some))
        .collect();
    if budgeted.is_empty() {
        return Ok(Vec::new());
    }
    let running: Vec<&str> = Status::ALL
        .into_iter()
        .filter(|s| s.is_open() && !s.is_pending())
        .map(Status::as_str)
        .collect();
    // Only tickets that may stand at a budgeted level: recorded there, or never escalated and
    // on a budgeted tier (or on no tier while the bottom level is budgeted). The exact standing
    // is worked out below, by the same rule the ticket page uses.
    let budgeted_ids: Vec<i64> = budgeted.iter().map(|l| l.id).collect();
    let budgeted_tiers: Vec<&str> = budgeted
        .iter()
        .filter_map(|l| l.tier.map(Tier::as_str))
        .collect();
    let bottom_budgeted = ladder
        .levels()
        .first()
        .is_some_and(|l| budgeted_ids.contains(&l.id));
    let mut query = tickets::table
        .left_join(ticket_levels::table)
        .filter(tickets::status.eq_any(running))
        .into_boxed();
    query = if bottom_budgeted {
        query.filter(
            ticket_levels::level_id
                .eq_any(budgeted_ids.clone())
                .or(ticket_levels::level_id.is_null().and(
                    tickets::tier
                        .eq_any(budgeted_tiers)
                        .or(tickets::tier.is_null()),
                )),
        )
    } else {
        query.filter(
            ticket_levels::level_id
                .eq_any(budgeted_ids.clone())
                .or(ticket_levels::level_id
                    .is_null()
                    .and(tickets::tier.eq_any(budgeted_tiers))),
        )
    };
    let candidates: Vec<(TicketRow, Option<i64>, Option<NaiveDateTime>)> = query
        .select((
            TicketRow::as_select(),
            ticket_levels::level_id.nullable(),
            ticket_levels::entered_at.nullable(),
        ))
        .load(conn)?;
    let mut levels_by_client: HashMap<i64, t::ServiceLevel> = HashMap::new();
    let mut escalated = Vec::new();
    for (row, level_id, entered) in candidates {
        let recorded = level_id.zip(entered);
        let standing = standing_of(ladder.clone(), &row, recorded)?;
        if !budgeted_ids.contains(&standing.level.id) {
            continue;
        }
        let service = match levels_by_client.entry(row.client_id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(slot) => slot.insert(t::service_level(conn, ClientId(row.client_id))?),
        };
        let priority = row.priority()?;
        let target = *service.policy.sla_targets()?.target(priority);
        let Some(budget) = standing.level.budget(priority, target.resolution) else {
            continue;
        };
        let pauses: Vec<Pause> = t::pauses_of(conn, row.ticket_id())?
            .iter()
            .map(PauseRow::pause)
            .collect();
        let used = sla::elapsed(
            &service.calendar,
            target.mode,
            standing.since.and_utc(),
            now,
            &pauses,
        );
        if rules::budget_state(budget, used) != rules::BudgetState::RanOut {
            continue;
        }
        let Some(to) = ladder.next_for_time(&standing.level).cloned() else {
            continue;
        };
        let outcome = write_tx(conn, |conn| {
            let fresh = t::get(conn, row.ticket_id())?;
            if fresh.version != row.version {
                return Ok(None);
            }
            let explanation = format!(
                "{}'s time budget of {} minutes ran out.",
                standing.level.name,
                budget.num_minutes()
            );
            let after = match apply_move(
                conn,
                &fresh,
                &Move {
                    from: &standing.level,
                    to: &to,
                    reason: Reason::TimeExceeded,
                    explanation: &explanation,
                    trigger: Trigger::Time,
                    actor: None,
                    owner: None,
                    vendor: None,
                },
                now,
            )? {
                Ok(after) => after,
                Err(_) => return Ok(None),
            };
            let staff = staff_to_notify(conn, to.tier, true)?;
            let message = notice(
                mail,
                &after,
                format!("Escalated to {}: time exceeded", to.name),
                vec![explanation],
            );
            notify(conn, mail, &staff, None, &message, now)?;
            Ok(Some(after))
        });
        match outcome {
            Ok(Some(after)) => escalated.push(after),
            Ok(None) | Err(AppError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(escalated)
}

/// One escalation as the ticket page lists it.
#[derive(Clone, Debug)]
pub struct EscalationView {
    pub from: String,
    pub to: String,
    pub reason: String,
    pub trigger: String,
    pub explanation: String,
    pub actor: Option<String>,
    pub owner: Option<String>,
    pub vendor: String,
    pub vendor_reference: String,
    pub at: NaiveDateTime,
}

pub fn history(conn: &mut DbConn, ladder: &Ladder, id: TicketId) -> AppResult<Vec<EscalationView>> {
    type Raw = (
        Option<i64>,
        i64,
        String,
        String,
        String,
        Option<i64>,
        Option<i64>,
        String,
        String,
        NaiveDateTime,
    );
    let rows: Vec<Raw> = escalations::table
        .filter(escalations::ticket_id.eq(id.0))
        .order((escalations::created_at.asc(), escalations::id.asc()))
        .select((
            escalations::from_level_id,
            escalations::to_level_id,
            escalations::reason,
            escalations::trigger_kind,
            escalations::explanation,
            escalations::actor_id,
            escalations::owner_id,
            escalations::vendor,
            escalations::vendor_reference,
            escalations::created_at,
        ))
        .load(conn)?;
    let people: Vec<Option<i64>> = rows.iter().flat_map(|r| [r.5, r.6]).collect();
    let names = t::user_names(conn, &people)?;
    let level_name = |id: Option<i64>| {
        id.and_then(|i| ladder.get(i))
            .map_or_else(|| "—".to_string(), |l| l.name.clone())
    };
    Ok(rows
        .into_iter()
        .map(
            |(
                from,
                to,
                reason,
                trigger,
                explanation,
                actor,
                owner,
                vendor,
                vendor_reference,
                at,
            )| EscalationView {
                from: level_name(from),
                to: level_name(Some(to)),
                reason: Reason::parse(&reason).map_or(reason, |r| r.label().to_string()),
                trigger,
                explanation,
                actor: actor.and_then(|a| names.get(&a).cloned()),
                owner: owner.and_then(|o| names.get(&o).cloned()),
                vendor,
                vendor_reference,
                at,
            },
        )
        .collect())
}

// ---------------------------------------------------------------- approvals

/// What a manager is asked to approve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Change,
    OnSite,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Change => "change",
            Kind::OnSite => "onsite",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Change => "Sensitive change",
            Kind::OnSite => "On-site escalation",
        }
    }

    fn parse(raw: &str) -> AppResult<Self> {
        match raw {
            "change" => Ok(Kind::Change),
            "onsite" => Ok(Kind::OnSite),
            other => Err(AppError::internal(format!(
                "stored approval kind '{other}' is unreadable"
            ))),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Pending,
    Approved,
    Rejected,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Pending => "pending",
            Decision::Approved => "approved",
            Decision::Rejected => "rejected",
        }
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = approvals)]
pub struct ApprovalRow {
    pub id: i64,
    pub ticket_id: i64,
    pub kind: String,
    pub status: String,
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
}

impl ApprovalRow {
    pub fn kind(&self) -> AppResult<Kind> {
        Kind::parse(&self.kind)
    }
}

fn has_pending(conn: &mut DbConn, ticket: TicketId, kind: Kind) -> AppResult<bool> {
    let found: Option<i64> = approvals::table
        .filter(approvals::ticket_id.eq(ticket.0))
        .filter(approvals::kind.eq(kind.as_str()))
        .filter(approvals::status.eq(Decision::Pending.as_str()))
        .select(approvals::id)
        .first(conn)
        .optional()?;
    Ok(found.is_some())
}

/// A ticket cannot be solved while a sensitive change on it waits for approval.
pub fn change_pending(conn: &mut DbConn, ticket: TicketId) -> AppResult<bool> {
    has_pending(conn, ticket, Kind::Change)
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

/// Files a sensitive change for a manager's approval; the ticket waits in "awaiting approval".
#[tracing::instrument(skip_all, fields(ticket_id = %id))]
pub fn request_change(
    conn: &mut DbConn,
    actor: UserId,
    id: TicketId,
    version: i64,
    input: &ChangeInput,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> AppResult<Result<TicketRow, FieldErrors>> {
    write_tx(conn, |conn| {
        let before = t::get_at_version(conn, id, version)?;
        if !before.status()?.is_open() || before.status()? == Status::Solved {
            return Ok(Err(FieldErrors::single(
                "what",
                "Only an open ticket can ask for a change.",
            )));
        }
        if let Err(message) = crate::domain::ticket::sensitive_work_allowed(before.identity()?) {
            return Ok(Err(FieldErrors::single("what", message)));
        }
        let at = now.naive_utc();
        let after = update_ticket!(conn, before, at, ());
        diesel::insert_into(approvals::table)
            .values((
                approvals::ticket_id.eq(id.0),
                approvals::kind.eq(Kind::Change.as_str()),
                approvals::status.eq(Decision::Pending.as_str()),
                approvals::what.eq(&input.what),
                approvals::why.eq(&input.why),
                approvals::impact.eq(&input.impact),
                approvals::risk.eq(&input.risk),
                approvals::rollback_plan.eq(&input.rollback_plan),
                approvals::planned_window.eq(&input.planned_window),
                approvals::reason.eq(""),
                approvals::requested_by.eq(actor.0),
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
        add_event(
            conn,
            id,
            Some(actor),
            &NewEvent {
                kind: EventKind::Approval,
                client_visible: false,
                body: &details.join("\n"),
                detail: "sensitive change filed; awaiting a manager's approval",
            },
            at,
        )?;
        let managers = staff_to_notify(conn, None, true)?;
        let message = notice(
            mail,
            &after,
            "Sensitive change awaiting your approval".into(),
            details,
        );
        notify(conn, mail, &managers, Some(actor), &message, now)?;
        Ok(Ok(after))
    })
}

/// A manager's answer to a request, with their comment. An approved on-site request moves the
/// ticket to on-site support now, with the owner the requester chose.
#[tracing::instrument(skip_all, fields(approval_id = approval))]
pub fn decide(
    conn: &mut DbConn,
    actor: &UserRow,
    approval: i64,
    approve: bool,
    comment: &str,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> AppResult<Result<ApprovalRow, FieldErrors>> {
    write_tx(conn, |conn| {
        let request: ApprovalRow = approvals::table
            .find(approval)
            .select(ApprovalRow::as_select())
            .first(conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        rules::check_approver(actor.role().is_manager(), actor.id, request.requested_by)
            .map_err(AppError::ForbiddenBecause)?;
        if approve
            && request.kind()? == Kind::OnSite
            && !t::get(conn, TicketId(request.ticket_id))?
                .status()?
                .is_open()
        {
            return Ok(Err(FieldErrors::single(
                "comment",
                "The ticket is finished, so nobody goes on-site; reject the request instead.",
            )));
        }
        let decision = if approve {
            Decision::Approved
        } else {
            Decision::Rejected
        };
        let at = now.naive_utc();
        // Guarded by the pending status, so two managers deciding at once cannot both win.
        let decided = diesel::update(
            approvals::table
                .find(approval)
                .filter(approvals::status.eq(Decision::Pending.as_str())),
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
            return Ok(Err(FieldErrors::single(
                "comment",
                "Someone already decided this request.",
            )));
        };
        let kind = decided.kind()?;
        let ticket = TicketId(decided.ticket_id);
        let mut row = t::get(conn, ticket)?;
        if kind == Kind::OnSite && approve {
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
            if to.position <= from.position {
                return Err(AppError::Conflict(format!(
                    "The ticket has moved to {} since this request; on-site support would be a \
                     step down. Reject the request instead.",
                    from.name
                )));
            }
            let reason = Reason::parse(&decided.reason).map_err(|_| {
                AppError::internal(format!("stored reason '{}' is unreadable", decided.reason))
            })?;
            row = match apply_move(
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
            )? {
                Ok(after) => after,
                Err(errors) => {
                    return Err(AppError::internal(format!(
                        "approved move refused: {errors:?}"
                    )));
                }
            };
        }
        let verdict = if approve { "approved" } else { "rejected" };
        add_event(
            conn,
            ticket,
            Some(actor.id()),
            &NewEvent {
                kind: EventKind::Approval,
                client_visible: false,
                body: comment,
                detail: &format!("{} {verdict}: {}", kind.label(), decided.what),
            },
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
            vec![decided.what.clone(), format!("Comment: {comment}")],
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
}

fn views(conn: &mut DbConn, rows: Vec<ApprovalRow>) -> AppResult<Vec<ApprovalView>> {
    let people: Vec<Option<i64>> = rows
        .iter()
        .flat_map(|r| [Some(r.requested_by), r.decided_by])
        .collect();
    let names = t::user_names(conn, &people)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.ticket_id).collect();
    let subjects: HashMap<i64, String> = tickets::table
        .filter(tickets::id.eq_any(&ids))
        .select((tickets::id, tickets::subject))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| ApprovalView {
            ticket_subject: subjects.get(&row.ticket_id).cloned().unwrap_or_default(),
            requester: names.get(&row.requested_by).cloned().unwrap_or_default(),
            decider: row.decided_by.and_then(|d| names.get(&d).cloned()),
            row,
        })
        .collect())
}

/// Every request still waiting for a manager, oldest first.
pub fn pending(conn: &mut DbConn) -> AppResult<Vec<ApprovalView>> {
    let rows = approvals::table
        .filter(approvals::status.eq(Decision::Pending.as_str()))
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

/// Open tickets at the decision point, for the manager's dashboard.
pub fn at_decision_point(conn: &mut DbConn) -> AppResult<Vec<(i64, String)>> {
    let open: Vec<&str> = Status::ALL
        .into_iter()
        .filter(|s| s.is_open())
        .map(Status::as_str)
        .collect();
    Ok(tickets::table
        .inner_join(ticket_levels::table.inner_join(escalation_levels::table))
        .filter(escalation_levels::decision_point.eq(true))
        .filter(tickets::status.eq_any(open))
        .order(tickets::id.asc())
        .select((tickets::id, tickets::subject))
        .load(conn)?)
}

// ---------------------------------------------------------------- the decision point

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = client_decisions)]
pub struct DecisionRow {
    pub id: i64,
    pub ticket_id: i64,
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
    let names = t::user_names(conn, &people)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let name = names.get(&row.offered_by).cloned().unwrap_or_default();
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

/// The manager at the decision point: records what the client was offered (the ticket waits
/// for the client's input, its clock stopped), then the client's answer and its date (work
/// resumes).
#[tracing::instrument(skip_all, fields(ticket_id = %id))]
pub fn record_decision(
    conn: &mut DbConn,
    actor: UserId,
    id: TicketId,
    version: i64,
    input: &DecisionInput,
    now: DateTime<Utc>,
) -> AppResult<Result<TicketRow, FieldErrors>> {
    write_tx(conn, |conn| {
        let before = t::get_at_version(conn, id, version)?;
        let open: Option<DecisionRow> = client_decisions::table
            .filter(client_decisions::ticket_id.eq(id.0))
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
            Err(problems) => {
                let mut errors = FieldErrors::new();
                for (field, message) in problems {
                    errors.add(field, message);
                }
                return Ok(Err(errors));
            }
        };
        let from = before.status()?;
        let action = match step {
            DecisionStep::Offer => Some(Action::Pend(PendingReason::ClientInput)),
            DecisionStep::Answer if from == Status::PendingClient => Some(Action::Resume),
            DecisionStep::Answer | DecisionStep::OfferAnswered => None,
        };
        let to = match action {
            Some(action) => match t::transition(&before, action)? {
                Ok(status) => status,
                Err(errors) => return Ok(Err(errors)),
            },
            None => from,
        };
        let resolution_due = t::apply_pauses(conn, &before, from, to, now)?;
        let at = now.naive_utc();
        let after = update_ticket!(
            conn,
            before,
            at,
            (
                tickets::status.eq(to.as_str()),
                tickets::resolution_due_at.eq(resolution_due),
            )
        );
        let answered = (!input.answer.trim().is_empty()).then_some(actor.0);
        let (offered, detail) = match &open {
            Some(open) => {
                diesel::update(client_decisions::table.find(open.id))
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
                        client_decisions::ticket_id.eq(id.0),
                        client_decisions::offered.eq(&input.offered),
                        client_decisions::offered_by.eq(actor.0),
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
        add_event(
            conn,
            id,
            Some(actor),
            &NewEvent {
                kind: EventKind::Decision,
                client_visible: false,
                body: &body,
                detail: &detail,
            },
            at,
        )?;
        Ok(Ok(after))
    })
}

// ---------------------------------------------------------------- the ladder, for admins

/// Renames a level and sets its budgets.
#[tracing::instrument(skip_all, fields(level_id = id))]
pub fn update_level(
    conn: &mut DbConn,
    actor: UserId,
    id: i64,
    edit: &LevelEdit,
    now: DateTime<Utc>,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let before: LevelRow = escalation_levels::table
            .find(id)
            .select(LevelRow::as_select())
            .first(conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        let [p1, p2, p3] = edit.budget_percent;
        diesel::update(escalation_levels::table.find(id))
            .set((
                escalation_levels::name.eq(&edit.name),
                escalation_levels::budget_p1.eq(p1),
                escalation_levels::budget_p2.eq(p2),
                escalation_levels::budget_p3.eq(p3),
            ))
            .execute(conn)?;
        let percent = |b: Option<i32>| b.map_or_else(|| "none".to_string(), |p| format!("{p}%"));
        audit::record(
            conn,
            Some(actor),
            audit::Entity::EscalationLevel,
            id,
            "level changed",
            &format!(
                "{} → {}; budgets P1/P2/P3 {}/{}/{} → {}/{}/{}",
                before.name,
                edit.name,
                percent(before.budget_p1),
                percent(before.budget_p2),
                percent(before.budget_p3),
                percent(p1),
                percent(p2),
                percent(p3)
            ),
            now.naive_utc(),
        )
    })
}

/// Swaps a level with its neighbour above (`up`) or below.
#[tracing::instrument(skip_all, fields(level_id = id))]
pub fn move_level(
    conn: &mut DbConn,
    actor: UserId,
    id: i64,
    up: bool,
    now: DateTime<Utc>,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let ladder = load_ladder(conn)?;
        let levels = ladder.levels();
        let Some(index) = levels.iter().position(|l| l.id == id) else {
            return Err(AppError::NotFound);
        };
        let other = if up {
            index.checked_add(1)
        } else {
            index.checked_sub(1)
        };
        let Some(other) = other.and_then(|i| levels.get(i)) else {
            return Ok(());
        };
        let level = &levels[index];
        // Positions are unique: park one level outside the ladder while the other moves.
        diesel::update(escalation_levels::table.find(level.id))
            .set(escalation_levels::position.eq(-1))
            .execute(conn)?;
        diesel::update(escalation_levels::table.find(other.id))
            .set(escalation_levels::position.eq(level.position))
            .execute(conn)?;
        diesel::update(escalation_levels::table.find(level.id))
            .set(escalation_levels::position.eq(other.position))
            .execute(conn)?;
        audit::record(
            conn,
            Some(actor),
            audit::Entity::EscalationLevel,
            id,
            "level moved",
            &format!(
                "{} {} {}",
                level.name,
                if up { "above" } else { "below" },
                other.name
            ),
            now.naive_utc(),
        )
    })
}

/// Removes a level no ticket, escalation, request or severity rule refers to, for a small MSP
/// that runs with fewer levels.
#[tracing::instrument(skip_all, fields(level_id = id))]
pub fn remove_level(
    conn: &mut DbConn,
    actor: UserId,
    id: i64,
    now: DateTime<Utc>,
) -> AppResult<Result<(), String>> {
    use diesel::dsl::count_star;
    write_tx(conn, |conn| {
        let name: String = escalation_levels::table
            .find(id)
            .select(escalation_levels::name)
            .first(conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        let used: i64 = ticket_levels::table
            .filter(ticket_levels::level_id.eq(id))
            .select(count_star())
            .first::<i64>(conn)?
            + escalations::table
                .filter(
                    escalations::to_level_id
                        .eq(id)
                        .or(escalations::from_level_id.eq(id)),
                )
                .select(count_star())
                .first::<i64>(conn)?
            + approvals::table
                .filter(approvals::to_level_id.eq(id))
                .select(count_star())
                .first::<i64>(conn)?
            + escalation_severity_rules::table
                .filter(escalation_severity_rules::min_level_id.eq(id))
                .select(count_star())
                .first::<i64>(conn)?;
        if used > 0 {
            return Ok(Err(format!(
                "{name} is part of tickets' history or of a severity rule, so it stays."
            )));
        }
        diesel::delete(escalation_levels::table.find(id)).execute(conn)?;
        audit::record(
            conn,
            Some(actor),
            audit::Entity::EscalationLevel,
            id,
            "level removed",
            &name,
            now.naive_utc(),
        )?;
        Ok(Ok(()))
    })
}

/// The severity rules as the ladder page shows them.
pub fn load_severity_rules(conn: &mut DbConn) -> AppResult<Vec<SeverityRule>> {
    severity_rules(conn)
}

/// Replaces the severity rules applied at triage.
#[tracing::instrument(skip_all)]
pub fn set_severity_rules(
    conn: &mut DbConn,
    actor: UserId,
    rules: &[SeverityRule],
    now: DateTime<Utc>,
) -> AppResult<Result<(), FieldErrors>> {
    write_tx(conn, |conn| {
        let ladder = load_ladder(conn)?;
        let mut described = Vec::new();
        for rule in rules {
            let Some(level) = ladder.get(rule.min_level) else {
                return Ok(Err(FieldErrors::single(
                    severity_field(rule.priority),
                    "Choose a level from the list.",
                )));
            };
            described.push(format!(
                "{} → at least {}{}",
                rule.priority.as_str(),
                level.name,
                if rule.notify_manager {
                    ", manager told"
                } else {
                    ""
                }
            ));
        }
        diesel::delete(escalation_severity_rules::table).execute(conn)?;
        for rule in rules {
            diesel::insert_into(escalation_severity_rules::table)
                .values((
                    escalation_severity_rules::priority.eq(rule.priority.as_str()),
                    escalation_severity_rules::min_level_id.eq(rule.min_level),
                    escalation_severity_rules::notify_manager.eq(rule.notify_manager),
                ))
                .execute(conn)?;
        }
        if described.is_empty() {
            described.push("none".into());
        }
        audit::record(
            conn,
            Some(actor),
            audit::Entity::EscalationLevel,
            0,
            "severity rules set",
            &described.join("; "),
            now.naive_utc(),
        )?;
        Ok(Ok(()))
    })
}

/// The form field of a priority's severity rule.
pub fn severity_field(priority: Priority) -> &'static str {
    match priority {
        Priority::P1 => "min_level_p1",
        Priority::P2 => "min_level_p2",
        Priority::P3 => "min_level_p3",
    }
}
