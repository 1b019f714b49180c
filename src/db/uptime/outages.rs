//! Outages of hosted services: opened (by hand or from a P1 incident in one step), ended, edited,
//! and linked to the incidents behind them.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use diesel::prelude::*;

use super::get as get_service;
use crate::db::outcome::{Outcome, refuse};
use crate::db::schema::{hosted_services, outage_incidents, outages, tickets};
use crate::db::timeline::{NewEvent, add_event};
use crate::db::{DbConn, write_tx};
use crate::domain::ids::{HostedServiceId, OutageId, TicketId, UserId};
use crate::domain::priority::Priority;
use crate::domain::timeline::EventKind;
use crate::domain::uptime::OutageSpan;
use crate::domain::uptime_input::OutageInput;
use crate::error::{AppError, AppResult};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = outages)]
pub struct OutageRow {
    #[diesel(deserialize_as = i64)]
    pub id: OutageId,
    #[diesel(deserialize_as = i64)]
    pub service_id: HostedServiceId,
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    pub planned: bool,
    pub note: String,
    pub opened_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

impl OutageRow {
    pub fn span(&self) -> OutageSpan {
        OutageSpan {
            start: Utc.from_utc_datetime(&self.started_at),
            end: self.ended_at.map(|e| Utc.from_utc_datetime(&e)),
            planned: self.planned,
        }
    }
}

/// A service's outages that overlap [from, until), oldest first.
pub fn overlapping(
    conn: &mut DbConn,
    service: HostedServiceId,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> AppResult<Vec<OutageRow>> {
    Ok(outages::table
        .filter(outages::service_id.eq(service.0))
        .filter(outages::started_at.lt(until.naive_utc()))
        .filter(
            outages::ended_at
                .is_null()
                .or(outages::ended_at.gt(from.naive_utc())),
        )
        .order(outages::started_at.asc())
        .select(OutageRow::as_select())
        .load(conn)?)
}

/// A service's latest outages, newest first.
pub fn latest(
    conn: &mut DbConn,
    service: HostedServiceId,
    limit: i64,
) -> AppResult<Vec<OutageRow>> {
    Ok(outages::table
        .filter(outages::service_id.eq(service.0))
        .order(outages::started_at.desc())
        .limit(limit)
        .select(OutageRow::as_select())
        .load(conn)?)
}

pub fn get(conn: &mut DbConn, id: OutageId) -> AppResult<OutageRow> {
    Ok(outages::table
        .find(id.0)
        .select(OutageRow::as_select())
        .first(conn)?)
}

/// The incidents linked to an outage: (id, subject), by id.
pub fn incidents(conn: &mut DbConn, outage: OutageId) -> AppResult<Vec<(i64, String)>> {
    Ok(outage_incidents::table
        .inner_join(tickets::table)
        .filter(outage_incidents::outage_id.eq(outage.0))
        .order(tickets::id.asc())
        .select((tickets::id, tickets::subject))
        .load(conn)?)
}

/// An outage linked to a ticket, with its service's name, for the ticket page.
pub struct LinkedOutage {
    pub outage: OutageRow,
    pub service_name: String,
}

pub fn linked_to_ticket(conn: &mut DbConn, ticket: TicketId) -> AppResult<Vec<LinkedOutage>> {
    Ok(outage_incidents::table
        .inner_join(outages::table.inner_join(hosted_services::table))
        .filter(outage_incidents::ticket_id.eq(ticket.0))
        .order(outages::started_at.asc())
        .select((OutageRow::as_select(), hosted_services::name))
        .load::<(OutageRow, String)>(conn)?
        .into_iter()
        .map(|(outage, service_name)| LinkedOutage {
            outage,
            service_name,
        })
        .collect())
}

fn link(
    conn: &mut DbConn,
    actor: UserId,
    outage: &OutageRow,
    ticket: TicketId,
    at: NaiveDateTime,
) -> AppResult<()> {
    diesel::insert_into(outage_incidents::table)
        .values((
            outage_incidents::outage_id.eq(outage.id.0),
            outage_incidents::ticket_id.eq(ticket.0),
        ))
        .execute(conn)?;
    let service = get_service(conn, outage.service_id)?;
    let detail = format!("Linked to outage #{} of {}", outage.id, service.name);
    add_event(
        conn,
        ticket,
        Some(actor),
        &NewEvent::internal(EventKind::Note, &detail),
        at,
    )
}

/// Opens an outage, linked to `incident` when it is opened from one.
#[tracing::instrument(skip_all, fields(service_id = %service))]
pub fn open(
    conn: &mut DbConn,
    actor: UserId,
    service: HostedServiceId,
    input: OutageInput,
    incident: Option<TicketId>,
    now: DateTime<Utc>,
) -> Outcome<OutageRow> {
    write_tx(conn, |conn| {
        let service_row = get_service(conn, service)?;
        if let Some(ticket) = incident {
            let client: i64 = tickets::table
                .find(ticket.0)
                .select(tickets::client_id)
                .first(conn)?;
            if client != service_row.client_id {
                return refuse("service_id", "Choose one of this client's services.");
            }
        }
        let at = now.naive_utc();
        let id: i64 = diesel::insert_into(outages::table)
            .values((
                outages::service_id.eq(service.0),
                outages::started_at.eq(input.start.naive_utc()),
                outages::ended_at.eq(input.end.map(|e| e.naive_utc())),
                outages::planned.eq(input.planned),
                outages::note.eq(&input.note),
                outages::opened_by.eq(Some(actor.0)),
                outages::created_at.eq(at),
                outages::updated_at.eq(at),
                outages::version.eq(1),
            ))
            .returning(outages::id)
            .get_result(conn)?;
        let row = get(conn, OutageId(id))?;
        if let Some(ticket) = incident {
            link(conn, actor, &row, ticket, at)?;
        }
        Ok(Ok(row))
    })
}

/// Only a P1 incident opens an outage from the ticket page: a lesser priority means the service
/// is degraded, not down.
pub fn may_open_from(priority: Priority, is_incident: bool) -> bool {
    is_incident && priority == Priority::P1
}

/// Changes an outage's times, kind and note; `version` is the one the form was filled from.
#[tracing::instrument(skip_all, fields(outage_id = %id))]
pub fn edit(
    conn: &mut DbConn,
    id: OutageId,
    version: i64,
    input: OutageInput,
    now: DateTime<Utc>,
) -> Outcome<OutageRow> {
    write_tx(conn, |conn| {
        let changed = diesel::update(
            outages::table
                .filter(outages::id.eq(id.0))
                .filter(outages::version.eq(version)),
        )
        .set((
            outages::started_at.eq(input.start.naive_utc()),
            outages::ended_at.eq(input.end.map(|e| e.naive_utc())),
            outages::planned.eq(input.planned),
            outages::note.eq(&input.note),
            outages::updated_at.eq(now.naive_utc()),
            outages::version.eq(version + 1),
        ))
        .execute(conn)?;
        let row = get(conn, id)?;
        if changed == 0 {
            return Err(AppError::Conflict(
                "Someone changed this outage since you opened it.".into(),
            ));
        }
        Ok(Ok(row))
    })
}

/// Ends an ongoing outage at `end` (the solve time when offered from the ticket page).
#[tracing::instrument(skip_all, fields(outage_id = %id))]
pub fn end(
    conn: &mut DbConn,
    id: OutageId,
    end: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Outcome<OutageRow> {
    write_tx(conn, |conn| {
        let row = get(conn, id)?;
        if row.ended_at.is_some() {
            return refuse("ended_at", "This outage has already ended.");
        }
        let end = end.naive_utc();
        if end <= row.started_at {
            return refuse("ended_at", "The end must come after the start.");
        }
        if end > now.naive_utc() {
            return refuse("ended_at", "An outage cannot end in the future.");
        }
        diesel::update(outages::table.find(id.0))
            .set((
                outages::ended_at.eq(Some(end)),
                outages::updated_at.eq(now.naive_utc()),
                outages::version.eq(row.version + 1),
            ))
            .execute(conn)?;
        Ok(Ok(get(conn, id)?))
    })
}

/// Links an incident of the same client to an outage.
#[tracing::instrument(skip_all, fields(outage_id = %id))]
pub fn link_incident(
    conn: &mut DbConn,
    actor: UserId,
    id: OutageId,
    ticket: TicketId,
    now: DateTime<Utc>,
) -> Outcome<OutageRow> {
    write_tx(conn, |conn| {
        let row = get(conn, id)?;
        let service = get_service(conn, row.service_id)?;
        let found: Option<(i64, String)> = tickets::table
            .find(ticket.0)
            .select((tickets::client_id, tickets::kind))
            .first(conn)
            .optional()?;
        match found {
            None => return refuse("ticket_id", "There is no ticket with that number."),
            Some((client, _)) if client != service.client_id => {
                return refuse("ticket_id", "That ticket belongs to another client.");
            }
            Some((_, kind)) if kind != "incident" => {
                return refuse("ticket_id", "Link incidents only.");
            }
            Some(_) => {}
        }
        let already: i64 = outage_incidents::table
            .filter(outage_incidents::outage_id.eq(id.0))
            .filter(outage_incidents::ticket_id.eq(ticket.0))
            .count()
            .get_result(conn)?;
        if already > 0 {
            return refuse("ticket_id", "That incident is already linked.");
        }
        link(conn, actor, &row, ticket, now.naive_utc())?;
        Ok(Ok(row))
    })
}
