//! Settings from environment variables, with defaults that run a desk out of the box.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use rand::RngCore;

use crate::domain::client_address::TrustedProxies;
use crate::domain::session::SessionLimits;
use crate::private_files::{create_private_dir, open_to_others, write_private_file};

/// Which database the desk keeps its records in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(Secret<String>),
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self::Postgres(Secret(raw.to_string())));
        }
        let path = raw.strip_prefix("sqlite://").unwrap_or(raw);
        if path.is_empty() || path.contains("://") {
            return Err(format!(
                "'{raw}' is neither postgres://… nor a SQLite file path"
            ));
        }
        if path == ":memory:" {
            return Err("an in-memory SQLite database cannot be shared by a pool".into());
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

/// A value that must never reach a log line or an error page.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The value itself, for the one place that uses it (a connection, a key); the name makes
    /// every such place easy to find.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: DatabaseUrl,
    pub bind: SocketAddr,
    /// Public address of the desk without a trailing slash; e-mailed links start with it.
    pub base_url: String,
    pub secret_key: Secret<Vec<u8>>,
    pub smtp_url: Option<Secret<String>>,
    pub mail_from: String,
    /// How a client without an account reaches the desk, shown on every client link page.
    pub desk_contact: String,
    pub data_dir: PathBuf,
    pub session_idle_minutes: i64,
    /// However active, a session ends this long after sign-in.
    pub session_max_hours: i64,
    /// Reverse proxies whose `X-Forwarded-For` is believed when counting sign-in attempts.
    pub trusted_proxies: TrustedProxies,
    pub workers: Option<usize>,
    /// How often this instance runs the background jobs; None when JOBS_INTERVAL_SECONDS=0.
    pub jobs_interval: Option<std::time::Duration>,
    /// The mailbox the desk reads client mail from (`IMAP_URL`); `None` when mail comes only
    /// through `tierdesk mailgate`.
    pub imap: Option<ImapSettings>,
    /// API requests a token may make per minute: read and write tokens, and alert tokens
    /// (monitoring tools send bursts).
    pub api_rate_per_minute: i64,
    pub api_alert_rate_per_minute: i64,
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {name}: {message}")]
pub struct ConfigError {
    pub name: &'static str,
    pub message: String,
}

fn bad(name: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        name,
        message: message.into(),
    }
}

pub const MIN_SECRET_KEY_BYTES: usize = 64;

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads every setting through `lookup`, so tests can configure an instance without
    /// touching the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let data_dir = PathBuf::from(lookup("DATA_DIR").unwrap_or_else(|| "data".into()));

        let database_url = match lookup("DATABASE_URL") {
            Some(raw) => DatabaseUrl::parse(&raw).map_err(|m| bad("DATABASE_URL", m))?,
            None => DatabaseUrl::Sqlite(data_dir.join("tierdesk.db")),
        };

        let bind_raw = lookup("BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind: SocketAddr = bind_raw.trim().parse().map_err(|_| {
            bad(
                "BIND",
                format!("'{bind_raw}' is not an address and port like 127.0.0.1:8080"),
            )
        })?;

        let base_url = match lookup("BASE_URL") {
            Some(raw) => {
                let trimmed = raw.trim().trim_end_matches('/').to_string();
                if !(trimmed.starts_with("http://") || trimmed.starts_with("https://"))
                    || trimmed.len() <= "https://".len()
                {
                    return Err(bad(
                        "BASE_URL",
                        format!("'{raw}' must start with http:// or https://"),
                    ));
                }
                trimmed
            }
            None => format!("http://{bind}"),
        };

        let secret_key = match lookup("SECRET_KEY") {
            Some(raw) => {
                let bytes = raw.trim().as_bytes().to_vec();
                if bytes.len() < MIN_SECRET_KEY_BYTES {
                    return Err(bad(
                        "SECRET_KEY",
                        format!(
                            "must be at least {MIN_SECRET_KEY_BYTES} characters (it has {})",
                            bytes.len()
                        ),
                    ));
                }
                bytes
            }
            None => load_or_create_secret_key(&data_dir.join("secret.key"))
                .map_err(|e| bad("SECRET_KEY", format!("unset, and {e}")))?,
        };

        let smtp_url = match lookup("SMTP_URL") {
            Some(raw) => {
                let trimmed = raw.trim();
                if !(trimmed.starts_with("smtp://") || trimmed.starts_with("smtps://")) {
                    return Err(bad(
                        "SMTP_URL",
                        "must start with smtp:// or smtps:// (e.g. smtp://mail.example.com:587?tls=required)",
                    ));
                }
                Some(Secret(trimmed.to_string()))
            }
            None => None,
        };

        let mail_from = lookup("MAIL_FROM").unwrap_or_else(|| "tierdesk <desk@localhost>".into());
        if !mail_from.contains('@') {
            return Err(bad(
                "MAIL_FROM",
                format!("'{mail_from}' is not an e-mail address"),
            ));
        }

        let desk_contact = match lookup("DESK_CONTACT") {
            Some(raw) if !raw.trim().is_empty() => raw.trim().to_string(),
            _ => format!("write to {}", bare_address(&mail_from)),
        };

        let session_idle_minutes = match lookup("SESSION_IDLE_MINUTES") {
            Some(raw) => raw
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|m| (1..=60 * 24 * 30).contains(m))
                .ok_or_else(|| {
                    bad(
                        "SESSION_IDLE_MINUTES",
                        format!("'{raw}' is not a number of minutes between 1 and 43200"),
                    )
                })?,
            None => 120,
        };

        let session_max_hours = match lookup("SESSION_MAX_HOURS") {
            Some(raw) => raw
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|h| (1..=24 * 30).contains(h))
                .ok_or_else(|| {
                    bad(
                        "SESSION_MAX_HOURS",
                        format!("'{raw}' is not a number of hours between 1 and 720"),
                    )
                })?,
            None => 12,
        };

        let trusted_proxies = match lookup("TRUSTED_PROXIES") {
            Some(raw) => {
                TrustedProxies::parse(&raw).map_err(|message| bad("TRUSTED_PROXIES", message))?
            }
            None => TrustedProxies::default(),
        };

        let workers = match lookup("WORKERS") {
            Some(raw) => Some(
                raw.trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=256).contains(n))
                    .ok_or_else(|| {
                        bad("WORKERS", format!("'{raw}' is not a number from 1 to 256"))
                    })?,
            ),
            None => None,
        };

        let jobs_interval = match lookup("JOBS_INTERVAL_SECONDS") {
            Some(raw) => raw
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|s| *s <= 3600)
                .ok_or_else(|| {
                    bad(
                        "JOBS_INTERVAL_SECONDS",
                        format!("'{raw}' is not a number of seconds from 0 (off) to 3600"),
                    )
                })?,
            None => 5,
        };
        let jobs_interval =
            (jobs_interval > 0).then(|| std::time::Duration::from_secs(jobs_interval));

        let imap = match lookup("IMAP_URL") {
            Some(raw) if !raw.trim().is_empty() => {
                Some(ImapSettings::parse(raw.trim()).map_err(|e| bad("IMAP_URL", e))?)
            }
            _ => None,
        };
        let rate = |name: &'static str, default: i64| match lookup(name) {
            Some(raw) => raw
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=10_000_000).contains(n))
                .ok_or_else(|| {
                    bad(
                        name,
                        format!("'{raw}' is not a number of requests a minute from 1 to 10000000"),
                    )
                }),
            None => Ok(default),
        };
        let api_rate_per_minute = rate("API_RATE_PER_MINUTE", 600)?;
        let api_alert_rate_per_minute = rate("API_ALERT_RATE_PER_MINUTE", 120_000)?;

        Ok(Self {
            database_url,
            bind,
            base_url,
            secret_key: Secret(secret_key),
            smtp_url,
            mail_from,
            desk_contact,
            data_dir,
            session_idle_minutes,
            session_max_hours,
            trusted_proxies,
            workers,
            jobs_interval,
            imap,
            api_rate_per_minute,
            api_alert_rate_per_minute,
        })
    }

    /// Cookies are marked Secure only when the desk is reached over https, because browsers
    /// other than Chromium drop Secure cookies on plain-http origins.
    pub fn cookies_secure(&self) -> bool {
        self.base_url.starts_with("https://")
    }

    pub fn session_limits(&self) -> SessionLimits {
        SessionLimits {
            idle: chrono::Duration::minutes(self.session_idle_minutes),
            absolute: chrono::Duration::hours(self.session_max_hours),
        }
    }
}

/// Keeps the generated cookie key across restarts, so a restart does not log everyone out.
/// The address inside `Name <address>`, or the whole value when it is a bare address.
/// The address of a mailbox written `Name <address>`, or the whole text when it has no brackets.
pub fn bare_address(mailbox: &str) -> &str {
    match mailbox.rsplit_once('<') {
        Some((_, rest)) => rest.trim_end().trim_end_matches('>'),
        None => mailbox.trim(),
    }
}

fn load_or_create_secret_key(path: &Path) -> Result<Vec<u8>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            if let Ok(Some(mode)) = open_to_others(path) {
                return Err(format!(
                    "{} can be read by other users (mode {mode:o}); run `chmod 600 {}`",
                    path.display(),
                    path.display()
                ));
            }
            let bytes = hex::decode(text.trim())
                .map_err(|_| format!("{} is not a hex-encoded key", path.display()))?;
            if bytes.len() < MIN_SECRET_KEY_BYTES {
                return Err(format!("{} holds a key that is too short", path.display()));
            }
            Ok(bytes)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent() {
                create_private_dir(parent)
                    .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
            }
            let mut key = vec![0u8; MIN_SECRET_KEY_BYTES];
            rand::rngs::OsRng.fill_bytes(&mut key);
            write_private_file(path, hex::encode(&key).as_bytes())
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            Ok(key)
        }
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

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
    pub fn password(&self) -> &str {
        &self.password
    }

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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::collections::HashMap;

    fn config_from(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let mut vars: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        vars.entry("DATA_DIR".into())
            .or_insert_with(|| dir.path().display().to_string());
        let result = Config::from_lookup(|k| vars.get(k).cloned());
        drop(dir);
        result
    }

    #[test]
    fn the_desk_contact_defaults_to_the_mail_from_address() {
        assert_eq!(
            config_from(&[]).unwrap().desk_contact,
            "write to desk@localhost"
        );
        let named = config_from(&[("MAIL_FROM", "Help Desk <help@msp.example>")]).unwrap();
        assert_eq!(named.desk_contact, "write to help@msp.example");
        let bare = config_from(&[("MAIL_FROM", "help@msp.example")]).unwrap();
        assert_eq!(bare.desk_contact, "write to help@msp.example");
        let set = config_from(&[("DESK_CONTACT", "call +1 555 0100, 24/7")]).unwrap();
        assert_eq!(set.desk_contact, "call +1 555 0100, 24/7");
    }

    #[test]
    fn defaults_give_a_sqlite_desk_on_port_8080() {
        let config = config_from(&[]).unwrap();
        assert!(
            matches!(config.database_url, DatabaseUrl::Sqlite(ref p) if p.ends_with("tierdesk.db"))
        );
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(config.base_url, "http://127.0.0.1:8080");
        assert!(!config.cookies_secure());
        assert_eq!(config.secret_key.expose().len(), MIN_SECRET_KEY_BYTES);
        assert_eq!(
            config.jobs_interval,
            Some(std::time::Duration::from_secs(5))
        );
        assert!(
            config_from(&[("JOBS_INTERVAL_SECONDS", "0")])
                .unwrap()
                .jobs_interval
                .is_none()
        );
    }

    #[test]
    fn generated_secret_key_is_kept_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().display().to_string();
        let lookup = |k: &str| (k == "DATA_DIR").then(|| data.clone());
        let first = Config::from_lookup(lookup).unwrap();
        let second = Config::from_lookup(lookup).unwrap();
        assert_eq!(first.secret_key, second.secret_key);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("secret.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_new_data_dir_is_private_and_a_key_others_can_read_stops_start_up() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("desk-data");
        let shown = data.display().to_string();
        let lookup = |k: &str| (k == "DATA_DIR").then(|| shown.clone());
        Config::from_lookup(lookup).unwrap();
        let mode = std::fs::metadata(&data).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "DATA_DIR is the desk's alone");

        let key = data.join("secret.key");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let refused = Config::from_lookup(lookup).unwrap_err().to_string();
        assert!(
            refused.contains("can be read by other users (mode 644)"),
            "{refused}"
        );
        assert!(refused.contains("chmod 600"), "{refused}");
    }

    #[test]
    fn bad_settings_name_the_variable() {
        let cases = [
            ("BIND", "localhost", "BIND"),
            ("DATABASE_URL", "mysql://x", "DATABASE_URL"),
            ("DATABASE_URL", ":memory:", "DATABASE_URL"),
            ("BASE_URL", "desk.example.com", "BASE_URL"),
            ("SECRET_KEY", "short", "SECRET_KEY"),
            ("SMTP_URL", "mail.example.com", "SMTP_URL"),
            ("MAIL_FROM", "nobody", "MAIL_FROM"),
            ("SESSION_IDLE_MINUTES", "0", "SESSION_IDLE_MINUTES"),
            ("WORKERS", "many", "WORKERS"),
            ("JOBS_INTERVAL_SECONDS", "-1", "JOBS_INTERVAL_SECONDS"),
        ];
        for (name, value, expected) in cases {
            let err = config_from(&[(name, value)]).unwrap_err();
            assert_eq!(err.name, expected, "{name}={value}");
            assert!(
                err.to_string()
                    .starts_with(&format!("configuration: {expected}:"))
            );
        }
    }

    #[test]
    fn https_base_url_makes_cookies_secure_and_postgres_urls_are_recognised() {
        let config = config_from(&[
            ("BASE_URL", "https://desk.example.com/"),
            ("DATABASE_URL", "postgres://u@db/tierdesk"),
        ])
        .unwrap();
        assert_eq!(config.base_url, "https://desk.example.com");
        assert!(config.cookies_secure());
        assert_eq!(config.database_url.backend_name(), "postgres");
    }

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
