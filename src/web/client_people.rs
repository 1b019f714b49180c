//! The admins' forms for the client page's people: naming the client's systems and its
//! account managers. What the page shows of them is in `client_people_view.rs`.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::client_people_view::PeopleSection;
use super::clients::client_page;
use super::extract::{Admin, CurrentUser};
use super::forms::{invalid, parse_optional_id};
use super::page::{FlashKind, flash, redirect};
use crate::db;
use crate::domain::ids::{ClientId, SystemId, UserId};
use crate::domain::inputs::{FieldErrors, Line};
use crate::error::AppResult;
use crate::state::AppState;

/// The client page again, with the admin's text and the problems beside the field (422).
async fn refused(
    state: &AppState,
    admin: &CurrentUser,
    client: ClientId,
    keep: impl FnOnce(&mut PeopleSection),
    errors: FieldErrors,
) -> AppResult<HttpResponse> {
    let mut page = client_page(state, admin, client).await?;
    keep(&mut page.people);
    page.people.errors = errors;
    invalid(&page)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SystemForm {
    system: String,
}

pub async fn add_system(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<i64>,
    form: web::Form<SystemForm>,
) -> AppResult<HttpResponse> {
    let client = ClientId(path.into_inner());
    let typed = form.into_inner().system;
    let keep = |typed: String| move |p: &mut PeopleSection| p.system = typed;
    let name = match Line::parse(&typed, "the system's name", 80) {
        Ok(name) => name,
        Err(e) => {
            let errors = FieldErrors::single("system", e);
            return refused(&state, &admin.0, client, keep(typed), errors).await;
        }
    };
    let (actor, now) = (admin.0.id(), state.clock.now());
    let added = db::run(&state.pool, move |conn| {
        db::access::add_system(conn, actor, client, &name, now)
    })
    .await?;
    match added {
        Ok(system) => {
            flash(
                &admin.0.session,
                FlashKind::Success,
                format!(
                    "{} added. Grant access to it on each technician's page under Users.",
                    system.name
                ),
            );
            Ok(redirect(&format!("/clients/{}#systems", client.0)))
        }
        Err(errors) => refused(&state, &admin.0, client, keep(typed), errors).await,
    }
}

pub async fn remove_system(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let (client, system) = path.into_inner();
    let (client, system) = (ClientId(client), SystemId(system));
    let (actor, now) = (admin.0.id(), state.clock.now());
    db::run(&state.pool, move |conn| {
        db::access::remove_system(conn, actor, client, system, now)
    })
    .await?;
    flash(&admin.0.session, FlashKind::Success, "System removed.");
    Ok(redirect(&format!("/clients/{}#systems", client.0)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AccountManagerForm {
    user_id: String,
}

pub async fn add_account_manager(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<i64>,
    form: web::Form<AccountManagerForm>,
) -> AppResult<HttpResponse> {
    let client = ClientId(path.into_inner());
    let typed = form.into_inner().user_id;
    let keep = |typed: String| move |p: &mut PeopleSection| p.user_id = typed;
    let user = match parse_optional_id(&typed, "a person") {
        Ok(Some(id)) => UserId(id),
        Ok(None) => {
            let errors =
                FieldErrors::single("user_id", "Choose who manages this client's account.");
            return refused(&state, &admin.0, client, keep(typed), errors).await;
        }
        Err(e) => {
            let errors = FieldErrors::single("user_id", e);
            return refused(&state, &admin.0, client, keep(typed), errors).await;
        }
    };
    let (actor, now) = (admin.0.id(), state.clock.now());
    let added = db::run(&state.pool, move |conn| {
        db::account_managers::add(conn, actor, client, user, now)
    })
    .await?;
    match added {
        Ok(()) => {
            flash(
                &admin.0.session,
                FlashKind::Success,
                "Account manager added: they may record this client's decisions at the decision point.",
            );
            Ok(redirect(&format!("/clients/{}#account-managers", client.0)))
        }
        Err(errors) => refused(&state, &admin.0, client, keep(typed), errors).await,
    }
}

pub async fn remove_account_manager(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let (client, user) = path.into_inner();
    let (client, user) = (ClientId(client), UserId(user));
    let (actor, now) = (admin.0.id(), state.clock.now());
    db::run(&state.pool, move |conn| {
        db::account_managers::remove(conn, actor, client, user, now)
    })
    .await?;
    flash(
        &admin.0.session,
        FlashKind::Success,
        "Account manager removed.",
    );
    Ok(redirect(&format!("/clients/{}#account-managers", client.0)))
}
