//! Text typed into a form never holds control characters other than tabs and line breaks; a
//! body that does came from a script or a broken client. They are dropped before any handler
//! reads the form: PostgreSQL refuses a NUL in text outright, and an escape sequence in a
//! note would reach every log and CSV export that shows it.

use actix_web::web::Bytes;

fn is_unwanted(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r') && (c as u32) < 0xa0
}

fn clean(text: &str) -> String {
    text.chars().filter(|c| !is_unwanted(*c)).collect()
}

/// The urlencoded `body` without control characters, or None when it has none (the body is
/// then passed on untouched).
pub fn without_control_characters(body: &[u8]) -> Option<Bytes> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    if !pairs
        .iter()
        .any(|(k, v)| k.chars().chain(v.chars()).any(is_unwanted))
    {
        return None;
    }
    let mut cleaned = form_urlencoded::Serializer::new(String::new());
    for (name, value) in &pairs {
        cleaned.append_pair(&clean(name), &clean(value));
    }
    Some(Bytes::from(cleaned.finish()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn decoded(body: &[u8]) -> Vec<(String, String)> {
        form_urlencoded::parse(body).into_owned().collect()
    }

    #[test]
    fn control_characters_go_and_typed_text_stays() {
        let cases: [(&str, Option<&str>); 5] = [
            ("note=plain+text", None),
            ("note=line%0D%0Anext%09tab", None),
            ("note=a%00b%1B%5B31mc%07", Some("ab[31mc")),
            ("note=%C2%85next+line+%7F", Some("next line ")),
            ("note=%E2%80%AEgpj.exe+caf%C3%A9", None),
        ];
        for (body, expected) in cases {
            let cleaned = without_control_characters(body.as_bytes());
            match expected {
                None => assert!(cleaned.is_none(), "{body} is passed on untouched"),
                Some(text) => {
                    assert_eq!(
                        decoded(&cleaned.unwrap()),
                        [("note".to_string(), text.to_string())],
                        "{body}"
                    );
                }
            }
        }
    }
}
