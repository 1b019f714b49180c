//! Writing tickets through the API: the browser's forms are filled from the JSON and parsed
//! by the same code, and the same commands run, so the rules (owner, approvals, the status
//! machine) and the audit trail are the browser's. A write names the version it read in
//! `If-Match`: none is 428, a stale one is the browser's 409.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::problem::Problem;
use super::tickets::{TicketJson, with_etag};
use super::{Caller, etag, if_match, json_body};
use crate::db::tickets::{self, TicketEdit, TicketRow};
use crate::db::{self, DbConn};
use crate::domain::api_token::Need;
use crate::domain::ids::{ContactId, TicketId};
use crate::domain::inputs::FieldErrors;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::tickets::forms::{CancelForm, ReopenForm, SolveForm, WorkForm};
use crate::web::tickets::identity::verify_claim;
use crate::web::tickets::intake::IntakeForm;
use crate::web::tickets::runner::TicketForm;

fn default_kind() -> String {
    "incident".into()
}

fn default_channel() -> String {
    "portal".into()
}

fn default_identity() -> String {
    "not_validated".into()
}

/// A new ticket, as the intake form takes it, for a contact on file.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct NewTicketJson {
    /// `incident` (the default) or `service_request`.
    #[serde(default = "default_kind")]
    pub kind: String,
    /// Who is asking: a contact on file; their client is the ticket's.
    pub contact_id: i64,
    pub subject: String,
    pub description: String,
    /// `phone`, `email`, `portal` (the default), `walk_in` or `automatic_alert`.
    #[serde(default = "default_channel")]
    pub channel: String,
    /// How the requester's identity was checked: `not_validated` (the default), `call_back`,
    /// `known_email`, `pin` or `in_person`.
    #[serde(default = "default_identity")]
    pub identity_check: String,
    /// The PIN, or what the call-back found, as the form asks.
    #[serde(default)]
    pub identity_evidence: String,
    /// `high`, `medium` or `low`.
    pub impact: String,
    /// `high`, `medium` or `low`.
    pub urgency: String,
}

/// A note for staff, or a reply mailed to the client.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct NoteJson {
    pub body: String,
    /// True to mail it to the client as a reply (the first one is the SLA's response).
    #[serde(default)]
    pub reply: bool,
}

/// A status change through the browser's rules.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct StatusJson {
    /// `start_work`, `pend_client_input`, `pend_vendor`, `pend_parts`, `resume` (each with a
    /// `note`), `solve` (with `solution` and, on an incident, `fix`), `cancel` (with `reason`)
    /// or `reopen` (with `reason`).
    pub action: String,
    pub note: String,
    pub solution: String,
    /// `permanent`, or `workaround` with `known_error`.
    pub fix: String,
    pub known_error: String,
    pub reason: String,
    /// Cancel as a duplicate of this ticket.
    pub duplicate_of: String,
}

/// Records a ticket, as the intake form does, with the token's user as the one recording it.
#[utoipa::path(
    post,
    path = "/api/v1/tickets",
    tag = "tickets",
    request_body = NewTicketJson,
    responses(
        (status = 201, description = "Recorded", body = TicketJson,
            headers(("Location" = String), ("ETag" = String))),
        (status = 401, description = "No live token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a read and write token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Refused fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Bytes,
) -> Result<HttpResponse, Problem> {
    caller.needs(Need::Write)?;
    let body: NewTicketJson = json_body(&body)?;
    let contact_id = ContactId(body.contact_id);
    let contact = db::run(&state.pool, move |conn| {
        match db::clients::get_contact(conn, contact_id) {
            Ok(contact) => Ok(Some(contact)),
            Err(AppError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    })
    .await?;
    let form = IntakeForm {
        kind: body.kind,
        requester: format!("contact:{}", body.contact_id),
        details_confirmed: Some("on".into()),
        subject: body.subject,
        description: body.description,
        channel: body.channel,
        identity_check: body.identity_check,
        identity_evidence: body.identity_evidence,
        impact: body.impact,
        urgency: body.urgency,
        ..IntakeForm::default()
    };
    let mut input = match form.parse(contact.as_ref().map(|c| c.client_id)) {
        Ok(input) => input,
        Err(errors) => return Err(Problem::invalid(&rename_requester(errors))),
    };
    input.identity_detail = verify_claim(
        &state,
        contact.as_ref(),
        "",
        input.identity,
        input.channel,
        &form.identity_evidence,
    )
    .await?
    .map_err(|e| Problem::invalid(&e))?;
    let (actor, now, mail) = (caller.user, state.clock.now(), state.mail());
    let row = db::run(&state.pool, move |conn| {
        tickets::create(conn, actor, &input, &mail, now)
    })
    .await?
    .map_err(|e| Problem::invalid(&rename_requester(e)))?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/tickets/{}", row.id)))
        .insert_header((header::ETAG, etag(row.version)))
        .json(TicketJson::from(&row)))
}

/// The form's requester select is the API's `contact_id`.
fn rename_requester(errors: FieldErrors) -> FieldErrors {
    let mut renamed = FieldErrors::new();
    for (field, message) in errors.iter() {
        let field = if field == "requester" {
            "contact_id"
        } else {
            field
        };
        renamed.add(field, message);
    }
    renamed
}

/// Adds a note or a reply, through the ticket page's work form.
#[utoipa::path(
    post,
    path = "/api/v1/tickets/{id}/notes",
    tag = "tickets",
    params(
        ("id" = i64, Path, description = "The ticket's number"),
        ("If-Match" = String, Header, description = "The ETag of the ticket as read"),
    ),
    request_body = NoteJson,
    responses(
        (status = 200, description = "Saved", body = TicketJson, headers(("ETag" = String))),
        (status = 401, description = "No live token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a read and write token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The ticket changed since that ETag", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Refused fields", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn note(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, Problem> {
    caller.needs(Need::Write)?;
    let version = if_match(&req)?;
    let body: NoteJson = json_body(&body)?;
    let form = WorkForm {
        entry: if body.reply { "reply" } else { "note" }.into(),
        body: body.body.clone(),
        review: "unchanged".into(),
        ..WorkForm::default()
    };
    let input = parsed(&form)?;
    run(
        &state,
        &caller,
        path.into_inner(),
        version,
        move |conn, edit, mail| tickets::work(conn, edit, &input, mail),
    )
    .await
}

/// Moves a ticket on through the status machine, with the browser's rules: only the owner
/// solves, a service request waits for its approval, a closed ticket stays closed.
#[utoipa::path(
    post,
    path = "/api/v1/tickets/{id}/status",
    tag = "tickets",
    params(
        ("id" = i64, Path, description = "The ticket's number"),
        ("If-Match" = String, Header, description = "The ETag of the ticket as read"),
    ),
    request_body = StatusJson,
    responses(
        (status = 200, description = "Moved", body = TicketJson, headers(("ETag" = String))),
        (status = 401, description = "No live token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the owner, or not a read and write token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The ticket changed since that ETag", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not allowed from this status, or refused fields", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn change_status(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, Problem> {
    caller.needs(Need::Write)?;
    let version = if_match(&req)?;
    let id = path.into_inner();
    let body: StatusJson = json_body(&body)?;
    match body.action.trim() {
        "start_work" | "pend_client_input" | "pend_vendor" | "pend_parts" | "resume" => {
            let form = WorkForm {
                entry: "note".into(),
                body: body.note,
                next: body.action,
                review: "changed".into(),
                ..WorkForm::default()
            };
            let input = parsed(&form)?;
            run(&state, &caller, id, version, move |conn, edit, mail| {
                tickets::work(conn, edit, &input, mail)
            })
            .await
        }
        "solve" => {
            let form = SolveForm {
                solution: body.solution,
                fix: body.fix,
                known_error: body.known_error,
                ..SolveForm::default()
            };
            let input = parsed(&form)?;
            run(&state, &caller, id, version, move |conn, edit, mail| {
                tickets::solve(conn, edit, &input, mail)
            })
            .await
        }
        "cancel" => {
            let form = CancelForm {
                duplicate_of: body.duplicate_of,
                reason: body.reason,
                ..CancelForm::default()
            };
            let (duplicate, reason) = parsed(&form)?;
            run(&state, &caller, id, version, move |conn, edit, _| {
                tickets::cancel(conn, edit, duplicate, &reason)
            })
            .await
        }
        "reopen" => {
            let form = ReopenForm {
                reason: body.reason,
                ..ReopenForm::default()
            };
            let reason = parsed(&form)?;
            run(&state, &caller, id, version, move |conn, edit, _| {
                tickets::reopen(conn, edit, &reason)
            })
            .await
        }
        _ => Err(Problem::invalid(&FieldErrors::single(
            "action",
            "Send start_work, pend_client_input, pend_vendor, pend_parts, resume, solve, cancel \
             or reopen.",
        ))),
    }
}

/// The form's typed input, or 422 with its field errors.
fn parsed<F: TicketForm>(form: &F) -> Result<F::Input, Problem> {
    let mut errors = FieldErrors::new();
    match form.parse(&mut errors) {
        Some(input) if errors.is_empty() => Ok(input),
        _ => Err(Problem::invalid(&errors)),
    }
}

/// Runs one ticket command as the token's user at the If-Match version, and answers with the
/// ticket and its new ETag.
async fn run<C>(
    state: &AppState,
    caller: &Caller,
    id: i64,
    version: i64,
    command: C,
) -> Result<HttpResponse, Problem>
where
    C: FnOnce(
            &mut DbConn,
            TicketEdit,
            &crate::mail::messages::MailContext,
        ) -> AppResult<Result<TicketRow, FieldErrors>>
        + Send
        + 'static,
{
    let edit = TicketEdit {
        actor: caller.user,
        ticket: TicketId(id),
        version,
        now: state.clock.now(),
    };
    let mail = state.mail();
    let row = db::run(&state.pool, move |conn| command(conn, edit, &mail))
        .await?
        .map_err(|e| Problem::invalid(&e))?;
    Ok(with_etag(&row, TicketJson::from(&row)))
}
