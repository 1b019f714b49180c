//! Monitoring alerts in: parse the payload, store it and apply it to its dedup key's ticket.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::problem::Problem;
use super::{Caller, json_body};
use crate::db::alerts::{Arrival, Ingested};
use crate::domain::alert::{AlertInput, RawAlert};
use crate::domain::api_token::Need;
use crate::state::AppState;

/// An alert as a monitoring tool sends it.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct AlertJson {
    /// The tool or instance ("zabbix-eu").
    pub source: String,
    /// The device the check runs on.
    pub host: String,
    pub check: String,
    /// `critical`, `warning` or `info`.
    pub severity: String,
    /// `firing` or `resolved`.
    pub state: String,
    /// The same key for every alert about one problem: its firings and its recovery.
    pub dedup_key: String,
    pub message: String,
    /// The client's code, when the tool knows it; narrows the mappings to that client's.
    pub client: String,
}

/// What became of the alert.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AlertReceipt {
    pub alert_id: i64,
    /// `opened`, `counted`, `reopened`, `recovered`, `solved` or `ignored`.
    pub outcome: String,
    pub ticket_id: Option<i64>,
    /// Firings on the current ticket, this one included.
    pub firing_count: i64,
}

/// Receives one alert. Every alert is stored, even one no mapping covers (422).
#[utoipa::path(
    post,
    path = "/api/v1/alerts",
    tag = "alerts",
    request_body = AlertJson,
    responses(
        (status = 202, description = "Stored and applied to its ticket", body = AlertReceipt),
        (status = 401, description = "No live token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an alerts token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Refused fields, or stored but no mapping covers the source and host", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's rate", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn receive(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Bytes,
) -> Result<HttpResponse, Problem> {
    caller.needs(Need::Alerts)?;
    let body: AlertJson = json_body(&body)?;
    let raw = RawAlert {
        source: &body.source,
        host: &body.host,
        check: &body.check,
        severity: &body.severity,
        state: &body.state,
        dedup_key: &body.dedup_key,
        message: &body.message,
        client: &body.client,
    };
    let input = AlertInput::parse(&raw).map_err(|e| Problem::invalid(&e))?;
    let described = format!(
        "No alert mapping covers source '{}' and host '{}'{}. The alert is kept; add a mapping \
         on /admin/alert-sources.",
        input.source,
        input.host,
        input
            .client_code
            .as_deref()
            .map(|c| format!(" for client {c}"))
            .unwrap_or_default()
    );
    let arrival = Arrival {
        token: Some(caller.token_id),
        input,
        now: state.clock.now(),
    };
    match state.alert_writer().await?.write(arrival).await? {
        Ingested::Applied {
            alert_id,
            ticket,
            outcome,
            firing_count,
        } => Ok(HttpResponse::Accepted().json(AlertReceipt {
            alert_id,
            outcome: outcome.into(),
            ticket_id: ticket.map(|t| t.0),
            firing_count,
        })),
        Ingested::Unmapped { .. } => Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "/api/v1/problems/unmapped-alert",
            "No mapping for this alert",
            described,
        )),
    }
}
