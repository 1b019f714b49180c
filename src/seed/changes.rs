//! The demo desk's sensitive changes: an admin-flagged sensitive subcategory (Network › Firewall
//! / VPN), and a ticket in it whose first change a manager rejected, the owner's acknowledgement
//! with the path taken instead, and the second change waiting for approval.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::db::approvals::{self, ChangeInput};
use crate::db::schema::{approvals as approval_rows, categories, clients, contacts, tickets};
use crate::db::tickets::{
    self as t, AssignInput, IntakeInput, Requester, TicketEdit, TicketRow, TriageInput, WorkInput,
};
use crate::db::{self, DbConn};
use crate::domain::account::Tier;
use crate::domain::ids::{ApprovalId, CategoryId, ClientId, ContactId, UserId};
use crate::domain::inputs::EmailAddress;
use crate::domain::priority::{Impact, Urgency};
use crate::domain::ticket::{Action, Channel, IdentityCheck, Kind};
use crate::domain::work::{Review, WorkEntry};
use crate::mail::messages::MailContext;

const SUBJECT: &str = "Branch office VPN refused after the firewall update";

fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

fn refused(what: &str) -> impl FnOnce(crate::domain::inputs::FieldErrors) -> anyhow::Error {
    let what = what.to_string();
    move |e| anyhow::anyhow!("demo change ticket, {what}: {e:?}")
}

fn staff(conn: &mut DbConn, email: &str) -> anyhow::Result<db::users::UserRow> {
    db::users::find_by_email(conn, &EmailAddress::parse(email).map_err(err)?)
        .map_err(err)?
        .ok_or_else(|| anyhow::anyhow!("demo account {email} is missing"))
}

fn category(conn: &mut DbConn, parent: Option<i64>, name: &str) -> anyhow::Result<i64> {
    let mut query = categories::table
        .filter(categories::name.eq(name))
        .select(categories::id)
        .into_boxed();
    query = match parent {
        Some(parent) => query.filter(categories::parent_id.eq(parent)),
        None => query.filter(categories::parent_id.is_null()),
    };
    Ok(query.first(conn)?)
}

/// Flags Network › Firewall / VPN as sensitive and walks one ticket in it through a rejected
/// change, its acknowledgement and a second change awaiting a manager. Runs once; answers how
/// many tickets it recorded.
pub fn seed_changes(
    conn: &mut DbConn,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let network = category(conn, None, "Network")?;
    let firewall = category(conn, Some(network), "Firewall / VPN")?;
    db::categories::set_sensitive(conn, None, firewall, true, now).map_err(err)?;
    let seeded: i64 = tickets::table
        .filter(tickets::subject.eq(SUBJECT))
        .count()
        .get_result(conn)?;
    if seeded > 0 {
        return Ok(0);
    }
    let (client, contact): (i64, i64) = contacts::table
        .inner_join(clients::table)
        .filter(clients::code.eq("HARBOR"))
        .order(contacts::id.asc())
        .select((clients::id, contacts::id))
        .first(conn)?;
    let ben = staff(conn, "ben.okafor@msp.example")?;
    let morgan = staff(conn, "morgan.reyes@msp.example")?;
    let at = |minutes_ago: i64| now - Duration::minutes(minutes_ago);
    let edit = |actor: UserId, row: &TicketRow, minutes_ago: i64| TicketEdit {
        actor,
        ticket: row.id,
        version: row.version,
        now: at(minutes_ago),
    };
    let intake = IntakeInput {
        kind: Kind::Incident,
        client: ClientId(client),
        requester: Requester::Existing(ContactId(contact)),
        subject: SUBJECT.into(),
        description: "Since last night's firewall firmware update the Southampton branch \
                      cannot bring up its site-to-site VPN; staff there work offline."
            .into(),
        channel: Channel::Phone,
        identity: IdentityCheck::CallBack,
        identity_detail: String::new(),
        impact: Impact::Medium,
        urgency: Urgency::High,
    };
    let row = t::create(conn, ben.id(), &intake, mail, at(240))
        .map_err(err)?
        .map_err(refused("intake"))?;
    let triage = TriageInput {
        impact: Impact::Medium,
        urgency: Urgency::High,
        category: Some(CategoryId(network)),
        subcategory: Some(CategoryId(firewall)),
        affected_service: "Edge firewall FW01, Southampton site-to-site VPN".into(),
    };
    let row = t::triage(conn, edit(ben.id(), &row, 235), &triage, mail)
        .map_err(err)?
        .map_err(refused("triage"))?;
    let assign = AssignInput {
        tier: Tier::Tier2,
        owner: Some(ben.id()),
        worker: Some(ben.id()),
    };
    let row = t::assign(conn, edit(morgan.id(), &row, 230), &assign)
        .map_err(err)?
        .map_err(refused("assign"))?;
    let work = WorkInput {
        entry: WorkEntry::Note,
        body: "The update reset the IPsec proposal to AES-GCM only; the branch router offers \
               AES-CBC."
            .into(),
        action: Some(Action::StartWork),
        category: None,
        review: Review::Changed,
    };
    let row = t::work(conn, edit(ben.id(), &row, 220), &work, mail)
        .map_err(err)?
        .map_err(refused("work"))?;
    let first = ChangeInput {
        what: "Re-enable AES-CBC in the IPsec proposal on FW01".into(),
        why: "The branch router only offers AES-CBC".into(),
        impact: "All VPN tunnels renegotiate (about a minute)".into(),
        risk: "A weaker cipher on every tunnel".into(),
        rollback_plan: "Restore the post-update proposal from the config backup".into(),
        planned_window: "Today 12:30-12:45".into(),
    };
    let row = approvals::request_change(conn, edit(ben.id(), &row, 200), &first, mail)
        .map_err(err)?
        .map_err(refused("first change"))?;
    let request: i64 = approval_rows::table
        .filter(approval_rows::ticket_id.eq(row.id.0))
        .select(approval_rows::id)
        .first(conn)?;
    approvals::decide(
        conn,
        &morgan,
        ApprovalId(request),
        false,
        "Not on every tunnel: upgrade the branch router to AES-GCM instead.",
        mail,
        at(170),
    )
    .map_err(err)?
    .map_err(refused("decision"))?;
    let row = t::get(conn, row.id).map_err(err)?;
    let row = db::changes::acknowledge_rejection(
        conn,
        edit(ben.id(), &row, 150),
        ApprovalId(request),
        "Upgrading the branch router's firmware so it offers AES-GCM; the firewall stays as it is.",
    )
    .map_err(err)?
    .map_err(refused("acknowledgement"))?;
    let second = ChangeInput {
        what: "Upgrade the Southampton router firmware to 17.9 (AES-GCM support)".into(),
        why: "The manager rejected weakening the firewall; the router must match it".into(),
        impact: "Southampton offline for about ten minutes".into(),
        risk: "A failed upgrade leaves the branch offline until the spare router is sent".into(),
        rollback_plan: "Boot the previous image from the router's second flash bank".into(),
        planned_window: "Today 18:00-18:30".into(),
    };
    approvals::request_change(conn, edit(ben.id(), &row, 120), &second, mail)
        .map_err(err)?
        .map_err(refused("second change"))?;
    Ok(1)
}
