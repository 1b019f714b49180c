//! The business minutes a ticket's response and resolution took on the SLA clock (the client's
//! calendar, pauses left out), stored on its row when it is answered and when it is solved, so
//! reports take medians and percentiles in SQL.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::tickets;
use crate::db::sla_clock::{ServiceLevel, pauses, service_level};
use crate::db::tickets::row::TicketRow;
use crate::domain::ids::ClientId;
use crate::domain::priority::Priority;
use crate::domain::report_minutes::{TicketMinutes, ticket_minutes};
use crate::domain::sla::Pause;
use crate::domain::ticket::Kind;
use crate::error::AppResult;

/// What the figures of one ticket are computed from.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = tickets)]
pub(crate) struct Clocked {
    pub(crate) id: i64,
    pub(crate) client_id: i64,
    #[diesel(deserialize_as = String)]
    pub(crate) kind: Kind,
    #[diesel(deserialize_as = String)]
    pub(crate) priority: Priority,
    pub(crate) created_at: NaiveDateTime,
    pub(crate) responded_at: Option<NaiveDateTime>,
    pub(crate) solved_at: Option<NaiveDateTime>,
}

pub(crate) fn figures(
    level: &ServiceLevel,
    row: &Clocked,
    pauses: &[Pause],
) -> AppResult<TicketMinutes> {
    let targets = level.policy.targets_for(row.kind)?;
    Ok(ticket_minutes(
        &level.calendar,
        targets.target(row.priority),
        row.created_at.and_utc(),
        row.responded_at.map(|t| t.and_utc()),
        row.solved_at.map(|t| t.and_utc()),
        pauses,
    ))
}

pub(crate) fn write(conn: &mut DbConn, id: i64, minutes: TicketMinutes) -> AppResult<()> {
    diesel::update(tickets::table.find(id))
        .set((
            tickets::response_business_minutes.eq(minutes.response),
            tickets::resolution_business_minutes.eq(minutes.resolution),
        ))
        .execute(conn)?;
    Ok(())
}

/// Works out and stores both figures of a ticket just answered or solved, in the caller's
/// transaction; returns the row with them.
pub(crate) fn store(conn: &mut DbConn, row: TicketRow) -> AppResult<TicketRow> {
    let level = service_level(conn, ClientId(row.client_id))?;
    let paused = pauses(conn, row.id)?;
    let clocked = Clocked {
        id: row.id.0,
        client_id: row.client_id,
        kind: row.kind,
        priority: row.priority,
        created_at: row.created_at,
        responded_at: row.responded_at,
        solved_at: row.solved_at,
    };
    let minutes = figures(&level, &clocked, &paused)?;
    write(conn, row.id.0, minutes)?;
    Ok(TicketRow {
        response_business_minutes: minutes.response,
        resolution_business_minutes: minutes.resolution,
        ..row
    })
}
