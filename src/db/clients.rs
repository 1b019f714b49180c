//! The MSP's client organisations and the people at them who contact the desk.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::schema::{calendars, clients, contacts, sla_policies};
use super::stale::{ensure_current, stale};
use super::{DbConn, audit, is_unique_violation, write_tx};
use crate::domain::ids::{CalendarId, ClientId, ContactId, PolicyId, UserId};
use crate::domain::inputs::{EmailAddress, FieldErrors};
use crate::error::{AppError, AppResult};
use crate::format::format_time;
use crate::mail::contact_messages::ContactEmailChanged;
use crate::mail::messages::{MailContext, Recipient, compose};
use crate::mail::outbox;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = clients)]
pub struct ClientRow {
    pub id: i64,
    pub name: String,
    pub name_key: String,
    pub code: String,
    pub notes: String,
    pub calendar_id: i64,
    pub sla_policy_id: i64,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
    /// The domains whose senders belong to this client, comma-separated, lower-case.
    pub mail_domains: String,
}

impl ClientRow {
    pub fn id(&self) -> ClientId {
        ClientId(self.id)
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = contacts)]
pub struct ContactRow {
    pub id: i64,
    pub client_id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub job_title: String,
    pub verification_secret_hash: Option<String>,
    pub notes: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub risk_contact: bool,
    pub version: i64,
    /// False for a contact the desk added from an e-mail, until a person checks who they are.
    pub identity_validated: bool,
}

impl ContactRow {
    pub fn id(&self) -> ContactId {
        ContactId(self.id)
    }

    pub fn has_verification_secret(&self) -> bool {
        self.verification_secret_hash.is_some()
    }
}

#[derive(Clone, Debug)]
pub struct ClientInput {
    pub name: String,
    pub code: String,
    pub notes: String,
    /// Lower-case, comma-separated: senders at these domains belong to the client.
    pub mail_domains: String,
    pub calendar: CalendarId,
    pub policy: PolicyId,
    pub active: bool,
}

/// What to do with a contact's verification PIN: it is stored only as a hash, so an edit form
/// never shows it and leaving the field empty keeps the old one.
#[derive(Clone, Debug)]
pub enum SecretChange {
    Keep,
    Set(String),
    Clear,
}

#[derive(Clone, Debug)]
pub struct ContactInput {
    pub name: String,
    pub email: EmailAddress,
    pub phone: String,
    pub job_title: String,
    pub notes: String,
    pub active: bool,
    pub secret: SecretChange,
    /// Receives the client's risk notifications and accepts risk treatments.
    pub risk_contact: bool,
}

pub struct ClientSummary {
    pub client: ClientRow,
    pub contact_count: i64,
}

/// Name keys are lower-case so "Acme" and "ACME" are one client on both backends.
fn name_key(name: &str) -> String {
    name.to_lowercase()
}

pub fn list(conn: &mut DbConn, include_inactive: bool) -> AppResult<Vec<ClientSummary>> {
    let mut query = clients::table
        .order(clients::name_key.asc())
        .select(ClientRow::as_select())
        .into_boxed();
    if !include_inactive {
        query = query.filter(clients::active.eq(true));
    }
    let rows = query.load(conn)?;
    let counts: HashMap<i64, i64> = contacts::table
        .filter(contacts::active.eq(true))
        .group_by(contacts::client_id)
        .select((contacts::client_id, count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|client| ClientSummary {
            contact_count: counts.get(&client.id).copied().unwrap_or(0),
            client,
        })
        .collect())
}

pub fn get(conn: &mut DbConn, id: ClientId) -> AppResult<ClientRow> {
    clients::table
        .find(id.0)
        .select(ClientRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

fn duplicate_client_errors(
    conn: &mut DbConn,
    input: &ClientInput,
    except: Option<ClientId>,
) -> AppResult<FieldErrors> {
    let mut errors = FieldErrors::new();
    let others = clients::table
        .filter(
            clients::name_key
                .eq(name_key(&input.name))
                .or(clients::code.eq(&input.code)),
        )
        .select(ClientRow::as_select())
        .load(conn)?;
    for other in others.iter().filter(|o| Some(o.id()) != except) {
        if other.name_key == name_key(&input.name) {
            errors.add(
                "name",
                format!("There is already a client called {}.", other.name),
            );
        }
        if other.code == input.code {
            errors.add(
                "code",
                format!("{} already uses the code {}.", other.name, other.code),
            );
        }
    }
    Ok(errors)
}

/// The chosen calendar and policy must exist (a form can be posted after one was removed).
fn service_level_errors(
    conn: &mut DbConn,
    input: &ClientInput,
    errors: &mut FieldErrors,
) -> AppResult<()> {
    let calendar: Option<i64> = calendars::table
        .find(input.calendar.0)
        .select(calendars::id)
        .first(conn)
        .optional()?;
    if calendar.is_none() {
        errors.add("calendar_id", "Choose one of the business calendars.");
    }
    let policy: Option<i64> = sla_policies::table
        .find(input.policy.0)
        .select(sla_policies::id)
        .first(conn)
        .optional()?;
    if policy.is_none() {
        errors.add("sla_policy_id", "Choose one of the SLA policies.");
    }
    Ok(())
}

#[tracing::instrument(skip_all)]
pub fn create(
    conn: &mut DbConn,
    actor: UserId,
    input: &ClientInput,
    now: DateTime<Utc>,
) -> AppResult<Result<ClientRow, FieldErrors>> {
    write_tx(conn, |conn| {
        let mut errors = duplicate_client_errors(conn, input, None)?;
        service_level_errors(conn, input, &mut errors)?;
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        let now = now.naive_utc();
        let row = match diesel::insert_into(clients::table)
            .values((
                clients::name.eq(&input.name),
                clients::name_key.eq(name_key(&input.name)),
                clients::code.eq(&input.code),
                clients::notes.eq(&input.notes),
                clients::mail_domains.eq(&input.mail_domains),
                clients::calendar_id.eq(input.calendar.0),
                clients::sla_policy_id.eq(input.policy.0),
                clients::active.eq(input.active),
                clients::created_at.eq(now),
                clients::updated_at.eq(now),
            ))
            .returning(clients::all_columns)
            .get_result::<ClientRow>(conn)
        {
            Ok(row) => row,
            Err(e) if is_unique_violation(&e) => {
                return Ok(Err(FieldErrors::single(
                    "name",
                    "That name or code was just taken.",
                )));
            }
            Err(e) => return Err(e.into()),
        };
        super::access::grant_everyone(conn, row.id())?;
        audit::record(
            conn,
            Some(actor),
            audit::Entity::Client,
            row.id,
            "created",
            &format!("{} ({})", row.name, row.code),
            now,
        )?;
        Ok(Ok(row))
    })
}

#[tracing::instrument(skip_all, fields(client_id = %id))]
pub fn update(
    conn: &mut DbConn,
    actor: UserId,
    id: ClientId,
    input: &ClientInput,
    expected_version: i64,
    now: DateTime<Utc>,
) -> AppResult<Result<ClientRow, FieldErrors>> {
    write_tx(conn, |conn| {
        let before = get(conn, id)?;
        ensure_current(before.version, expected_version, "client")?;
        let mut errors = duplicate_client_errors(conn, input, Some(id))?;
        service_level_errors(conn, input, &mut errors)?;
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        let now = now.naive_utc();
        let after = diesel::update(
            clients::table
                .find(id.0)
                .filter(clients::version.eq(expected_version)),
        )
        .set((
            clients::version.eq(expected_version + 1),
            clients::name.eq(&input.name),
            clients::name_key.eq(name_key(&input.name)),
            clients::code.eq(&input.code),
            clients::notes.eq(&input.notes),
            clients::mail_domains.eq(&input.mail_domains),
            clients::calendar_id.eq(input.calendar.0),
            clients::sla_policy_id.eq(input.policy.0),
            clients::active.eq(input.active),
            clients::updated_at.eq(now),
        ))
        .returning(clients::all_columns)
        .get_result::<ClientRow>(conn)
        .optional()?
        .ok_or_else(|| stale("client"))?;
        let mut changes = audit::Changes::default();
        changes.value("name", &before.name, &after.name);
        changes.value("code", &before.code, &after.code);
        changes.note(before.notes != after.notes, "notes changed");
        changes.value("mail domains", &before.mail_domains, &after.mail_domains);
        let calendar_changed = before.calendar_id != after.calendar_id;
        changes.note(calendar_changed, "business calendar changed");
        let policy_changed = before.sla_policy_id != after.sla_policy_id;
        changes.note(policy_changed, "SLA policy changed");
        changes.active(before.active, after.active);
        changes.record(conn, actor, audit::Entity::Client, id.0, now)?;
        Ok(Ok(after))
    })
}

pub fn contacts_of(conn: &mut DbConn, client: ClientId) -> AppResult<Vec<ContactRow>> {
    Ok(contacts::table
        .filter(contacts::client_id.eq(client.0))
        .order((contacts::active.desc(), contacts::name.asc()))
        .select(ContactRow::as_select())
        .load(conn)?)
}

/// Every active contact, for the requester picker: one query, grouped by the caller.
pub fn active_contacts(conn: &mut DbConn) -> AppResult<Vec<ContactRow>> {
    Ok(contacts::table
        .filter(contacts::active.eq(true))
        .order((contacts::client_id.asc(), contacts::name.asc()))
        .select(ContactRow::as_select())
        .load(conn)?)
}

pub fn get_contact(conn: &mut DbConn, id: ContactId) -> AppResult<ContactRow> {
    contacts::table
        .find(id.0)
        .select(ContactRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

fn contact_email_taken(
    conn: &mut DbConn,
    client: ClientId,
    email: &EmailAddress,
    except: Option<ContactId>,
) -> AppResult<Option<FieldErrors>> {
    let other = contacts::table
        .filter(contacts::client_id.eq(client.0))
        .filter(contacts::email.eq(email.as_str()))
        .select(ContactRow::as_select())
        .first(conn)
        .optional()?;
    Ok(other.filter(|o| Some(o.id()) != except).map(|o| {
        FieldErrors::single(
            "email",
            format!(
                "{} at this client already uses this e-mail address.",
                o.name
            ),
        )
    }))
}

#[tracing::instrument(skip_all, fields(client_id = %client))]
pub fn create_contact(
    conn: &mut DbConn,
    actor: UserId,
    client: ClientId,
    input: &ContactInput,
    now: DateTime<Utc>,
) -> AppResult<Result<ContactRow, FieldErrors>> {
    write_tx(conn, |conn| insert_contact(conn, actor, client, input, now))
}

/// Adds a contact inside the caller's transaction (intake adds one with the ticket).
pub fn insert_contact(
    conn: &mut DbConn,
    actor: UserId,
    client: ClientId,
    input: &ContactInput,
    now: DateTime<Utc>,
) -> AppResult<Result<ContactRow, FieldErrors>> {
    {
        get(conn, client)?;
        if let Some(errors) = contact_email_taken(conn, client, &input.email, None)? {
            return Ok(Err(errors));
        }
        let secret = match &input.secret {
            SecretChange::Set(hash) => Some(hash.as_str()),
            SecretChange::Keep | SecretChange::Clear => None,
        };
        let now = now.naive_utc();
        let row = diesel::insert_into(contacts::table)
            .values((
                contacts::client_id.eq(client.0),
                contacts::name.eq(&input.name),
                contacts::email.eq(input.email.as_str()),
                contacts::phone.eq(&input.phone),
                contacts::job_title.eq(&input.job_title),
                contacts::verification_secret_hash.eq(secret),
                contacts::notes.eq(&input.notes),
                contacts::active.eq(input.active),
                contacts::risk_contact.eq(input.risk_contact),
                contacts::created_at.eq(now),
                contacts::updated_at.eq(now),
            ))
            .returning(contacts::all_columns)
            .get_result::<ContactRow>(conn)?;
        audit::record(
            conn,
            Some(actor),
            audit::Entity::Contact,
            row.id,
            "created",
            &format!("{} <{}>", row.name, row.email),
            now,
        )?;
        Ok(Ok(row))
    }
}

/// Adds a sender at the client's mail domain as a contact, flagged until a person checks who
/// they are, inside the caller's transaction.
pub(crate) fn insert_contact_from_mail(
    conn: &mut DbConn,
    client: ClientId,
    name: &str,
    email: &EmailAddress,
    now: DateTime<Utc>,
) -> AppResult<ContactRow> {
    let now = now.naive_utc();
    let name = if name.trim().is_empty() {
        email.as_str().split('@').next().unwrap_or("").to_string()
    } else {
        name.chars().take(120).collect()
    };
    let row = diesel::insert_into(contacts::table)
        .values((
            contacts::client_id.eq(client.0),
            contacts::name.eq(&name),
            contacts::email.eq(email.as_str()),
            contacts::phone.eq(""),
            contacts::job_title.eq(""),
            contacts::notes.eq("Added from an e-mail to the desk."),
            contacts::active.eq(true),
            contacts::risk_contact.eq(false),
            contacts::identity_validated.eq(false),
            contacts::created_at.eq(now),
            contacts::updated_at.eq(now),
        ))
        .returning(contacts::all_columns)
        .get_result::<ContactRow>(conn)?;
    audit::record(
        conn,
        None,
        audit::Entity::Contact,
        row.id,
        "created",
        &format!(
            "{} <{}> from an e-mail; identity not validated",
            row.name, row.email
        ),
        now,
    )?;
    Ok(row)
}

/// Who edits a contact. The e-mail address and the PIN decide where a client's solutions,
/// reopen links and surveys go and who passes an identity check, so only a manager changes
/// them; a technician's other edits are audited like any.
#[derive(Clone, Copy, Debug)]
pub struct ContactEditor<'a> {
    pub id: UserId,
    pub name: &'a str,
    pub is_manager: bool,
}

/// The fields a technician tried to change that only a manager may, as the form's errors.
fn manager_only_changes(
    editor: &ContactEditor<'_>,
    before: &ContactRow,
    input: &ContactInput,
) -> Option<FieldErrors> {
    if editor.is_manager {
        return None;
    }
    let mut errors = FieldErrors::new();
    if input.email.as_str() != before.email {
        errors.add(
            "email",
            "Only a manager can change a contact's e-mail address: solutions, reopen links and surveys go there.",
        );
    }
    if !matches!(input.secret, SecretChange::Keep) {
        errors.add(
            "verification_secret",
            "Only a manager can set or remove a contact's PIN: it proves who is calling.",
        );
    }
    (!errors.is_empty()).then_some(errors)
}

#[tracing::instrument(skip_all, fields(contact_id = %id))]
pub fn update_contact(
    conn: &mut DbConn,
    editor: ContactEditor<'_>,
    id: ContactId,
    input: &ContactInput,
    expected_version: i64,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> AppResult<Result<ContactRow, FieldErrors>> {
    let actor = editor.id;
    write_tx(conn, |conn| {
        let before = get_contact(conn, id)?;
        ensure_current(before.version, expected_version, "contact")?;
        let client = ClientId(before.client_id);
        if let Some(errors) = manager_only_changes(&editor, &before, input) {
            return Ok(Err(errors));
        }
        if let Some(errors) = contact_email_taken(conn, client, &input.email, Some(id))? {
            return Ok(Err(errors));
        }
        let secret = match &input.secret {
            SecretChange::Keep => before.verification_secret_hash.clone(),
            SecretChange::Set(hash) => Some(hash.clone()),
            SecretChange::Clear => None,
        };
        let now = now.naive_utc();
        let after = diesel::update(
            contacts::table
                .find(id.0)
                .filter(contacts::version.eq(expected_version)),
        )
        .set((
            contacts::version.eq(expected_version + 1),
            contacts::name.eq(&input.name),
            contacts::email.eq(input.email.as_str()),
            contacts::phone.eq(&input.phone),
            contacts::job_title.eq(&input.job_title),
            contacts::verification_secret_hash.eq(&secret),
            contacts::notes.eq(&input.notes),
            contacts::active.eq(input.active),
            contacts::risk_contact.eq(input.risk_contact),
            contacts::updated_at.eq(now),
        ))
        .returning(contacts::all_columns)
        .get_result::<ContactRow>(conn)
        .optional()?
        .ok_or_else(|| stale("contact"))?;
        let mut changes = audit::Changes::default();
        changes.value("name", &before.name, &after.name);
        changes.value("e-mail", &before.email, &after.email);
        changes.value("phone", &before.phone, &after.phone);
        changes.value("job title", &before.job_title, &after.job_title);
        changes.note(before.notes != after.notes, "notes changed");
        match &input.secret {
            SecretChange::Set(_) => changes.note(true, "verification PIN set"),
            SecretChange::Clear => changes.note(
                before.verification_secret_hash.is_some(),
                "verification PIN removed",
            ),
            SecretChange::Keep => {}
        }
        changes.active(before.active, after.active);
        changes.note(
            before.risk_contact != after.risk_contact,
            if after.risk_contact {
                "made a risk contact"
            } else {
                "no longer a risk contact"
            },
        );
        changes.record(conn, actor, audit::Entity::Contact, id.0, now)?;
        if before.email != after.email {
            announce_new_address(conn, &editor, &before, &after, mail, now)?;
        }
        Ok(Ok(after))
    })
}

/// Tells the old address that mail now goes elsewhere, queued with the change.
fn announce_new_address(
    conn: &mut DbConn,
    editor: &ContactEditor<'_>,
    before: &ContactRow,
    after: &ContactRow,
    mail: &MailContext,
    at: NaiveDateTime,
) -> AppResult<()> {
    let Ok(old_address) = EmailAddress::parse(&before.email) else {
        return Ok(());
    };
    let client_name: String = clients::table
        .find(before.client_id)
        .select(clients::name)
        .first(conn)?;
    let message = ContactEmailChanged {
        contact_name: after.name.clone(),
        client_name,
        new_address: after.email.clone(),
        changed_by: editor.name.to_string(),
        changed_at: format_time(at, chrono_tz::UTC),
        desk_contact: mail.desk_contact.clone(),
    };
    let to = Recipient::new(old_address, before.name.clone());
    outbox::enqueue(conn, &compose(mail, &message, to)?, at.and_utc())?;
    Ok(())
}
