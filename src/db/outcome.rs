//! What a command answers: the saved value, or the user's input refused with the problems to
//! show beside its fields (the form comes back with the user's text), or an error page.

use crate::domain::inputs::FieldErrors;
use crate::error::{AppError, AppResult};

/// A command's answer: `Err` outside is an error page, `Err` inside is a refused form.
pub type Outcome<T> = AppResult<Result<T, FieldErrors>>;

/// Refuses the form with one problem beside `field`.
pub fn refuse<T>(field: &'static str, message: impl Into<String>) -> Outcome<T> {
    Ok(Err(FieldErrors::single(field, message)))
}

/// For a step the desk takes itself (a severity rule, an approved request): a refusal there is
/// a broken row or a bug, not the user's input, so it becomes an internal error.
pub fn accepted<T>(result: Result<T, FieldErrors>, what: &str) -> AppResult<T> {
    result.map_err(|errors| AppError::internal(format!("{what} refused: {errors:?}")))
}

/// The value of an `Outcome`, or returns its refusal (or error) from the enclosing command.
macro_rules! or_refuse {
    ($outcome:expr) => {
        match $outcome? {
            Ok(value) => value,
            Err(errors) => return Ok(Err(errors)),
        }
    };
}
pub(crate) use or_refuse;
