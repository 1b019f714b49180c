//! What the desk says by e-mail. A message is a struct holding what its templates show, plus
//! three askama templates under `templates/email/<kind>/`: `subject.txt`, `body.txt` and
//! `body.html` (HTML autoescaped; never `|safe` on anything a person typed). `email!` ties the
//! struct to its templates; `compose` renders it into a `NewMail` for one recipient, ready for
//! `outbox::enqueue` inside the caller's transaction.
//!
//! ```text
//! pub struct TicketReceived { pub reference: String, pub subject: String, … }
//! email!(TicketReceived, "ticket_received",
//!     "email/ticket_received/subject.txt", "email/ticket_received/body.txt",
//!     "email/ticket_received/body.html");
//!
//! let mail = compose(&ctx, &message, Recipient::new(contact_email, contact_name))?
//!     .in_thread(ThreadKey::new("ticket", ticket_id.0));
//! outbox::enqueue(conn, &mail, now)?;
//! ```

use crate::config::Config;
use crate::domain::inputs::EmailAddress;
use crate::error::{AppError, AppResult};

/// A message the desk can send. Implemented by `email!`, which renders each part from its
/// template with the message's fields in scope (`{{ reference }}`).
pub trait Email {
    /// The template folder's name; also shown on the outbox page.
    const KIND: &'static str;
    fn render_subject(&self) -> askama::Result<String>;
    fn render_text(&self) -> askama::Result<String>;
    fn render_html(&self) -> askama::Result<String>;
}

/// Implements `Email` for a struct from its three templates. The paths are spelled out because
/// askama reads them as literals; `kind` must be their folder name. Messages are defined in
/// this module, below, one per folder of `templates/email/`.
macro_rules! email {
    ($message:ident, $kind:literal, $subject:literal, $text:literal, $html:literal) => {
        const _: () = {
            use askama::Template as _;

            // One wrapper per part, each dereferencing to the message so the templates name
            // its fields directly.
            #[derive(askama::Template)]
            #[template(path = $subject)]
            struct Subject<'a>(&'a $message);

            #[derive(askama::Template)]
            #[template(path = $text)]
            struct Text<'a>(&'a $message);

            #[derive(askama::Template)]
            #[template(path = $html)]
            struct Html<'a>(&'a $message);

            impl std::ops::Deref for Subject<'_> {
                type Target = $message;
                fn deref(&self) -> &$message {
                    self.0
                }
            }
            impl std::ops::Deref for Text<'_> {
                type Target = $message;
                fn deref(&self) -> &$message {
                    self.0
                }
            }
            impl std::ops::Deref for Html<'_> {
                type Target = $message;
                fn deref(&self) -> &$message {
                    self.0
                }
            }

            impl $crate::mail::messages::Email for $message {
                const KIND: &'static str = $kind;
                fn render_subject(&self) -> askama::Result<String> {
                    Subject(self).render()
                }
                fn render_text(&self) -> askama::Result<String> {
                    Text(self).render()
                }
                fn render_html(&self) -> askama::Result<String> {
                    Html(self).render()
                }
            }
        };
    };
}

/// What every message takes from the configuration: links start with `base_url`, and
/// Message-IDs and thread ids end in `domain`, the host of BASE_URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailContext {
    pub base_url: String,
    pub domain: String,
    /// How a client reaches the desk without an account (`DESK_CONTACT`).
    pub desk_contact: String,
}

impl MailContext {
    pub fn from_config(config: &Config) -> Self {
        Self {
            base_url: config.base_url.clone(),
            domain: host_of(&config.base_url),
            desk_contact: config.desk_contact.clone(),
        }
    }
}

/// The host of a base URL, without scheme, credentials, port or path.
fn host_of(base_url: &str) -> String {
    let rest = base_url
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(base_url);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host_port = authority
        .rsplit_once('@')
        .map(|(_, h)| h)
        .unwrap_or(authority);
    let host = if host_port.starts_with('[') {
        // An IPv6 literal keeps its brackets: `<id@[::1]>` is a valid Message-ID.
        host_port
            .split_once(']')
            .map(|(h, _)| format!("{h}]"))
            .unwrap_or_else(|| host_port.to_string())
    } else {
        host_port.split(':').next().unwrap_or(host_port).to_string()
    };
    if host.is_empty() {
        "localhost".into()
    } else {
        host.to_lowercase()
    }
}

/// Who a message goes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    pub address: EmailAddress,
    /// Shown by mail programs beside the address; may be empty.
    pub name: String,
}

impl Recipient {
    pub fn new(address: EmailAddress, name: impl Into<String>) -> Self {
        Self {
            address,
            name: name.into(),
        }
    }
}

/// Names the conversation a message belongs to, e.g. `ThreadKey::new("ticket", 42)`. Every
/// message with the same key refers to the same thread root, `<ticket-42@host>`, so a mail
/// program shows one ticket's mails as one conversation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadKey(String);

impl ThreadKey {
    pub fn new(kind: &str, id: i64) -> Self {
        Self(format!("{kind}-{id}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The Message-ID every message of the thread refers to.
    pub fn root_id(&self, domain: &str) -> String {
        format!("<{}@{domain}>", self.0)
    }
}

/// A rendered message for one recipient, made by `messages::compose`.
#[derive(Clone, Debug)]
pub struct NewMail {
    pub(super) kind: &'static str,
    pub(super) domain: String,
    pub(super) to: Recipient,
    pub(super) reply_to: Option<EmailAddress>,
    pub(super) subject: String,
    pub(super) text_body: String,
    pub(super) html_body: String,
    pub(super) thread: Option<ThreadKey>,
}

impl NewMail {
    /// Keeps this message in the conversation of `key` (In-Reply-To and References).
    pub fn in_thread(mut self, key: ThreadKey) -> Self {
        self.thread = Some(key);
        self
    }

    /// Where the recipient's replies go, when not to MAIL_FROM.
    pub fn reply_to(mut self, address: EmailAddress) -> Self {
        self.reply_to = Some(address);
        self
    }
}

/// Renders `message` for `to`. The result is queued with `outbox::enqueue`.
pub fn compose<M: Email>(ctx: &MailContext, message: &M, to: Recipient) -> AppResult<NewMail> {
    let failed = |part: &str, e: askama::Error| {
        AppError::internal(format!("e-mail {} {part} did not render: {e}", M::KIND))
    };
    let subject = message.render_subject().map_err(|e| failed("subject", e))?;
    let text = message.render_text().map_err(|e| failed("text", e))?;
    let html = message.render_html().map_err(|e| failed("html", e))?;
    Ok(NewMail {
        kind: M::KIND,
        domain: ctx.domain.clone(),
        to,
        reply_to: None,
        // A subject is one line, whatever the template's line breaks.
        subject: subject.split_whitespace().collect::<Vec<_>>().join(" "),
        text_body: format!("{}\n", text.trim_end()),
        html_body: html,
        thread: None,
    })
}

/// Sent from the outbox page, so an admin can check that the desk's mail reaches people.
#[derive(Clone, Debug)]
pub struct SmtpCheck {
    pub requested_by: String,
    /// When it was asked for, in the requesting admin's zone.
    pub requested_at: String,
    pub desk_url: String,
    /// Where the desk hands its mail (the SMTP server, or the mail folder).
    pub delivery: String,
}

email!(
    SmtpCheck,
    "smtp_check",
    "email/smtp_check/subject.txt",
    "email/smtp_check/body.txt",
    "email/smtp_check/body.html"
);

/// Sent when a ticket is recorded. It is not a response: the SLA's response clock counts only
/// staff replies and calls.
#[derive(Clone, Debug)]
pub struct TicketReceived {
    pub reference: String,
    pub subject: String,
    pub contact_name: String,
    pub priority: String,
}

email!(
    TicketReceived,
    "ticket_received",
    "email/ticket_received/subject.txt",
    "email/ticket_received/body.txt",
    "email/ticket_received/body.html"
);

/// Sent when a client's e-mail joins their ticket, at most once an hour per sender and ticket.
#[derive(Clone, Debug)]
pub struct MessageAdded {
    pub reference: String,
    pub subject: String,
    pub contact_name: String,
    pub status: String,
}

email!(
    MessageAdded,
    "message_added",
    "email/message_added/subject.txt",
    "email/message_added/body.txt",
    "email/message_added/body.html"
);

/// A technician's reply to the client, written on the ticket page.
#[derive(Clone, Debug)]
pub struct TicketReply {
    pub reference: String,
    pub subject: String,
    pub contact_name: String,
    pub technician: String,
    pub body: String,
}

email!(
    TicketReply,
    "ticket_reply",
    "email/ticket_reply/subject.txt",
    "email/ticket_reply/body.txt",
    "email/ticket_reply/body.html"
);

/// The solution, with the link that reopens the ticket while it is solved.
#[derive(Clone, Debug)]
pub struct TicketSolved {
    pub reference: String,
    pub subject: String,
    pub contact_name: String,
    pub solution: String,
    /// Whether an incident's solution is a known error's workaround or a permanent fix (empty
    /// on a service request).
    pub fix: String,
    pub reopen_url: String,
    pub reopen_until: String,
}

email!(
    TicketSolved,
    "ticket_solved",
    "email/ticket_solved/subject.txt",
    "email/ticket_solved/body.txt",
    "email/ticket_solved/body.html"
);

/// A service request done: the same facts as [`TicketSolved`], in request fulfilment's words.
pub struct RequestFulfilled(pub TicketSolved);

impl std::ops::Deref for RequestFulfilled {
    type Target = TicketSolved;
    fn deref(&self) -> &TicketSolved {
        &self.0
    }
}

email!(
    RequestFulfilled,
    "request_fulfilled",
    "email/request_fulfilled/subject.txt",
    "email/request_fulfilled/body.txt",
    "email/request_fulfilled/body.html"
);

/// One choice of the survey's rating scale, as a link that opens the rating page with it
/// selected (opening it records nothing: mail scanners open links too).
#[derive(Clone, Debug)]
pub struct RatingLink {
    pub rating: u8,
    pub label: &'static str,
    pub url: String,
}

/// The satisfaction survey, sent when a ticket closes (blueprints, incident step 9).
#[derive(Clone, Debug)]
pub struct SurveyRequest {
    pub reference: String,
    pub subject: String,
    pub contact_name: String,
    pub ratings: Vec<RatingLink>,
    pub valid_until: String,
}

email!(
    SurveyRequest,
    "survey_request",
    "email/survey_request/subject.txt",
    "email/survey_request/body.txt",
    "email/survey_request/body.html"
);

/// Tells managers that a client rated low or commented, so someone follows up.
#[derive(Clone, Debug)]
pub struct SurveyFlagged {
    pub reference: String,
    pub subject: String,
    pub client: String,
    pub contact_name: String,
    pub rating: String,
    pub comment: String,
    pub ticket_url: String,
}

email!(
    SurveyFlagged,
    "survey_flagged",
    "email/survey_flagged/subject.txt",
    "email/survey_flagged/body.txt",
    "email/survey_flagged/body.html"
);

/// Tells staff about something that needs them on a ticket: an escalation that reached their
/// level, a request waiting for a manager, a manager's decision on a request.
#[derive(Clone, Debug)]
pub struct StaffNotice {
    pub headline: String,
    pub ticket_id: i64,
    pub subject: String,
    pub details: Vec<String>,
    pub ticket_url: String,
}

email!(
    StaffNotice,
    "staff_notice",
    "email/staff_notice/subject.txt",
    "email/staff_notice/body.txt",
    "email/staff_notice/body.html"
);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_message_domain_is_the_host_of_the_base_url() {
        for (url, host) in [
            ("http://127.0.0.1:8080", "127.0.0.1"),
            ("https://Desk.Example.com", "desk.example.com"),
            ("https://desk.example.com/tierdesk/", "desk.example.com"),
            (
                "https://user:pw@desk.example.com:8443/x?y",
                "desk.example.com",
            ),
            ("http://[::1]:8080", "[::1]"),
            ("http://", "localhost"),
        ] {
            assert_eq!(host_of(url), host, "{url}");
        }
    }

    #[test]
    fn thread_roots_name_the_record_and_the_desk() {
        let key = ThreadKey::new("ticket", 42);
        assert_eq!(key.as_str(), "ticket-42");
        assert_eq!(
            key.root_id("desk.example.com"),
            "<ticket-42@desk.example.com>"
        );
    }

    fn check(requested_by: &str) -> SmtpCheck {
        SmtpCheck {
            requested_by: requested_by.into(),
            requested_at: "Wed 1 Jul 2026 13:00 BST".into(),
            desk_url: "https://desk.example.com".into(),
            delivery: "the SMTP server mail.example.com:587".into(),
        }
    }

    #[test]
    fn composing_renders_every_part_and_escapes_html_only() {
        let ctx = MailContext {
            base_url: "https://desk.example.com".into(),
            domain: "desk.example.com".into(),
            desk_contact: "call 555 0100".into(),
        };
        let to = Recipient::new(EmailAddress::parse("ann@client.example").unwrap(), "Ann");
        let mail = compose(&ctx, &check("Bob <b> & \"Co\""), to).unwrap();
        assert_eq!(mail.kind, "smtp_check");
        assert_eq!(mail.domain, "desk.example.com");
        assert!(!mail.subject.contains('\n'));
        assert!(mail.subject.contains("tierdesk"), "{}", mail.subject);
        assert!(
            mail.text_body.contains("Bob <b> & \"Co\""),
            "{}",
            mail.text_body
        );
        assert!(mail.text_body.ends_with('\n'));
        assert!(
            mail.html_body
                .contains("Bob &#60;b&#62; &#38; &#34;Co&#34;"),
            "{}",
            mail.html_body
        );
        assert!(!mail.html_body.contains("<b>"));
        assert!(mail.html_body.contains("https://desk.example.com"));
        assert!(mail.text_body.contains("mail.example.com:587"));
    }
}
