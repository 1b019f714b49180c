//! Demo tickets in every state with realistic timelines, and a bulk generator for benchmarks.

use crate::mail::messages::MailContext;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::{categories, clients, contacts, tickets, users};
use crate::db::tickets::TicketEdit;
use crate::db::tickets::{
    self as t, AssignInput, IntakeInput, Requester, SolveInput, TicketRow, TriageInput, WorkInput,
};
use crate::db::{self, DbConn};
use crate::domain::account::Tier;
use crate::domain::ids::{CategoryId, ClientId, ContactId, TicketId, UserId};
use crate::domain::priority::{Impact, Urgency};
use crate::domain::ticket::{Action, Channel, IdentityCheck, Kind, PendingReason, Status};
use crate::domain::work::{Review, WorkEntry};

fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// One step in a demo ticket's life, `minutes` before now.
enum Step {
    Triage {
        minutes: i64,
        impact: Impact,
        urgency: Urgency,
        category: &'static str,
    },
    Assign {
        minutes: i64,
        tier: Tier,
        owner: &'static str,
        worker: &'static str,
    },
    Work {
        minutes: i64,
        entry: WorkEntry,
        body: &'static str,
        action: Option<Action>,
    },
    Solve {
        minutes: i64,
        solution: &'static str,
    },
    Reopen {
        minutes: i64,
        reason: &'static str,
    },
    Close {
        minutes: i64,
    },
    Duplicate {
        minutes: i64,
        of_subject: &'static str,
    },
}

struct DemoTicket {
    client: &'static str,
    contact: &'static str,
    kind: Kind,
    subject: &'static str,
    description: &'static str,
    channel: Channel,
    identity: IdentityCheck,
    minutes_ago: i64,
    impact: Impact,
    urgency: Urgency,
    steps: &'static [Step],
}

const TARA: &str = "tara.quinn@msp.example";
const BEN: &str = "ben.okafor@msp.example";
const PRIYA: &str = "priya.nair@msp.example";
const SAM: &str = "sam.lindqvist@msp.example";
const MORGAN: &str = "morgan.reyes@msp.example";

const DEMO_TICKETS: &[DemoTicket] = &[
    DemoTicket {
        client: "HARBOR",
        contact: "grace.oneill@harbor-logistics.example",
        kind: Kind::Incident,
        subject: "Warehouse scanners cannot reach the WMS",
        description: "All handheld scanners in bay 3 show 'server unreachable' since the start of the shift. Picking has stopped.",
        channel: Channel::Phone,
        identity: IdentityCheck::Pin,
        minutes_ago: 50,
        impact: Impact::High,
        urgency: Urgency::High,
        steps: &[
            Step::Triage {
                minutes: 48,
                impact: Impact::High,
                urgency: Urgency::High,
                category: "Network",
            },
            Step::Assign {
                minutes: 46,
                tier: Tier::Tier2,
                owner: PRIYA,
                worker: PRIYA,
            },
            Step::Work {
                minutes: 40,
                entry: WorkEntry::Call,
                body: "Called Grace: bay 3 access points are dark; checking the switch remotely.",
                action: Some(Action::StartWork),
            },
            Step::Work {
                minutes: 15,
                entry: WorkEntry::Note,
                body: "Switch port 14 flapping; PoE budget exceeded after the new camera install.",
                action: None,
            },
        ],
    },
    DemoTicket {
        client: "NWD",
        contact: "alice.chen@northwind-dental.example",
        kind: Kind::Incident,
        subject: "Front desk printer jams on every page",
        description: "The reception printer jams on every page since this morning; patients' forms cannot be printed.",
        channel: Channel::Email,
        identity: IdentityCheck::KnownEmail,
        minutes_ago: 20,
        impact: Impact::Low,
        urgency: Urgency::Medium,
        steps: &[],
    },
    DemoTicket {
        client: "BRIGHT",
        contact: "omar.haddad@brightline.example",
        kind: Kind::Incident,
        subject: "Outlook keeps asking for a password",
        description: "Outlook prompts for the password every few minutes on Omar's laptop.",
        channel: Channel::Phone,
        identity: IdentityCheck::CallBack,
        minutes_ago: 150,
        impact: Impact::Low,
        urgency: Urgency::Medium,
        steps: &[
            Step::Triage {
                minutes: 140,
                impact: Impact::Low,
                urgency: Urgency::Medium,
                category: "E-mail",
            },
            Step::Assign {
                minutes: 135,
                tier: Tier::Tier1,
                owner: TARA,
                worker: TARA,
            },
            Step::Work {
                minutes: 120,
                entry: WorkEntry::Reply,
                body: "We are looking at it. Could you tell us whether webmail works for you?",
                action: Some(Action::StartWork),
            },
        ],
    },
    DemoTicket {
        client: "NWD",
        contact: "raj.patel@northwind-dental.example",
        kind: Kind::Incident,
        subject: "Imaging server very slow to open X-rays",
        description: "Opening an X-ray takes over a minute in both surgeries.",
        channel: Channel::Phone,
        identity: IdentityCheck::CallBack,
        minutes_ago: 26 * 60,
        impact: Impact::Medium,
        urgency: Urgency::Medium,
        steps: &[
            Step::Triage {
                minutes: 25 * 60,
                impact: Impact::Medium,
                urgency: Urgency::Medium,
                category: "Hardware",
            },
            Step::Assign {
                minutes: 25 * 60,
                tier: Tier::Tier3,
                owner: SAM,
                worker: SAM,
            },
            Step::Work {
                minutes: 24 * 60,
                entry: WorkEntry::Call,
                body: "Disk 2 of the RAID is degraded; rebuild is slowing the array.",
                action: Some(Action::StartWork),
            },
            Step::Work {
                minutes: 23 * 60,
                entry: WorkEntry::Note,
                body: "Dell case 4471-889 opened for a replacement disk.",
                action: Some(Action::Pend(PendingReason::Vendor)),
            },
        ],
    },
    DemoTicket {
        client: "HARBOR",
        contact: "tom.becker@harbor-logistics.example",
        kind: Kind::ServiceRequest,
        subject: "Account for the new night-shift lead",
        description: "New starter on Monday: needs an e-mail account, WMS access and a handset.",
        channel: Channel::Email,
        identity: IdentityCheck::KnownEmail,
        minutes_ago: 5 * 60,
        impact: Impact::Low,
        urgency: Urgency::Low,
        steps: &[
            Step::Triage {
                minutes: 4 * 60,
                impact: Impact::Low,
                urgency: Urgency::Low,
                category: "Accounts and access",
            },
            Step::Assign {
                minutes: 4 * 60,
                tier: Tier::Tier1,
                owner: BEN,
                worker: BEN,
            },
        ],
    },
    DemoTicket {
        client: "BRIGHT",
        contact: "omar.haddad@brightline.example",
        kind: Kind::Incident,
        subject: "VPN disconnects every hour",
        description: "Working from home, the VPN drops roughly every hour and has to be reconnected.",
        channel: Channel::Portal,
        identity: IdentityCheck::KnownEmail,
        minutes_ago: 30 * 60,
        impact: Impact::Low,
        urgency: Urgency::Medium,
        steps: &[
            Step::Triage {
                minutes: 29 * 60,
                impact: Impact::Low,
                urgency: Urgency::Medium,
                category: "Network",
            },
            Step::Assign {
                minutes: 29 * 60,
                tier: Tier::Tier2,
                owner: PRIYA,
                worker: PRIYA,
            },
            Step::Work {
                minutes: 28 * 60,
                entry: WorkEntry::Reply,
                body: "Could you send us the time of the next drop and a screenshot of the VPN client log?",
                action: Some(Action::StartWork),
            },
            Step::Work {
                minutes: 28 * 60 - 5,
                entry: WorkEntry::Note,
                body: "Waiting for Omar's log.",
                action: Some(Action::Pend(PendingReason::ClientInput)),
            },
        ],
    },
    DemoTicket {
        client: "NWD",
        contact: "alice.chen@northwind-dental.example",
        kind: Kind::Incident,
        subject: "Surgery 2 handset has no dial tone",
        description: "The phone in surgery 2 shows 'No service'.",
        channel: Channel::Phone,
        identity: IdentityCheck::CallBack,
        minutes_ago: 6 * 60,
        impact: Impact::Low,
        urgency: Urgency::High,
        steps: &[
            Step::Triage {
                minutes: 6 * 60 - 5,
                impact: Impact::Low,
                urgency: Urgency::High,
                category: "Phone system",
            },
            Step::Assign {
                minutes: 6 * 60 - 5,
                tier: Tier::Tier1,
                owner: BEN,
                worker: BEN,
            },
            Step::Work {
                minutes: 5 * 60,
                entry: WorkEntry::Call,
                body: "Walked Alice through re-seating the handset cable.",
                action: Some(Action::StartWork),
            },
            Step::Solve {
                minutes: 3 * 60,
                solution: "The handset's network cable had come loose; re-seated it and placed a test call.",
            },
        ],
    },
    DemoTicket {
        client: "HARBOR",
        contact: "lena.novak@harbor-logistics.example",
        kind: Kind::Incident,
        subject: "Label printer in dispatch offline",
        description: "The dispatch label printer shows offline on every PC.",
        channel: Channel::Email,
        identity: IdentityCheck::KnownEmail,
        minutes_ago: 4 * 24 * 60,
        impact: Impact::Medium,
        urgency: Urgency::High,
        steps: &[
            Step::Triage {
                minutes: 4 * 24 * 60 - 10,
                impact: Impact::Medium,
                urgency: Urgency::High,
                category: "Printing",
            },
            Step::Assign {
                minutes: 4 * 24 * 60 - 10,
                tier: Tier::Tier1,
                owner: TARA,
                worker: TARA,
            },
            Step::Work {
                minutes: 4 * 24 * 60 - 30,
                entry: WorkEntry::Reply,
                body: "We are connecting to the print server now.",
                action: Some(Action::StartWork),
            },
            Step::Solve {
                minutes: 4 * 24 * 60 - 90,
                solution: "The print spooler had stopped on the print server; restarted it and set it to restart on failure.",
            },
            Step::Close {
                minutes: 3 * 24 * 60 - 90,
            },
        ],
    },
    DemoTicket {
        client: "BRIGHT",
        contact: "omar.haddad@brightline.example",
        kind: Kind::Incident,
        subject: "Laptop fan loud and hot",
        description: "Omar's laptop fan runs at full speed and the case is hot.",
        channel: Channel::Phone,
        identity: IdentityCheck::CallBack,
        minutes_ago: 2 * 24 * 60,
        impact: Impact::Low,
        urgency: Urgency::Low,
        steps: &[
            Step::Triage {
                minutes: 2 * 24 * 60 - 10,
                impact: Impact::Low,
                urgency: Urgency::Low,
                category: "Hardware",
            },
            Step::Assign {
                minutes: 2 * 24 * 60 - 10,
                tier: Tier::Tier1,
                owner: TARA,
                worker: TARA,
            },
            Step::Work {
                minutes: 2 * 24 * 60 - 60,
                entry: WorkEntry::Call,
                body: "A browser extension was pinning the CPU; removed it.",
                action: Some(Action::StartWork),
            },
            Step::Solve {
                minutes: 2 * 24 * 60 - 70,
                solution: "Removed a runaway browser extension; CPU back to idle and the fan quiet.",
            },
            Step::Reopen {
                minutes: 20 * 60,
                reason: "Omar says the fan is loud again after the reboot.",
            },
            Step::Work {
                minutes: 19 * 60,
                entry: WorkEntry::Note,
                body: "Booking a visit to clean the vents.",
                action: Some(Action::StartWork),
            },
        ],
    },
    DemoTicket {
        client: "NWD",
        contact: "raj.patel@northwind-dental.example",
        kind: Kind::Incident,
        subject: "Printer at reception jamming again",
        description: "Same printer as Alice reported, jamming.",
        channel: Channel::Phone,
        identity: IdentityCheck::CallBack,
        minutes_ago: 10,
        impact: Impact::Low,
        urgency: Urgency::Medium,
        steps: &[Step::Duplicate {
            minutes: 5,
            of_subject: "Front desk printer jams on every page",
        }],
    },
    DemoTicket {
        client: "HARBOR",
        contact: "grace.oneill@harbor-logistics.example",
        kind: Kind::Incident,
        subject: "E-mail down for the whole warehouse",
        description: "Nobody in the warehouse can send or receive e-mail.",
        channel: Channel::Phone,
        identity: IdentityCheck::Pin,
        minutes_ago: 5 * 60,
        impact: Impact::High,
        urgency: Urgency::High,
        steps: &[
            Step::Triage {
                minutes: 5 * 60 - 5,
                impact: Impact::High,
                urgency: Urgency::High,
                category: "E-mail",
            },
            Step::Assign {
                minutes: 5 * 60 - 5,
                tier: Tier::Tier2,
                owner: MORGAN,
                worker: SAM,
            },
            Step::Work {
                minutes: 4 * 60,
                entry: WorkEntry::Call,
                body: "Mail flow blocked at the spam filter; vendor engaged.",
                action: Some(Action::StartWork),
            },
        ],
    },
];

fn user(conn: &mut DbConn, email: &str) -> anyhow::Result<UserId> {
    let id: i64 = users::table
        .filter(users::email.eq(email))
        .select(users::id)
        .first(conn)?;
    Ok(UserId(id))
}

fn category(conn: &mut DbConn, name: &str) -> anyhow::Result<CategoryId> {
    let id: i64 = categories::table
        .filter(categories::name.eq(name))
        .filter(categories::parent_id.is_null())
        .select(categories::id)
        .first(conn)?;
    Ok(CategoryId(id))
}

/// Adds the demo tickets once; a desk that already has tickets keeps them as they are.
pub fn seed_demo_tickets(
    conn: &mut DbConn,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let existing: i64 = tickets::table.count().get_result(conn)?;
    if existing > 0 {
        return Ok(0);
    }
    let recorder = user(conn, TARA)?;
    let mut created: Vec<(&'static str, TicketId)> = Vec::new();
    for demo in DEMO_TICKETS {
        let (client, contact): (i64, i64) = contacts::table
            .inner_join(clients::table)
            .filter(clients::code.eq(demo.client))
            .filter(contacts::email.eq(demo.contact))
            .select((clients::id, contacts::id))
            .first(conn)?;
        let at = |minutes: i64| now - Duration::minutes(minutes);
        let input = IntakeInput {
            kind: demo.kind,
            client: ClientId(client),
            requester: Requester::Existing(ContactId(contact)),
            subject: demo.subject.into(),
            description: demo.description.into(),
            channel: demo.channel,
            identity: demo.identity,
            impact: demo.impact,
            urgency: demo.urgency,
        };
        let mut row: TicketRow = t::create(conn, recorder, &input, mail, at(demo.minutes_ago))
            .map_err(err)?
            .map_err(|e| anyhow::anyhow!("demo ticket {}: {e:?}", demo.subject))?;
        for step in demo.steps {
            let (ticket, version) = (row.id, row.version);
            let edit = |actor: UserId, minutes: i64| TicketEdit {
                actor,
                ticket,
                version,
                now: at(minutes),
            };
            let outcome = match step {
                Step::Triage {
                    minutes,
                    impact,
                    urgency,
                    category: name,
                } => {
                    let input = TriageInput {
                        impact: *impact,
                        urgency: *urgency,
                        category: Some(category(conn, name)?),
                        subcategory: None,
                        affected_service: String::new(),
                    };
                    t::triage(conn, edit(recorder, *minutes), &input, mail)
                }
                Step::Assign {
                    minutes,
                    tier,
                    owner,
                    worker,
                } => {
                    let input = AssignInput {
                        tier: *tier,
                        owner: Some(user(conn, owner)?),
                        worker: Some(user(conn, worker)?),
                    };
                    let manager = user(conn, MORGAN)?;
                    t::assign(conn, edit(manager, *minutes), &input)
                }
                Step::Work {
                    minutes,
                    entry,
                    body,
                    action,
                } => {
                    let worker = row.worker_id.map(UserId).unwrap_or(recorder);
                    let input = WorkInput {
                        entry: *entry,
                        body: (*body).into(),
                        action: *action,
                        category: None,
                        // The seeded steps keep the category, so only a status move changes.
                        review: if action.is_some() {
                            Review::Changed
                        } else {
                            Review::Unchanged
                        },
                    };
                    t::work(conn, edit(worker, *minutes), &input, mail)
                }
                Step::Solve { minutes, solution } => {
                    let owner = row.owner_id.map(UserId).unwrap_or(recorder);
                    let input = SolveInput {
                        solution: (*solution).into(),
                        publish_to_kb: false,
                        kb_title: String::new(),
                        fix: "permanent".into(),
                        known_error: String::new(),
                    };
                    t::solve(conn, edit(owner, *minutes), &input, mail)
                }
                Step::Reopen { minutes, reason } => {
                    t::reopen(conn, edit(recorder, *minutes), reason)
                }
                Step::Close { minutes } => {
                    let closed = t::close_solved(conn, Duration::zero(), 1000, mail, at(*minutes))
                        .map_err(err)?;
                    match closed.into_iter().find(|c| c.id == row.id) {
                        Some(closed) => Ok(Ok(closed)),
                        None => {
                            return Err(anyhow::anyhow!(
                                "demo ticket {} did not close",
                                demo.subject
                            ));
                        }
                    }
                }
                Step::Duplicate {
                    minutes,
                    of_subject,
                } => {
                    let original = created
                        .iter()
                        .find(|(s, _)| s == of_subject)
                        .map(|(_, id)| *id)
                        .ok_or_else(|| anyhow::anyhow!("no demo ticket {of_subject}"))?;
                    t::cancel(
                        conn,
                        edit(recorder, *minutes),
                        Some(original),
                        "Same printer, same fault.",
                    )
                }
            };
            row = outcome
                .map_err(err)?
                .map_err(|e| anyhow::anyhow!("demo ticket {}: {e:?}", demo.subject))?;
        }
        created.push((demo.subject, row.id));
    }
    Ok(created.len())
}

/// `treat_none_as_default_value = false` writes NULL rather than DEFAULT, which lets SQLite
/// take many rows in one INSERT.
#[derive(Insertable)]
#[diesel(table_name = tickets, treat_none_as_default_value = false)]
struct BulkTicket {
    kind: &'static str,
    client_id: i64,
    contact_id: i64,
    subject: String,
    description: &'static str,
    channel: &'static str,
    identity_check: &'static str,
    status: &'static str,
    impact: &'static str,
    urgency: &'static str,
    priority: &'static str,
    category_id: Option<i64>,
    affected_service: &'static str,
    triaged_at: Option<NaiveDateTime>,
    tier: Option<&'static str>,
    owner_id: Option<i64>,
    worker_id: Option<i64>,
    response_due_at: Option<NaiveDateTime>,
    responded_at: Option<NaiveDateTime>,
    resolution_due_at: Option<NaiveDateTime>,
    solved_at: Option<NaiveDateTime>,
    solution: Option<&'static str>,
    closed_at: Option<NaiveDateTime>,
    reopen_count: i32,
    search_text: String,
    created_by: Option<i64>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i64,
    /// A request past the approval step counts as approved (by nobody on record).
    request_approved_at: Option<NaiveDateTime>,
}

const SUBJECTS: [&str; 8] = [
    "Workstation slow to start",
    "Printer not printing",
    "Cannot open shared drive",
    "Password reset needed",
    "Outlook not syncing",
    "Wi-Fi drops in meeting room",
    "Install accounting update",
    "Phone handset no dial tone",
];

/// Rows per INSERT: well under SQLite's and PostgreSQL's limits on bound parameters.
const BULK_BATCH: usize = 500;

/// Loads `count` historical tickets for benchmarks, spread over the last two years: most
/// closed, a few percent open in every state, so queue pages look like a busy desk's.
pub fn bulk_tickets(conn: &mut DbConn, count: u64, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let pairs: Vec<(i64, i64)> = contacts::table
        .filter(contacts::active.eq(true))
        .select((contacts::client_id, contacts::id))
        .load(conn)?;
    let staff: Vec<(i64, Option<String>)> = users::table
        .filter(users::active.eq(true))
        .filter(users::tier.is_not_null())
        .select((users::id, users::tier))
        .load(conn)?;
    let category_ids: Vec<i64> = categories::table
        .filter(categories::parent_id.is_null())
        .select(categories::id)
        .load(conn)?;
    if pairs.is_empty() || staff.is_empty() {
        return Err(anyhow::anyhow!(
            "run seed-demo first: bulk tickets need clients, contacts and technicians"
        ));
    }
    const OPEN_STATES: [Status; 7] = [
        Status::New,
        Status::Triaged,
        Status::Assigned,
        Status::InProgress,
        Status::PendingClient,
        Status::PendingVendor,
        Status::Solved,
    ];
    if let DbConn::Sqlite(lite) = conn {
        // A large page cache keeps the thirteen indexes' pages in memory while rows arrive in
        // random time order; this connection is the seeding command's own.
        diesel::connection::SimpleConnection::batch_execute(lite, "PRAGMA cache_size = -262144;")?;
    }
    let span_minutes = 2 * 365 * 24 * 60;
    let mut written = 0u64;
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        // xorshift: deterministic and fast; these tickets need variety, not secrecy.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    while written < count {
        let batch = (count - written).min(BULK_BATCH as u64);
        let rows: Vec<BulkTicket> = (0..batch)
            .map(|i| {
                let n = written + i;
                let r = next();
                let open = n.is_multiple_of(20);
                let (client_id, contact_id) = pairs[(r % pairs.len() as u64) as usize];
                let (tech, tier) = &staff[((r >> 8) % staff.len() as u64) as usize];
                let tier = tier
                    .as_deref()
                    .and_then(|t| Tier::parse(t).ok())
                    .map(Tier::as_str);
                let priority = ["P1", "P2", "P3", "P3", "P3"][((r >> 16) % 5) as usize];
                // One in twenty is open, and recent, as on a real desk.
                let age = if open {
                    (r >> 20) % (3 * 24 * 60)
                } else {
                    (r >> 20) % span_minutes
                };
                let created = (now - Duration::minutes(age as i64)).naive_utc();
                let status = if open {
                    OPEN_STATES[((r >> 40) % 7) as usize]
                } else {
                    Status::Closed
                };
                let hours = |h: i64| created + Duration::hours(h);
                let triaged = status != Status::New;
                let solved = matches!(status, Status::Solved | Status::Closed);
                let subject = format!("{} #{n}", SUBJECTS[((r >> 24) % 8) as usize]);
                BulkTicket {
                    kind: if r % 11 == 0 {
                        Kind::ServiceRequest.as_str()
                    } else {
                        Kind::Incident.as_str()
                    },
                    client_id,
                    contact_id,
                    search_text: subject.to_lowercase(),
                    subject,
                    description: "Generated for load testing.",
                    channel: Channel::ALL[((r >> 28) % 5) as usize].as_str(),
                    identity_check: IdentityCheck::KnownEmail.as_str(),
                    status: status.as_str(),
                    impact: "medium",
                    urgency: "medium",
                    priority,
                    category_id: triaged
                        .then(|| category_ids[((r >> 32) % category_ids.len() as u64) as usize]),
                    affected_service: "",
                    triaged_at: triaged.then(|| created + Duration::minutes(5)),
                    tier: if triaged { tier } else { None },
                    owner_id: triaged.then_some(*tech),
                    worker_id: triaged.then_some(*tech),
                    response_due_at: Some(created + Duration::minutes(30)),
                    responded_at: triaged.then(|| created + Duration::minutes(12)),
                    resolution_due_at: (!status.is_pending()).then(|| hours(8)),
                    solved_at: solved.then(|| hours(3)),
                    solution: solved.then_some("Resolved; see the ticket notes."),
                    closed_at: (status == Status::Closed).then(|| hours(27)),
                    reopen_count: 0,
                    created_by: None,
                    created_at: created,
                    updated_at: created,
                    version: 1,
                    request_approved_at: (r % 11 == 0
                        && !matches!(status, Status::New | Status::Triaged | Status::Assigned))
                    .then(|| created + Duration::minutes(10)),
                }
            })
            .collect();
        // Multi-row INSERTs are backend-specific SQL, so each backend runs its own.
        db::write_tx(conn, |conn| {
            match conn {
                DbConn::Postgres(pg) => diesel::insert_into(tickets::table)
                    .values(&rows)
                    .execute(pg)?,
                DbConn::Sqlite(lite) => diesel::insert_into(tickets::table)
                    .values(&rows)
                    .execute(lite)?,
            };
            Ok(())
        })
        .map_err(err)?;
        written += batch;
    }
    db::refresh_statistics(conn).map_err(err)?;
    Ok(written)
}
