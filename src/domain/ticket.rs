//! A ticket's life, as the blueprints' incident procedure and business rules set it.
//!
//! The status machine is one function, [`next_status`], so every route that changes a status
//! (forms, mail, jobs) goes through the same rules and a forbidden transition is impossible
//! everywhere at once. The rules that need more than the status (who may solve, whether the
//! requester was validated, how long a solved ticket waits) are small functions beside it, so
//! the web layer asks the same questions the tests do.

use std::fmt;

use chrono::{DateTime, Duration, Utc};

use super::ids::UserId;

/// Where a ticket stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    New,
    Triaged,
    Assigned,
    InProgress,
    PendingClient,
    PendingVendor,
    PendingParts,
    Solved,
    Closed,
    Reopened,
    Cancelled,
    /// Merged into another ticket, which carries on.
    Duplicate,
}

impl Status {
    pub const ALL: [Status; 12] = [
        Status::New,
        Status::Triaged,
        Status::Assigned,
        Status::InProgress,
        Status::PendingClient,
        Status::PendingVendor,
        Status::PendingParts,
        Status::Solved,
        Status::Closed,
        Status::Reopened,
        Status::Cancelled,
        Status::Duplicate,
    ];

    /// Still needs the desk ([`Status::is_open`]): what the queues and workloads count.
    pub const OPEN: [Status; 8] = [
        Status::New,
        Status::Triaged,
        Status::Assigned,
        Status::InProgress,
        Status::PendingClient,
        Status::PendingVendor,
        Status::PendingParts,
        Status::Reopened,
    ];

    /// Waiting on someone outside the desk ([`Status::is_pending`]), its resolution clock stopped.
    pub const PENDING: [Status; 3] = [
        Status::PendingClient,
        Status::PendingVendor,
        Status::PendingParts,
    ];

    /// Open and not pending: the clocks run, so time budgets are spent.
    pub const RUNNING: [Status; 5] = [
        Status::New,
        Status::Triaged,
        Status::Assigned,
        Status::InProgress,
        Status::Reopened,
    ];

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or_else(|| "Choose a status from the list.".to_string())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Triaged => "triaged",
            Status::Assigned => "assigned",
            Status::InProgress => "in_progress",
            Status::PendingClient => "pending_client",
            Status::PendingVendor => "pending_vendor",
            Status::PendingParts => "pending_parts",
            Status::Solved => "solved",
            Status::Closed => "closed",
            Status::Reopened => "reopened",
            Status::Cancelled => "cancelled",
            Status::Duplicate => "duplicate",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::New => "New",
            Status::Triaged => "Triaged",
            Status::Assigned => "Assigned",
            Status::InProgress => "In progress",
            Status::PendingClient => "Pending client input",
            Status::PendingVendor => "Pending vendor",
            Status::PendingParts => "Pending parts",
            Status::Solved => "Solved",
            Status::Closed => "Closed",
            Status::Reopened => "Reopened",
            Status::Cancelled => "Cancelled",
            Status::Duplicate => "Duplicate",
        }
    }

    /// The status in the middle of a sentence: "This ticket is {phrase}."
    fn phrase(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Triaged => "triaged",
            Status::Assigned => "assigned",
            Status::InProgress => "in progress",
            Status::PendingClient => "waiting for the client",
            Status::PendingVendor => "waiting for a vendor",
            Status::PendingParts => "waiting for parts",
            Status::Solved => "solved",
            Status::Closed => "closed",
            Status::Reopened => "reopened",
            Status::Cancelled => "cancelled",
            Status::Duplicate => "marked as a duplicate",
        }
    }

    /// What a pending ticket waits for; `None` when it is not pending.
    pub fn pending_reason(self) -> Option<PendingReason> {
        match self {
            Status::PendingClient => Some(PendingReason::ClientInput),
            Status::PendingVendor => Some(PendingReason::Vendor),
            Status::PendingParts => Some(PendingReason::Parts),
            _ => None,
        }
    }

    /// Waiting on someone outside the desk: the resolution clock stops, as the blueprints
    /// allow, because the desk cannot move the ticket on.
    pub fn is_pending(self) -> bool {
        self.pending_reason().is_some()
    }

    /// Still needs the desk. A solved ticket is neither open nor final: it waits for the
    /// client to reopen it or for the auto-close job.
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            Status::Solved | Status::Closed | Status::Cancelled | Status::Duplicate
        )
    }

    /// History: no action changes it any more.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Closed | Status::Cancelled | Status::Duplicate)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What a pending ticket waits for; the blueprints' three statuses that stop the clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PendingReason {
    ClientInput,
    Vendor,
    Parts,
}

impl PendingReason {
    pub const ALL: [PendingReason; 3] = [
        PendingReason::ClientInput,
        PendingReason::Vendor,
        PendingReason::Parts,
    ];

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == raw.trim())
            .ok_or_else(|| {
                "Choose what the ticket waits for: the client, a vendor or parts.".to_string()
            })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PendingReason::ClientInput => "client_input",
            PendingReason::Vendor => "vendor",
            PendingReason::Parts => "parts",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PendingReason::ClientInput => "Client input",
            PendingReason::Vendor => "Vendor",
            PendingReason::Parts => "Parts",
        }
    }

    /// The status a ticket waiting for this has.
    pub fn status(self) -> Status {
        match self {
            PendingReason::ClientInput => Status::PendingClient,
            PendingReason::Vendor => Status::PendingVendor,
            PendingReason::Parts => Status::PendingParts,
        }
    }
}

impl fmt::Display for PendingReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What a person asks of a ticket; [`next_status`] decides where it leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Set impact, urgency and category; again later to correct them.
    Triage,
    /// Give the ticket a technician; again later to reassign it.
    Assign,
    StartWork,
    Pend(PendingReason),
    Resume,
    Solve,
    /// The auto-close job's, once the solved window ends; never offered to a person.
    Close,
    Reopen,
    Cancel,
    MarkDuplicate,
}

impl Action {
    pub const ALL: [Action; 12] = [
        Action::Triage,
        Action::Assign,
        Action::StartWork,
        Action::Pend(PendingReason::ClientInput),
        Action::Pend(PendingReason::Vendor),
        Action::Pend(PendingReason::Parts),
        Action::Resume,
        Action::Solve,
        Action::Close,
        Action::Reopen,
        Action::Cancel,
        Action::MarkDuplicate,
    ];

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == raw.trim())
            .ok_or_else(|| "Choose an action from the list.".to_string())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Triage => "triage",
            Action::Assign => "assign",
            Action::StartWork => "start_work",
            Action::Pend(PendingReason::ClientInput) => "pend_client_input",
            Action::Pend(PendingReason::Vendor) => "pend_vendor",
            Action::Pend(PendingReason::Parts) => "pend_parts",
            Action::Resume => "resume",
            Action::Solve => "solve",
            Action::Close => "close",
            Action::Reopen => "reopen",
            Action::Cancel => "cancel",
            Action::MarkDuplicate => "mark_duplicate",
        }
    }

    /// Button text.
    pub fn label(self) -> &'static str {
        match self {
            Action::Triage => "Triage",
            Action::Assign => "Assign",
            Action::StartWork => "Start work",
            Action::Pend(PendingReason::ClientInput) => "Wait for the client",
            Action::Pend(PendingReason::Vendor) => "Wait for a vendor",
            Action::Pend(PendingReason::Parts) => "Wait for parts",
            Action::Resume => "Resume work",
            Action::Solve => "Mark solved",
            Action::Close => "Close",
            Action::Reopen => "Reopen",
            Action::Cancel => "Cancel ticket",
            Action::MarkDuplicate => "Mark as duplicate",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Why an action was refused, in a sentence that tells the person what to do instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// Closed, cancelled and duplicate tickets are history.
    #[error("This ticket is {}; nothing more can change on it.", .0.phrase())]
    Final(Status),
    /// After the reopen window the client's problem is news, with its own SLA clocks.
    #[error("A closed ticket cannot be reopened; the client's new message starts a new ticket.")]
    ClosedForGood,
    #[error("This ticket is solved; reopen it first.")]
    SolvedReopenFirst,
    #[error("This ticket is already solved.")]
    AlreadySolved,
    #[error(
        "Only a solved ticket can be closed; solve it first, or cancel it if no work is needed."
    )]
    NotSolved,
    #[error("This ticket is still open; only a solved ticket can be reopened.")]
    StillOpen,
    /// The blueprints: whoever pulls a ticket from the queue triages it first.
    #[error(
        "Triage the ticket first: set its impact, urgency and category, so whoever works on it \
         knows how soon it is needed."
    )]
    TriageFirst,
    #[error("Assign the ticket to a technician first.")]
    AssignFirst,
    #[error("Start work on the ticket first.")]
    StartWorkFirst,
    #[error("Work on this ticket has already started.")]
    AlreadyInProgress,
    #[error("This ticket is {}; resume work on it instead.", .0.status().phrase())]
    ResumeInstead(PendingReason),
    #[error("Only a waiting ticket can be resumed; this one is {}.", .0.phrase())]
    NotPending(Status),
    #[error("This ticket is already {}.", .0.status().phrase())]
    AlreadyPending(PendingReason),
}

/// The status machine: where `action` takes a ticket in status `from`.
///
/// new → triaged → assigned → in progress ⇄ pending → solved → closed, with solved → reopened
/// → in progress, and cancel or mark-duplicate from any open status. Triage and assign may be
/// repeated on an open ticket (a corrected priority, a reassignment) without changing its
/// status, and a pending ticket may switch what it waits for without resuming, so the clock
/// stays stopped. Solving also needs the owner and a solution: see [`can_solve`] and
/// [`check_solution`].
///
/// # Errors
///
/// Every other pair, with a sentence saying what to do instead.
pub fn next_status(from: Status, action: Action) -> Result<Status, TransitionError> {
    use Action as A;
    use Status as S;
    use TransitionError as E;
    // The arms are ordered: each may assume the statuses the ones above it took care of.
    match (from, action) {
        (S::Closed, A::Reopen) => Err(E::ClosedForGood),
        _ if from.is_final() => Err(E::Final(from)),
        (S::Solved, A::Close) => Ok(S::Closed),
        (S::Solved, A::Reopen) => Ok(S::Reopened),
        (S::Solved, A::Solve) => Err(E::AlreadySolved),
        (S::Solved, _) => Err(E::SolvedReopenFirst),
        // Open from here on.
        (_, A::Close) => Err(E::NotSolved),
        (_, A::Reopen) => Err(E::StillOpen),
        (_, A::Cancel) => Ok(S::Cancelled),
        (_, A::MarkDuplicate) => Ok(S::Duplicate),
        (S::New, A::Triage) => Ok(S::Triaged),
        (_, A::Triage) => Ok(from),
        (_, A::Resume) if from.is_pending() => Ok(S::InProgress),
        (_, A::Resume) => Err(E::NotPending(from)),
        (S::New, _) => Err(E::TriageFirst),
        (S::Triaged, A::Assign) => Ok(S::Assigned),
        (_, A::Assign) => Ok(from),
        (S::Triaged, _) => Err(E::AssignFirst),
        (S::Assigned | S::Reopened, A::StartWork) => Ok(S::InProgress),
        (S::Assigned | S::Reopened, _) => Err(E::StartWorkFirst),
        // In progress or pending from here on.
        (_, A::Solve) => Ok(S::Solved),
        (_, A::StartWork) => Err(from
            .pending_reason()
            .map_or(E::AlreadyInProgress, E::ResumeInstead)),
        (_, A::Pend(reason)) if from == reason.status() => Err(E::AlreadyPending(reason)),
        (_, A::Pend(reason)) => Ok(reason.status()),
    }
}

/// The status changes a technician picks while working a ticket. Solving, closing, cancelling,
/// reopening, triage and assignment each have their own form, with the checks and records that
/// go with them, so the work form never performs them.
pub fn is_work_action(action: Action) -> bool {
    matches!(action, Action::StartWork | Action::Pend(_) | Action::Resume)
}

/// The actions a person may take on a ticket in `status`, in [`Action::ALL`] order, for the
/// ticket page's buttons. Close is left out: only the auto-close job closes. Solve still needs
/// [`can_solve`].
pub fn available_actions(status: Status) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|&action| action != Action::Close && next_status(status, action).is_ok())
        .collect()
}

/// Incident or service request: the blueprints send requests for new or altered services to
/// request fulfilment, so they get their own queue while still being tracked as tickets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Incident,
    ServiceRequest,
}

impl Kind {
    pub const ALL: [Kind; 2] = [Kind::Incident, Kind::ServiceRequest];

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw.trim())
            .ok_or_else(|| "Choose incident or service request.".to_string())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Incident => "incident",
            Kind::ServiceRequest => "service_request",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Incident => "Incident",
            Kind::ServiceRequest => "Service request",
        }
    }

    /// One sentence without its closing full stop, for the hint beside the choice.
    pub fn description(self) -> &'static str {
        match self {
            Kind::Incident => "Something that worked has stopped working or degraded",
            Kind::ServiceRequest => "A new or altered service, handled by request fulfilment",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// How the request reached the desk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    Phone,
    Email,
    Portal,
    WalkIn,
    AutomaticAlert,
}

impl Channel {
    pub const ALL: [Channel; 5] = [
        Channel::Phone,
        Channel::Email,
        Channel::Portal,
        Channel::WalkIn,
        Channel::AutomaticAlert,
    ];

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == raw.trim())
            .ok_or_else(|| "Choose phone, e-mail, portal, walk-in or automatic alert.".to_string())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Email => "email",
            Channel::Portal => "portal",
            Channel::WalkIn => "walk_in",
            Channel::AutomaticAlert => "automatic_alert",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Channel::Phone => "Phone",
            Channel::Email => "E-mail",
            Channel::Portal => "Portal",
            Channel::WalkIn => "Walk-in",
            Channel::AutomaticAlert => "Automatic alert",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// How the requester's identity was validated, the service desk flow's second step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdentityCheck {
    /// Called back on the number on file, not the one they called from.
    CallBack,
    KnownEmail,
    Pin,
    InPerson,
    NotValidated,
}

impl IdentityCheck {
    /// The methods that validate, for a check recorded after intake.
    pub const VALIDATING: [IdentityCheck; 4] = [
        IdentityCheck::CallBack,
        IdentityCheck::KnownEmail,
        IdentityCheck::Pin,
        IdentityCheck::InPerson,
    ];

    pub const ALL: [IdentityCheck; 5] = [
        IdentityCheck::CallBack,
        IdentityCheck::KnownEmail,
        IdentityCheck::Pin,
        IdentityCheck::InPerson,
        IdentityCheck::NotValidated,
    ];

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|i| i.as_str() == raw.trim())
            .ok_or_else(|| "Choose how the requester's identity was validated.".to_string())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            IdentityCheck::CallBack => "call_back",
            IdentityCheck::KnownEmail => "known_email",
            IdentityCheck::Pin => "pin",
            IdentityCheck::InPerson => "in_person",
            IdentityCheck::NotValidated => "not_validated",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            IdentityCheck::CallBack => "Call-back to the number on file",
            IdentityCheck::KnownEmail => "Known e-mail address",
            IdentityCheck::Pin => "PIN",
            IdentityCheck::InPerson => "In person",
            IdentityCheck::NotValidated => "Not validated",
        }
    }

    pub fn is_validated(self) -> bool {
        self != IdentityCheck::NotValidated
    }
}

impl fmt::Display for IdentityCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A password reset or a permission change for whoever merely claims to be the client is how
/// accounts get stolen, so sensitive work waits for a validated requester.
pub fn sensitive_work_allowed(identity: IdentityCheck) -> Result<(), String> {
    if identity.is_validated() {
        Ok(())
    } else {
        Err(
            "The requester's identity is not validated. Call them back on the number on file, \
             or check their known e-mail address, PIN or identity in person, before any \
             sensitive work."
                .into(),
        )
    }
}

/// The blueprints' business rule: only the ticket owner, who answers for it through its whole
/// life, marks it solved; whoever happens to be working on it asks them.
pub fn can_solve(actor: UserId, owner: Option<UserId>) -> Result<(), String> {
    match owner {
        None => Err("This ticket has no owner yet; assign it before marking it solved.".into()),
        Some(owner) if owner == actor => Ok(()),
        Some(_) => Err(
            "Only the ticket's owner can mark it solved; ask them, or have the ticket \
             reassigned to you."
                .into(),
        ),
    }
}

/// Fewer letters and digits than this is "fixed" or "done", which teaches the next technician
/// nothing.
pub const MIN_SOLUTION_CHARS: usize = 15;
/// A solution is read by people; logs and screenshots belong in attachments.
pub const MAX_SOLUTION_CHARS: usize = 20_000;

/// The documented solution a solved ticket needs: trimmed, line endings made `\n`, otherwise
/// kept as typed. Only letters and digits count towards the minimum, so a row of dots does
/// not pass.
pub fn check_solution(raw: &str) -> Result<String, String> {
    let text = raw.trim().replace("\r\n", "\n");
    if text.is_empty() {
        return Err("Describe the solution; a ticket cannot be solved without one.".into());
    }
    if text.chars().count() > MAX_SOLUTION_CHARS {
        return Err(format!(
            "Keep the solution to {MAX_SOLUTION_CHARS} characters or fewer."
        ));
    }
    if text.chars().filter(|c| c.is_alphanumeric()).count() < MIN_SOLUTION_CHARS {
        return Err(format!(
            "Describe the solution in at least {MIN_SOLUTION_CHARS} letters or digits, so \
             whoever meets this problem again can repeat the fix."
        ));
    }
    Ok(text)
}

/// How long a solved ticket waits for the client before it closes: the blueprints' "another
/// day or longer".
pub const DEFAULT_SOLVED_WINDOW: Duration = Duration::days(1);

/// The end of the solved window; `None` past the end of representable time, which never comes.
fn solved_window_end(solved_at: DateTime<Utc>, window: Duration) -> Option<DateTime<Utc>> {
    solved_at.checked_add_signed(window)
}

/// Whether the client may still reopen a ticket solved at `solved_at`. The window is half
/// open: at exactly `solved_at + window` it has closed. A window of zero or less is closed at
/// once.
pub fn reopen_window_open(solved_at: DateTime<Utc>, now: DateTime<Utc>, window: Duration) -> bool {
    solved_window_end(solved_at, window).is_none_or(|end| now < end)
}

/// Whether the auto-close job should close a ticket solved at `solved_at`: exactly when the
/// reopen window has closed, so no moment belongs to both or neither.
pub fn close_due(solved_at: DateTime<Utc>, now: DateTime<Utc>, window: Duration) -> bool {
    !reopen_window_open(solved_at, now, window)
}

/// Someone saved the ticket between this person opening it and saving it (optimistic
/// locking); `expected` is the version they opened, `actual` the one stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "Someone else saved this ticket after you opened it, so your changes were not saved. \
     Check what they changed; your text is kept so you can save it again."
)]
pub struct Conflict {
    pub expected: i64,
    pub actual: i64,
}

/// Refuses a save made from a stale copy, so it never silently overwrites someone else's.
pub fn check_version(expected: i64, actual: i64) -> Result<(), Conflict> {
    if expected == actual {
        Ok(())
    } else {
        Err(Conflict { expected, actual })
    }
}

/// Triage files the ticket under a category, so the queues, the knowledge base and the
/// assignment ranking can use it.
pub fn check_triage_category<Id>(category: Option<Id>) -> Result<Id, &'static str> {
    category.ok_or("Choose a category.")
}

/// Closing a ticket without solving it: as a duplicate of another ticket when one is named,
/// otherwise a plain cancel. A ticket cannot duplicate itself.
pub fn cancel_action<Id: PartialEq>(
    ticket: Id,
    duplicate_of: Option<Id>,
) -> Result<Action, &'static str> {
    match duplicate_of {
        Some(original) if original == ticket => Err("A ticket cannot duplicate itself."),
        Some(_) => Ok(Action::MarkDuplicate),
        None => Ok(Action::Cancel),
    }
}

#[cfg(test)]
mod rule_tests {
    use super::*;

    #[test]
    fn the_status_sets_match_the_status_rules() {
        let open: Vec<Status> = Status::ALL.into_iter().filter(|s| s.is_open()).collect();
        let pending: Vec<Status> = Status::ALL.into_iter().filter(|s| s.is_pending()).collect();
        let running: Vec<Status> = Status::ALL
            .into_iter()
            .filter(|s| s.is_open() && !s.is_pending())
            .collect();
        assert_eq!(Status::OPEN.to_vec(), open);
        assert_eq!(Status::PENDING.to_vec(), pending);
        assert_eq!(Status::RUNNING.to_vec(), running);
    }

    #[test]
    fn triage_needs_a_category() {
        assert_eq!(check_triage_category(Some(3)), Ok(3));
        assert_eq!(
            check_triage_category::<i64>(None),
            Err("Choose a category.")
        );
    }

    #[test]
    fn cancel_or_duplicate_is_chosen_by_the_named_original() {
        for (duplicate_of, expected) in [
            (None, Ok(Action::Cancel)),
            (Some(8), Ok(Action::MarkDuplicate)),
            (Some(7), Err("A ticket cannot duplicate itself.")),
        ] {
            assert_eq!(cancel_action(7, duplicate_of), expected);
        }
    }
}

#[cfg(test)]
mod work_action_tests {
    use super::*;

    #[test]
    fn only_starting_pending_and_resuming_are_work_actions() {
        let work: Vec<&str> = Action::ALL
            .into_iter()
            .filter(|a| is_work_action(*a))
            .map(Action::as_str)
            .collect();
        assert_eq!(
            work,
            [
                "start_work",
                "pend_client_input",
                "pend_vendor",
                "pend_parts",
                "resume"
            ]
        );
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;
    use std::collections::{HashSet, VecDeque};

    #[test]
    fn names_round_trip() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()).unwrap(), status);
            assert!(!status.label().is_empty());
        }
        for reason in PendingReason::ALL {
            assert_eq!(PendingReason::parse(reason.as_str()).unwrap(), reason);
        }
        for action in Action::ALL {
            assert_eq!(Action::parse(action.as_str()).unwrap(), action);
        }
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()).unwrap(), kind);
            assert!(!kind.description().ends_with('.'));
        }
        for channel in Channel::ALL {
            assert_eq!(Channel::parse(channel.as_str()).unwrap(), channel);
        }
        for check in IdentityCheck::ALL {
            assert_eq!(IdentityCheck::parse(check.as_str()).unwrap(), check);
        }
        // Names are unique, or parse would pick the first of two.
        let names: HashSet<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(names.len(), Action::ALL.len());
        let names: HashSet<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names.len(), Status::ALL.len());

        assert_eq!(Status::parse(" in_progress ").unwrap(), Status::InProgress);
        assert_eq!(Status::PendingVendor.to_string(), "Pending vendor");
        assert_eq!(Channel::WalkIn.to_string(), "Walk-in");
        for bad in [
            "",
            "In_progress",
            "open",
            "pending",
            "pend",
            "email ",
            "e-mail",
        ] {
            assert!(Status::parse(bad).is_err(), "{bad}");
            assert!(PendingReason::parse(bad).is_err(), "{bad}");
            assert!(Action::parse(bad).is_err(), "{bad}");
            assert!(Kind::parse(bad).is_err(), "{bad}");
            assert!(IdentityCheck::parse(bad).is_err(), "{bad}");
        }
        assert!(Channel::parse("e-mail").is_err());
        assert_eq!(Channel::parse("email ").unwrap(), Channel::Email);
    }

    #[test]
    fn status_predicates() {
        use PendingReason as R;
        use Status as S;
        // (status, pending reason, open, final)
        let table = [
            (S::New, None, true, false),
            (S::Triaged, None, true, false),
            (S::Assigned, None, true, false),
            (S::InProgress, None, true, false),
            (S::PendingClient, Some(R::ClientInput), true, false),
            (S::PendingVendor, Some(R::Vendor), true, false),
            (S::PendingParts, Some(R::Parts), true, false),
            (S::Solved, None, false, false),
            (S::Closed, None, false, true),
            (S::Reopened, None, true, false),
            (S::Cancelled, None, false, true),
            (S::Duplicate, None, false, true),
        ];
        assert_eq!(table.map(|row| row.0), Status::ALL);
        for (status, reason, open, is_final) in table {
            assert_eq!(status.pending_reason(), reason, "{status:?}");
            assert_eq!(status.is_pending(), reason.is_some(), "{status:?}");
            assert_eq!(status.is_open(), open, "{status:?}");
            assert_eq!(status.is_final(), is_final, "{status:?}");
            if let Some(reason) = reason {
                assert_eq!(reason.status(), status);
            }
        }
    }

    /// Every status against every action, in [`Action::ALL`] order:
    /// triage, assign, start work, pend client / vendor / parts, resume, solve, close, reopen,
    /// cancel, mark duplicate.
    #[test]
    fn transition_table() {
        use PendingReason::*;
        use Status::*;
        use TransitionError::*;
        let table: [(Status, [Result<Status, TransitionError>; 12]); 12] = [
            (
                New,
                [
                    Ok(Triaged),
                    Err(TriageFirst),
                    Err(TriageFirst),
                    Err(TriageFirst),
                    Err(TriageFirst),
                    Err(TriageFirst),
                    Err(NotPending(New)),
                    Err(TriageFirst),
                    Err(NotSolved),
                    Err(StillOpen),
                    Ok(Cancelled),
                    Ok(Duplicate),
                ],
            ),
            (
                Triaged,
                [
                    Ok(Triaged),
                    Ok(Assigned),
                    Err(AssignFirst),
                    Err(AssignFirst),
                    Err(AssignFirst),
                    Err(AssignFirst),
                    Err(NotPending(Triaged)),
                    Err(AssignFirst),
                    Err(NotSolved),
                    Err(StillOpen),
                    Ok(Cancelled),
                    Ok(Duplicate),
                ],
            ),
            (
                Assigned,
                [
                    Ok(Assigned),
                    Ok(Assigned),
                    Ok(InProgress),
                    Err(StartWorkFirst),
                    Err(StartWorkFirst),
                    Err(StartWorkFirst),
                    Err(NotPending(Assigned)),
                    Err(StartWorkFirst),
                    Err(NotSolved),
                    Err(StillOpen),
                    Ok(Cancelled),
                    Ok(Duplicate),
                ],
            ),
            (
                InProgress,
                [
                    Ok(InProgress),
                    Ok(InProgress),
                    Err(AlreadyInProgress),
                    Ok(PendingClient),
                    Ok(PendingVendor),
                    Ok(PendingParts),
                    Err(NotPending(InProgress)),
                    Ok(Solved),
                    Err(NotSolved),
                    Err(StillOpen),
                    Ok(Cancelled),
                    Ok(Duplicate),
                ],
            ),
            (
                PendingClient,
                [
                    Ok(PendingClient),
                    Ok(PendingClient),
                    Err(ResumeInstead(ClientInput)),
                    Err(AlreadyPending(ClientInput)),
                    Ok(PendingVendor),
                    Ok(PendingParts),
                    Ok(InProgress),
                    Ok(Solved),
                    Err(NotSolved),
                    Err(StillOpen),
                    Ok(Cancelled),
                    Ok(Duplicate),
                ],
            ),
            (
                PendingVendor,
                [
                    Ok(PendingVendor),
                    Ok(PendingVendor),
                    Err(ResumeInstead(Vendor)),
                    Ok(PendingClient),
                    Err(AlreadyPending(Vendor)),
                    Ok(PendingParts),
                    Ok(InProgress),
                    Ok(Solved),
                    Err(NotSolved),
                    Err(StillOpen),
                    Ok(Cancelled),
                    Ok(Duplicate),
                ],
            ),
            (
                PendingParts,
                [
                    Ok(PendingParts),
                    Ok(PendingParts),
                    Err(ResumeInstead(Parts)),
                    Ok(PendingClient),
                    Ok(PendingVendor),
                    Err(AlreadyPending(Parts)),
                    Ok(InProgress),
                    Ok(Solved),
                    Err(NotSolved),
                    Err(StillOpen),
                    Ok(Cancelled),
                    Ok(Duplicate),
                ],
            ),
            (
                Solved,
                [
                    Err(SolvedReopenFirst),
                    Err(SolvedReopenFirst),
                    Err(SolvedReopenFirst),
                    Err(SolvedReopenFirst),
                    Err(SolvedReopenFirst),
                    Err(SolvedReopenFirst),
                    Err(SolvedReopenFirst),
                    Err(AlreadySolved),
                    Ok(Closed),
                    Ok(Reopened),
                    Err(SolvedReopenFirst),
                    Err(SolvedReopenFirst),
                ],
            ),
            (
                Closed,
                [
                    Err(Final(Closed)),
                    Err(Final(Closed)),
                    Err(Final(Closed)),
                    Err(Final(Closed)),
                    Err(Final(Closed)),
                    Err(Final(Closed)),
                    Err(Final(Closed)),
                    Err(Final(Closed)),
                    Err(Final(Closed)),
                    Err(ClosedForGood),
                    Err(Final(Closed)),
                    Err(Final(Closed)),
                ],
            ),
            (
                Reopened,
                [
                    Ok(Reopened),
                    Ok(Reopened),
                    Ok(InProgress),
                    Err(StartWorkFirst),
                    Err(StartWorkFirst),
                    Err(StartWorkFirst),
                    Err(NotPending(Reopened)),
                    Err(StartWorkFirst),
                    Err(NotSolved),
                    Err(StillOpen),
                    Ok(Cancelled),
                    Ok(Duplicate),
                ],
            ),
            (Cancelled, [Err(Final(Cancelled)); 12]),
            (Duplicate, [Err(Final(Duplicate)); 12]),
        ];
        assert_eq!(table.map(|row| row.0), Status::ALL);
        for (from, expected) in table {
            for (action, expected) in Action::ALL.into_iter().zip(expected) {
                assert_eq!(next_status(from, action), expected, "{from:?} + {action:?}");
            }
        }
    }

    #[test]
    fn refusals_read_as_sentences() {
        use PendingReason as R;
        use Status as S;
        use TransitionError as E;
        let table = [
            (
                E::Final(S::Closed),
                "This ticket is closed; nothing more can change on it.",
            ),
            (
                E::Final(S::Duplicate),
                "This ticket is marked as a duplicate; nothing more can change on it.",
            ),
            (
                E::ClosedForGood,
                "A closed ticket cannot be reopened; the client's new message starts a new ticket.",
            ),
            (
                E::SolvedReopenFirst,
                "This ticket is solved; reopen it first.",
            ),
            (E::AlreadySolved, "This ticket is already solved."),
            (
                E::NotSolved,
                "Only a solved ticket can be closed; solve it first, or cancel it if no work is \
                 needed.",
            ),
            (
                E::StillOpen,
                "This ticket is still open; only a solved ticket can be reopened.",
            ),
            (
                E::TriageFirst,
                "Triage the ticket first: set its impact, urgency and category, so whoever works \
                 on it knows how soon it is needed.",
            ),
            (E::AssignFirst, "Assign the ticket to a technician first."),
            (E::StartWorkFirst, "Start work on the ticket first."),
            (
                E::AlreadyInProgress,
                "Work on this ticket has already started.",
            ),
            (
                E::ResumeInstead(R::Vendor),
                "This ticket is waiting for a vendor; resume work on it instead.",
            ),
            (
                E::NotPending(S::InProgress),
                "Only a waiting ticket can be resumed; this one is in progress.",
            ),
            (
                E::AlreadyPending(R::ClientInput),
                "This ticket is already waiting for the client.",
            ),
        ];
        for (error, sentence) in table {
            assert_eq!(error.to_string(), sentence);
        }
        // Every refusal anywhere in the machine is a finished sentence.
        for from in Status::ALL {
            for action in Action::ALL {
                if let Err(e) = next_status(from, action) {
                    let text = e.to_string();
                    assert!(text.ends_with('.'), "{from:?} + {action:?}: {text}");
                    assert!(text.starts_with(char::is_uppercase), "{text}");
                    assert!(!text.contains("  "), "{text}");
                }
            }
        }
    }

    #[test]
    fn available_actions_per_status() {
        use Action::*;
        use PendingReason::*;
        let table = [
            (Status::New, vec![Triage, Cancel, MarkDuplicate]),
            (Status::Triaged, vec![Triage, Assign, Cancel, MarkDuplicate]),
            (
                Status::Assigned,
                vec![Triage, Assign, StartWork, Cancel, MarkDuplicate],
            ),
            (
                Status::InProgress,
                vec![
                    Triage,
                    Assign,
                    Pend(ClientInput),
                    Pend(Vendor),
                    Pend(Parts),
                    Solve,
                    Cancel,
                    MarkDuplicate,
                ],
            ),
            (
                Status::PendingClient,
                vec![
                    Triage,
                    Assign,
                    Pend(Vendor),
                    Pend(Parts),
                    Resume,
                    Solve,
                    Cancel,
                    MarkDuplicate,
                ],
            ),
            (
                Status::PendingVendor,
                vec![
                    Triage,
                    Assign,
                    Pend(ClientInput),
                    Pend(Parts),
                    Resume,
                    Solve,
                    Cancel,
                    MarkDuplicate,
                ],
            ),
            (
                Status::PendingParts,
                vec![
                    Triage,
                    Assign,
                    Pend(ClientInput),
                    Pend(Vendor),
                    Resume,
                    Solve,
                    Cancel,
                    MarkDuplicate,
                ],
            ),
            (Status::Solved, vec![Reopen]),
            (Status::Closed, vec![]),
            (
                Status::Reopened,
                vec![Triage, Assign, StartWork, Cancel, MarkDuplicate],
            ),
            (Status::Cancelled, vec![]),
            (Status::Duplicate, vec![]),
        ];
        assert_eq!(table.clone().map(|row| row.0), Status::ALL);
        for (status, actions) in table {
            assert_eq!(available_actions(status), actions, "{status:?}");
        }
    }

    #[test]
    fn every_status_is_reachable_from_new_and_new_is_never_reentered() {
        let mut seen = HashSet::from([Status::New]);
        let mut queue = VecDeque::from([Status::New]);
        while let Some(from) = queue.pop_front() {
            for action in Action::ALL {
                if let Ok(to) = next_status(from, action) {
                    assert_ne!(to, Status::New, "{from:?} + {action:?}");
                    if seen.insert(to) {
                        queue.push_back(to);
                    }
                }
            }
        }
        assert_eq!(seen, HashSet::from(Status::ALL));
    }

    fn any_action() -> impl Strategy<Value = Action> {
        proptest::sample::select(Action::ALL.to_vec())
    }

    proptest! {
        /// People click anything: whatever sequence they try, refused actions change nothing,
        /// allowed ones follow the documented paths, and a final status is the end.
        #[test]
        fn any_sequence_of_actions_stays_on_the_map(
            actions in proptest::collection::vec(any_action(), 0..80)
        ) {
            let mut status = Status::New;
            for action in actions {
                let Ok(next) = next_status(status, action) else {
                    prop_assert!(!available_actions(status).contains(&action));
                    continue;
                };
                prop_assert!(!status.is_final(), "{:?} + {:?} moved a final ticket", status, action);
                prop_assert_eq!(Status::parse(next.as_str()), Ok(next));
                prop_assert_eq!(available_actions(status).contains(&action), action != Action::Close);
                if next == Status::Closed {
                    prop_assert_eq!((status, action), (Status::Solved, Action::Close));
                }
                if next == Status::Solved {
                    prop_assert!(status == Status::InProgress || status.is_pending());
                }
                if next.is_final() {
                    for later in Action::ALL {
                        prop_assert!(next_status(next, later).is_err(), "{:?} + {:?}", next, later);
                    }
                    prop_assert!(available_actions(next).is_empty());
                }
                status = next;
            }
        }
    }

    #[test]
    fn only_the_owner_solves() {
        let (ana, ben) = (UserId(1), UserId(2));
        let table = [
            (ana, Some(ana), Ok(())),
            (
                ben,
                Some(ana),
                Err(
                    "Only the ticket's owner can mark it solved; ask them, or have the ticket \
                     reassigned to you.",
                ),
            ),
            (
                ana,
                None,
                Err("This ticket has no owner yet; assign it before marking it solved."),
            ),
        ];
        for (actor, owner, expected) in table {
            assert_eq!(
                can_solve(actor, owner),
                expected.map_err(str::to_string),
                "{actor:?} on {owner:?}"
            );
        }
    }

    #[test]
    fn solutions_must_say_something() {
        let too_short = "Describe the solution in at least 15 letters or digits, so whoever meets \
                         this problem again can repeat the fix.";
        let empty = "Describe the solution; a ticket cannot be solved without one.";
        let too_long = "Keep the solution to 20000 characters or fewer.";
        let at_limit = format!("Replaced toner{}", "x".repeat(MAX_SOLUTION_CHARS - 14));
        let over_limit = format!("{at_limit}x");
        let table: Vec<(&str, Result<&str, &str>)> = vec![
            ("", Err(empty)),
            ("   \r\n\t ", Err(empty)),
            ("fixed", Err(too_short)),
            ("...............................", Err(too_short)),
            ("Replaced toner", Err(too_short)),
            // 14 letters: one short, however it is punctuated.
            ("Rebooted router.", Err(too_short)),
            ("R.e.b.o.o.t.e.d r.o.u.t.e.r!!!", Err(too_short)),
            // Exactly 15.
            ("Rebooted routers", Ok("Rebooted routers")),
            (
                "  Rebooted the router\r\nand updated firmware.  ",
                Ok("Rebooted the router\nand updated firmware."),
            ),
            // Letters in any script count.
            ("Päivitetty ajuri nyt", Ok("Päivitetty ajuri nyt")),
            (&at_limit, Ok(&at_limit)),
            (&over_limit, Err(too_long)),
        ];
        for (raw, expected) in table {
            assert_eq!(
                check_solution(raw),
                expected.map(str::to_string).map_err(str::to_string),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn sensitive_work_needs_a_validated_requester() {
        for check in IdentityCheck::ALL {
            let expected = check != IdentityCheck::NotValidated;
            assert_eq!(check.is_validated(), expected, "{check:?}");
            assert_eq!(sensitive_work_allowed(check).is_ok(), expected, "{check:?}");
        }
        assert!(
            sensitive_work_allowed(IdentityCheck::NotValidated)
                .unwrap_err()
                .starts_with("The requester's identity is not validated.")
        );
    }

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + seconds, 0)
            .single()
            .unwrap()
    }

    #[test]
    fn solved_window_edges() {
        let day = DEFAULT_SOLVED_WINDOW.num_seconds();
        assert_eq!(day, 86_400);
        let solved = at(0);
        // (now, window, reopen allowed)
        let table = [
            (at(-60), DEFAULT_SOLVED_WINDOW, true),
            (at(0), DEFAULT_SOLVED_WINDOW, true),
            (at(day - 1), DEFAULT_SOLVED_WINDOW, true),
            (at(day), DEFAULT_SOLVED_WINDOW, false),
            (at(day + 1), DEFAULT_SOLVED_WINDOW, false),
            (at(day + 1), Duration::days(3), true),
            (at(0), Duration::zero(), false),
            (at(0), Duration::seconds(-5), false),
            (at(-1), Duration::zero(), true),
            // Past the end of time: never closes rather than panicking.
            (at(10 * day), Duration::MAX, true),
        ];
        for (now, window, open) in table {
            assert_eq!(
                reopen_window_open(solved, now, window),
                open,
                "{now} {window}"
            );
            assert_eq!(close_due(solved, now, window), !open, "{now} {window}");
        }
    }

    #[test]
    fn stale_saves_conflict() {
        assert_eq!(check_version(3, 3), Ok(()));
        let conflict = check_version(3, 4).unwrap_err();
        assert_eq!(
            conflict,
            Conflict {
                expected: 3,
                actual: 4
            }
        );
        assert!(
            conflict
                .to_string()
                .starts_with("Someone else saved this ticket after you opened it")
        );
        assert!(check_version(4, 3).is_err());
    }
}
