//! The SLA clocks of one ticket in the database: the client's service level (calendar and
//! policy), the pauses so far, the due times that follow, and starting or ending a pause when
//! the status enters or leaves a pending state.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{clients, ticket_pauses};
use crate::db::service_levels::{self as levels, PolicyRecord};
use crate::db::tickets::row::TicketRow;
use crate::domain::calendar::BusinessCalendar;
use crate::domain::ids::{ClientId, TicketId};
use crate::domain::priority::Priority;
use crate::domain::sla::{self, Pause, PauseChange, ResolutionDue};
use crate::domain::ticket::{Kind, Status};
use crate::error::AppResult;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = ticket_pauses)]
pub struct PauseRow {
    pub id: i64,
    pub ticket_id: i64,
    pub reason: String,
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
}

impl PauseRow {
    pub fn pause(&self) -> Pause {
        Pause {
            from: self.started_at.and_utc(),
            until: self.ended_at.map(|t| t.and_utc()),
        }
    }
}

/// What the SLA clocks of one client run on.
pub struct ServiceLevel {
    pub calendar: BusinessCalendar,
    pub policy: PolicyRecord,
}

pub fn service_level(conn: &mut DbConn, client: ClientId) -> AppResult<ServiceLevel> {
    let (calendar_id, policy_id): (i64, i64) = clients::table
        .find(client.0)
        .select((clients::calendar_id, clients::sla_policy_id))
        .first(conn)?;
    service_level_of(conn, calendar_id, policy_id)
}

/// The service level of a client whose row the caller has read already.
pub fn service_level_of(
    conn: &mut DbConn,
    calendar_id: i64,
    policy_id: i64,
) -> AppResult<ServiceLevel> {
    let calendar = levels::load_calendar(conn, crate::domain::ids::CalendarId(calendar_id))?
        .business_calendar()?;
    let policy = levels::load_policy(conn, crate::domain::ids::PolicyId(policy_id))?;
    Ok(ServiceLevel { calendar, policy })
}

/// The ticket's pauses as the SLA rules take them.
pub fn pauses(conn: &mut DbConn, ticket: TicketId) -> AppResult<Vec<Pause>> {
    Ok(pauses_of(conn, ticket)?
        .iter()
        .map(PauseRow::pause)
        .collect())
}

pub fn pauses_of(conn: &mut DbConn, ticket: TicketId) -> AppResult<Vec<PauseRow>> {
    Ok(ticket_pauses::table
        .filter(ticket_pauses::ticket_id.eq(ticket.0))
        .order(ticket_pauses::started_at.asc())
        .select(PauseRow::as_select())
        .load(conn)?)
}

/// Both due times from the creation time, the priority and the pauses so far, against the
/// policy's table for the ticket's kind (a service request is measured by the request targets).
/// A resolution clock that is paused has no due time until it runs again.
pub(crate) fn due_times(
    level: &ServiceLevel,
    kind: Kind,
    priority: Priority,
    created: DateTime<Utc>,
    pauses: &[Pause],
) -> AppResult<(Option<NaiveDateTime>, Option<NaiveDateTime>)> {
    let targets = level.policy.targets_for(kind)?;
    let target = targets.target(priority);
    let response = sla::response_due(&level.calendar, target, created).map(|t| t.naive_utc());
    let resolution = match sla::resolution_due(&level.calendar, target, created, pauses) {
        ResolutionDue::At(at) => Some(at.naive_utc()),
        ResolutionDue::Paused { .. } | ResolutionDue::Never => None,
    };
    Ok((response, resolution))
}

/// Both due times of a recorded ticket at `priority`, counted from its creation with the pauses
/// so far (after a new priority, a reopen, or the end of a pause).
pub(crate) fn due_times_after_pauses(
    conn: &mut DbConn,
    row: &TicketRow,
    priority: Priority,
) -> AppResult<(Option<NaiveDateTime>, Option<NaiveDateTime>)> {
    let level = service_level(conn, ClientId(row.client_id))?;
    let pauses = pauses(conn, row.id)?;
    due_times(
        &level,
        row.kind,
        priority,
        row.created_at.and_utc(),
        &pauses,
    )
}

/// Starts or ends a pause of the resolution clock when the status enters or leaves a pending
/// state, and returns the resolution due time that follows.
pub(crate) fn apply_pauses(
    conn: &mut DbConn,
    before: &TicketRow,
    from: Status,
    to: Status,
    now: DateTime<Utc>,
) -> AppResult<Option<NaiveDateTime>> {
    let at = now.naive_utc();
    match sla::pause_change(from, to) {
        PauseChange::Start(reason) => {
            diesel::insert_into(ticket_pauses::table)
                .values((
                    ticket_pauses::ticket_id.eq(before.id.0),
                    ticket_pauses::reason.eq(reason.as_str()),
                    ticket_pauses::started_at.eq(at),
                ))
                .execute(conn)?;
            Ok(None)
        }
        PauseChange::End => {
            diesel::update(
                ticket_pauses::table
                    .filter(ticket_pauses::ticket_id.eq(before.id.0))
                    .filter(ticket_pauses::ended_at.is_null()),
            )
            .set(ticket_pauses::ended_at.eq(at))
            .execute(conn)?;
            let (_, resolution) = due_times_after_pauses(conn, before, before.priority)?;
            Ok(resolution)
        }
        PauseChange::Keep => Ok(before.resolution_due_at),
    }
}
