//! The backfill of the business minutes on tickets' rows (see `db::tickets::minutes`): rows
//! written before the columns existed, and generated history, get them in batches.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use diesel::prelude::*;

use crate::db::schema::{ticket_pauses, tickets};
use crate::db::sla_clock::{PauseRow, ServiceLevel, service_level};
use crate::db::tickets::minutes::{Clocked, figures, write};
use crate::db::{DbConn, write_tx};
use crate::domain::ids::ClientId;
use crate::domain::sla::Pause;
use crate::error::AppResult;

/// Tickets one backfill batch fills in a single transaction.
pub const BATCH: i64 = 500;

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
