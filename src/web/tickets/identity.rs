//! Checking a requester's identity as a technician records it: at intake, and later on the
//! ticket page. The rules are `domain::identity`; a PIN is compared here, with the stored hash,
//! throttled per contact like a password.

use actix_web::HttpResponse;

use super::forms::IdentityForm;
use super::runner::{TicketForm, TicketPost};
use crate::db::clients::ContactRow;
use crate::db::{self, throttle, tickets};
use crate::domain::identity::{Claim, OnFile, check_claim};
use crate::domain::ids::ContactId;
use crate::domain::inputs::FieldErrors;
use crate::domain::throttle::{ThrottlePolicy, describe_wait};
use crate::domain::ticket::{Channel, IdentityCheck};
use crate::error::AppResult;
use crate::security;
use crate::state::AppState;

/// Phone keypads and typed PINs: anything longer is not a PIN, and is not hashed.
const MAX_PIN_CHARS: usize = 64;

fn pin_key(contact: i64) -> String {
    format!("pin-contact:{contact}")
}

/// The field a refusal belongs beside: the evidence for methods that take some, else the
/// method itself.
fn field_for(method: IdentityCheck) -> &'static str {
    match method {
        IdentityCheck::Pin | IdentityCheck::CallBack => "identity_evidence",
        _ => "identity_check",
    }
}

/// The detail to keep for a claim that holds, or the form's error. `contact` is None for a
/// contact added during this call, named `new_name`.
pub async fn verify_claim(
    state: &AppState,
    contact: Option<&ContactRow>,
    new_name: &str,
    method: IdentityCheck,
    channel: Channel,
    evidence: &str,
) -> AppResult<Result<String, FieldErrors>> {
    let on_file = match contact {
        Some(c) => OnFile {
            name: &c.name,
            known: true,
            has_pin: c.has_verification_secret(),
            phone: &c.phone,
            email: &c.email,
        },
        None => OnFile {
            name: new_name,
            known: false,
            has_pin: false,
            phone: "",
            email: "",
        },
    };
    let pin = match check_claim(method, channel, &on_file, evidence) {
        Ok(Claim::Accepted { detail }) => return Ok(Ok(detail)),
        Err(message) => return Ok(Err(FieldErrors::single(field_for(method), message))),
        Ok(Claim::PinToCompare { pin }) => pin,
    };
    let Some(contact) = contact else {
        return Ok(Err(FieldErrors::single(
            "identity_evidence",
            "A new contact has no PIN on file.",
        )));
    };
    let (key, now) = (pin_key(contact.id), state.clock.now());
    let reserved = {
        let key = key.clone();
        db::run(&state.pool, move |conn| {
            throttle::reserve(conn, &[(&key, &ThrottlePolicy::ACCOUNT)], now)
        })
        .await?
    };
    let reservation = match reserved {
        Ok(reservation) => reservation,
        Err(verdict) => {
            let wait = verdict.retry_after().unwrap_or_else(chrono::Duration::zero);
            return Ok(Err(FieldErrors::single(
                "identity_evidence",
                format!(
                    "Too many wrong PINs for {}: wait {} before trying again, or validate another way.",
                    contact.name,
                    describe_wait(wait)
                ),
            )));
        }
    };
    let stored = contact.verification_secret_hash.clone().unwrap_or_default();
    let matched = pin.chars().count() <= MAX_PIN_CHARS
        && state
            .password_work(move || security::verify_password(&pin, &stored))
            .await?;
    if !matched {
        return Ok(Err(FieldErrors::single(
            "identity_evidence",
            format!(
                "That PIN does not match the one on file for {}.",
                contact.name
            ),
        )));
    }
    db::run(&state.pool, move |conn| {
        throttle::succeeded(conn, reservation, &key)
    })
    .await?;
    Ok(Ok("the PIN read back matched the one on file".into()))
}

/// "Validate the requester now": a check made after intake, before sensitive work.
pub async fn check(post: TicketPost<IdentityForm>) -> AppResult<HttpResponse> {
    let mut errors = FieldErrors::new();
    let Some((method, evidence)) = post.form().parse(&mut errors) else {
        return post.refuse(errors).await;
    };
    let ticket = post.ticket();
    let (row, contact) = db::run(&post.state().pool, move |conn| {
        let row = db::tickets::get(conn, ticket)?;
        let contact = db::clients::get_contact(conn, ContactId(row.contact_id))?;
        Ok((row, contact))
    })
    .await?;
    let checked = verify_claim(
        post.state(),
        Some(&contact),
        &contact.name,
        method,
        row.channel,
        &evidence,
    )
    .await?;
    match checked {
        Ok(detail) => {
            post.run(move |conn, c| tickets::check_identity(conn, c.edit, method, &detail))
                .await
        }
        Err(errors) => post.refuse(errors).await,
    }
}

impl TicketForm for IdentityForm {
    /// The method, and the PIN read back or the number called.
    type Input = (IdentityCheck, String);

    fn parse(&self, errors: &mut FieldErrors) -> Option<Self::Input> {
        let method = errors.take(
            "identity_check",
            IdentityCheck::parse(&self.identity_check).and_then(|m| {
                if m.is_validated() {
                    Ok(m)
                } else {
                    Err("Choose how you validated the requester.".into())
                }
            }),
        );
        Some((method?, self.identity_evidence.clone()))
    }

    fn done(&self, input: &Self::Input) -> String {
        format!("Identity validated: {}.", input.0.label())
    }
}
