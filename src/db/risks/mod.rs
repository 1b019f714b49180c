//! Client risks: the walk-through that finds them, the register that analyses and treats
//! them, the client's acknowledgement and acceptance through e-mailed links, and the reads
//! the monitoring sweep and the dashboard need.

pub mod admin;
pub mod client;
pub mod deadline;
pub mod monitor;
pub mod register;
pub mod report;
pub mod tickets;
pub mod walkthrough;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::DbConn;
use super::schema::{
    assets, risk_controls, risk_history, risk_matrix, risk_milestones, risk_settings,
    risk_treatments, risks,
};
use crate::domain::risk::{Consequence, Level, Likelihood, RiskMatrix, Score};
use crate::domain::risk_review::ReviewSchedule;
use crate::error::{AppError, AppResult};

/// A risk found but not yet analysed; it is not told to the client until it is.
pub const DRAFT: &str = "draft";
/// Analysed, recorded and told to the client.
pub const OPEN: &str = "open";

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = risks)]
pub struct RiskRow {
    pub id: i64,
    pub client_id: i64,
    pub walkthrough_id: Option<i64>,
    pub ticket_id: Option<i64>,
    pub title: String,
    pub asset_id: Option<i64>,
    pub vulnerability: String,
    pub cause: String,
    pub source: String,
    pub status: String,
    pub owner_id: Option<i64>,
    pub inherent_likelihood: Option<i32>,
    pub inherent_consequence: Option<i32>,
    pub inherent_level: Option<String>,
    pub residual_likelihood: Option<i32>,
    pub residual_consequence: Option<i32>,
    pub residual_level: Option<String>,
    pub classification: Option<String>,
    pub tolerance: Option<String>,
    pub decision_reason: String,
    pub current_treatment_id: Option<i64>,
    pub acknowledged_at: Option<NaiveDateTime>,
    pub acknowledged_by: Option<i64>,
    pub review_on: Option<NaiveDate>,
    pub review_reminded_on: Option<NaiveDate>,
    pub version: i32,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl RiskRow {
    pub fn is_draft(&self) -> bool {
        self.status == DRAFT
    }

    pub fn inherent(&self) -> Option<Score> {
        score(self.inherent_likelihood, self.inherent_consequence)
    }

    pub fn residual(&self) -> Option<Score> {
        score(self.residual_likelihood, self.residual_consequence)
    }

    pub fn level_label(&self) -> &'static str {
        level_label(self.inherent_level.as_deref())
    }
}

fn score(likelihood: Option<i32>, consequence: Option<i32>) -> Option<Score> {
    Some(Score::new(
        Likelihood::from_number(likelihood?).ok()?,
        Consequence::from_number(consequence?).ok()?,
    ))
}

/// A date as the risk pages and mails write it, e.g. "2 Dec 2026".
pub fn format_date(date: NaiveDate) -> String {
    date.format("%-d %b %Y").to_string()
}

/// The level's label, or a dash for a risk not analysed yet.
pub fn level_label(level: Option<&str>) -> &'static str {
    level
        .and_then(|l| Level::parse(l).ok())
        .map(Level::label)
        .unwrap_or("Not analysed")
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = assets)]
pub struct AssetRow {
    pub id: i64,
    pub client_id: i64,
    pub name: String,
    pub description: String,
    pub warranty_end: Option<NaiveDate>,
    pub end_of_support: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = risk_treatments)]
pub struct TreatmentRow {
    pub id: i64,
    pub risk_id: i64,
    pub options: String,
    pub summary: String,
    pub decided_by: i64,
    pub decided_at: NaiveDateTime,
    pub acceptance: String,
    pub answered_at: Option<NaiveDateTime>,
    pub answered_by: Option<i64>,
    pub answer_comment: String,
    pub reminded_at: Option<NaiveDateTime>,
    pub owner_flagged_at: Option<NaiveDateTime>,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = risk_controls)]
pub struct ControlRow {
    pub id: i64,
    pub risk_id: i64,
    pub kind: String,
    pub what: String,
    pub owner_id: i64,
    pub state: String,
    pub ticket_id: Option<i64>,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = risk_milestones)]
pub struct MilestoneRow {
    pub id: i64,
    pub risk_id: i64,
    pub kind: String,
    pub due_on: NaiveDate,
    pub note: String,
    pub asset_id: Option<i64>,
    pub reminded_at: Option<NaiveDateTime>,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = risk_history)]
pub struct HistoryRow {
    pub id: i64,
    pub risk_id: i64,
    pub at: NaiveDateTime,
    pub actor_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub what: String,
    pub change: String,
    pub reason: String,
}

#[derive(Insertable)]
#[diesel(table_name = risk_history)]
pub(crate) struct NewHistory<'a> {
    pub risk_id: i64,
    pub at: NaiveDateTime,
    pub actor_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub what: &'a str,
    pub change: &'a str,
    pub reason: &'a str,
}

pub(crate) fn add_history(conn: &mut DbConn, entry: &NewHistory<'_>) -> AppResult<()> {
    diesel::insert_into(risk_history::table)
        .values(entry)
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConn, id: i64) -> AppResult<RiskRow> {
    risks::table
        .find(id)
        .select(RiskRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The matrix as the admins left it.
pub fn matrix(conn: &mut DbConn) -> AppResult<RiskMatrix> {
    let cells: Vec<(i32, i32, String)> = risk_matrix::table
        .select((
            risk_matrix::likelihood,
            risk_matrix::consequence,
            risk_matrix::level,
        ))
        .load(conn)?;
    let mut matrix = RiskMatrix::standard();
    for (l, c, level) in cells {
        let score = Score::new(
            Likelihood::from_number(l).map_err(AppError::internal)?,
            Consequence::from_number(c).map_err(AppError::internal)?,
        );
        matrix = matrix.with(score, Level::parse(&level).map_err(AppError::internal)?);
    }
    Ok(matrix)
}

/// The review schedule and the days the client has to accept a treatment.
pub fn settings(conn: &mut DbConn) -> AppResult<(ReviewSchedule, i64)> {
    let (managed, monitored, observed, acceptance): (i32, i32, i32, i32) = risk_settings::table
        .find(1_i64)
        .select((
            risk_settings::managed_days,
            risk_settings::monitored_days,
            risk_settings::observed_days,
            risk_settings::acceptance_days,
        ))
        .first(conn)?;
    let schedule = ReviewSchedule::new(managed, monitored, observed).map_err(AppError::internal)?;
    Ok((schedule, i64::from(acceptance)))
}

pub fn assets_of(conn: &mut DbConn, client: i64) -> AppResult<Vec<AssetRow>> {
    Ok(assets::table
        .filter(assets::client_id.eq(client))
        .order(assets::name.asc())
        .select(AssetRow::as_select())
        .load(conn)?)
}

pub fn treatment(conn: &mut DbConn, id: i64) -> AppResult<TreatmentRow> {
    Ok(risk_treatments::table
        .find(id)
        .select(TreatmentRow::as_select())
        .first(conn)?)
}

pub fn treatments_of(conn: &mut DbConn, risk: i64) -> AppResult<Vec<TreatmentRow>> {
    Ok(risk_treatments::table
        .filter(risk_treatments::risk_id.eq(risk))
        .order(risk_treatments::id.desc())
        .select(TreatmentRow::as_select())
        .load(conn)?)
}

pub fn controls_of(conn: &mut DbConn, risk: i64) -> AppResult<Vec<ControlRow>> {
    Ok(risk_controls::table
        .filter(risk_controls::risk_id.eq(risk))
        .order(risk_controls::id.asc())
        .select(ControlRow::as_select())
        .load(conn)?)
}

pub fn milestones_of(conn: &mut DbConn, risk: i64) -> AppResult<Vec<MilestoneRow>> {
    Ok(risk_milestones::table
        .filter(risk_milestones::risk_id.eq(risk))
        .order(risk_milestones::due_on.asc())
        .select(MilestoneRow::as_select())
        .load(conn)?)
}

pub fn history_of(conn: &mut DbConn, risk: i64) -> AppResult<Vec<HistoryRow>> {
    Ok(risk_history::table
        .filter(risk_history::risk_id.eq(risk))
        .order((risk_history::at.desc(), risk_history::id.desc()))
        .select(HistoryRow::as_select())
        .load(conn)?)
}
