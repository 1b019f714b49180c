//! What a search box's text means for ticket search: the words to find, each as a whole word
//! or the start of one, all of them in the ticket.

use crate::domain::known_error::STOP_WORDS;

/// Two-letter words too common to narrow a search (the shared list holds longer ones only).
const SHORT_STOP_WORDS: &[&str] = &[
    "am", "an", "as", "at", "be", "by", "do", "if", "in", "is", "it", "me", "my", "no", "of", "on",
    "or", "so", "to", "up", "us", "we",
];

/// At most this many words count; a longer search is a pasted paragraph, not a query.
pub const MAX_WORDS: usize = 8;

/// The words of a ticket search: letters and digits of any script, lower-cased (so nothing in
/// them is query syntax on either backend), one-letter words and stop words left out unless
/// they are all there is, each once, in order, at most `MAX_WORDS`.
pub fn ticket_words(text: &str) -> Vec<String> {
    let all: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let telling: Vec<&String> = all
        .iter()
        .filter(|w| {
            w.chars().count() > 1
                && !STOP_WORDS.contains(&w.as_str())
                && !SHORT_STOP_WORDS.contains(&w.as_str())
        })
        .collect();
    let chosen: Vec<&String> = if telling.is_empty() {
        all.iter().collect()
    } else {
        telling
    };
    let mut words: Vec<String> = Vec::new();
    for word in chosen {
        if !words.contains(word) {
            words.push(word.clone());
        }
        if words.len() == MAX_WORDS {
            break;
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_becomes_plain_words() {
        let cases: [(&str, &[&str]); 9] = [
            ("Printer", &["printer"]),
            ("  the printer jammed ", &["printer", "jammed"]),
            ("Wi-Fi drops", &["wi", "fi", "drops"]),
            ("\"printer\"* OR jam:* & x", &["printer", "jam"]),
            ("Müller's PC-04", &["müller", "pc", "04"]),
            ("the", &["the"]),
            ("", &[]),
            ("--- ***", &[]),
            (
                "a b c d e f g h i j k",
                &["a", "b", "c", "d", "e", "f", "g", "h"],
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(ticket_words(text), expected, "{text:?}");
        }
    }

    #[test]
    fn repeated_words_count_once_and_long_searches_are_cut() {
        assert_eq!(ticket_words("jam jam JAM"), ["jam"]);
        let long = (0..20)
            .map(|i| format!("word{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(ticket_words(&long).len(), MAX_WORDS);
    }
}
