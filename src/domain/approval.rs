//! Approvals: what a manager is asked to approve, where the request stands, who may decide it,
//! and the manager's ruling as the approvals form sends it.

/// What a manager is asked to approve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApprovalKind {
    Change,
    OnSite,
}

impl ApprovalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalKind::Change => "change",
            ApprovalKind::OnSite => "onsite",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ApprovalKind::Change => "Sensitive change",
            ApprovalKind::OnSite => "On-site escalation",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "change" => Ok(ApprovalKind::Change),
            "onsite" => Ok(ApprovalKind::OnSite),
            other => Err(format!("unknown approval kind '{other}'")),
        }
    }
}

/// Where a request stands: waiting for a manager, or decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApprovalStatus {
    Pending,
    Approved,
    Rejected,
}

impl ApprovalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalStatus::Pending => "pending",
            ApprovalStatus::Approved => "approved",
            ApprovalStatus::Rejected => "rejected",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "pending" => Ok(ApprovalStatus::Pending),
            "approved" => Ok(ApprovalStatus::Approved),
            "rejected" => Ok(ApprovalStatus::Rejected),
            other => Err(format!("unknown approval status '{other}'")),
        }
    }
}

/// Who may decide a request: a manager who did not ask for it.
pub fn check_approver(is_manager: bool, approver: i64, requester: i64) -> Result<(), String> {
    if !is_manager {
        return Err("Only a service desk manager can approve or reject a request.".into());
    }
    if approver == requester {
        return Err("Nobody approves their own request; another manager must decide.".into());
    }
    Ok(())
}

/// A manager's answer to a request for approval, as the approvals form sends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ruling {
    Approve,
    Reject,
}

impl Ruling {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "approve" => Ok(Ruling::Approve),
            "reject" => Ok(Ruling::Reject),
            _ => Err("Approve or reject the request.".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rulings_parse_only_their_words() {
        assert_eq!(Ruling::parse("approve"), Ok(Ruling::Approve));
        assert_eq!(Ruling::parse("reject"), Ok(Ruling::Reject));
        assert!(Ruling::parse("Approve").is_err());
    }

    #[test]
    fn only_another_manager_approves() {
        let table = [
            (true, 1, 2, true),
            (true, 1, 1, false),
            (false, 1, 2, false),
        ];
        for (manager, approver, requester, ok) in table {
            assert_eq!(
                check_approver(manager, approver, requester).is_ok(),
                ok,
                "{manager} {approver} {requester}"
            );
        }
    }

    #[test]
    fn stored_words_read_back() {
        for kind in [ApprovalKind::Change, ApprovalKind::OnSite] {
            assert_eq!(ApprovalKind::parse(kind.as_str()), Ok(kind));
        }
        for status in [
            ApprovalStatus::Pending,
            ApprovalStatus::Approved,
            ApprovalStatus::Rejected,
        ] {
            assert_eq!(ApprovalStatus::parse(status.as_str()), Ok(status));
        }
        assert!(ApprovalKind::parse("remote").is_err());
        assert!(ApprovalStatus::parse("maybe").is_err());
    }
}
