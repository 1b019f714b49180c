//! How an `AppError` reaches the browser: each variant mapped once to a status and a friendly
//! page (or a redirect to sign in). It lives in `web` so the error type itself stays free of
//! HTML and of the page frame.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError, http::header};
use askama::Template;

use super::page::{Ctx, url_encode};
use crate::error::{AppError, SessionEnd};

#[derive(Template)]
#[template(path = "errors/page.html")]
struct ErrorPage<'a> {
    ctx: Ctx,
    status: u16,
    title: &'a str,
    message: &'a str,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden | Self::ForbiddenBecause(_) | Self::Csrf => StatusCode::FORBIDDEN,
            Self::Unauthenticated { .. } | Self::PasswordChangeRequired => StatusCode::SEE_OTHER,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Unavailable(_) | Self::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let (title, message) = match self {
            Self::Unauthenticated { next, ended } => {
                let location = format!(
                    "/login?next={}{}",
                    url_encode(next),
                    match ended {
                        SessionEnd::NeverSignedIn => "",
                        SessionEnd::Idle => "&idle=1",
                        SessionEnd::Expired => "&expired=1",
                    }
                );
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, location))
                    .finish();
            }
            Self::PasswordChangeRequired => {
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, "/account/password"))
                    .finish();
            }
            Self::NotFound => (
                "Not found",
                "There is nothing here. The link may be old, or the record was removed.",
            ),
            Self::Forbidden => (
                "Not allowed",
                "Your account does not have permission for this page or action.",
            ),
            Self::ForbiddenBecause(rule) => ("Not allowed", rule.as_str()),
            Self::Csrf => (
                "Form expired",
                "This form was open too long or did not come from this desk. Go back, reload the page and send it again.",
            ),
            Self::Conflict(message) => ("Conflict", message.as_str()),
            Self::Unavailable(cause) => {
                tracing::warn!(cause = %cause, "service unavailable");
                (
                    "Temporarily unavailable",
                    "The desk cannot reach its database right now. Try again in a minute.",
                )
            }
            Self::Busy => (
                "Busy",
                "The desk is checking many passwords at once. Wait a few seconds and send the form again.",
            ),
            Self::Internal(cause) => {
                tracing::error!(error = ?cause, "internal error");
                (
                    "Something went wrong",
                    "The desk hit an unexpected error. It has been logged; try again, and tell your administrator if it persists.",
                )
            }
        };
        let page = ErrorPage {
            ctx: Ctx::anonymous(),
            status: status.as_u16(),
            title,
            message,
        };
        let mut response = HttpResponse::build(status);
        if matches!(self, Self::Busy) {
            response.insert_header((header::RETRY_AFTER, "5"));
        }
        match page.render() {
            Ok(body) => response.content_type("text/html; charset=utf-8").body(body),
            Err(e) => {
                tracing::error!(error = %e, "error page did not render");
                response
                    .content_type("text/plain; charset=utf-8")
                    .body(format!("{title}\n\n{message}\n"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn each_error_maps_to_its_status_once() {
        let cases = [
            (AppError::NotFound, StatusCode::NOT_FOUND),
            (AppError::Forbidden, StatusCode::FORBIDDEN),
            (
                AppError::ForbiddenBecause("owner only".into()),
                StatusCode::FORBIDDEN,
            ),
            (AppError::Csrf, StatusCode::FORBIDDEN),
            (
                AppError::Unauthenticated {
                    next: "/tickets".into(),
                    ended: SessionEnd::NeverSignedIn,
                },
                StatusCode::SEE_OTHER,
            ),
            (AppError::PasswordChangeRequired, StatusCode::SEE_OTHER),
            (AppError::Conflict("changed".into()), StatusCode::CONFLICT),
            (
                AppError::Unavailable("pool".into()),
                StatusCode::SERVICE_UNAVAILABLE,
            ),
            (AppError::Busy, StatusCode::SERVICE_UNAVAILABLE),
            (
                AppError::internal("boom"),
                StatusCode::INTERNAL_SERVER_ERROR,
            ),
        ];
        for (error, status) in cases {
            assert_eq!(error.status_code(), status, "{error}");
            assert_eq!(error.error_response().status(), status, "{error}");
        }
    }

    #[test]
    fn sign_in_comes_back_to_the_page_asked_for() {
        let response = AppError::Unauthenticated {
            next: "/tickets?q=a b".into(),
            ended: SessionEnd::Idle,
        }
        .error_response();
        let location = response.headers().get(header::LOCATION).unwrap();
        assert_eq!(location, "/login?next=%2Ftickets%3Fq%3Da+b&idle=1");
    }
}
