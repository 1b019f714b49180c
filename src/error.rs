//! The one error type, free of HTML: what went wrong, in the terms of the desk. Each variant
//! is mapped once to a status and a page by `web::error_page`, so every layer below `web`
//! can return it without knowing how it is shown.

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// Not allowed, with the rule that says so ("Only the ticket's owner may mark it solved").
    #[error("forbidden: {0}")]
    ForbiddenBecause(String),
    #[error("the form expired or did not come from this desk")]
    Csrf,
    /// Not signed in: the browser is sent to the sign-in page and back to `next` afterwards.
    #[error("sign-in required")]
    Unauthenticated { next: String, ended: SessionEnd },
    /// Signed in with a one-time password: nothing else until it is replaced.
    #[error("password change required")]
    PasswordChangeRequired,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Too many password checks are already running or queued; the client should retry soon.
    #[error("busy: password checks queued")]
    Busy,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

/// Why a request has no signed-in user, so the sign-in page can say what happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionEnd {
    NeverSignedIn,
    /// The idle timeout passed.
    Idle,
    /// The session reached its absolute lifetime.
    Expired,
}

impl AppError {
    pub fn internal(message: impl std::fmt::Display) -> Self {
        Self::Internal(anyhow::anyhow!("{message}"))
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => Self::NotFound,
            other => Self::Internal(other.into()),
        }
    }
}

impl From<r2d2::Error> for AppError {
    fn from(e: r2d2::Error) -> Self {
        Self::Unavailable(format!("database connection: {e}"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::internal(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_error_other_than_not_found_is_internal() {
        assert!(matches!(
            AppError::from(diesel::result::Error::NotFound),
            AppError::NotFound
        ));
        assert!(matches!(
            AppError::from(diesel::result::Error::RollbackTransaction),
            AppError::Internal(_)
        ));
    }
}
