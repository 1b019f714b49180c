//! The kinds of entry on a ticket's timeline (which is also its audit trail), and the word
//! each is stored as.

/// The kinds of timeline entry. Stored as text; the timeline is also the ticket's audit trail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Created,
    Note,
    Reply,
    Call,
    Triage,
    Assignment,
    Status,
    Review,
    Solution,
    Reopen,
    Closed,
    Survey,
    Attachment,
    Escalation,
    Approval,
    Decision,
    /// The requester's identity was checked after intake.
    Identity,
    /// The client wrote to the desk by e-mail.
    ClientMessage,
    /// A monitoring alert on the ticket: a repeat, a recovery, a reopen by a flapping check.
    Alert,
}

impl EventKind {
    const ALL: [EventKind; 19] = [
        EventKind::Created,
        EventKind::Note,
        EventKind::Reply,
        EventKind::Call,
        EventKind::Triage,
        EventKind::Assignment,
        EventKind::Status,
        EventKind::Review,
        EventKind::Solution,
        EventKind::Reopen,
        EventKind::Closed,
        EventKind::Survey,
        EventKind::Attachment,
        EventKind::Escalation,
        EventKind::Approval,
        EventKind::Decision,
        EventKind::Identity,
        EventKind::ClientMessage,
        EventKind::Alert,
    ];

    pub fn parse(raw: &str) -> Result<Self, String> {
        EventKind::ALL
            .into_iter()
            .find(|k| k.as_str() == raw)
            .ok_or_else(|| format!("unknown timeline entry kind '{raw}'"))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Note => "note",
            EventKind::Reply => "reply",
            EventKind::Call => "call",
            EventKind::Triage => "triage",
            EventKind::Assignment => "assignment",
            EventKind::Status => "status",
            EventKind::Review => "review",
            EventKind::Solution => "solution",
            EventKind::Reopen => "reopen",
            EventKind::Closed => "closed",
            EventKind::Survey => "survey",
            EventKind::Attachment => "attachment",
            EventKind::Escalation => "escalation",
            EventKind::Approval => "approval",
            EventKind::Decision => "decision",
            EventKind::Identity => "identity",
            EventKind::ClientMessage => "client message",
            EventKind::Alert => "alert",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_stored_word() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Ok(kind));
        }
        assert!(EventKind::parse("gossip").is_err());
    }
}
