//! Recording a new ticket: the intake form, who is asking, and the first save.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::clients::{ContactInput, SecretChange};
use crate::db::tickets::{self, IntakeInput, Requester};
use crate::db::{self};
use crate::domain::ids::{ClientId, ContactId};
use crate::domain::inputs::{EmailAddress, FieldErrors, Line, parse_phone, parse_required_note};
use crate::domain::priority::{Impact, Priority, Urgency};
use crate::domain::ticket::{Channel, IdentityCheck, Kind};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::forms::{checkbox, invalid};
use crate::web::page::{Ctx, FlashKind, flash, redirect, render};
use crate::web::tickets::identity::verify_claim;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct IntakeForm {
    pub(crate) kind: String,
    pub(crate) requester: String,
    pub(crate) client_id: String,
    pub(crate) new_contact_name: String,
    pub(crate) new_contact_email: String,
    pub(crate) new_contact_phone: String,
    pub(crate) details_confirmed: Option<String>,
    pub(crate) subject: String,
    pub(crate) description: String,
    pub(crate) channel: String,
    pub(crate) identity_check: String,
    pub(crate) identity_evidence: String,
    pub(crate) impact: String,
    pub(crate) urgency: String,
}

/// The requester select: contacts grouped by client, plus "someone new".
pub struct RequesterGroup {
    pub client: String,
    pub options: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "tickets/new.html")]
struct IntakePage {
    ctx: Ctx,
    form: IntakeForm,
    errors: FieldErrors,
    groups: Vec<RequesterGroup>,
    clients: Vec<(String, String)>,
    kinds: [Kind; 2],
    channels: [Channel; 5],
    identities: [IdentityCheck; 5],
    impacts: [Impact; 3],
    urgencies: [Urgency; 3],
    priorities: [Priority; 3],
}

async fn intake_page(
    state: &AppState,
    ctx: Ctx,
    form: IntakeForm,
    errors: FieldErrors,
) -> AppResult<IntakePage> {
    let (clients, contacts) = db::run(&state.pool, |conn| {
        Ok((
            db::clients::list(conn, false)?,
            db::clients::active_contacts(conn)?,
        ))
    })
    .await?;
    let groups = clients
        .iter()
        .map(|summary| RequesterGroup {
            client: summary.client.name.clone(),
            options: contacts
                .iter()
                .filter(|c| c.client_id == summary.client.id)
                .map(|c| {
                    (
                        format!("contact:{}", c.id),
                        format!("{} <{}>", c.name, c.email),
                    )
                })
                .collect(),
        })
        .collect();
    Ok(IntakePage {
        ctx,
        form,
        errors,
        groups,
        clients: clients
            .into_iter()
            .map(|s| (s.client.id.to_string(), s.client.name))
            .collect(),
        kinds: Kind::ALL,
        channels: Channel::ALL,
        identities: IdentityCheck::ALL,
        impacts: Impact::ALL,
        urgencies: Urgency::ALL,
        priorities: Priority::ALL,
    })
}

pub async fn new_form(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    let form = IntakeForm {
        kind: Kind::Incident.as_str().into(),
        channel: Channel::Phone.as_str().into(),
        identity_check: IdentityCheck::NotValidated.as_str().into(),
        impact: Impact::Medium.as_str().into(),
        urgency: Urgency::Medium.as_str().into(),
        ..IntakeForm::default()
    };
    render(&intake_page(&state, user.ctx(), form, FieldErrors::new()).await?)
}

impl IntakeForm {
    /// Parses the form; the client comes from the chosen contact, or from the client select
    /// when the caller is new.
    pub(crate) fn parse(&self, contact_client: Option<i64>) -> Result<IntakeInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = errors.take("kind", Kind::parse(&self.kind));
        let subject = errors.take(
            "subject",
            Line::parse(&self.subject, "a short summary", 200),
        );
        let description = errors.take(
            "description",
            parse_required_note(
                &self.description,
                20_000,
                "Describe the request: what happens, since when, who is affected.",
            ),
        );
        let channel = errors.take("channel", Channel::parse(&self.channel));
        let identity = errors.take("identity_check", IdentityCheck::parse(&self.identity_check));
        let impact = errors.take("impact", Impact::parse(&self.impact));
        let urgency = errors.take("urgency", Urgency::parse(&self.urgency));
        if !checkbox(&self.details_confirmed) {
            errors.add(
                "details_confirmed",
                "Confirm the contact details with the caller.",
            );
        }
        let requester = match self
            .requester
            .strip_prefix("contact:")
            .map(str::parse::<i64>)
        {
            Some(Ok(id)) => Some((contact_client, Requester::Existing(ContactId(id)))),
            _ if self.requester == "new" => {
                let client = self.client_id.trim().parse::<i64>().ok();
                if client.is_none() {
                    errors.add("client_id", "Choose the client the new contact works for.");
                }
                let name = errors.take(
                    "new_contact_name",
                    Line::parse(&self.new_contact_name, "the caller's name", 120),
                );
                let email = errors.take(
                    "new_contact_email",
                    EmailAddress::parse(&self.new_contact_email),
                );
                let phone = errors.take(
                    "new_contact_phone",
                    parse_phone(&self.new_contact_phone, false),
                );
                match (name, email, phone) {
                    (Some(name), Some(email), Some(phone)) => Some((
                        client,
                        Requester::New(ContactInput {
                            name: name.into_string(),
                            email,
                            phone,
                            job_title: String::new(),
                            notes: String::new(),
                            active: true,
                            secret: SecretChange::Keep,
                            risk_contact: false,
                        }),
                    )),
                    _ => None,
                }
            }
            _ => {
                errors.add(
                    "requester",
                    "Choose who is asking, or add them as a new contact.",
                );
                None
            }
        };
        match (
            kind,
            subject,
            description,
            channel,
            identity,
            impact,
            urgency,
            requester,
        ) {
            (
                Some(kind),
                Some(subject),
                Some(description),
                Some(channel),
                Some(identity),
                Some(impact),
                Some(urgency),
                Some((Some(client), requester)),
            ) if errors.is_empty() => Ok(IntakeInput {
                kind,
                client: ClientId(client),
                requester,
                subject: subject.into_string(),
                description,
                channel,
                identity,
                identity_detail: String::new(),
                impact,
                urgency,
            }),
            _ => {
                if errors.is_empty() {
                    errors.add("requester", "That contact is no longer on file.");
                }
                Err(errors)
            }
        }
    }
}

pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    form: web::Form<IntakeForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let contact = match form
        .requester
        .strip_prefix("contact:")
        .and_then(|v| v.parse::<i64>().ok())
    {
        Some(id) => {
            db::run(&state.pool, move |conn| {
                match db::clients::get_contact(conn, ContactId(id)) {
                    Ok(contact) => Ok(Some(contact)),
                    Err(AppError::NotFound) => Ok(None),
                    Err(e) => Err(e),
                }
            })
            .await?
        }
        None => None,
    };
    let mut input = match form.parse(contact.as_ref().map(|c| c.client_id)) {
        Ok(input) => input,
        Err(errors) => return invalid(&intake_page(&state, user.ctx(), form, errors).await?),
    };
    let checked = verify_claim(
        &state,
        contact.as_ref(),
        form.new_contact_name.trim(),
        input.identity,
        input.channel,
        &form.identity_evidence,
    )
    .await?;
    input.identity_detail = match checked {
        Ok(detail) => detail,
        Err(errors) => return invalid(&intake_page(&state, user.ctx(), form, errors).await?),
    };
    let (actor, now) = (user.id(), state.clock.now());
    let mail = state.mail();
    let created = db::run(&state.pool, move |conn| {
        tickets::create(conn, actor, &input, &mail, now)
    })
    .await?;
    match created {
        Ok(row) => {
            flash(
                &user.session,
                FlashKind::Success,
                format!(
                    "Ticket #{} recorded. Triage it next: impact, urgency and category.",
                    row.id
                ),
            );
            Ok(redirect(&format!("/tickets/{}", row.id)))
        }
        Err(errors) => invalid(&intake_page(&state, user.ctx(), form, errors).await?),
    }
}
