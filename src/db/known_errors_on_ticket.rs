//! What the ticket page shows of the known-error database: on an open incident the known errors
//! that match it, remembered by the words searched for for as long as the known errors stay as
//! they were, and on any incident the workarounds applied to it.
//!
//! The matches are remembered because the search ranks every known error against up to 24
//! words: it was half of the ticket page's time. A change to any known error moves the
//! generation its triggers keep (migration 000570), in the change's own transaction, so a
//! remembered answer is never older than the known errors it was searched in, whichever
//! instance of the desk made the change.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::known_errors::{
    Application, KnownErrorRow, MATCHES_ON_TICKET, applied_to, incident_terms, matches_for_terms,
};
use crate::db::schema::known_error_generation;
use crate::db::tickets::row::TicketRow;
use crate::domain::ticket::Kind;
use crate::error::AppResult;

#[derive(Clone, Debug, Default)]
pub struct OnTicket {
    pub matches: Vec<KnownErrorRow>,
    pub applied: Vec<Application>,
}

pub fn on_ticket(
    conn: &mut DbConn,
    ticket: &TicketRow,
    matches: &MatchCache,
) -> AppResult<OnTicket> {
    if ticket.kind != Kind::Incident {
        return Ok(OnTicket::default());
    }
    let matches = if ticket.status.is_open() {
        matches.matches_for_ticket(conn, ticket, MATCHES_ON_TICKET)?
    } else {
        Vec::new()
    };
    Ok(OnTicket {
        matches,
        applied: applied_to(conn, ticket.id)?,
    })
}

/// Enough for every open incident a busy desk looks at in a day; each holds a few rows.
const REMEMBERED: usize = 4096;

#[derive(Default)]
pub struct MatchCache {
    remembered: Mutex<Remembered>,
}

#[derive(Default)]
struct Remembered {
    generation: i64,
    by_words: HashMap<(Vec<String>, i64), Vec<KnownErrorRow>>,
}

impl MatchCache {
    /// The published known errors that best match the incident, best first, at most `limit`.
    pub fn matches_for_ticket(
        &self,
        conn: &mut DbConn,
        ticket: &TicketRow,
        limit: i64,
    ) -> AppResult<Vec<KnownErrorRow>> {
        let key = (incident_terms(conn, ticket)?, limit);
        let generation = generation(conn)?;
        if let Some(rows) = self.recall(generation, &key) {
            return Ok(rows);
        }
        let rows = matches_for_terms(conn, &key.0, limit)?;
        self.remember(generation, key, rows.clone());
        Ok(rows)
    }

    fn recall(&self, generation: i64, key: &(Vec<String>, i64)) -> Option<Vec<KnownErrorRow>> {
        let remembered = self
            .remembered
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if remembered.generation != generation {
            return None;
        }
        remembered.by_words.get(key).cloned()
    }

    /// Keeps an answer searched under `generation`. A newer generation forgets every older
    /// answer; an answer from an older one (a search that began before a change another
    /// request has already seen) is not kept.
    fn remember(&self, generation: i64, key: (Vec<String>, i64), rows: Vec<KnownErrorRow>) {
        let mut remembered = self
            .remembered
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if generation < remembered.generation {
            return;
        }
        if generation > remembered.generation || remembered.by_words.len() >= REMEMBERED {
            remembered.by_words.clear();
            remembered.generation = generation;
        }
        remembered.by_words.insert(key, rows);
    }
}

fn generation(conn: &mut DbConn) -> AppResult<i64> {
    Ok(known_error_generation::table
        .find(1)
        .select(known_error_generation::generation)
        .first(conn)?)
}
