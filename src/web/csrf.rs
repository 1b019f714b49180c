//! Every POST must carry the session's CSRF token. Checked once here, for every route, so
//! that no handler can forget it. Forms send it as the `csrf_token` field; multipart forms,
//! whose bodies are not read here, send it in the query string. The form body read here is
//! also cleaned of control characters (`form_text`) on its way to the handler.

use actix_session::SessionExt;
use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use futures_util::StreamExt;

use super::form_text;
use super::page::SESSION_CSRF;
use crate::error::AppError;
use crate::security::constant_time_eq;

pub const FIELD: &str = "csrf_token";

/// Larger form bodies are refused before they are buffered.
pub const MAX_FORM_BYTES: usize = 256 * 1024;

/// Machine clients authenticate with a bearer token, not a cookie, so CSRF cannot reach them.
const EXEMPT_PREFIXES: [&str; 1] = ["/api/"];

fn token_in(pairs: &[u8]) -> Option<String> {
    form_urlencoded::parse(pairs)
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v.into_owned())
}

pub async fn guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !unsafe_method || EXEMPT_PREFIXES.iter().any(|p| req.path().starts_with(p)) {
        return next.call(req).await;
    }

    let expected = req.get_session().get::<String>(SESSION_CSRF).ok().flatten();
    let is_urlencoded = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));

    let presented = if is_urlencoded {
        let mut payload = req.take_payload();
        let mut body = BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk?;
            if body.len() + chunk.len() > MAX_FORM_BYTES {
                return Err(actix_web::error::ErrorPayloadTooLarge(
                    "the form is larger than this desk accepts",
                ));
            }
            body.extend_from_slice(&chunk);
        }
        let body: Bytes = match form_text::without_control_characters(&body) {
            Some(cleaned) => cleaned,
            None => body.freeze(),
        };
        let token = token_in(&body);
        req.set_payload(actix_web::dev::Payload::from(body));
        token
    } else {
        token_in(req.query_string().as_bytes())
    };

    match (expected, presented) {
        (Some(expected), Some(presented))
            if constant_time_eq(expected.as_bytes(), presented.as_bytes()) =>
        {
            next.call(req).await
        }
        _ => {
            tracing::warn!(path = %req.path(), "CSRF token missing or wrong");
            Err(AppError::Csrf.into())
        }
    }
}
