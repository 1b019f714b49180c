//! The time-trigger sweep: tickets whose level's time budget ran out move to the next level.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::escalation::automatic::{Audience, escalate_automatically};
use crate::db::escalation::ladder::{Standing, load_ladder, standing, standing_of};
use crate::db::escalation::moves::Move;
use crate::db::schema::{ticket_levels, tickets};
use crate::db::sla_clock::{ServiceLevel, pauses, service_level};
use crate::db::tickets::row::{TicketRow, get, status_names};
use crate::db::{DbConn, write_tx};
use crate::domain::account::Tier;
use crate::domain::escalation::{BudgetState, Level, Reason, Trigger};
use crate::domain::ids::{ClientId, TicketId};
use crate::domain::ticket::{Kind, Status};
use crate::domain::time_budget::{LevelBudget, Times, level_budget};
use crate::error::{AppError, AppResult};
use crate::mail::messages::MailContext;

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
        .filter(tickets::status.eq_any(status_names(&Status::RUNNING)))
        // Service requests are fulfilled from their own queue against their own targets: the
        // incident ladder's time budgets do not move them.
        .filter(tickets::kind.eq(Kind::Incident.as_str()))
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
    let mut levels_by_client: HashMap<i64, ServiceLevel> = HashMap::new();
    let mut escalated = Vec::new();
    for (row, level_id, entered) in candidates {
        let recorded = level_id.zip(entered);
        let standing = standing_of(ladder.clone(), &row, recorded)?;
        if !budgeted_ids.contains(&standing.level.id) {
            continue;
        }
        let service = match levels_by_client.entry(row.client_id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(slot) => slot.insert(service_level(conn, ClientId(row.client_id))?),
        };
        if let Some(after) = escalate_if_spent(conn, mail, &row, &standing, service, now)? {
            escalated.push(after);
        }
    }
    Ok(escalated)
}

/// One running ticket: escalates it to the next level when its level's budget has run out by
/// `now`. A ticket someone else changed meanwhile is left for the next pass.
fn escalate_if_spent(
    conn: &mut DbConn,
    mail: &MailContext,
    row: &TicketRow,
    standing: &Standing,
    service: &ServiceLevel,
    now: DateTime<Utc>,
) -> AppResult<Option<TicketRow>> {
    let priority = row.priority;
    let target = *service.policy.targets_for(row.kind)?.target(priority);
    let pauses = pauses(conn, row.id)?;
    let times = Times {
        opened: row.created_at.and_utc(),
        since: standing.since.and_utc(),
        now,
        pauses: &pauses,
    };
    let Some(LevelBudget {
        span,
        state: BudgetState::RanOut,
        ..
    }) = level_budget(
        &standing.ladder,
        &standing.level,
        priority,
        &target,
        &service.calendar,
        times,
    )
    else {
        return Ok(None);
    };
    let Some(to) = standing.ladder.next_for_time(&standing.level).cloned() else {
        return Ok(None);
    };
    let outcome = write_tx(conn, |conn| {
        let fresh = get(conn, row.id)?;
        if fresh.version != row.version {
            return Ok(None);
        }
        let explanation = format!(
            "SLA time budget for {} spent ({} % of the resolution target).",
            standing.level.name, span.percent
        );
        let after = match escalate_automatically(
            conn,
            mail,
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
            Audience {
                managers: true,
                headline: format!("Escalated to {}: time exceeded", to.name),
            },
            now,
        )? {
            Ok(after) => after,
            Err(_) => return Ok(None),
        };
        Ok(Some(after))
    });
    match outcome {
        Ok(after) => Ok(after),
        Err(AppError::Conflict(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The time trigger for one ticket, as the sweep runs it: for a caller that replays a ticket's
/// history (the demo seed) without sweeping every other ticket at a past instant.
pub fn escalate_ticket_if_overdue(
    conn: &mut DbConn,
    mail: &MailContext,
    ticket: TicketId,
    now: DateTime<Utc>,
) -> AppResult<Option<TicketRow>> {
    let row = get(conn, ticket)?;
    if !Status::RUNNING.contains(&row.status) {
        return Ok(None);
    }
    let standing = standing(conn, &row)?;
    let service = service_level(conn, ClientId(row.client_id))?;
    escalate_if_spent(conn, mail, &row, &standing, &service, now)
}
