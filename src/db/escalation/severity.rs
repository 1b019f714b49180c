//! Escalation by severity at triage: a rule may send the ticket up at once (a P1 to at least
//! Tier 2) and tell the manager.

use chrono::{DateTime, Utc};

use crate::db::DbConn;
use crate::db::escalation::automatic::{Audience, escalate_automatically};
use crate::db::escalation::ladder::{Standing, load_severity_rules, standing};
use crate::db::escalation::moves::Move;
use crate::db::outcome::accepted;
use crate::db::tickets::row::TicketRow;
use crate::domain::escalation::{self as rules, Reason, Trigger};
use crate::domain::ids::UserId;
use crate::domain::ticket::Kind;
use crate::error::AppResult;
use crate::mail::messages::MailContext;

/// At triage: a severity rule may send the ticket up at once (a P1 to at least Tier 2) and
/// tell the manager. Runs inside the triage's transaction, on the row it just wrote.
pub fn apply_severity(
    conn: &mut DbConn,
    actor: UserId,
    row: TicketRow,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> AppResult<TicketRow> {
    // A P1 service request is urgent fulfilment, not an outage: the severity rule is the
    // incident ladder's.
    if row.kind != Kind::Incident {
        return Ok(row);
    }
    let priority = row.priority;
    let severity = load_severity_rules(conn)?;
    let Standing { ladder, level, .. } = standing(conn, &row)?;
    let Some((to, notify_manager)) = rules::severity_target(&ladder, &severity, priority, &level)
    else {
        return Ok(row);
    };
    let to = to.clone();
    let explanation = format!(
        "{} tickets go at once to at least {}.",
        priority.as_str(),
        to.name
    );
    let after = accepted(
        escalate_automatically(
            conn,
            mail,
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
            Audience {
                managers: notify_manager,
                headline: format!("{} ticket escalated to {}", priority.label(), to.name),
            },
            now,
        )?,
        "severity escalation",
    )?;
    Ok(after)
}
