//! Tickets and risks, both ways: a draft risk raised from a ticket (a failed-backup incident),
//! a control carried out through a service request opened by the intake path, the control
//! marked in place once that ticket is solved, and the reads the two pages show.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::register::risk_contacts;
use super::{ControlRow, DRAFT, NewHistory, add_history, get};
use crate::db::outcome::{Outcome, refuse};
use crate::db::schema::{assets, contacts, risk_controls, risks, tickets};
use crate::db::tickets::intake::{IntakeInput, Requester, create_within};
use crate::db::tickets::row::get as get_ticket;
use crate::db::timeline::{NewEvent, add_event};
use crate::db::users::UserRow;
use crate::db::{DbConn, write_tx};
use crate::domain::ids::{ClientId, ContactId, TicketId};
use crate::domain::risk::Level;
use crate::domain::risk_ticket::{
    asset_named, check_mark_in_place, check_may_open_ticket, control_ticket_priority,
};
use crate::domain::risk_treatment::{ControlKind, ControlState};
use crate::domain::ticket::{Channel, IdentityCheck, Kind, Status};
use crate::domain::timeline::EventKind;
use crate::error::{AppError, AppResult};
use crate::mail::messages::MailContext;

/// A risk as the ticket page lists it: raised from the ticket, or with a control the ticket
/// carries out.
#[derive(Clone, Debug)]
pub struct TicketRisk {
    pub id: i64,
    pub title: String,
    pub draft: bool,
    pub level: Option<String>,
    /// The control this ticket carries out, when it is linked through one.
    pub control: Option<String>,
}

/// The risks linked to a ticket, raised ones first.
pub fn on_ticket(conn: &mut DbConn, ticket: TicketId) -> AppResult<Vec<TicketRisk>> {
    let raised: Vec<(i64, String, String, Option<String>)> = risks::table
        .filter(risks::ticket_id.eq(ticket.0))
        .order(risks::id.asc())
        .select((
            risks::id,
            risks::title,
            risks::status,
            risks::inherent_level,
        ))
        .load(conn)?;
    let carried: Vec<(i64, String, String, Option<String>, String)> = risk_controls::table
        .inner_join(risks::table)
        .filter(risk_controls::ticket_id.eq(ticket.0))
        .order(risk_controls::id.asc())
        .select((
            risks::id,
            risks::title,
            risks::status,
            risks::inherent_level,
            risk_controls::what,
        ))
        .load(conn)?;
    Ok(raised
        .into_iter()
        .map(|(id, title, status, level)| TicketRisk {
            id,
            title,
            draft: status == DRAFT,
            level,
            control: None,
        })
        .chain(
            carried
                .into_iter()
                .map(|(id, title, status, level, what)| TicketRisk {
                    id,
                    title,
                    draft: status == DRAFT,
                    level,
                    control: Some(what),
                }),
        )
        .collect())
}

/// Opens a draft risk for the ticket's client, worded from the ticket: its subject is the
/// cause, and an affected service naming one of the client's assets becomes the asset. Both
/// the risk's history and the ticket's timeline say where it came from.
#[tracing::instrument(skip_all, fields(ticket_id = %ticket.0))]
pub fn raise_from_ticket(
    conn: &mut DbConn,
    actor: &UserRow,
    ticket: TicketId,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    write_tx(conn, |conn| {
        let row = get_ticket(conn, ticket)?;
        let client_assets: Vec<(i64, String)> = assets::table
            .filter(assets::client_id.eq(row.client_id))
            .select((assets::id, assets::name))
            .load(conn)?;
        let asset = asset_named(&row.affected_service, &client_assets).copied();
        let at = now.naive_utc();
        let source = format!("Ticket #{}", ticket.0);
        let id: i64 = diesel::insert_into(risks::table)
            .values((
                risks::client_id.eq(row.client_id),
                risks::ticket_id.eq(Some(ticket.0)),
                risks::title.eq(&row.subject),
                risks::asset_id.eq(asset),
                risks::vulnerability.eq(""),
                risks::cause.eq(&row.subject),
                risks::source.eq(&source),
                risks::status.eq(DRAFT),
                risks::decision_reason.eq(""),
                risks::version.eq(1),
                risks::created_by.eq(actor.id),
                risks::created_at.eq(at),
                risks::updated_at.eq(at),
            ))
            .returning(risks::id)
            .get_result(conn)?;
        let change = format!("raised from ticket #{}", ticket.0);
        add_history(
            conn,
            &NewHistory {
                risk_id: id,
                at,
                actor_id: Some(actor.id),
                contact_id: None,
                what: "raised",
                change: &change,
                reason: &row.subject,
            },
        )?;
        let detail = format!("Risk #{id} raised from this ticket");
        add_event(
            conn,
            ticket,
            Some(actor.id()),
            &NewEvent::internal(EventKind::Note, &detail),
            at,
        )?;
        Ok(id)
    })
}

/// A control with the ticket that carries it out, as the risk page shows it.
#[derive(Clone, Debug)]
pub struct ControlWithTicket {
    pub control: ControlRow,
    /// The ticket's status, when the control has one.
    pub ticket: Option<Status>,
    /// The ticket's status in words (request words on a service request).
    pub ticket_label: &'static str,
}

pub fn controls_with_tickets(conn: &mut DbConn, risk: i64) -> AppResult<Vec<ControlWithTicket>> {
    let rows: Vec<ControlRow> = risk_controls::table
        .filter(risk_controls::risk_id.eq(risk))
        .order(risk_controls::id.asc())
        .select(ControlRow::as_select())
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().filter_map(|c| c.ticket_id).collect();
    let linked: Vec<crate::db::tickets::row::TicketRow> = tickets::table
        .filter(tickets::id.eq_any(&ids))
        .select(crate::db::tickets::row::TicketRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|control| {
            let ticket = control
                .ticket_id
                .and_then(|t| linked.iter().find(|row| row.id.0 == t));
            ControlWithTicket {
                ticket: ticket.map(|t| t.status),
                ticket_label: ticket.map(|t| t.status_label()).unwrap_or(""),
                control,
            }
        })
        .collect())
}

fn control_of(conn: &mut DbConn, risk: i64, control: i64) -> AppResult<ControlRow> {
    risk_controls::table
        .find(control)
        .filter(risk_controls::risk_id.eq(risk))
        .select(ControlRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

fn parse_state(raw: &str) -> AppResult<ControlState> {
    ControlState::parse(raw).map_err(AppError::internal)
}

/// Opens a service request for the client through the intake path, for the control, and links
/// them in one transaction. The requester is the client's first risk contact (the person who
/// accepts the treatment), else its first active contact.
#[tracing::instrument(skip_all, fields(risk_id = risk, control_id = control))]
pub fn carry_out_through_ticket(
    conn: &mut DbConn,
    actor: &UserRow,
    risk: i64,
    control: i64,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> Outcome<i64> {
    write_tx(conn, |conn| {
        let row = get(conn, risk)?;
        let c = control_of(conn, risk, control)?;
        if let Err(message) = check_may_open_ticket(parse_state(&c.state)?, c.ticket_id) {
            return refuse("control", message);
        }
        let requester = match risk_contacts(conn, row.client_id)?.first() {
            Some(contact) => contact.id,
            None => {
                let first: Option<i64> = contacts::table
                    .filter(contacts::client_id.eq(row.client_id))
                    .filter(contacts::active.eq(true))
                    .order(contacts::name.asc())
                    .select(contacts::id)
                    .first(conn)
                    .optional()?;
                match first {
                    Some(id) => id,
                    None => {
                        return refuse(
                            "control",
                            "The client has no active contact to open the ticket for.",
                        );
                    }
                }
            }
        };
        let kind = ControlKind::parse(&c.kind)
            .map(ControlKind::label)
            .unwrap_or("Control");
        let level = row
            .inherent_level
            .as_deref()
            .and_then(|l| Level::parse(l).ok());
        let (impact, urgency) = control_ticket_priority(level);
        let input = IntakeInput {
            kind: Kind::ServiceRequest,
            client: ClientId(row.client_id),
            requester: Requester::Existing(ContactId(requester)),
            subject: format!("Risk control: {}", c.what),
            description: format!(
                "{kind} control for risk #{risk} “{}”: {}. Solve this request once the control \
                 is carried out; the risk's owner then marks it in place.",
                row.title, c.what
            ),
            // The request comes from the treatment the client accepted by e-mail.
            channel: Channel::Email,
            identity: IdentityCheck::KnownEmail,
            identity_detail: "accepted the treatment through the e-mailed link".into(),
            impact,
            urgency,
        };
        let ticket = match create_within(conn, actor.id(), &input, mail, now)? {
            Ok(ticket) => ticket,
            Err(errors) => return Ok(Err(errors)),
        };
        // Two presses at once both saw no ticket: only the first links its own, and the second
        // rolls back with its ticket and the client's mail.
        let linked = diesel::update(
            risk_controls::table
                .find(control)
                .filter(risk_controls::ticket_id.is_null()),
        )
        .set(risk_controls::ticket_id.eq(Some(ticket.id.0)))
        .execute(conn)?;
        if linked == 0 {
            return Err(AppError::Conflict(
                "This control was given a ticket a moment ago; reload the risk to see it.".into(),
            ));
        }
        bump(conn, risk, row.version, now)?;
        let change = format!(
            "control “{}” carried out through ticket #{}",
            c.what, ticket.id.0
        );
        add_history(
            conn,
            &NewHistory {
                risk_id: risk,
                at: now.naive_utc(),
                actor_id: Some(actor.id),
                contact_id: None,
                what: "control",
                change: &change,
                reason: "",
            },
        )?;
        Ok(Ok(ticket.id.0))
    })
}

/// Marks a control in place once the ticket carrying it out is solved or closed.
#[tracing::instrument(skip_all, fields(risk_id = risk, control_id = control))]
pub fn mark_in_place(
    conn: &mut DbConn,
    actor: &UserRow,
    risk: i64,
    control: i64,
    now: DateTime<Utc>,
) -> Outcome<()> {
    write_tx(conn, |conn| {
        let row = get(conn, risk)?;
        let c = control_of(conn, risk, control)?;
        let ticket = c
            .ticket_id
            .map(|t| get_ticket(conn, TicketId(t)))
            .transpose()?;
        if let Err(message) =
            check_mark_in_place(parse_state(&c.state)?, ticket.as_ref().map(|t| t.status))
        {
            return refuse("control", message);
        }
        diesel::update(risk_controls::table.find(control))
            .set(risk_controls::state.eq(ControlState::InPlace.as_str()))
            .execute(conn)?;
        bump(conn, risk, row.version, now)?;
        let change = format!("control “{}”: planned → in place", c.what);
        let reason = ticket
            .map(|t| format!("ticket #{} {}", t.id.0, t.status_label().to_lowercase()))
            .unwrap_or_default();
        add_history(
            conn,
            &NewHistory {
                risk_id: risk,
                at: now.naive_utc(),
                actor_id: Some(actor.id),
                contact_id: None,
                what: "control",
                change: &change,
                reason: &reason,
            },
        )?;
        Ok(Ok(()))
    })
}

/// A control's change is a change of the risk: the treatment form someone holds open is stale.
fn bump(conn: &mut DbConn, risk: i64, version: i32, now: DateTime<Utc>) -> AppResult<()> {
    diesel::update(risks::table.find(risk))
        .set((
            risks::version.eq(version + 1),
            risks::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}
