//! Escalation from the ticket page: the escalate, change-request and decision-point forms.

use actix_web::HttpResponse;
use chrono::NaiveDate;

use super::forms::{parse_optional_id, required};
use super::tickets::forms::{ChangeForm, DecisionForm, EscalateForm};
use super::tickets::runner::{TicketForm, TicketPost};
use crate::db::approvals::{self, ChangeInput};
use crate::db::decision_point::{self, DecisionInput};
use crate::db::escalation::{self, EscalateInput};
use crate::domain::escalation::{Reason, check_vendor};
use crate::domain::ids::UserId;
use crate::domain::inputs::{FieldErrors, parse_note};
use crate::error::AppResult;

pub async fn escalate(post: TicketPost<EscalateForm>) -> AppResult<HttpResponse> {
    // Administrator privileges ask for the change first, as its own form (the command refuses
    // with a pointer to it, this form's text kept): one extra submit only on that reason, where
    // carrying six change fields here would lengthen every escalation.
    post.run(|conn, c| escalation::escalate(conn, c.edit, &c.input, &c.mail))
        .await
}

impl TicketForm for EscalateForm {
    type Input = EscalateInput;

    fn parse(&self, errors: &mut FieldErrors) -> Option<EscalateInput> {
        let to_level = errors
            .take(
                "to_level_id",
                parse_optional_id(&self.to_level_id, "a level"),
            )
            .flatten();
        if to_level.is_none() && errors.get("to_level_id").is_none() {
            errors.add("to_level_id", "Choose the level the ticket goes to.");
        }
        let reason = errors.take("reason", Reason::parse(&self.reason));
        let explanation = errors.take(
            "explanation",
            required(&self.explanation, "why the ticket must go up"),
        );
        let owner = errors
            .take("owner_id", parse_optional_id(&self.owner_id, "an owner"))
            .flatten();
        if owner.is_none() && errors.get("owner_id").is_none() {
            errors.add(
                "owner_id",
                "Choose who owns the ticket after the escalation.",
            );
        }
        let vendor = reason.and_then(|reason| {
            check_vendor(reason, &self.vendor, &self.vendor_reference)
                .map_err(|problems| errors.extend(problems))
                .ok()
        });
        Some(EscalateInput {
            to_level: to_level?,
            reason: reason?,
            explanation: explanation?,
            owner: UserId(owner?),
            vendor: vendor?,
        })
    }

    fn done(&self, _: &EscalateInput) -> String {
        "Escalation saved.".into()
    }
}

pub async fn request_change(post: TicketPost<ChangeForm>) -> AppResult<HttpResponse> {
    post.run(|conn, c| approvals::request_change(conn, c.edit, &c.input, &c.mail))
        .await
}

impl TicketForm for ChangeForm {
    type Input = ChangeInput;

    fn parse(&self, errors: &mut FieldErrors) -> Option<ChangeInput> {
        let what = errors.take("what", required(&self.what, "what will be done"));
        let why = errors.take("why", required(&self.why, "why it is needed"));
        let impact = errors.take("impact", required(&self.impact, "the expected impact"));
        let risk = errors.take("risk", required(&self.risk, "the risk"));
        let rollback = errors.take(
            "rollback_plan",
            required(&self.rollback_plan, "how the change is undone"),
        );
        let window = errors.take(
            "planned_window",
            required(&self.planned_window, "when the change is planned"),
        );
        Some(ChangeInput {
            what: what?,
            why: why?,
            impact: impact?,
            risk: risk?,
            rollback_plan: rollback?,
            planned_window: window?,
        })
    }

    fn done(&self, _: &ChangeInput) -> String {
        "Change filed; a manager will approve or reject it.".into()
    }
}

/// The decision point: what was offered to the client, then their answer. Who may record it
/// (a manager, or an account manager of the ticket's client) is the command's rule.
pub async fn record_decision(post: TicketPost<DecisionForm>) -> AppResult<HttpResponse> {
    let zone = post.user().zone();
    post.run(move |conn, c| {
        let input = dated(c.input, c.edit.now.with_timezone(&zone).date_naive());
        decision_point::record_decision(conn, c.edit, &input)
    })
    .await
}

/// The decision-point entry as typed, on the manager's own calendar day.
fn dated(
    (offered, answer, answered_on): (String, String, Option<NaiveDate>),
    today: NaiveDate,
) -> DecisionInput {
    DecisionInput {
        offered,
        answer,
        answered_on,
        today,
    }
}

impl TicketForm for DecisionForm {
    /// What was offered, the client's answer, and the day they gave it.
    type Input = (String, String, Option<NaiveDate>);

    fn parse(&self, errors: &mut FieldErrors) -> Option<Self::Input> {
        let offered = errors.take("offered", parse_note(&self.offered, 4000));
        let answer = errors.take("answer", parse_note(&self.answer, 4000));
        let answered_on = errors.take("answered_on", parse_date(&self.answered_on));
        Some((offered?, answer?, answered_on?))
    }

    fn done(&self, _: &Self::Input) -> String {
        "Decision point updated.".into()
    }
}

/// A date from a date field; empty means none yet.
fn parse_date(raw: &str) -> Result<Option<NaiveDate>, String> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| "Give the date as year-month-day, e.g. 2026-11-30.".to_string())
}
