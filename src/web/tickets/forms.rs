//! The forms of the ticket page as typed, and which of them is being sent back.

use serde::Deserialize;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct TriageForm {
    pub version: String,
    pub impact: String,
    pub urgency: String,
    pub category_id: String,
    pub subcategory_id: String,
    pub affected_service: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct AssignForm {
    pub version: String,
    pub tier: String,
    pub owner_id: String,
    pub worker_id: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct WorkForm {
    pub version: String,
    pub entry: String,
    pub body: String,
    pub next: String,
    pub category_id: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct SolveForm {
    pub version: String,
    pub solution: String,
    pub publish_to_kb: Option<String>,
    pub kb_title: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct CancelForm {
    pub version: String,
    pub duplicate_of: String,
    pub reason: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReopenForm {
    pub version: String,
    pub reason: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct EscalateForm {
    pub version: String,
    pub to_level_id: String,
    pub reason: String,
    pub explanation: String,
    pub owner_id: String,
    pub vendor: String,
    pub vendor_reference: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChangeForm {
    pub version: String,
    pub what: String,
    pub why: String,
    pub impact: String,
    pub risk: String,
    pub rollback_plan: String,
    pub planned_window: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    pub version: String,
    pub offered: String,
    pub answer: String,
    pub answered_on: String,
}

/// Which form on the page the errors belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FormKey {
    #[default]
    None,
    Triage,
    Assign,
    Work,
    Solve,
    Cancel,
    Reopen,
    Attach,
    Escalate,
    Change,
    Decision,
}

/// The forms of the page; the one that failed keeps what the user typed.
#[derive(Default)]
pub(crate) struct PageForms {
    pub triage: TriageForm,
    pub assign: AssignForm,
    pub work: WorkForm,
    pub solve: SolveForm,
    pub cancel: CancelForm,
    pub reopen: ReopenForm,
    pub escalate: EscalateForm,
    pub change: ChangeForm,
    pub decision: DecisionForm,
}

/// The form the user sent keeps their text; the others show the ticket as it is.
fn pick<T>(keep: FormKey, form: FormKey, sent: T, fresh: T) -> T {
    if keep == form { sent } else { fresh }
}

impl PageForms {
    pub(crate) fn merged_over(self, defaults: PageForms, keep: FormKey) -> PageForms {
        PageForms {
            triage: pick(keep, FormKey::Triage, self.triage, defaults.triage),
            assign: pick(keep, FormKey::Assign, self.assign, defaults.assign),
            work: pick(keep, FormKey::Work, self.work, defaults.work),
            solve: pick(keep, FormKey::Solve, self.solve, defaults.solve),
            cancel: pick(keep, FormKey::Cancel, self.cancel, defaults.cancel),
            reopen: pick(keep, FormKey::Reopen, self.reopen, defaults.reopen),
            escalate: pick(keep, FormKey::Escalate, self.escalate, defaults.escalate),
            change: pick(keep, FormKey::Change, self.change, defaults.change),
            decision: pick(keep, FormKey::Decision, self.decision, defaults.decision),
        }
    }
}
