//! The problems list, filtered by status, client and owner.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::problems::{self, ProblemFilter};
use crate::db::{self, clients, users};
use crate::domain::inputs::FieldErrors;
use crate::domain::problem::Status;
use crate::error::AppResult;
use crate::format::format_time;
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::page::{Ctx, render};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    status: String,
    client: String,
    owner: String,
}

pub struct Item {
    pub id: i64,
    pub number: String,
    pub subject: String,
    pub status: &'static str,
    pub priority: &'static str,
    pub priority_css: &'static str,
    pub client: String,
    pub owner: String,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "problems/list.html")]
struct ListPage {
    ctx: Ctx,
    query: ListQuery,
    items: Vec<Item>,
    statuses: Vec<(String, String)>,
    clients: Vec<(String, String)>,
    owners: Vec<(String, String)>,
    drives: bool,
    no_errors: FieldErrors,
}

pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let query = query.into_inner();
    let filter = ProblemFilter {
        status: Status::parse(&query.status).ok(),
        client: query.client.trim().parse().ok(),
        owner: query.owner.trim().parse().ok(),
        include_archived: false,
    };
    let zone = user.zone();
    let (rows, client_list, people) = db::run(&state.pool, move |conn| {
        Ok((
            problems::list(conn, &filter)?,
            clients::list(conn, true)?,
            users::list(conn)?,
        ))
    })
    .await?;
    let client_name = |id: Option<i64>| {
        client_list
            .iter()
            .find(|c| Some(c.client.id) == id)
            .map(|c| c.client.name.clone())
            .unwrap_or_default()
    };
    let person = |id: i64| {
        people
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.display_name.clone())
            .unwrap_or_default()
    };
    let items = rows
        .iter()
        .map(|p| Item {
            id: p.id.0,
            number: p.id.to_string(),
            subject: p.subject.clone(),
            status: p.status.label(),
            priority: p.priority.label(),
            priority_css: p.priority.as_str(),
            client: client_name(p.client_id),
            owner: person(p.owner_id),
            updated: format_time(p.updated_at, zone),
        })
        .collect();
    let any = || (String::new(), "Any".to_string());
    render(&ListPage {
        ctx: user.ctx(),
        items,
        statuses: std::iter::once(any())
            .chain(
                Status::ALL
                    .iter()
                    .map(|s| (s.as_str().to_string(), s.label().to_string())),
            )
            .collect(),
        clients: std::iter::once(any())
            .chain(
                client_list
                    .iter()
                    .map(|c| (c.client.id.to_string(), c.client.name.clone())),
            )
            .collect(),
        owners: std::iter::once(any())
            .chain(
                people
                    .iter()
                    .filter(|u| crate::domain::problem::can_drive(u.role(), u.tier()))
                    .map(|u| (u.id.to_string(), u.display_name.clone())),
            )
            .collect(),
        drives: super::drives(&user),
        no_errors: FieldErrors::new(),
        query,
    })
}
