//! What a client contact does through an e-mailed risk link: acknowledge the discovery, accept
//! the treatment or decline it with a comment. The link names the risk, the contact and (for
//! acceptance) the treatment it asks about, so it can act on nothing else.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::{NewHistory, RiskRow, TreatmentRow, add_history, get, treatment};
use crate::db::client_links::{self, LinkProblem, LinkPurpose, LinkRow};
use crate::db::clients::{ContactRow, get as get_client, get_contact};
use crate::db::notify::managers;
use crate::db::schema::{risk_link_recipients, risk_treatments, risks, users};
use crate::db::users::UserRow;
use crate::db::{DbConn, write_tx};
use crate::domain::ids::{ClientId, ContactId};
use crate::domain::inputs::EmailAddress;
use crate::domain::risk_treatment::Acceptance;
use crate::error::{AppError, AppResult};
use crate::mail::messages::{MailContext, Recipient, ThreadKey, compose};
use crate::mail::outbox;
use crate::mail::risk_messages::RiskNotice;

/// What a good link shows: the risk, the contact it was sent to, and for an acceptance link
/// the treatment it asks about.
pub struct Linked {
    pub link: LinkRow,
    pub risk: RiskRow,
    pub contact: ContactRow,
    pub treatment: Option<TreatmentRow>,
}

/// Checks a risk link for `purpose`. The outer error is the database's; the inner one is the
/// problem page to show.
pub fn open(
    conn: &mut DbConn,
    token: &str,
    purpose: LinkPurpose,
    now: DateTime<Utc>,
) -> AppResult<Result<Linked, LinkProblem>> {
    let link = match client_links::check(conn, token, purpose, now)? {
        Ok(link) => link,
        Err(problem) => return Ok(Err(problem)),
    };
    let Some(subject) = link.subject() else {
        return Ok(Err(LinkProblem::Unknown));
    };
    let recipient: Option<(i64, Option<i64>)> = risk_link_recipients::table
        .find(link.id)
        .select((
            risk_link_recipients::contact_id,
            risk_link_recipients::treatment_id,
        ))
        .first(conn)
        .optional()?;
    let Some((contact, treatment_id)) = recipient else {
        return Ok(Err(LinkProblem::Unknown));
    };
    let risk = get(conn, subject.id)?;
    let contact = get_contact(conn, ContactId(contact))?;
    let treatment = treatment_id.map(|t| treatment(conn, t)).transpose()?;
    Ok(Ok(Linked {
        link,
        risk,
        contact,
        treatment,
    }))
}

/// Records the acknowledgement (the first one stands; the link is used up).
pub fn acknowledge(conn: &mut DbConn, linked: &Linked, now: DateTime<Utc>) -> AppResult<bool> {
    write_tx(conn, |conn| {
        if !client_links::mark_used(conn, linked.link.id(), now)? {
            return Ok(false);
        }
        let at = now.naive_utc();
        let first = diesel::update(
            risks::table
                .find(linked.risk.id)
                .filter(risks::acknowledged_at.is_null()),
        )
        .set((
            risks::acknowledged_at.eq(Some(at)),
            risks::acknowledged_by.eq(Some(linked.contact.id)),
        ))
        .execute(conn)?;
        if first == 1 {
            let change = format!("acknowledged by {}", linked.contact.name);
            add_history(
                conn,
                &NewHistory {
                    risk_id: linked.risk.id,
                    at,
                    actor_id: None,
                    contact_id: Some(linked.contact.id),
                    what: "acknowledgement",
                    change: &change,
                    reason: "",
                },
            )?;
        }
        Ok(true)
    })
}

/// Why an acceptance link cannot be answered although its token is good.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnswerProblem {
    /// The desk changed the treatment since: the client has a newer mail to answer.
    Superseded,
    /// Another contact (or this one, elsewhere) answered first.
    Answered,
}

/// Records the client's acceptance or decline of the treatment the link asks about. A decline
/// is mailed to the risk's owner and the managers.
pub fn answer(
    conn: &mut DbConn,
    linked: &Linked,
    accept: bool,
    comment: &str,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> AppResult<Result<Result<Acceptance, String>, AnswerProblem>> {
    let Some(asked) = &linked.treatment else {
        return Err(AppError::internal("an acceptance link without a treatment"));
    };
    write_tx(conn, |conn| {
        let risk = get(conn, linked.risk.id)?;
        if risk.current_treatment_id != Some(asked.id) {
            return Ok(Err(AnswerProblem::Superseded));
        }
        let current = treatment(conn, asked.id)?;
        let state = Acceptance::parse(&current.acceptance).map_err(AppError::internal)?;
        let answered = match state.answer(accept, comment) {
            Ok(answered) => answered,
            Err(message) if state == Acceptance::Pending => return Ok(Ok(Err(message))),
            Err(_) => return Ok(Err(AnswerProblem::Answered)),
        };
        if !client_links::mark_used(conn, linked.link.id(), now)? {
            return Ok(Err(AnswerProblem::Answered));
        }
        let at = now.naive_utc();
        let updated = diesel::update(
            risk_treatments::table
                .find(asked.id)
                .filter(risk_treatments::acceptance.eq(Acceptance::Pending.as_str())),
        )
        .set((
            risk_treatments::acceptance.eq(answered.as_str()),
            risk_treatments::answered_at.eq(Some(at)),
            risk_treatments::answered_by.eq(Some(linked.contact.id)),
            risk_treatments::answer_comment.eq(comment.trim()),
        ))
        .execute(conn)?;
        if updated != 1 {
            return Ok(Err(AnswerProblem::Answered));
        }
        let change = format!(
            "treatment {} by {}",
            if accept { "accepted" } else { "declined" },
            linked.contact.name
        );
        add_history(
            conn,
            &NewHistory {
                risk_id: risk.id,
                at,
                actor_id: None,
                contact_id: Some(linked.contact.id),
                what: "acceptance",
                change: &change,
                reason: comment.trim(),
            },
        )?;
        if !accept {
            let mut to = managers(conn)?;
            if let Some(owner) = risk.owner_id {
                let owner: UserRow = users::table
                    .find(owner)
                    .select(UserRow::as_select())
                    .first(conn)?;
                if !to.iter().any(|u| u.id == owner.id) {
                    to.push(owner);
                }
            }
            let client = get_client(conn, ClientId(risk.client_id))?;
            let notice = RiskNotice {
                headline: "The client declined the treatment".into(),
                client: client.name,
                title: risk.title.clone(),
                details: vec![
                    format!("Treatment: {}", current.summary),
                    format!("{} wrote: {}", linked.contact.name, comment.trim()),
                ],
                risk_url: format!("{}/risks/{}", mail.base_url, risk.id),
            };
            staff_notice(conn, mail, &to, &notice, risk.id, now)?;
        }
        Ok(Ok(Ok(answered)))
    })
}

/// Queues a risk notice to each of `to`, in the risk's mail thread.
pub(crate) fn staff_notice(
    conn: &mut DbConn,
    mail: &MailContext,
    to: &[UserRow],
    notice: &RiskNotice,
    risk: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    for user in to.iter().filter(|u| u.active) {
        let Ok(address) = EmailAddress::parse(&user.email) else {
            tracing::warn!(
                user_id = user.id,
                "address unreadable; risk notice not queued"
            );
            continue;
        };
        let outgoing = compose(
            mail,
            notice,
            Recipient::new(address, user.display_name.clone()),
        )?
        .in_thread(ThreadKey::new("risk", risk));
        outbox::enqueue(conn, &outgoing, now)?;
    }
    Ok(())
}
