//! The team review of a resolved problem (blueprints' "Review the problem"): the questions
//! answered, who took part, and what was decided.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::row::require_driver;
use super::row::{get, kind, log};
use crate::db::outcome::{Outcome, refuse};
use crate::db::schema::problem_reviews;
use crate::db::users::UserRow;
use crate::db::{DbConn, write_tx};
use crate::domain::problem::{self, ProblemId};
use crate::error::AppResult;

#[derive(Clone, Debug, Default, Queryable, Selectable)]
#[diesel(table_name = problem_reviews)]
pub struct ReviewRow {
    pub problem_id: i64,
    pub participants: String,
    pub went_well: String,
    pub went_wrong: String,
    pub do_better: String,
    pub prevention: String,
    pub third_party: String,
    pub outcomes: String,
    pub decision: String,
    pub reviewed_by: i64,
    pub reviewed_at: NaiveDateTime,
}

#[derive(Clone, Debug, Default)]
pub struct ReviewInput {
    pub participants: String,
    pub went_well: String,
    pub went_wrong: String,
    pub do_better: String,
    pub prevention: String,
    pub third_party: String,
    pub outcomes: String,
    pub decision: String,
}

#[tracing::instrument(skip_all, fields(problem_id = %id))]
pub fn record(
    conn: &mut DbConn,
    actor: &UserRow,
    id: ProblemId,
    input: &ReviewInput,
    now: DateTime<Utc>,
) -> Outcome<()> {
    require_driver(actor)?;
    write_tx(conn, |conn| {
        let row = get(conn, id)?;
        let reviewed = of_problem(conn, id)?.is_some();
        if let Err(message) = problem::check_review(row.status, reviewed) {
            return refuse("decision", message);
        }
        let at = now.naive_utc();
        diesel::insert_into(problem_reviews::table)
            .values((
                problem_reviews::problem_id.eq(id.0),
                problem_reviews::participants.eq(&input.participants),
                problem_reviews::went_well.eq(&input.went_well),
                problem_reviews::went_wrong.eq(&input.went_wrong),
                problem_reviews::do_better.eq(&input.do_better),
                problem_reviews::prevention.eq(&input.prevention),
                problem_reviews::third_party.eq(&input.third_party),
                problem_reviews::outcomes.eq(&input.outcomes),
                problem_reviews::decision.eq(&input.decision),
                problem_reviews::reviewed_by.eq(actor.id),
                problem_reviews::reviewed_at.eq(at),
            ))
            .execute(conn)?;
        log(
            conn,
            id,
            Some(actor.id()),
            kind::REVIEW,
            &input.decision,
            &format!("team review recorded with {}", input.participants),
            at,
        )?;
        Ok(Ok(()))
    })
}

pub fn of_problem(conn: &mut DbConn, id: ProblemId) -> AppResult<Option<ReviewRow>> {
    Ok(problem_reviews::table
        .find(id.0)
        .select(ReviewRow::as_select())
        .first(conn)
        .optional()?)
}
