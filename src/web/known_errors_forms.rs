//! What the KEDB's and the knowledge base's edit forms share: the typed input taken with the
//! version it was made from, and the answer to a save (a redirect with a flash, or the
//! conflict page keeping the user's text).

use actix_web::HttpResponse;

use super::extract::CurrentUser;
use super::forms::{Changed, conflict, parse_version};
use super::page::{FlashKind, flash, redirect};
use crate::domain::inputs::FieldErrors;
use crate::error::{AppError, AppResult};

/// The parsed input and the version it was edited from; a missing version is reported beside
/// the title, the forms' first field.
pub fn with_version<T>(
    parsed: Result<T, FieldErrors>,
    raw_version: &str,
) -> Result<(T, i64), FieldErrors> {
    match (parsed, parse_version(raw_version)) {
        (Ok(input), Ok(version)) => Ok((input, version)),
        (parsed, version) => {
            let mut errors = parsed.err().unwrap_or_default();
            if let Err(message) = version {
                errors.add("title", message);
            }
            Err(errors)
        }
    }
}

/// Where a save leads and what the user is told.
pub struct Saved<'a> {
    /// The page of the saved record, and the conflict page's way back to it.
    pub back: &'a str,
    pub done: &'a str,
    /// The record as the conflict page names it, and its link's label.
    pub subject: &'a str,
    pub back_label: &'a str,
}

/// Answers a save: the record's page with `done`, or, when someone saved it first, the
/// conflict page with `kept` (what the user typed).
pub fn answer(
    user: &CurrentUser,
    saved: AppResult<()>,
    to: Saved<'_>,
    kept: String,
) -> AppResult<HttpResponse> {
    match saved {
        Ok(()) => {
            flash(&user.session, FlashKind::Success, to.done);
            Ok(redirect(to.back))
        }
        Err(AppError::Conflict(message)) => {
            let changed = Changed {
                subject: to.subject,
                back: to.back,
                back_label: to.back_label,
            };
            conflict(user.ctx(), changed, message, kept)
        }
        Err(e) => Err(e),
    }
}
