//! The satisfaction survey: the scale clients answer on, and when an answer needs a manager.

use chrono::Duration;

/// How long a survey link can be answered (and the answer changed).
pub const SURVEY_VALIDITY: Duration = Duration::days(30);

/// Ratings at or below this are followed up by the service desk manager.
pub const DEFAULT_FLAG_AT: u8 = 2;

pub const SCALE: [(u8, &str); 5] = [
    (1, "Very dissatisfied"),
    (2, "Dissatisfied"),
    (3, "Neither"),
    (4, "Satisfied"),
    (5, "Very satisfied"),
];

pub fn label(rating: u8) -> &'static str {
    SCALE
        .iter()
        .find(|(r, _)| *r == rating)
        .map(|(_, l)| *l)
        .unwrap_or("Unknown")
}

pub fn parse_rating(raw: &str) -> Result<u8, String> {
    raw.trim()
        .parse::<u8>()
        .ok()
        .filter(|r| (1..=5).contains(r))
        .ok_or_else(|| "Choose a rating from 1 to 5.".to_string())
}

/// A low rating, or any comment at all, goes to a manager: a comment is the client asking to be
/// heard, whatever the score.
pub fn needs_follow_up(rating: Option<u8>, comment: &str, flag_at: u8) -> bool {
    rating.is_some_and(|r| r <= flag_at) || !comment.trim().is_empty()
}

/// Managers hear of a flagged answer once: a client who edits their comment again does not
/// mail every manager again.
pub fn notify_managers(flagged: bool, already_notified: bool) -> bool {
    flagged && !already_notified
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managers_hear_of_a_flagged_answer_only_the_first_time() {
        for (flagged, already, expected) in [
            (true, false, true),
            (true, true, false),
            (false, false, false),
            (false, true, false),
        ] {
            assert_eq!(notify_managers(flagged, already), expected);
        }
    }

    #[test]
    fn ratings_parse_only_on_the_scale() {
        for (raw, expected) in [
            ("1", Ok(1)),
            (" 5 ", Ok(5)),
            ("0", Err(())),
            ("6", Err(())),
            ("good", Err(())),
            ("", Err(())),
        ] {
            assert_eq!(parse_rating(raw).map_err(|_| ()), expected, "{raw:?}");
        }
        assert_eq!(label(4), "Satisfied");
    }

    #[test]
    fn low_ratings_and_comments_are_followed_up() {
        let table = [
            (Some(1), "", true),
            (Some(2), "", true),
            (Some(3), "", false),
            (Some(5), "", false),
            (Some(5), "Great, but the first call took long", true),
            (None, "", false),
            (None, "  ", false),
            (None, "Nobody called back", true),
        ];
        for (rating, comment, expected) in table {
            assert_eq!(
                needs_follow_up(rating, comment, DEFAULT_FLAG_AT),
                expected,
                "{rating:?} {comment:?}"
            );
        }
    }
}
