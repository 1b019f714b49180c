//! What every form in the desk shares: the parsers of hidden and optional fields, the 422
//! re-render of a refused form, and the 409 page that keeps what the user typed.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::page::render_status;
use crate::error::AppResult;

pub use super::page::checkbox;

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
