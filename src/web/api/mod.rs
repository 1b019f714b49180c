//! The JSON API under /api/v1: its route table (the OpenAPI document must list exactly these),
//! the bearer-token caller, and what every handler shares (If-Match, the JSON body's errors).
//! No cookies: a browser session means nothing here, and CSRF does not apply.

pub mod alerts;
pub mod clients;
pub mod openapi;
pub mod problem;
pub mod tickets;
pub mod tickets_write;

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, web};

use utoipa::OpenApi;

use self::problem::Problem;
use crate::db::{self, api_tokens};
use crate::domain::api_token::{Need, Scope, retry_after_seconds};
use crate::domain::ids::UserId;
use crate::state::AppState;

/// The API's route table. Paths are written out in full so the route matrix and the OpenAPI
/// coverage test read them from this file.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/openapi.json", web::get().to(openapi::document))
        .route("/api/v1/tickets", web::get().to(tickets::list))
        .route("/api/v1/tickets", web::post().to(tickets_write::create))
        .route("/api/v1/tickets/{id}", web::get().to(tickets::show))
        .route(
            "/api/v1/tickets/{id}/notes",
            web::post().to(tickets_write::note),
        )
        .route(
            "/api/v1/tickets/{id}/status",
            web::post().to(tickets_write::change_status),
        )
        .route("/api/v1/clients", web::get().to(clients::list))
        .route("/api/v1/clients/{id}", web::get().to(clients::show))
        .route(
            "/api/v1/clients/{id}/contacts",
            web::get().to(clients::contacts),
        )
        .route("/api/v1/contacts/{id}", web::get().to(clients::contact))
        .route("/api/v1/alerts", web::post().to(alerts::receive));
}

/// The answer to an API request no route takes: 405 with `Allow` when the path is an API
/// route for other methods (read from the OpenAPI document, which lists every route), 404
/// otherwise.
pub fn unrouted(req: &HttpRequest) -> Problem {
    let allowed = req
        .resource_map()
        .match_pattern(req.path())
        .map(|pattern| allowed_methods(&pattern))
        .unwrap_or_default();
    if allowed.is_empty() {
        return Problem::new(
            StatusCode::NOT_FOUND,
            "/api/v1/problems/not-found",
            "Not found",
            format!(
                "There is no API route {}; the routes are listed in /api/v1/openapi.json.",
                req.path()
            ),
        );
    }
    Problem::method_not_allowed(req.method().as_str(), req.path(), &allowed)
}

fn allowed_methods(pattern: &str) -> Vec<&'static str> {
    let document = openapi::ApiDoc::openapi();
    let Some(item) = document.paths.paths.get(pattern) else {
        return Vec::new();
    };
    [
        ("GET", item.get.is_some()),
        ("HEAD", item.get.is_some()),
        ("POST", item.post.is_some()),
        ("PUT", item.put.is_some()),
        ("PATCH", item.patch.is_some()),
        ("DELETE", item.delete.is_some()),
    ]
    .into_iter()
    .filter_map(|(method, routed)| routed.then_some(method))
    .collect()
}

/// The token a request came with, counted against its minute's limit.
pub struct Caller {
    pub token_id: i64,
    pub user: UserId,
    pub scope: Scope,
}

impl Caller {
    /// 403 when the token's scope does not cover `need`.
    pub fn needs(&self, need: Need) -> Result<(), Problem> {
        if self.scope.allows(need) {
            Ok(())
        } else {
            Err(Problem::forbidden(format!(
                "A {} token cannot do this.",
                self.scope.label().to_lowercase()
            )))
        }
    }
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .then(|| token.trim().to_string())
}

async fn load_caller(req: HttpRequest) -> Result<Caller, Problem> {
    let Some(secret) = bearer(&req) else {
        return Err(Problem::unauthorized(
            "Send an API token as Authorization: Bearer <token>.",
        ));
    };
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| Problem::from(crate::error::AppError::internal("state missing")))?
        .clone();
    let now = state.clock.now();
    let caller = db::run(&state.pool, move |conn| {
        api_tokens::authenticate(conn, &secret, now)
    })
    .await?
    .ok_or_else(|| {
        Problem::unauthorized("This token is unknown, revoked or expired, or its user is inactive.")
    })?;
    let limit = match caller.scope {
        Scope::Alerts => state.config.api_alert_rate_per_minute,
        Scope::Read | Scope::ReadWrite => state.config.api_rate_per_minute,
    };
    if caller.requests_this_minute > limit {
        return Err(Problem::too_many(retry_after_seconds(now), limit));
    }
    Ok(Caller {
        token_id: caller.token_id,
        user: caller.user,
        scope: caller.scope,
    })
}

impl FromRequest for Caller {
    type Error = Problem;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(load_caller(req.clone()))
    }
}

/// The JSON body, read once the token is known: an extractor would answer a malformed body
/// before the missing token.
pub fn json_body<T: serde::de::DeserializeOwned>(body: &web::Bytes) -> Result<T, Problem> {
    serde_json::from_slice(body)
        .map_err(|e| Problem::bad_request(format!("The body is not the JSON expected: {e}")))
}

/// A ticket's version as its ETag: `"v7"`.
pub fn etag(version: i64) -> String {
    format!("\"v{version}\"")
}

/// The version an If-Match names: 428 without one, 409 for one that is not ours (it cannot
/// match any version, as a stale one does not).
pub fn if_match(req: &HttpRequest) -> Result<i64, Problem> {
    let raw = req
        .headers()
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(Problem::precondition_required)?;
    raw.trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .strip_prefix('v')
        .and_then(|v| v.parse::<i64>().ok())
        .ok_or_else(|| {
            Problem::from(crate::error::AppError::Conflict(format!(
                "If-Match {raw} is not a version of this ticket; read the ticket again."
            )))
        })
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn the_bearer_token_is_read_from_the_authorization_header() {
        let cases = [
            (Some("Bearer abc"), Some("abc")),
            (Some("bearer  abc "), Some("abc")),
            (Some("Basic abc"), None),
            (Some("Bearer "), None),
            (None, None),
        ];
        for (header_value, expected) in cases {
            let mut req = TestRequest::default();
            if let Some(v) = header_value {
                req = req.insert_header((header::AUTHORIZATION, v));
            }
            assert_eq!(
                bearer(&req.to_http_request()).as_deref(),
                expected,
                "{header_value:?}"
            );
        }
    }

    #[test]
    fn if_match_names_a_version_or_is_refused() {
        let with = |v: &str| {
            if_match(
                &TestRequest::default()
                    .insert_header((header::IF_MATCH, v))
                    .to_http_request(),
            )
            .map_err(|p| p.status)
        };
        assert_eq!(with("\"v7\""), Ok(7));
        assert_eq!(with("W/\"v3\""), Ok(3));
        assert_eq!(with("*"), Err(409));
        assert_eq!(
            if_match(&TestRequest::default().to_http_request()).map_err(|p| p.status),
            Err(428)
        );
    }
}
