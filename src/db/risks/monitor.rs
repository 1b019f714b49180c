//! The monitoring sweep's work: tell the owner of a milestone or deadline coming, of a review
//! falling due, and of a treatment the client has not accepted in time (reminding the client
//! once). Each reminder is claimed by a guarded update in the transaction that queues its mail,
//! so instances sweeping at once send it once.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::client::staff_notice;
use super::register::ask_acceptance;
use super::{MilestoneRow, OPEN, RiskRow, TreatmentRow, format_date, get, settings};
use crate::db::clients::get as get_client;
use crate::db::schema::{risk_milestones, risk_treatments, risks, users};
use crate::db::users::UserRow;
use crate::db::{DbConn, write_tx};
use crate::domain::ids::ClientId;
use crate::domain::risk_review::{MILESTONE_LEAD_DAYS, MilestoneKind};
use crate::domain::risk_treatment::Acceptance;
use crate::error::AppResult;
use crate::mail::messages::MailContext;
use crate::mail::risk_messages::RiskNotice;

/// How many rows one pass takes of each kind; the next pass takes the rest.
const BATCH: i64 = 200;

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub milestones: usize,
    pub reviews: usize,
    pub acceptances: usize,
}

pub fn sweep(conn: &mut DbConn, mail: &MailContext, now: DateTime<Utc>) -> AppResult<Swept> {
    Ok(Swept {
        milestones: milestones(conn, mail, now)?,
        reviews: reviews(conn, mail, now)?,
        acceptances: acceptances(conn, mail, now)?,
    })
}

fn owner_of(conn: &mut DbConn, risk: &RiskRow) -> AppResult<Vec<UserRow>> {
    Ok(match risk.owner_id {
        Some(owner) => users::table
            .find(owner)
            .select(UserRow::as_select())
            .load(conn)?,
        None => Vec::new(),
    })
}

fn notice(
    conn: &mut DbConn,
    risk: &RiskRow,
    headline: &str,
    details: Vec<String>,
    mail: &MailContext,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let client = get_client(conn, ClientId(risk.client_id))?;
    let to = owner_of(conn, risk)?;
    let notice = RiskNotice {
        headline: headline.to_string(),
        client: client.name,
        title: risk.title.clone(),
        details,
        risk_url: format!("{}/risks/{}", mail.base_url, risk.id),
    };
    staff_notice(conn, mail, &to, &notice, risk.id, now)
}

fn milestones(conn: &mut DbConn, mail: &MailContext, now: DateTime<Utc>) -> AppResult<usize> {
    let horizon = now.date_naive() + Duration::days(MILESTONE_LEAD_DAYS);
    let due: Vec<MilestoneRow> = risk_milestones::table
        .filter(risk_milestones::reminded_at.is_null())
        .filter(risk_milestones::due_on.le(horizon))
        .order(risk_milestones::due_on.asc())
        .limit(BATCH)
        .select(MilestoneRow::as_select())
        .load(conn)?;
    let mut sent = 0;
    for milestone in due {
        sent += write_tx(conn, |conn| {
            let claimed = diesel::update(
                risk_milestones::table
                    .find(milestone.id)
                    .filter(risk_milestones::reminded_at.is_null()),
            )
            .set(risk_milestones::reminded_at.eq(Some(now.naive_utc())))
            .execute(conn)?;
            let risk = get(conn, milestone.risk_id)?;
            if claimed == 0 || risk.status != OPEN {
                return Ok(0);
            }
            let kind = MilestoneKind::parse(&milestone.kind)
                .map(MilestoneKind::label)
                .unwrap_or("Milestone");
            let mut details = vec![format!("{kind}: {}", format_date(milestone.due_on))];
            if !milestone.note.is_empty() {
                details.push(milestone.note.clone());
            }
            notice(conn, &risk, &format!("{kind} coming"), details, mail, now)?;
            Ok(1)
        })?;
    }
    Ok(sent)
}

fn reviews(conn: &mut DbConn, mail: &MailContext, now: DateTime<Utc>) -> AppResult<usize> {
    let today = now.date_naive();
    let due: Vec<(i64, NaiveDate)> = risks::table
        .filter(risks::status.eq(OPEN))
        .filter(risks::review_on.le(today))
        .filter(
            risks::review_reminded_on
                .is_null()
                .or(risks::review_reminded_on.nullable().ne(risks::review_on)),
        )
        .order(risks::review_on.asc())
        .limit(BATCH)
        .select((risks::id, risks::review_on.assume_not_null()))
        .load(conn)?;
    let mut sent = 0;
    for (id, review_on) in due {
        sent += write_tx(conn, |conn| {
            let claimed = diesel::update(
                risks::table
                    .find(id)
                    .filter(risks::review_on.eq(Some(review_on)))
                    .filter(
                        risks::review_reminded_on
                            .is_null()
                            .or(risks::review_reminded_on.ne(Some(review_on))),
                    ),
            )
            .set(risks::review_reminded_on.eq(Some(review_on)))
            .execute(conn)?;
            if claimed == 0 {
                return Ok(0);
            }
            let risk = get(conn, id)?;
            let details = vec![format!("Review due: {}", format_date(review_on))];
            notice(conn, &risk, "Risk review due", details, mail, now)?;
            Ok(1)
        })?;
    }
    Ok(sent)
}

fn acceptances(conn: &mut DbConn, mail: &MailContext, now: DateTime<Utc>) -> AppResult<usize> {
    let (_, days) = settings(conn)?;
    let asked_before = (now - Duration::days(days)).naive_utc();
    let overdue: Vec<TreatmentRow> = risk_treatments::table
        .filter(risk_treatments::acceptance.eq(Acceptance::Pending.as_str()))
        .filter(risk_treatments::decided_at.le(asked_before))
        .filter(risk_treatments::reminded_at.is_null())
        .order(risk_treatments::decided_at.asc())
        .limit(BATCH)
        .select(TreatmentRow::as_select())
        .load(conn)?;
    let mut sent = 0;
    for treatment in overdue {
        sent += write_tx(conn, |conn| {
            let at = now.naive_utc();
            let claimed = diesel::update(
                risk_treatments::table
                    .find(treatment.id)
                    .filter(risk_treatments::reminded_at.is_null())
                    .filter(risk_treatments::acceptance.eq(Acceptance::Pending.as_str())),
            )
            .set((
                risk_treatments::reminded_at.eq(Some(at)),
                risk_treatments::owner_flagged_at.eq(Some(at)),
            ))
            .execute(conn)?;
            let risk = get(conn, treatment.risk_id)?;
            if claimed == 0 || risk.current_treatment_id != Some(treatment.id) {
                return Ok(0);
            }
            ask_acceptance(
                conn,
                &risk,
                treatment.id,
                &treatment.summary,
                true,
                mail,
                now,
            )?;
            let details = vec![
                format!("Treatment: {}", treatment.summary),
                format!(
                    "Asked on {}; the client was reminded.",
                    format_date(treatment.decided_at.date())
                ),
            ];
            notice(
                conn,
                &risk,
                "The client has not accepted the treatment",
                details,
                mail,
                now,
            )?;
            Ok(1)
        })?;
    }
    Ok(sent)
}

/// What the dashboard flags: open risks whose review is overdue, passed milestones and
/// deadlines of open risks, and treatments the client left unanswered past the reminder.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    pub overdue_reviews: i64,
    pub passed_milestones: i64,
    /// Remove-by dates passed on risks still open: they were not removed in time.
    pub passed_deadlines: i64,
    pub unaccepted: i64,
}

impl Flags {
    pub fn any(&self) -> bool {
        self.overdue_reviews + self.passed_milestones + self.passed_deadlines + self.unaccepted > 0
    }
}

pub fn flags(conn: &mut DbConn, today: NaiveDate) -> AppResult<Flags> {
    let overdue_reviews = risks::table
        .filter(risks::status.eq(OPEN))
        .filter(risks::review_on.lt(today))
        .select(count_star())
        .first(conn)?;
    let deadline = MilestoneKind::Deadline.as_str();
    let passed_milestones = risk_milestones::table
        .inner_join(risks::table)
        .filter(risk_milestones::due_on.lt(today))
        .filter(risk_milestones::kind.ne(deadline))
        .filter(risks::status.eq(OPEN))
        .select(count_star())
        .first(conn)?;
    let passed_deadlines = risk_milestones::table
        .inner_join(risks::table)
        .filter(risk_milestones::due_on.lt(today))
        .filter(risk_milestones::kind.eq(deadline))
        .filter(risks::status.eq(OPEN))
        .select(count_star())
        .first(conn)?;
    let unaccepted = risk_treatments::table
        .filter(risk_treatments::acceptance.eq(Acceptance::Pending.as_str()))
        .filter(risk_treatments::owner_flagged_at.is_not_null())
        .select(count_star())
        .first(conn)?;
    Ok(Flags {
        overdue_reviews,
        passed_milestones,
        passed_deadlines,
        unaccepted,
    })
}
