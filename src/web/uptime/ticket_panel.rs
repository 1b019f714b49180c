//! The ticket page's outage panel: a P1 incident opens an outage of one of its client's services
//! in one step, and once the incident is solved, an ongoing linked outage can end at the solve
//! time.

use chrono::{TimeZone, Utc};

use super::{field_value, local};
use crate::db::{self, tickets::row::TicketRow};
use crate::domain::ids::ClientId;
use crate::domain::ticket::Kind;
use crate::error::AppResult;
use crate::state::AppState;

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

/// `tz` is the client's zone (its calendar's), which the ticket page has read already.
pub async fn outage_panel(
    state: &AppState,
    row: &TicketRow,
    tz: chrono_tz::Tz,
) -> AppResult<OutagePanel> {
    let (id, client) = (row.id, ClientId(row.client_id));
    let can_open = db::uptime::outages::may_open_from(row.priority, row.kind == Kind::Incident)
        && row.status.is_open();
    let (solved_at, created_at) = (row.solved_at, row.created_at);
    let (services, linked) = db::run(&state.pool, move |conn| {
        let services = if can_open {
            db::uptime::services_of(conn, client)?
        } else {
            Vec::new()
        };
        Ok((services, db::uptime::outages::linked_to_ticket(conn, id)?))
    })
    .await?;
    let services: Vec<(String, String)> = services
        .into_iter()
        .map(|s| (s.id.to_string(), s.name))
        .collect();
    Ok(OutagePanel {
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
    })
}
