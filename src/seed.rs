//! `tierdesk seed-demo`: a living demo desk for newcomers. Safe to run twice.

use chrono::{DateTime, Utc};

use crate::db::clients::{ClientInput, ContactInput, SecretChange};
use crate::db::users::UserProfile;
use crate::db::{self, DbConn};
use crate::domain::account::{Role, Tier};
use crate::domain::ids::UserId;
use crate::domain::inputs::EmailAddress;
use crate::security::hash_password;

pub const DEMO_PASSWORD: &str = "tierdesk-demo";

pub struct DemoAccount {
    pub email: &'static str,
    pub name: &'static str,
    pub role: Role,
    pub tier: Option<Tier>,
    pub skills: &'static str,
}

pub const DEMO_ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        email: "morgan.reyes@msp.example",
        name: "Morgan Reyes",
        role: Role::Manager,
        tier: None,
        skills: "escalations, client relations",
    },
    DemoAccount {
        email: "tara.quinn@msp.example",
        name: "Tara Quinn",
        role: Role::Technician,
        tier: Some(Tier::Tier1),
        skills: "printers, passwords, office 365",
    },
    DemoAccount {
        email: "ben.okafor@msp.example",
        name: "Ben Okafor",
        role: Role::Technician,
        tier: Some(Tier::Tier1),
        skills: "phones, voip, workstations",
    },
    DemoAccount {
        email: "priya.nair@msp.example",
        name: "Priya Nair",
        role: Role::Technician,
        tier: Some(Tier::Tier2),
        skills: "networking, firewalls, exchange",
    },
    DemoAccount {
        email: "sam.lindqvist@msp.example",
        name: "Sam Lindqvist",
        role: Role::Technician,
        tier: Some(Tier::Tier3),
        skills: "servers, virtualisation, backups",
    },
    DemoAccount {
        email: "diego.alvarez@msp.example",
        name: "Diego Alvarez",
        role: Role::Technician,
        tier: Some(Tier::OnSite),
        skills: "cabling, hardware, site surveys",
    },
];

struct DemoClient {
    name: &'static str,
    code: &'static str,
    notes: &'static str,
    contacts: &'static [(
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        Option<&'static str>,
    )],
}

const DEMO_CLIENTS: &[DemoClient] = &[
    DemoClient {
        name: "Northwind Dental",
        code: "NWD",
        notes: "Two practices; imaging server in the back office. Closed on Sundays.",
        contacts: &[
            (
                "Alice Chen",
                "alice.chen@northwind-dental.example",
                "+1 555 0101 200",
                "Practice manager",
                Some("4711"),
            ),
            (
                "Raj Patel",
                "raj.patel@northwind-dental.example",
                "+1 555 0101 201",
                "Dentist",
                None,
            ),
        ],
    },
    DemoClient {
        name: "Harbor Logistics",
        code: "HARBOR",
        notes: "24/7 warehouse operation; the WMS is business critical.",
        contacts: &[
            (
                "Grace O'Neill",
                "grace.oneill@harbor-logistics.example",
                "+1 555 0199 310",
                "Operations director",
                Some("anchor-42"),
            ),
            (
                "Tom Becker",
                "tom.becker@harbor-logistics.example",
                "+1 555 0199 311",
                "Shift lead",
                None,
            ),
            (
                "Lena Novak",
                "lena.novak@harbor-logistics.example",
                "+1 555 0199 312",
                "Finance",
                None,
            ),
        ],
    },
    DemoClient {
        name: "Brightline Accounting",
        code: "BRIGHT",
        notes: "Tax season (Jan–Apr) is critical; partners work late.",
        contacts: &[(
            "Omar Haddad",
            "omar.haddad@brightline.example",
            "+44 20 7946 0100",
            "Managing partner",
            Some("ledger-9"),
        )],
    },
];

pub struct SeedReport {
    pub accounts_created: usize,
    pub clients_created: usize,
}

fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

pub fn seed_demo(conn: &mut DbConn, now: DateTime<Utc>) -> anyhow::Result<SeedReport> {
    let password_hash = hash_password(DEMO_PASSWORD)?;
    let mut accounts_created = 0;
    let mut seeder: Option<UserId> = None;
    for account in DEMO_ACCOUNTS {
        let email = EmailAddress::parse(account.email).map_err(err)?;
        if let Some(existing) = db::users::find_by_email(conn, &email).map_err(err)? {
            seeder.get_or_insert(existing.id());
            continue;
        }
        let profile = UserProfile {
            email,
            display_name: account.name.into(),
            role: account.role,
            tier: account.tier,
            skills: account.skills.into(),
            time_zone: chrono_tz::America::New_York,
        };
        let row = db::users::create(conn, None, &profile, &password_hash, false, now)
            .map_err(err)?
            .map_err(|e| anyhow::anyhow!("demo account {}: {e:?}", account.email))?;
        seeder.get_or_insert(row.id());
        accounts_created += 1;
    }
    let seeder = seeder.ok_or_else(|| anyhow::anyhow!("no demo account to record the seed as"))?;

    let existing: Vec<String> = db::clients::list(conn, true)
        .map_err(err)?
        .into_iter()
        .map(|s| s.client.code)
        .collect();
    let pin_hashes = DEMO_CLIENTS
        .iter()
        .flat_map(|c| c.contacts.iter())
        .filter_map(|c| c.4)
        .map(|pin| Ok((pin, hash_password(pin)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let (calendar, policy) = db::service_levels::defaults(conn).map_err(err)?;
    let mut clients_created = 0;
    for demo in DEMO_CLIENTS
        .iter()
        .filter(|d| !existing.iter().any(|c| c == d.code))
    {
        let client = db::clients::create(
            conn,
            seeder,
            &ClientInput {
                name: demo.name.into(),
                code: demo.code.into(),
                notes: demo.notes.into(),
                calendar,
                policy,
                active: true,
            },
            now,
        )
        .map_err(err)?
        .map_err(|e| anyhow::anyhow!("demo client {}: {e:?}", demo.name))?;
        for (name, email, phone, title, pin) in demo.contacts {
            let secret = match pin {
                Some(pin) => pin_hashes
                    .iter()
                    .find(|(p, _)| p == pin)
                    .map(|(_, h)| SecretChange::Set(h.clone()))
                    .unwrap_or(SecretChange::Keep),
                None => SecretChange::Keep,
            };
            db::clients::create_contact(
                conn,
                seeder,
                client.id(),
                &ContactInput {
                    name: (*name).into(),
                    email: EmailAddress::parse(email).map_err(err)?,
                    phone: (*phone).into(),
                    job_title: (*title).into(),
                    notes: String::new(),
                    active: true,
                    secret,
                },
                now,
            )
            .map_err(err)?
            .map_err(|e| anyhow::anyhow!("demo contact {email}: {e:?}"))?;
        }
        clients_created += 1;
    }
    Ok(SeedReport {
        accounts_created,
        clients_created,
    })
}
