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

use crate::config::ImapSettings;

/// The keyword set on a message once the desk holds it.
pub const STORED_KEYWORD: &str = "$TierdeskStored";
/// How many messages one pass fetches; the rest wait for the next pass.
const BATCH: usize = 50;
const TIMEOUT: Duration = Duration::from_secs(60);

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
        tokio::time::timeout(TIMEOUT, client.login(&settings.user, &settings.password()))
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
