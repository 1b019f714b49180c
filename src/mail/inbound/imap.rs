//! Fetching new messages from an IMAP mailbox (`IMAP_URL`). A message is handed to `keep`
//! (which stores it in the database) and only once that succeeded is it flagged on the server,
//! so a crash between the two fetches it again, and the store's dedup key makes that a no-op.
//! Messages are addressed by UID, and found by the absence of our keyword rather than by
//! `\Seen`, so a person reading the mailbox in a mail program hides nothing from the desk.

use std::time::Duration;

use async_imap::Client;
use futures_util::TryStreamExt;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// The keyword set on a message once the desk holds it.
pub const STORED_KEYWORD: &str = "$TierdeskStored";
/// How many messages one pass fetches; the rest wait for the next pass.
const BATCH: usize = 50;
const TIMEOUT: Duration = Duration::from_secs(60);

/// Where the mailbox is, from `IMAP_URL` (`imaps://user:password@host:993/INBOX`).
#[derive(Clone, PartialEq, Eq)]
pub struct ImapSettings {
    pub tls: bool,
    pub host: String,
    pub port: u16,
    pub user: String,
    password: String,
    pub mailbox: String,
}

impl std::fmt::Debug for ImapSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}://{}@{}:{}/{}",
            if self.tls { "imaps" } else { "imap" },
            self.user,
            self.host,
            self.port,
            self.mailbox
        )
    }
}

fn percent_decode(raw: &str) -> Result<String, String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = raw
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("'{raw}' has a broken %-escape"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("'{raw}' is not UTF-8 once decoded"))
}

impl ImapSettings {
    /// Reads `imap://` or `imaps://user:password@host[:port][/mailbox]`; user and password may
    /// be %-escaped (an `@` in a user name is `%40`).
    pub fn parse(url: &str) -> Result<Self, String> {
        let (scheme, rest) = url
            .split_once("://")
            .ok_or("IMAP_URL must look like imaps://user:password@host:993/INBOX")?;
        let tls = match scheme.to_ascii_lowercase().as_str() {
            "imaps" => true,
            "imap" => false,
            other => {
                return Err(format!(
                    "IMAP_URL scheme must be imap or imaps, not '{other}'"
                ));
            }
        };
        let (authority, mailbox) = rest.split_once('/').unwrap_or((rest, ""));
        let (credentials, host_port) = authority
            .rsplit_once('@')
            .ok_or("IMAP_URL needs a user and password: imaps://user:password@host")?;
        let (user, password) = credentials
            .split_once(':')
            .ok_or("IMAP_URL needs a password after the user name")?;
        let (host, port) = match host_port.rsplit_once(':') {
            Some((host, port)) => (
                host,
                port.parse::<u16>()
                    .map_err(|_| format!("'{port}' is not a port number"))?,
            ),
            None => (host_port, if tls { 993 } else { 143 }),
        };
        if host.is_empty() {
            return Err("IMAP_URL needs a host".into());
        }
        let mailbox = percent_decode(mailbox)?;
        Ok(Self {
            tls,
            host: host.trim_matches(['[', ']']).to_string(),
            port,
            user: percent_decode(user)?,
            password: percent_decode(password)?,
            mailbox: if mailbox.is_empty() {
                "INBOX".into()
            } else {
                mailbox
            },
        })
    }
}

/// One message fetched from the server.
pub struct Fetched {
    pub uid: u32,
    pub raw: Vec<u8>,
}

/// Fetches the messages not yet held, hands each to `keep`, and flags the ones it kept.
/// Answers how many were kept; a `keep` failure stops the pass (the message stays unflagged
/// and comes again next time).
pub async fn fetch_new<K, F>(settings: &ImapSettings, keep: K) -> anyhow::Result<usize>
where
    K: FnMut(Fetched) -> F,
    F: std::future::Future<Output = anyhow::Result<()>>,
{
    let tcp = tokio::time::timeout(
        TIMEOUT,
        TcpStream::connect((settings.host.as_str(), settings.port)),
    )
    .await
    .map_err(|_| {
        anyhow::anyhow!(
            "IMAP server {}:{} did not answer",
            settings.host,
            settings.port
        )
    })??;
    if settings.tls {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let name = rustls::pki_types::ServerName::try_from(settings.host.clone())?;
        let tls = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config))
            .connect(name, tcp)
            .await?;
        run_session(Client::new(tls), settings, keep).await
    } else {
        run_session(Client::new(tcp), settings, keep).await
    }
}

async fn run_session<T, K, F>(
    mut client: Client<T>,
    settings: &ImapSettings,
    mut keep: K,
) -> anyhow::Result<usize>
where
    T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
    K: FnMut(Fetched) -> F,
    F: std::future::Future<Output = anyhow::Result<()>>,
{
    let step = |what: &'static str| move |_| anyhow::anyhow!("IMAP {what} timed out");
    tokio::time::timeout(TIMEOUT, client.read_response())
        .await
        .map_err(step("greeting"))??
        .ok_or_else(|| {
            anyhow::anyhow!("the IMAP server closed the connection before its greeting")
        })?;
    let mut session =
        tokio::time::timeout(TIMEOUT, client.login(&settings.user, &settings.password))
            .await
            .map_err(step("login"))?
            .map_err(|(e, _)| anyhow::anyhow!("IMAP login as {} failed: {e}", settings.user))?;
    tokio::time::timeout(TIMEOUT, session.select(&settings.mailbox))
        .await
        .map_err(step("select"))??;
    let mut uids: Vec<u32> = tokio::time::timeout(
        TIMEOUT,
        session.uid_search(format!("UNDELETED UNKEYWORD {STORED_KEYWORD}")),
    )
    .await
    .map_err(step("search"))??
    .into_iter()
    .collect();
    uids.sort_unstable();
    uids.truncate(BATCH);
    let mut kept = 0;
    for uid in uids {
        let fetched: Vec<_> = tokio::time::timeout(TIMEOUT, async {
            session
                .uid_fetch(uid.to_string(), "(UID BODY.PEEK[])")
                .await?
                .try_collect::<Vec<_>>()
                .await
        })
        .await
        .map_err(step("fetch"))??;
        let Some(raw) = fetched.iter().find_map(|f| f.body().map(<[u8]>::to_vec)) else {
            // Expunged by someone else since the search.
            continue;
        };
        keep(Fetched { uid, raw }).await?;
        tokio::time::timeout(TIMEOUT, async {
            session
                .uid_store(uid.to_string(), format!("+FLAGS ({STORED_KEYWORD} \\Seen)"))
                .await?
                .try_collect::<Vec<_>>()
                .await
        })
        .await
        .map_err(step("flag"))??;
        kept += 1;
    }
    // The messages are flagged; a failed goodbye changes nothing.
    if let Err(e) = session.logout().await {
        tracing::debug!(error = %e, "IMAP logout");
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imap_urls_are_read_with_their_defaults() {
        let Ok(s) =
            ImapSettings::parse("imaps://desk%40msp.example:p%3Ass@mail.msp.example/Support")
        else {
            panic!("did not parse");
        };
        assert!(s.tls);
        assert_eq!(
            (
                s.host.as_str(),
                s.port,
                s.user.as_str(),
                s.password.as_str(),
                s.mailbox.as_str()
            ),
            (
                "mail.msp.example",
                993,
                "desk@msp.example",
                "p:ss",
                "Support"
            )
        );
        let Ok(s) = ImapSettings::parse("imap://u:p@127.0.0.1:1143") else {
            panic!("did not parse");
        };
        assert!(!s.tls);
        assert_eq!((s.port, s.mailbox.as_str()), (1143, "INBOX"));
        assert_eq!(ImapSettings::parse("imap://u:p@h").map(|s| s.port), Ok(143));
        for bad in [
            "pop3://u:p@h",
            "imap://h",
            "imap://u@h",
            "imap://u:p@h:99999",
            "imap://u:p@",
            "mail.example",
            "imap://u:p%zz@h",
        ] {
            assert!(ImapSettings::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_password_never_prints() {
        let Ok(s) = ImapSettings::parse("imaps://desk:hunter2@mail.example") else {
            panic!("did not parse");
        };
        let shown = format!("{s:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("desk@mail.example:993/INBOX"), "{shown}");
    }
}
