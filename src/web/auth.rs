//! Signing in and out, and the account's own settings: password, sessions, away.

use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::extract::{CurrentUser, SESSION_SEEN, SESSION_USER, SESSION_VERSION};
use super::forms::invalid;
use super::page::{
    Ctx, FlashKind, SESSION_CSRF, flash, redirect, render, render_status, safe_next,
};
use crate::db::{self, throttle};
use crate::domain::inputs::{EmailAddress, FieldErrors, NewPassword};
use crate::domain::throttle::{ThrottlePolicy, Verdict, describe_wait};
use crate::error::{AppError, AppResult};
use crate::security;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginQuery {
    next: Option<String>,
    idle: Option<String>,
    bye: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    email: String,
    password: String,
    next: String,
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    ctx: Ctx,
    email: String,
    next: String,
    error: Option<String>,
    notice: Option<&'static str>,
}

pub async fn login_form(
    session: Session,
    query: web::Query<LoginQuery>,
) -> AppResult<HttpResponse> {
    let notice = if query.idle.is_some() {
        Some("You were signed out after a period of inactivity. Sign in again to continue.")
    } else if query.bye.is_some() {
        Some("You are signed out.")
    } else {
        None
    };
    render(&LoginPage {
        ctx: Ctx::new(&session, None),
        email: String::new(),
        next: query.next.clone().unwrap_or_default(),
        error: None,
        notice,
    })
}

fn refusal_message(verdict: Verdict) -> Option<(String, chrono::Duration)> {
    match verdict {
        Verdict::Allowed => None,
        Verdict::SlowDown { retry_after } => Some((
            format!(
                "Too many failed sign-ins. Wait {} before trying again.",
                describe_wait(retry_after)
            ),
            retry_after,
        )),
        Verdict::Locked { retry_after } => Some((
            format!(
                "Too many failed sign-ins: sign-in is locked for {}. Ask an admin if you have forgotten your password.",
                describe_wait(retry_after)
            ),
            retry_after,
        )),
    }
}

pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    form: web::Form<LoginForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let now = state.clock.now();
    let email_key = form.email.trim().to_lowercase();
    let address = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    let account_key = throttle::account_key(&email_key);
    let address_key = throttle::address_key(&address);

    let page = |error: String| LoginPage {
        ctx: Ctx::new(&session, None),
        email: form.email.clone(),
        next: form.next.clone(),
        error: Some(error),
        notice: None,
    };

    let verdict = {
        let (account_key, address_key) = (account_key.clone(), address_key.clone());
        db::run(&state.pool, move |conn| {
            let account = throttle::verdict(conn, &account_key, &ThrottlePolicy::ACCOUNT, now)?;
            let address = throttle::verdict(conn, &address_key, &ThrottlePolicy::ADDRESS, now)?;
            Ok(account.stricter(address))
        })
        .await?
    };
    if let Some((message, retry_after)) = refusal_message(verdict) {
        let mut response = render_status(&page(message), StatusCode::TOO_MANY_REQUESTS)?;
        let seconds = retry_after.num_seconds().max(1).to_string();
        if let Ok(value) = header::HeaderValue::from_str(&seconds) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return Ok(response);
    }

    let user = match EmailAddress::parse(&form.email) {
        Ok(email) => {
            db::run(&state.pool, move |conn| {
                db::users::find_by_email(conn, &email)
            })
            .await?
        }
        Err(_) => None,
    };
    let password = form.password.clone();
    let (user, verified) = web::block(move || {
        let verified = match &user {
            Some(u) => security::verify_password(&password, &u.password_hash),
            None => {
                security::burn_password_check(&password);
                false
            }
        };
        (user, verified)
    })
    .await?;

    match user.filter(|u| verified && u.active) {
        Some(user) => {
            db::run(&state.pool, move |conn| throttle::clear(conn, &account_key)).await?;
            session.renew();
            session.remove(SESSION_CSRF);
            let stored = session
                .insert(SESSION_USER, user.id)
                .and_then(|_| session.insert(SESSION_VERSION, user.session_version))
                .and_then(|_| session.insert(SESSION_SEEN, now.timestamp()));
            stored.map_err(|e| AppError::internal(format!("session: {e}")))?;
            tracing::info!(user_id = user.id, "signed in");
            if user.must_change_password {
                return Ok(redirect("/account/password"));
            }
            Ok(redirect(safe_next(&form.next)))
        }
        None => {
            db::run(&state.pool, move |conn| {
                throttle::record_failure(conn, &[&account_key, &address_key], now)
            })
            .await?;
            tracing::warn!(%address, "failed sign-in");
            render_status(
                &page("That e-mail address and password do not match an active account.".into()),
                StatusCode::UNAUTHORIZED,
            )
        }
    }
}

pub async fn logout(session: Session) -> HttpResponse {
    session.purge();
    redirect("/login?bye=1")
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

#[derive(Template)]
#[template(path = "auth/password.html")]
struct PasswordPage {
    ctx: Ctx,
    forced: bool,
    errors: FieldErrors,
}

pub async fn password_form(user: CurrentUser) -> AppResult<HttpResponse> {
    render(&PasswordPage {
        ctx: user.ctx(),
        forced: user.row.must_change_password,
        errors: FieldErrors::new(),
    })
}

pub async fn change_password(
    state: web::Data<AppState>,
    user: CurrentUser,
    form: web::Form<PasswordForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let stored_hash = user.row.password_hash.clone();
    let checked = web::block(move || {
        let mut errors = FieldErrors::new();
        if !security::verify_password(&form.current_password, &stored_hash) {
            errors.add("current_password", "That is not your current password.");
        }
        let new = errors.take(
            "new_password",
            NewPassword::parse(&form.new_password, &form.confirm_password),
        );
        if let Some(new) = &new
            && new.expose() == form.current_password
        {
            errors.add(
                "new_password",
                "Choose a password different from the current one.",
            );
        }
        match new {
            Some(new) if errors.is_empty() => security::hash_password(new.expose())
                .map(Ok)
                .map_err(AppError::Internal),
            _ => Ok(Err(errors)),
        }
    })
    .await??;

    let hash = match checked {
        Ok(hash) => hash,
        Err(errors) => {
            return invalid(&PasswordPage {
                ctx: user.ctx(),
                forced: user.row.must_change_password,
                errors,
            });
        }
    };
    let id = user.id();
    let now = state.clock.now();
    let version = db::run(&state.pool, move |conn| {
        db::users::set_password(conn, id, &hash, now)
    })
    .await?;
    user.session.renew();
    user.session
        .insert(SESSION_VERSION, version)
        .map_err(|e| AppError::internal(format!("session: {e}")))?;
    flash(
        &user.session,
        FlashKind::Success,
        "Your password is changed. Other sessions of your account were signed out.",
    );
    Ok(redirect("/"))
}

/// Ends every session of the account, this one included: for a lost laptop or a shared
/// computer someone forgot to sign out of.
pub async fn sign_out_everywhere(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> AppResult<HttpResponse> {
    let (id, now) = (user.id(), state.clock.now());
    db::run(&state.pool, move |conn| {
        db::users::revoke_sessions(conn, id, now)
    })
    .await?;
    user.session.purge();
    Ok(redirect("/login?bye=1"))
}

/// "I'm away" / "I'm back": assignment ranks away people last.
pub async fn toggle_away(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    let (id, away, now) = (user.id(), !user.row.away, state.clock.now());
    db::run(&state.pool, move |conn| {
        db::users::set_away(conn, id, away, now)
    })
    .await?;
    flash(
        &user.session,
        FlashKind::Notice,
        if away {
            "You are marked away: new assignments will prefer others."
        } else {
            "Welcome back: you are available for assignments."
        },
    );
    Ok(redirect("/"))
}
