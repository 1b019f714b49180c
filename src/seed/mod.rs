//! `tierdesk seed-demo`: a living demo desk for newcomers. Safe to run twice.

mod alerts;
mod bulk;
mod bulk_timeline;
mod changes;
mod escalations;
mod history;
mod known_errors;
mod mail;
mod people;
mod problems;
mod requests;
mod risks;
mod tickets;
mod uptime;

pub use bulk::bulk_tickets;
pub use known_errors::bulk_known_errors;

use chrono::{DateTime, Duration, NaiveDate, Utc, Weekday};

use crate::db::clients::{ClientInput, ContactInput, SecretChange};
use crate::db::service_levels::{CalendarInput, PolicyInput};
use crate::db::users::UserProfile;
use crate::db::{self, DbConn};
use crate::domain::account::{Role, Tier};
use crate::domain::calendar::OpeningInterval;
use crate::domain::ids::UserId;
use crate::domain::ids::{CalendarId, PolicyId};
use crate::domain::inputs::EmailAddress;
use crate::domain::priority::Priority;
use crate::domain::sla::{ClockMode, SlaTargets, Target};
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
    /// Index into DEMO_CALENDARS, or None for the standard calendar.
    calendar: Option<usize>,
    /// Whether the client pays for the 24/7 premium policy.
    premium: bool,
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
        calendar: Some(0),
        premium: false,
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
        calendar: Some(2),
        premium: true,
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
        calendar: Some(1),
        premium: false,
        contacts: &[(
            "Omar Haddad",
            "omar.haddad@brightline.example",
            "+44 20 7946 0100",
            "Managing partner",
            Some("ledger-9"),
        )],
    },
];

struct DemoCalendar {
    name: &'static str,
    zone: chrono_tz::Tz,
    /// (weekday, start minute, end minute)
    hours: &'static [(Weekday, u16, u16)],
    holidays: &'static [(i32, u32, u32, &'static str)],
}

const DEMO_CALENDARS: &[DemoCalendar] = &[
    DemoCalendar {
        name: "New York office hours",
        zone: chrono_tz::America::New_York,
        hours: &[
            (Weekday::Mon, 480, 1080),
            (Weekday::Tue, 480, 1080),
            (Weekday::Wed, 480, 1080),
            (Weekday::Thu, 480, 1080),
            (Weekday::Fri, 480, 1080),
            (Weekday::Sat, 540, 780),
        ],
        holidays: &[
            (2026, 11, 26, "Thanksgiving Day"),
            (2026, 12, 25, "Christmas Day"),
            (2027, 1, 1, "New Year's Day"),
            (2027, 1, 18, "Martin Luther King Jr. Day"),
            (2027, 5, 31, "Memorial Day"),
            (2027, 7, 5, "Independence Day (observed)"),
        ],
    },
    DemoCalendar {
        name: "London office hours",
        zone: chrono_tz::Europe::London,
        hours: &[
            (Weekday::Mon, 510, 750),
            (Weekday::Mon, 810, 1050),
            (Weekday::Tue, 510, 750),
            (Weekday::Tue, 810, 1050),
            (Weekday::Wed, 510, 750),
            (Weekday::Wed, 810, 1050),
            (Weekday::Thu, 510, 750),
            (Weekday::Thu, 810, 1050),
            (Weekday::Fri, 510, 750),
            (Weekday::Fri, 810, 1050),
        ],
        holidays: &[
            (2026, 12, 25, "Christmas Day"),
            (2026, 12, 28, "Boxing Day (substitute)"),
            (2027, 1, 1, "New Year's Day"),
            (2027, 3, 26, "Good Friday"),
            (2027, 3, 29, "Easter Monday"),
        ],
    },
    DemoCalendar {
        name: "Around the clock",
        zone: chrono_tz::America::Chicago,
        hours: &[
            (Weekday::Mon, 0, 1440),
            (Weekday::Tue, 0, 1440),
            (Weekday::Wed, 0, 1440),
            (Weekday::Thu, 0, 1440),
            (Weekday::Fri, 0, 1440),
            (Weekday::Sat, 0, 1440),
            (Weekday::Sun, 0, 1440),
        ],
        holidays: &[],
    },
];

/// Creates the demo calendars and the premium policy once; returns their ids by position.
fn seed_service_levels(
    conn: &mut DbConn,
    seeder: UserId,
    now: DateTime<Utc>,
) -> anyhow::Result<(Vec<CalendarId>, PolicyId)> {
    let existing = db::service_levels::list_calendars(conn).map_err(err)?;
    let mut ids = Vec::new();
    for demo in DEMO_CALENDARS {
        if let Some(found) = existing.iter().find(|c| c.record.row.name == demo.name) {
            ids.push(CalendarId(found.record.row.id));
            continue;
        }
        let input = CalendarInput {
            name: demo.name.into(),
            zone: demo.zone,
            intervals: demo
                .hours
                .iter()
                .map(|(weekday, start, end)| OpeningInterval {
                    weekday: *weekday,
                    start_minute: *start,
                    end_minute: *end,
                })
                .collect(),
        };
        let row = db::service_levels::create_calendar(conn, seeder, &input, now)
            .map_err(err)?
            .map_err(|e| anyhow::anyhow!("demo calendar {}: {e:?}", demo.name))?;
        for (y, m, d, name) in demo.holidays {
            let date = NaiveDate::from_ymd_opt(*y, *m, *d)
                .ok_or_else(|| anyhow::anyhow!("bad demo holiday {y}-{m}-{d}"))?;
            db::service_levels::add_holiday(conn, seeder, CalendarId(row.id), date, name, now)
                .map_err(err)?
                .map_err(|e| anyhow::anyhow!("demo holiday {date}: {e:?}"))?;
        }
        ids.push(CalendarId(row.id));
    }
    let policies = db::service_levels::list_policies(conn).map_err(err)?;
    let premium = match policies
        .iter()
        .find(|p| p.record.row.name == PREMIUM_POLICY)
    {
        Some(found) => PolicyId(found.record.row.id),
        None => {
            let targets = SlaTargets::blueprint_default()
                .with(
                    Priority::P1,
                    Target {
                        response: Duration::minutes(15),
                        resolution: Duration::hours(1),
                        mode: ClockMode::Always,
                    },
                )
                .with(
                    Priority::P2,
                    Target {
                        response: Duration::minutes(15),
                        resolution: Duration::hours(2),
                        mode: ClockMode::Always,
                    },
                )
                .with(
                    Priority::P3,
                    Target {
                        response: Duration::minutes(30),
                        resolution: Duration::hours(4),
                        mode: ClockMode::BusinessHours,
                    },
                );
            let input = PolicyInput {
                name: PREMIUM_POLICY.into(),
                due_soon_percent: 25,
                targets,
                request_targets: crate::domain::request::default_targets(),
            };
            let row = db::service_levels::create_policy(conn, seeder, &input, now)
                .map_err(err)?
                .map_err(|e| anyhow::anyhow!("demo policy: {e:?}"))?;
            PolicyId(row.id)
        }
    };
    Ok((ids, premium))
}

const PREMIUM_POLICY: &str = "Premium 24/7";

pub struct SeedReport {
    pub accounts_created: usize,
    pub clients_created: usize,
    pub tickets_created: usize,
}

fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// The accounts that are neither demo staff, the first admin nor the monitoring system account
/// (which never signs in): a desk in real use. The demo
/// accounts share a password printed in the README, so seeding such a desk would open it to
/// anyone; `seed-demo` refuses unless forced.
pub fn accounts_of_a_real_desk(
    conn: &mut DbConn,
    first_admin: &str,
) -> anyhow::Result<Vec<String>> {
    Ok(db::users::list(conn)
        .map_err(err)?
        .into_iter()
        .map(|u| u.email)
        .filter(|email| {
            email != first_admin
                && email != db::alerts::SYSTEM_EMAIL
                && !DEMO_ACCOUNTS.iter().any(|demo| demo.email == email)
        })
        .collect())
}

/// Demo tickets mail their contacts like real ones do (acknowledgements, replies, surveys), so
/// the outbox of a demo desk shows the mail at work.
pub fn seed_demo(
    conn: &mut DbConn,
    mail: &crate::mail::messages::MailContext,
    now: DateTime<Utc>,
) -> anyhow::Result<SeedReport> {
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
    let (standard_calendar, standard_policy) = db::service_levels::defaults(conn).map_err(err)?;
    let (calendars, premium) = seed_service_levels(conn, seeder, now)?;
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
                // The demo clients' staff write from their contacts' domain.
                mail_domains: demo
                    .contacts
                    .first()
                    .and_then(|contact| crate::domain::inbound_mail::domain_of(contact.1))
                    .unwrap_or_default(),
                calendar: demo
                    .calendar
                    .and_then(|i| calendars.get(i).copied())
                    .unwrap_or(standard_calendar),
                policy: if demo.premium {
                    premium
                } else {
                    standard_policy
                },
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
                    risk_contact: false,
                },
                now,
            )
            .map_err(err)?
            .map_err(|e| anyhow::anyhow!("demo contact {email}: {e:?}"))?;
        }
        clients_created += 1;
    }
    people::seed_people(conn, now)?;
    uptime::seed_uptime(conn, seeder, now)?;
    let tickets_created = tickets::seed_demo_tickets(conn, mail, now)?
        + changes::seed_changes(conn, mail, now)?
        + requests::seed_demo_requests(conn, mail, now)?
        + escalations::seed_escalations(conn, mail, now)?;
    problems::seed_problems(conn, mail, now)?;
    known_errors::seed_known_errors(conn, now)?;
    let tickets_created = tickets_created + risks::seed_risks(conn, mail, now)?;
    history::seed_history(conn, now)?;
    mail::seed_mail(conn, mail, now)?;
    alerts::seed_alerts(conn, seeder, mail, now)?;
    db::reports::business_minutes::backfill_all(conn).map_err(err)?;
    Ok(SeedReport {
        accounts_created,
        clients_created,
        tickets_created,
    })
}
