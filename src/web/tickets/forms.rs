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
    pub review: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct SolveForm {
    pub version: String,
    pub solution: String,
    pub publish_to_kb: Option<String>,
    pub kb_title: String,
    pub fix: String,
    pub known_error: String,
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

/// The owner's answer to a rejected change: which request, and what they do instead.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct AcknowledgeForm {
    pub version: String,
    pub approval_id: String,
    pub instead: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    pub version: String,
    pub offered: String,
    pub answer: String,
    pub answered_on: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ApproveForm {
    pub version: String,
    pub approval_note: String,
}

/// "Validate the requester now": how, and the PIN read back or the number called.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct IdentityForm {
    pub version: String,
    pub identity_check: String,
    pub identity_evidence: String,
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
    Approve,
    Acknowledge,
    Take,
    Suggestion,
    Identity,
}

/// The forms of the page; the one that failed keeps what the user typed.
#[derive(Default)]
pub struct PageForms {
    pub triage: TriageForm,
    pub assign: AssignForm,
    pub work: WorkForm,
    pub solve: SolveForm,
    pub cancel: CancelForm,
    pub reopen: ReopenForm,
    pub escalate: EscalateForm,
    pub change: ChangeForm,
    pub decision: DecisionForm,
    pub approve: ApproveForm,
    pub acknowledge: AcknowledgeForm,
    pub identity: IdentityForm,
    /// A dismissal sent back with errors: which suggestion, and the note as typed.
    pub dismissal: Option<(String, String)>,
}

/// The form the user sent keeps their text; the others show the ticket as it is.
fn pick<T>(keep: FormKey, form: FormKey, sent: T, fresh: T) -> T {
    if keep == form { sent } else { fresh }
}

impl PageForms {
    pub fn merged_over(self, defaults: PageForms, keep: FormKey) -> PageForms {
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
            approve: pick(keep, FormKey::Approve, self.approve, defaults.approve),
            acknowledge: pick(
                keep,
                FormKey::Acknowledge,
                self.acknowledge,
                defaults.acknowledge,
            ),
            identity: pick(keep, FormKey::Identity, self.identity, defaults.identity),
            dismissal: pick(
                keep,
                FormKey::Suggestion,
                self.dismissal,
                defaults.dismissal,
            ),
        }
    }
}

/// What the runner needs of every form of the page, whatever its fields.
pub trait PageForm: Sized {
    /// Which form of the page this is, for the errors and the kept text.
    const KEY: FormKey;
    /// The field a bad row version is reported under.
    const VERSION_FIELD: &'static str = "version";

    /// The row version the form was filled from.
    fn version(&self) -> &str;
    /// The text worth keeping if someone else saved the ticket first.
    fn kept(&self) -> &str;
    /// The page's forms, this one as the user sent it.
    fn into_forms(self) -> PageForms;
}

/// `PageForm` for a form struct: its key, its slot in `PageForms`, the text the conflict page
/// keeps, and where a bad version is reported when not under "version".
macro_rules! page_form {
    ($form:ty, $key:ident, $slot:ident, |$this:ident| $kept:expr $(, version under $field:literal)?) => {
        impl PageForm for $form {
            const KEY: FormKey = FormKey::$key;
            $(const VERSION_FIELD: &'static str = $field;)?

            fn version(&self) -> &str {
                &self.version
            }

            fn kept(&self) -> &str {
                let $this = self;
                $kept
            }

            fn into_forms(self) -> PageForms {
                PageForms {
                    $slot: self,
                    ..PageForms::default()
                }
            }
        }
    };
}

page_form!(TriageForm, Triage, triage, |f| &f.affected_service);
page_form!(AssignForm, Assign, assign, |_f| "");
page_form!(WorkForm, Work, work, |f| &f.body);
page_form!(SolveForm, Solve, solve, |f| &f.solution);
page_form!(CancelForm, Cancel, cancel, |f| &f.reason);
// The reopen form has one visible field; a stale page is reported where the user looks.
page_form!(ReopenForm, Reopen, reopen, |f| &f.reason, version under "reason");
page_form!(EscalateForm, Escalate, escalate, |f| &f.explanation);
page_form!(ChangeForm, Change, change, |f| &f.what);
page_form!(DecisionForm, Decision, decision, |f| &f.offered);
page_form!(ApproveForm, Approve, approve, |f| &f.approval_note);
page_form!(AcknowledgeForm, Acknowledge, acknowledge, |f| &f.instead);
// A PIN typed into the form is never shown again, not even on the conflict page.
page_form!(IdentityForm, Identity, identity, |_f| "");
