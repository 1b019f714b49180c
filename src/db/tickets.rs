//! Tickets: intake, triage, assignment, work, pauses, solving, closing, reopening. Every change
//! is one transaction that asks `domain` for the decision, writes the ticket, its timeline
//! event and its SLA due times together, and checks the version the user saw.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::clients::{ContactInput, ContactRow};
use super::schema::{
    categories, clients, kb_articles, ticket_attachments, ticket_events, ticket_pauses, tickets,
    users,
};
use super::service_levels::{self as levels, PolicyRecord};
use super::{DbConn, write_tx};
use crate::domain::calendar::BusinessCalendar;
use crate::domain::ids::{CategoryId, ClientId, ContactId, TicketId, UserId};
use crate::domain::inputs::FieldErrors;
use crate::domain::priority::{Impact, Priority, Urgency};
use crate::domain::sla::{self, Pause, ResolutionDue};
use crate::domain::ticket::{self, Action, Channel, IdentityCheck, Kind, Status};
use crate::error::{AppError, AppResult};
use crate::mail::messages::{
    MailContext, RatingLink, Recipient, SurveyRequest, ThreadKey, TicketReceived, TicketReply,
    TicketSolved, compose,
};
use crate::mail::outbox;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = tickets)]
pub struct TicketRow {
    pub id: i64,
    pub kind: String,
    pub client_id: i64,
    pub contact_id: i64,
    pub subject: String,
    pub description: String,
    pub channel: String,
    pub identity_check: String,
    pub status: String,
    pub impact: String,
    pub urgency: String,
    pub priority: String,
    pub category_id: Option<i64>,
    pub subcategory_id: Option<i64>,
    pub affected_service: String,
    pub triaged_at: Option<NaiveDateTime>,
    pub tier: Option<String>,
    pub owner_id: Option<i64>,
    pub worker_id: Option<i64>,
    pub response_due_at: Option<NaiveDateTime>,
    pub responded_at: Option<NaiveDateTime>,
    pub resolution_due_at: Option<NaiveDateTime>,
    pub solved_at: Option<NaiveDateTime>,
    pub solution: Option<String>,
    pub closed_at: Option<NaiveDateTime>,
    pub reopen_count: i32,
    pub duplicate_of: Option<i64>,
    pub search_text: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

fn unreadable(what: &str, value: &str) -> AppError {
    AppError::internal(format!("stored {what} '{value}' is unreadable"))
}

impl TicketRow {
    pub fn ticket_id(&self) -> TicketId {
        TicketId(self.id)
    }

    pub fn status(&self) -> AppResult<Status> {
        Status::parse(&self.status).map_err(|_| unreadable("status", &self.status))
    }

    pub fn priority(&self) -> AppResult<Priority> {
        Priority::parse(&self.priority).map_err(|_| unreadable("priority", &self.priority))
    }

    pub fn kind(&self) -> AppResult<Kind> {
        Kind::parse(&self.kind).map_err(|_| unreadable("kind", &self.kind))
    }

    pub fn identity(&self) -> AppResult<IdentityCheck> {
        IdentityCheck::parse(&self.identity_check)
            .map_err(|_| unreadable("identity check", &self.identity_check))
    }

    pub fn owner(&self) -> Option<UserId> {
        self.owner_id.map(UserId)
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = ticket_pauses)]
pub struct PauseRow {
    pub id: i64,
    pub ticket_id: i64,
    pub reason: String,
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
}

impl PauseRow {
    pub fn pause(&self) -> Pause {
        Pause {
            from: self.started_at.and_utc(),
            until: self.ended_at.map(|t| t.and_utc()),
        }
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = categories)]
pub struct CategoryRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub common_low_complexity: bool,
    pub active: bool,
}

pub fn list_categories(conn: &mut DbConn) -> AppResult<Vec<CategoryRow>> {
    Ok(categories::table
        .order((categories::parent_id.asc(), categories::name.asc()))
        .select(CategoryRow::as_select())
        .load(conn)?)
}

/// The kinds of timeline entry. Stored as text; the timeline is also the ticket's audit trail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Created,
    Note,
    Reply,
    Call,
    Triage,
    Assignment,
    Status,
    Review,
    Solution,
    Reopen,
    Closed,
    Survey,
    Attachment,
    Escalation,
    Approval,
    Decision,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Note => "note",
            EventKind::Reply => "reply",
            EventKind::Call => "call",
            EventKind::Triage => "triage",
            EventKind::Assignment => "assignment",
            EventKind::Status => "status",
            EventKind::Review => "review",
            EventKind::Solution => "solution",
            EventKind::Reopen => "reopen",
            EventKind::Closed => "closed",
            EventKind::Survey => "survey",
            EventKind::Attachment => "attachment",
            EventKind::Escalation => "escalation",
            EventKind::Approval => "approval",
            EventKind::Decision => "decision",
        }
    }
}

pub struct NewEvent<'a> {
    pub kind: EventKind,
    pub client_visible: bool,
    pub body: &'a str,
    pub detail: &'a str,
}

pub fn add_event(
    conn: &mut DbConn,
    ticket: TicketId,
    actor: Option<UserId>,
    event: &NewEvent<'_>,
    at: NaiveDateTime,
) -> AppResult<()> {
    diesel::insert_into(ticket_events::table)
        .values((
            ticket_events::ticket_id.eq(ticket.0),
            ticket_events::actor_id.eq(actor.map(|a| a.0)),
            ticket_events::kind.eq(event.kind.as_str()),
            ticket_events::client_visible.eq(event.client_visible),
            ticket_events::body.eq(event.body),
            ticket_events::detail.eq(event.detail),
            ticket_events::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// What the SLA clocks of one client run on.
pub struct ServiceLevel {
    pub calendar: BusinessCalendar,
    pub policy: PolicyRecord,
}

pub fn service_level(conn: &mut DbConn, client: ClientId) -> AppResult<ServiceLevel> {
    let (calendar_id, policy_id): (i64, i64) = clients::table
        .find(client.0)
        .select((clients::calendar_id, clients::sla_policy_id))
        .first(conn)?;
    let calendar = levels::load_calendar(conn, crate::domain::ids::CalendarId(calendar_id))?
        .business_calendar()?;
    let policy = levels::load_policy(conn, crate::domain::ids::PolicyId(policy_id))?;
    Ok(ServiceLevel { calendar, policy })
}

pub fn pauses_of(conn: &mut DbConn, ticket: TicketId) -> AppResult<Vec<PauseRow>> {
    Ok(ticket_pauses::table
        .filter(ticket_pauses::ticket_id.eq(ticket.0))
        .order(ticket_pauses::started_at.asc())
        .select(PauseRow::as_select())
        .load(conn)?)
}

/// Both due times from the creation time, the priority and the pauses so far. A resolution
/// clock that is paused has no due time until it runs again.
fn due_times(
    level: &ServiceLevel,
    priority: Priority,
    created: DateTime<Utc>,
    pauses: &[Pause],
) -> AppResult<(Option<NaiveDateTime>, Option<NaiveDateTime>)> {
    let targets = level.policy.sla_targets()?;
    let target = targets.target(priority);
    let response = sla::response_due(&level.calendar, target, created).map(|t| t.naive_utc());
    let resolution = match sla::resolution_due(&level.calendar, target, created, pauses) {
        ResolutionDue::At(at) => Some(at.naive_utc()),
        ResolutionDue::Paused { .. } | ResolutionDue::Never => None,
    };
    Ok((response, resolution))
}

fn search_text(subject: &str, description: &str) -> String {
    format!("{subject}\n{description}").to_lowercase()
}

/// Queues a message to the ticket's contact, in the ticket's mail thread, inside the caller's
/// transaction: the mail leaves only if the change it reports is saved.
fn mail_contact<M: crate::mail::messages::Email>(
    conn: &mut DbConn,
    ticket: &TicketRow,
    mail: &MailContext,
    message: &M,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let contact = super::clients::get_contact(conn, ContactId(ticket.contact_id))?;
    let address = crate::domain::inputs::EmailAddress::parse(&contact.email)
        .map_err(|e| AppError::internal(format!("contact {} e-mail: {e}", contact.id)))?;
    let outgoing = compose(mail, message, Recipient::new(address, contact.name))?
        .in_thread(ThreadKey::new("ticket", ticket.id));
    outbox::enqueue(conn, &outgoing, now)?;
    Ok(())
}

fn contact_name(conn: &mut DbConn, ticket: &TicketRow) -> AppResult<String> {
    Ok(super::clients::get_contact(conn, ContactId(ticket.contact_id))?.name)
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
) -> AppResult<Result<TicketRow, FieldErrors>> {
    write_tx(conn, |conn| {
        let contact: ContactRow = match &input.requester {
            Requester::Existing(id) => {
                let contact = super::clients::get_contact(conn, *id)?;
                if contact.client_id != input.client.0 {
                    return Ok(Err(FieldErrors::single(
                        "contact_id",
                        "This contact works for another client.",
                    )));
                }
                contact
            }
            Requester::New(new) => {
                match super::clients::insert_contact(conn, actor, input.client, new, now)? {
                    Ok(contact) => contact,
                    Err(errors) => return Ok(Err(errors)),
                }
            }
        };
        let matrix = levels::load_matrix(conn)?;
        let priority = matrix.priority(input.impact, input.urgency);
        let level = service_level(conn, input.client)?;
        let (response_due, resolution_due) = due_times(&level, priority, now, &[])?;
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
                tickets::created_by.eq(actor.0),
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
            row.ticket_id(),
            Some(actor),
            &NewEvent {
                kind: EventKind::Created,
                client_visible: false,
                body: "",
                detail: &detail,
            },
            at,
        )?;
        let acknowledgement = TicketReceived {
            reference: format!("#{}", row.id),
            subject: row.subject.clone(),
            contact_name: contact.name.clone(),
            priority: priority.label().into(),
        };
        mail_contact(conn, &row, mail, &acknowledgement, now)?;
        Ok(Ok(row))
    })
}

pub fn get(conn: &mut DbConn, id: TicketId) -> AppResult<TicketRow> {
    tickets::table
        .find(id.0)
        .select(TicketRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The row as the user saw it, or a conflict when someone saved it since.
pub(crate) fn get_at_version(
    conn: &mut DbConn,
    id: TicketId,
    version: i64,
) -> AppResult<TicketRow> {
    let row = get(conn, id)?;
    ticket::check_version(version, row.version).map_err(|c| AppError::Conflict(c.to_string()))?;
    Ok(row)
}

pub(crate) fn conflict() -> AppError {
    AppError::Conflict(
        "Someone else saved this ticket after you opened it. Your text is below; reload the ticket, check what changed, and apply it again."
            .into(),
    )
}

/// Runs one UPDATE of a ticket guarded by the version the user saw, so two people (or two
/// instances) saving at once cannot overwrite each other silently.
macro_rules! update_ticket {
    ($conn:expr, $before:expr, $now:expr, ($($set:expr),* $(,)?)) => {{
        use $crate::db::schema::tickets as guarded;
        diesel::update(
            guarded::table
                .find($before.id)
                .filter(guarded::version.eq($before.version)),
        )
        .set((
            $($set,)*
            guarded::version.eq($before.version + 1),
            guarded::updated_at.eq($now),
        ))
        .returning(guarded::all_columns)
        .get_result::<$crate::db::tickets::TicketRow>($conn)
        .optional()?
        .ok_or_else($crate::db::tickets::conflict)?
    }};
}
pub(crate) use update_ticket;

pub(crate) fn transition(
    before: &TicketRow,
    action: Action,
) -> AppResult<Result<Status, FieldErrors>> {
    let from = before.status()?;
    Ok(ticket::next_status(from, action).map_err(|e| FieldErrors::single("status", e.to_string())))
}

#[derive(Clone, Debug)]
pub struct TriageInput {
    pub impact: Impact,
    pub urgency: Urgency,
    pub category: Option<CategoryId>,
    pub subcategory: Option<CategoryId>,
    pub affected_service: String,
}

fn category_names(conn: &mut DbConn, ids: &[Option<i64>]) -> AppResult<HashMap<i64, String>> {
    let wanted: Vec<i64> = ids.iter().flatten().copied().collect();
    Ok(categories::table
        .filter(categories::id.eq_any(&wanted))
        .select((categories::id, categories::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// Sets impact, urgency (and so priority), category and affected service. A new priority
/// recomputes both targets from the creation time, with the pauses so far.
#[tracing::instrument(skip_all, fields(ticket_id = %id))]
pub fn triage(
    conn: &mut DbConn,
    actor: UserId,
    id: TicketId,
    version: i64,
    input: &TriageInput,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> AppResult<Result<TicketRow, FieldErrors>> {
    write_tx(conn, |conn| {
        let before = get_at_version(conn, id, version)?;
        let status = match transition(&before, Action::Triage)? {
            Ok(status) => status,
            Err(errors) => return Ok(Err(errors)),
        };
        if let Some(sub) = input.subcategory {
            let parent: Option<Option<i64>> = categories::table
                .find(sub.0)
                .select(categories::parent_id)
                .first(conn)
                .optional()?;
            if parent.flatten() != input.category.map(|c| c.0) {
                return Ok(Err(FieldErrors::single(
                    "subcategory_id",
                    "Choose a subcategory of the chosen category.",
                )));
            }
        }
        let priority = levels::load_matrix(conn)?.priority(input.impact, input.urgency);
        let old_priority = before.priority()?;
        let (response_due, resolution_due) = if priority != old_priority {
            let level = service_level(conn, ClientId(before.client_id))?;
            let pauses: Vec<Pause> = pauses_of(conn, id)?.iter().map(PauseRow::pause).collect();
            due_times(&level, priority, before.created_at.and_utc(), &pauses)?
        } else {
            (before.response_due_at, before.resolution_due_at)
        };
        let at = now.naive_utc();
        let after = update_ticket!(
            conn,
            before,
            at,
            (
                tickets::status.eq(status.as_str()),
                tickets::impact.eq(input.impact.as_str()),
                tickets::urgency.eq(input.urgency.as_str()),
                tickets::priority.eq(priority.as_str()),
                tickets::category_id.eq(input.category.map(|c| c.0)),
                tickets::subcategory_id.eq(input.subcategory.map(|c| c.0)),
                tickets::affected_service.eq(&input.affected_service),
                tickets::triaged_at.eq(at),
                tickets::response_due_at.eq(response_due),
                tickets::resolution_due_at.eq(resolution_due),
            )
        );
        let names = category_names(
            conn,
            &[
                before.category_id,
                before.subcategory_id,
                after.category_id,
                after.subcategory_id,
            ],
        )?;
        let category = |main: Option<i64>, sub: Option<i64>| {
            let name = |id: Option<i64>| id.and_then(|i| names.get(&i).cloned());
            match (name(main), name(sub)) {
                (Some(m), Some(s)) => format!("{m} › {s}"),
                (Some(m), None) => m,
                _ => "none".to_string(),
            }
        };
        let mut parts = vec![format!(
            "priority {} → {} ({} impact, {} urgency)",
            old_priority.as_str(),
            priority.as_str(),
            input.impact.as_str(),
            input.urgency.as_str()
        )];
        let (old_cat, new_cat) = (
            category(before.category_id, before.subcategory_id),
            category(after.category_id, after.subcategory_id),
        );
        if old_cat != new_cat {
            parts.push(format!("category {old_cat} → {new_cat}"));
        }
        if before.affected_service != after.affected_service {
            parts.push(format!("affected service: {}", after.affected_service));
        }
        if before.status != after.status {
            parts.push(format!(
                "status {} → {}",
                before.status()?.label(),
                status.label()
            ));
        }
        add_event(
            conn,
            id,
            Some(actor),
            &NewEvent {
                kind: EventKind::Triage,
                client_visible: false,
                body: "",
                detail: &parts.join("; "),
            },
            at,
        )?;
        Ok(Ok(super::escalation::apply_severity(
            conn, actor, after, mail, now,
        )?))
    })
}

#[derive(Clone, Debug)]
pub struct AssignInput {
    pub tier: crate::domain::account::Tier,
    pub owner: UserId,
    pub worker: UserId,
}

pub(crate) fn user_names(
    conn: &mut DbConn,
    ids: &[Option<i64>],
) -> AppResult<HashMap<i64, String>> {
    let wanted: Vec<i64> = ids.iter().flatten().copied().collect();
    Ok(users::table
        .filter(users::id.eq_any(&wanted))
        .select((users::id, users::display_name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// Gives the ticket a tier, an owner (responsible through its life) and a worker (on it now).
#[tracing::instrument(skip_all, fields(ticket_id = %id))]
pub fn assign(
    conn: &mut DbConn,
    actor: UserId,
    id: TicketId,
    version: i64,
    input: &AssignInput,
    now: DateTime<Utc>,
) -> AppResult<Result<TicketRow, FieldErrors>> {
    write_tx(conn, |conn| {
        let before = get_at_version(conn, id, version)?;
        let status = match transition(&before, Action::Assign)? {
            Ok(status) => status,
            Err(errors) => return Ok(Err(errors)),
        };
        let current_tier = before
            .tier
            .as_deref()
            .and_then(|t| crate::domain::account::Tier::parse(t).ok());
        if let Err(message) = crate::domain::assignment::check_tier_change(current_tier, input.tier)
        {
            return Ok(Err(FieldErrors::single("tier", message)));
        }
        let active: Vec<i64> = users::table
            .filter(users::id.eq_any([input.owner.0, input.worker.0]))
            .filter(users::active.eq(true))
            .select(users::id)
            .load(conn)?;
        let mut errors = FieldErrors::new();
        if !active.contains(&input.owner.0) {
            errors.add("owner_id", "Choose an active member of staff as owner.");
        }
        if !active.contains(&input.worker.0) {
            errors.add(
                "worker_id",
                "Choose an active member of staff to work the ticket.",
            );
        }
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        let at = now.naive_utc();
        let after = update_ticket!(
            conn,
            before,
            at,
            (
                tickets::status.eq(status.as_str()),
                tickets::tier.eq(input.tier.as_str()),
                tickets::owner_id.eq(input.owner.0),
                tickets::worker_id.eq(input.worker.0),
            )
        );
        super::escalation::follow_tier(conn, &before, input.tier, at)?;
        let names = user_names(
            conn,
            &[
                before.owner_id,
                before.worker_id,
                after.owner_id,
                after.worker_id,
            ],
        )?;
        let name = |id: Option<i64>| {
            id.and_then(|i| names.get(&i).cloned())
                .unwrap_or_else(|| "nobody".into())
        };
        let tier_label = |t: &Option<String>| {
            t.as_deref()
                .and_then(|t| crate::domain::account::Tier::parse(t).ok())
                .map(|t| t.label())
                .unwrap_or("none")
        };
        let detail = format!(
            "tier {} → {}; owner {} → {}; worker {} → {}",
            tier_label(&before.tier),
            input.tier.label(),
            name(before.owner_id),
            name(after.owner_id),
            name(before.worker_id),
            name(after.worker_id)
        );
        add_event(
            conn,
            id,
            Some(actor),
            &NewEvent {
                kind: EventKind::Assignment,
                client_visible: false,
                body: "",
                detail: &detail,
            },
            at,
        )?;
        Ok(Ok(after))
    })
}

/// What a technician writes while working a ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    /// Internal: only staff see it.
    Note,
    /// Sent to the client by e-mail; counts as the response.
    Reply,
    /// A call with the client, logged; counts as the response.
    Call,
}

impl Entry {
    pub const ALL: [Entry; 3] = [Entry::Note, Entry::Reply, Entry::Call];

    pub fn as_str(self) -> &'static str {
        match self {
            Entry::Note => "note",
            Entry::Reply => "reply",
            Entry::Call => "call",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|e| e.as_str() == raw.trim())
            .ok_or_else(|| {
                "Choose an internal note, a reply to the client or a logged call.".into()
            })
    }

    pub fn label(self) -> &'static str {
        match self {
            Entry::Note => "Internal note",
            Entry::Reply => "Reply to the client (e-mailed)",
            Entry::Call => "Logged call with the client",
        }
    }

    fn event_kind(self) -> EventKind {
        match self {
            Entry::Note => EventKind::Note,
            Entry::Reply => EventKind::Reply,
            Entry::Call => EventKind::Call,
        }
    }

    pub fn is_response(self) -> bool {
        matches!(self, Entry::Reply | Entry::Call)
    }
}

#[derive(Clone, Debug)]
pub struct WorkInput {
    pub entry: Entry,
    pub body: String,
    /// The status after this piece of work (reviewed on every save; the business rule).
    pub action: Option<Action>,
    pub category: Option<CategoryId>,
}

/// Starts or ends a pause of the resolution clock when the status enters or leaves a pending
/// state, and returns the resolution due time that follows.
pub(crate) fn apply_pauses(
    conn: &mut DbConn,
    before: &TicketRow,
    from: Status,
    to: Status,
    now: DateTime<Utc>,
) -> AppResult<Option<NaiveDateTime>> {
    let at = now.naive_utc();
    let entering = !from.is_pending() && to.is_pending();
    let leaving = from.is_pending() && !to.is_pending();
    if entering {
        let reason = to.pending_reason().map(|r| r.as_str()).unwrap_or("pending");
        diesel::insert_into(ticket_pauses::table)
            .values((
                ticket_pauses::ticket_id.eq(before.id),
                ticket_pauses::reason.eq(reason),
                ticket_pauses::started_at.eq(at),
            ))
            .execute(conn)?;
        return Ok(None);
    }
    if leaving {
        diesel::update(
            ticket_pauses::table
                .filter(ticket_pauses::ticket_id.eq(before.id))
                .filter(ticket_pauses::ended_at.is_null()),
        )
        .set(ticket_pauses::ended_at.eq(at))
        .execute(conn)?;
        let level = service_level(conn, ClientId(before.client_id))?;
        let pauses: Vec<Pause> = pauses_of(conn, before.ticket_id())?
            .iter()
            .map(PauseRow::pause)
            .collect();
        let (_, resolution) = due_times(
            &level,
            before.priority()?,
            before.created_at.and_utc(),
            &pauses,
        )?;
        return Ok(resolution);
    }
    Ok(before.resolution_due_at)
}

/// Adds a note, a client reply or a logged call, and applies the reviewed status and category.
/// The first reply or call by staff is the response the SLA counts.
#[tracing::instrument(skip_all, fields(ticket_id = %id))]
pub fn work(
    conn: &mut DbConn,
    actor: UserId,
    id: TicketId,
    version: i64,
    input: &WorkInput,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> AppResult<Result<TicketRow, FieldErrors>> {
    write_tx(conn, |conn| {
        let before = get_at_version(conn, id, version)?;
        let from = before.status()?;
        if input.action.is_some_and(|a| !ticket::is_work_action(a)) {
            return Ok(Err(FieldErrors::single(
                "next",
                "Use the ticket's own form for that step.",
            )));
        }
        let to = match input.action {
            Some(action) => match transition(&before, action)? {
                Ok(status) => status,
                Err(errors) => return Ok(Err(errors)),
            },
            None => from,
        };
        if from.is_final() {
            return Ok(Err(FieldErrors::single(
                "body",
                "This ticket is finished. A new message from the client starts a new ticket.",
            )));
        }
        let resolution_due = apply_pauses(conn, &before, from, to, now)?;
        let at = now.naive_utc();
        let responded_at = match before.responded_at {
            None if input.entry.is_response() => Some(at),
            other => other,
        };
        let category = input.category.map(|c| c.0).or(before.category_id);
        let subcategory = if category == before.category_id {
            before.subcategory_id
        } else {
            None
        };
        let search = format!("{}\n{}", before.search_text, input.body.to_lowercase());
        let after = update_ticket!(
            conn,
            before,
            at,
            (
                tickets::status.eq(to.as_str()),
                tickets::responded_at.eq(responded_at),
                tickets::resolution_due_at.eq(resolution_due),
                tickets::category_id.eq(category),
                tickets::subcategory_id.eq(subcategory),
                tickets::search_text.eq(search),
            )
        );
        let mut review = vec![format!("reviewed status: {}", to.label())];
        if from != to {
            review[0] = format!("status {} → {}", from.label(), to.label());
        }
        if category != before.category_id {
            let names = category_names(conn, &[before.category_id, category])?;
            let name = |id: Option<i64>| {
                id.and_then(|i| names.get(&i).cloned())
                    .unwrap_or_else(|| "none".into())
            };
            review.push(format!(
                "category {} → {}",
                name(before.category_id),
                name(category)
            ));
        } else {
            review.push("category reviewed".into());
        }
        if before.responded_at.is_none() && responded_at.is_some() {
            review.push("first response to the client".into());
        }
        add_event(
            conn,
            id,
            Some(actor),
            &NewEvent {
                kind: input.entry.event_kind(),
                client_visible: input.entry.is_response(),
                body: &input.body,
                detail: &review.join("; "),
            },
            at,
        )?;
        if input.entry == Entry::Reply {
            let reply = TicketReply {
                reference: format!("#{}", after.id),
                subject: after.subject.clone(),
                contact_name: contact_name(conn, &after)?,
                technician: super::users::get(conn, actor)?.display_name,
                body: input.body.clone(),
            };
            mail_contact(conn, &after, mail, &reply, now)?;
        }
        Ok(Ok(after))
    })
}

#[derive(Clone, Debug)]
pub struct SolveInput {
    pub solution: String,
    pub publish_to_kb: bool,
    pub kb_title: String,
}

/// Marks the ticket solved with its documented solution. Only the owner may; a running pause
/// ends here, so the resolution clock is judged at this moment.
#[tracing::instrument(skip_all, fields(ticket_id = %id))]
pub fn solve(
    conn: &mut DbConn,
    actor: UserId,
    id: TicketId,
    version: i64,
    input: &SolveInput,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> AppResult<Result<TicketRow, FieldErrors>> {
    write_tx(conn, |conn| {
        let before = get_at_version(conn, id, version)?;
        if let Err(message) = ticket::can_solve(actor, before.owner()) {
            return Err(AppError::ForbiddenBecause(message));
        }
        if super::escalation::change_pending(conn, id)? {
            return Ok(Err(FieldErrors::single(
                "solution",
                "A sensitive change on this ticket is awaiting a manager's approval; solve it once \
                 the change is decided.",
            )));
        }
        let from = before.status()?;
        let to = match transition(&before, Action::Solve)? {
            Ok(status) => status,
            Err(errors) => return Ok(Err(errors)),
        };
        let resolution_due = apply_pauses(conn, &before, from, to, now)?;
        let at = now.naive_utc();
        let after = update_ticket!(
            conn,
            before,
            at,
            (
                tickets::status.eq(to.as_str()),
                tickets::solved_at.eq(Some(at)),
                tickets::solution.eq(Some(&input.solution)),
                tickets::resolution_due_at.eq(resolution_due),
                tickets::search_text.eq(format!(
                    "{}\n{}",
                    before.search_text,
                    input.solution.to_lowercase()
                )),
            )
        );
        let mut detail = format!("status {} → {}", from.label(), to.label());
        if input.publish_to_kb {
            let article = diesel::insert_into(kb_articles::table)
                .values((
                    kb_articles::title.eq(&input.kb_title),
                    kb_articles::body.eq(&input.solution),
                    kb_articles::ticket_id.eq(Some(id.0)),
                    kb_articles::category_id.eq(after.category_id),
                    kb_articles::search_text
                        .eq(format!("{}\n{}", input.kb_title, input.solution).to_lowercase()),
                    kb_articles::created_by.eq(Some(actor.0)),
                    kb_articles::created_at.eq(at),
                    kb_articles::updated_at.eq(at),
                ))
                .returning(kb_articles::id)
                .get_result::<i64>(conn)?;
            detail.push_str(&format!(
                "; published to the knowledge base as article {article}"
            ));
        }
        add_event(
            conn,
            id,
            Some(actor),
            &NewEvent {
                kind: EventKind::Solution,
                client_visible: true,
                body: &input.solution,
                detail: &detail,
            },
            at,
        )?;
        let window = ticket::DEFAULT_SOLVED_WINDOW;
        let token = super::client_links::issue(
            conn,
            super::client_links::LinkPurpose::Reopen,
            super::client_links::LinkSubject::ticket(id.0),
            window,
            now,
        )?;
        let solved = TicketSolved {
            reference: format!("#{}", after.id),
            subject: after.subject.clone(),
            contact_name: contact_name(conn, &after)?,
            solution: input.solution.clone(),
            reopen_url: format!("{}/reopen/{token}", mail.base_url),
            reopen_until: (now + window).format("%a %-d %b %Y %H:%M UTC").to_string(),
        };
        mail_contact(conn, &after, mail, &solved, now)?;
        Ok(Ok(after))
    })
}

/// Reopens a solved ticket (the client asked, by link or on the phone). Reopens are counted.
#[tracing::instrument(skip_all, fields(ticket_id = %id))]
pub fn reopen(
    conn: &mut DbConn,
    actor: UserId,
    id: TicketId,
    version: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<Result<TicketRow, FieldErrors>> {
    write_tx(conn, |conn| {
        let before = get_at_version(conn, id, version)?;
        reopen_row(conn, Some(actor), before, reason, now)
    })
}

/// The client reopens from the link in the solution mail: the link is used up and the ticket
/// reopened in one transaction, so a failed reopen leaves the link usable.
#[tracing::instrument(skip_all, fields(ticket_id = %id))]
pub fn reopen_from_link(
    conn: &mut DbConn,
    link: crate::domain::ids::ClientLinkId,
    id: TicketId,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<Result<TicketRow, super::client_links::LinkProblem>> {
    write_tx(conn, |conn| {
        let before = get(conn, id)?;
        if before.status()? != Status::Solved {
            return Ok(Err(super::client_links::LinkProblem::Used));
        }
        let window_open = before.solved_at.is_some_and(|solved| {
            ticket::reopen_window_open(solved.and_utc(), now, ticket::DEFAULT_SOLVED_WINDOW)
        });
        if !window_open {
            return Ok(Err(super::client_links::LinkProblem::Expired));
        }
        if !super::client_links::mark_used(conn, link, now)? {
            return Ok(Err(super::client_links::LinkProblem::Used));
        }
        match reopen_row(conn, None, before, reason, now)? {
            Ok(row) => Ok(Ok(row)),
            // Rolled back with the transaction: the ticket is no longer solved, so the link
            // has nothing left to do and says so.
            Err(_) => Err(AppError::Conflict("the ticket is no longer solved".into())),
        }
    })
}

fn reopen_row(
    conn: &mut DbConn,
    actor: Option<UserId>,
    before: TicketRow,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<Result<TicketRow, FieldErrors>> {
    let id = before.ticket_id();
    {
        let from = before.status()?;
        let to = match transition(&before, Action::Reopen)? {
            Ok(status) => status,
            Err(errors) => return Ok(Err(errors)),
        };
        let at = now.naive_utc();
        let level = service_level(conn, ClientId(before.client_id))?;
        let pauses: Vec<Pause> = pauses_of(conn, id)?.iter().map(PauseRow::pause).collect();
        let (_, resolution_due) = due_times(
            &level,
            before.priority()?,
            before.created_at.and_utc(),
            &pauses,
        )?;
        let after = update_ticket!(
            conn,
            before,
            at,
            (
                tickets::status.eq(to.as_str()),
                tickets::solved_at.eq(None::<NaiveDateTime>),
                tickets::reopen_count.eq(before.reopen_count + 1),
                tickets::resolution_due_at.eq(resolution_due),
            )
        );
        add_event(
            conn,
            id,
            actor,
            &NewEvent {
                kind: EventKind::Reopen,
                client_visible: actor.is_none(),
                body: reason,
                detail: &format!(
                    "status {} → {}; reopened {} time(s)",
                    from.label(),
                    to.label(),
                    after.reopen_count
                ),
            },
            at,
        )?;
        Ok(Ok(after))
    }
}

/// Cancels a ticket, or merges it into another as a duplicate.
#[tracing::instrument(skip_all, fields(ticket_id = %id))]
pub fn cancel(
    conn: &mut DbConn,
    actor: UserId,
    id: TicketId,
    version: i64,
    duplicate_of: Option<TicketId>,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<Result<TicketRow, FieldErrors>> {
    write_tx(conn, |conn| {
        let before = get_at_version(conn, id, version)?;
        let action = if duplicate_of.is_some() {
            Action::MarkDuplicate
        } else {
            Action::Cancel
        };
        let from = before.status()?;
        let to = match transition(&before, action)? {
            Ok(status) => status,
            Err(errors) => return Ok(Err(errors)),
        };
        if let Some(original) = duplicate_of {
            if original == id {
                return Ok(Err(FieldErrors::single(
                    "duplicate_of",
                    "A ticket cannot duplicate itself.",
                )));
            }
            let exists: Option<i64> = tickets::table
                .find(original.0)
                .select(tickets::id)
                .first(conn)
                .optional()?;
            if exists.is_none() {
                return Ok(Err(FieldErrors::single(
                    "duplicate_of",
                    format!("There is no ticket #{original}."),
                )));
            }
        }
        let resolution_due = apply_pauses(conn, &before, from, to, now)?;
        let at = now.naive_utc();
        let after = update_ticket!(
            conn,
            before,
            at,
            (
                tickets::status.eq(to.as_str()),
                tickets::duplicate_of.eq(duplicate_of.map(|d| d.0)),
                tickets::closed_at.eq(Some(at)),
                tickets::resolution_due_at.eq(resolution_due),
            )
        );
        let detail = match duplicate_of {
            Some(original) => format!(
                "status {} → {}; duplicate of #{original}",
                from.label(),
                to.label()
            ),
            None => format!("status {} → {}", from.label(), to.label()),
        };
        add_event(
            conn,
            id,
            Some(actor),
            &NewEvent {
                kind: EventKind::Status,
                client_visible: false,
                body: reason,
                detail: &detail,
            },
            at,
        )?;
        Ok(Ok(after))
    })
}

/// Closes the tickets whose solved period has passed, a few at a time. Safe to run from
/// several instances at once: each close is a version-guarded update, so a ticket closed by
/// another instance is skipped, never closed twice. Returns the tickets this run closed.
#[tracing::instrument(skip_all)]
pub fn close_solved(
    conn: &mut DbConn,
    window: Duration,
    batch: i64,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> AppResult<Vec<TicketRow>> {
    let cutoff = (now - window).naive_utc();
    let due: Vec<TicketRow> = tickets::table
        .filter(tickets::status.eq(Status::Solved.as_str()))
        .filter(tickets::solved_at.le(cutoff))
        .order(tickets::solved_at.asc())
        .limit(batch)
        .select(TicketRow::as_select())
        .load(conn)?;
    let mut closed = Vec::new();
    let due = due.into_iter().filter(|row| {
        row.solved_at
            .is_some_and(|solved| ticket::close_due(solved.and_utc(), now, window))
    });
    for before in due {
        let outcome = write_tx(conn, |conn| {
            let at = now.naive_utc();
            let updated = diesel::update(
                tickets::table
                    .find(before.id)
                    .filter(tickets::version.eq(before.version))
                    .filter(tickets::status.eq(Status::Solved.as_str())),
            )
            .set((
                tickets::status.eq(Status::Closed.as_str()),
                tickets::closed_at.eq(Some(at)),
                tickets::version.eq(before.version + 1),
                tickets::updated_at.eq(at),
            ))
            .returning(tickets::all_columns)
            .get_result::<TicketRow>(conn)
            .optional()?;
            if let Some(row) = &updated {
                add_event(
                    conn,
                    row.ticket_id(),
                    None,
                    &NewEvent {
                        kind: EventKind::Closed,
                        client_visible: false,
                        body: "",
                        detail: "status Solved → Closed after the reopen period",
                    },
                    at,
                )?;
                send_survey(conn, row, mail, now)?;
            }
            Ok(updated)
        });
        // One ticket that cannot close (say its contact's address became unusable) must not
        // hold back every ticket solved after it.
        let result = match outcome {
            Ok(result) => result,
            Err(e) => {
                tracing::error!(ticket_id = before.id, error = %e, "could not close a solved ticket");
                None
            }
        };
        closed.extend(result);
    }
    Ok(closed)
}

/// Starts the closed ticket's one survey and mails it: one link per rating, each opening a
/// page with that rating chosen (a link opened by a mail scanner records nothing).
fn send_survey(
    conn: &mut DbConn,
    row: &TicketRow,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> AppResult<()> {
    use crate::domain::survey::{SCALE, SURVEY_VALIDITY};
    super::surveys::start(conn, row.ticket_id(), now)?;
    let token = super::client_links::issue(
        conn,
        super::client_links::LinkPurpose::Survey,
        super::client_links::LinkSubject::ticket(row.id),
        SURVEY_VALIDITY,
        now,
    )?;
    let survey = SurveyRequest {
        reference: format!("#{}", row.id),
        subject: row.subject.clone(),
        contact_name: contact_name(conn, row)?,
        ratings: SCALE
            .iter()
            .map(|(rating, label)| RatingLink {
                rating: *rating,
                label,
                url: format!("{}/survey/{token}?rating={rating}", mail.base_url),
            })
            .collect(),
        valid_until: (now + SURVEY_VALIDITY).format("%-d %B %Y").to_string(),
    };
    mail_contact(conn, row, mail, &survey, now)
}

/// The queues of the desk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queue {
    Mine,
    Untriaged,
    Tier(crate::domain::account::Tier),
    Pending,
    AtRisk,
    AwaitingClosure,
    ServiceRequests,
    All,
}

impl Queue {
    pub fn parse(raw: &str) -> Option<Self> {
        use crate::domain::account::Tier;
        Some(match raw {
            "mine" => Queue::Mine,
            "untriaged" => Queue::Untriaged,
            "pending" => Queue::Pending,
            "at-risk" => Queue::AtRisk,
            "awaiting-closure" => Queue::AwaitingClosure,
            "service-requests" => Queue::ServiceRequests,
            "all" => Queue::All,
            other => Queue::Tier(Tier::parse(other.strip_prefix("tier-")?).ok()?),
        })
    }

    pub fn slug(self) -> String {
        match self {
            Queue::Mine => "mine".into(),
            Queue::Untriaged => "untriaged".into(),
            Queue::Tier(t) => format!("tier-{}", t.as_str()),
            Queue::Pending => "pending".into(),
            Queue::AtRisk => "at-risk".into(),
            Queue::AwaitingClosure => "awaiting-closure".into(),
            Queue::ServiceRequests => "service-requests".into(),
            Queue::All => "all".into(),
        }
    }

    pub fn label(self) -> String {
        match self {
            Queue::Mine => "My tickets".into(),
            Queue::Untriaged => "Untriaged".into(),
            Queue::Tier(t) => t.label().into(),
            Queue::Pending => "Pending".into(),
            Queue::AtRisk => "Due soon and breached".into(),
            Queue::AwaitingClosure => "Solved, awaiting closure".into(),
            Queue::ServiceRequests => "Service requests".into(),
            Queue::All => "All open".into(),
        }
    }

    pub fn all() -> Vec<Queue> {
        use crate::domain::account::Tier;
        let mut queues = vec![Queue::Mine, Queue::Untriaged];
        queues.extend(Tier::ALL.into_iter().map(Queue::Tier));
        queues.extend([
            Queue::AtRisk,
            Queue::Pending,
            Queue::AwaitingClosure,
            Queue::ServiceRequests,
            Queue::All,
        ]);
        queues
    }
}

#[derive(Clone, Debug, Default)]
pub struct QueueFilter {
    pub client: Option<ClientId>,
    pub priority: Option<Priority>,
    pub status: Option<Status>,
    pub category: Option<CategoryId>,
    pub technician: Option<UserId>,
    pub search: Option<String>,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = tickets)]
pub struct QueueRow {
    pub id: i64,
    pub kind: String,
    pub client_id: i64,
    pub subject: String,
    pub status: String,
    pub priority: String,
    pub tier: Option<String>,
    pub owner_id: Option<i64>,
    pub worker_id: Option<i64>,
    pub response_due_at: Option<NaiveDateTime>,
    pub responded_at: Option<NaiveDateTime>,
    pub resolution_due_at: Option<NaiveDateTime>,
    pub solved_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    pub total: i64,
    pub client_codes: HashMap<i64, String>,
    pub user_names: HashMap<i64, String>,
}

fn open_statuses() -> Vec<&'static str> {
    Status::ALL
        .into_iter()
        .filter(|s| s.is_open())
        .map(Status::as_str)
        .collect()
}

fn pending_statuses() -> Vec<&'static str> {
    Status::ALL
        .into_iter()
        .filter(|s| s.is_pending())
        .map(Status::as_str)
        .collect()
}

/// Escapes LIKE wildcards so a search for "50%" finds "50%".
fn like_pattern(term: &str) -> String {
    let escaped = term
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

type BoxedTickets<'a> = tickets::BoxedQuery<'a, crate::db::MultiBackend>;

fn filtered<'a>(
    queue: Queue,
    filter: &'a QueueFilter,
    viewer: UserId,
    now: DateTime<Utc>,
) -> BoxedTickets<'a> {
    let mut query = tickets::table.into_boxed();
    query = match queue {
        Queue::Mine => query
            .filter(tickets::status.eq_any(open_statuses()))
            .filter(
                tickets::worker_id
                    .eq(viewer.0)
                    .or(tickets::owner_id.eq(viewer.0)),
            ),
        Queue::Untriaged => query.filter(tickets::status.eq(Status::New.as_str())),
        Queue::Tier(tier) => query
            .filter(tickets::status.eq_any(open_statuses()))
            .filter(tickets::tier.eq(tier.as_str())),
        Queue::Pending => query.filter(tickets::status.eq_any(pending_statuses())),
        Queue::AtRisk => {
            // "At risk" is judged on stored due times against a fixed horizon, so the queue
            // stays one indexed query; each row's exact state is worked out for display.
            let horizon = (now + sla::QUEUE_DUE_SOON).naive_utc();
            query
                .filter(tickets::status.eq_any(open_statuses()))
                .filter(
                    tickets::resolution_due_at
                        .le(horizon)
                        .or(tickets::responded_at
                            .is_null()
                            .and(tickets::response_due_at.le(horizon))),
                )
        }
        Queue::AwaitingClosure => query.filter(tickets::status.eq(Status::Solved.as_str())),
        Queue::ServiceRequests => query
            .filter(tickets::status.eq_any(open_statuses()))
            .filter(tickets::kind.eq(Kind::ServiceRequest.as_str())),
        Queue::All => query.filter(tickets::status.eq_any(open_statuses())),
    };
    if let Some(client) = filter.client {
        query = query.filter(tickets::client_id.eq(client.0));
    }
    if let Some(priority) = filter.priority {
        query = query.filter(tickets::priority.eq(priority.as_str()));
    }
    if let Some(status) = filter.status {
        query = query.filter(tickets::status.eq(status.as_str()));
    }
    if let Some(category) = filter.category {
        query = query.filter(
            tickets::category_id
                .eq(category.0)
                .or(tickets::subcategory_id.eq(category.0)),
        );
    }
    if let Some(tech) = filter.technician {
        query = query.filter(
            tickets::worker_id
                .eq(tech.0)
                .or(tickets::owner_id.eq(tech.0)),
        );
    }
    if let Some(term) = filter.search.as_deref().filter(|t| !t.trim().is_empty()) {
        query = query.filter(
            tickets::search_text
                .like(like_pattern(term.trim()))
                .escape('\\'),
        );
    }
    query
}

/// How many tickets a queue holds, for the dashboard.
pub fn queue_count(
    conn: &mut DbConn,
    queue: Queue,
    viewer: UserId,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let filter = QueueFilter::default();
    Ok(filtered(queue, &filter, viewer, now)
        .count()
        .get_result(conn)?)
}

/// One page of a queue, with its total, and the names its rows show (two look-ups, not one
/// per row).
pub fn queue(
    conn: &mut DbConn,
    queue: Queue,
    filter: &QueueFilter,
    viewer: UserId,
    page: i64,
    page_size: i64,
    now: DateTime<Utc>,
) -> AppResult<QueuePage> {
    let total: i64 = filtered(queue, filter, viewer, now)
        .count()
        .get_result(conn)?;
    // Ids first, from the indexes alone, then the 25 rows: sorting whole rows of every open
    // ticket would read them all.
    let ids = filtered(queue, filter, viewer, now).select(tickets::id);
    let ids = match queue {
        Queue::Untriaged => ids.order((tickets::created_at.asc(), tickets::id.asc())),
        Queue::AwaitingClosure => ids.order((tickets::solved_at.asc(), tickets::id.asc())),
        _ => ids.order((
            tickets::resolution_due_at.is_null().asc(),
            tickets::resolution_due_at.asc(),
            tickets::id.asc(),
        )),
    };
    let ids: Vec<i64> = ids
        .limit(page_size)
        .offset(page.max(0) * page_size)
        .load(conn)?;
    let mut rows: Vec<QueueRow> = tickets::table
        .filter(tickets::id.eq_any(&ids))
        .select(QueueRow::as_select())
        .load(conn)?;
    rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
    let client_ids: Vec<i64> = rows.iter().map(|r| r.client_id).collect();
    let client_codes = clients::table
        .filter(clients::id.eq_any(&client_ids))
        .select((clients::id, clients::code))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let people: Vec<Option<i64>> = rows
        .iter()
        .flat_map(|r| [r.owner_id, r.worker_id])
        .collect();
    let user_names = user_names(conn, &people)?;
    Ok(QueuePage {
        rows,
        total,
        client_codes,
        user_names,
    })
}

#[derive(Clone, Debug, Queryable)]
pub struct EventView {
    pub id: i64,
    pub kind: String,
    pub client_visible: bool,
    pub body: String,
    pub detail: String,
    pub created_at: NaiveDateTime,
    pub actor_name: Option<String>,
}

/// Everything the ticket page shows, from a handful of queries whatever the ticket's history.
pub struct TicketDetail {
    pub row: TicketRow,
    pub client: super::clients::ClientRow,
    pub contact: ContactRow,
    pub names: HashMap<i64, String>,
    pub categories: HashMap<i64, String>,
    pub events: Vec<EventView>,
    pub pauses: Vec<PauseRow>,
    pub level: ServiceLevel,
}

pub fn detail(conn: &mut DbConn, id: TicketId) -> AppResult<TicketDetail> {
    let row = get(conn, id)?;
    let client = super::clients::get(conn, ClientId(row.client_id))?;
    let contact = super::clients::get_contact(conn, ContactId(row.contact_id))?;
    let names = user_names(conn, &[row.owner_id, row.worker_id, row.created_by])?;
    let categories = category_names(conn, &[row.category_id, row.subcategory_id])?;
    let events = ticket_events::table
        .left_join(users::table)
        .filter(ticket_events::ticket_id.eq(id.0))
        .order((ticket_events::created_at.asc(), ticket_events::id.asc()))
        .select((
            ticket_events::id,
            ticket_events::kind,
            ticket_events::client_visible,
            ticket_events::body,
            ticket_events::detail,
            ticket_events::created_at,
            users::display_name.nullable(),
        ))
        .load(conn)?;
    let pauses = pauses_of(conn, id)?;
    let level = service_level(conn, ClientId(row.client_id))?;
    Ok(TicketDetail {
        row,
        client,
        contact,
        names,
        categories,
        events,
        pauses,
        level,
    })
}

/// Everyone who could take the ticket, with the facts the ranking weighs.
pub struct CandidateFacts {
    pub user: super::users::UserRow,
    pub solved_in_category: i64,
    pub open_tickets: i64,
}

pub fn assignment_candidates(
    conn: &mut DbConn,
    category: Option<CategoryId>,
    now: DateTime<Utc>,
) -> AppResult<Vec<CandidateFacts>> {
    use diesel::dsl::count_star;
    let staff: Vec<super::users::UserRow> = users::table
        .filter(users::active.eq(true))
        .order(users::display_name.asc())
        .select(super::users::UserRow::as_select())
        .load(conn)?;
    let open: HashMap<i64, i64> = tickets::table
        .filter(tickets::status.eq_any(open_statuses()))
        .filter(tickets::worker_id.is_not_null())
        .group_by(tickets::worker_id)
        .select((tickets::worker_id.assume_not_null(), count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    let solved: HashMap<i64, i64> = match category {
        Some(category) => tickets::table
            .filter(tickets::category_id.eq(category.0))
            .filter(tickets::solved_at.ge((now - Duration::days(90)).naive_utc()))
            .filter(tickets::owner_id.is_not_null())
            .group_by(tickets::owner_id)
            .select((tickets::owner_id.assume_not_null(), count_star()))
            .load::<(i64, i64)>(conn)?
            .into_iter()
            .collect(),
        None => HashMap::new(),
    };
    Ok(staff
        .into_iter()
        .map(|user| CandidateFacts {
            solved_in_category: solved.get(&user.id).copied().unwrap_or(0),
            open_tickets: open.get(&user.id).copied().unwrap_or(0),
            user,
        })
        .collect())
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = kb_articles)]
pub struct KbArticleRow {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub ticket_id: Option<i64>,
    pub category_id: Option<i64>,
    pub search_text: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn kb_search(
    conn: &mut DbConn,
    term: Option<&str>,
    limit: i64,
) -> AppResult<Vec<KbArticleRow>> {
    let mut query = kb_articles::table.into_boxed();
    if let Some(term) = term.filter(|t| !t.trim().is_empty()) {
        query = query.filter(
            kb_articles::search_text
                .like(like_pattern(term.trim()))
                .escape('\\'),
        );
    }
    Ok(query
        .order(kb_articles::updated_at.desc())
        .limit(limit)
        .select(KbArticleRow::as_select())
        .load(conn)?)
}

pub fn kb_article(
    conn: &mut DbConn,
    id: crate::domain::ids::KbArticleId,
) -> AppResult<KbArticleRow> {
    kb_articles::table
        .find(id.0)
        .select(KbArticleRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The largest attachment the desk keeps: enough for screenshots and event logs, small
/// enough to live in a database row.
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;

#[derive(Clone, Debug, Queryable)]
pub struct AttachmentInfo {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub created_at: NaiveDateTime,
    pub uploaded_by: Option<String>,
}

/// Keeps a file on the ticket, with a timeline entry saying who attached what.
#[tracing::instrument(skip_all, fields(ticket_id = %id))]
pub fn attach(
    conn: &mut DbConn,
    actor: UserId,
    id: TicketId,
    filename: &str,
    content_type: &str,
    data: &[u8],
    now: DateTime<Utc>,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        get(conn, id)?;
        let at = now.naive_utc();
        diesel::insert_into(ticket_attachments::table)
            .values((
                ticket_attachments::ticket_id.eq(id.0),
                ticket_attachments::filename.eq(filename),
                ticket_attachments::content_type.eq(content_type),
                ticket_attachments::size_bytes.eq(i64::try_from(data.len()).unwrap_or(i64::MAX)),
                ticket_attachments::data.eq(data),
                ticket_attachments::uploaded_by.eq(Some(actor.0)),
                ticket_attachments::created_at.eq(at),
            ))
            .execute(conn)?;
        add_event(
            conn,
            id,
            Some(actor),
            &NewEvent {
                kind: EventKind::Attachment,
                client_visible: false,
                body: "",
                detail: &format!("attached {filename} ({})", human_size(data.len())),
            },
            at,
        )
    })
}

pub fn human_size(bytes: usize) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1024 * 1024 => format!("{:.0} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

pub fn attachments_of(conn: &mut DbConn, id: TicketId) -> AppResult<Vec<AttachmentInfo>> {
    Ok(ticket_attachments::table
        .left_join(users::table.on(ticket_attachments::uploaded_by.eq(users::id.nullable())))
        .filter(ticket_attachments::ticket_id.eq(id.0))
        .order(ticket_attachments::created_at.asc())
        .select((
            ticket_attachments::id,
            ticket_attachments::filename,
            ticket_attachments::content_type,
            ticket_attachments::size_bytes,
            ticket_attachments::created_at,
            users::display_name.nullable(),
        ))
        .load(conn)?)
}

/// One attachment's name and bytes, only through its own ticket.
pub fn attachment(
    conn: &mut DbConn,
    id: TicketId,
    attachment: i64,
) -> AppResult<(String, Vec<u8>)> {
    ticket_attachments::table
        .filter(ticket_attachments::id.eq(attachment))
        .filter(ticket_attachments::ticket_id.eq(id.0))
        .select((ticket_attachments::filename, ticket_attachments::data))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}
