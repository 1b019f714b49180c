//! Reading a message as it arrived, with a maintained MIME parser (`mail-parser`): multipart,
//! quoted-printable, base64, RFC 2047 headers and charsets are its work, never ours. The result
//! holds what the desk needs from a message and nothing about what to do with it.

use mail_parser::{HeaderValue, MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};

use crate::domain::inbound_mail::{SenderSignals, normalise_message_id};

/// A file that came with a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncomingFile {
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// What the desk reads from a message.
#[derive(Clone, Debug, Default)]
pub struct Incoming {
    /// Normalised (no angle brackets, lower-case); empty when the message has none.
    pub message_id: String,
    /// Lower-case; empty when the From header holds no address.
    pub from_address: String,
    pub from_name: String,
    pub subject: String,
    /// The Message-IDs this one answers: In-Reply-To first, then References, newest first.
    pub replying_to: Vec<String>,
    pub signals: SenderSignals,
    /// The first text body (an HTML-only message converted to text by the parser).
    pub text: String,
    pub files: Vec<IncomingFile>,
}

/// The key that makes a second delivery of the same message a no-op: its Message-ID, or a hash
/// of its bytes when it has none.
pub fn dedup_key(raw: &[u8]) -> String {
    let id = MessageParser::default()
        .parse_headers(raw)
        .and_then(|message| message.message_id().map(normalise_message_id))
        .unwrap_or_default();
    if id.is_empty() {
        format!("sha256:{}", hex::encode(Sha256::digest(raw)))
    } else {
        format!("id:{id}")
    }
}

fn text_list(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(text) => vec![normalise_message_id(text)],
        HeaderValue::TextList(list) => list.iter().map(|t| normalise_message_id(t)).collect(),
        _ => Vec::new(),
    }
}

fn header_text(message: &mail_parser::Message<'_>, name: &str) -> Option<String> {
    message
        .header_raw(name)
        .map(|raw| raw.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Reads `raw`; `None` when it is not a message at all.
pub fn parse(raw: &[u8]) -> Option<Incoming> {
    let message = MessageParser::default().parse(raw)?;
    if message.headers().is_empty() {
        return None;
    }
    let from = message.from().and_then(|from| from.first());
    let from_address = from
        .and_then(|addr| addr.address())
        .map(|a| a.trim().to_lowercase())
        .unwrap_or_default();
    let from_name = from
        .and_then(|addr| addr.name())
        .map(|n| n.trim().to_string())
        .unwrap_or_default();
    let mut replying_to = text_list(message.in_reply_to());
    let mut references = text_list(message.references());
    references.reverse();
    for id in references {
        if !replying_to.contains(&id) {
            replying_to.push(id);
        }
    }
    replying_to.retain(|id| !id.is_empty());
    let return_path = match message.return_path() {
        HeaderValue::Text(text) => Some(text.to_string()),
        HeaderValue::TextList(list) => list.last().map(|t| t.to_string()),
        HeaderValue::Empty => header_text(&message, "Return-Path"),
        _ => None,
    };
    let report = message.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
    });
    let vendor_auto_reply = message.header_raw("X-Autoreply").is_some()
        || message.header_raw("X-Autorespond").is_some()
        || header_text(&message, "X-Auto-Response-Suppress")
            .is_some_and(|v| v.eq_ignore_ascii_case("all") || v.eq_ignore_ascii_case("oof"));
    let signals = SenderSignals {
        return_path,
        from_address: from_address.clone(),
        auto_submitted: header_text(&message, "Auto-Submitted"),
        precedence: header_text(&message, "Precedence"),
        vendor_auto_reply,
        list_id: message.header_raw("List-Id").is_some(),
        report,
    };
    let files = message
        .attachments()
        .filter(|part| !part.is_message() || part.attachment_name().is_some())
        .map(|part| {
            let content_type = part
                .content_type()
                .map(|ct| match ct.subtype() {
                    Some(sub) => format!("{}/{}", ct.ctype(), sub),
                    None => ct.ctype().to_string(),
                })
                .unwrap_or_else(|| "application/octet-stream".into())
                .to_lowercase();
            IncomingFile {
                filename: part.attachment_name().unwrap_or("attachment").to_string(),
                content_type,
                data: part.contents().to_vec(),
            }
        })
        .collect();
    Some(Incoming {
        message_id: message
            .message_id()
            .map(normalise_message_id)
            .unwrap_or_default(),
        from_address,
        from_name,
        subject: message
            .subject()
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default(),
        replying_to,
        signals,
        text: message
            .body_text(0)
            .map(|t| t.replace("\r\n", "\n"))
            .unwrap_or_default(),
        files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPLY: &[u8] = b"From: =?UTF-8?Q?Ann_M=C3=BCller?= <Ann@Client.Example>\r\n\
To: desk@desk.example\r\n\
Subject: =?UTF-8?B?UmU6IFsjNDJdIERydWNrZXI=?=\r\n\
Message-ID: <Reply-1@client.example>\r\n\
In-Reply-To: <abc@desk.example>\r\n\
References: <ticket-42@desk.example> <abc@desk.example>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b1\"\r\n\
\r\n\
--b1\r\n\
Content-Type: text/plain; charset=iso-8859-1\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Gr=FC=DFe, it works =\r\n\
now.\r\n\
--b1\r\n\
Content-Type: text/plain; name=\"log.txt\"\r\n\
Content-Disposition: attachment; filename=\"log.txt\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
aGVsbG8gbG9n\r\n\
--b1--\r\n";

    #[test]
    fn a_mime_reply_is_read_with_its_encodings() {
        let Some(message) = parse(REPLY) else {
            panic!("the reply did not parse");
        };
        assert_eq!(message.from_address, "ann@client.example");
        assert_eq!(message.from_name, "Ann Müller");
        assert_eq!(message.subject, "Re: [#42] Drucker");
        assert_eq!(message.message_id, "reply-1@client.example");
        assert_eq!(
            message.replying_to,
            vec![
                "abc@desk.example".to_string(),
                "ticket-42@desk.example".to_string()
            ]
        );
        assert_eq!(message.text.trim(), "Grüße, it works now.");
        assert_eq!(
            message.files,
            vec![IncomingFile {
                filename: "log.txt".into(),
                content_type: "text/plain".into(),
                data: b"hello log".to_vec(),
            }]
        );
        assert_eq!(dedup_key(REPLY), "id:reply-1@client.example");
    }

    #[test]
    fn a_message_without_an_id_is_keyed_by_its_bytes() {
        let raw = b"From: a@b.example\r\nSubject: x\r\n\r\nbody\r\n";
        let key = dedup_key(raw);
        assert!(key.starts_with("sha256:"), "{key}");
        assert_eq!(key, dedup_key(raw));
        assert_ne!(
            key,
            dedup_key(b"From: a@b.example\r\nSubject: y\r\n\r\nbody\r\n")
        );
    }

    #[test]
    fn machine_headers_become_signals() {
        let raw = b"Return-Path: <>\r\nFrom: MAILER-DAEMON@mx.example\r\nAuto-Submitted: auto-replied\r\n\
Precedence: bulk\r\nList-Id: <x.example>\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=z\r\n\r\n--z\r\n\r\nfailed\r\n--z--\r\n";
        let Some(message) = parse(raw) else {
            panic!("the bounce did not parse");
        };
        assert_eq!(
            message.signals.auto_submitted.as_deref(),
            Some("auto-replied")
        );
        assert_eq!(message.signals.precedence.as_deref(), Some("bulk"));
        assert!(message.signals.list_id);
        assert!(message.signals.report);
        assert_eq!(
            crate::domain::inbound_mail::author(&message.signals),
            crate::domain::inbound_mail::Author::Bounce
        );
    }

    #[test]
    fn a_null_envelope_sender_alone_marks_a_bounce() {
        let raw = b"Return-Path: <>\r\nFrom: someone@mx.example\r\nSubject: x\r\n\r\nbody\r\n";
        let Some(message) = parse(raw) else {
            panic!("the message did not parse");
        };
        assert_eq!(
            crate::domain::inbound_mail::author(&message.signals),
            crate::domain::inbound_mail::Author::Bounce
        );
    }

    #[test]
    fn bytes_that_are_not_a_message_are_refused() {
        assert!(parse(b"").is_none());
    }
}
