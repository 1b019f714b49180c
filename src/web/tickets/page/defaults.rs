//! The ticket page's forms as the ticket stands, before the viewer types anything.

use crate::db::escalation;
use crate::db::tickets::TicketRow;
use crate::domain::account::Tier;
use crate::domain::work::WorkEntry;
use crate::web::extract::CurrentUser;
use crate::web::tickets::forms::{
    AcknowledgeForm, ApproveForm, AssignForm, CancelForm, ChangeForm, DecisionForm, EscalateForm,
    IdentityForm, PageForms, ReopenForm, SolveForm, TriageForm, WorkForm,
};

/// The forms as the ticket stands: each starts from the row's values and version.
pub(super) fn forms_from_row(
    row: &TicketRow,
    user: &CurrentUser,
    wanted_tier: Tier,
    standing: &escalation::Standing,
) -> PageForms {
    let version = row.version.to_string();
    let owner_or_me = row
        .owner_id
        .map(|o| o.to_string())
        .unwrap_or_else(|| user.row.id.to_string());
    let category = row.category_id.map(|c| c.to_string()).unwrap_or_default();
    PageForms {
        triage: TriageForm {
            version: version.clone(),
            impact: row.impact.as_str().into(),
            urgency: row.urgency.as_str().into(),
            category_id: category.clone(),
            subcategory_id: row
                .subcategory_id
                .map(|c| c.to_string())
                .unwrap_or_default(),
            affected_service: row.affected_service.clone(),
        },
        assign: AssignForm {
            version: version.clone(),
            tier: wanted_tier.as_str().into(),
            owner_id: owner_or_me.clone(),
            worker_id: row
                .worker_id
                .map(|o| o.to_string())
                .unwrap_or_else(|| user.row.id.to_string()),
        },
        work: WorkForm {
            version: version.clone(),
            entry: WorkEntry::Note.as_str().into(),
            category_id: category,
            ..WorkForm::default()
        },
        solve: SolveForm {
            version: version.clone(),
            kb_title: row.subject.clone(),
            ..SolveForm::default()
        },
        cancel: CancelForm {
            version: version.clone(),
            ..CancelForm::default()
        },
        reopen: ReopenForm {
            version: version.clone(),
            ..ReopenForm::default()
        },
        escalate: EscalateForm {
            version: version.clone(),
            to_level_id: standing
                .ladder
                .above(&standing.level)
                .first()
                .map(|l| l.id.to_string())
                .unwrap_or_default(),
            owner_id: owner_or_me,
            ..EscalateForm::default()
        },
        change: ChangeForm {
            version: version.clone(),
            ..ChangeForm::default()
        },
        decision: DecisionForm {
            version: version.clone(),
            ..DecisionForm::default()
        },
        approve: ApproveForm {
            version: version.clone(),
            ..ApproveForm::default()
        },
        acknowledge: AcknowledgeForm {
            version: version.clone(),
            ..AcknowledgeForm::default()
        },
        identity: IdentityForm {
            version,
            ..IdentityForm::default()
        },
        dismissal: None,
    }
}
