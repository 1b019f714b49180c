//! How an outbox row leaves the desk: through the SMTP server of `SMTP_URL` (STARTTLS or TLS
//! as the URL says), or, when it is unset, as `.eml` files under `DATA_DIR/mail/`, so a fresh
//! desk runs without a mail server. Only the delivery job sends; requests only queue.

use std::path::PathBuf;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use lettre::message::{Mailbox, MultiPart};
use lettre::{
    Address, AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};

use super::outbox::OutboxRow;
use crate::config::Config;

/// Lettre's limit on each step of the SMTP conversation (connect, each command).
const STEP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// The most one message may take, start to end. The delivery job sizes its batches by it.
pub const SEND_LIMIT_SECONDS: i64 = 30;

pub struct Mailer {
    from: Mailbox,
    route: Route,
}

enum Route {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files {
        dir: PathBuf,
        transport: AsyncFileTransport<Tokio1Executor>,
    },
}

/// Why a message was not sent.
#[derive(Debug)]
pub struct SendError {
    pub message: String,
    /// The server refused it for good (a 5xx reply), or the stored message cannot be made
    /// into mail at all: trying again cannot help.
    pub permanent: bool,
    /// Nothing answered (no connection, no SMTP reply, or the mail folder is unwritable): the
    /// next message would fail the same way, so the batch need not try it.
    pub server_down: bool,
}

/// An error with its causes, one line: lettre's top-level message alone says too little.
fn describe_error(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

impl Mailer {
    /// Reads MAIL_FROM and SMTP_URL; a bad value stops start-up naming the variable. Must run
    /// inside the Tokio runtime: the SMTP connection pool starts a task there.
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let from: Mailbox = config.mail_from.parse().map_err(|e| {
            anyhow::anyhow!(
                "configuration: MAIL_FROM: '{}' is not an address like `Desk <desk@example.com>`: {e}",
                config.mail_from
            )
        })?;
        let route = match &config.smtp_url {
            Some(url) => Route::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .map_err(|e| anyhow::anyhow!("configuration: SMTP_URL: {e}"))?
                    .timeout(Some(STEP_TIMEOUT))
                    .build(),
            ),
            None => {
                let dir = config.data_dir.join("mail");
                std::fs::create_dir_all(&dir)
                    .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
                Route::Files {
                    transport: AsyncFileTransport::new(&dir),
                    dir,
                }
            }
        };
        Ok(Self { from, route })
    }

    /// Sends one message, with the headers it was stored with and `now` as its Date.
    pub async fn send(&self, row: &OutboxRow, now: DateTime<Utc>) -> Result<(), SendError> {
        let message = build_message(row, &self.from, now).map_err(|message| SendError {
            message,
            permanent: true,
            server_down: false,
        })?;
        let limit = std::time::Duration::from_secs(SEND_LIMIT_SECONDS.unsigned_abs());
        let timed_out = || SendError {
            message: format!("no answer within {SEND_LIMIT_SECONDS} seconds"),
            permanent: false,
            server_down: true,
        };
        match &self.route {
            Route::Smtp(smtp) => match tokio::time::timeout(limit, smtp.send(message)).await {
                Ok(Ok(_)) => Ok(()),
                Ok(Err(e)) => Err(SendError {
                    message: describe_error(&e),
                    permanent: e.is_permanent(),
                    // A refusal carries a reply code; a dead connection does not.
                    server_down: e.status().is_none(),
                }),
                Err(_) => Err(timed_out()),
            },
            Route::Files { dir, transport } => {
                match tokio::time::timeout(limit, transport.send(message)).await {
                    Ok(Ok(file_id)) => {
                        let file = dir.join(format!("{file_id}.eml"));
                        tracing::info!(
                            file = %file.display(),
                            to = %row.to_address,
                            subject = %row.subject,
                            "SMTP_URL is not set: mail written to a file"
                        );
                        Ok(())
                    }
                    Ok(Err(e)) => Err(SendError {
                        message: describe_error(&e),
                        permanent: false,
                        server_down: true,
                    }),
                    Err(_) => Err(timed_out()),
                }
            }
        }
    }
}

/// The message as it goes out: From MAIL_FROM, To with the recipient's name, Reply-To when
/// set, the stored Message-ID (the same on every attempt), In-Reply-To and References to the
/// thread root, Date, and the text and HTML bodies as multipart/alternative.
fn build_message(row: &OutboxRow, from: &Mailbox, now: DateTime<Utc>) -> Result<Message, String> {
    let address: Address = row
        .to_address
        .parse()
        .map_err(|e| format!("the recipient '{}' is not an address: {e}", row.to_address))?;
    let name = Some(row.to_name.trim())
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    let mut builder = Message::builder()
        .from(from.clone())
        .to(Mailbox::new(name, address))
        .subject(row.subject.clone())
        .message_id(Some(row.message_id.clone()))
        .date(SystemTime::from(now));
    if let Some(reply_to) = &row.reply_to {
        let mailbox: Mailbox = reply_to
            .parse()
            .map_err(|e| format!("the reply-to '{reply_to}' is not an address: {e}"))?;
        builder = builder.reply_to(mailbox);
    }
    if let Some(parent) = &row.in_reply_to {
        builder = builder.in_reply_to(parent.clone());
    }
    if let Some(references) = &row.reference_ids {
        builder = builder.references(references.clone());
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            row.text_body.clone(),
            row.html_body.clone(),
        ))
        .map_err(|e| format!("the message cannot be built: {e}"))
}

/// Where the desk's mail goes, for admins: the server without its credentials, or the folder.
pub fn describe(config: &Config) -> String {
    let Some(url) = &config.smtp_url else {
        return format!(
            "files in {} (SMTP_URL is not set)",
            config.data_dir.join("mail").display()
        );
    };
    let url = url.expose();
    let (scheme, rest) = url.split_once("://").unwrap_or(("smtp", url));
    let (authority, query) = match rest.split_once('?') {
        Some((before, query)) => (before, query),
        None => (rest, ""),
    };
    let authority = authority.split('/').next().unwrap_or(authority);
    let host_port = authority
        .rsplit_once('@')
        .map(|(_, h)| h)
        .unwrap_or(authority);
    let tls = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("tls="))
        .unwrap_or("");
    let security = match (scheme, tls) {
        ("smtps", _) => "TLS",
        (_, "required") => "STARTTLS required",
        (_, "opportunistic") => "STARTTLS when offered",
        _ => "no encryption",
    };
    format!("the SMTP server {host_port} ({security})")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::config::Secret;

    fn row() -> OutboxRow {
        let at = DateTime::<Utc>::UNIX_EPOCH.naive_utc();
        OutboxRow {
            id: 1,
            kind: "smtp_check".into(),
            to_address: "ann@client.example".into(),
            to_name: "Ann Example".into(),
            reply_to: Some("help@msp.example".into()),
            subject: "Your ticket".into(),
            text_body: "Hello\n".into(),
            html_body: "<p>Hello</p>".into(),
            message_id: "<abc@desk.example>".into(),
            thread_key: Some("ticket-42".into()),
            in_reply_to: Some("<ticket-42@desk.example>".into()),
            reference_ids: Some("<ticket-42@desk.example>".into()),
            status: "sending".into(),
            attempts: 1,
            next_attempt_at: at,
            locked_until: None,
            last_error: None,
            created_at: at,
            sent_at: None,
        }
    }

    #[test]
    fn a_message_carries_its_stored_ids_and_both_bodies() {
        let from: Mailbox = "Desk <desk@msp.example>".parse().unwrap();
        let raw = build_message(&row(), &from, DateTime::<Utc>::UNIX_EPOCH).unwrap();
        let text = String::from_utf8(raw.formatted()).unwrap();
        for header in [
            "From: Desk <desk@msp.example>",
            "To: \"Ann Example\" <ann@client.example>",
            "Reply-To: help@msp.example",
            "Message-ID: <abc@desk.example>",
            "In-Reply-To: <ticket-42@desk.example>",
            "References: <ticket-42@desk.example>",
            "Date: Thu, 01 Jan 1970 00:00:00 +0000",
            "Content-Type: multipart/alternative",
        ] {
            assert!(text.contains(header), "{header} missing in\n{text}");
        }
        assert!(text.contains("<p>Hello</p>"));
    }

    #[test]
    fn a_stored_address_that_is_not_one_cannot_be_sent() {
        let mut bad = row();
        bad.to_address = "not an address".into();
        let from: Mailbox = "desk@msp.example".parse().unwrap();
        let error = build_message(&bad, &from, Utc::now()).unwrap_err();
        assert!(error.contains("not an address"), "{error}");
    }

    #[test]
    fn the_description_names_the_server_but_never_the_password() {
        let config = |url: Option<&str>| Config {
            smtp_url: url.map(|u| Secret::new(u.to_string())),
            ..crate::config::Config::from_lookup(|k| (k == "SECRET_KEY").then(|| "k".repeat(64)))
                .unwrap()
        };
        assert_eq!(
            describe(&config(Some(
                "smtp://user:hunter2@mail.example.com:587?tls=required"
            ))),
            "the SMTP server mail.example.com:587 (STARTTLS required)"
        );
        assert_eq!(
            describe(&config(Some("smtps://mail.example.com"))),
            "the SMTP server mail.example.com (TLS)"
        );
        assert_eq!(
            describe(&config(Some("smtp://127.0.0.1:2525"))),
            "the SMTP server 127.0.0.1:2525 (no encryption)"
        );
        assert!(describe(&config(None)).contains("SMTP_URL is not set"));
    }
}
