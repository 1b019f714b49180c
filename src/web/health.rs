//! `GET /healthz`: for load balancers and monitoring; says whether the database answers.

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::db;
use crate::state::AppState;

pub async fn check(state: web::Data<AppState>) -> HttpResponse {
    let backend = state.config.database_url.backend_name();
    match db::run(&state.pool, db::ping).await {
        Ok(()) => HttpResponse::Ok().json(json!({
            "status": "ok",
            "database": "ok",
            "backend": backend,
        })),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unavailable");
            HttpResponse::ServiceUnavailable().json(json!({
                "status": "unavailable",
                "database": "unreachable",
                "backend": backend,
            }))
        }
    }
}
