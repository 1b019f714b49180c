//! The demo desk's known-error database and hand-written KB articles, so a newcomer sees the
//! KEDB offered on open incidents and an article with its history; and the bulk generator's
//! known errors, so the match query can be measured at 10,000 of them.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::db::kb_edit::{self, ArticleInput};
use crate::db::schema::{known_errors, tickets, users};
use crate::db::{self, DbConn};
use crate::domain::ids::{KbArticleId, TicketId, UserId};
use crate::domain::known_error::{KnownErrorInput, Status};

fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// (title, symptoms, root cause, workaround)
const DEMO: [(&str, &str, &str, &str); 12] = [
    (
        "Outlook asks for the password again and again",
        "Outlook keeps asking for a password although the password is right; webmail works.",
        "Cached credentials from before the tenant moved to modern authentication.",
        "Remove the Outlook entries in Credential Manager, restart Outlook and sign in once.",
    ),
    (
        "VPN disconnects every hour",
        "Remote staff lose the VPN every hour and must reconnect.",
        "The firewall's IKE lifetime is shorter than the client's, so rekeying fails.",
        "Reconnect; for a user who cannot wait, switch the client to the SSL VPN profile.",
    ),
    (
        "Printer jams on every page after a toner change",
        "The printer jams on every page; the paper comes out creased.",
        "Third-party toner cartridges shift the fuser temperature.",
        "Set the paper type to heavy in the printer menu until the original toner arrives.",
    ),
    (
        "Label printer offline after a Windows update",
        "The label printer shows offline; labels stay in the queue.",
        "The update replaced the vendor driver with the generic class driver.",
        "Reinstall the vendor driver from the client's software share and restart the spooler.",
    ),
    (
        "Handset has no dial tone after a power cut",
        "A desk phone handset has no dial tone; the display shows the time.",
        "The PoE switch came back before the phone system and the handsets did not re-register.",
        "Unplug the handset's network cable for ten seconds so it registers again.",
    ),
    (
        "Imaging server slow to open X-rays",
        "Opening X-rays from the imaging server takes minutes.",
        "The antivirus scans every image file on access.",
        "Exclude the imaging share from on-access scanning on the workstation.",
    ),
    (
        "Warehouse scanners cannot reach the WMS",
        "Handheld scanners show 'server not found' for the WMS.",
        "The Wi-Fi controller hands the scanners to the guest VLAN after a firmware update.",
        "Forget the guest network on the scanner and join the warehouse SSID again.",
    ),
    (
        "E-mail down after the certificate expired",
        "Nobody can send or receive e-mail; phones show a certificate warning.",
        "The mail connector's TLS certificate expired.",
        "Switch the connector to the backup certificate until the renewed one is installed.",
    ),
    (
        "Laptop fan loud and hot after an update",
        "The laptop fan runs loud and the case gets hot while idle.",
        "The search indexer rebuilds its index after the feature update.",
        "Leave the laptop on mains power overnight so the indexer finishes.",
    ),
    (
        "Shared calendar not updating",
        "Changes to the shared calendar do not show for other users.",
        "Cached mode keeps a stale copy of shared folders.",
        "Turn off 'download shared folders' in Outlook's cached mode settings.",
    ),
    (
        "Teams camera black in calls",
        "The camera shows black in Teams calls and works in other apps.",
        "Another application holds the camera.",
        "Close the other application, then leave and rejoin the call.",
    ),
    (
        "Scan to e-mail fails from the copier",
        "Scans never arrive in the mailbox.",
        "The SMTP relay rejects the copier after the mail tenant's security change.",
        "Scan to the shared folder instead and attach the file by hand.",
    ),
];

fn writer(conn: &mut DbConn) -> anyhow::Result<UserId> {
    users::table
        .filter(users::email.eq("priya.nair@msp.example"))
        .select(users::id)
        .first(conn)
        .map(UserId)
        .map_err(|e| anyhow::anyhow!("the demo known errors need Priya Nair: {e}"))
}

/// A dozen known errors (one retired, one applied to an open incident) and two articles, one
/// of them edited; nothing when the desk already has known errors written by hand (the demo
/// problems publish their own).
pub fn seed_known_errors(conn: &mut DbConn, now: DateTime<Utc>) -> anyhow::Result<()> {
    let existing: i64 = known_errors::table
        .filter(known_errors::problem_id.is_null())
        .count()
        .get_result(conn)?;
    if existing > 0 {
        return Ok(());
    }
    let priya = writer(conn)?;
    let mut ids = Vec::new();
    for (i, (title, symptoms, cause, workaround)) in DEMO.into_iter().enumerate() {
        let input = KnownErrorInput {
            title: title.into(),
            symptoms: symptoms.into(),
            cause: cause.into(),
            workaround: workaround.into(),
            category: None,
        };
        let at = now - Duration::days(30 - i as i64);
        ids.push(db::known_errors::create(conn, priya, &input, at).map_err(err)?);
    }
    let retired = ids[ids.len() - 1];
    db::known_errors::retire(conn, priya, retired, 1, now - Duration::days(2)).map_err(err)?;
    let outlook: Option<i64> = tickets::table
        .filter(tickets::subject.eq("Outlook keeps asking for a password"))
        .select(tickets::id)
        .first(conn)
        .optional()?;
    if let Some(ticket) = outlook {
        let row = db::tickets::get(conn, TicketId(ticket)).map_err(err)?;
        if row.status.is_open() {
            db::known_errors::apply_workaround(conn, priya, row.id, ids[0], now).map_err(err)?;
        }
    }
    let drive = ArticleInput {
        title: "Mapping a network drive".into(),
        body: "Open File Explorer, choose Map network drive, pick a letter and the share's path."
            .into(),
        category: None,
    };
    let article = kb_edit::create(conn, priya, &drive, now - Duration::days(20)).map_err(err)?;
    let edited = ArticleInput {
        title: "Mapping a network drive on Windows 11".into(),
        body: "Open File Explorer, choose This PC, then Map network drive; pick a letter, paste \
               the share's path and tick 'Reconnect at sign-in'."
            .into(),
        ..drive
    };
    kb_edit::update(
        conn,
        priya,
        KbArticleId(article.0),
        1,
        &edited,
        now - Duration::days(5),
    )
    .map_err(err)?;
    let mfa = ArticleInput {
        title: "Setting up the authenticator app".into(),
        body: "Install the authenticator app, open the sign-in page on a computer, choose \
               'Add sign-in method' and scan the code with the phone."
            .into(),
        category: None,
    };
    kb_edit::create(conn, priya, &mfa, now - Duration::days(3)).map_err(err)?;
    Ok(())
}

const WORDS: [&str; 48] = [
    "printer",
    "driver",
    "spooler",
    "outlook",
    "password",
    "vpn",
    "firewall",
    "certificate",
    "mailbox",
    "calendar",
    "laptop",
    "battery",
    "docking",
    "monitor",
    "keyboard",
    "wifi",
    "switch",
    "router",
    "dns",
    "dhcp",
    "server",
    "backup",
    "share",
    "permission",
    "teams",
    "camera",
    "headset",
    "handset",
    "voicemail",
    "scanner",
    "copier",
    "license",
    "update",
    "browser",
    "token",
    "sync",
    "onedrive",
    "sharepoint",
    "excel",
    "invoice",
    "database",
    "timeout",
    "slow",
    "offline",
    "crash",
    "freeze",
    "login",
    "profile",
];

/// Generated known errors for measuring the KEDB match query (`seed-demo --known-errors N`):
/// titles and texts drawn from a desk's vocabulary so the full-text index has realistic
/// postings. Written in batches; the index triggers keep the full-text tables in step.
pub fn bulk_known_errors(conn: &mut DbConn, count: u64, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let author = writer(conn)?;
    let at = now.naive_utc();
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut word = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        WORDS[(seed % WORDS.len() as u64) as usize]
    };
    let mut written = 0u64;
    while written < count {
        let batch = (count - written).min(500);
        let rows: Vec<_> = (0..batch)
            .map(|i| {
                let n = written + i + 1;
                (
                    known_errors::title.eq(format!(
                        "{} {} {} (generated {n})",
                        word(),
                        word(),
                        word()
                    )),
                    known_errors::symptoms.eq(format!(
                        "The {} shows {} after the {}.",
                        word(),
                        word(),
                        word()
                    )),
                    known_errors::cause.eq(format!("A {} {} on the {}.", word(), word(), word())),
                    known_errors::workaround.eq(format!(
                        "Restart the {}, then check the {}.",
                        word(),
                        word()
                    )),
                    known_errors::status.eq(Status::Published.as_str()),
                    known_errors::created_by.eq(author.0),
                    known_errors::created_at.eq(at),
                    known_errors::updated_by.eq(author.0),
                    known_errors::updated_at.eq(at),
                    known_errors::version.eq(1i64),
                )
            })
            .collect();
        db::write_tx(conn, |conn| {
            // A multi-row insert is outside the backends' common subset: once per backend.
            match conn {
                DbConn::Postgres(pg) => diesel::insert_into(known_errors::table)
                    .values(&rows)
                    .execute(pg)?,
                DbConn::Sqlite(lite) => diesel::insert_into(known_errors::table)
                    .values(&rows)
                    .execute(lite)?,
            };
            Ok(())
        })
        .map_err(err)?;
        written += batch;
    }
    Ok(written)
}
