//! Satisfaction surveys: one per closed ticket, answered only through the client's link.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::{count_star, sum};
use diesel::prelude::*;

use super::escalation::suggestions::{SurveyAnswer, raise_for_survey};
use super::notify::{self, Addressee};
use super::schema::{clients, contacts, surveys, tickets, users};
use super::timeline::{NewEvent, add_event};
use super::{DbConn, write_tx};
use crate::domain::ids::{TicketId, UserId};
use crate::domain::survey::{self, DEFAULT_FLAG_AT};
use crate::domain::ticket::Kind;
use crate::domain::timeline::EventKind;
use crate::error::AppResult;
use crate::mail::messages::{MailContext, SurveyFlagged};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = surveys)]
pub struct SurveyRow {
    pub id: i64,
    pub ticket_id: i64,
    pub rating: Option<i32>,
    pub comment: String,
    pub answered_at: Option<NaiveDateTime>,
    pub flagged: bool,
    pub flag_notified_at: Option<NaiveDateTime>,
    pub followed_up_at: Option<NaiveDateTime>,
    pub sent_at: NaiveDateTime,
}

impl SurveyRow {
    pub fn rating(&self) -> Option<u8> {
        self.rating.and_then(|r| u8::try_from(r).ok())
    }
}

/// Starts the one survey of a closed ticket, inside the closing transaction. The unique ticket
/// id makes a second survey impossible.
pub fn start(conn: &mut DbConn, ticket: TicketId, now: DateTime<Utc>) -> AppResult<()> {
    diesel::insert_into(surveys::table)
        .values((
            surveys::ticket_id.eq(ticket.0),
            surveys::comment.eq(""),
            surveys::flagged.eq(false),
            surveys::sent_at.eq(now.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn for_ticket(conn: &mut DbConn, ticket: TicketId) -> AppResult<Option<SurveyRow>> {
    Ok(surveys::table
        .filter(surveys::ticket_id.eq(ticket.0))
        .select(SurveyRow::as_select())
        .first(conn)
        .optional()?)
}

/// What the client changes: the rating, or the comment.
#[derive(Clone, Debug)]
pub enum Answer {
    Rating(u8),
    Comment(String),
}

/// Records the client's latest answer. The first time an answer needs follow-up, every active
/// manager is told by mail, in the same transaction.
#[tracing::instrument(skip_all, fields(ticket_id = %ticket))]
pub fn answer(
    conn: &mut DbConn,
    ticket: TicketId,
    answer: &Answer,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> AppResult<SurveyRow> {
    write_tx(conn, |conn| {
        let before = for_ticket(conn, ticket)?.ok_or(crate::error::AppError::NotFound)?;
        let at = now.naive_utc();
        let (rating, comment) = match answer {
            Answer::Rating(r) => (Some(*r), before.comment.clone()),
            Answer::Comment(c) => (before.rating(), c.clone()),
        };
        let flagged = survey::needs_follow_up(rating, &comment, DEFAULT_FLAG_AT);
        let notify = survey::notify_managers(flagged, before.flag_notified_at.is_some());
        let after = diesel::update(surveys::table.find(before.id))
            .set((
                surveys::rating.eq(rating.map(i32::from)),
                surveys::comment.eq(&comment),
                surveys::answered_at.eq(Some(at)),
                surveys::flagged.eq(flagged),
                surveys::flag_notified_at.eq(if notify {
                    Some(at)
                } else {
                    before.flag_notified_at
                }),
            ))
            .returning(surveys::all_columns)
            .get_result::<SurveyRow>(conn)?;
        add_event(
            conn,
            ticket,
            None,
            &NewEvent::for_client(
                EventKind::Survey,
                &comment,
                &match rating {
                    Some(r) => format!("client rated {r} of 5 ({})", survey::label(r)),
                    None => "client commented".into(),
                },
            ),
            at,
        )?;
        if notify {
            let (subject, client, contact_name): (String, String, String) = tickets::table
                .inner_join(clients::table)
                .inner_join(contacts::table)
                .filter(tickets::id.eq(ticket.0))
                .select((tickets::subject, clients::name, contacts::name))
                .first(conn)?;
            let managers = notify::managers(conn)?;
            let message = SurveyFlagged {
                reference: format!("#{}", ticket.0),
                subject,
                client,
                contact_name,
                rating: rating
                    .map(|r| format!("{r} of 5 ({})", survey::label(r)))
                    .unwrap_or_else(|| "no rating".into()),
                comment: comment.clone(),
                ticket_url: format!("{}/tickets/{}", mail.base_url, ticket.0),
            };
            let to = managers.iter().map(Addressee::from);
            notify::send(conn, mail, &message, ticket.0, to, now)?;
        }
        let answer = SurveyAnswer {
            id: after.id,
            ticket_id: after.ticket_id,
            rating: after.rating(),
            comment: &after.comment,
        };
        raise_for_survey(conn, &answer, now)?;
        Ok(after)
    })
}

/// A manager records that someone talked to the client about a flagged answer.
pub fn mark_followed_up(
    conn: &mut DbConn,
    actor: UserId,
    ticket: TicketId,
    now: DateTime<Utc>,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let updated = diesel::update(
            surveys::table
                .filter(surveys::ticket_id.eq(ticket.0))
                .filter(surveys::flagged.eq(true)),
        )
        .set(surveys::followed_up_at.eq(Some(now.naive_utc())))
        .execute(conn)?;
        if updated == 0 {
            return Err(crate::error::AppError::NotFound);
        }
        add_event(
            conn,
            ticket,
            Some(actor),
            &NewEvent::internal(
                EventKind::Survey,
                "followed up with the client about their survey answer",
            ),
            now.naive_utc(),
        )
    })
}

pub struct FlaggedSurvey {
    pub ticket_id: i64,
    pub subject: String,
    pub client: String,
    pub rating: Option<i32>,
    pub comment: String,
}

/// Answers still waiting for a manager's follow-up, newest first.
pub fn awaiting_follow_up(conn: &mut DbConn, limit: i64) -> AppResult<Vec<FlaggedSurvey>> {
    let rows: Vec<(i64, String, String, Option<i32>, String)> = surveys::table
        .inner_join(tickets::table.inner_join(clients::table))
        // No bound values in the condition: it is the partial index's own (migration 000520).
        .filter(surveys::flagged.and(surveys::followed_up_at.is_null()))
        .order(surveys::answered_at.desc())
        .limit(limit)
        .select((
            tickets::id,
            tickets::subject,
            clients::name,
            surveys::rating,
            surveys::comment,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(ticket_id, subject, client, rating, comment)| FlaggedSurvey {
                ticket_id,
                subject,
                client,
                rating,
                comment,
            },
        )
        .collect())
}

/// Satisfaction per client or per technician (the ticket's owner).
pub struct SatisfactionRow {
    pub name: String,
    pub sent: i64,
    pub answered: i64,
    pub average: Option<f64>,
    pub flagged: i64,
}

fn rows_by<K: Ord + Clone>(
    sent: Vec<(K, i64)>,
    answered: Vec<(K, i64, Option<f64>)>,
    flagged: Vec<(K, i64)>,
    name: impl Fn(&K) -> String,
) -> Vec<SatisfactionRow> {
    let mut rows: Vec<SatisfactionRow> = sent
        .into_iter()
        .map(|(key, sent)| {
            let (answered, average) = answered
                .iter()
                .find(|(k, _, _)| *k == key)
                .map(|(_, n, a)| (*n, *a))
                .unwrap_or((0, None));
            SatisfactionRow {
                name: name(&key),
                sent,
                answered,
                average,
                flagged: flagged
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, n)| *n)
                    .unwrap_or(0),
            }
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    rows
}

pub fn by_client(conn: &mut DbConn) -> AppResult<Vec<SatisfactionRow>> {
    // Incidents only: service requests are request fulfilment, not incident management.
    let base = || {
        surveys::table
            .inner_join(tickets::table.inner_join(clients::table))
            .filter(tickets::kind.eq(Kind::Incident.as_str()))
    };
    let sent: Vec<(String, i64)> = base()
        .group_by(clients::name)
        .select((clients::name, count_star()))
        .load(conn)?;
    let answered: Vec<(String, i64, Option<i64>)> = base()
        .filter(surveys::rating.is_not_null())
        .group_by(clients::name)
        .select((clients::name, count_star(), sum(surveys::rating)))
        .load(conn)?;
    let flagged: Vec<(String, i64)> = base()
        .filter(surveys::flagged.eq(true))
        .group_by(clients::name)
        .select((clients::name, count_star()))
        .load(conn)?;
    Ok(rows_by(sent, averages(answered), flagged, |k| k.clone()))
}

pub fn by_technician(conn: &mut DbConn) -> AppResult<Vec<SatisfactionRow>> {
    let base = || {
        surveys::table
            .inner_join(
                tickets::table
                    .inner_join(users::table.on(tickets::owner_id.eq(users::id.nullable()))),
            )
            .filter(tickets::kind.eq(Kind::Incident.as_str()))
    };
    let sent: Vec<(String, i64)> = base()
        .group_by(users::display_name)
        .select((users::display_name, count_star()))
        .load(conn)?;
    let answered: Vec<(String, i64, Option<i64>)> = base()
        .filter(surveys::rating.is_not_null())
        .group_by(users::display_name)
        .select((users::display_name, count_star(), sum(surveys::rating)))
        .load(conn)?;
    let flagged: Vec<(String, i64)> = base()
        .filter(surveys::flagged.eq(true))
        .group_by(users::display_name)
        .select((users::display_name, count_star()))
        .load(conn)?;
    Ok(rows_by(sent, averages(answered), flagged, |k| k.clone()))
}

/// Averages from counts and sums: SQL's AVG returns a decimal type that differs per backend.
fn averages(rows: Vec<(String, i64, Option<i64>)>) -> Vec<(String, i64, Option<f64>)> {
    rows.into_iter()
        .map(|(key, n, total)| {
            let average = total.filter(|_| n > 0).map(|t| t as f64 / n as f64);
            (key, n, average)
        })
        .collect()
}
