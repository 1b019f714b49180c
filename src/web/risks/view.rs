//! A risk as the register, the review queue and the report list it: its levels, decision,
//! owner, and what the client has said, in words.

use chrono::{NaiveDate, NaiveDateTime};

use crate::db::DbConn;
use crate::db::clients::get_contact;
use crate::db::risks::{RiskRow, deadline::deadline_of, format_date, level_label, treatment};
use crate::db::users;
use crate::domain::ids::{ContactId, UserId};
use crate::domain::risk::{Classification, Tolerance};
use crate::domain::risk_treatment::Acceptance;
use crate::error::AppResult;

pub struct RiskLine {
    pub id: i64,
    pub title: String,
    pub draft: bool,
    pub level: &'static str,
    pub level_key: String,
    pub residual: &'static str,
    pub classification: &'static str,
    pub decision: String,
    pub owner: String,
    pub acknowledged: String,
    pub treatment: String,
    pub acceptance: String,
    pub review: String,
    /// The remove-by date, or empty when none is set.
    pub deadline: String,
    pub deadline_passed: bool,
}

fn day(at: NaiveDateTime) -> String {
    format_date(at.date())
}

pub fn risk_line(conn: &mut DbConn, risk: &RiskRow, today: NaiveDate) -> AppResult<RiskLine> {
    let owner = match risk.owner_id {
        Some(id) => users::get(conn, UserId(id))?.display_name,
        None => "No owner yet".into(),
    };
    let acknowledged = match (risk.acknowledged_at, risk.acknowledged_by) {
        (Some(at), Some(by)) => format!(
            "Acknowledged by {} on {}",
            get_contact(conn, ContactId(by))?.name,
            day(at)
        ),
        _ if risk.is_draft() => "Not told yet".into(),
        _ => "Not acknowledged yet".into(),
    };
    let (treatment_text, acceptance) = match risk.current_treatment_id {
        Some(id) => {
            let t = treatment(conn, id)?;
            let state = Acceptance::parse(&t.acceptance).unwrap_or(Acceptance::Pending);
            let who = match t.answered_by {
                Some(c) => get_contact(conn, ContactId(c))?.name,
                None => String::new(),
            };
            let words = match (state, t.answered_at) {
                (Acceptance::Accepted | Acceptance::Declined, Some(at)) => {
                    let mut words = format!("{} ({who}, {})", state.label(), day(at));
                    if state == Acceptance::Declined {
                        words.push_str(&format!(": {}", t.answer_comment));
                    }
                    words
                }
                _ if t.owner_flagged_at.is_some() => {
                    format!("{}; reminded, still unanswered", state.label())
                }
                _ => state.label().to_string(),
            };
            (t.summary, words)
        }
        None => (
            "Not decided".into(),
            Acceptance::NotAsked.label().to_string(),
        ),
    };
    let deadline = deadline_of(conn, risk.id)?;
    Ok(RiskLine {
        deadline: deadline.map(format_date).unwrap_or_default(),
        deadline_passed: deadline.is_some_and(|d| d < today),
        id: risk.id,
        title: risk.title.clone(),
        draft: risk.is_draft(),
        level: risk.level_label(),
        level_key: risk.inherent_level.clone().unwrap_or_default(),
        residual: level_label(risk.residual_level.as_deref()),
        classification: risk
            .classification
            .as_deref()
            .and_then(|c| Classification::parse(c).ok())
            .map(Classification::label)
            .unwrap_or("Not classified"),
        decision: match risk
            .tolerance
            .as_deref()
            .and_then(|t| Tolerance::parse(t).ok())
        {
            Some(t) => format!("{}: {}", t.label(), risk.decision_reason),
            None => "Not decided".into(),
        },
        owner,
        acknowledged,
        treatment: treatment_text,
        acceptance,
        review: risk
            .review_on
            .map(format_date)
            .unwrap_or_else(|| "Not scheduled".into()),
    })
}

pub fn risk_lines(
    conn: &mut DbConn,
    risks: &[RiskRow],
    today: NaiveDate,
) -> AppResult<Vec<RiskLine>> {
    risks.iter().map(|r| risk_line(conn, r, today)).collect()
}
