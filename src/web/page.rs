//! What every page shares: the signed-in user for the navigation, the CSRF token for forms,
//! and flash messages carried across a redirect.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};
use askama::Template;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};
use crate::security::random_token;

pub const SESSION_CSRF: &str = "csrf";
const SESSION_FLASH: &str = "flash";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlashKind {
    Success,
    Notice,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Flash {
    pub kind: FlashKind,
    pub text: String,
}

impl Flash {
    pub fn css_class(&self) -> &'static str {
        match self.kind {
            FlashKind::Success => "flash flash-success",
            FlashKind::Notice => "flash flash-notice",
        }
    }
}

/// The parts of the signed-in user that the page frame needs.
#[derive(Clone, Debug)]
pub struct NavUser {
    pub id: i64,
    pub name: String,
    pub role_label: &'static str,
    pub is_manager: bool,
    pub is_admin: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Ctx {
    pub user: Option<NavUser>,
    pub csrf: String,
    pub flashes: Vec<Flash>,
}

impl Ctx {
    /// For pages rendered without a session (error pages): no forms, no navigation.
    pub fn anonymous() -> Self {
        Self::default()
    }

    pub fn new(session: &Session, user: Option<NavUser>) -> Self {
        let flashes = take_flashes(session);
        Self {
            user,
            csrf: csrf_token(session),
            flashes,
        }
    }
}

/// The session's CSRF token, created on first use.
pub fn csrf_token(session: &Session) -> String {
    if let Ok(Some(token)) = session.get::<String>(SESSION_CSRF) {
        return token;
    }
    let token = random_token();
    if let Err(e) = session.insert(SESSION_CSRF, &token) {
        tracing::error!(error = %e, "cannot store the CSRF token in the session");
    }
    token
}

pub fn flash(session: &Session, kind: FlashKind, text: impl Into<String>) {
    let mut flashes: Vec<Flash> = session
        .get(SESSION_FLASH)
        .ok()
        .flatten()
        .unwrap_or_default();
    flashes.push(Flash {
        kind,
        text: text.into(),
    });
    if let Err(e) = session.insert(SESSION_FLASH, flashes) {
        tracing::error!(error = %e, "cannot store a flash message");
    }
}

fn take_flashes(session: &Session) -> Vec<Flash> {
    match session.remove_as::<Vec<Flash>>(SESSION_FLASH) {
        Some(Ok(flashes)) => flashes,
        _ => Vec::new(),
    }
}

pub fn render<T: Template>(page: &T) -> AppResult<HttpResponse> {
    render_status(page, StatusCode::OK)
}

/// Renders with a status: 422 for a form sent back with errors, 401/429 for sign-in refusals.
pub fn render_status<T: Template>(page: &T, status: StatusCode) -> AppResult<HttpResponse> {
    let body = page
        .render()
        .map_err(|e| AppError::internal(format!("template: {e}")))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

/// POST/redirect/GET: every successful form ends here.
pub fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish()
}

pub fn url_encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Only same-site paths may be a post-login destination, or the login page becomes an open
/// redirect.
pub fn safe_next(next: &str) -> &str {
    // Browsers drop tabs and newlines from URLs and read "\" as "/", so "/\t/evil" would
    // become "//evil": refuse them anywhere, not only at the start.
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control() || c.is_whitespace());
    if ok { next } else { "/" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        for (next, expected) in [
            ("/clients/3", "/clients/3"),
            ("/", "/"),
            ("//evil.example.com", "/"),
            ("/\\evil.example.com", "/"),
            ("https://evil.example.com", "/"),
            ("", "/"),
            ("/a\r\nSet-Cookie: x", "/"),
            ("/\t/evil.example.com", "/"),
            ("/\t\\evil.example.com", "/"),
            ("/clients?q=a b", "/"),
            ("/ok/\\x", "/"),
        ] {
            assert_eq!(safe_next(next), expected, "{next:?}");
        }
    }
}
