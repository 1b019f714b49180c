//! Known errors: their "K-12" references, who may write them, the words a search is made of,
//! and how an incident says whether it was solved by a known error's workaround or for good.

use std::fmt;

use crate::domain::account::{Role, Tier};
use crate::domain::ids::{CategoryId, KnownErrorId};
use crate::domain::inputs::{Line, parse_required_note};

/// The reference staff say and type: "K-12".
pub fn reference(id: KnownErrorId) -> String {
    format!("K-{}", id.0)
}

/// Reads "K-12", "k12" or "12" back into an id.
pub fn parse_reference(raw: &str) -> Result<KnownErrorId, String> {
    let trimmed = raw.trim();
    let digits = trimmed
        .strip_prefix(['K', 'k'])
        .map(|rest| rest.strip_prefix('-').unwrap_or(rest))
        .unwrap_or(trimmed);
    match digits.parse::<i64>() {
        Ok(n) if n > 0 && digits.chars().all(|c| c.is_ascii_digit()) => Ok(KnownErrorId(n)),
        _ => Err(format!(
            "'{trimmed}' is not a known-error reference: write it as K-12."
        )),
    }
}

/// Whether a known error (or a KB article) is offered to technicians.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Published,
    Retired,
}

impl Status {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "published" => Ok(Status::Published),
            "retired" => Ok(Status::Retired),
            other => Err(format!("unknown known-error status '{other}'")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Published => "published",
            Status::Retired => "retired",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Published => "Published",
            Status::Retired => "Retired",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Known errors and KB articles are written by those who diagnose root causes: tier 2 and 3
/// technicians and managers. Tier 1 and on-site technicians read and apply them.
pub fn may_write(role: Role, tier: Option<Tier>) -> bool {
    role.is_manager() || matches!(tier, Some(Tier::Tier2 | Tier::Tier3))
}

pub const WRITE_REFUSAL: &str =
    "Only tier 2 and tier 3 technicians and managers write known errors and knowledge articles.";

/// A known error as typed: every text is required, the category optional.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownErrorInput {
    pub title: String,
    pub symptoms: String,
    pub cause: String,
    pub workaround: String,
    pub category: Option<CategoryId>,
}

pub const TITLE_MAX: usize = 200;
pub const TEXT_MAX: usize = 8000;

pub fn parse_title(raw: &str) -> Result<String, String> {
    Line::parse(raw, "a title", TITLE_MAX).map(Line::into_string)
}

pub fn parse_symptoms(raw: &str) -> Result<String, String> {
    parse_required_note(raw, TEXT_MAX, "Describe what the user sees.")
}

pub fn parse_cause(raw: &str) -> Result<String, String> {
    parse_required_note(raw, TEXT_MAX, "Enter the root cause.")
}

pub fn parse_workaround(raw: &str) -> Result<String, String> {
    parse_required_note(raw, TEXT_MAX, "Enter the workaround technicians apply.")
}

/// How an incident was solved: the blueprints keep a workaround apart from a permanent fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SolveKind {
    Permanent,
    Workaround(KnownErrorId),
}

/// Reads the solve form's choice: `raw` is "permanent" or "workaround", and a workaround names
/// one of the known errors applied to the ticket (`applied`, newest first). A service request
/// is fulfilled, not fixed, so it makes no choice.
pub fn parse_solve_kind(
    raw: &str,
    known_error: &str,
    applied: &[KnownErrorId],
) -> Result<SolveKind, (&'static str, String)> {
    match raw.trim() {
        "permanent" => Ok(SolveKind::Permanent),
        "workaround" => {
            if applied.is_empty() {
                return Err((
                    "fix",
                    "No known error's workaround was applied to this ticket: apply one first, or choose a permanent fix.".into(),
                ));
            }
            let chosen = if known_error.trim().is_empty() && applied.len() == 1 {
                applied[0]
            } else {
                parse_reference(known_error).map_err(|m| ("known_error", m))?
            };
            if applied.contains(&chosen) {
                Ok(SolveKind::Workaround(chosen))
            } else {
                Err((
                    "known_error",
                    format!(
                        "Known error {} was not applied to this ticket: choose one that was.",
                        reference(chosen)
                    ),
                ))
            }
        }
        _ => Err((
            "fix",
            "Say whether this is a workaround from a known error or a permanent fix.".into(),
        )),
    }
}

impl SolveKind {
    /// The timeline's words for it.
    pub fn describe(self) -> String {
        match self {
            SolveKind::Permanent => "permanent fix".into(),
            SolveKind::Workaround(id) => {
                format!(
                    "solved with the workaround from known error {}",
                    reference(id)
                )
            }
        }
    }

    /// The sentence the client's solution mail carries.
    pub fn for_client(self) -> String {
        match self {
            SolveKind::Permanent => "This is a permanent fix.".into(),
            SolveKind::Workaround(id) => format!(
                "This is a workaround for a known error ({}): it restores the service while the underlying cause is being fixed.",
                reference(id)
            ),
        }
    }
}

/// Words shorter than this carry no meaning for the search (and FTS5 and PostgreSQL would
/// disagree on what to do with them).
const MIN_TERM: usize = 3;
/// A long incident description would make a query of hundreds of OR'ed words: the first
/// distinct ones (subject first) say enough.
pub const MAX_TERMS: usize = 24;

/// English words PostgreSQL's `english` configuration drops; SQLite's FTS5 keeps them, so they
/// are dropped here for both to match the same rows.
pub(crate) const STOP_WORDS: &[&str] = &[
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "and",
    "any",
    "are",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "can",
    "did",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "into",
    "its",
    "itself",
    "just",
    "more",
    "most",
    "myself",
    "nor",
    "not",
    "now",
    "off",
    "once",
    "only",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "same",
    "she",
    "should",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "too",
    "under",
    "until",
    "very",
    "was",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

/// The words of free text worth searching for: lower-case letters and digits only (so nothing
/// in them is query syntax on either backend), stop words and short words out, each once, in
/// the order they first appear, at most `MAX_TERMS`.
pub fn search_terms(text: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        let word = word.to_lowercase();
        if word.chars().count() < MIN_TERM
            || !word.chars().all(|c| c.is_ascii_alphanumeric())
            || STOP_WORDS.contains(&word.as_str())
            || terms.contains(&word)
        {
            continue;
        }
        terms.push(word);
        if terms.len() == MAX_TERMS {
            break;
        }
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_read_back_in_the_forms_staff_type() {
        let table = [
            ("K-12", Ok(12)),
            ("k-12", Ok(12)),
            ("K12", Ok(12)),
            (" 12 ", Ok(12)),
            ("K-0", Err(())),
            ("K--3", Err(())),
            ("K-1x", Err(())),
            ("P-12", Err(())),
            ("", Err(())),
            ("K-+5", Err(())),
        ];
        for (raw, expected) in table {
            let parsed = parse_reference(raw).map(|id| id.0).map_err(|_| ());
            assert_eq!(parsed, expected, "{raw:?}");
        }
        assert_eq!(reference(KnownErrorId(7)), "K-7");
        assert_eq!(
            parse_reference(&reference(KnownErrorId(42))),
            Ok(KnownErrorId(42))
        );
    }

    #[test]
    fn tier_two_and_three_and_managers_write_others_read() {
        let table = [
            (Role::Technician, None, false),
            (Role::Technician, Some(Tier::Tier1), false),
            (Role::Technician, Some(Tier::OnSite), false),
            (Role::Technician, Some(Tier::Tier2), true),
            (Role::Technician, Some(Tier::Tier3), true),
            (Role::Manager, None, true),
            (Role::Manager, Some(Tier::Tier1), true),
            (Role::Admin, None, true),
        ];
        for (role, tier, expected) in table {
            assert_eq!(may_write(role, tier), expected, "{role:?} {tier:?}");
        }
    }

    #[test]
    fn the_solve_choice_is_required_and_names_an_applied_known_error() {
        let applied = [KnownErrorId(12), KnownErrorId(3)];
        let one = [KnownErrorId(5)];
        type Case<'a> = (
            &'a str,
            &'a str,
            &'a [KnownErrorId],
            Result<SolveKind, &'a str>,
        );
        let table: [Case; 9] = [
            ("permanent", "", &applied, Ok(SolveKind::Permanent)),
            ("permanent", "K-99", &[], Ok(SolveKind::Permanent)),
            (
                "workaround",
                "K-12",
                &applied,
                Ok(SolveKind::Workaround(KnownErrorId(12))),
            ),
            (
                "workaround",
                "3",
                &applied,
                Ok(SolveKind::Workaround(KnownErrorId(3))),
            ),
            (
                "workaround",
                "",
                &one,
                Ok(SolveKind::Workaround(KnownErrorId(5))),
            ),
            ("workaround", "", &applied, Err("known_error")),
            ("workaround", "K-4", &applied, Err("known_error")),
            ("workaround", "K-12", &[], Err("fix")),
            ("", "", &applied, Err("fix")),
        ];
        for (kind, known, applied, expected) in table {
            let got = parse_solve_kind(kind, known, applied).map_err(|(field, _)| field);
            assert_eq!(got, expected, "{kind:?} {known:?}");
        }
    }

    #[test]
    fn the_solve_kind_reads_as_the_blueprints_say_it() {
        assert_eq!(SolveKind::Permanent.describe(), "permanent fix");
        assert_eq!(
            SolveKind::Workaround(KnownErrorId(12)).describe(),
            "solved with the workaround from known error K-12"
        );
        assert!(
            SolveKind::Workaround(KnownErrorId(12))
                .for_client()
                .contains("K-12")
        );
    }

    #[test]
    fn search_terms_keep_meaningful_words_once_and_nothing_of_query_syntax() {
        assert_eq!(
            search_terms("The printer is OFFLINE after the update; printer \"spooler\" OR crash*"),
            ["printer", "offline", "update", "spooler", "crash"]
        );
        assert!(search_terms("a to is of - ; ()").is_empty());
        assert_eq!(search_terms("café wifi"), ["wifi"]);
        let many: String = (0..100).map(|i| format!("word{i} ")).collect();
        assert_eq!(search_terms(&many).len(), MAX_TERMS);
        assert_eq!(Status::parse("retired"), Ok(Status::Retired));
        assert!(Status::parse("draft").is_err());
    }
}
