//! Clients (the MSP's customer organisations) and their contacts.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::extract::{CurrentUser, Manager};
use super::forms::{Saved, checkbox, submit, versioned};
use super::page::{Ctx, render};
use super::service_levels::{PreviewRow, preview_rows};
use super::users::{HistoryItem, history_items};
use crate::db::clients::{
    ClientInput, ClientRow, ContactEditor, ContactInput, ContactRow, SecretChange,
};
use crate::db::service_levels as levels;
use crate::db::{self, audit};
use crate::domain::calendar::weekday_name;
use crate::domain::ids::{CalendarId, ClientId, ContactId, PolicyId};
use crate::domain::inbound_mail::parse_mail_domains;
use crate::domain::inputs::{
    EmailAddress, FieldErrors, Line, parse_client_code, parse_note, parse_phone,
    parse_verification_secret,
};
use crate::error::AppResult;
use crate::security;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    all: Option<String>,
}

#[derive(Template)]
#[template(path = "clients/list.html")]
struct ClientListPage {
    ctx: Ctx,
    clients: Vec<db::clients::ClientSummary>,
    show_all: bool,
    can_manage: bool,
}

pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let show_all = query.all.is_some();
    let clients = db::run(&state.pool, move |conn| db::clients::list(conn, show_all)).await?;
    render(&ClientListPage {
        ctx: user.ctx(),
        clients,
        show_all,
        can_manage: user.row.role().can_manage_clients(),
    })
}

#[derive(Template)]
#[template(path = "clients/show.html")]
pub(super) struct ClientPage {
    ctx: Ctx,
    client: ClientRow,
    contacts: Vec<ContactRow>,
    can_manage: bool,
    calendar_name: String,
    week: Vec<(&'static str, String)>,
    zone: String,
    policy_name: String,
    preview: Vec<PreviewRow>,
    history: Vec<HistoryItem>,
    pub(super) people: super::client_people_view::PeopleSection,
}

pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = ClientId(path.into_inner());
    render(&client_page(&state, &user, id).await?)
}

/// The client page as `user` sees it; the people forms start empty and without errors.
pub(super) async fn client_page(
    state: &AppState,
    user: &CurrentUser,
    id: ClientId,
) -> AppResult<ClientPage> {
    let (client, contacts, calendar, policy, history, people) = db::run(&state.pool, move |conn| {
        let client = db::clients::get(conn, id)?;
        let calendar = levels::load_calendar(conn, CalendarId(client.calendar_id))?;
        let policy = levels::load_policy(conn, PolicyId(client.sla_policy_id))?;
        Ok((
            client,
            db::clients::contacts_of(conn, id)?,
            calendar,
            policy,
            audit::history(conn, audit::Entity::Client, id.0, 20)?,
            super::client_people_view::load(conn, id)?,
        ))
    })
    .await?;
    let preview = preview_rows(
        &calendar.business_calendar()?,
        &policy.sla_targets()?,
        state.clock.now(),
        user.zone(),
    );
    Ok(ClientPage {
        ctx: user.ctx(),
        client,
        contacts,
        can_manage: user.row.role().can_manage_clients(),
        calendar_name: calendar.row.name.clone(),
        week: calendar
            .week()
            .into_iter()
            .map(|(d, h)| (weekday_name(d), h))
            .collect(),
        zone: calendar.row.time_zone.clone(),
        policy_name: policy.row.name.clone(),
        preview,
        history: history_items(history, user.zone()),
        people: super::client_people_view::section(people, user),
    })
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ClientForm {
    version: String,
    name: String,
    code: String,
    notes: String,
    mail_domains: String,
    calendar_id: String,
    sla_policy_id: String,
    active: Option<String>,
}

impl ClientForm {
    fn parse(&self) -> Result<ClientInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.take("name", Line::parse(&self.name, "the client's name", 120));
        let code = errors.take("code", parse_client_code(&self.code));
        let notes = errors.take("notes", parse_note(&self.notes, 4000));
        let mail_domains = errors.take("mail_domains", parse_mail_domains(&self.mail_domains));
        let calendar = errors.take(
            "calendar_id",
            parse_choice(&self.calendar_id, "a business calendar"),
        );
        let policy = errors.take(
            "sla_policy_id",
            parse_choice(&self.sla_policy_id, "an SLA policy"),
        );
        match (name, code, notes, mail_domains, calendar, policy) {
            (
                Some(name),
                Some(code),
                Some(notes),
                Some(mail_domains),
                Some(calendar),
                Some(policy),
            ) => Ok(ClientInput {
                name: name.into_string(),
                code,
                notes,
                mail_domains: mail_domains.join(", "),
                calendar: CalendarId(calendar),
                policy: PolicyId(policy),
                active: checkbox(&self.active),
            }),
            _ => Err(errors),
        }
    }
}

fn parse_choice(raw: &str, what: &str) -> Result<i64, String> {
    raw.trim().parse().map_err(|_| format!("Choose {what}."))
}

#[derive(Template)]
#[template(path = "clients/form.html")]
struct ClientFormPage {
    ctx: Ctx,
    editing: Option<i64>,
    form: ClientForm,
    errors: FieldErrors,
    calendars: Vec<(String, String)>,
    policies: Vec<(String, String)>,
}

/// The calendars and policies a client can be put on, as (value, label) for the selects.
async fn service_level_choices(
    state: &AppState,
) -> AppResult<(Vec<(String, String)>, Vec<(String, String)>)> {
    db::run(&state.pool, |conn| {
        let calendars = levels::list_calendars(conn)?
            .into_iter()
            .map(|c| {
                (
                    c.record.row.id.to_string(),
                    format!("{} ({})", c.record.row.name, c.record.row.time_zone),
                )
            })
            .collect();
        let policies = levels::list_policies(conn)?
            .into_iter()
            .map(|p| (p.record.row.id.to_string(), p.record.row.name))
            .collect();
        Ok((calendars, policies))
    })
    .await
}

pub async fn new_form(state: web::Data<AppState>, manager: Manager) -> AppResult<HttpResponse> {
    let (calendar, policy) = db::run(&state.pool, levels::defaults).await?;
    let (calendars, policies) = service_level_choices(&state).await?;
    render(&ClientFormPage {
        ctx: manager.0.ctx(),
        editing: None,
        form: ClientForm {
            calendar_id: calendar.0.to_string(),
            sla_policy_id: policy.0.to_string(),
            active: Some("on".into()),
            ..ClientForm::default()
        },
        errors: FieldErrors::new(),
        calendars,
        policies,
    })
}

pub async fn create(
    state: web::Data<AppState>,
    manager: Manager,
    form: web::Form<ClientForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let (calendars, policies) = service_level_choices(&state).await?;
    let page = |form, errors| ClientFormPage {
        ctx: manager.0.ctx(),
        editing: None,
        form,
        errors,
        calendars: calendars.clone(),
        policies: policies.clone(),
    };
    let (actor, now) = (manager.0.id(), state.clock.now());
    let parsed = form.parse();
    submit(
        &state,
        &manager.0.session,
        parsed,
        move |conn, input| db::clients::create(conn, actor, &input, now),
        |errors| page(form, errors),
        |client| Saved {
            flash: format!(
                "Client {} created. Add the people who will contact the desk.",
                client.name
            ),
            to: format!("/clients/{}", client.id),
        },
    )
    .await
}

pub async fn edit_form(
    state: web::Data<AppState>,
    manager: Manager,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = ClientId(path.into_inner());
    let client = db::run(&state.pool, move |conn| db::clients::get(conn, id)).await?;
    let (calendars, policies) = service_level_choices(&state).await?;
    render(&ClientFormPage {
        ctx: manager.0.ctx(),
        editing: Some(client.id),
        form: ClientForm {
            version: client.version.to_string(),
            name: client.name,
            code: client.code,
            notes: client.notes,
            mail_domains: client.mail_domains,
            calendar_id: client.calendar_id.to_string(),
            sla_policy_id: client.sla_policy_id.to_string(),
            active: client.active.then(|| "on".into()),
        },
        errors: FieldErrors::new(),
        calendars,
        policies,
    })
}

pub async fn update(
    state: web::Data<AppState>,
    manager: Manager,
    path: web::Path<i64>,
    form: web::Form<ClientForm>,
) -> AppResult<HttpResponse> {
    let id = ClientId(path.into_inner());
    let form = form.into_inner();
    let (calendars, policies) = service_level_choices(&state).await?;
    let page = |form, errors| ClientFormPage {
        ctx: manager.0.ctx(),
        editing: Some(id.0),
        form,
        errors,
        calendars: calendars.clone(),
        policies: policies.clone(),
    };
    let (actor, now) = (manager.0.id(), state.clock.now());
    let parsed = versioned(form.parse(), &form.version);
    submit(
        &state,
        &manager.0.session,
        parsed,
        move |conn, (input, version)| db::clients::update(conn, actor, id, &input, version, now),
        |errors| page(form, errors),
        |client| Saved {
            flash: format!("Saved {}.", client.name),
            to: format!("/clients/{}", client.id),
        },
    )
    .await
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ContactForm {
    version: String,
    name: String,
    email: String,
    phone: String,
    job_title: String,
    notes: String,
    verification_secret: String,
    clear_verification_secret: Option<String>,
    active: Option<String>,
    risk_contact: Option<String>,
}

impl ContactForm {
    fn from_row(row: &ContactRow) -> Self {
        Self {
            version: row.version.to_string(),
            name: row.name.clone(),
            email: row.email.clone(),
            phone: row.phone.clone(),
            job_title: row.job_title.clone(),
            notes: row.notes.clone(),
            verification_secret: String::new(),
            clear_verification_secret: None,
            active: row.active.then(|| "on".into()),
            risk_contact: row.risk_contact.then(|| "on".into()),
        }
    }

    /// Parses the fields; the PIN comes back unhashed so the caller can hash it off the
    /// async threads.
    fn parse(&self) -> Result<(ContactInput, Option<String>), FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.take("name", Line::parse(&self.name, "the contact's name", 120));
        let email = errors.take("email", EmailAddress::parse(&self.email));
        let phone = errors.take("phone", parse_phone(&self.phone, false));
        let job_title = if self.job_title.trim().is_empty() {
            Some(String::new())
        } else {
            errors
                .take(
                    "job_title",
                    Line::parse(&self.job_title, "a job title", 120),
                )
                .map(Line::into_string)
        };
        let notes = errors.take("notes", parse_note(&self.notes, 4000));
        let secret = errors.take(
            "verification_secret",
            parse_verification_secret(&self.verification_secret),
        );
        match (name, email, phone, job_title, notes, secret) {
            (Some(name), Some(email), Some(phone), Some(job_title), Some(notes), Some(secret)) => {
                let change = if checkbox(&self.clear_verification_secret) {
                    SecretChange::Clear
                } else {
                    SecretChange::Keep
                };
                Ok((
                    ContactInput {
                        name: name.into_string(),
                        email,
                        phone,
                        job_title,
                        notes,
                        active: checkbox(&self.active),
                        secret: change,
                        risk_contact: checkbox(&self.risk_contact),
                    },
                    secret,
                ))
            }
            _ => Err(errors),
        }
    }
}

#[derive(Template)]
#[template(path = "clients/contact_form.html")]
struct ContactFormPage {
    ctx: Ctx,
    client: ClientRow,
    editing: Option<i64>,
    has_secret: bool,
    form: ContactForm,
    errors: FieldErrors,
}

impl ContactFormPage {
    /// A technician editing a contact sees the e-mail address and the PIN but cannot change
    /// them (`db::clients::ContactEditor`).
    fn identity_locked(&self) -> bool {
        self.editing.is_some() && !self.ctx.user.as_ref().is_some_and(|u| u.is_manager)
    }

    /// The form for a new contact of `client`, or for editing `contact`.
    fn new(
        ctx: Ctx,
        client: ClientRow,
        contact: Option<&ContactRow>,
        form: ContactForm,
        errors: FieldErrors,
    ) -> Self {
        ContactFormPage {
            ctx,
            client,
            editing: contact.map(|c| c.id),
            has_secret: contact.is_some_and(ContactRow::has_verification_secret),
            form,
            errors,
        }
    }
}

impl ContactForm {
    /// The parsed contact with a new PIN hashed like a password (it proves identity on the
    /// phone), or the fields' errors.
    async fn parse_and_hash(
        &self,
        state: &AppState,
    ) -> AppResult<Result<ContactInput, FieldErrors>> {
        let (mut input, secret) = match self.parse() {
            Ok(parsed) => parsed,
            Err(errors) => return Ok(Err(errors)),
        };
        if let Some(secret) = secret {
            let hash = state
                .password_work(move || security::hash_password(&secret))
                .await??;
            input.secret = SecretChange::Set(hash);
        }
        Ok(Ok(input))
    }
}

pub async fn new_contact_form(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = ClientId(path.into_inner());
    let client = db::run(&state.pool, move |conn| db::clients::get(conn, id)).await?;
    let form = ContactForm {
        active: Some("on".into()),
        ..ContactForm::default()
    };
    render(&ContactFormPage::new(
        user.ctx(),
        client,
        None,
        form,
        FieldErrors::new(),
    ))
}

pub async fn create_contact(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<ContactForm>,
) -> AppResult<HttpResponse> {
    let id = ClientId(path.into_inner());
    let form = form.into_inner();
    let client = db::run(&state.pool, move |conn| db::clients::get(conn, id)).await?;
    let parsed = form.parse_and_hash(&state).await?;
    let (actor, now) = (user.id(), state.clock.now());
    submit(
        &state,
        &user.session,
        parsed,
        move |conn, input| db::clients::create_contact(conn, actor, id, &input, now),
        |errors| ContactFormPage::new(user.ctx(), client, None, form, errors),
        |contact| Saved {
            flash: format!("Contact {} added.", contact.name),
            to: format!("/clients/{}", id.0),
        },
    )
    .await
}

/// A contact and the client it belongs to, for the contact's form.
async fn contact_and_client(state: &AppState, id: ContactId) -> AppResult<(ContactRow, ClientRow)> {
    db::run(&state.pool, move |conn| {
        let contact = db::clients::get_contact(conn, id)?;
        let client = db::clients::get(conn, ClientId(contact.client_id))?;
        Ok((contact, client))
    })
    .await
}

pub async fn edit_contact_form(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = ContactId(path.into_inner());
    let (contact, client) = contact_and_client(&state, id).await?;
    let form = ContactForm::from_row(&contact);
    let page = ContactFormPage::new(user.ctx(), client, Some(&contact), form, FieldErrors::new());
    render(&page)
}

pub async fn update_contact(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<ContactForm>,
) -> AppResult<HttpResponse> {
    let id = ContactId(path.into_inner());
    let form = form.into_inner();
    let (contact, client) = contact_and_client(&state, id).await?;
    let parsed = versioned(form.parse_and_hash(&state).await?, &form.version);
    let (actor, now, mail) = (user.id(), state.clock.now(), state.mail());
    let (name, is_manager) = (user.row.display_name.clone(), user.row.role().is_manager());
    submit(
        &state,
        &user.session,
        parsed,
        move |conn, (input, version)| {
            let editor = ContactEditor {
                id: actor,
                name: &name,
                is_manager,
            };
            db::clients::update_contact(conn, editor, id, &input, version, &mail, now)
        },
        |errors| ContactFormPage::new(user.ctx(), client, Some(&contact), form, errors),
        |contact| Saved {
            flash: format!("Saved {}.", contact.name),
            to: format!("/clients/{}", contact.client_id),
        },
    )
    .await
}
