//! What a manager is asked to approve and where the request stands: the two words an approval
//! is stored and shown with.

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

#[cfg(test)]
mod tests {
    use super::*;

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
