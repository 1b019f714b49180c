//! The overview of calendars and SLA policies.

use actix_web::{HttpResponse, web};
use askama::Template;

use crate::db::service_levels::{self as levels};
use crate::db::{self};
use crate::domain::inputs::format_minutes;
use crate::domain::priority::Priority;
use crate::domain::sla::SlaTargets;
use crate::domain::ticket::Kind;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::Admin;
use crate::web::page::{Ctx, render};

#[derive(Template)]
#[template(path = "service_levels/index.html")]
struct IndexPage {
    ctx: Ctx,
    calendars: Vec<levels::CalendarSummary>,
    policies: Vec<PolicyListItem>,
}

pub struct PolicyListItem {
    pub id: i64,
    pub name: String,
    pub client_count: i64,
    pub targets: Vec<TargetCell>,
    pub request_targets: Vec<TargetCell>,
}

/// One priority's (response, resolution, clock) as the overview lists it.
pub type TargetCell = (Priority, String, String, &'static str);

fn cells(targets: &SlaTargets) -> Vec<TargetCell> {
    Priority::ALL
        .into_iter()
        .map(|p| {
            let t = targets.target(p);
            (
                p,
                format_minutes(t.response.num_minutes()),
                format_minutes(t.resolution.num_minutes()),
                t.mode.label(),
            )
        })
        .collect()
}

fn policy_list_item(summary: &levels::PolicySummary) -> AppResult<PolicyListItem> {
    Ok(PolicyListItem {
        id: summary.record.row.id,
        name: summary.record.row.name.clone(),
        client_count: summary.client_count,
        targets: cells(&summary.record.targets_for(Kind::Incident)?),
        request_targets: cells(&summary.record.targets_for(Kind::ServiceRequest)?),
    })
}

pub async fn index(state: web::Data<AppState>, admin: Admin) -> AppResult<HttpResponse> {
    let (calendars, policies) = db::run(&state.pool, |conn| {
        Ok((levels::list_calendars(conn)?, levels::list_policies(conn)?))
    })
    .await?;
    let policies = policies
        .iter()
        .map(policy_list_item)
        .collect::<AppResult<_>>()?;
    render(&IndexPage {
        ctx: admin.0.ctx(),
        calendars,
        policies,
    })
}
