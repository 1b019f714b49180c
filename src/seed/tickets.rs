//! Demo tickets in every state with realistic timelines, and a bulk generator for benchmarks.

use crate::mail::messages::MailContext;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{categories, clients, contacts, tickets, users};
use crate::db::tickets::TicketEdit;
use crate::db::tickets::{
    self as t, AssignInput, IntakeInput, Requester, SolveInput, TicketRow, TriageInput, WorkInput,
};
use crate::domain::account::Tier;
use crate::domain::ids::{CategoryId, ClientId, ContactId, TicketId, UserId};
use crate::domain::priority::{Impact, Urgency};
use crate::domain::ticket::{Action, Channel, IdentityCheck, Kind, PendingReason};
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
            identity_detail: String::new(),
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
