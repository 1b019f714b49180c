//! The ticket page's escalation section: where the ticket stands on the ladder, where it may
//! go, what happened, the approvals asked and the decisions recorded.

use chrono::{DateTime, Utc};

use super::Loaded;
use crate::domain::approval::ApprovalStatus;
use crate::domain::escalation::{Reason, TargetKind, manual_target};
use crate::domain::ticket::Status;
use crate::error::AppResult;
use crate::format::format_time;
use crate::web::extract::CurrentUser;
use crate::web::suggestion_item::SuggestionItem;
use crate::web::tickets::ownership::awaiting_owner;
use crate::web::tickets::sla::{BudgetNote, budget_note};

pub struct DecisionItem {
    pub offered: String,
    pub offered_by: String,
    pub offered_at: String,
    pub answer: String,
    pub answered_on: String,
}

pub struct EscalationItem {
    pub when: String,
    pub from: String,
    pub to: String,
    pub reason: String,
    pub trigger: String,
    pub who: String,
    pub owner: String,
    pub explanation: String,
    pub vendor: String,
}

pub struct ApprovalItem {
    pub kind: &'static str,
    pub state: String,
    pub what: String,
    pub requester: String,
    pub when: String,
    pub decision: String,
    /// The owner's answer to a rejection: who, when and what they do instead.
    pub acknowledged: String,
}

/// Where the ticket stands on the escalation ladder, and what was asked and decided on it.
pub struct EscalationSection {
    pub level_name: String,
    pub budget_note: Option<BudgetNote>,
    pub targets: Vec<(String, String)>,
    pub reasons: Vec<(String, String)>,
    pub history: Vec<EscalationItem>,
    pub approvals: Vec<ApprovalItem>,
    pub awaiting_approval: bool,
    pub decisions: Vec<DecisionItem>,
    pub open_offer: bool,
    /// "The ticket is at Tier 2 and waits in the Tier 2 queue…", when nobody owns it.
    pub awaiting_owner: Option<String>,
    pub may_take: bool,
    pub suggestions: Vec<SuggestionItem>,
}

/// The ladder: where the ticket is, where it may go, what happened and what waits.
pub(super) fn escalation_section(
    loaded: &Loaded,
    user: &CurrentUser,
    status: Status,
    now: DateTime<Utc>,
    zone: chrono_tz::Tz,
) -> AppResult<EscalationSection> {
    let standing = &loaded.standing;
    let (awaiting_owner, may_take) = awaiting_owner(&loaded.detail.row, standing, user);
    Ok(EscalationSection {
        awaiting_owner,
        may_take,
        suggestions: loaded
            .suggestions
            .iter()
            .map(|s| SuggestionItem::of(s, zone))
            .collect(),
        level_name: standing.level.name.clone(),
        budget_note: budget_note(&loaded.detail, standing, status, now)?,
        targets: standing
            .ladder
            .levels()
            .iter()
            .filter_map(|l| {
                let label = match manual_target(&standing.level, l)? {
                    TargetKind::ExternalVendorOnly => {
                        format!("{} (stays here: external vendor only)", l.name)
                    }
                    TargetKind::NeedsApproval => format!("{} (needs a manager's approval)", l.name),
                    TargetKind::Open => l.name.clone(),
                };
                Some((l.id.to_string(), label))
            })
            .collect(),
        reasons: Reason::ALL
            .into_iter()
            .map(|r| (r.as_str().to_string(), r.label().to_string()))
            .collect(),
        history: loaded
            .history
            .iter()
            .map(|e| EscalationItem {
                when: format_time(e.at, zone),
                from: e.from.clone(),
                to: e.to.clone(),
                reason: e.reason.clone(),
                trigger: e.trigger.clone(),
                who: e.actor.clone().unwrap_or_else(|| "the system".into()),
                owner: e.owner.clone().unwrap_or_else(|| "nobody".into()),
                explanation: e.explanation.clone(),
                vendor: if e.vendor.is_empty() {
                    String::new()
                } else {
                    format!("{} (reference {})", e.vendor, e.vendor_reference)
                },
            })
            .collect(),
        approvals: loaded
            .requests
            .iter()
            .map(|a| ApprovalItem {
                kind: a.row.kind.label(),
                state: match &a.decider {
                    Some(decider) => format!("{} by {decider}", a.row.status.as_str()),
                    None => "awaiting approval".into(),
                },
                what: a.row.what.clone(),
                requester: a.requester.clone(),
                when: format_time(a.row.requested_at, zone),
                decision: a.row.decision_comment.clone(),
                acknowledged: match (&a.acknowledger, a.row.acknowledged_at) {
                    (Some(who), Some(at)) => format!(
                        "acknowledged by {who}, {}: {}",
                        format_time(at, zone),
                        a.row.acknowledgement
                    ),
                    _ => String::new(),
                },
            })
            .collect(),
        awaiting_approval: loaded
            .requests
            .iter()
            .any(|r| r.row.status == ApprovalStatus::Pending),
        decisions: loaded
            .decisions
            .iter()
            .map(|(d, offered_by)| DecisionItem {
                offered_by: offered_by.clone(),
                offered_at: format_time(d.offered_at, zone),
                offered: d.offered.clone(),
                answer: d.answer.clone(),
                answered_on: d.answered_on.map(|on| on.to_string()).unwrap_or_default(),
            })
            .collect(),
        open_offer: loaded
            .decisions
            .iter()
            .any(|(d, _)| d.answered_on.is_none()),
    })
}
