//! Problem management's rules: the problem's life (logged → investigating → root cause known →
//! known error → fix in change → resolved → closed → archived), what each step needs, and who
//! may take it. A problem is the cause of one or more incidents (blueprints, Problem
//! Management).

use crate::domain::account::{Role, Tier};

/// A problem's number, shown as "P-12".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProblemId(pub i64);

impl From<i64> for ProblemId {
    fn from(id: i64) -> Self {
        ProblemId(id)
    }
}

impl std::fmt::Display for ProblemId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "P-{}", self.0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Logged,
    Investigating,
    RootCauseKnown,
    KnownError,
    FixInChange,
    Resolved,
    Closed,
    Archived,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Logged,
        Status::Investigating,
        Status::RootCauseKnown,
        Status::KnownError,
        Status::FixInChange,
        Status::Resolved,
        Status::Closed,
        Status::Archived,
    ];

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or_else(|| format!("unknown problem status '{raw}'"))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Logged => "logged",
            Status::Investigating => "investigating",
            Status::RootCauseKnown => "root_cause_known",
            Status::KnownError => "known_error",
            Status::FixInChange => "fix_in_change",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
            Status::Archived => "archived",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Logged => "Logged",
            Status::Investigating => "Investigating",
            Status::RootCauseKnown => "Root cause known",
            Status::KnownError => "Known error",
            Status::FixInChange => "Fix in change",
            Status::Resolved => "Resolved",
            Status::Closed => "Closed",
            Status::Archived => "Archived",
        }
    }

    /// Still being worked: incidents may be linked and notes logged.
    pub fn is_active(self) -> bool {
        !matches!(self, Status::Closed | Status::Archived)
    }
}

/// A step of the problem's life, as the problem page's buttons send it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Investigate,
    RootCause,
    KnownError,
    FixInChange,
    Resolve,
    Close,
    Archive,
}

impl Step {
    pub const ALL: [Step; 7] = [
        Step::Investigate,
        Step::RootCause,
        Step::KnownError,
        Step::FixInChange,
        Step::Resolve,
        Step::Close,
        Step::Archive,
    ];

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or_else(|| "Choose a step from the list.".to_string())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Investigate => "investigate",
            Step::RootCause => "root_cause",
            Step::KnownError => "known_error",
            Step::FixInChange => "fix_in_change",
            Step::Resolve => "resolve",
            Step::Close => "close",
            Step::Archive => "archive",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Step::Investigate => "Start the investigation",
            Step::RootCause => "Root cause found",
            Step::KnownError => "Publish as known error (workaround recorded)",
            Step::FixInChange => "Permanent fix goes through change",
            Step::Resolve => "Resolve (fix in place)",
            Step::Close => "Close",
            Step::Archive => "Archive",
        }
    }

    /// The one status this step leaves from, and the one it reaches.
    fn edge(self) -> (Status, Status) {
        match self {
            Step::Investigate => (Status::Logged, Status::Investigating),
            Step::RootCause => (Status::Investigating, Status::RootCauseKnown),
            Step::KnownError => (Status::RootCauseKnown, Status::KnownError),
            Step::FixInChange => (Status::KnownError, Status::FixInChange),
            Step::Resolve => (Status::FixInChange, Status::Resolved),
            Step::Close => (Status::Resolved, Status::Closed),
            Step::Archive => (Status::Closed, Status::Archived),
        }
    }
}

/// What the record holds when a step is asked for; each step checks the part it needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Record {
    pub has_root_cause: bool,
    pub has_workaround: bool,
    pub has_permanent_solution: bool,
    /// An RFC has been filed (pending or approved).
    pub rfc_filed: bool,
    pub rfc_approved: bool,
    pub reviewed: bool,
}

/// The status a step leads to from `from`, or why it cannot be taken. The machine is a line:
/// no step skips a stage, and nothing leaves "archived".
pub fn next_status(from: Status, step: Step, record: Record) -> Result<Status, String> {
    let (source, target) = step.edge();
    if from != source {
        return Err(format!(
            "A problem that is {} cannot take the step \"{}\"; only one that is {} can.",
            from.label().to_lowercase(),
            step.label(),
            source.label().to_lowercase()
        ));
    }
    let missing = match step {
        Step::RootCause if !record.has_root_cause => {
            Some("Record the root cause before leaving the investigation.")
        }
        Step::KnownError if !record.has_workaround => Some(
            "Record the workaround the service desk uses meanwhile before publishing the known \
             error.",
        ),
        Step::FixInChange if !record.rfc_filed => {
            Some("File the request for change that carries the permanent fix first.")
        }
        Step::Resolve if !record.rfc_approved => {
            Some("The request for change must be approved by a manager before resolving.")
        }
        Step::Resolve if !record.has_permanent_solution => {
            Some("Record the permanent solution before resolving.")
        }
        Step::Close if !record.reviewed => {
            Some("Record the team review before closing the problem.")
        }
        _ => None,
    };
    match missing {
        Some(message) => Err(message.to_string()),
        None => Ok(target),
    }
}

/// The steps the page offers from `status` (each still checked when taken).
pub fn steps_from(status: Status) -> Vec<Step> {
    Step::ALL
        .into_iter()
        .filter(|s| s.edge().0 == status)
        .collect()
}

/// Who drives problems: managers (and admins) and tier 2/3 technicians. A tier-1 technician
/// (and on-site staff, who work a visit, not an investigation) may read problems, link
/// incidents to them and add to the investigation log, but not log, edit, advance or resolve
/// one, file its RFC or record its review.
pub fn can_drive(role: Role, tier: Option<Tier>) -> bool {
    role.is_manager() || matches!(tier, Some(Tier::Tier2 | Tier::Tier3))
}

/// Everyone signed in who works incidents may link them and log what they saw.
pub fn can_link(_role: Role, _tier: Option<Tier>) -> bool {
    true
}

/// A problem's owner answers for it: a manager or a tier 2/3 technician (blueprints).
pub fn check_owner(role: Role, tier: Option<Tier>, active: bool) -> Result<(), String> {
    if !active {
        return Err("That person's account is not active.".into());
    }
    if can_drive(role, tier) {
        Ok(())
    } else {
        Err("A problem's owner is a manager or a tier 2 or tier 3 technician.".into())
    }
}

/// Text fields that must say something: trimmed, `\r\n` made `\n`.
pub fn check_text(raw: &str, what: &str, max: usize) -> Result<String, String> {
    let text = raw.trim().replace("\r\n", "\n");
    if text.is_empty() {
        return Err(format!("Enter {what}."));
    }
    if text.chars().count() > max {
        return Err(format!("Keep {what} under {max} characters."));
    }
    Ok(text)
}

/// Optional text: trimmed and bounded, possibly empty.
pub fn check_optional(raw: &str, what: &str, max: usize) -> Result<String, String> {
    let text = raw.trim().replace("\r\n", "\n");
    if text.chars().count() > max {
        return Err(format!("Keep {what} under {max} characters."));
    }
    Ok(text)
}

pub const MAX_TEXT: usize = 10_000;
pub const MAX_SUBJECT: usize = 200;

/// The RFC's decision, read back from the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RfcStatus {
    Pending,
    Approved,
    Rejected,
}

impl RfcStatus {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "pending" => Ok(RfcStatus::Pending),
            "approved" => Ok(RfcStatus::Approved),
            "rejected" => Ok(RfcStatus::Rejected),
            other => Err(format!("unknown RFC status '{other}'")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RfcStatus::Pending => "pending",
            RfcStatus::Approved => "approved",
            RfcStatus::Rejected => "rejected",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RfcStatus::Pending => "Awaiting a manager",
            RfcStatus::Approved => "Approved",
            RfcStatus::Rejected => "Rejected",
        }
    }
}

/// An RFC can be filed while the root cause is known and the fix not yet in place, and only
/// when none is pending or approved (a rejected one is replaced by a new one).
pub fn check_rfc_filing(status: Status, live_rfc: bool) -> Result<(), String> {
    if !matches!(status, Status::RootCauseKnown | Status::KnownError) {
        return Err(
            "A request for change is filed once the root cause is known and before the fix goes \
             through change."
                .into(),
        );
    }
    if live_rfc {
        return Err("A request for change is already pending or approved for this problem.".into());
    }
    Ok(())
}

/// The team review is held on a resolved problem, once.
pub fn check_review(status: Status, reviewed: bool) -> Result<(), String> {
    if reviewed {
        return Err("The team review of this problem is already recorded.".into());
    }
    if status != Status::Resolved {
        return Err("The team review is held once the problem is resolved.".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn full() -> Record {
        Record {
            has_root_cause: true,
            has_workaround: true,
            has_permanent_solution: true,
            rfc_filed: true,
            rfc_approved: true,
            reviewed: true,
        }
    }

    #[test]
    fn the_life_is_a_line_and_no_step_skips_a_stage() {
        let table = [
            (
                Status::Logged,
                Step::Investigate,
                Some(Status::Investigating),
            ),
            (
                Status::Investigating,
                Step::RootCause,
                Some(Status::RootCauseKnown),
            ),
            (
                Status::RootCauseKnown,
                Step::KnownError,
                Some(Status::KnownError),
            ),
            (
                Status::KnownError,
                Step::FixInChange,
                Some(Status::FixInChange),
            ),
            (Status::FixInChange, Step::Resolve, Some(Status::Resolved)),
            (Status::Resolved, Step::Close, Some(Status::Closed)),
            (Status::Closed, Step::Archive, Some(Status::Archived)),
        ];
        for from in Status::ALL {
            for step in Step::ALL {
                let expected = table
                    .iter()
                    .find(|(f, s, _)| *f == from && *s == step)
                    .and_then(|(_, _, to)| *to);
                assert_eq!(
                    next_status(from, step, full()).ok(),
                    expected,
                    "{from:?} {step:?}"
                );
            }
        }
    }

    #[test]
    fn nothing_leaves_archived_and_nothing_reaches_logged() {
        assert!(steps_from(Status::Archived).is_empty());
        for step in Step::ALL {
            assert_ne!(step.edge().1, Status::Logged);
        }
    }

    #[test]
    fn each_step_needs_its_part_of_the_record() {
        let table = [
            (
                Status::Investigating,
                Step::RootCause,
                Record {
                    has_root_cause: false,
                    ..full()
                },
                "root cause",
            ),
            (
                Status::RootCauseKnown,
                Step::KnownError,
                Record {
                    has_workaround: false,
                    ..full()
                },
                "workaround",
            ),
            (
                Status::KnownError,
                Step::FixInChange,
                Record {
                    rfc_filed: false,
                    ..full()
                },
                "request for change",
            ),
            (
                Status::FixInChange,
                Step::Resolve,
                Record {
                    rfc_approved: false,
                    ..full()
                },
                "approved",
            ),
            (
                Status::FixInChange,
                Step::Resolve,
                Record {
                    has_permanent_solution: false,
                    ..full()
                },
                "permanent solution",
            ),
            (
                Status::Resolved,
                Step::Close,
                Record {
                    reviewed: false,
                    ..full()
                },
                "review",
            ),
        ];
        for (from, step, record, words) in table {
            let message = next_status(from, step, record).unwrap_err();
            assert!(message.contains(words), "{step:?}: {message}");
        }
    }

    #[test]
    fn the_workaround_is_not_the_permanent_solution() {
        let only_workaround = Record {
            has_root_cause: true,
            has_workaround: true,
            rfc_filed: true,
            rfc_approved: true,
            ..Record::default()
        };
        assert!(next_status(Status::RootCauseKnown, Step::KnownError, only_workaround).is_ok());
        assert!(next_status(Status::FixInChange, Step::Resolve, only_workaround).is_err());
    }

    #[test]
    fn tier_one_links_and_reads_but_does_not_drive() {
        let table = [
            (Role::Technician, Some(Tier::Tier1), false),
            (Role::Technician, Some(Tier::OnSite), false),
            (Role::Technician, Some(Tier::Tier2), true),
            (Role::Technician, Some(Tier::Tier3), true),
            (Role::Manager, None, true),
            (Role::Admin, Some(Tier::Tier1), true),
        ];
        for (role, tier, drives) in table {
            assert_eq!(can_drive(role, tier), drives, "{role:?} {tier:?}");
            assert!(can_link(role, tier));
            assert_eq!(check_owner(role, tier, true).is_ok(), drives);
            assert!(check_owner(role, tier, false).is_err());
        }
    }

    #[test]
    fn rfcs_are_filed_once_between_root_cause_and_change() {
        for status in Status::ALL {
            let allowed = matches!(status, Status::RootCauseKnown | Status::KnownError);
            assert_eq!(
                check_rfc_filing(status, false).is_ok(),
                allowed,
                "{status:?}"
            );
            assert!(check_rfc_filing(status, true).is_err());
        }
    }

    #[test]
    fn the_review_is_held_once_on_a_resolved_problem() {
        for status in Status::ALL {
            assert_eq!(
                check_review(status, false).is_ok(),
                status == Status::Resolved
            );
            assert!(check_review(status, true).is_err());
        }
    }

    #[test]
    fn stored_words_read_back() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Ok(status));
        }
        for step in Step::ALL {
            assert_eq!(Step::parse(step.as_str()), Ok(step));
        }
        assert!(Status::parse("new").is_err());
        assert!(Step::parse("reopen").is_err());
        assert_eq!(ProblemId(12).to_string(), "P-12");
    }

    #[test]
    fn text_is_trimmed_required_and_bounded() {
        assert_eq!(check_text("  a\r\nb ", "x", 10), Ok("a\nb".into()));
        assert!(
            check_text("   ", "the root cause", 10)
                .unwrap_err()
                .contains("root cause")
        );
        assert!(check_text("abcdefghijk", "x", 10).is_err());
        assert_eq!(check_optional("  ", "x", 10), Ok(String::new()));
        assert!(check_optional("abcdefghijk", "x", 10).is_err());
    }
}
