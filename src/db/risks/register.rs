//! The register's commands: analysing a risk (which records it and tells the client), deciding
//! its treatment (which asks the client to accept it), and the lists the pages show.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::prelude::*;

use super::{DRAFT, NewHistory, OPEN, RiskRow, add_history, format_date, get, matrix, settings};
use crate::db::clients::{ContactRow, get as get_client};
use crate::db::outcome::{Outcome, refuse};
use crate::db::schema::{
    contacts, risk_controls, risk_link_recipients, risk_treatments, risks, users,
};
use crate::db::users::UserRow;
use crate::db::{DbConn, client_links, write_tx};
use crate::domain::ids::ClientId;
use crate::domain::inputs::{EmailAddress, FieldErrors};
use crate::domain::risk::{Classification, Decision, Score};
use crate::domain::risk_treatment::{
    Acceptance, Control, Treatment, TreatmentOption, check_may_decide,
};
use crate::error::{AppError, AppResult};
use crate::mail::messages::{MailContext, Recipient, ThreadKey, compose};
use crate::mail::outbox;
use crate::mail::risk_messages::{RiskAcceptance, RiskDiscovered};

/// Links to acknowledge or accept a risk work for a month: long enough for a client's
/// holiday, short enough that an old mail does not answer a question asked since.
pub const LINK_DAYS: i64 = 30;

/// What the analysis form sends, parsed.
#[derive(Clone, Debug)]
pub struct Analysis {
    pub title: String,
    pub cause: String,
    pub source: String,
    pub vulnerability: String,
    pub owner: i64,
    pub inherent: Score,
    pub residual: Score,
    pub classification: Classification,
    pub decision: Decision,
}

/// Analyses a risk. A draft becomes open and its discovery is mailed to the client's risk
/// contacts in the same transaction; every changed field goes into the history.
pub fn analyse(
    conn: &mut DbConn,
    actor: &UserRow,
    id: i64,
    version: i32,
    analysis: &Analysis,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> Outcome<()> {
    write_tx(conn, |conn| {
        let before = get(conn, id)?;
        if before.version != version {
            return Err(AppError::Conflict(
                "Someone changed this risk after you opened it.".into(),
            ));
        }
        let mut errors = FieldErrors::new();
        errors.take(
            "residual_likelihood",
            analysis.inherent.check_residual(analysis.residual),
        );
        let matrix = matrix(conn)?;
        let level = matrix.level(analysis.inherent);
        errors.take("classification", analysis.classification.check_for(level));
        let owner_ok = users::table
            .find(analysis.owner)
            .select(users::active)
            .first::<bool>(conn)
            .optional()?
            .unwrap_or(false);
        if !owner_ok {
            errors.add("owner", "Choose an active member of the desk as the owner.");
        }
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        let residual_level = matrix.level(analysis.residual);
        let (schedule, _) = settings(conn)?;
        let today = now.date_naive();
        let review_on = before
            .review_on
            .filter(|_| before.classification.as_deref() == Some(analysis.classification.as_str()))
            .unwrap_or_else(|| schedule.next_review(analysis.classification, today));
        let at = now.naive_utc();
        diesel::update(risks::table.find(id))
            .set((
                risks::title.eq(&analysis.title),
                risks::cause.eq(&analysis.cause),
                risks::source.eq(&analysis.source),
                risks::vulnerability.eq(&analysis.vulnerability),
                risks::owner_id.eq(Some(analysis.owner)),
                risks::inherent_likelihood.eq(Some(analysis.inherent.likelihood.number())),
                risks::inherent_consequence.eq(Some(analysis.inherent.consequence.number())),
                risks::inherent_level.eq(Some(level.as_str())),
                risks::residual_likelihood.eq(Some(analysis.residual.likelihood.number())),
                risks::residual_consequence.eq(Some(analysis.residual.consequence.number())),
                risks::residual_level.eq(Some(residual_level.as_str())),
                risks::classification.eq(Some(analysis.classification.as_str())),
                risks::tolerance.eq(Some(analysis.decision.tolerance.as_str())),
                risks::decision_reason.eq(&analysis.decision.reason),
                risks::status.eq(OPEN),
                risks::review_on.eq(Some(review_on)),
                risks::version.eq(before.version + 1),
                risks::updated_at.eq(at),
            ))
            .execute(conn)?;
        let reason = analysis.decision.reason.as_str();
        let changes = [
            (
                "level",
                before.inherent_level.clone(),
                level.as_str().to_string(),
            ),
            (
                "residual level",
                before.residual_level.clone(),
                residual_level.as_str().to_string(),
            ),
            (
                "classification",
                before.classification.clone(),
                analysis.classification.as_str().to_string(),
            ),
            (
                "decision",
                before.tolerance.clone(),
                analysis.decision.tolerance.as_str().to_string(),
            ),
        ];
        for (what, old, new) in changes {
            if old.as_deref() != Some(new.as_str()) {
                let change = format!("{}: {} → {new}", what, old.as_deref().unwrap_or("none"));
                add_history(
                    conn,
                    &NewHistory {
                        risk_id: id,
                        at,
                        actor_id: Some(actor.id),
                        contact_id: None,
                        what,
                        change: &change,
                        reason,
                    },
                )?;
            }
        }
        if before.status == DRAFT {
            let after = get(conn, id)?;
            tell_discovery(conn, &after, mail, now)?;
        }
        Ok(Ok(()))
    })
}

/// The client's active risk contacts.
pub fn risk_contacts(conn: &mut DbConn, client: i64) -> AppResult<Vec<ContactRow>> {
    Ok(contacts::table
        .filter(contacts::client_id.eq(client))
        .filter(contacts::risk_contact.eq(true))
        .filter(contacts::active.eq(true))
        .order(contacts::name.asc())
        .select(ContactRow::as_select())
        .load(conn)?)
}

/// Issues a link per contact (so the register can say who answered) and remembers which
/// contact and treatment it is for.
fn issue_link(
    conn: &mut DbConn,
    purpose: client_links::LinkPurpose,
    risk: i64,
    contact: i64,
    treatment: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let token = client_links::issue(
        conn,
        purpose,
        client_links::LinkSubject::risk(risk),
        Duration::days(LINK_DAYS),
        now,
    )?;
    let link_id: i64 = crate::db::schema::client_links::table
        .filter(crate::db::schema::client_links::token_hash.eq(crate::security::token_hash(&token)))
        .select(crate::db::schema::client_links::id)
        .first(conn)?;
    diesel::insert_into(risk_link_recipients::table)
        .values((
            risk_link_recipients::link_id.eq(link_id),
            risk_link_recipients::contact_id.eq(contact),
            risk_link_recipients::treatment_id.eq(treatment),
        ))
        .execute(conn)?;
    Ok(token)
}

fn valid_until(now: DateTime<Utc>) -> String {
    format_date((now + Duration::days(LINK_DAYS)).date_naive())
}

fn tell_discovery(
    conn: &mut DbConn,
    risk: &RiskRow,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let client = get_client(conn, ClientId(risk.client_id))?;
    for contact in risk_contacts(conn, risk.client_id)? {
        let Ok(address) = EmailAddress::parse(&contact.email) else {
            tracing::warn!(
                contact_id = contact.id,
                "address unreadable; risk mail not queued"
            );
            continue;
        };
        let token = issue_link(
            conn,
            client_links::LinkPurpose::RiskAcknowledgement,
            risk.id,
            contact.id,
            None,
            now,
        )?;
        let message = RiskDiscovered {
            contact_name: contact.name.clone(),
            client: client.name.clone(),
            title: risk.title.clone(),
            vulnerability: risk.vulnerability.clone(),
            level: risk.level_label().to_string(),
            decision: risk
                .tolerance
                .as_deref()
                .map(|t| {
                    if t == "intolerable" {
                        "intolerable"
                    } else {
                        "tolerable"
                    }
                })
                .unwrap_or("not decided")
                .to_string(),
            reason: risk.decision_reason.clone(),
            link: format!("{}/risk-notice/{token}", mail.base_url),
            valid_until: valid_until(now),
        };
        let outgoing = compose(mail, &message, Recipient::new(address, contact.name))?
            .in_thread(ThreadKey::new("risk", risk.id));
        outbox::enqueue(conn, &outgoing, now)?;
    }
    Ok(())
}

/// Queues the acceptance request (or its one reminder) for a treatment to every risk contact.
pub(crate) fn ask_acceptance(
    conn: &mut DbConn,
    risk: &RiskRow,
    treatment: i64,
    summary: &str,
    reminder: bool,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let client = get_client(conn, ClientId(risk.client_id))?;
    for contact in risk_contacts(conn, risk.client_id)? {
        let Ok(address) = EmailAddress::parse(&contact.email) else {
            tracing::warn!(
                contact_id = contact.id,
                "address unreadable; risk mail not queued"
            );
            continue;
        };
        let token = issue_link(
            conn,
            client_links::LinkPurpose::RiskAcceptance,
            risk.id,
            contact.id,
            Some(treatment),
            now,
        )?;
        let message = RiskAcceptance {
            contact_name: contact.name.clone(),
            client: client.name.clone(),
            title: risk.title.clone(),
            level: risk.level_label().to_string(),
            treatment: summary.to_string(),
            link: format!("{}/risk-treatment/{token}", mail.base_url),
            valid_until: valid_until(now),
            reminder,
        };
        let outgoing = compose(mail, &message, Recipient::new(address, contact.name))?
            .in_thread(ThreadKey::new("risk", risk.id));
        outbox::enqueue(conn, &outgoing, now)?;
    }
    Ok(())
}

/// The treatment as the form proposes it, before the domain checks it.
#[derive(Clone, Debug)]
pub struct Proposal {
    pub options: Vec<TreatmentOption>,
    pub controls: Vec<Control>,
}

/// Decides a risk's treatment: the controls are replaced, a new treatment row asks the client
/// afresh (a changed treatment needs a fresh acceptance), and the history keeps the old one.
pub fn decide_treatment(
    conn: &mut DbConn,
    actor: &UserRow,
    id: i64,
    version: i32,
    proposal: Proposal,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> Outcome<()> {
    write_tx(conn, |conn| {
        let before = get(conn, id)?;
        if before.version != version {
            return Err(AppError::Conflict(
                "Someone changed this risk after you opened it.".into(),
            ));
        }
        let (Some(classification), Some(tolerance)) = (
            before
                .classification
                .as_deref()
                .and_then(|c| Classification::parse(c).ok()),
            before
                .tolerance
                .as_deref()
                .and_then(|t| crate::domain::risk::Tolerance::parse(t).ok()),
        ) else {
            return refuse("options", "Analyse the risk before deciding its treatment.");
        };
        let treatment = match Treatment::new(proposal.options, proposal.controls, classification) {
            Ok(t) => t,
            Err(message) => return refuse("options", message),
        };
        if let Err(message) = check_may_decide(actor.role(), tolerance, treatment.options()) {
            return Err(AppError::ForbiddenBecause(message));
        }
        let at = now.naive_utc();
        let summary = treatment.summary();
        let options_text: Vec<&str> = treatment.options().iter().map(|o| o.as_str()).collect();
        let treatment_id: i64 = diesel::insert_into(risk_treatments::table)
            .values((
                risk_treatments::risk_id.eq(id),
                risk_treatments::options.eq(options_text.join(",")),
                risk_treatments::summary.eq(&summary),
                risk_treatments::decided_by.eq(actor.id),
                risk_treatments::decided_at.eq(at),
                risk_treatments::acceptance
                    .eq(Acceptance::NotAsked.after_treatment_change().as_str()),
                risk_treatments::answer_comment.eq(""),
            ))
            .returning(risk_treatments::id)
            .get_result(conn)?;
        // A control kept through the change keeps the ticket that carries it out.
        let carried: Vec<(String, String, Option<i64>)> = risk_controls::table
            .filter(risk_controls::risk_id.eq(id))
            .select((
                risk_controls::kind,
                risk_controls::what,
                risk_controls::ticket_id,
            ))
            .load(conn)?;
        diesel::delete(risk_controls::table.filter(risk_controls::risk_id.eq(id))).execute(conn)?;
        for control in treatment.controls() {
            let ticket = carried
                .iter()
                .find(|(kind, what, _)| {
                    kind == control.kind.as_str() && what == control.what.trim()
                })
                .and_then(|(_, _, ticket)| *ticket);
            diesel::insert_into(risk_controls::table)
                .values((
                    risk_controls::risk_id.eq(id),
                    risk_controls::kind.eq(control.kind.as_str()),
                    risk_controls::what.eq(control.what.trim()),
                    risk_controls::owner_id.eq(control.owner_id),
                    risk_controls::state.eq(control.state.as_str()),
                    risk_controls::ticket_id.eq(ticket),
                ))
                .execute(conn)?;
        }
        diesel::update(risks::table.find(id))
            .set((
                risks::current_treatment_id.eq(Some(treatment_id)),
                risks::version.eq(before.version + 1),
                risks::updated_at.eq(at),
            ))
            .execute(conn)?;
        let change = format!("treatment: {summary}");
        add_history(
            conn,
            &NewHistory {
                risk_id: id,
                at,
                actor_id: Some(actor.id),
                contact_id: None,
                what: "treatment",
                change: &change,
                reason: &before.decision_reason,
            },
        )?;
        let after = get(conn, id)?;
        ask_acceptance(conn, &after, treatment_id, &summary, false, mail, now)?;
        Ok(Ok(()))
    })
}

/// Which risks a register page lists.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub status: Option<String>,
    pub level: Option<String>,
    pub classification: Option<String>,
}

pub fn list(conn: &mut DbConn, client: i64, filter: &Filter) -> AppResult<Vec<RiskRow>> {
    let mut query = risks::table
        .filter(risks::client_id.eq(client))
        .order(risks::id.asc())
        .select(RiskRow::as_select())
        .into_boxed();
    if let Some(status) = &filter.status {
        query = query.filter(risks::status.eq(status.clone()));
    }
    if let Some(level) = &filter.level {
        query = query.filter(risks::inherent_level.eq(level.clone()));
    }
    if let Some(classification) = &filter.classification {
        query = query.filter(risks::classification.eq(classification.clone()));
    }
    Ok(query.load(conn)?)
}

/// Open risks whose review date has come, oldest first.
pub fn to_review(conn: &mut DbConn, today: NaiveDate, limit: i64) -> AppResult<Vec<RiskRow>> {
    Ok(risks::table
        .filter(risks::status.eq(OPEN))
        .filter(risks::review_on.le(today))
        .order(risks::review_on.asc())
        .limit(limit)
        .select(RiskRow::as_select())
        .load(conn)?)
}

/// Records a review: the next one is set by the schedule of the risk's classification.
pub fn reviewed(
    conn: &mut DbConn,
    actor: &UserRow,
    id: i64,
    note: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let risk = get(conn, id)?;
        let classification = risk
            .classification
            .as_deref()
            .and_then(|c| Classification::parse(c).ok())
            .ok_or_else(|| AppError::Conflict("Analyse the risk before reviewing it.".into()))?;
        let (schedule, _) = settings(conn)?;
        let next = schedule.next_review(classification, now.date_naive());
        let at = now.naive_utc();
        diesel::update(risks::table.find(id))
            .set((
                risks::review_on.eq(Some(next)),
                risks::version.eq(risk.version + 1),
                risks::updated_at.eq(at),
            ))
            .execute(conn)?;
        let change = format!("reviewed; next review {}", format_date(next));
        add_history(
            conn,
            &NewHistory {
                risk_id: id,
                at,
                actor_id: Some(actor.id),
                contact_id: None,
                what: "review",
                change: &change,
                reason: note,
            },
        )
    })
}

/// Flags exactly the `chosen` contacts of the client as its risk contacts.
pub fn set_risk_contacts(
    conn: &mut DbConn,
    actor: &UserRow,
    client: i64,
    chosen: &[i64],
    now: DateTime<Utc>,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        get_client(conn, ClientId(client))?;
        diesel::update(contacts::table.filter(contacts::client_id.eq(client)))
            .set(contacts::risk_contact.eq(false))
            .execute(conn)?;
        diesel::update(
            contacts::table
                .filter(contacts::client_id.eq(client))
                .filter(contacts::id.eq_any(chosen)),
        )
        .set(contacts::risk_contact.eq(true))
        .execute(conn)?;
        crate::db::audit::record(
            conn,
            Some(actor.id()),
            crate::db::audit::Entity::Client,
            client,
            "risk contacts",
            &format!("{} risk contact(s) flagged", chosen.len()),
            now.naive_utc(),
        )
    })
}
