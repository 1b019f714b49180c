//! The demo desk's people rules: the clients' named systems and who has access to them (Ben
//! does not work for Brightline Accounting), an account manager for Northwind Dental who may decide
//! at the decision point, and planned absences (Diego on holiday now, Tara at a training day
//! next week).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use super::err;
use crate::db::{self, DbConn};
use crate::domain::ids::{ClientId, SystemId, UserId};
use crate::domain::inputs::{EmailAddress, Line};

/// Systems per demo client (by code).
const SYSTEMS: &[(&str, &[&str])] = &[
    ("NWD", &["Dental imaging", "Microsoft 365 admin"]),
    ("HARBOR", &["ERP", "Firewall", "Warehouse scanners"]),
    ("BRIGHT", &["Microsoft 365 admin", "Practice management"]),
];

/// Who holds permissions on which systems (by e-mail, client code, system); everyone keeps the
/// clients they were given at creation except Ben, who does not work for Brightline.
const SYSTEM_ACCESS: &[(&str, &str, &str)] = &[
    ("tara.quinn@msp.example", "NWD", "Microsoft 365 admin"),
    ("tara.quinn@msp.example", "BRIGHT", "Microsoft 365 admin"),
    ("ben.okafor@msp.example", "NWD", "Dental imaging"),
    ("priya.nair@msp.example", "HARBOR", "Firewall"),
    ("priya.nair@msp.example", "NWD", "Microsoft 365 admin"),
    ("sam.lindqvist@msp.example", "HARBOR", "ERP"),
    ("sam.lindqvist@msp.example", "BRIGHT", "Practice management"),
    ("diego.alvarez@msp.example", "HARBOR", "Warehouse scanners"),
];
const NO_ACCESS: (&str, &str) = ("ben.okafor@msp.example", "BRIGHT");
const ACCOUNT_MANAGER: (&str, &str) = ("priya.nair@msp.example", "NWD");

fn staff(conn: &mut DbConn, email: &str) -> anyhow::Result<UserId> {
    let email = EmailAddress::parse(email).map_err(err)?;
    Ok(db::users::find_by_email(conn, &email)
        .map_err(err)?
        .ok_or_else(|| anyhow::anyhow!("demo account {email} missing"))?
        .id())
}

/// Seeds once: a desk whose demo clients already name systems is left as it is.
pub fn seed_people(conn: &mut DbConn, now: DateTime<Utc>) -> anyhow::Result<()> {
    let clients: HashMap<String, ClientId> = db::clients::list(conn, true)
        .map_err(err)?
        .into_iter()
        .map(|s| (s.client.code.clone(), s.client.id()))
        .collect();
    let client = |code: &str| {
        clients
            .get(code)
            .copied()
            .ok_or_else(|| anyhow::anyhow!("demo client {code} missing"))
    };
    if !db::access::systems_of(conn, client("NWD")?)
        .map_err(err)?
        .is_empty()
    {
        return Ok(());
    }
    let manager = staff(conn, "morgan.reyes@msp.example")?;
    let mut systems: HashMap<(&str, &str), SystemId> = HashMap::new();
    for (code, names) in SYSTEMS {
        for name in *names {
            let line = Line::parse(name, "a system", 80).map_err(err)?;
            let row = db::access::add_system(conn, manager, client(code)?, &line, now)
                .map_err(err)?
                .map_err(|e| anyhow::anyhow!("demo system {name}: {e:?}"))?;
            systems.insert((code, name), row.id);
        }
    }
    let mut people: Vec<&str> = SYSTEM_ACCESS.iter().map(|(email, _, _)| *email).collect();
    people.sort_unstable();
    people.dedup();
    let no_access = client(NO_ACCESS.1)?;
    for email in people {
        let user = staff(conn, email)?;
        let granted: Vec<ClientId> = db::access::grants_of(conn, user)
            .map_err(err)?
            .into_iter()
            .filter(|g| g.granted)
            .map(|g| g.client)
            .filter(|c| !(email == NO_ACCESS.0 && *c == no_access))
            .collect();
        let held: Vec<SystemId> = SYSTEM_ACCESS
            .iter()
            .filter(|(who, _, _)| *who == email)
            .filter_map(|(_, code, name)| systems.get(&(*code, *name)).copied())
            .collect();
        db::access::set_access(conn, manager, user, &granted, &held, now).map_err(err)?;
    }
    let (am, am_client) = ACCOUNT_MANAGER;
    let am = staff(conn, am)?;
    db::account_managers::add(conn, manager, client(am_client)?, am, now)
        .map_err(err)?
        .map_err(|e| anyhow::anyhow!("demo account manager: {e:?}"))?;

    let today = now
        .with_timezone(&chrono_tz::America::New_York)
        .date_naive();
    let planned = [
        (
            "diego.alvarez@msp.example",
            today - Duration::days(1),
            today + Duration::days(3),
            "Holiday",
        ),
        (
            "tara.quinn@msp.example",
            today + Duration::days(7),
            today + Duration::days(7),
            "Training day",
        ),
    ];
    for (email, first, last, note) in planned {
        let user = staff(conn, email)?;
        db::absences::add(
            conn,
            (manager, crate::domain::account::Role::Manager),
            user,
            (first, last, note),
            now,
        )
        .map_err(err)?
        .map_err(|e| anyhow::anyhow!("demo absence for {email}: {e:?}"))?;
    }
    Ok(())
}
