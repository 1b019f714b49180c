//! The printable client risk report: the profile the blueprints ask for, risk by risk (level,
//! inherent and residual, classification, the tolerable / intolerable decision with its reason,
//! the treatment and its controls, the client's acknowledgement and acceptance, the review
//! state, milestones and deadlines), with the heatmaps' counts.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::heatmap::{Heatmap, heatmap};
use super::view::{RiskLine, risk_lines};
use crate::db::risks::{format_date, report};
use crate::db::{self};
use crate::domain::ids::ClientId;
use crate::domain::risk::Score;
use crate::domain::risk_review::MilestoneKind;
use crate::domain::risk_treatment::{ControlKind, ControlState};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::page::{Ctx, render};

pub struct ReportControl {
    pub kind: &'static str,
    pub what: String,
    pub state: &'static str,
    /// "Ticket #12 (Solved)" when a ticket carries it out, else empty.
    pub ticket: String,
}

pub struct ReportMilestone {
    pub kind: &'static str,
    pub date: String,
    pub note: String,
    pub passed: bool,
}

pub struct ReportRisk {
    pub line: RiskLine,
    pub asset: String,
    pub inherent_score: String,
    pub residual_score: String,
    pub review_overdue: bool,
    pub controls: Vec<ReportControl>,
    pub milestones: Vec<ReportMilestone>,
}

#[derive(Template)]
#[template(path = "risks/report.html")]
struct ReportPage {
    ctx: Ctx,
    client_id: i64,
    client_name: String,
    printed_on: String,
    drafts: i64,
    risks: Vec<ReportRisk>,
    maps: Vec<Heatmap>,
}

fn score_words(score: Option<Score>) -> String {
    score
        .map(|s| {
            format!(
                "likelihood {} × consequence {}",
                s.likelihood.number(),
                s.consequence.number()
            )
        })
        .unwrap_or_else(|| "not scored".into())
}

pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let client = path.into_inner();
    let today = state.clock.now().date_naive();
    let (row, data, lines, matrix) = db::run(&state.pool, move |conn| {
        let row = db::clients::get(conn, ClientId(client))?;
        let data = report::load(conn, client)?;
        let lines = risk_lines(conn, &data.risks, today)?;
        Ok((row, data, lines, db::risks::matrix(conn)?))
    })
    .await?;
    let maps = vec![
        heatmap("Inherent risk", &data.risks, &matrix, false),
        heatmap("Residual risk", &data.risks, &matrix, true),
    ];
    let risks = data
        .risks
        .iter()
        .zip(lines)
        .map(|(risk, line)| ReportRisk {
            line,
            asset: risk
                .asset_id
                .and_then(|a| data.assets.iter().find(|x| x.id == a))
                .map(|a| a.name.clone())
                .unwrap_or_else(|| "—".into()),
            inherent_score: score_words(risk.inherent()),
            residual_score: score_words(risk.residual()),
            review_overdue: risk.review_on.is_some_and(|d| d < today),
            controls: data
                .controls
                .iter()
                .filter(|(c, _)| c.risk_id == risk.id)
                .map(|(c, status)| ReportControl {
                    kind: ControlKind::parse(&c.kind)
                        .map(ControlKind::label)
                        .unwrap_or("Control"),
                    what: c.what.clone(),
                    state: ControlState::parse(&c.state)
                        .map(ControlState::label)
                        .unwrap_or("Planned"),
                    ticket: match (c.ticket_id, status) {
                        (Some(t), Some(s)) => format!("Ticket #{t} ({})", s.label()),
                        (Some(t), None) => format!("Ticket #{t}"),
                        (None, _) => String::new(),
                    },
                })
                .collect(),
            milestones: data
                .milestones
                .iter()
                .filter(|m| m.risk_id == risk.id)
                .map(|m| ReportMilestone {
                    kind: MilestoneKind::parse(&m.kind)
                        .map(MilestoneKind::label)
                        .unwrap_or("Milestone"),
                    date: format_date(m.due_on),
                    note: m.note.clone(),
                    passed: m.due_on < today,
                })
                .collect(),
        })
        .collect();
    render(&ReportPage {
        ctx: user.ctx(),
        client_id: row.id,
        client_name: row.name,
        printed_on: format_date(today),
        drafts: data.drafts,
        risks,
        maps,
    })
}
