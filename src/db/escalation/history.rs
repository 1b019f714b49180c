//! A ticket's escalations as the ticket page lists them, with level and people's names.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::escalations;
use crate::db::users;
use crate::domain::escalation::{Ladder, Reason};
use crate::domain::ids::TicketId;
use crate::error::AppResult;

/// One escalation as the ticket page lists it.
#[derive(Clone, Debug)]
pub struct EscalationView {
    pub from: String,
    pub to: String,
    pub reason: String,
    pub trigger: String,
    pub explanation: String,
    pub actor: Option<String>,
    pub owner: Option<String>,
    pub vendor: String,
    pub vendor_reference: String,
    pub at: NaiveDateTime,
}

pub fn history(conn: &mut DbConn, ladder: &Ladder, id: TicketId) -> AppResult<Vec<EscalationView>> {
    type Raw = (
        Option<i64>,
        i64,
        String,
        String,
        String,
        Option<i64>,
        Option<i64>,
        String,
        String,
        NaiveDateTime,
    );
    let rows: Vec<Raw> = escalations::table
        .filter(escalations::ticket_id.eq(id.0))
        .order((escalations::created_at.asc(), escalations::id.asc()))
        .select((
            escalations::from_level_id,
            escalations::to_level_id,
            escalations::reason,
            escalations::trigger_kind,
            escalations::explanation,
            escalations::actor_id,
            escalations::owner_id,
            escalations::vendor,
            escalations::vendor_reference,
            escalations::created_at,
        ))
        .load(conn)?;
    let people: Vec<Option<i64>> = rows.iter().flat_map(|r| [r.5, r.6]).collect();
    let names = users::names(conn, &people)?;
    let level_name = |id: Option<i64>| {
        id.and_then(|i| ladder.get(i))
            .map_or_else(|| "—".to_string(), |l| l.name.clone())
    };
    Ok(rows
        .into_iter()
        .map(
            |(
                from,
                to,
                reason,
                trigger,
                explanation,
                actor,
                owner,
                vendor,
                vendor_reference,
                at,
            )| EscalationView {
                from: level_name(from),
                to: level_name(Some(to)),
                reason: Reason::parse(&reason).map_or(reason, |r| r.label().to_string()),
                trigger,
                explanation,
                actor: names.of(actor).map(str::to_string),
                owner: names.of(owner).map(str::to_string),
                vendor,
                vendor_reference,
                at,
            },
        )
        .collect())
}
