//! Signing in and out, and the account's own settings: password, sessions, away.

use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::extract::{CurrentUser, SESSION_TOKEN};
use super::forms::invalid;
use super::page::{
    Ctx, FlashKind, SESSION_CSRF, flash, redirect, render, render_status, safe_next,
};
use crate::db::{self, sessions, throttle};
use crate::domain::client_address::{TrustedProxies, client_address};
use crate::domain::inputs::{EmailAddress, FieldErrors, NewPassword};
use crate::domain::session::one_time_password_usable;
use crate::domain::throttle::{ThrottlePolicy, Verdict, describe_wait};
use crate::error::{AppError, AppResult};
use crate::security;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginQuery {
    next: Option<String>,
    idle: Option<String>,
    expired: Option<String>,
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
    } else if query.expired.is_some() {
        Some("Your session reached its time limit and ended. Sign in again to continue.")
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

/// Which password check was refused, in the words of its message.
#[derive(Clone, Copy)]
enum Guarded {
    SignIn,
    PasswordPage,
}

/// What a refused attempt is told, and how long it should wait.
fn refusal(verdict: Verdict, guarded: Guarded) -> (String, chrono::Duration) {
    let wait = verdict.retry_after().unwrap_or_else(chrono::Duration::zero);
    let (failures, locked) = match guarded {
        Guarded::SignIn => ("failed sign-ins", "sign-in is locked"),
        Guarded::PasswordPage => (
            "wrong current passwords",
            "changing your password is locked",
        ),
    };
    let message = if matches!(verdict, Verdict::Locked { .. }) {
        format!(
            "Too many {failures}: {locked} for {}. Ask an admin if you have forgotten your password.",
            describe_wait(wait)
        )
    } else {
        format!(
            "Too many {failures}. Wait {} before trying again.",
            describe_wait(wait)
        )
    };
    (message, wait)
}

/// The page with its message, as 429 with `Retry-After`.
fn too_many(page: &impl Template, wait: chrono::Duration) -> AppResult<HttpResponse> {
    let mut response = render_status(page, StatusCode::TOO_MANY_REQUESTS)?;
    let seconds = wait.num_seconds().max(1).to_string();
    if let Ok(value) = header::HeaderValue::from_str(&seconds) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    Ok(response)
}

/// The address sign-in attempts are counted against (see `TRUSTED_PROXIES`).
fn requesting_address(req: &HttpRequest, trusted: &TrustedProxies) -> String {
    let Some(peer) = req.peer_addr().map(|a| a.ip()) else {
        return "unknown".into();
    };
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .collect();
    client_address(peer, &forwarded, trusted).to_string()
}

/// Longer passwords are refused without hashing: argon2 over a megabyte would be a cheap way
/// to keep the hashing slots busy.
const MAX_PASSWORD_BYTES: usize = 1024;

pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    form: web::Form<LoginForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let now = state.clock.now();
    let address = requesting_address(&req, &state.config.trusted_proxies);
    let account_key = throttle::account_key(&form.email);
    let address_key = throttle::address_key(&address);

    let page = |error: String| LoginPage {
        ctx: Ctx::new(&session, None),
        email: form.email.clone(),
        next: form.next.clone(),
        error: Some(error),
        notice: None,
    };

    let reserved = {
        let (account_key, address_key) = (account_key.clone(), address_key.clone());
        db::run(&state.pool, move |conn| {
            throttle::reserve(
                conn,
                &[
                    (&account_key, &ThrottlePolicy::ACCOUNT),
                    (&address_key, &ThrottlePolicy::ADDRESS),
                ],
                now,
            )
        })
        .await?
    };
    let reservation = match reserved {
        Ok(reservation) => reservation,
        Err(verdict) => {
            let (message, wait) = refusal(verdict, Guarded::SignIn);
            return too_many(&page(message), wait);
        }
    };

    let plausible = form.password.len() <= MAX_PASSWORD_BYTES;
    let user = match EmailAddress::parse(&form.email) {
        Ok(email) if plausible => {
            db::run(&state.pool, move |conn| {
                db::users::find_by_email(conn, &email)
            })
            .await?
        }
        _ => None,
    };
    let password = form.password.clone();
    let (user, verified) = if plausible {
        state
            .password_work(move || {
                let verified = match &user {
                    Some(u) => security::verify_password(&password, &u.password_hash),
                    None => {
                        security::burn_password_check(&password);
                        false
                    }
                };
                (user, verified)
            })
            .await?
    } else {
        (None, false)
    };

    let Some(user) = user.filter(|u| verified && u.active) else {
        tracing::warn!(%address, "failed sign-in");
        return render_status(
            &page("That e-mail address and password do not match an active account.".into()),
            StatusCode::UNAUTHORIZED,
        );
    };
    let expires_at = user.one_time_password_expires_at.map(|t| t.and_utc());
    if user.must_change_password && !one_time_password_usable(expires_at, now) {
        tracing::warn!(user_id = user.id, "spent or expired one-time password");
        return render_status(
            &page("This one-time password has expired or has already been used. Ask an admin for a new one.".into()),
            StatusCode::UNAUTHORIZED,
        );
    }

    let (id, limits) = (user.id(), state.config.session_limits());
    let token = db::run(&state.pool, move |conn| {
        throttle::succeeded(conn, reservation, &account_key)?;
        sessions::sign_in(conn, id, &limits, now)
    })
    .await?;
    session.renew();
    session.remove(SESSION_CSRF);
    session
        .insert(SESSION_TOKEN, token)
        .map_err(|e| AppError::internal(format!("session: {e}")))?;
    tracing::info!(user_id = user.id, "signed in");
    if user.must_change_password {
        return Ok(redirect("/account/password"));
    }
    Ok(redirect(safe_next(&form.next)))
}

/// Ends this session on the server too, so a copy of the cookie taken before stops working.
pub async fn logout(state: web::Data<AppState>, session: Session) -> AppResult<HttpResponse> {
    if let Some(token) = session.get::<String>(SESSION_TOKEN).ok().flatten() {
        db::run(&state.pool, move |conn| sessions::end(conn, &token)).await?;
    }
    session.purge();
    Ok(redirect("/login?bye=1"))
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
    let (id, now) = (user.id(), state.clock.now());
    let forced = user.row.must_change_password;
    let page = |errors| PasswordPage {
        ctx: user.ctx(),
        forced,
        errors,
    };

    let key = throttle::password_page_key(id.0);
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
            let (message, wait) = refusal(verdict, Guarded::PasswordPage);
            return too_many(
                &page(FieldErrors::single("current_password", message)),
                wait,
            );
        }
    };

    let stored_hash = user.row.password_hash.clone();
    let checked = state
        .password_work(move || {
            let mut errors = FieldErrors::new();
            if form.current_password.len() > MAX_PASSWORD_BYTES
                || !security::verify_password(&form.current_password, &stored_hash)
            {
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
            let current_ok = errors.get("current_password").is_none();
            let outcome = match new {
                Some(new) if errors.is_empty() => security::hash_password(new.expose())
                    .map(Ok)
                    .map_err(AppError::Internal),
                _ => Ok(Err(errors)),
            };
            (current_ok, outcome)
        })
        .await?;
    let (current_ok, outcome) = checked;

    let hash = match outcome? {
        Ok(hash) => hash,
        Err(errors) => {
            if current_ok {
                db::run(&state.pool, move |conn| {
                    throttle::succeeded(conn, reservation, &key)
                })
                .await?;
            }
            return invalid(&page(errors));
        }
    };
    let limits = state.config.session_limits();
    let token = db::run(&state.pool, move |conn| {
        throttle::succeeded(conn, reservation, &key)?;
        db::users::set_password(conn, id, &hash, now)?;
        sessions::sign_in(conn, id, &limits, now)
    })
    .await?;
    user.session.renew();
    user.session
        .insert(SESSION_TOKEN, token)
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
        db::users::sign_out_everywhere(conn, id, now)
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
