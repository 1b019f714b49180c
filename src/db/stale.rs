//! Saves from the desk's edit forms (accounts, clients, contacts, calendars, policies, the
//! escalation ladder) name the version of the record their form was filled from. A record saved
//! by someone else since is not overwritten: the save is refused as a conflict, and the form
//! comes back with what the user typed.

use crate::error::{AppError, AppResult};

/// The refusal of a stale save of `what` ("account", "client").
pub fn stale(what: &str) -> AppError {
    AppError::Conflict(format!(
        "Someone else saved this {what} after you opened the form, so nothing of yours was saved. \
         Your changes are still in the form below: open the {what} again to see theirs, then make yours."
    ))
}

/// Refuses a save whose form was filled from another version than `current`.
pub fn ensure_current(current: i64, expected: i64, what: &str) -> AppResult<()> {
    if current == expected {
        Ok(())
    } else {
        Err(stale(what))
    }
}
