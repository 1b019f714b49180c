//! "The work is assessed and approved before continuing": what a ticket's sensitive changes
//! allow. While a change waits for a manager the ticket takes notes and client replies, but no
//! status move that would say the change was made; a rejected change holds the ticket until its
//! owner acknowledges the rejection and says what they will do instead. Where a fix is sensitive
//! by nature (administrator privileges, a category an admin flagged) an approved change must
//! come first.

use super::approval::ApprovalStatus;
use super::escalation::Reason;
use super::ids::UserId;
use super::ticket::Action;

/// One sensitive change filed on a ticket, as the gate needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FiledChange {
    pub status: ApprovalStatus,
    /// The owner answered a rejection with the path they take instead.
    pub acknowledged: bool,
}

/// Where a ticket's sensitive changes stand.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChangeStanding {
    /// A change waits for a manager.
    pub pending: bool,
    /// A manager rejected a change and the owner has not answered yet.
    pub unanswered_rejection: bool,
    /// A manager approved a change on this ticket.
    pub approved: bool,
}

impl ChangeStanding {
    pub fn of(changes: impl IntoIterator<Item = FiledChange>) -> Self {
        changes
            .into_iter()
            .fold(ChangeStanding::default(), |mut s, c| {
                match c.status {
                    ApprovalStatus::Pending => s.pending = true,
                    ApprovalStatus::Approved => s.approved = true,
                    ApprovalStatus::Rejected if !c.acknowledged => s.unanswered_rejection = true,
                    ApprovalStatus::Rejected => {}
                }
                s
            })
    }

    /// Whether the ticket is held: a status move now would be refused.
    pub fn holds(self) -> bool {
        self.pending || self.unanswered_rejection
    }
}

pub const PENDING_HOLDS: &str = "A sensitive change on this ticket is waiting for a manager's \
    approval. Until it is decided the ticket takes notes and client replies, but its status \
    stays as it is and it cannot be solved, so nothing says the change was made before it was \
    approved.";

pub const REJECTION_HOLDS: &str = "A manager rejected the sensitive change on this ticket. \
    Acknowledge the rejection and say what you will do instead (the form at the top of the \
    ticket) before its status moves or it is solved.";

pub const SENSITIVE_CATEGORY: &str = "This ticket's category is marked sensitive: its fix \
    needs a sensitive change a manager has approved. File one with \u{201c}Ask a manager to \
    approve a sensitive change\u{201d} on this page, and solve the ticket once it is approved.";

pub const ADMIN_PRIVILEGES: &str = "Administrator privileges are a sensitive change: file it \
    for a manager's approval first (\u{201c}Ask a manager to approve a sensitive change\u{201d} \
    on this page), then escalate, so the next level picks up a change that is already being \
    assessed.";

/// Whether `action` may change the ticket's status now. Triage, assignment, cancelling and
/// marking a duplicate say nothing about the change having been made, so they stay open;
/// starting, resuming, pending and solving all move the work on, which must wait.
pub fn check_move(standing: ChangeStanding, action: Action) -> Result<(), &'static str> {
    let moves_work_on = matches!(
        action,
        Action::StartWork | Action::Resume | Action::Pend(_) | Action::Solve
    );
    match () {
        _ if !moves_work_on => Ok(()),
        _ if standing.pending => Err(PENDING_HOLDS),
        _ if standing.unanswered_rejection => Err(REJECTION_HOLDS),
        _ => Ok(()),
    }
}

/// Whether the ticket may be solved: not while held, and in a sensitive category only once a
/// manager approved a change.
pub fn check_solve(standing: ChangeStanding, sensitive_category: bool) -> Result<(), &'static str> {
    check_move(standing, Action::Solve)?;
    if sensitive_category && !standing.approved {
        return Err(SENSITIVE_CATEGORY);
    }
    Ok(())
}

/// An escalation for administrator privileges asks for the change first: one already waiting
/// for a manager or approved will do.
pub fn check_escalation(standing: ChangeStanding, reason: Reason) -> Result<(), &'static str> {
    if reason == Reason::AdminPrivileges && !(standing.pending || standing.approved) {
        return Err(ADMIN_PRIVILEGES);
    }
    Ok(())
}

/// Who answers a rejection: the ticket's owner, who decides what happens next; on a ticket with
/// no owner yet, whoever filed the change.
pub fn check_acknowledger(
    actor: UserId,
    owner: Option<UserId>,
    requester: UserId,
) -> Result<(), &'static str> {
    match owner {
        Some(owner) if owner == actor => Ok(()),
        None if requester == actor => Ok(()),
        _ => Err("Only the ticket's owner acknowledges a rejected change; ask them to."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ticket::PendingReason;

    const CLEAR: ChangeStanding = ChangeStanding {
        pending: false,
        unanswered_rejection: false,
        approved: false,
    };
    const PENDING: ChangeStanding = ChangeStanding {
        pending: true,
        ..CLEAR
    };
    const REJECTED: ChangeStanding = ChangeStanding {
        unanswered_rejection: true,
        ..CLEAR
    };
    const APPROVED: ChangeStanding = ChangeStanding {
        approved: true,
        ..CLEAR
    };

    fn filed(status: ApprovalStatus, acknowledged: bool) -> FiledChange {
        FiledChange {
            status,
            acknowledged,
        }
    }

    #[test]
    fn the_standing_sums_up_the_filed_changes() {
        use ApprovalStatus::*;
        for (changes, expected) in [
            (vec![], CLEAR),
            (vec![filed(Pending, false)], PENDING),
            (vec![filed(Rejected, false)], REJECTED),
            (vec![filed(Rejected, true)], CLEAR),
            (vec![filed(Approved, false)], APPROVED),
            (
                vec![filed(Rejected, true), filed(Approved, false)],
                APPROVED,
            ),
            (
                vec![filed(Rejected, false), filed(Pending, false)],
                ChangeStanding {
                    pending: true,
                    unanswered_rejection: true,
                    approved: false,
                },
            ),
        ] {
            assert_eq!(ChangeStanding::of(changes.clone()), expected, "{changes:?}");
        }
    }

    #[test]
    fn a_held_ticket_takes_no_move_that_says_the_change_was_made() {
        let vendor = Action::Pend(PendingReason::Vendor);
        let client = Action::Pend(PendingReason::ClientInput);
        let table = [
            (CLEAR, Action::Resume, None),
            (CLEAR, Action::Solve, None),
            (APPROVED, Action::StartWork, None),
            (PENDING, Action::Resume, Some(PENDING_HOLDS)),
            (PENDING, Action::StartWork, Some(PENDING_HOLDS)),
            (PENDING, vendor, Some(PENDING_HOLDS)),
            (PENDING, client, Some(PENDING_HOLDS)),
            (PENDING, Action::Solve, Some(PENDING_HOLDS)),
            (PENDING, Action::Triage, None),
            (PENDING, Action::Assign, None),
            (PENDING, Action::Cancel, None),
            (PENDING, Action::MarkDuplicate, None),
            (REJECTED, Action::Resume, Some(REJECTION_HOLDS)),
            (REJECTED, Action::Solve, Some(REJECTION_HOLDS)),
            (REJECTED, client, Some(REJECTION_HOLDS)),
            (REJECTED, Action::Assign, None),
            (REJECTED, Action::Cancel, None),
        ];
        for (standing, action, refusal) in table {
            assert_eq!(
                check_move(standing, action).err(),
                refusal,
                "{standing:?} {action:?}"
            );
        }
    }

    #[test]
    fn a_sensitive_category_is_solved_only_after_an_approved_change() {
        let table = [
            (CLEAR, false, None),
            (CLEAR, true, Some(SENSITIVE_CATEGORY)),
            (APPROVED, true, None),
            (PENDING, true, Some(PENDING_HOLDS)),
            (PENDING, false, Some(PENDING_HOLDS)),
            (REJECTED, false, Some(REJECTION_HOLDS)),
        ];
        for (standing, sensitive, refusal) in table {
            assert_eq!(
                check_solve(standing, sensitive).err(),
                refusal,
                "{standing:?} {sensitive}"
            );
        }
    }

    #[test]
    fn administrator_privileges_ask_for_a_change_first() {
        let table = [
            (CLEAR, Reason::AdminPrivileges, Some(ADMIN_PRIVILEGES)),
            (REJECTED, Reason::AdminPrivileges, Some(ADMIN_PRIVILEGES)),
            (PENDING, Reason::AdminPrivileges, None),
            (APPROVED, Reason::AdminPrivileges, None),
            (CLEAR, Reason::SkillLimitation, None),
            (CLEAR, Reason::ExternalVendor, None),
        ];
        for (standing, reason, refusal) in table {
            assert_eq!(
                check_escalation(standing, reason).err(),
                refusal,
                "{standing:?} {reason:?}"
            );
        }
    }

    #[test]
    fn the_owner_answers_a_rejection() {
        let (owner, other, requester) = (UserId(1), UserId(2), UserId(3));
        let table = [
            (owner, Some(owner), true),
            (other, Some(owner), false),
            (requester, Some(owner), false),
            (requester, None, true),
            (other, None, false),
        ];
        for (actor, ticket_owner, ok) in table {
            assert_eq!(
                check_acknowledger(actor, ticket_owner, requester).is_ok(),
                ok,
                "{actor:?} {ticket_owner:?}"
            );
        }
    }
}
