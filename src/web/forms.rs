//! What every form in the desk shares: the parsers of hidden and optional fields, the 422
//! re-render of a refused form, and the 409 page that keeps what the user typed.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::page::{Ctx, FlashKind, flash, redirect, render_status};
use crate::db::{self, DbConn};
use crate::domain::inputs::{FieldErrors, parse_required_note};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Free text that must be there, such as the explanation of an escalation or a change, or a
/// manager's comment on a request: up to 4,000 characters.
pub fn required(raw: &str, what: &str) -> Result<String, String> {
    parse_required_note(raw, 4000, &format!("Write {what}."))
}

/// A form checkbox arrives as "on" when ticked and is absent otherwise.
pub fn checkbox(value: &Option<String>) -> bool {
    value.as_deref().is_some_and(|v| !v.is_empty())
}

/// A form sent back with the user's text and the errors beside the fields.
pub fn invalid<T: Template>(page: &T) -> AppResult<HttpResponse> {
    render_status(page, StatusCode::UNPROCESSABLE_ENTITY)
}

/// The row version a form was filled from, so a later save by someone else is noticed.
pub fn parse_version(raw: &str) -> Result<i64, String> {
    raw.trim()
        .parse()
        .map_err(|_| "The form is incomplete; reload the ticket.".to_string())
}

/// The parsed input of an edit form with the record version the form was filled from (a hidden
/// field), so `db::stale` can refuse a save over someone else's.
pub fn versioned<I>(
    parsed: Result<I, FieldErrors>,
    raw_version: &str,
) -> Result<(I, i64), FieldErrors> {
    match (parsed, raw_version.trim().parse::<i64>().ok()) {
        (Ok(input), Some(version)) => Ok((input, version)),
        (parsed, version) => {
            let mut errors = parsed.err().unwrap_or_default();
            if version.is_none() {
                errors.add(
                    "version",
                    "This form is missing the version of the record it was filled from; reload the page and make your changes again.",
                );
            }
            Err(errors)
        }
    }
}

/// An id from a select where "none" is allowed; anything else must be a number from the list.
pub fn parse_optional_id(raw: &str, what: &str) -> Result<Option<i64>, String> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(None);
    }
    value
        .parse()
        .map(Some)
        .map_err(|_| format!("Choose {what} from the list."))
}

/// Where a saved form leads: the flash to show and the page to go to.
pub struct Saved {
    pub flash: String,
    pub to: String,
}

/// Every form outside the ticket page: the parsed input goes to one command; a refusal, from
/// the parser or from the command, shows `page` again with the errors beside the fields (422),
/// and a stale save (`db::stale`) shows it again with the conflict explained (409); a success
/// redirects with a flash.
pub async fn submit<I, T, P>(
    state: &AppState,
    session: &Session,
    parsed: Result<I, FieldErrors>,
    command: impl FnOnce(&mut DbConn, I) -> AppResult<Result<T, FieldErrors>> + Send + 'static,
    page: impl FnOnce(FieldErrors) -> P,
    saved: impl FnOnce(T) -> Saved,
) -> AppResult<HttpResponse>
where
    I: Send + 'static,
    T: Send + 'static,
    P: Template,
{
    let input = match parsed {
        Ok(input) => input,
        Err(errors) => return invalid(&page(errors)),
    };
    match db::run(&state.pool, move |conn| command(conn, input)).await {
        Ok(Ok(row)) => {
            let Saved { flash: text, to } = saved(row);
            flash(session, FlashKind::Success, text);
            Ok(redirect(&to))
        }
        Ok(Err(errors)) => invalid(&page(errors)),
        // Someone else saved first: the same form, the user's text in it, and why (409).
        Err(AppError::Conflict(message)) => render_status(
            &page(FieldErrors::single("version", message)),
            StatusCode::CONFLICT,
        ),
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "errors/conflict.html")]
struct ConflictPage<'a> {
    ctx: Ctx,
    subject: &'a str,
    message: String,
    kept: String,
    back: &'a str,
    back_label: &'a str,
}

/// Where a conflict page leads: what was changed, and the link to see it as it is now.
pub struct Changed<'a> {
    pub subject: &'a str,
    pub back: &'a str,
    pub back_label: &'a str,
}

/// Someone else saved first: the 409 page with the command's reason and what the user typed,
/// to copy back once they have seen the change.
pub fn conflict(
    ctx: Ctx,
    changed: Changed<'_>,
    message: String,
    kept: String,
) -> AppResult<HttpResponse> {
    render_status(
        &ConflictPage {
            ctx,
            subject: changed.subject,
            message,
            kept,
            back: changed.back,
            back_label: changed.back_label,
        },
        StatusCode::CONFLICT,
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn page() -> ConflictPage<'static> {
        ConflictPage {
            ctx: Ctx::anonymous(),
            subject: "Request #7",
            message: "Someone decided it first.".into(),
            kept: "My comment".into(),
            back: "/approvals",
            back_label: "Open the approvals as they are now",
        }
    }

    #[test]
    fn a_conflict_is_a_409_that_keeps_the_users_text() {
        let changed = Changed {
            subject: "Request #7",
            back: "/approvals",
            back_label: "Open the approvals as they are now",
        };
        let response = conflict(
            Ctx::anonymous(),
            changed,
            "Someone decided it first.".into(),
            "My comment".into(),
        )
        .unwrap();
        assert_eq!(response.status(), StatusCode::CONFLICT);
        let html = page().render().unwrap();
        assert!(html.contains("Request #7 was changed by someone else"));
        assert!(html.contains(">My comment</textarea>"));
        assert!(html.contains("href=\"/approvals\""));
    }

    #[test]
    fn versions_and_optional_ids_parse_or_say_what_to_do() {
        assert_eq!(parse_version(" 3 "), Ok(3));
        assert!(parse_version("").is_err());
        assert_eq!(parse_optional_id("", "a level"), Ok(None));
        assert_eq!(parse_optional_id("12", "a level"), Ok(Some(12)));
        assert_eq!(
            parse_optional_id("x", "a level"),
            Err("Choose a level from the list.".to_string())
        );
    }
}
