//! Intake: recording a request as it arrives, with its priority from the matrix and its
//! clocks from the client's service level.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::clients::{ContactInput, ContactRow};
use crate::db::notify::mail_contact;
use crate::db::outcome::{Outcome, or_refuse, refuse};
use crate::db::schema::tickets;
use crate::db::service_levels as levels;
use crate::db::sla_clock::{due_times, service_level};
use crate::db::tickets::identity::record as record_identity;
use crate::db::tickets::row::TicketRow;
use crate::db::timeline::{NewEvent, add_event};
use crate::db::{DbConn, write_tx};
use crate::domain::ids::{ClientId, ContactId, UserId};
use crate::domain::priority::{Impact, Urgency};
use crate::domain::ticket::{Channel, IdentityCheck, Kind, Status};
use crate::domain::timeline::EventKind;
use crate::error::AppResult;
use crate::mail::messages::{MailContext, TicketReceived};

fn search_text(subject: &str, description: &str) -> String {
    format!("{subject}\n{description}").to_lowercase()
}

/// Who the request comes from: a contact on file, or one added during the call.
#[derive(Clone, Debug)]
pub enum Requester {
    Existing(ContactId),
    New(ContactInput),
}

#[derive(Clone, Debug)]
pub struct IntakeInput {
    pub kind: Kind,
    pub client: ClientId,
    pub requester: Requester,
    pub subject: String,
    pub description: String,
    pub channel: Channel,
    pub identity: IdentityCheck,
    /// What the check found ("called back +44 20 …"); the method must have passed
    /// `domain::identity::check_claim`.
    pub identity_detail: String,
    pub impact: Impact,
    pub urgency: Urgency,
}

/// Records a request as it arrives. Its priority comes from the matrix, its clocks from the
/// client's calendar and policy, both counted from now.
#[tracing::instrument(skip_all, fields(client_id = %input.client))]
pub fn create(
    conn: &mut DbConn,
    actor: UserId,
    input: &IntakeInput,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> Outcome<TicketRow> {
    write_tx(conn, |conn| create_within(conn, actor, input, mail, now))
}

/// Records a request inside the caller's transaction, for a command that opens a ticket as
/// part of a larger write (a risk control carried out through a ticket).
pub fn create_within(
    conn: &mut DbConn,
    actor: UserId,
    input: &IntakeInput,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> Outcome<TicketRow> {
    let contact: ContactRow = match &input.requester {
        Requester::Existing(id) => {
            let contact = crate::db::clients::get_contact(conn, *id)?;
            if contact.client_id != input.client.0 {
                return refuse("contact_id", "This contact works for another client.");
            }
            contact
        }
        Requester::New(new) => {
            or_refuse!(crate::db::clients::insert_contact(
                conn,
                actor,
                input.client,
                new,
                now
            ))
        }
    };
    let origin = Origin {
        actor: Some(actor),
        acknowledge: true,
        follow_up_of: None,
    };
    Ok(Ok(record(conn, &origin, input, &contact, mail, now)?))
}

/// Where a ticket comes from when nobody at the desk typed it in: a client's e-mail.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Origin {
    /// The staff member who recorded it; `None` when the client's own message did.
    pub actor: Option<UserId>,
    /// Whether the requester is sent the acknowledgement (never when a machine wrote).
    pub acknowledge: bool,
    /// The ticket this one follows up, when the client wrote again after it was over.
    pub follow_up_of: Option<crate::domain::ids::TicketId>,
}

/// Records a request from `contact`, inside the caller's transaction.
pub(crate) fn record(
    conn: &mut DbConn,
    origin: &Origin,
    input: &IntakeInput,
    contact: &ContactRow,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> AppResult<TicketRow> {
    let actor = origin.actor;
    let matrix = levels::load_matrix(conn)?;
    let priority = matrix.priority(input.impact, input.urgency);
    let level = service_level(conn, input.client)?;
    let (response_due, resolution_due) = due_times(&level, input.kind, priority, now, &[])?;
    let at = now.naive_utc();
    let row = diesel::insert_into(tickets::table)
        .values((
            tickets::kind.eq(input.kind.as_str()),
            tickets::client_id.eq(input.client.0),
            tickets::contact_id.eq(contact.id),
            tickets::subject.eq(&input.subject),
            tickets::description.eq(&input.description),
            tickets::channel.eq(input.channel.as_str()),
            tickets::identity_check.eq(input.identity.as_str()),
            tickets::status.eq(Status::New.as_str()),
            tickets::impact.eq(input.impact.as_str()),
            tickets::urgency.eq(input.urgency.as_str()),
            tickets::priority.eq(priority.as_str()),
            tickets::affected_service.eq(""),
            tickets::response_due_at.eq(response_due),
            tickets::resolution_due_at.eq(resolution_due),
            tickets::reopen_count.eq(0),
            tickets::search_text.eq(search_text(&input.subject, &input.description)),
            tickets::created_by.eq(actor.map(|a| a.0)),
            tickets::follow_up_of.eq(origin.follow_up_of.map(|t| t.0)),
            tickets::created_at.eq(at),
            tickets::updated_at.eq(at),
            tickets::version.eq(1),
        ))
        .returning(tickets::all_columns)
        .get_result::<TicketRow>(conn)?;
    let detail = format!(
        "{} from {} <{}> by {}; identity: {}; priority {} ({} impact, {} urgency)",
        input.kind.label(),
        contact.name,
        contact.email,
        input.channel.label(),
        input.identity.label(),
        priority.as_str(),
        input.impact.as_str(),
        input.urgency.as_str(),
    );
    add_event(
        conn,
        row.id,
        actor,
        &NewEvent::internal(EventKind::Created, &detail),
        at,
    )?;
    if input.identity.is_validated() {
        record_identity(
            conn,
            row.id,
            input.identity,
            actor,
            at,
            &input.identity_detail,
        )?;
    }
    let acknowledgement = TicketReceived {
        reference: format!("#{}", row.id),
        subject: row.subject.clone(),
        contact_name: contact.name.clone(),
        priority: priority.label().into(),
    };
    if origin.acknowledge {
        mail_contact(conn, &row, mail, &acknowledgement, now)?;
    }
    Ok(row)
}
