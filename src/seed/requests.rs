//! The demo desk's service requests in each state of request fulfilment: besides the night-shift
//! account the demo tickets leave "Requested", one request a manager approved that waits for
//! work ("Approved"), and one worked and "Fulfilled", its client told so.

use anyhow::anyhow;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::db::schema::{categories, clients, contacts, tickets, users};
use crate::db::tickets::{
    self as t, ApproveInput, AssignInput, IntakeInput, Requester, SolveInput, TicketEdit,
    TicketRow, TriageInput, WorkInput,
};
use crate::db::{DbConn, outcome::Outcome};
use crate::domain::account::Tier;
use crate::domain::ids::{CategoryId, ClientId, ContactId, UserId};
use crate::domain::priority::{Impact, Urgency};
use crate::domain::ticket::{Action, Channel, IdentityCheck, Kind};
use crate::domain::work::{Review, WorkEntry};
use crate::mail::messages::MailContext;

const TARA: &str = "tara.quinn@msp.example";
const MORGAN: &str = "morgan.reyes@msp.example";

/// How far one demo request goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Goal {
    Approved,
    Fulfilled,
}

struct DemoRequest {
    client: &'static str,
    contact: &'static str,
    subject: &'static str,
    description: &'static str,
    hours_ago: i64,
    goal: Goal,
}

const DEMO_REQUESTS: [DemoRequest; 2] = [
    DemoRequest {
        client: "NWD",
        contact: "alice.chen@northwind-dental.example",
        subject: "Laptop and mailbox for a new hygienist",
        description: "Our new hygienist starts next Monday: she needs a laptop, a mailbox and \
                      access to the patient scheduling system.",
        hours_ago: 26,
        goal: Goal::Approved,
    },
    DemoRequest {
        client: "NWD",
        contact: "alice.chen@northwind-dental.example",
        subject: "Shared calendar for the front desk",
        description: "Please set up a shared calendar both receptionists can edit.",
        hours_ago: 50,
        goal: Goal::Fulfilled,
    },
];

fn id_of(
    conn: &mut DbConn,
    query: impl FnOnce(&mut DbConn) -> QueryResult<i64>,
) -> anyhow::Result<i64> {
    Ok(query(conn)?)
}

fn saved(outcome: Outcome<TicketRow>, what: &str) -> anyhow::Result<TicketRow> {
    outcome
        .map_err(|e| anyhow!("{e}"))?
        .map_err(|e| anyhow!("demo request, {what}: {e:?}"))
}

/// Adds the demo requests that are not there yet; returns how many it added.
pub fn seed_demo_requests(
    conn: &mut DbConn,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let user = |conn: &mut DbConn, email: &'static str| -> anyhow::Result<UserId> {
        id_of(conn, |c| {
            users::table
                .filter(users::email.eq(email))
                .select(users::id)
                .first(c)
        })
        .map(UserId)
    };
    let (tech, manager) = (user(conn, TARA)?, user(conn, MORGAN)?);
    let category = CategoryId(id_of(conn, |c| {
        categories::table
            .filter(categories::name.eq("Accounts and access"))
            .filter(categories::parent_id.is_null())
            .select(categories::id)
            .first(c)
    })?);
    let mut created = 0;
    for demo in &DEMO_REQUESTS {
        let exists: i64 = tickets::table
            .filter(tickets::subject.eq(demo.subject))
            .count()
            .get_result(conn)?;
        if exists > 0 {
            continue;
        }
        let (client, contact): (i64, i64) = contacts::table
            .inner_join(clients::table)
            .filter(clients::code.eq(demo.client))
            .filter(contacts::email.eq(demo.contact))
            .select((clients::id, contacts::id))
            .first(conn)?;
        let at = |hours: i64| now - Duration::hours(hours);
        let mut row = saved(
            t::create(
                conn,
                tech,
                &IntakeInput {
                    kind: Kind::ServiceRequest,
                    client: ClientId(client),
                    requester: Requester::Existing(ContactId(contact)),
                    subject: demo.subject.into(),
                    description: demo.description.into(),
                    channel: Channel::Email,
                    identity: IdentityCheck::KnownEmail,
                    identity_detail: String::new(),
                    impact: Impact::Low,
                    urgency: Urgency::Medium,
                },
                mail,
                at(demo.hours_ago),
            ),
            "intake",
        )?;
        let edit = |row: &TicketRow, actor: UserId, hours: i64| TicketEdit {
            actor,
            ticket: row.id,
            version: row.version,
            now: at(hours),
        };
        let triage = TriageInput {
            impact: Impact::Low,
            urgency: Urgency::Medium,
            category: Some(category),
            subcategory: None,
            affected_service: String::new(),
        };
        row = saved(
            t::triage(conn, edit(&row, tech, demo.hours_ago - 1), &triage, mail),
            "triage",
        )?;
        let assign = AssignInput {
            tier: Tier::Tier1,
            owner: Some(tech),
            worker: Some(tech),
        };
        row = saved(
            t::assign(conn, edit(&row, tech, demo.hours_ago - 1), &assign),
            "assignment",
        )?;
        let approve = ApproveInput {
            note: "Agreed with the practice manager; within the monthly onboarding budget.".into(),
        };
        row = saved(
            t::approve(conn, edit(&row, manager, demo.hours_ago - 2), &approve),
            "approval",
        )?;
        if demo.goal == Goal::Fulfilled {
            let work = WorkInput {
                entry: WorkEntry::Note,
                body: "Created the calendar and shared it with both receptionists.".into(),
                action: Some(Action::StartWork),
                category: None,
                review: Review::Changed,
            };
            row = saved(
                t::work(conn, edit(&row, tech, demo.hours_ago - 4), &work, mail),
                "work",
            )?;
            let solve = SolveInput {
                solution: "The shared calendar \"Front desk\" is set up; both receptionists \
                           can add and move appointments."
                    .into(),
                publish_to_kb: false,
                kb_title: String::new(),
                fix: String::new(),
                known_error: String::new(),
            };
            saved(
                t::solve(conn, edit(&row, tech, demo.hours_ago - 5), &solve, mail),
                "fulfilment",
            )?;
        }
        created += 1;
    }
    Ok(created)
}
