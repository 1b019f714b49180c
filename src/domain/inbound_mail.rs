//! Mail that reaches the desk: whether a machine sent it (so nothing answers it), which ticket
//! it names, what of its text is new, and what a client's reply does to the ticket it joins.

use chrono::{DateTime, Duration, Utc};

use crate::domain::ticket::{self, Status};

/// What the headers say about who wrote a message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SenderSignals {
    /// The envelope sender (`Return-Path`), when the MTA recorded one; `<>` is a bounce.
    pub return_path: Option<String>,
    pub from_address: String,
    pub auto_submitted: Option<String>,
    pub precedence: Option<String>,
    /// `X-Autoreply`, `X-Autorespond` or `X-Auto-Response-Suppress: All`: what vacation
    /// responders that ignore RFC 3834 send instead of `Auto-Submitted`.
    pub vendor_auto_reply: bool,
    pub list_id: bool,
    /// The top-level content type is `multipart/report` (delivery and read reports).
    pub report: bool,
}

/// Who wrote a message, as far as answering it goes. Only a person gets an acknowledgement;
/// answering a machine is how two systems mail each other forever.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Author {
    Person,
    /// An out-of-office or other automatic answer (RFC 3834).
    AutoReply,
    /// A list or bulk mailing.
    Bulk,
    /// A delivery failure: null sender or a delivery report.
    Bounce,
}

impl Author {
    pub fn is_person(self) -> bool {
        self == Author::Person
    }

    pub fn label(self) -> &'static str {
        match self {
            Author::Person => "a person",
            Author::AutoReply => "an automatic reply",
            Author::Bulk => "a bulk or list mailing",
            Author::Bounce => "a delivery failure",
        }
    }
}

fn is_daemon(address: &str) -> bool {
    let local = address.split('@').next().unwrap_or("");
    local.eq_ignore_ascii_case("mailer-daemon") || local.eq_ignore_ascii_case("postmaster")
}

pub fn author(signals: &SenderSignals) -> Author {
    let null_sender = signals
        .return_path
        .as_deref()
        .is_some_and(|path| path.trim().trim_matches(['<', '>']).trim().is_empty());
    if null_sender || signals.report || is_daemon(&signals.from_address) {
        return Author::Bounce;
    }
    let auto_submitted = signals
        .auto_submitted
        .as_deref()
        .map(|value| value.split(';').next().unwrap_or("").trim())
        .is_some_and(|value| !value.is_empty() && !value.eq_ignore_ascii_case("no"));
    if auto_submitted || signals.vendor_auto_reply {
        return Author::AutoReply;
    }
    let bulk = signals.precedence.as_deref().is_some_and(|value| {
        ["bulk", "list", "junk"]
            .iter()
            .any(|kind| value.trim().eq_ignore_ascii_case(kind))
    });
    if bulk || signals.list_id {
        return Author::Bulk;
    }
    Author::Person
}

/// The ticket a subject names with the tag the desk puts on every ticket mail: `[#42]`.
pub fn subject_ticket(subject: &str) -> Option<i64> {
    let mut rest = subject;
    while let Some(start) = rest.find("[#") {
        let after = &rest[start + 2..];
        let digits: &str = &after[..after
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after.len())];
        if !digits.is_empty()
            && after[digits.len()..].starts_with(']')
            && let Ok(id) = digits.parse::<i64>()
        {
            return Some(id);
        }
        rest = after;
    }
    None
}

/// A Message-ID as stored and compared: without angle brackets or spaces, lower-case.
pub fn normalise_message_id(raw: &str) -> String {
    raw.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
        .to_lowercase()
}

/// The ticket of a thread key the outbox wrote (`ticket-42`), or of a thread root Message-ID
/// the desk refers to (`ticket-42@desk.example`), when the host is the desk's.
pub fn ticket_of_thread(id_or_key: &str, desk_domain: &str) -> Option<i64> {
    let normalised = normalise_message_id(id_or_key);
    let key = match normalised.split_once('@') {
        Some((key, host)) if host == desk_domain.to_lowercase() => key,
        Some(_) => return None,
        None => normalised.as_str(),
    };
    key.strip_prefix("ticket-")?.parse().ok()
}

/// Whether a line opens the quoted history a mail program appends to a reply.
fn opens_history(line: &str, next: Option<&str>) -> bool {
    let line = line.trim();
    let attribution = |text: &str| text.ends_with("wrote:") || text.ends_with("a écrit :");
    if line.starts_with("On ") && (attribution(line) || next.is_some_and(|n| attribution(n.trim())))
    {
        return true;
    }
    if line.starts_with("-----Original Message-----") || line.starts_with("-----Original-Nachricht")
    {
        return true;
    }
    // Outlook's header block: "From: …" followed by "Sent: …" or "Date: …".
    line.starts_with("From: ")
        && next.is_some_and(|n| {
            let n = n.trim();
            n.starts_with("Sent: ") || n.starts_with("Date: ")
        })
}

/// What is new in a reply: the text above the quoted history, without trailing quoted lines.
/// A message that is all quote keeps its whole text, so nothing the client wrote is lost.
pub fn new_text(body: &str) -> String {
    let lines: Vec<&str> = body.lines().collect();
    let mut end = lines.len();
    for (index, line) in lines.iter().enumerate() {
        let next = lines.get(index + 1).copied();
        if opens_history(line, next)
            || (line.trim() == "________________________________"
                && next.is_some_and(|n| n.trim().starts_with("From: ")))
        {
            end = index;
            break;
        }
    }
    let mut kept = &lines[..end];
    while let Some((last, rest)) = kept.split_last() {
        if last.trim().is_empty() || last.trim_start().starts_with('>') {
            kept = rest;
        } else {
            break;
        }
    }
    let text = kept.join("\n").trim().to_string();
    if text.is_empty() {
        body.trim().to_string()
    } else {
        text
    }
}

/// What a client's message does to the ticket it threads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyEffect {
    /// Added to the timeline; the ticket carries on as it is.
    Append,
    /// The ticket waited on the client: the message resumes it and the clock runs again.
    Resume,
    /// A solved ticket inside its reopen window is reopened, as the reopen link does.
    Reopen,
    /// The ticket is over: the message opens a new ticket linked to it.
    FollowUp,
}

pub fn reply_effect(
    status: Status,
    solved_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    window: Duration,
) -> ReplyEffect {
    match status {
        Status::PendingClient => ReplyEffect::Resume,
        Status::Solved => match solved_at {
            Some(solved) if ticket::reopen_window_open(solved, now, window) => ReplyEffect::Reopen,
            _ => ReplyEffect::FollowUp,
        },
        Status::Closed | Status::Cancelled | Status::Duplicate => ReplyEffect::FollowUp,
        Status::New
        | Status::Triaged
        | Status::Assigned
        | Status::InProgress
        | Status::PendingVendor
        | Status::PendingParts
        | Status::Reopened => ReplyEffect::Append,
    }
}

/// How long one sender waits for the next acknowledgement on the same ticket.
pub const ACKNOWLEDGEMENT_INTERVAL: Duration = Duration::hours(1);

/// Whether a person's message earns an acknowledgement: at most one per sender and ticket per
/// [`ACKNOWLEDGEMENT_INTERVAL`], and never for a machine's.
pub fn acknowledge(
    author: Author,
    last_acknowledged: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    author.is_person()
        && last_acknowledged.is_none_or(|last| now - last >= ACKNOWLEDGEMENT_INTERVAL)
}

/// The domain of an address, lower-case.
pub fn domain_of(address: &str) -> Option<String> {
    let (_, domain) = address.trim().rsplit_once('@')?;
    let domain = domain.trim().trim_end_matches('>').to_lowercase();
    (!domain.is_empty()).then_some(domain)
}

/// A client's mail domains as typed on the client form: separated by commas, spaces or lines,
/// with or without a leading `@`.
pub fn parse_mail_domains(raw: &str) -> Result<Vec<String>, String> {
    let mut domains = Vec::new();
    for part in raw
        .split([',', ' ', '\n', '\r', ';'])
        .filter(|p| !p.trim().is_empty())
    {
        let domain = part.trim().trim_start_matches('@').to_lowercase();
        let valid = domain.contains('.')
            && !domain.starts_with(['.', '-'])
            && !domain.ends_with(['.', '-'])
            && !domain.contains("..")
            && domain.len() <= 253
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        if !valid {
            return Err(format!(
                "'{}' is not a mail domain, like example.com.",
                part.trim()
            ));
        }
        if !domains.contains(&domain) {
            domains.push(domain);
        }
    }
    Ok(domains)
}

/// Whether an address belongs to one of a client's domains (subdomains included).
pub fn at_domains(address: &str, domains: &[String]) -> bool {
    domain_of(address).is_some_and(|domain| {
        domains
            .iter()
            .any(|d| domain == *d || domain.ends_with(&format!(".{d}")))
    })
}

/// The subject a new ticket takes from a message: without replies' prefixes and the tag.
pub fn ticket_subject(subject: &str) -> String {
    let mut rest = subject.trim();
    loop {
        let lower = rest.to_lowercase();
        let prefix = ["re:", "aw:", "fw:", "fwd:", "wg:", "sv:", "antw:"]
            .into_iter()
            .find(|p| lower.starts_with(p));
        if let Some(prefix) = prefix {
            rest = rest[prefix.len()..].trim_start();
        } else if let Some(tag_end) = rest.starts_with("[#").then(|| rest.find(']')).flatten() {
            rest = rest[tag_end + 1..].trim_start();
        } else {
            break;
        }
    }
    let subject: String = rest.chars().take(200).collect();
    if subject.trim().is_empty() {
        "(no subject)".into()
    } else {
        subject
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn signals() -> SenderSignals {
        SenderSignals {
            from_address: "ann@client.example".into(),
            ..SenderSignals::default()
        }
    }

    #[test]
    fn only_a_person_is_a_person() {
        let cases: Vec<(&str, SenderSignals, Author)> = vec![
            ("plain", signals(), Author::Person),
            (
                "auto-submitted no",
                SenderSignals {
                    auto_submitted: Some("no".into()),
                    ..signals()
                },
                Author::Person,
            ),
            (
                "auto-submitted NO with comment",
                SenderSignals {
                    auto_submitted: Some(" NO ; (x)".into()),
                    ..signals()
                },
                Author::Person,
            ),
            (
                "auto-replied",
                SenderSignals {
                    auto_submitted: Some("auto-replied".into()),
                    ..signals()
                },
                Author::AutoReply,
            ),
            (
                "auto-generated",
                SenderSignals {
                    auto_submitted: Some("auto-generated".into()),
                    ..signals()
                },
                Author::AutoReply,
            ),
            (
                "vendor header",
                SenderSignals {
                    vendor_auto_reply: true,
                    ..signals()
                },
                Author::AutoReply,
            ),
            (
                "precedence bulk",
                SenderSignals {
                    precedence: Some("bulk".into()),
                    ..signals()
                },
                Author::Bulk,
            ),
            (
                "precedence List",
                SenderSignals {
                    precedence: Some("List".into()),
                    ..signals()
                },
                Author::Bulk,
            ),
            (
                "precedence junk",
                SenderSignals {
                    precedence: Some(" junk ".into()),
                    ..signals()
                },
                Author::Bulk,
            ),
            (
                "precedence first-class",
                SenderSignals {
                    precedence: Some("first-class".into()),
                    ..signals()
                },
                Author::Person,
            ),
            (
                "list-id",
                SenderSignals {
                    list_id: true,
                    ..signals()
                },
                Author::Bulk,
            ),
            (
                "null sender",
                SenderSignals {
                    return_path: Some("<>".into()),
                    ..signals()
                },
                Author::Bounce,
            ),
            (
                "null sender spaced",
                SenderSignals {
                    return_path: Some(" < > ".into()),
                    ..signals()
                },
                Author::Bounce,
            ),
            (
                "real sender",
                SenderSignals {
                    return_path: Some("<ann@client.example>".into()),
                    ..signals()
                },
                Author::Person,
            ),
            (
                "delivery report",
                SenderSignals {
                    report: true,
                    ..signals()
                },
                Author::Bounce,
            ),
            (
                "mailer-daemon",
                SenderSignals {
                    from_address: "MAILER-DAEMON@mx.example".into(),
                    ..signals()
                },
                Author::Bounce,
            ),
            (
                "bounce beats auto-submitted",
                SenderSignals {
                    report: true,
                    auto_submitted: Some("auto-replied".into()),
                    ..signals()
                },
                Author::Bounce,
            ),
        ];
        for (name, case, expected) in cases {
            assert_eq!(author(&case), expected, "{name}");
        }
    }

    #[test]
    fn the_subject_tag_names_a_ticket() {
        let cases = [
            ("[#42] Re: printer", Some(42)),
            ("Re: [#42] Solved: printer", Some(42)),
            ("AW: AW: [#7] x", Some(7)),
            ("[# 42] x", None),
            ("[#] x", None),
            ("[#42 x", None),
            ("[#abc] then [#9]", Some(9)),
            ("#42 printer", None),
            ("[#99999999999999999999] overflow", None),
            ("", None),
        ];
        for (subject, expected) in cases {
            assert_eq!(subject_ticket(subject), expected, "{subject}");
        }
    }

    #[test]
    fn a_thread_names_a_ticket_only_on_the_desks_host() {
        let cases = [
            ("ticket-42", Some(42)),
            ("<ticket-42@desk.example>", Some(42)),
            ("<Ticket-42@DESK.example>", Some(42)),
            ("<ticket-42@other.example>", None),
            ("<risk-42@desk.example>", None),
            ("<ticket-x@desk.example>", None),
            ("problem-3", None),
        ];
        for (raw, expected) in cases {
            assert_eq!(ticket_of_thread(raw, "desk.example"), expected, "{raw}");
        }
    }

    #[test]
    fn the_new_text_stops_where_the_history_starts() {
        let cases = [
            (
                "Thanks, it works.\n\nOn Tue, 1 Dec 2026 at 10:00, Desk <d@x> wrote:\n> old",
                "Thanks, it works.",
            ),
            (
                "Still broken.\nOn Tue, 1 Dec 2026 at 10:00, Desk <d@x>\nwrote:\n> old",
                "Still broken.",
            ),
            ("Yes.\n\n-----Original Message-----\nFrom: desk\n", "Yes."),
            (
                "Yes.\n________________________________\nFrom: Desk\nSent: Tuesday\n",
                "Yes.",
            ),
            ("Ok\n\nFrom: Desk <d@x>\nSent: Tuesday\nTo: Ann", "Ok"),
            ("Ok\n\nFrom: Desk <d@x>\nDate: Tuesday\n", "Ok"),
            ("Fine\n> quoted\n> more\n\n", "Fine"),
            (
                "> a\nmy answer\n> b\nmore answer",
                "> a\nmy answer\n> b\nmore answer",
            ),
            (
                "From: the server room it smells of smoke\nplease come",
                "From: the server room it smells of smoke\nplease come",
            ),
            ("> only\n> quote", "> only\n> quote"),
            (
                "On Tue Desk wrote:\n> everything quoted",
                "On Tue Desk wrote:\n> everything quoted",
            ),
            ("", ""),
        ];
        for (body, expected) in cases {
            assert_eq!(new_text(body), expected, "{body:?}");
        }
    }

    #[test]
    fn a_reply_does_what_the_tickets_status_allows() {
        let now = Utc
            .with_ymd_and_hms(2026, 12, 3, 12, 0, 0)
            .single()
            .unwrap_or_default();
        let window = ticket::DEFAULT_SOLVED_WINDOW;
        let cases = [
            (Status::New, None, ReplyEffect::Append),
            (Status::InProgress, None, ReplyEffect::Append),
            (Status::PendingVendor, None, ReplyEffect::Append),
            (Status::PendingParts, None, ReplyEffect::Append),
            (Status::Reopened, None, ReplyEffect::Append),
            (Status::PendingClient, None, ReplyEffect::Resume),
            (
                Status::Solved,
                Some(now - Duration::hours(2)),
                ReplyEffect::Reopen,
            ),
            (
                Status::Solved,
                Some(now - window + Duration::seconds(1)),
                ReplyEffect::Reopen,
            ),
            (Status::Solved, Some(now - window), ReplyEffect::FollowUp),
            (Status::Solved, None, ReplyEffect::FollowUp),
            (Status::Closed, None, ReplyEffect::FollowUp),
            (Status::Cancelled, None, ReplyEffect::FollowUp),
            (Status::Duplicate, None, ReplyEffect::FollowUp),
        ];
        for (status, solved, expected) in cases {
            assert_eq!(
                reply_effect(status, solved, now, window),
                expected,
                "{status:?} {solved:?}"
            );
        }
    }

    #[test]
    fn one_acknowledgement_per_sender_and_ticket_an_hour() {
        let now = Utc
            .with_ymd_and_hms(2026, 12, 3, 0, 0, 0)
            .single()
            .unwrap_or_default();
        let cases = [
            (Author::Person, None, true),
            (Author::Person, Some(now - Duration::minutes(59)), false),
            (Author::Person, Some(now - Duration::hours(1)), true),
            (Author::Person, Some(now), false),
            (Author::AutoReply, None, false),
            (Author::Bulk, None, false),
            (Author::Bounce, None, false),
        ];
        for (who, last, expected) in cases {
            assert_eq!(acknowledge(who, last, now), expected, "{who:?} {last:?}");
        }
    }

    #[test]
    fn mail_domains_are_parsed_and_matched() {
        assert_eq!(
            parse_mail_domains("@Client.example, branch.client.example\nclient.example"),
            Ok(vec![
                "client.example".to_string(),
                "branch.client.example".to_string()
            ])
        );
        assert_eq!(parse_mail_domains("  "), Ok(vec![]));
        assert!(parse_mail_domains("localhost").is_err());
        assert!(parse_mail_domains("bad..example").is_err());
        assert!(parse_mail_domains("-x.example").is_err());
        let domains = vec!["client.example".to_string()];
        let cases = [
            ("ann@client.example", true),
            ("ann@CLIENT.example", true),
            ("ann@eu.client.example", true),
            ("ann@notclient.example", false),
            ("ann@client.example.evil", false),
            ("no-at-sign", false),
        ];
        for (address, expected) in cases {
            assert_eq!(at_domains(address, &domains), expected, "{address}");
        }
    }

    #[test]
    fn a_new_tickets_subject_drops_reply_prefixes_and_the_tag() {
        for (raw, expected) in [
            ("Printer jammed", "Printer jammed"),
            ("Re: [#42] Solved: printer", "Solved: printer"),
            ("AW: Fwd: RE: VPN", "VPN"),
            ("[#7] Re: backup", "backup"),
            ("   ", "(no subject)"),
            ("Re:", "(no subject)"),
            ("Reset my password", "Reset my password"),
        ] {
            assert_eq!(ticket_subject(raw), expected, "{raw:?}");
        }
    }
}
