//! One move up the ladder, whatever set it off: the ticket's tier, owner and (for a vendor)
//! status, its place on the ladder, the escalation row and the timeline entry, written together.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::escalation::ladder::set_level;
use crate::db::outcome::{Outcome, or_refuse};
use crate::db::schema::{escalations, tickets};
use crate::db::sla_clock::apply_pauses;
use crate::db::tickets::row::{TicketRow, transition, update_ticket};
use crate::db::timeline::{NewEvent, add_event};
use crate::db::users;
use crate::db::{absences, access};
use crate::domain::absence::away_until;
use crate::domain::account::Tier;
use crate::domain::escalation::{self as rules, Level, Reason, Trigger};
use crate::domain::escalation_owner::{fits_level, owner_sentence};
use crate::domain::ids::{ClientId, UserId};
use crate::domain::timeline::EventKind;
use crate::error::AppResult;

/// One move up the ladder, whatever set it off.
pub(crate) struct Move<'a> {
    pub(crate) from: &'a Level,
    pub(crate) to: &'a Level,
    pub(crate) reason: Reason,
    pub(crate) explanation: &'a str,
    pub(crate) trigger: Trigger,
    pub(crate) actor: Option<UserId>,
    /// The owner afterwards on a manual move; `None` keeps the current one. An automatic move
    /// ignores it: the new level's default owner or its queue takes the ticket.
    pub(crate) owner: Option<UserId>,
    pub(crate) vendor: Option<(String, String)>,
}

/// Writes one escalation: the ticket's tier, owner and (for a vendor) status, its place on the
/// ladder, the escalation row and the timeline entry. An automatic move clears the worker and
/// hands the ticket to the new level's default owner, or to nobody until someone takes it from
/// the level's queue: the old owner is no longer the one to solve it.
pub(crate) fn apply_move(
    conn: &mut DbConn,
    before: &TicketRow,
    m: &Move<'_>,
    now: DateTime<Utc>,
) -> Outcome<TicketRow> {
    let from_status = before.status;
    let to_status = match rules::move_action(m.vendor.is_some()) {
        Some(action) => or_refuse!(transition(before, action)),
        None => from_status,
    };
    let resolution_due = apply_pauses(conn, before, from_status, to_status, now)?;
    let at = now.naive_utc();
    let tier = m.to.tier.or(before.tier).map(Tier::as_str);
    let automatic = m.trigger.is_automatic();
    let (owner, worker) = if automatic {
        (
            default_owner(conn, m.to, ClientId(before.client_id), now)?,
            None,
        )
    } else {
        (m.owner.map(|o| o.0).or(before.owner_id), before.worker_id)
    };
    let after = update_ticket!(
        conn,
        before,
        at,
        (
            tickets::status.eq(to_status.as_str()),
            tickets::tier.eq(tier),
            tickets::owner_id.eq(owner),
            tickets::worker_id.eq(worker),
            tickets::resolution_due_at.eq(resolution_due),
        )
    );
    set_level(conn, before.id, m.to, at)?;
    let (vendor, reference) = m.vendor.clone().unwrap_or_default();
    diesel::insert_into(escalations::table)
        .values((
            escalations::ticket_id.eq(before.id.0),
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
    let names = users::names(conn, &[before.owner_id, owner, before.worker_id])?;
    let name = |id: Option<i64>| names.of(id).unwrap_or("nobody");
    let mut detail = format!(
        "{} → {} ({} trigger); reason: {}; owner {} → {}",
        m.from.name,
        m.to.name,
        m.trigger.as_str(),
        m.reason.label(),
        name(before.owner_id),
        name(owner)
    );
    if worker != before.worker_id {
        detail.push_str(&format!(
            "; worker {} → {}",
            name(before.worker_id),
            name(worker)
        ));
    }
    if !vendor.is_empty() {
        detail.push_str(&format!(
            "; vendor {vendor}, reference {reference}; status {} → {}",
            from_status.label(),
            to_status.label()
        ));
    }
    let body = if automatic {
        format!(
            "Escalated automatically to {}: {} {}",
            m.to.name,
            m.explanation,
            owner_sentence(&m.to.name, names.of(owner))
        )
    } else {
        m.explanation.to_string()
    };
    add_event(
        conn,
        before.id,
        m.actor,
        &NewEvent::note(EventKind::Escalation, &body, &detail),
        at,
    )?;
    Ok(Ok(after))
}

/// The level's default owner, if an admin set one who still fits it (active, of its line), may
/// work for the ticket's client and is not away; otherwise the ticket waits in the level's
/// queue, where someone present takes it.
fn default_owner(
    conn: &mut DbConn,
    level: &Level,
    client: ClientId,
    now: DateTime<Utc>,
) -> AppResult<Option<i64>> {
    let Some(id) = level.default_owner else {
        return Ok(None);
    };
    let Some(user) =
        users::find(conn, UserId(id))?.filter(|u| fits_level(level, u.role(), u.tier(), u.active))
    else {
        return Ok(None);
    };
    if !access::without_access(conn, client, &[user.id()])?.is_empty() {
        return Ok(None);
    }
    let zone = user.zone();
    let today = now.with_timezone(&zone).date_naive();
    let spans: Vec<_> = absences::upcoming_of(conn, user.id(), today)?
        .into_iter()
        .map(|a| (a.first_day, a.last_day))
        .collect();
    if user.away || away_until(&spans, now, zone).is_some() {
        return Ok(None);
    }
    Ok(Some(user.id))
}
