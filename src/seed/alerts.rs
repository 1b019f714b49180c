//! The demo desk's monitoring: a mapping for Harbor Logistics' warehouse hosts, a disk alert
//! that keeps firing on one open ticket, and a web check that fired and recovered, which solved
//! its ticket. All through the same path as a real alert.

use chrono::{DateTime, Duration, Utc};

use super::err;
use crate::db::{self, DbConn};
use crate::domain::alert::{AlertInput, RawAlert};
use crate::domain::ids::{ContactId, UserId};
use crate::domain::priority::{Impact, Urgency};
use crate::mail::messages::MailContext;

const SOURCE: &str = "zabbix-harbor";

/// (minutes before now, host, check, severity, state, dedup key, message)
const ALERTS: [(i64, &str, &str, &str, &str, &str, &str); 5] = [
    (
        180,
        "harbor-fs01",
        "Free disk space on D:",
        "warning",
        "firing",
        "harbor-fs01/disk-d",
        "12% free (58 GB of 480 GB)",
    ),
    (
        120,
        "harbor-fs01",
        "Free disk space on D:",
        "warning",
        "firing",
        "harbor-fs01/disk-d",
        "9% free (43 GB of 480 GB)",
    ),
    (
        60,
        "harbor-fs01",
        "Free disk space on D:",
        "warning",
        "firing",
        "harbor-fs01/disk-d",
        "7% free (34 GB of 480 GB)",
    ),
    (
        95,
        "harbor-web01",
        "HTTPS answers on the tracking portal",
        "critical",
        "firing",
        "harbor-web01/https",
        "connection timed out after 10 s",
    ),
    (
        80,
        "harbor-web01",
        "HTTPS answers on the tracking portal",
        "critical",
        "resolved",
        "harbor-web01/https",
        "200 OK in 212 ms",
    ),
];

pub(super) fn seed_alerts(
    conn: &mut DbConn,
    seeder: UserId,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    if !db::alert_sources::list(conn).map_err(err)?.is_empty() {
        return Ok(());
    }
    let Some(contact) = db::clients::active_contacts(conn)
        .map_err(err)?
        .into_iter()
        .find(|c| c.email.ends_with("@harbor-logistics.example"))
    else {
        return Ok(());
    };
    let mapping = db::alert_sources::MappingInput {
        source_pattern: SOURCE.into(),
        host_pattern: "harbor-*".into(),
        contact: ContactId(contact.id),
        levels: [
            (Impact::High, Urgency::High),
            (Impact::Medium, Urgency::Medium),
            (Impact::Low, Urgency::Low),
        ],
        solve_on_recovery: true,
        flap_minutes: 30,
    };
    db::alert_sources::create(conn, seeder, &mapping, now - Duration::hours(4))
        .map_err(err)?
        .map_err(|e| anyhow::anyhow!("demo alert mapping: {e:?}"))?;
    let mut alerts = ALERTS;
    alerts.sort_by_key(|a| std::cmp::Reverse(a.0));
    for (minutes_ago, host, check, severity, state, dedup_key, message) in alerts {
        let input = AlertInput::parse(&RawAlert {
            source: SOURCE,
            host,
            check,
            severity,
            state,
            dedup_key,
            message,
            client: "HARBOR",
        })
        .map_err(|e| anyhow::anyhow!("demo alert {dedup_key}: {e:?}"))?;
        let arrival = db::alerts::Arrival {
            token: None,
            input,
            now: now - Duration::minutes(minutes_ago),
        };
        db::alerts::ingest(conn, &arrival, mail).map_err(err)?;
    }
    Ok(())
}
