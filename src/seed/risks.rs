//! The demo desk's client risks: each client gets a finished walk-through whose example risks
//! stand in several states (a draft, a risk told to the client and acknowledged with its
//! treatment accepted, one whose treatment waits for the client), a walk-through left
//! half-way to resume, its first contact flagged as risk contact, a risk raised from its first
//! incident, a control carried out through a service request, and a deadline. Skips a client
//! that already has a walk-through, so seeding twice adds nothing.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::db::risks::register::{self, Analysis, Proposal};
use crate::db::risks::walkthrough::{self as walk, NewAsset, PageNotes};
use crate::db::risks::{deadline, tickets as risk_tickets};
use crate::db::schema::{clients, contacts, risk_treatments, risk_walkthroughs, risks, tickets};
use crate::db::{self, DbConn};
use crate::domain::ids::TicketId;
use crate::domain::inputs::EmailAddress;
use crate::domain::risk::{Classification, Consequence, Decision, Likelihood, Score, Tolerance};
use crate::domain::risk_treatment::{Control, ControlKind, ControlState, TreatmentOption};
use crate::domain::risk_walkthrough::Step;
use crate::mail::messages::MailContext;

fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

fn staff(conn: &mut DbConn, email: &str) -> anyhow::Result<db::users::UserRow> {
    db::users::find_by_email(conn, &EmailAddress::parse(email).map_err(err)?)
        .map_err(err)?
        .ok_or_else(|| anyhow::anyhow!("demo account {email} is missing"))
}

fn analysis(
    owner: i64,
    title: &str,
    l: Likelihood,
    c: Consequence,
    reason: &str,
) -> anyhow::Result<Analysis> {
    Ok(Analysis {
        title: title.into(),
        cause: "Found during the initial walk-through".into(),
        source: "Day-to-day operation".into(),
        vulnerability: "See the walk-through notes".into(),
        owner,
        inherent: Score::new(l, c),
        residual: Score::new(Likelihood::Unlikely, c),
        classification: Classification::Managed,
        decision: Decision::new(Tolerance::Tolerable, reason).map_err(err)?,
    })
}

/// Seeds the risks; answers how many tickets it opened (the control requests).
pub fn seed_risks(
    conn: &mut DbConn,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let manager = staff(conn, "morgan.reyes@msp.example")?;
    let tech = staff(conn, "priya.nair@msp.example")?;
    let client_ids: Vec<i64> = clients::table
        .filter(clients::active.eq(true))
        .order(clients::id.asc())
        .select(clients::id)
        .load(conn)?;
    let templates = walk::templates(conn).map_err(err)?;
    let mut opened = 0;
    for client in client_ids {
        let started: i64 = risk_walkthroughs::table
            .filter(risk_walkthroughs::client_id.eq(client))
            .count()
            .get_result(conn)?;
        if started > 0 {
            continue;
        }
        let contact: Option<(i64, String)> = contacts::table
            .filter(contacts::client_id.eq(client))
            .filter(contacts::active.eq(true))
            .order(contacts::id.asc())
            .select((contacts::id, contacts::name))
            .first(conn)
            .optional()?;
        if let Some((contact, _)) = contact {
            register::set_risk_contacts(conn, &manager, client, &[contact], now).map_err(err)?;
        }
        let id = walk::start(conn, client, tech.id(), now).map_err(err)?;
        let server = walk::add_asset(
            conn,
            id,
            &NewAsset {
                name: "File server".into(),
                description: "Shared drives and the accounting database".into(),
                warranty_end: Some(now.date_naive() + Duration::days(10)),
                end_of_support: Some(now.date_naive() + Duration::days(400)),
            },
            now,
        )
        .map_err(err)?;
        let wifi = walk::add_asset(
            conn,
            id,
            &NewAsset {
                name: "Office Wi-Fi".into(),
                description: "One access point, guest network on the same subnet".into(),
                warranty_end: None,
                end_of_support: Some(now.date_naive() - Duration::days(5)),
            },
            now,
        )
        .map_err(err)?;
        for (step, text) in [
            (
                Step::Threats,
                "Heat in the server cupboard; visitors on the Wi-Fi; ransomware by e-mail",
            ),
            (
                Step::Vulnerabilities,
                "No tested backup; shared passwords; an unsupported access point",
            ),
            (
                Step::Consequences,
                "Days without patient records; fines for a data breach",
            ),
            (Step::Processes, "Appointments, billing, payroll"),
        ] {
            let notes = PageNotes {
                first: text.into(),
                second: String::new(),
            };
            walk::save_page(conn, id, step, &notes, step, now).map_err(err)?;
        }
        let measures = PageNotes {
            first: "Antivirus on every PC".into(),
            second: "A UPS for the server".into(),
        };
        walk::save_page(conn, id, Step::Measures, &measures, Step::Checklist, now).map_err(err)?;
        let ticks: Vec<(i64, Option<i64>)> = templates
            .iter()
            .take(3)
            .enumerate()
            .map(|(i, t)| (t.id, Some(if i == 0 { wifi } else { server })))
            .collect();
        walk::save_ticks(conn, id, &ticks, now).map_err(err)?;
        walk::finish(conn, id, tech.id(), now).map_err(err)?;
        let found = walk::found(conn, id).map_err(err)?;
        // The first stays a draft; the second is told and its treatment accepted; the third
        // waits for the client's acceptance.
        for (i, risk) in found.iter().enumerate().skip(1) {
            let plan = analysis(
                tech.id,
                &risk.title,
                Likelihood::Likely,
                if i == 1 {
                    Consequence::Moderate
                } else {
                    Consequence::Major
                },
                "The client can operate for a day without it",
            )?;
            register::analyse(conn, &tech, risk.id, risk.version, &plan, mail, now)
                .map_err(err)?
                .map_err(|e| anyhow::anyhow!("demo risk analysis: {e:?}"))?;
            let version = db::risks::get(conn, risk.id).map_err(err)?.version;
            let controls = vec![
                Control {
                    kind: ControlKind::Preventive,
                    what: "Nightly backup to the cloud".into(),
                    owner_id: tech.id,
                    state: ControlState::InPlace,
                },
                Control {
                    kind: ControlKind::Detective,
                    what: "Monthly restore test".into(),
                    owner_id: tech.id,
                    state: ControlState::Planned,
                },
            ];
            register::decide_treatment(
                conn,
                &tech,
                risk.id,
                version,
                Proposal {
                    options: vec![TreatmentOption::Treat],
                    controls,
                },
                mail,
                now,
            )
            .map_err(err)?
            .map_err(|e| anyhow::anyhow!("demo risk treatment: {e:?}"))?;
            if let (1, Some((contact, _))) = (i, &contact) {
                client_answered(conn, risk.id, *contact, now)?;
            }
        }
        opened += tickets_and_deadline(conn, &tech, client, &found, mail, now)?;
        let resumable = walk::start(conn, client, tech.id(), now).map_err(err)?;
        let notes = PageNotes {
            first: "Second site: to be visited next week".into(),
            second: String::new(),
        };
        walk::save_page(conn, resumable, Step::Threats, &notes, Step::Measures, now)
            .map_err(err)?;
    }
    Ok(opened)
}

/// Ties the demo risks to tickets: a draft raised from the client's first incident (when it
/// has one), the waiting risk's planned restore test carried out through a service request,
/// and a remove-by date on that risk. Answers how many tickets it opened.
fn tickets_and_deadline(
    conn: &mut DbConn,
    tech: &db::users::UserRow,
    client: i64,
    found: &[db::risks::RiskRow],
    mail: &MailContext,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let incident: Option<i64> = tickets::table
        .filter(tickets::client_id.eq(client))
        .filter(tickets::kind.eq("incident"))
        .order(tickets::id.asc())
        .select(tickets::id)
        .first(conn)
        .optional()?;
    if let Some(ticket) = incident {
        risk_tickets::raise_from_ticket(conn, tech, TicketId(ticket), now).map_err(err)?;
    }
    let Some(waiting) = found.get(2) else {
        return Ok(0);
    };
    let planned = db::risks::controls_of(conn, waiting.id)
        .map_err(err)?
        .into_iter()
        .find(|c| c.state == ControlState::Planned.as_str());
    let mut opened = 0;
    if let Some(control) = planned {
        risk_tickets::carry_out_through_ticket(conn, tech, waiting.id, control.id, mail, now)
            .map_err(err)?
            .map_err(|e| anyhow::anyhow!("demo control ticket: {e:?}"))?;
        opened += 1;
    }
    deadline::set_deadline(
        conn,
        tech,
        waiting.id,
        Some(now.date_naive() + Duration::days(45)),
        "Backups verified by a restore test",
        now,
    )
    .map_err(err)?
    .map_err(|e| anyhow::anyhow!("demo deadline: {e:?}"))?;
    Ok(opened)
}

/// The demo client's acknowledgement and acceptance, as its contact's link would record them
/// (the demo has no mailbox to click in).
fn client_answered(
    conn: &mut DbConn,
    risk: i64,
    contact: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let at = now.naive_utc();
    let row = db::risks::get(conn, risk).map_err(err)?;
    diesel::update(risks::table.find(risk))
        .set((
            risks::acknowledged_at.eq(Some(at)),
            risks::acknowledged_by.eq(Some(contact)),
        ))
        .execute(conn)?;
    if let Some(treatment) = row.current_treatment_id {
        diesel::update(risk_treatments::table.find(treatment))
            .set((
                risk_treatments::acceptance.eq("accepted"),
                risk_treatments::answered_at.eq(Some(at)),
                risk_treatments::answered_by.eq(Some(contact)),
            ))
            .execute(conn)?;
    }
    Ok(())
}
