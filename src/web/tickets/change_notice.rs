//! What the ticket page says about its sensitive changes: a change waiting for a manager, a
//! rejection the owner must answer (with the manager's comment and the form to answer it), and a
//! sensitive category that asks for an approved change before the fix.

use crate::db::approvals::ApprovalView;
use crate::db::categories::CategoryRow;
use crate::db::tickets::TicketRow;
use crate::domain::approval::{ApprovalKind, ApprovalStatus};
use crate::domain::change_gate::{self, ChangeStanding, FiledChange};
use crate::domain::ids::UserId;
use crate::domain::ticket::Action;
use crate::format::format_time;

/// A rejected change the owner has not answered yet.
pub struct RejectionItem {
    pub approval_id: i64,
    pub what: String,
    pub decider: String,
    pub when: String,
    pub comment: String,
}

pub struct ChangeNotice {
    pub standing: ChangeStanding,
    pub rejections: Vec<RejectionItem>,
    /// Whether the viewer is the one who answers a rejection.
    pub viewer_answers: bool,
    /// Why the status cannot move now; empty when it can.
    pub holds: &'static str,
    /// Why the ticket cannot be solved because of its changes or category; empty when it can.
    pub solve_refusal: &'static str,
    /// The sensitive category (or subcategory) asking for an approved change, if any.
    pub sensitive_category: Option<String>,
}

impl ChangeNotice {
    /// Whether the change form should show unfolded: the ticket asks for a change and none is
    /// waiting or approved.
    pub fn wants_change(&self) -> bool {
        self.sensitive_category.is_some() && !self.standing.pending && !self.standing.approved
    }
}

pub fn change_notice(
    row: &TicketRow,
    requests: &[ApprovalView],
    categories: &[CategoryRow],
    viewer: UserId,
    zone: chrono_tz::Tz,
) -> ChangeNotice {
    let changes: Vec<&ApprovalView> = requests
        .iter()
        .filter(|r| r.row.kind == ApprovalKind::Change)
        .collect();
    let standing = ChangeStanding::of(changes.iter().map(|r| FiledChange {
        status: r.row.status,
        acknowledged: r.row.acknowledged_by.is_some(),
    }));
    let unanswered: Vec<&&ApprovalView> = changes
        .iter()
        .filter(|r| r.row.status == ApprovalStatus::Rejected && r.row.acknowledged_by.is_none())
        .collect();
    let viewer_answers = unanswered.iter().any(|r| {
        change_gate::check_acknowledger(viewer, row.owner(), UserId(r.row.requested_by)).is_ok()
    });
    let sensitive_category = categories
        .iter()
        .find(|c| c.sensitive && [row.category_id, row.subcategory_id].contains(&Some(c.id)))
        .map(|c| c.name.clone());
    ChangeNotice {
        holds: change_gate::check_move(standing, Action::Resume)
            .err()
            .unwrap_or_default(),
        solve_refusal: change_gate::check_solve(standing, sensitive_category.is_some())
            .err()
            .unwrap_or_default(),
        rejections: unanswered
            .into_iter()
            .map(|r| RejectionItem {
                approval_id: r.row.id.0,
                what: r.row.what.clone(),
                decider: r.decider.clone().unwrap_or_else(|| "a manager".into()),
                when: r
                    .row
                    .decided_at
                    .map(|at| format_time(at, zone))
                    .unwrap_or_default(),
                comment: r.row.decision_comment.clone(),
            })
            .collect(),
        standing,
        viewer_answers,
        sensitive_category,
    }
}
