//! What the desk says by e-mail about problems: a request for change filed for a problem's
//! permanent fix, to the managers who decide it.

/// "A request for change is waiting for you": the RFC in full, so a manager can judge it from
/// the mail, and the address of the approvals page where it is decided.
#[derive(Clone, Debug)]
pub struct ProblemRfcFiled {
    pub rfc: i64,
    pub problem: String,
    pub subject: String,
    pub filed_by: String,
    pub what: String,
    pub why: String,
    pub risk: String,
    pub rollback_plan: String,
    pub planned_window: String,
    pub approvals_url: String,
    pub problem_url: String,
}

email!(
    ProblemRfcFiled,
    "problem_rfc_filed",
    "email/problem_rfc_filed/subject.txt",
    "email/problem_rfc_filed/body.txt",
    "email/problem_rfc_filed/body.html"
);
