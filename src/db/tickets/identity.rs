//! The requester's identity checks on a ticket: the one made at intake, and any made later on
//! the ticket page (a call-back before sensitive work). The ticket keeps the latest method;
//! each check is a row saying who checked, when, and what.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::outcome::Outcome;
use crate::db::schema::{identity_checks, tickets, users};
use crate::db::tickets::row::{TicketEdit, TicketRow, update_ticket};
use crate::db::timeline::NewEvent;
use crate::domain::ids::{TicketId, UserId};
use crate::domain::ticket::IdentityCheck;
use crate::domain::timeline::EventKind;
use crate::error::AppResult;

/// The latest check, as the ticket page shows it beside the method the ticket holds.
#[derive(Clone, Debug, Queryable)]
pub struct IdentityRecord {
    pub checked_by: Option<String>,
    pub checked_at: NaiveDateTime,
    pub detail: String,
}

pub(crate) fn record(
    conn: &mut DbConn,
    ticket: TicketId,
    method: IdentityCheck,
    by: Option<UserId>,
    at: NaiveDateTime,
    detail: &str,
) -> AppResult<()> {
    diesel::insert_into(identity_checks::table)
        .values((
            identity_checks::ticket_id.eq(ticket.0),
            identity_checks::method.eq(method.as_str()),
            identity_checks::checked_by.eq(by.map(|b| b.0)),
            identity_checks::checked_at.eq(at),
            identity_checks::detail.eq(detail),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn latest(conn: &mut DbConn, ticket: TicketId) -> AppResult<Option<IdentityRecord>> {
    Ok(identity_checks::table
        .left_join(users::table)
        .filter(identity_checks::ticket_id.eq(ticket.0))
        .order((
            identity_checks::checked_at.desc(),
            identity_checks::id.desc(),
        ))
        .select((
            users::display_name.nullable(),
            identity_checks::checked_at,
            identity_checks::detail,
        ))
        .first(conn)
        .optional()?)
}

/// Records a check made after intake; the method must already have passed
/// `domain::identity::check_claim` (and a PIN its comparison).
#[tracing::instrument(skip_all, fields(ticket_id = %edit.ticket))]
pub fn check_identity(
    conn: &mut DbConn,
    edit: TicketEdit,
    method: IdentityCheck,
    detail: &str,
) -> Outcome<TicketRow> {
    edit.apply(conn, |conn, before| {
        let at = edit.at();
        let after = update_ticket!(
            conn,
            before,
            at,
            (tickets::identity_check.eq(method.as_str()),)
        );
        record(conn, edit.ticket, method, Some(edit.actor), at, detail)?;
        let line = if detail.is_empty() {
            format!("identity: {}", method.label())
        } else {
            format!("identity: {} ({detail})", method.label())
        };
        edit.log(conn, &NewEvent::internal(EventKind::Identity, &line))?;
        Ok(Ok(after))
    })
}
