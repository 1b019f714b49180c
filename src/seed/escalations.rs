//! Demo escalations: a ticket that climbed tier 1 → tier 2 → tier 3 by time alone, written by
//! the time trigger itself, and suggested escalations from a client's unhappy survey answer.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::escalation::time_trigger::escalate_ticket_if_overdue;
use crate::db::schema::{categories, clients, contacts, surveys, tickets, users};
use crate::db::service_levels::load_matrix;
use crate::db::sla_clock::service_level;
use crate::db::surveys::{Answer, answer};
use crate::db::tickets::{self as t, AssignInput, IntakeInput, Requester, TicketEdit, TriageInput};
use crate::domain::account::Tier;
use crate::domain::ids::{CategoryId, ClientId, ContactId, TicketId, UserId};
use crate::domain::priority::{Impact, Urgency};
use crate::domain::ticket::{Channel, IdentityCheck, Kind};
use crate::mail::messages::MailContext;

const CLIMBED: &str = "Warehouse Wi-Fi controller keeps rebooting";
const CLIENT: &str = "HARBOR";
const CONTACT: &str = "tom.becker@harbor-logistics.example";
/// The closed demo ticket whose survey the client answers unhappily.
const SURVEYED: &str = "Label printer in dispatch offline";

fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

fn user(conn: &mut DbConn, email: &str) -> anyhow::Result<UserId> {
    let id: i64 = users::table
        .filter(users::email.eq(email))
        .select(users::id)
        .first(conn)?;
    Ok(UserId(id))
}

/// Adds the climbed ticket and the survey's suggestions once; returns how many tickets it
/// recorded (0 when they are there already).
pub fn seed_escalations(
    conn: &mut DbConn,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let seeded: i64 = tickets::table
        .filter(tickets::subject.eq(CLIMBED))
        .count()
        .get_result(conn)?;
    if seeded > 0 {
        return Ok(0);
    }
    climb_by_time(conn, mail, now)?;
    answer_unhappily(conn, mail, now)?;
    Ok(1)
}

/// Records the ticket 80 % of its resolution target ago, owned by Tara at tier 1, then replays
/// the time trigger minute by minute: tier 1's budget (50 %) sends it to tier 2's queue, Priya
/// takes it, tier 2's (75 %) sends it to tier 3's queue, where it waits now.
fn climb_by_time(conn: &mut DbConn, mail: &MailContext, now: DateTime<Utc>) -> anyhow::Result<()> {
    let (client, contact): (i64, i64) = contacts::table
        .inner_join(clients::table)
        .filter(clients::code.eq(CLIENT))
        .filter(contacts::email.eq(CONTACT))
        .select((clients::id, contacts::id))
        .first(conn)?;
    let (impact, urgency) = (Impact::High, Urgency::Medium);
    let priority = load_matrix(conn).map_err(err)?.priority(impact, urgency);
    let service = service_level(conn, ClientId(client)).map_err(err)?;
    let resolution = service
        .policy
        .sla_targets()
        .map_err(err)?
        .target(priority)
        .resolution;
    let opened = now - resolution * 4 / 5;
    let tara = user(conn, "tara.quinn@msp.example")?;
    let priya = user(conn, "priya.nair@msp.example")?;
    let network: i64 = categories::table
        .filter(categories::name.eq("Network"))
        .filter(categories::parent_id.is_null())
        .select(categories::id)
        .first(conn)?;
    let input = IntakeInput {
        kind: Kind::Incident,
        client: ClientId(client),
        requester: Requester::Existing(ContactId(contact)),
        subject: CLIMBED.into(),
        description: "Handhelds in aisles 10–14 lose Wi-Fi every few minutes; the controller \
                      log shows it restarting."
            .into(),
        channel: Channel::Phone,
        identity: IdentityCheck::KnownEmail,
        identity_detail: String::new(),
        impact,
        urgency,
    };
    let rejected = |e| anyhow::anyhow!("demo ticket {CLIMBED}: {e:?}");
    let row = t::create(conn, tara, &input, mail, opened)
        .map_err(err)?
        .map_err(rejected)?;
    let edit = |actor, row: &t::TicketRow, at| TicketEdit {
        actor,
        ticket: row.id,
        version: row.version,
        now: at,
    };
    let at = opened + Duration::minutes(2);
    let triaged = TriageInput {
        impact,
        urgency,
        category: Some(CategoryId(network)),
        subcategory: None,
        affected_service: "Warehouse Wi-Fi".into(),
    };
    let row = t::triage(conn, edit(tara, &row, at), &triaged, mail)
        .map_err(err)?
        .map_err(rejected)?;
    let tier1 = AssignInput {
        tier: Tier::Tier1,
        owner: Some(tara),
        worker: Some(tara),
    };
    let mut row = t::assign(conn, edit(tara, &row, at), &tier1)
        .map_err(err)?
        .map_err(rejected)?;
    let mut climbs = 0;
    let mut minute = at;
    while climbs < 2 && minute <= now {
        minute += Duration::minutes(1);
        if let Some(after) = escalate_ticket_if_overdue(conn, mail, row.id, minute).map_err(err)? {
            row = after;
            climbs += 1;
            if climbs == 1 {
                let taken = minute + Duration::minutes(5);
                row = crate::db::escalation::take::take(conn, edit(priya, &row, taken))
                    .map_err(err)?
                    .map_err(rejected)?;
                minute = taken;
            }
        }
    }
    Ok(())
}

/// The client answers the closed label-printer ticket's survey with a 1 and a complaint: each
/// of their open tickets gets a suggested escalation for the managers.
fn answer_unhappily(
    conn: &mut DbConn,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let survey: Option<(i64, Option<i32>)> = surveys::table
        .inner_join(tickets::table)
        .filter(tickets::subject.eq(SURVEYED))
        .select((tickets::id, surveys::rating))
        .first(conn)
        .optional()?;
    // A desk that had tickets of its own before the demo has no demo survey to answer.
    let Some((ticket, None)) = survey else {
        return Ok(());
    };
    let at = now - Duration::minutes(20);
    answer(conn, TicketId(ticket), &Answer::Rating(1), mail, at).map_err(err)?;
    let comment = "Dispatch was without labels for a whole morning and nobody told us why. \
                   Now the Wi-Fi is failing too.";
    answer(
        conn,
        TicketId(ticket),
        &Answer::Comment(comment.into()),
        mail,
        at,
    )
    .map_err(err)?;
    Ok(())
}
