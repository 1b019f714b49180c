//! The business minutes on a ticket's row: worked out when the first response is recorded and
//! when the ticket is solved (on the client's calendar with its pauses, as the SLA clock counts),
//! and filled in for rows written before the columns existed by a backfill in batches.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{ticket_pauses, tickets};
use crate::db::sla_clock::{PauseRow, ServiceLevel, pauses, service_level};
use crate::db::tickets::row::TicketRow;
use crate::db::{DbConn, write_tx};
use crate::domain::ids::ClientId;
use crate::domain::priority::Priority;
use crate::domain::report_minutes::{TicketMinutes, ticket_minutes};
use crate::domain::sla::Pause;
use crate::domain::ticket::Kind;
use crate::error::AppResult;

/// Tickets one backfill batch fills in a single transaction.
pub const BATCH: i64 = 500;

/// What the figures of one ticket are computed from.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = tickets)]
struct Clocked {
    id: i64,
    client_id: i64,
    #[diesel(deserialize_as = String)]
    kind: Kind,
    #[diesel(deserialize_as = String)]
    priority: Priority,
    created_at: NaiveDateTime,
    responded_at: Option<NaiveDateTime>,
    solved_at: Option<NaiveDateTime>,
}

fn figures(level: &ServiceLevel, row: &Clocked, pauses: &[Pause]) -> AppResult<TicketMinutes> {
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

fn write(conn: &mut DbConn, id: i64, minutes: TicketMinutes) -> AppResult<()> {
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

/// Fills the figures of up to [`BATCH`] answered or solved tickets that lack one, in one
/// transaction, and says how many it filled. Only missing figures are looked for, so it is
/// idempotent and two instances running it at once write the same values.
pub fn backfill_batch(conn: &mut DbConn) -> AppResult<usize> {
    write_tx(conn, |conn| {
        let rows: Vec<Clocked> = tickets::table
            .filter(
                tickets::responded_at
                    .is_not_null()
                    .and(tickets::response_business_minutes.is_null())
                    .or(tickets::solved_at
                        .is_not_null()
                        .and(tickets::resolution_business_minutes.is_null())),
            )
            .order(tickets::id.asc())
            .limit(BATCH)
            .select(Clocked::as_select())
            .load(conn)?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut paused: HashMap<i64, Vec<Pause>> = HashMap::new();
        for p in ticket_pauses::table
            .filter(ticket_pauses::ticket_id.eq_any(&ids))
            .select(PauseRow::as_select())
            .load::<PauseRow>(conn)?
        {
            paused.entry(p.ticket_id).or_default().push(p.pause());
        }
        let mut levels: HashMap<i64, ServiceLevel> = HashMap::new();
        for row in &rows {
            let level = match levels.entry(row.client_id) {
                Entry::Occupied(known) => known.into_mut(),
                Entry::Vacant(slot) => slot.insert(service_level(conn, ClientId(row.client_id))?),
            };
            let pauses = paused.get(&row.id).map_or(&[][..], Vec::as_slice);
            let minutes = figures(level, row, pauses)?;
            write(conn, row.id, minutes)?;
        }
        Ok(rows.len())
    })
}

/// Runs batches until no ticket lacks its figures (after loading generated history).
pub fn backfill_all(conn: &mut DbConn) -> AppResult<usize> {
    let mut filled = 0;
    loop {
        match backfill_batch(conn)? {
            0 => return Ok(filled),
            n => filled += n,
        }
    }
}
