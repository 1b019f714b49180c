//! Demo hosted services with uptime guarantees and a few months of outages, so the services
//! pages, the monthly figures and their burn-downs show something on a fresh desk.

use chrono::{DateTime, Duration, SubsecRound, Utc};

use crate::db::{self, DbConn};
use crate::domain::ids::UserId;
use crate::domain::uptime::{EffectiveRule, Guarantee};
use crate::domain::uptime_input::{OutageInput, ServiceInput};

/// (client code, service, covers, guarantee, rule, days since contract start, planned counts,
/// outages as (days ago, minutes, planned, note)).
type DemoService = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    EffectiveRule,
    i64,
    bool,
    &'static [(i64, i64, bool, &'static str)],
);

const DEMO_SERVICES: &[DemoService] = &[
    (
        "NWD",
        "Hosted imaging archive",
        "The X-ray image archive both practices read from.",
        "99.9",
        EffectiveRule::AfterDays(30),
        240,
        false,
        &[
            (75, 25, false, "Storage controller failover."),
            (
                41,
                50,
                false,
                "Archive unreachable after a certificate expired.",
            ),
            (20, 60, true, "Planned firmware update."),
            (6, 12, false, "Brief network loss at the data centre."),
        ],
    ),
    (
        "HARBOR",
        "Hosted warehouse management",
        "The WMS and its handheld scanner gateway, 24/7.",
        "99.95",
        EffectiveRule::AfterDays(0),
        400,
        true,
        &[
            (55, 9, false, "Scanner gateway restart."),
            (12, 15, true, "Database patch window."),
        ],
    ),
    (
        "HARBOR",
        "Offsite backup",
        "Nightly backup of the warehouse servers to the MSP's data centre.",
        "99.5",
        EffectiveRule::AfterSignOff(None),
        120,
        false,
        &[(30, 95, false, "Backup target disk failure.")],
    ),
    (
        "BRIGHT",
        "Hosted tax and ledger software",
        "The partners' tax preparation and ledger application, reached over the VPN.",
        "99.9",
        EffectiveRule::AfterDays(14),
        300,
        false,
        &[
            (88, 35, false, "Application server ran out of disk space."),
            (63, 20, false, "VPN concentrator crashed."),
            (34, 120, true, "Planned upgrade to the new tax year."),
            (9, 18, false, "Database locked by a stuck backup job."),
        ],
    ),
];

pub fn seed_uptime(conn: &mut DbConn, seeder: UserId, now: DateTime<Utc>) -> anyhow::Result<()> {
    let err = |e: crate::error::AppError| anyhow::anyhow!("{e}");
    let now = now.trunc_subsecs(6);
    let clients = db::clients::list(conn, true).map_err(err)?;
    for (code, name, covers, guarantee, rule, started_days, planned_counts, outages) in
        DEMO_SERVICES
    {
        let Some(client) = clients
            .iter()
            .find(|c| c.client.code == *code)
            .map(|c| c.client.id())
        else {
            continue;
        };
        if db::uptime::services_of(conn, client)
            .map_err(err)?
            .iter()
            .any(|s| s.name == *name)
        {
            continue;
        }
        let input = ServiceInput {
            name: (*name).into(),
            covers: (*covers).into(),
            guarantee: Guarantee::parse(guarantee).map_err(|e| anyhow::anyhow!("{e}"))?,
            contract_start: (now - Duration::days(*started_days)).date_naive(),
            rule: *rule,
            planned_counts: *planned_counts,
        };
        let service = db::uptime::create(conn, seeder, client, input, now)
            .map_err(err)?
            .map_err(|e| anyhow::anyhow!("demo service {name}: {e:?}"))?;
        if matches!(rule, EffectiveRule::AfterSignOff(_)) {
            let on = (now - Duration::days(45)).date_naive();
            db::uptime::sign_off(conn, seeder, service.id, on, now)
                .map_err(err)?
                .map_err(|e| anyhow::anyhow!("demo sign-off {name}: {e:?}"))?;
        }
        for (days_ago, minutes, planned, note) in *outages {
            let start = now - Duration::days(*days_ago);
            let input = OutageInput {
                start,
                end: Some(start + Duration::minutes(*minutes)),
                planned: *planned,
                note: (*note).into(),
            };
            db::uptime::outages::open(conn, seeder, service.id, input, None, now)
                .map_err(err)?
                .map_err(|e| anyhow::anyhow!("demo outage of {name}: {e:?}"))?;
        }
    }
    Ok(())
}
