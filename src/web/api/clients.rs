//! Reading clients and their contacts through the API.

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::Caller;
use super::problem::Problem;
use crate::db::clients::{ClientRow, ContactRow};
use crate::db::{self};
use crate::domain::api_token::Need;
use crate::domain::ids::{ClientId, ContactId};
use crate::state::AppState;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ClientJson {
    pub id: i64,
    pub name: String,
    /// The short code alerts name the client by.
    pub code: String,
    pub active: bool,
}

impl From<&ClientRow> for ClientJson {
    fn from(row: &ClientRow) -> Self {
        Self {
            id: row.id,
            name: row.name.clone(),
            code: row.code.clone(),
            active: row.active,
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ContactJson {
    pub id: i64,
    pub client_id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub job_title: String,
    pub active: bool,
}

impl From<&ContactRow> for ContactJson {
    fn from(row: &ContactRow) -> Self {
        Self {
            id: row.id,
            client_id: row.client_id,
            name: row.name.clone(),
            email: row.email.clone(),
            phone: row.phone.clone(),
            job_title: row.job_title.clone(),
            active: row.active,
        }
    }
}

/// Every client, inactive ones included, by name.
#[utoipa::path(
    get,
    path = "/api/v1/clients",
    tag = "clients",
    responses(
        (status = 200, description = "The clients", body = Vec<ClientJson>),
        (status = 401, description = "No live token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An alerts token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, Problem> {
    caller.needs(Need::Read)?;
    let rows = db::run(&state.pool, |conn| db::clients::list(conn, true)).await?;
    let clients: Vec<ClientJson> = rows.iter().map(|s| ClientJson::from(&s.client)).collect();
    Ok(HttpResponse::Ok().json(clients))
}

#[utoipa::path(
    get,
    path = "/api/v1/clients/{id}",
    tag = "clients",
    params(("id" = i64, Path, description = "The client's id")),
    responses(
        (status = 200, description = "The client", body = ClientJson),
        (status = 401, description = "No live token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An alerts token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such client", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    caller.needs(Need::Read)?;
    let id = ClientId(path.into_inner());
    let row = db::run(&state.pool, move |conn| db::clients::get(conn, id)).await?;
    Ok(HttpResponse::Ok().json(ClientJson::from(&row)))
}

/// A client's contacts, active first.
#[utoipa::path(
    get,
    path = "/api/v1/clients/{id}/contacts",
    tag = "clients",
    params(("id" = i64, Path, description = "The client's id")),
    responses(
        (status = 200, description = "The contacts", body = Vec<ContactJson>),
        (status = 401, description = "No live token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An alerts token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such client", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn contacts(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    caller.needs(Need::Read)?;
    let id = ClientId(path.into_inner());
    let rows = db::run(&state.pool, move |conn| {
        db::clients::get(conn, id)?;
        db::clients::contacts_of(conn, id)
    })
    .await?;
    let contacts: Vec<ContactJson> = rows.iter().map(ContactJson::from).collect();
    Ok(HttpResponse::Ok().json(contacts))
}

#[utoipa::path(
    get,
    path = "/api/v1/contacts/{id}",
    tag = "clients",
    params(("id" = i64, Path, description = "The contact's id")),
    responses(
        (status = 200, description = "The contact", body = ContactJson),
        (status = 401, description = "No live token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An alerts token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such contact", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn contact(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    caller.needs(Need::Read)?;
    let id = ContactId(path.into_inner());
    let row = db::run(&state.pool, move |conn| db::clients::get_contact(conn, id)).await?;
    Ok(HttpResponse::Ok().json(ContactJson::from(&row)))
}
