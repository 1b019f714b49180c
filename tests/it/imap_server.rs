//! A real IMAP server for the tests: Debian's Dovecot, started per test on a free loopback port
//! with its own configuration, mailbox and password file in a temporary directory. Messages are
//! delivered by writing them into the Maildir, as a local delivery agent would. Without the
//! `dovecot` binary the test is skipped, except in CI, where that is a failure.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::helpers::in_ci;

pub const USER: &str = "desk";
pub const PASSWORD: &str = "imap test password";

pub struct ImapServer {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Child,
    delivered: usize,
}

fn dovecot_binary() -> Option<PathBuf> {
    ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

impl ImapServer {
    /// A running Dovecot, or `None` (skip) when it is not installed outside CI.
    pub async fn start() -> Option<Self> {
        let Some(binary) = dovecot_binary() else {
            assert!(
                !in_ci(),
                "CI=true but dovecot is not installed (apt-get install dovecot-imapd)"
            );
            eprintln!("skipped: dovecot is not installed (apt-get install dovecot-imapd)");
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().display().to_string();
        for sub in ["run", "state", "home"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        std::fs::write(
            dir.path().join("passwd"),
            format!("{USER}:{{PLAIN}}{PASSWORD}::::::\n"),
        )
        .unwrap();
        let (uid, gid) = ids();
        let config = format!(
            "base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 0
first_valid_gid = 0
mail_location = maildir:{root}/home/%u/Maildir
passdb {{
  driver = passwd-file
  args = {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"
        );
        let conf = dir.path().join("dovecot.conf");
        std::fs::write(&conf, config).unwrap();
        let maildir = dir.path().join("home").join(USER).join("Maildir");
        for sub in ["new", "cur", "tmp"] {
            std::fs::create_dir_all(maildir.join(sub)).unwrap();
        }
        give(&dir.path().join("home"));
        let child = Command::new(binary)
            .arg("-F")
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("dovecot starts");
        let server = Self {
            port,
            dir,
            child,
            delivered: 0,
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Some(server);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let log =
            std::fs::read_to_string(server.dir.path().join("dovecot.log")).unwrap_or_default();
        panic!("dovecot did not listen on {port}: {log}");
    }

    pub fn url(&self) -> String {
        format!(
            "imap://{USER}:{}@127.0.0.1:{}/INBOX",
            PASSWORD.replace(' ', "%20"),
            self.port
        )
    }

    /// Delivers `raw` into the mailbox, as the MTA's local delivery would.
    pub fn deliver(&mut self, raw: &[u8]) {
        self.delivered += 1;
        let maildir = self.dir.path().join("home").join(USER).join("Maildir");
        let name = format!(
            "{}.tierdesk-test-{}.localhost",
            1_700_000_000 + self.delivered,
            self.delivered
        );
        std::fs::write(maildir.join("tmp").join(&name), raw).unwrap();
        std::fs::rename(
            maildir.join("tmp").join(&name),
            maildir.join("new").join(&name),
        )
        .unwrap();
    }
}

/// Who Dovecot serves the mailbox as: the user running the tests, or `nobody` when that is
/// root (Dovecot refuses to serve mail as root).
fn ids() -> (u32, u32) {
    use std::os::unix::fs::MetadataExt;
    let me = std::fs::metadata("/proc/self").expect("/proc/self");
    if me.uid() == 0 {
        (65534, 65534)
    } else {
        (me.uid(), me.gid())
    }
}

/// Hands `path` and everything under it to the mailbox's owner.
fn give(path: &std::path::Path) {
    let (uid, gid) = ids();
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            give(&entry.unwrap().path());
        }
    }
}

impl Drop for ImapServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
