//! Service requests: request fulfilment, not incident management.
//!
//! The blueprints put "a request for new or altered services" outside incident management, so a
//! request keeps the ticket's status machine ([`super::ticket::next_status`]) but is measured,
//! worded and gated as fulfilment: its own SLA targets per priority (a request is not a P1
//! outage), "Requested", "Approved" and "Fulfilled" where an incident reads New, Triaged and
//! Solved, and a manager's approval before any work starts, so nobody builds what was never
//! agreed.

use std::fmt;

use chrono::Duration;

use super::sla::{ClockMode, SlaTargets, Target};
use super::ticket::{Action, Kind, Status};

/// Minutes in the working day the request targets are written in. Shorter than the blueprints'
/// 11-hour calendar day, so "two working days" never promises more than two days of any
/// calendar open at least 8 hours.
const WORKING_DAY: i64 = 8 * 60;

/// The targets a new policy starts with for service requests: answered within hours, fulfilled
/// within working days, all in the client's business hours (P1 4 h / two working days, P2 one
/// working day / five, P3 two working days / ten). The migration gives every existing policy
/// the same.
pub fn default_targets() -> SlaTargets {
    let target = |response_minutes, resolution_minutes| Target {
        response: Duration::minutes(response_minutes),
        resolution: Duration::minutes(resolution_minutes),
        mode: ClockMode::BusinessHours,
    };
    SlaTargets::blueprint_default()
        .with(
            super::priority::Priority::P1,
            target(4 * 60, 2 * WORKING_DAY),
        )
        .with(
            super::priority::Priority::P2,
            target(WORKING_DAY, 5 * WORKING_DAY),
        )
        .with(
            super::priority::Priority::P3,
            target(2 * WORKING_DAY, 10 * WORKING_DAY),
        )
}

/// Which of a policy's two tables measures a kind of ticket, as the SLA pages name it.
pub fn targets_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Incident => "incident targets",
        Kind::ServiceRequest => "service request targets",
    }
}

/// The status as a person reads it: a request is "Requested" until a manager approves it,
/// "Approved" until work starts, and "Fulfilled" when done; an incident reads its status.
pub fn status_label(kind: Kind, status: Status, approved: bool) -> &'static str {
    match (kind, status) {
        (Kind::Incident, _) => status.label(),
        (Kind::ServiceRequest, Status::New | Status::Triaged | Status::Assigned) => {
            if approved {
                "Approved"
            } else {
                "Requested"
            }
        }
        (Kind::ServiceRequest, Status::Solved) => "Fulfilled",
        (Kind::ServiceRequest, _) => status.label(),
    }
}

/// Button text of an action, in request words where they differ.
pub fn action_label(kind: Kind, action: Action) -> &'static str {
    match (kind, action) {
        (Kind::ServiceRequest, Action::Solve) => "Mark fulfilled",
        _ => action.label(),
    }
}

/// Why a request may not take an action yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RequestRefusal {
    #[error(
        "This service request is waiting for a service desk manager's approval; work on it \
         starts once it is approved."
    )]
    AwaitingApproval,
}

/// Whether `action` may be taken on a ticket of `kind`, approved or not, as far as request
/// fulfilment goes (the status machine still has its say). Recording, triaging, assigning and
/// cancelling a request go on while it waits; starting, pausing, resuming and fulfilling it are
/// work, and wait for the approval.
///
/// # Errors
///
/// [`RequestRefusal::AwaitingApproval`] for work on an unapproved request.
pub fn check_action(kind: Kind, approved: bool, action: Action) -> Result<(), RequestRefusal> {
    let is_work = matches!(
        action,
        Action::StartWork | Action::Pend(_) | Action::Resume | Action::Solve
    );
    if kind == Kind::ServiceRequest && !approved && is_work {
        Err(RequestRefusal::AwaitingApproval)
    } else {
        Ok(())
    }
}

/// Why a request cannot be approved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApprovalRefusal {
    NotARequest,
    AlreadyApproved,
    Closed(Status),
    NotAManager,
}

impl fmt::Display for ApprovalRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApprovalRefusal::NotARequest => {
                f.write_str("Only service requests are approved; an incident is worked on at once.")
            }
            ApprovalRefusal::AlreadyApproved => f.write_str("This request is already approved."),
            ApprovalRefusal::Closed(status) => write!(
                f,
                "This request is {}; there is nothing left to approve.",
                status_label(Kind::ServiceRequest, *status, false).to_lowercase()
            ),
            ApprovalRefusal::NotAManager => {
                f.write_str("Only a service desk manager approves a service request.")
            }
        }
    }
}

impl std::error::Error for ApprovalRefusal {}

/// Whether a manager (or not) may approve a ticket of `kind` in `status`: a service request,
/// still open, not approved yet.
///
/// # Errors
///
/// The first reason it cannot be, in the order a person would fix them.
pub fn check_approval(
    kind: Kind,
    status: Status,
    approved: bool,
    by_manager: bool,
) -> Result<(), ApprovalRefusal> {
    if kind != Kind::ServiceRequest {
        Err(ApprovalRefusal::NotARequest)
    } else if approved {
        Err(ApprovalRefusal::AlreadyApproved)
    } else if !status.is_open() {
        Err(ApprovalRefusal::Closed(status))
    } else if !by_manager {
        Err(ApprovalRefusal::NotAManager)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::priority::Priority;
    use crate::domain::ticket::PendingReason;

    #[test]
    fn work_waits_for_the_approval_of_a_request_and_nothing_else_does() {
        use Action as A;
        // (kind, approved, action, allowed)
        let cases = [
            (Kind::ServiceRequest, false, A::StartWork, false),
            (Kind::ServiceRequest, false, A::Solve, false),
            (Kind::ServiceRequest, false, A::Resume, false),
            (
                Kind::ServiceRequest,
                false,
                A::Pend(PendingReason::ClientInput),
                false,
            ),
            (Kind::ServiceRequest, false, A::Triage, true),
            (Kind::ServiceRequest, false, A::Assign, true),
            (Kind::ServiceRequest, false, A::Cancel, true),
            (Kind::ServiceRequest, false, A::MarkDuplicate, true),
            (Kind::ServiceRequest, true, A::StartWork, true),
            (Kind::ServiceRequest, true, A::Solve, true),
            (
                Kind::ServiceRequest,
                true,
                A::Pend(PendingReason::Vendor),
                true,
            ),
            (Kind::Incident, false, A::StartWork, true),
            (Kind::Incident, false, A::Solve, true),
            (Kind::Incident, false, A::Pend(PendingReason::Parts), true),
        ];
        for (kind, approved, action, allowed) in cases {
            assert_eq!(
                check_action(kind, approved, action).is_ok(),
                allowed,
                "{kind:?} approved={approved} {action:?}"
            );
        }
        assert_eq!(
            check_action(Kind::ServiceRequest, false, A::StartWork),
            Err(RequestRefusal::AwaitingApproval)
        );
    }

    #[test]
    fn a_request_reads_requested_approved_and_fulfilled() {
        use Status as S;
        let cases = [
            (Kind::ServiceRequest, S::New, false, "Requested"),
            (Kind::ServiceRequest, S::Triaged, false, "Requested"),
            (Kind::ServiceRequest, S::Assigned, false, "Requested"),
            (Kind::ServiceRequest, S::New, true, "Approved"),
            (Kind::ServiceRequest, S::Triaged, true, "Approved"),
            (Kind::ServiceRequest, S::Assigned, true, "Approved"),
            (Kind::ServiceRequest, S::InProgress, true, "In progress"),
            (
                Kind::ServiceRequest,
                S::PendingClient,
                true,
                "Pending client input",
            ),
            (Kind::ServiceRequest, S::Solved, true, "Fulfilled"),
            (Kind::ServiceRequest, S::Closed, true, "Closed"),
            (Kind::ServiceRequest, S::Cancelled, false, "Cancelled"),
            (Kind::Incident, S::New, false, "New"),
            (Kind::Incident, S::Triaged, true, "Triaged"),
            (Kind::Incident, S::Solved, false, "Solved"),
        ];
        for (kind, status, approved, label) in cases {
            assert_eq!(
                status_label(kind, status, approved),
                label,
                "{kind:?} {status:?}"
            );
        }
        assert_eq!(
            action_label(Kind::ServiceRequest, Action::Solve),
            "Mark fulfilled"
        );
        assert_eq!(action_label(Kind::Incident, Action::Solve), "Mark solved");
    }

    #[test]
    fn only_a_manager_approves_an_open_unapproved_request() {
        use ApprovalRefusal as R;
        use Status as S;
        // (kind, status, approved, by manager, expected)
        let cases = [
            (Kind::ServiceRequest, S::New, false, true, Ok(())),
            (Kind::ServiceRequest, S::Triaged, false, true, Ok(())),
            (Kind::ServiceRequest, S::Assigned, false, true, Ok(())),
            (
                Kind::ServiceRequest,
                S::New,
                false,
                false,
                Err(R::NotAManager),
            ),
            (
                Kind::ServiceRequest,
                S::Assigned,
                true,
                true,
                Err(R::AlreadyApproved),
            ),
            (
                Kind::ServiceRequest,
                S::Cancelled,
                false,
                true,
                Err(R::Closed(S::Cancelled)),
            ),
            (
                Kind::ServiceRequest,
                S::Solved,
                false,
                true,
                Err(R::Closed(S::Solved)),
            ),
            (Kind::Incident, S::New, false, true, Err(R::NotARequest)),
        ];
        for (kind, status, approved, manager, expected) in cases {
            assert_eq!(
                check_approval(kind, status, approved, manager),
                expected,
                "{kind:?} {status:?} approved={approved} manager={manager}"
            );
        }
        assert_eq!(
            R::Closed(S::Solved).to_string(),
            "This request is fulfilled; there is nothing left to approve."
        );
    }

    #[test]
    fn request_targets_are_longer_than_incident_targets_and_valid() {
        let requests = default_targets();
        let incidents = SlaTargets::blueprint_default();
        assert!(requests.validate().is_ok());
        for p in Priority::ALL {
            assert!(
                requests.target(p).response > incidents.target(p).response,
                "{p:?}"
            );
            assert!(
                requests.target(p).resolution > incidents.target(p).resolution,
                "{p:?}"
            );
            assert_eq!(requests.target(p).mode, ClockMode::BusinessHours);
        }
        let minutes = |p| {
            let t = requests.target(p);
            (t.response.num_minutes(), t.resolution.num_minutes())
        };
        // The same figures as the migration's, so a new policy and an old one agree.
        assert_eq!(minutes(Priority::P1), (240, 960));
        assert_eq!(minutes(Priority::P2), (480, 2400));
        assert_eq!(minutes(Priority::P3), (960, 4800));
    }
}
