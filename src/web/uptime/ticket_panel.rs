//! The ticket page's outage panel: a P1 incident opens an outage of one of its client's services
//! in one step, and once the incident is solved, an ongoing linked outage can end at the solve
//! time.

use chrono::{TimeZone, Utc};

use super::{field_value, local};
use crate::db::uptime::ServiceRow;
use crate::db::uptime::outages::LinkedOutage;
use crate::db::{self, DbConn, tickets::row::TicketRow};
use crate::domain::ids::ClientId;
use crate::domain::ticket::Kind;
use crate::error::AppResult;

pub struct LinkedLine {
    pub id: i64,
    pub service_name: String,
    pub started: String,
    pub ended: String,
    /// The incident is solved and the outage still ongoing: offer to end it at the solve time.
    pub end_at_solve: Option<String>,
}

pub struct OutagePanel {
    pub ticket_id: i64,
    pub can_open: bool,
    pub services: Vec<(String, String)>,
    pub first_service: String,
    pub start: String,
    pub zone: String,
    pub linked: Vec<LinkedLine>,
}

impl OutagePanel {
    pub fn shown(&self) -> bool {
        (self.can_open && !self.services.is_empty()) || !self.linked.is_empty()
    }
}

/// What the panel reads, inside the ticket page's one database turn: the client's services
/// (when an outage may be opened from the ticket) and the outages linked to it.
pub struct OutageReads {
    services: Vec<ServiceRow>,
    linked: Vec<LinkedOutage>,
}

fn may_open(row: &TicketRow) -> bool {
    db::uptime::outages::may_open_from(row.priority, row.kind == Kind::Incident)
        && row.status.is_open()
}

pub fn read(conn: &mut DbConn, row: &TicketRow) -> AppResult<OutageReads> {
    let services = if may_open(row) {
        db::uptime::services_of(conn, ClientId(row.client_id))?
    } else {
        Vec::new()
    };
    Ok(OutageReads {
        services,
        linked: db::uptime::outages::linked_to_ticket(conn, row.id)?,
    })
}

/// `tz` is the client's zone (its calendar's), which the ticket page has read already.
pub fn outage_panel(row: &TicketRow, reads: OutageReads, tz: chrono_tz::Tz) -> OutagePanel {
    let (id, can_open) = (row.id, may_open(row));
    let (solved_at, created_at) = (row.solved_at, row.created_at);
    let OutageReads { services, linked } = reads;
    let services: Vec<(String, String)> = services
        .into_iter()
        .map(|s| (s.id.to_string(), s.name))
        .collect();
    OutagePanel {
        ticket_id: id.0,
        can_open,
        first_service: services.first().map(|s| s.0.clone()).unwrap_or_default(),
        services,
        start: field_value(created_at, tz),
        zone: tz.name().to_string(),
        linked: linked
            .into_iter()
            .map(|l| LinkedLine {
                id: l.outage.id.0,
                service_name: l.service_name,
                started: local(l.outage.started_at, tz),
                ended: l
                    .outage
                    .ended_at
                    .map(|e| local(e, tz))
                    .unwrap_or_else(|| "ongoing".into()),
                end_at_solve: match (l.outage.ended_at, solved_at) {
                    (None, Some(solved)) => Some(
                        Utc.from_utc_datetime(&solved)
                            .with_timezone(&tz)
                            .format("%a %-d %b %Y %H:%M")
                            .to_string(),
                    ),
                    _ => None,
                },
            })
            .collect(),
    }
}
