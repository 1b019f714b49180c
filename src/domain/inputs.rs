//! Typed inputs, parsed once at the edge. Each `parse` error is a sentence to show beside the
//! field it came from.

use std::fmt;

use chrono_tz::Tz;

fn collapse_whitespace(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An e-mail address, stored lower-case so that look-ups agree on SQLite and PostgreSQL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = raw.trim().to_lowercase();
        if value.is_empty() {
            return Err("Enter an e-mail address.".into());
        }
        if value.len() > 254 {
            return Err("That e-mail address is too long.".into());
        }
        let Some((local, domain)) = value.split_once('@') else {
            return Err("An e-mail address needs an @, like name@example.com.".into());
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains(char::is_whitespace)
            && !local.contains(['<', '>', '(', ')', ',', ';', ':', '\\', '"', '[', ']', '@']);
        if !(domain_ok && local_ok) {
            return Err(format!("'{}' is not a valid e-mail address.", raw.trim()));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Required single-line text with a length limit, whitespace collapsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line(String);

impl Line {
    pub fn parse(raw: &str, what: &str, max_chars: usize) -> Result<Self, String> {
        let value = collapse_whitespace(raw);
        if value.is_empty() {
            return Err(format!("Enter {what}."));
        }
        if value.chars().count() > max_chars {
            return Err(format!("Keep {what} to {max_chars} characters or fewer."));
        }
        Ok(Self(value))
    }

    pub fn into_string(self) -> String {
        self.0
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Optional free text (notes): kept as typed, trimmed, with a length limit.
pub fn parse_note(raw: &str, max_chars: usize) -> Result<String, String> {
    let value = raw.trim().replace("\r\n", "\n");
    if value.chars().count() > max_chars {
        return Err(format!("Keep this to {max_chars} characters or fewer."));
    }
    Ok(value)
}

/// Free text that must be given: `missing` is the sentence asking for it.
pub fn parse_required_note(raw: &str, max_chars: usize, missing: &str) -> Result<String, String> {
    let value = parse_note(raw, max_chars)?;
    if value.is_empty() {
        return Err(missing.to_string());
    }
    Ok(value)
}

/// A phone number as people write it; kept for call-backs, so it must have enough digits.
pub fn parse_phone(raw: &str, required: bool) -> Result<String, String> {
    let value = collapse_whitespace(raw);
    if value.is_empty() {
        return if required {
            Err("Enter a phone number.".into())
        } else {
            Ok(value)
        };
    }
    let allowed = value
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().x/".contains(c));
    let digits = value.chars().filter(char::is_ascii_digit).count();
    if !allowed || !(6..=20).contains(&digits) || value.len() > 40 {
        return Err(format!(
            "'{value}' does not look like a phone number (digits, spaces, + - ( ) and x for an extension)."
        ));
    }
    Ok(value)
}

/// A short client code used in ticket references and lists, e.g. "ACME".
pub fn parse_client_code(raw: &str) -> Result<String, String> {
    let value = raw.trim().to_uppercase();
    if value.is_empty() {
        return Err("Enter a short code, e.g. ACME.".into());
    }
    if !(2..=12).contains(&value.len())
        || !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err("Use 2 to 12 letters, digits or dashes.".into());
    }
    Ok(value)
}

pub fn parse_time_zone(raw: &str) -> Result<Tz, String> {
    let value = raw.trim();
    value.parse::<Tz>().map_err(|_| {
        format!("'{value}' is not a time zone name like Europe/London or America/New_York.")
    })
}

/// A new password: long enough to resist guessing, not a long run of one character.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

pub const MIN_PASSWORD_CHARS: usize = 10;

impl NewPassword {
    pub fn parse(raw: &str, confirmation: &str) -> Result<Self, String> {
        let chars = raw.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(format!(
                "Use at least {MIN_PASSWORD_CHARS} characters; a few words make a good password."
            ));
        }
        if chars > 256 {
            return Err("Keep the password to 256 characters or fewer.".into());
        }
        let distinct: std::collections::HashSet<char> = raw.chars().collect();
        if distinct.len() < 4 {
            return Err(
                "That password is too easy to guess: use more different characters.".into(),
            );
        }
        if raw != confirmation {
            return Err("The two passwords are not the same.".into());
        }
        Ok(Self(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

/// A contact's verification PIN or pass phrase, read back by the caller to prove who they are.
pub fn parse_verification_secret(raw: &str) -> Result<Option<String>, String> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if !(4..=64).contains(&value.chars().count()) {
        return Err("Use 4 to 64 characters for the PIN or pass phrase.".into());
    }
    Ok(Some(value.to_string()))
}

/// Skills as a normalised, de-duplicated, comma-separated list of lower-case tags.
pub fn parse_skills(raw: &str) -> Result<String, String> {
    let mut tags: Vec<String> = raw
        .split([',', ';', '\n'])
        .map(|t| collapse_whitespace(t).to_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    if tags.iter().any(|t| t.chars().count() > 40) {
        return Err("Keep each skill to 40 characters or fewer.".into());
    }
    tags.sort();
    tags.dedup();
    if tags.len() > 30 {
        return Err("List at most 30 skills.".into());
    }
    Ok(tags.join(", "))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn problems_of_several_fields_land_beside_each_field() {
        let mut errors = FieldErrors::single("name", "Give a name.");
        errors.extend(vec![("vendor", "Name the vendor.".to_string())]);
        assert_eq!(errors.get("vendor"), Some("Name the vendor."));
        assert_eq!(errors.len(), 2);
        let from: FieldErrors = vec![("budget_p1", "Use a number.".to_string())].into();
        assert_eq!(from.get("budget_p1"), Some("Use a number."));
    }

    #[test]
    fn email_addresses() {
        let cases: &[(&str, Option<&str>)] = &[
            ("Jane.Doe@Example.COM", Some("jane.doe@example.com")),
            (
                "  a+tag@sub.example.co.uk ",
                Some("a+tag@sub.example.co.uk"),
            ),
            ("", None),
            ("no-at-sign", None),
            ("@example.com", None),
            ("a@example", None),
            ("a@.example.com", None),
            ("a@example..com", None),
            ("a b@example.com", None),
            ("a@exa mple.com", None),
            ("<a>@example.com", None),
        ];
        for (raw, expected) in cases {
            let parsed = EmailAddress::parse(raw).ok();
            assert_eq!(
                parsed.as_ref().map(EmailAddress::as_str),
                *expected,
                "{raw:?}"
            );
        }
    }

    #[test]
    fn lines_collapse_whitespace_and_enforce_limits() {
        assert_eq!(
            Line::parse("  Acme   Corp ", "a name", 10)
                .unwrap()
                .as_str(),
            "Acme Corp"
        );
        assert!(
            Line::parse("   ", "a name", 10)
                .unwrap_err()
                .contains("Enter a name")
        );
        assert!(Line::parse("abcdefghijk", "a name", 10).is_err());
        assert!(Line::parse("abcdefghij", "a name", 10).is_ok());
    }

    #[test]
    fn required_notes() {
        assert_eq!(
            parse_required_note("  fixed it \r\n", 20, "Say what.").unwrap(),
            "fixed it"
        );
        assert_eq!(
            parse_required_note(" \n ", 20, "Say what.").unwrap_err(),
            "Say what."
        );
        assert!(
            parse_required_note(&"x".repeat(21), 20, "Say what.")
                .unwrap_err()
                .contains("20 characters")
        );
    }

    #[test]
    fn phones() {
        assert_eq!(
            parse_phone("+1 (555) 010-2030 x12", true).unwrap(),
            "+1 (555) 010-2030 x12"
        );
        assert_eq!(parse_phone("", false).unwrap(), "");
        assert!(parse_phone("", true).is_err());
        assert!(parse_phone("12345", true).is_err());
        assert!(parse_phone("call me maybe", true).is_err());
    }

    #[test]
    fn client_codes_are_upper_case_and_short() {
        assert_eq!(parse_client_code(" acme ").unwrap(), "ACME");
        assert_eq!(parse_client_code("north-1").unwrap(), "NORTH-1");
        for bad in ["", "A", "ACME CORP", "ABCDEFGHIJKLM", "ÄCME"] {
            assert!(parse_client_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords() {
        assert!(NewPassword::parse("correct horse", "correct horse").is_ok());
        assert!(NewPassword::parse("short", "short").is_err());
        assert!(NewPassword::parse("aaaaaaaaaaaa", "aaaaaaaaaaaa").is_err());
        assert!(
            NewPassword::parse("correct horse", "correct horsE")
                .unwrap_err()
                .contains("not the same")
        );
        assert_eq!(
            format!(
                "{:?}",
                NewPassword::parse("correct horse", "correct horse").unwrap()
            ),
            "NewPassword(…)"
        );
    }

    #[test]
    fn time_zones_and_skills() {
        assert_eq!(
            parse_time_zone("Europe/London").unwrap(),
            chrono_tz::Europe::London
        );
        assert!(parse_time_zone("Mars/Olympus").is_err());
        assert_eq!(
            parse_skills("VoIP, networking; voip\nExchange").unwrap(),
            "exchange, networking, voip"
        );
        assert_eq!(parse_skills("  ").unwrap(), "");
    }

    #[test]
    fn opening_hours() {
        type Ranges = Option<Vec<(u16, u16)>>;
        let cases: &[(&str, Ranges)] = &[
            ("07:00-18:00", Some(vec![(420, 1080)])),
            (
                "8:00 - 12:00, 13:00–17:30",
                Some(vec![(480, 720), (780, 1050)]),
            ),
            ("18:00-24:00", Some(vec![(1080, 1440)])),
            ("", Some(vec![])),
            ("Closed", Some(vec![])),
            ("00:00-24:00;", Some(vec![(0, 1440)])),
            ("9-17", None),
            ("25:00-26:00", None),
            ("07:00-24:01", None),
            ("07:60-08:00", None),
            ("07:00", None),
            ("07:00-18:00, lunch", None),
        ];
        for (raw, expected) in cases {
            assert_eq!(parse_opening_hours(raw).ok(), *expected, "{raw:?}");
        }
        assert_eq!(
            format_opening_hours(&[(420, 720), (780, 1440)]),
            "07:00–12:00, 13:00–24:00"
        );
        assert_eq!(format_opening_hours(&[]), "closed");
    }

    #[test]
    fn minutes() {
        let cases: &[(&str, Option<i64>)] = &[
            ("30", Some(30)),
            ("30m", Some(30)),
            ("2h", Some(120)),
            ("1h 30m", Some(90)),
            ("1H30M", Some(90)),
            ("1:30", Some(90)),
            ("0", None),
            ("", None),
            ("2 hours", None),
            ("h", None),
            ("1:75", None),
            ("-5", None),
            ("9000h", None),
        ];
        for (raw, expected) in cases {
            assert_eq!(parse_minutes(raw).ok(), *expected, "{raw:?}");
        }
        for m in [1, 30, 60, 90, 480, 1440] {
            assert_eq!(parse_minutes(&format_minutes(m)).unwrap(), m);
        }
    }

    #[test]
    fn attachment_names_are_safe_for_a_header() {
        for (raw, expected) in [
            ("screenshot.png", "screenshot.png"),
            ("C:\\Users\\alice\\event log.evtx", "event log.evtx"),
            ("../../etc/passwd", "passwd"),
            ("bad\"name;.txt", "badname.txt"),
            ("line\nbreak.log", "linebreak.log"),
            ("", "attachment"),
            ("...", "attachment"),
        ] {
            assert_eq!(attachment_name(raw), expected, "{raw:?}");
        }
    }

    #[test]
    fn verification_secrets() {
        assert_eq!(parse_verification_secret("  ").unwrap(), None);
        assert_eq!(
            parse_verification_secret(" 4711 ").unwrap().as_deref(),
            Some("4711")
        );
        assert!(parse_verification_secret("123").is_err());
    }
}

/// One day's opening hours as typed on the calendar form: "07:00-12:00, 13:00-18:00", or
/// empty / "closed". Returns (start, end) minutes from local midnight; "24:00" ends the day.
/// Overlaps and ends before starts are judged by the calendar builder, which knows the day.
pub fn parse_opening_hours(raw: &str) -> Result<Vec<(u16, u16)>, String> {
    let value = raw.trim();
    if value.is_empty() || value.eq_ignore_ascii_case("closed") {
        return Ok(Vec::new());
    }
    value
        .split([',', ';'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (start, end) = part
                .split_once(['-', '–'])
                .ok_or_else(|| format!("'{part}' is not a range like 07:00-18:00."))?;
            Ok((parse_clock_minute(start)?, parse_clock_minute(end)?))
        })
        .collect()
}

fn parse_clock_minute(raw: &str) -> Result<u16, String> {
    let value = raw.trim();
    let bad = || format!("'{value}' is not a time of day like 07:00 or 24:00.");
    let (h, m) = value.split_once(':').ok_or_else(bad)?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return Err(bad());
    }
    let hours: u16 = h.parse().map_err(|_| bad())?;
    let minutes: u16 = m.parse().map_err(|_| bad())?;
    if minutes > 59 || hours > 24 || (hours == 24 && minutes > 0) {
        return Err(bad());
    }
    Ok(hours * 60 + minutes)
}

/// "07:00–12:00, 13:00–18:00", or "closed".
pub fn format_opening_hours(ranges: &[(u16, u16)]) -> String {
    if ranges.is_empty() {
        return "closed".into();
    }
    ranges
        .iter()
        .map(|(s, e)| format!("{:02}:{:02}–{:02}:{:02}", s / 60, s % 60, e / 60, e % 60))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A length of time in minutes, typed as "30", "30m", "2h", "1h 30m" or "1:30".
pub fn parse_minutes(raw: &str) -> Result<i64, String> {
    let value = raw.trim().to_lowercase();
    let bad = || format!("'{}' is not a time like 30m, 2h or 1h 30m.", raw.trim());
    if value.is_empty() {
        return Err("Enter a time, like 30m or 4h.".into());
    }
    let minutes = if let Ok(n) = value.parse::<i64>() {
        n
    } else if let Some((h, m)) = value.split_once(':') {
        let h: i64 = h.trim().parse().map_err(|_| bad())?;
        let m: i64 = m.trim().parse().map_err(|_| bad())?;
        if !(0..60).contains(&m) {
            return Err(bad());
        }
        h * 60 + m
    } else {
        let mut total = 0i64;
        let mut number = String::new();
        let mut saw_unit = false;
        for c in value.chars().filter(|c| !c.is_whitespace()) {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            let n: i64 = number.parse().map_err(|_| bad())?;
            number.clear();
            total += match c {
                'h' => n.checked_mul(60).ok_or_else(bad)?,
                'm' => n,
                _ => return Err(bad()),
            };
            saw_unit = true;
        }
        if !number.is_empty() || !saw_unit {
            return Err(bad());
        }
        total
    };
    if minutes <= 0 {
        return Err("Use a time longer than zero.".into());
    }
    if minutes > 365 * 24 * 60 {
        return Err("Use at most a year.".into());
    }
    Ok(minutes)
}

/// "30m", "2h", "1h 30m": the form in which `parse_minutes` reads it back.
pub fn format_minutes(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h {m}m"),
    }
}

/// The name an uploaded file is kept and offered under: the last path segment a browser sent,
/// without control characters or quotes (it goes into a Content-Disposition header).
pub fn attachment_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';'))
        .take(200)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "attachment".into()
    } else {
        cleaned
    }
}

/// A ticket number as staff type it: "#42" or "42"; `missing` is the message otherwise.
pub fn parse_ticket_number(
    raw: &str,
    missing: &str,
) -> Result<crate::domain::ids::TicketId, String> {
    raw.trim()
        .trim_start_matches('#')
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .map(crate::domain::ids::TicketId)
        .ok_or_else(|| missing.to_string())
}

/// A field of a form and what is wrong with it.
pub type FieldProblem = (&'static str, String);

/// Messages for the fields of one form, in the order they were found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(&'static str, String)>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }

    /// Keeps the parsed value, or records the message against `field`.
    pub fn take<T>(&mut self, field: &'static str, parsed: Result<T, String>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }

    pub fn single(field: &'static str, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Each field and its message, in the order found (the API lists them).
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0
            .iter()
            .map(|(field, message)| (*field, message.as_str()))
    }
}

/// Rules that check several fields at once answer with (field, message) pairs.
impl<M: Into<String>> Extend<(&'static str, M)> for FieldErrors {
    fn extend<I: IntoIterator<Item = (&'static str, M)>>(&mut self, problems: I) {
        self.0.extend(
            problems
                .into_iter()
                .map(|(field, message)| (field, message.into())),
        );
    }
}

impl<M: Into<String>> From<Vec<(&'static str, M)>> for FieldErrors {
    fn from(problems: Vec<(&'static str, M)>) -> Self {
        let mut errors = Self::new();
        errors.extend(problems);
        errors
    }
}
