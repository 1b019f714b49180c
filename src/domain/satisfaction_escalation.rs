//! Client satisfaction as an escalation trigger (blueprints, "Escalation triggers"): an unhappy
//! survey answer raises the client's other open tickets to the manager's attention as suggested
//! escalations, which a manager applies or dismisses.

use super::escalation::{Ladder, Level};
use super::survey;

/// Whether a survey answer should raise the client's other open tickets: a low rating, or a
/// comment from a client who is not satisfied (a comment beside a 4 or 5 is praise, not a
/// complaint).
pub fn raises_escalation(rating: Option<u8>, comment: &str, flag_at: u8) -> bool {
    let low = rating.is_some_and(|r| r <= flag_at);
    let complaint = !comment.trim().is_empty() && rating.is_none_or(|r| r <= 3);
    low || complaint
}

/// The words a suggestion carries: which survey, what rating, what the client wrote.
pub fn suggestion_sentence(surveyed: i64, rating: Option<u8>, comment: &str) -> String {
    let rated = match rating {
        Some(r) => format!("rated ticket #{surveyed} {r} of 5 ({})", survey::label(r)),
        None => format!("commented on ticket #{surveyed} without a rating"),
    };
    let comment = comment.trim();
    if comment.is_empty() {
        format!("The client {rated}.")
    } else {
        format!("The client {rated}: “{}”", excerpt(comment, 160))
    }
}

fn excerpt(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let cut: String = flat.chars().take(max).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Where applying a suggestion sends the ticket: the manager's decision point when it stands
/// above the ticket, else the next level up that needs nobody's approval; `None` when the
/// ticket is already as high as it goes.
pub fn target<'a>(ladder: &'a Ladder, current: &Level) -> Option<&'a Level> {
    ladder
        .levels()
        .iter()
        .find(|l| l.decision_point && l.position > current.position)
        .or_else(|| ladder.next_for_time(current))
}

/// Where a suggestion stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuggestionStatus {
    Open,
    Applied,
    Dismissed,
}

impl SuggestionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SuggestionStatus::Open => "open",
            SuggestionStatus::Applied => "applied",
            SuggestionStatus::Dismissed => "dismissed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Open, Self::Applied, Self::Dismissed]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            SuggestionStatus::Open => "Awaiting a manager",
            SuggestionStatus::Applied => "Applied",
            SuggestionStatus::Dismissed => "Dismissed",
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::domain::account::Tier;

    #[test]
    fn low_ratings_and_complaints_raise_the_clients_other_tickets() {
        let table = [
            (Some(1), "", true),
            (Some(2), "", true),
            (Some(3), "", false),
            (Some(5), "", false),
            (Some(3), "Slow to call back.", true),
            (Some(4), "Thanks, quick fix!", false),
            (Some(5), "Great", false),
            (None, "Still broken.", true),
            (None, "   ", false),
            (None, "", false),
        ];
        for (rating, comment, expected) in table {
            assert_eq!(
                raises_escalation(rating, comment, survey::DEFAULT_FLAG_AT),
                expected,
                "{rating:?} {comment:?}"
            );
        }
    }

    #[test]
    fn the_sentence_cites_the_survey() {
        assert_eq!(
            suggestion_sentence(12, Some(1), ""),
            "The client rated ticket #12 1 of 5 (Very dissatisfied)."
        );
        assert_eq!(
            suggestion_sentence(12, Some(2), "  Nobody\ncalled back. "),
            "The client rated ticket #12 2 of 5 (Dissatisfied): “Nobody called back.”"
        );
        assert_eq!(
            suggestion_sentence(7, None, "Still broken"),
            "The client commented on ticket #7 without a rating: “Still broken”"
        );
        let long = "word ".repeat(100);
        let sentence = suggestion_sentence(1, Some(1), &long);
        assert!(sentence.ends_with("…”"), "{sentence}");
        assert!(sentence.chars().count() < 240, "{sentence}");
    }

    fn level(id: i64, tier: Option<Tier>) -> Level {
        Level {
            id,
            position: i32::try_from(id).unwrap(),
            name: format!("L{id}"),
            tier,
            decision_point: tier.is_none(),
            budget_percent: [None; 3],
            default_owner: None,
        }
    }

    #[test]
    fn a_suggestion_goes_to_the_decision_point_or_the_next_level() {
        let ladder = Ladder::new(vec![
            level(1, Some(Tier::Tier1)),
            level(2, Some(Tier::Tier2)),
            level(3, Some(Tier::OnSite)),
            level(4, None),
            level(5, Some(Tier::Tier3)),
        ]);
        let to = |from| target(&ladder, ladder.get(from).unwrap()).map(|l| l.id);
        assert_eq!(to(1), Some(4));
        assert_eq!(to(3), Some(4));
        assert_eq!(to(4), Some(5), "past the manager, the next level up");
        assert_eq!(to(5), None);
    }

    #[test]
    fn statuses_round_trip() {
        for s in [
            SuggestionStatus::Open,
            SuggestionStatus::Applied,
            SuggestionStatus::Dismissed,
        ] {
            assert_eq!(SuggestionStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(SuggestionStatus::parse("maybe"), None);
    }
}
