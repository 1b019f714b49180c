//! Client links carry the only credential a client has (a survey, a reopen, a risk decision).
//! Once a message is delivered, the outbox keeps it for the record but not the keys: every
//! link token in the stored bodies is replaced by a marker.

/// The paths whose next segment is a client-link token.
const TOKEN_PATHS: [&str; 4] = ["/survey/", "/reopen/", "/risk-notice/", "/risk-treatment/"];

pub const REDACTED: &str = "[link removed after delivery]";

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// `body` with each token after a link path replaced; the rest of the text untouched.
pub fn redact_link_tokens(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some((at, path)) = TOKEN_PATHS
        .iter()
        .filter_map(|path| rest.find(path).map(|at| (at, *path)))
        .min_by_key(|(at, _)| *at)
    {
        let token_start = at + path.len();
        out.push_str(&rest[..token_start]);
        let after = &rest[token_start..];
        let token_len = after
            .find(|c: char| !is_token_char(c))
            .unwrap_or(after.len());
        if token_len > 0 {
            out.push_str(REDACTED);
        }
        rest = &after[token_len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_link_token_goes_and_nothing_else() {
        let cases = [
            (
                "Rate us: https://desk.example/survey/abc_DEF-123?rating=5 thanks",
                "Rate us: https://desk.example/survey/[link removed after delivery]?rating=5 thanks",
            ),
            (
                "<a href=\"https://d/reopen/tok\">Reopen</a> and <a href=\"https://d/risk-notice/x9\">",
                "<a href=\"https://d/reopen/[link removed after delivery]\">Reopen</a> and <a href=\"https://d/risk-notice/[link removed after delivery]\">",
            ),
            (
                "https://d/risk-treatment/T1\nend",
                "https://d/risk-treatment/[link removed after delivery]\nend",
            ),
            (
                "No links here, not even /survey/ alone.",
                "No links here, not even /survey/ alone.",
            ),
            ("", ""),
            (
                "Ünïcode /reopen/tök",
                "Ünïcode /reopen/[link removed after delivery]ök",
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(redact_link_tokens(body), expected, "{body}");
        }
    }
}
