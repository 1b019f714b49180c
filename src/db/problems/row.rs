//! The problem row, its audit trail, and the reads every problem command starts from.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{problem_events, problems};
use crate::db::users::UserRow;
use crate::domain::ids::UserId;
use crate::domain::priority::{Impact, Priority, Urgency};
use crate::domain::problem;
use crate::domain::problem::{ProblemId, RfcStatus, Status};
use crate::error::{AppError, AppResult};

impl TryFrom<String> for Status {
    type Error = String;

    fn try_from(stored: String) -> Result<Self, String> {
        Status::parse(&stored)
            .map_err(|_| format!("stored problem status '{stored}' is unreadable"))
    }
}

impl TryFrom<String> for RfcStatus {
    type Error = String;

    fn try_from(stored: String) -> Result<Self, String> {
        RfcStatus::parse(&stored)
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = problems)]
pub struct ProblemRow {
    #[diesel(deserialize_as = i64)]
    pub id: ProblemId,
    pub subject: String,
    pub description: String,
    pub business_impact: String,
    pub symptoms: String,
    pub service_details: String,
    pub equipment_details: String,
    pub previous_fixes: String,
    pub occurred_at: Option<NaiveDateTime>,
    pub client_id: Option<i64>,
    pub category_id: Option<i64>,
    pub team: String,
    pub owner_id: i64,
    #[diesel(deserialize_as = String)]
    pub status: Status,
    #[diesel(deserialize_as = String)]
    pub impact: Impact,
    #[diesel(deserialize_as = String)]
    pub urgency: Urgency,
    #[diesel(deserialize_as = String)]
    pub priority: Priority,
    pub root_cause: String,
    pub workaround: String,
    pub permanent_solution: String,
    pub investigating_at: Option<NaiveDateTime>,
    pub root_cause_at: Option<NaiveDateTime>,
    pub known_error_at: Option<NaiveDateTime>,
    pub fix_in_change_at: Option<NaiveDateTime>,
    pub resolved_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub archived_at: Option<NaiveDateTime>,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

impl ProblemRow {
    /// The stages the problem went through, with when (the blueprints' "stage/dates").
    pub fn stages(&self) -> Vec<(Status, NaiveDateTime)> {
        [
            (Status::Logged, Some(self.created_at)),
            (Status::Investigating, self.investigating_at),
            (Status::RootCauseKnown, self.root_cause_at),
            (Status::KnownError, self.known_error_at),
            (Status::FixInChange, self.fix_in_change_at),
            (Status::Resolved, self.resolved_at),
            (Status::Closed, self.closed_at),
            (Status::Archived, self.archived_at),
        ]
        .into_iter()
        .filter_map(|(s, at)| at.map(|at| (s, at)))
        .collect()
    }
}

pub fn find(conn: &mut DbConn, id: ProblemId) -> AppResult<Option<ProblemRow>> {
    Ok(problems::table
        .find(id.0)
        .select(ProblemRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn get(conn: &mut DbConn, id: ProblemId) -> AppResult<ProblemRow> {
    find(conn, id)?.ok_or(AppError::NotFound)
}

/// The row as the user saw it, or a conflict when someone saved it since.
pub(crate) fn get_at_version(
    conn: &mut DbConn,
    id: ProblemId,
    version: i64,
) -> AppResult<ProblemRow> {
    let row = get(conn, id)?;
    if row.version != version {
        return Err(stale());
    }
    Ok(row)
}

pub(crate) fn stale() -> AppError {
    AppError::Conflict(
        "Someone else saved this problem after you opened it. Your text is below; reload the \
         problem, check what changed, and apply it again."
            .into(),
    )
}

/// What a line of the problem's trail records.
pub mod kind {
    pub const CREATED: &str = "created";
    pub const NOTE: &str = "note";
    pub const STATUS: &str = "status";
    pub const ANALYSIS: &str = "analysis";
    pub const LINK: &str = "link";
    pub const RFC: &str = "rfc";
    pub const REVIEW: &str = "review";
    pub const CLOSURE: &str = "closure";
    pub const PUBLISHED: &str = "published";
    pub const EDIT: &str = "edit";
}

/// Writes one line of the problem's trail, in the caller's transaction.
pub(crate) fn log(
    conn: &mut DbConn,
    problem: ProblemId,
    actor: Option<UserId>,
    kind: &str,
    body: &str,
    detail: &str,
    at: NaiveDateTime,
) -> AppResult<()> {
    diesel::insert_into(problem_events::table)
        .values((
            problem_events::problem_id.eq(problem.0),
            problem_events::actor_id.eq(actor.map(|a| a.0)),
            problem_events::kind.eq(kind),
            problem_events::body.eq(body),
            problem_events::detail.eq(detail),
            problem_events::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = problem_events)]
pub struct ProblemEventRow {
    pub id: i64,
    pub problem_id: i64,
    pub actor_id: Option<i64>,
    pub kind: String,
    pub body: String,
    pub detail: String,
    pub created_at: NaiveDateTime,
}

pub fn events(conn: &mut DbConn, id: ProblemId) -> AppResult<Vec<ProblemEventRow>> {
    Ok(problem_events::table
        .filter(problem_events::problem_id.eq(id.0))
        .order((problem_events::created_at.asc(), problem_events::id.asc()))
        .select(ProblemEventRow::as_select())
        .load(conn)?)
}

/// Refuses anyone who may not drive problems (tier 1, on-site).
pub(crate) fn require_driver(actor: &UserRow) -> AppResult<()> {
    if problem::can_drive(actor.role(), actor.tier()) {
        Ok(())
    } else {
        Err(AppError::ForbiddenBecause(
            "Problems are driven by managers and tier 2/3 technicians; you may link incidents \
             and add to the investigation log."
                .into(),
        ))
    }
}
