//! A real SMTP server inside the test process: it speaks enough ESMTP for lettre (EHLO, MAIL,
//! RCPT, DATA, RSET, NOOP, QUIT), keeps every message it accepts, refuses recipients whose
//! address starts with "refused" (550), and can be stopped and started again on the same port
//! to play a mail server outage.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};

use crate::helpers::{Backend, TestApp, spawn_app_with};

/// Generates one test per backend for each `async fn(TestApp, SmtpSink)`: the app's SMTP_URL
/// points at a fresh sink, and the test ends with the outbox check (`OutboxCheck`).
macro_rules! both_backends_with_smtp {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::smtp::run(crate::helpers::Backend::Sqlite, super::$name).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::smtp::run(crate::helpers::Backend::Postgres, super::$name).await;
                }
            )*
        }
    };
}

/// One mail test body on a fresh desk of `backend` whose mail goes to a fresh sink (skipped
/// when that backend is not available); it ends with the outbox settled.
pub async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestApp, SmtpSink) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let sink = SmtpSink::start().await;
    let Some(app) = spawn_app_with_sink(backend, &sink, &[]).await else {
        return;
    };
    let check = app.outbox_check();
    test(app, sink).await;
    check.assert_settled().await;
}

pub const MAIL_FROM: &str = "MSP Service Desk <desk@msp.example>";
pub const BASE_URL: &str = "http://desk.msp.example";

/// Starts the app with its mail going to `sink`.
pub async fn spawn_app_with_sink(
    backend: Backend,
    sink: &SmtpSink,
    extra: &[(&str, &str)],
) -> Option<TestApp> {
    let url = sink.url();
    let mut settings = vec![
        ("SMTP_URL", url.as_str()),
        ("MAIL_FROM", MAIL_FROM),
        ("BASE_URL", BASE_URL),
    ];
    settings.extend_from_slice(extra);
    spawn_app_with(backend, &settings).await
}

/// One message as the server received it.
#[derive(Clone, Debug)]
pub struct ReceivedMail {
    pub envelope_from: String,
    pub envelope_to: Vec<String>,
    pub raw: String,
}

impl ReceivedMail {
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(self.raw.as_bytes())
            .expect("a parsable message")
    }

    /// The Message-ID as sent, with its angle brackets.
    pub fn message_id(&self) -> String {
        format!("<{}>", self.parsed().message_id().expect("a Message-ID"))
    }

    /// A header's value as sent (unfolded, trimmed).
    pub fn header(&self, name: &str) -> Option<String> {
        self.parsed()
            .header_raw(name)
            .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    pub fn text_body(&self) -> String {
        let parsed = self.parsed();
        assert_eq!(parsed.text_body_count(), 1, "one text part");
        parsed.body_text(0).expect("a text part").into_owned()
    }

    pub fn html_body(&self) -> String {
        let parsed = self.parsed();
        assert_eq!(parsed.html_body_count(), 1, "one HTML part");
        parsed.body_html(0).expect("an HTML part").into_owned()
    }
}

#[derive(Default)]
struct Mailbox {
    mails: Mutex<Vec<ReceivedMail>>,
    arrived: Notify,
}

pub struct SmtpSink {
    port: u16,
    mailbox: Arc<Mailbox>,
    server: Option<JoinHandle<()>>,
}

/// The sink listens below Linux's ephemeral port range (32768 and up), where no other socket
/// of the test run is given a port, so the port is still free when the sink comes back.
const PORTS: std::ops::Range<u16> = 20_000..32_000;

impl SmtpSink {
    pub async fn start() -> Self {
        for _ in 0..100 {
            let port = PORTS.start + rand::random::<u16>() % (PORTS.end - PORTS.start);
            if let Ok(listener) = TcpListener::bind(("127.0.0.1", port)).await {
                let mailbox = Arc::new(Mailbox::default());
                let server = tokio::spawn(serve(listener, mailbox.clone()));
                return Self {
                    port,
                    mailbox,
                    server: Some(server),
                };
            }
        }
        panic!("no free port for the SMTP sink");
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The server goes away: open connections are cut and new ones refused.
    pub async fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
            let _ = server.await;
        }
    }

    /// The server comes back on the same port, keeping what it received before.
    pub async fn restart(&mut self) {
        assert!(self.server.is_none(), "the sink is running");
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("the sink's port is free again");
        self.server = Some(tokio::spawn(serve(listener, self.mailbox.clone())));
    }

    pub fn received(&self) -> Vec<ReceivedMail> {
        self.mailbox.mails.lock().unwrap().clone()
    }

    /// Waits until `count` messages have arrived, for mail sent by the background loop.
    pub async fn wait_for(&self, count: usize, limit: Duration) -> Vec<ReceivedMail> {
        let waiting = async {
            loop {
                let arrived = self.mailbox.arrived.notified();
                let mails = self.received();
                if mails.len() >= count {
                    return mails;
                }
                arrived.await;
            }
        };
        tokio::time::timeout(limit, waiting)
            .await
            .unwrap_or_else(|_| panic!("{count} message(s) did not arrive within {limit:?}"))
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

/// Accepts connections until aborted; aborting drops the JoinSet, which cuts every session.
async fn serve(listener: TcpListener, mailbox: Arc<Mailbox>) {
    let mut sessions = JoinSet::new();
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                sessions.spawn(session(stream, mailbox.clone()));
            }
            Err(e) => panic!("SMTP sink: accept failed: {e}"),
        }
        while sessions.try_join_next().is_some() {}
    }
}

async fn session(stream: TcpStream, mailbox: Arc<Mailbox>) -> std::io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    writer.write_all(b"220 sink.test ESMTP ready\r\n").await?;
    let mut from = String::new();
    let mut to: Vec<String> = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let command = String::from_utf8_lossy(&line).trim_end().to_string();
        let upper = command.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-sink.test\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n"
        } else if upper.starts_with("HELO") {
            b"250 sink.test\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            from = command["MAIL FROM:".len()..].trim().to_string();
            to.clear();
            b"250 2.1.0 OK\r\n"
        } else if upper.starts_with("RCPT TO:") {
            let address = command["RCPT TO:".len()..].trim().to_string();
            if address.trim_start_matches('<').starts_with("refused") {
                b"550 5.1.1 No such mailbox\r\n"
            } else {
                to.push(address);
                b"250 2.1.5 OK\r\n"
            }
        } else if upper == "DATA" {
            writer
                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await?;
            let raw = read_data(&mut reader).await?;
            // Kept before the reply, so a sender that got its 250 finds the message here.
            mailbox.mails.lock().unwrap().push(ReceivedMail {
                envelope_from: from.clone(),
                envelope_to: std::mem::take(&mut to),
                raw,
            });
            mailbox.arrived.notify_waiters();
            b"250 2.0.0 OK queued\r\n"
        } else if upper == "RSET" {
            to.clear();
            b"250 2.0.0 OK\r\n"
        } else if upper == "NOOP" {
            b"250 2.0.0 OK\r\n"
        } else if upper == "QUIT" {
            writer.write_all(b"221 2.0.0 Bye\r\n").await?;
            return Ok(());
        } else {
            b"502 5.5.2 Command not recognised\r\n"
        };
        writer.write_all(reply).await?;
    }
}

/// The message after DATA, up to the lone dot, with dot-stuffing undone.
async fn read_data(
    reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
) -> std::io::Result<String> {
    let mut raw = String::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok(raw);
        }
        let text = String::from_utf8_lossy(&line);
        raw.push_str(text.strip_prefix('.').unwrap_or(&text));
    }
}
