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
use crate::domain::account::Tier;
use crate::domain::escalation::{self as rules, Level, Reason, Trigger};
use crate::domain::ids::UserId;
use crate::domain::timeline::EventKind;

/// One move up the ladder, whatever set it off.
pub(crate) struct Move<'a> {
    pub(crate) from: &'a Level,
    pub(crate) to: &'a Level,
    pub(crate) reason: Reason,
    pub(crate) explanation: &'a str,
    pub(crate) trigger: Trigger,
    pub(crate) actor: Option<UserId>,
    /// The owner afterwards; `None` keeps the current one.
    pub(crate) owner: Option<UserId>,
    pub(crate) vendor: Option<(String, String)>,
}

/// Writes one escalation: the ticket's tier, owner and (for a vendor) status, its place on the
/// ladder, the escalation row and the timeline entry.
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
    let names = users::names(conn, &[before.owner_id, owner])?;
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
    if !vendor.is_empty() {
        detail.push_str(&format!(
            "; vendor {vendor}, reference {reference}; status {} → {}",
            from_status.label(),
            to_status.label()
        ));
    }
    add_event(
        conn,
        before.id,
        m.actor,
        &NewEvent::note(EventKind::Escalation, m.explanation, &detail),
        at,
    )?;
    Ok(Ok(after))
}
