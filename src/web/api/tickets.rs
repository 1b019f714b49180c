//! Reading tickets through the API: one ticket with its timeline (and its version as the ETag),
//! and the list, filtered and paged by the last id seen.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::problem::Problem;
use super::{Caller, etag};
use crate::db::tickets::TicketRow;
use crate::db::tickets::keyset::{ListFilter, page};
use crate::db::timeline::{EventView, events_of};
use crate::db::{self};
use crate::domain::api_token::Need;
use crate::domain::ids::{ClientId, TicketId};
use crate::domain::inputs::FieldErrors;
use crate::domain::priority::Priority;
use crate::domain::ticket::Status;
use crate::state::AppState;

const MAX_PAGE: i64 = 200;
const DEFAULT_PAGE: i64 = 50;

/// Instants are UTC, RFC 3339.
fn instant(at: NaiveDateTime) -> String {
    at.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TicketJson {
    pub id: i64,
    /// `incident` or `service_request`.
    pub kind: String,
    /// `new`, `triaged`, `assigned`, `in_progress`, `pending_client`, `pending_vendor`,
    /// `pending_parts`, `solved`, `closed`, `reopened`, `cancelled` or `duplicate`.
    pub status: String,
    pub subject: String,
    pub description: String,
    pub client_id: i64,
    pub contact_id: i64,
    pub channel: String,
    pub impact: String,
    pub urgency: String,
    /// `P1`, `P2` or `P3`.
    pub priority: String,
    pub owner_id: Option<i64>,
    pub solution: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub solved_at: Option<String>,
    /// Send it back as `If-Match: "v<version>"` on a write.
    pub version: i64,
}

impl From<&TicketRow> for TicketJson {
    fn from(row: &TicketRow) -> Self {
        Self {
            id: row.id.0,
            kind: row.kind.as_str().into(),
            status: row.status.as_str().into(),
            subject: row.subject.clone(),
            description: row.description.clone(),
            client_id: row.client_id,
            contact_id: row.contact_id,
            channel: row.channel.as_str().into(),
            impact: row.impact.as_str().into(),
            urgency: row.urgency.as_str().into(),
            priority: row.priority.as_str().into(),
            owner_id: row.owner_id,
            solution: row.solution.clone(),
            created_at: instant(row.created_at),
            updated_at: instant(row.updated_at),
            solved_at: row.solved_at.map(instant),
            version: row.version,
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EventJson {
    pub kind: String,
    pub client_visible: bool,
    pub body: String,
    pub detail: String,
    pub created_at: String,
    /// Who wrote it; none for the client's own answers.
    pub actor: Option<String>,
}

impl From<EventView> for EventJson {
    fn from(event: EventView) -> Self {
        Self {
            kind: event.kind.as_str().into(),
            client_visible: event.client_visible,
            body: event.body,
            detail: event.detail,
            created_at: instant(event.created_at),
            actor: event.actor_name,
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TicketDetailJson {
    pub ticket: TicketJson,
    /// Oldest first; the ticket's audit trail.
    pub timeline: Vec<EventJson>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TicketPageJson {
    pub tickets: Vec<TicketJson>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<i64>,
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// The last id of the previous page.
    pub after: Option<i64>,
    /// Up to 200; 50 when absent.
    pub limit: Option<i64>,
    /// Comma-separated statuses, or `open` for every open one.
    pub status: Option<String>,
    pub client_id: Option<i64>,
    /// `P1`, `P2` or `P3`.
    pub priority: Option<String>,
}

impl ListQuery {
    fn filter(&self) -> Result<(ListFilter, i64), FieldErrors> {
        let mut errors = FieldErrors::new();
        let statuses = match self.status.as_deref().map(str::trim) {
            None | Some("") => Vec::new(),
            Some("open") => Status::OPEN.to_vec(),
            Some(list) => list
                .split(',')
                .filter_map(|s| errors.take("status", Status::parse(s)))
                .collect(),
        };
        let priority = match self.priority.as_deref() {
            None | Some("") => None,
            Some(p) => errors.take("priority", Priority::parse(p)),
        };
        let limit = self.limit.unwrap_or(DEFAULT_PAGE);
        if !(1..=MAX_PAGE).contains(&limit) {
            errors.add("limit", format!("Ask for 1 to {MAX_PAGE} tickets a page."));
        }
        if errors.is_empty() {
            Ok((
                ListFilter {
                    statuses,
                    client: self.client_id.map(ClientId),
                    priority,
                },
                limit,
            ))
        } else {
            Err(errors)
        }
    }
}

/// The ticket list, in id order, a page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/tickets",
    tag = "tickets",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of tickets", body = TicketPageJson),
        (status = 401, description = "No live token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An alerts token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad filter", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    req: actix_web::HttpRequest,
) -> Result<HttpResponse, Problem> {
    caller.needs(Need::Read)?;
    let query = web::Query::<ListQuery>::from_query(req.query_string())
        .map_err(|e| Problem::bad_request(e.to_string()))?;
    let (filter, limit) = query.filter().map_err(|e| Problem::invalid(&e))?;
    let after = query.after.map(TicketId);
    let rows = db::run(&state.pool, move |conn| page(conn, &filter, after, limit)).await?;
    let next_after = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|r| r.id.0))
        .flatten();
    Ok(HttpResponse::Ok().json(TicketPageJson {
        tickets: rows.iter().map(TicketJson::from).collect(),
        next_after,
    }))
}

/// One ticket with its timeline; the ETag is its version.
#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}",
    tag = "tickets",
    params(("id" = i64, Path, description = "The ticket's number")),
    responses(
        (status = 200, description = "The ticket", body = TicketDetailJson,
            headers(("ETag" = String, description = "The version, for If-Match"))),
        (status = 401, description = "No live token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An alerts token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    caller.needs(Need::Read)?;
    let id = TicketId(path.into_inner());
    let (row, events) = db::run(&state.pool, move |conn| {
        Ok((crate::db::tickets::get(conn, id)?, events_of(conn, id)?))
    })
    .await?;
    Ok(with_etag(
        &row,
        TicketDetailJson {
            ticket: TicketJson::from(&row),
            timeline: events.into_iter().map(EventJson::from).collect(),
        },
    ))
}

/// A ticket answer with its version as the ETag.
pub fn with_etag(row: &TicketRow, body: impl Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(row.version)))
        .json(body)
}
