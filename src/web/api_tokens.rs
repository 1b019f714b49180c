//! The account's API tokens: any staff member issues and revokes their own; admins see and
//! revoke everyone's. A new token's secret is shown once, on the page the form answers with.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::extract::CurrentUser;
use super::forms::invalid;
use super::page::{Ctx, FlashKind, flash, redirect, render};
use crate::db::{self, api_tokens};
use crate::domain::api_token::{NewToken, Scope};
use crate::domain::inputs::FieldErrors;
use crate::error::{AppError, AppResult};
use crate::format::format_time;
use crate::state::AppState;

pub struct TokenLine {
    pub id: i64,
    pub name: String,
    pub holder: String,
    pub scope: &'static str,
    pub created: String,
    pub expires: String,
    pub last_used: String,
    /// "active", "revoked …" or "expired".
    pub state: String,
    pub revocable: bool,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenForm {
    name: String,
    scope: String,
    expires: String,
}

#[derive(Template)]
#[template(path = "account/tokens.html")]
struct TokensPage {
    ctx: Ctx,
    tokens: Vec<TokenLine>,
    everyone: bool,
    form: TokenForm,
    errors: FieldErrors,
    scopes: Vec<(String, String)>,
    /// The secret of the token just issued: shown on this page only.
    issued: Option<String>,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    form: TokenForm,
    errors: FieldErrors,
    issued: Option<String>,
) -> AppResult<TokensPage> {
    let everyone = user.row.role().is_admin();
    let holder = (!everyone).then(|| user.id());
    let rows = db::run(&state.pool, move |conn| api_tokens::list(conn, holder)).await?;
    let (zone, now) = (user.zone(), state.clock.now());
    let when = |at: chrono::NaiveDateTime| format_time(at, zone);
    let tokens = rows
        .into_iter()
        .map(|view| {
            let t = view.token;
            let expired = t.expires_at.is_some_and(|e| e.and_utc() <= now);
            TokenLine {
                id: t.id,
                name: t.name,
                holder: view.holder,
                scope: Scope::parse(&t.scope).map_or("unknown", Scope::label),
                created: when(t.created_at),
                expires: t.expires_at.map_or_else(|| "never".into(), when),
                last_used: t.last_used_at.map_or_else(|| "never".into(), when),
                state: match (t.revoked_at, expired) {
                    (Some(at), _) => format!("revoked {}", when(at)),
                    (None, true) => "expired".into(),
                    (None, false) => "active".into(),
                },
                revocable: t.revoked_at.is_none() && !expired,
            }
        })
        .collect();
    Ok(TokensPage {
        ctx: user.ctx(),
        tokens,
        everyone,
        form,
        errors,
        scopes: Scope::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), s.label().to_string()))
            .collect(),
        issued,
    })
}

pub async fn index(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    let form = TokenForm {
        scope: Scope::Read.as_str().into(),
        ..TokenForm::default()
    };
    render(&page(&state, &user, form, FieldErrors::new(), None).await?)
}

pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    form: web::Form<TokenForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let now = state.clock.now();
    let new = match NewToken::parse(&form.name, &form.scope, &form.expires, now) {
        Ok(new) => new,
        Err(errors) => return invalid(&page(&state, &user, form, errors, None).await?),
    };
    let holder = user.id();
    let (_, secret) = db::run(&state.pool, move |conn| {
        api_tokens::issue(conn, holder, &new, now)
    })
    .await?;
    let fresh = TokenForm {
        scope: Scope::Read.as_str().into(),
        ..TokenForm::default()
    };
    render(&page(&state, &user, fresh, FieldErrors::new(), Some(secret)).await?)
}

pub async fn revoke(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, admin, now) = (user.id(), user.row.role().is_admin(), state.clock.now());
    db::run(&state.pool, move |conn| {
        let token = api_tokens::get(conn, id)?;
        if token.user_id != actor.0 && !admin {
            return Err(AppError::Forbidden);
        }
        api_tokens::revoke(conn, actor, id, now)
    })
    .await?;
    flash(
        &user.session,
        FlashKind::Success,
        "Token revoked: it no longer works.",
    );
    Ok(redirect("/account/tokens"))
}
