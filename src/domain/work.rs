//! Working a ticket: what a technician writes (a note, a reply, a call) and the rules a piece of
//! work follows: which status changes the work form may make, that a finished ticket takes no
//! more work, that the first reply or call is the response the SLA counts, that every save
//! reviews the status and the category ("unchanged" is an answer, but it must be given), and
//! that a new category clears the subcategory.

use super::ticket::{Action, Status, is_work_action};

/// What a technician writes while working a ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkEntry {
    /// Internal: only staff see it.
    Note,
    /// Sent to the client by e-mail; counts as the response.
    Reply,
    /// A call with the client, logged; counts as the response.
    Call,
}

impl WorkEntry {
    pub const ALL: [WorkEntry; 3] = [WorkEntry::Note, WorkEntry::Reply, WorkEntry::Call];

    pub fn as_str(self) -> &'static str {
        match self {
            WorkEntry::Note => "note",
            WorkEntry::Reply => "reply",
            WorkEntry::Call => "call",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|e| e.as_str() == raw.trim())
            .ok_or_else(|| {
                "Choose an internal note, a reply to the client or a logged call.".into()
            })
    }

    pub fn label(self) -> &'static str {
        match self {
            WorkEntry::Note => "Internal note",
            WorkEntry::Reply => "Reply to the client (e-mailed)",
            WorkEntry::Call => "Logged call with the client",
        }
    }

    /// The client hears from the desk: the SLA's response, and a timeline entry they may see.
    pub fn is_response(self) -> bool {
        matches!(self, WorkEntry::Reply | WorkEntry::Call)
    }
}

/// The work form's status change, if any, must be one the work form makes; the others have
/// their own forms with their own checks.
pub fn check_work_action(action: Option<Action>) -> Result<(), &'static str> {
    match action {
        Some(action) if !is_work_action(action) => Err("Use the ticket's own form for that step."),
        _ => Ok(()),
    }
}

/// A closed, cancelled or duplicate ticket is history.
pub fn check_takes_work(status: Status) -> Result<(), &'static str> {
    if status.is_final() {
        Err("This ticket is finished. A new message from the client starts a new ticket.")
    } else {
        Ok(())
    }
}

/// When the ticket was first responded to, after this entry at `at`: the first reply or call
/// sets it, and nothing moves it later.
pub fn responded_at<T>(before: Option<T>, entry: WorkEntry, at: T) -> Option<T> {
    match before {
        None if entry.is_response() => Some(at),
        other => other,
    }
}

/// The category and subcategory after the work form's review: an unchosen category keeps the
/// current one, and a different category clears the subcategory, which belonged to the old one.
pub fn recategorise<Id: PartialEq + Copy>(
    category: Option<Id>,
    subcategory: Option<Id>,
    chosen: Option<Id>,
) -> (Option<Id>, Option<Id>) {
    let after = chosen.or(category);
    if after == category {
        (after, subcategory)
    } else {
        (after, None)
    }
}

/// The technician's answer, on every save, to "are the status and the category still right?".
/// One required choice, so the usual answer (both stay) is one click and never a default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Review {
    Unchanged,
    Changed,
}

impl Review {
    pub const ALL: [Review; 2] = [Review::Unchanged, Review::Changed];

    pub fn as_str(self) -> &'static str {
        match self {
            Review::Unchanged => "unchanged",
            Review::Changed => "changed",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == raw.trim())
            .ok_or(
                "Review the status and the category: choose \u{201c}Unchanged\u{201d}, or \
                 \u{201c}Changed\u{201d} and set them.",
            )
    }
}

/// The review must say what the save does: "unchanged" with a new status or category, or
/// "changed" with neither, is a slip the technician should see before it is recorded.
pub fn check_review(
    review: Review,
    status_changes: bool,
    category_changes: bool,
) -> Result<(), &'static str> {
    match (review, status_changes || category_changes) {
        (Review::Unchanged, true) => Err(
            "You chose \u{201c}Unchanged\u{201d} but set a new status or category: choose \
             \u{201c}Changed\u{201d}, or put them back.",
        ),
        (Review::Changed, false) => Err(
            "You chose \u{201c}Changed\u{201d} but the status and category stay as they are: \
             pick the new status or category, or choose \u{201c}Unchanged\u{201d}.",
        ),
        _ => Ok(()),
    }
}

/// The timeline's line for a review: "Reviewed status (unchanged: In progress) and category
/// (changed: Printing → Network)".
pub fn review_summary(status: (&str, &str), category: (&str, &str)) -> String {
    fn part(name: &str, (before, after): (&str, &str)) -> String {
        if before == after {
            format!("{name} (unchanged: {after})")
        } else {
            format!("{name} (changed: {before} \u{2192} {after})")
        }
    }
    format!(
        "Reviewed {} and {}",
        part("status", status),
        part("category", category)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ticket::PendingReason;

    #[test]
    fn entries_round_trip_and_only_replies_and_calls_respond() {
        for (entry, responds) in [
            (WorkEntry::Note, false),
            (WorkEntry::Reply, true),
            (WorkEntry::Call, true),
        ] {
            assert_eq!(WorkEntry::parse(entry.as_str()), Ok(entry));
            assert_eq!(entry.is_response(), responds);
        }
        assert!(WorkEntry::parse("email").is_err());
    }

    #[test]
    fn the_work_form_makes_only_work_status_changes() {
        for (action, allowed) in [
            (None, true),
            (Some(Action::StartWork), true),
            (Some(Action::Pend(PendingReason::Vendor)), true),
            (Some(Action::Resume), true),
            (Some(Action::Solve), false),
            (Some(Action::Cancel), false),
            (Some(Action::Reopen), false),
            (Some(Action::Triage), false),
            (Some(Action::Assign), false),
        ] {
            assert_eq!(check_work_action(action).is_ok(), allowed, "{action:?}");
        }
    }

    #[test]
    fn only_a_finished_ticket_refuses_work() {
        for status in Status::ALL {
            let finished = matches!(
                status,
                Status::Closed | Status::Cancelled | Status::Duplicate
            );
            assert_eq!(check_takes_work(status).is_err(), finished, "{status:?}");
        }
    }

    #[test]
    fn the_first_reply_or_call_is_the_response_and_stays() {
        for (before, entry, expected) in [
            (None, WorkEntry::Note, None),
            (None, WorkEntry::Reply, Some(10)),
            (None, WorkEntry::Call, Some(10)),
            (Some(5), WorkEntry::Reply, Some(5)),
            (Some(5), WorkEntry::Note, Some(5)),
        ] {
            assert_eq!(responded_at(before, entry, 10), expected);
        }
    }

    #[test]
    fn a_new_category_clears_the_subcategory() {
        for (category, sub, chosen, expected) in [
            (Some(1), Some(11), None, (Some(1), Some(11))),
            (Some(1), Some(11), Some(1), (Some(1), Some(11))),
            (Some(1), Some(11), Some(2), (Some(2), None)),
            (None, None, Some(2), (Some(2), None)),
            (None, None, None, (None, None)),
        ] {
            assert_eq!(recategorise(category, sub, chosen), expected);
        }
    }
    #[test]
    fn the_review_must_match_what_the_save_does() {
        for (review, status, category, ok) in [
            (Review::Unchanged, false, false, true),
            (Review::Unchanged, true, false, false),
            (Review::Unchanged, false, true, false),
            (Review::Changed, true, false, true),
            (Review::Changed, false, true, true),
            (Review::Changed, true, true, true),
            (Review::Changed, false, false, false),
        ] {
            assert_eq!(
                check_review(review, status, category).is_ok(),
                ok,
                "{review:?} {status} {category}"
            );
        }
        for review in Review::ALL {
            assert_eq!(Review::parse(review.as_str()), Ok(review));
        }
        assert!(Review::parse("").is_err());
        assert!(Review::parse("keep").is_err());
    }

    #[test]
    fn the_review_reads_as_a_sentence() {
        for (status, category, expected) in [
            (
                ("In progress", "In progress"),
                ("Printing", "Network"),
                "Reviewed status (unchanged: In progress) and category (changed: Printing \u{2192} Network)",
            ),
            (
                ("Assigned", "In progress"),
                ("Network", "Network"),
                "Reviewed status (changed: Assigned \u{2192} In progress) and category (unchanged: Network)",
            ),
        ] {
            assert_eq!(review_summary(status, category), expected);
        }
    }
}
