//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]` and the JSON
//! types' `ToSchema`, so it cannot drift from the code.

use actix_web::HttpResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{alerts, clients, tickets, tickets_write};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "tierdesk API",
        description = "Tickets, clients and monitoring alerts. Authenticate with a personal API \
                       token from /account/tokens: `Authorization: Bearer <token>`. Errors are \
                       application/problem+json (RFC 9457)."
    ),
    paths(
        document,
        tickets::list,
        tickets::show,
        tickets_write::create,
        tickets_write::note,
        tickets_write::change_status,
        clients::list,
        clients::show,
        clients::contacts,
        clients::contact,
        alerts::receive,
    ),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// This document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json"))
)]
pub async fn document() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The route table's API paths, read from the source as the route matrix reads them.
    fn declared() -> Vec<(String, String)> {
        let source = include_str!("mod.rs");
        source
            .match_indices(".route(")
            .filter_map(|(i, _)| {
                let rest = source[i + 7..].trim_start().strip_prefix('"')?;
                let (path, after) = rest.split_once('"')?;
                let after = after.trim_start().trim_start_matches(',').trim_start();
                let method = after.strip_prefix("web::")?.split('(').next()?;
                Some((method.to_string(), path.to_string()))
            })
            .collect()
    }

    #[test]
    fn the_document_lists_every_api_route_and_nothing_else() {
        let doc = ApiDoc::openapi();
        let json = serde_json::to_value(&doc).unwrap();
        assert!(json["openapi"].as_str().unwrap().starts_with("3.1"));
        let mut documented: Vec<(String, String)> = json["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, item)| {
                item.as_object()
                    .unwrap()
                    .keys()
                    .filter(|k| ["get", "post", "put", "patch", "delete"].contains(&k.as_str()))
                    .map(move |method| (method.clone(), path.clone()))
            })
            .collect();
        let mut declared = declared();
        documented.sort();
        declared.sort();
        assert!(declared.len() >= 11, "{declared:?}");
        assert_eq!(documented, declared);
    }
}
