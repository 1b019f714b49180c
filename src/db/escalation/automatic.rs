//! An automatic escalation (time trigger, severity rule) and who hears of it: the new level's
//! staff (and the managers when asked), the owner who lost the ticket, and the level's default
//! owner who gained it.

use chrono::{DateTime, Utc};

use crate::db::DbConn;
use crate::db::escalation::moves::{Move, apply_move};
use crate::db::notify::{notice, notify, staff_to_notify};
use crate::db::outcome::Outcome;
use crate::db::tickets::row::TicketRow;
use crate::db::users::{self, UserRow};
use crate::domain::escalation_owner::owner_sentence;
use crate::domain::ids::UserId;
use crate::mail::messages::MailContext;

/// Who is told of an automatic move, beside the people whose ownership changed.
pub(crate) struct Audience {
    pub(crate) managers: bool,
    pub(crate) headline: String,
}

/// Applies an automatic move (`m.trigger` is time or severity) and queues its notices in the
/// same transaction.
pub(crate) fn escalate_automatically(
    conn: &mut DbConn,
    mail: &MailContext,
    before: &TicketRow,
    m: &Move<'_>,
    audience: Audience,
    now: DateTime<Utc>,
) -> Outcome<TicketRow> {
    debug_assert!(m.trigger.is_automatic());
    let after = match apply_move(conn, before, m, now)? {
        Ok(after) => after,
        Err(errors) => return Ok(Err(errors)),
    };
    let names = users::names(conn, &[after.owner_id])?;
    let placed = owner_sentence(&m.to.name, names.of(after.owner_id));
    let details = vec![m.explanation.to_string(), placed.clone()];
    let personal = [before.owner_id, after.owner_id];
    let staff: Vec<UserRow> = staff_to_notify(conn, m.to.tier, audience.managers)?
        .into_iter()
        .filter(|u| !personal.contains(&Some(u.id)))
        .collect();
    let message = notice(mail, &after, audience.headline, details.clone());
    notify(conn, mail, &staff, m.actor, &message, now)?;
    if let Some(previous) = before.owner_id.filter(|p| Some(*p) != after.owner_id)
        && let Some(user) = users::find(conn, UserId(previous))?
    {
        let message = notice(
            mail,
            &after,
            format!(
                "Ticket #{} went to {}: you no longer own it",
                after.id, m.to.name
            ),
            details.clone(),
        );
        notify(conn, mail, &[user], m.actor, &message, now)?;
    }
    if let Some(owner) = after.owner_id.filter(|o| before.owner_id != Some(*o))
        && let Some(user) = users::find(conn, UserId(owner))?
    {
        let message = notice(
            mail,
            &after,
            format!(
                "Escalated to {}: you own this ticket now, as the level's default owner",
                m.to.name
            ),
            details,
        );
        notify(conn, mail, &[user], m.actor, &message, now)?;
    }
    Ok(Ok(after))
}
