//! The reports index: every manager report in one list, each opened with the last 30 days.

use actix_web::HttpResponse;
use askama::Template;

use crate::error::AppResult;
use crate::web::extract::Manager;
use crate::web::page::{Ctx, render};

/// (path, title, what it answers)
const REPORTS: &[(&str, &str, &str)] = &[
    (
        "/reports/resolved",
        "Resolved incidents",
        "How many incidents were solved, per priority and category, and which.",
    ),
    (
        "/reports/sla",
        "SLA performance",
        "Response and resolution met, met late or breached, with median and 90th percentile times.",
    ),
    (
        "/reports/reopened",
        "Reopened tickets",
        "The reopen rate per priority and the incidents reopened.",
    ),
    (
        "/reports/escalations",
        "Escalations",
        "Escalations by reason and by level, and those the time triggers made.",
    ),
    (
        "/reports/first-level",
        "First-level resolution",
        "The share of incidents solved at tier 1 without an escalation.",
    ),
    (
        "/reports/satisfaction",
        "Client satisfaction",
        "Survey ratings per client and per technician, and answers waiting for a follow-up.",
    ),
    (
        "/reports/uptime",
        "Uptime per service",
        "Each hosted service's month: allowance, downtime used, what is left, and standing.",
    ),
    (
        "/reports/monthly",
        "Monthly client service reports",
        "One printable page per client and month, to read or to mail to the client's contacts.",
    ),
];

#[derive(Template)]
#[template(path = "reports/index.html")]
struct IndexPage {
    ctx: Ctx,
    reports: &'static [(&'static str, &'static str, &'static str)],
}

pub async fn page(manager: Manager) -> AppResult<HttpResponse> {
    render(&IndexPage {
        ctx: manager.0.ctx(),
        reports: REPORTS,
    })
}
