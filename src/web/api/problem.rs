//! The API's errors as `application/problem+json` (RFC 9457): each `AppError` mapped once to
//! the status the browser gets for the same refusal, plus the API's own 401, 412/428 and 429.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError, http::header};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::inputs::FieldErrors;
use crate::error::AppError;

/// One field's problem, as the form would show it beside the field.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// An RFC 9457 problem document.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`about:blank` when the status says it all).
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The fields refused and why (422 only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// Headers a few statuses call for; boxed so every `Result<_, Problem>` stays small.
    #[serde(skip)]
    headers: Option<Box<Headers>>,
}

#[derive(Clone, Debug, Default)]
struct Headers {
    retry_after: Option<i64>,
    /// The methods a path takes, for a 405.
    allow: Option<String>,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.title, self.detail)
    }
}

impl Problem {
    pub fn new(status: StatusCode, kind: &str, title: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: kind.into(),
            title: title.into(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            headers: None,
        }
    }

    pub fn unauthorized(detail: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "/api/v1/problems/unauthorized",
            "Unauthorized",
            detail,
        )
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "/api/v1/problems/forbidden",
            "Forbidden",
            detail,
        )
    }

    pub fn invalid(errors: &FieldErrors) -> Self {
        let mut problem = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "/api/v1/problems/invalid",
            "Invalid input",
            format!("{} field(s) were refused; see errors.", errors.len().max(1)),
        );
        problem.errors = errors
            .iter()
            .map(|(field, message)| FieldProblem {
                field: field.into(),
                message: message.into(),
            })
            .collect();
        problem
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "/api/v1/problems/bad-request",
            "Bad request",
            detail,
        )
    }

    pub fn precondition_required() -> Self {
        Self::new(
            StatusCode::PRECONDITION_REQUIRED,
            "/api/v1/problems/if-match-required",
            "If-Match required",
            "Send If-Match with the ETag of the ticket as you read it.",
        )
    }

    fn headers(&mut self) -> &mut Headers {
        self.headers.get_or_insert_with(Box::default)
    }

    pub fn method_not_allowed(method: &str, path: &str, allowed: &[&str]) -> Self {
        let mut problem = Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "/api/v1/problems/method-not-allowed",
            "Method not allowed",
            format!(
                "{path} does not take {method}; it takes {}.",
                allowed.join(", ")
            ),
        );
        problem.headers().allow = Some(allowed.join(", "));
        problem
    }

    pub fn too_many(retry_after: i64, limit: i64) -> Self {
        let mut problem = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "/api/v1/problems/rate-limited",
            "Too many requests",
            format!("This token may make {limit} requests a minute; retry in {retry_after} s."),
        );
        problem.headers().retry_after = Some(retry_after);
        problem
    }
}

impl From<AppError> for Problem {
    fn from(error: AppError) -> Self {
        let status = error.status_code();
        match error {
            AppError::NotFound => Self::new(
                StatusCode::NOT_FOUND,
                "/api/v1/problems/not-found",
                "Not found",
                "There is no such record.",
            ),
            AppError::Forbidden | AppError::Csrf => {
                Self::forbidden("This token's user may not do this.")
            }
            AppError::ForbiddenBecause(rule) => Self::forbidden(rule),
            AppError::Unauthenticated { .. } | AppError::PasswordChangeRequired => {
                Self::unauthorized("Send a live API token as Authorization: Bearer <token>.")
            }
            // The stale version of an If-Match: the browser's 409 for a stale form.
            AppError::Conflict(message) => Self::new(
                StatusCode::CONFLICT,
                "/api/v1/problems/conflict",
                "Conflict",
                message,
            ),
            AppError::Unavailable(cause) => {
                tracing::warn!(cause = %cause, "service unavailable");
                let mut problem = Self::new(
                    status,
                    "about:blank",
                    "Service unavailable",
                    "The desk cannot reach its database right now.",
                );
                problem.headers().retry_after = Some(5);
                problem
            }
            AppError::Busy => {
                let mut problem =
                    Self::new(status, "about:blank", "Service unavailable", "Busy; retry.");
                problem.headers().retry_after = Some(5);
                problem
            }
            AppError::Internal(cause) => {
                tracing::error!(error = ?cause, "internal error");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "about:blank",
                    "Internal error",
                    "The desk hit an unexpected error; it has been logged.",
                )
            }
        }
    }
}

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.content_type("application/problem+json");
        if let Some(headers) = &self.headers {
            if let Some(seconds) = headers.retry_after {
                response.insert_header((header::RETRY_AFTER, seconds.to_string()));
            }
            if let Some(methods) = &headers.allow {
                response.insert_header((header::ALLOW, methods.as_str()));
            }
        }
        if self.status == 401 {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        response.json(self)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn each_error_keeps_the_browsers_status() {
        let cases = [
            (AppError::NotFound, 404),
            (AppError::Forbidden, 403),
            (AppError::ForbiddenBecause("owner only".into()), 403),
            (AppError::Conflict("stale".into()), 409),
            (AppError::Unavailable("pool".into()), 503),
            (AppError::internal("boom"), 500),
        ];
        for (error, status) in cases {
            let problem = Problem::from(error);
            assert_eq!(problem.status, status, "{problem}");
            assert_eq!(problem.error_response().status().as_u16(), status);
        }
    }

    #[test]
    fn a_refused_input_lists_its_fields() {
        let errors = FieldErrors::from(vec![("subject", "Enter a subject."), ("impact", "Pick.")]);
        let problem = Problem::invalid(&errors);
        let json = serde_json::to_value(&problem).unwrap();
        assert_eq!(json["status"], 422);
        assert_eq!(json["errors"][0]["field"], "subject");
        assert_eq!(json["errors"][1]["message"], "Pick.");
        assert_eq!(
            problem
                .error_response()
                .headers()
                .get(header::CONTENT_TYPE)
                .unwrap(),
            "application/problem+json"
        );
    }
}
