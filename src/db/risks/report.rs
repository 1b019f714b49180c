//! What the printable client risk report reads, in a handful of queries for the whole client:
//! its recorded risks, their controls with the tickets carrying them out, their milestones and
//! deadlines, and the assets they concern.

use diesel::prelude::*;

use super::{AssetRow, ControlRow, MilestoneRow, OPEN, RiskRow, assets_of};
use crate::db::DbConn;
use crate::db::schema::{risk_controls, risk_milestones, risks, tickets};
use crate::domain::risk::Level;
use crate::domain::ticket::Status;
use crate::error::AppResult;

pub struct ReportData {
    pub risks: Vec<RiskRow>,
    pub drafts: i64,
    /// Each control with its ticket's status when a ticket carries it out.
    pub controls: Vec<(ControlRow, Option<Status>)>,
    pub milestones: Vec<MilestoneRow>,
    pub assets: Vec<AssetRow>,
}

/// The client's recorded risks, most severe first, and what the report shows beside them.
/// Drafts are only counted: they are not analysed and the client has not been told of them.
pub fn load(conn: &mut DbConn, client: i64) -> AppResult<ReportData> {
    let mut listed: Vec<RiskRow> = risks::table
        .filter(risks::client_id.eq(client))
        .filter(risks::status.eq(OPEN))
        .order(risks::id.asc())
        .select(RiskRow::as_select())
        .load(conn)?;
    // By level first (the matrix is the admins' word on severity), then by score.
    listed.sort_by_key(|r| {
        std::cmp::Reverse((
            r.inherent_level
                .as_deref()
                .and_then(|l| Level::parse(l).ok()),
            r.inherent()
                .map(|s| s.likelihood.number() * s.consequence.number()),
        ))
    });
    let drafts: i64 = risks::table
        .filter(risks::client_id.eq(client))
        .filter(risks::status.ne(OPEN))
        .count()
        .get_result(conn)?;
    let ids: Vec<i64> = listed.iter().map(|r| r.id).collect();
    let controls: Vec<(ControlRow, Option<String>)> = risk_controls::table
        .left_join(tickets::table)
        .filter(risk_controls::risk_id.eq_any(&ids))
        .order(risk_controls::id.asc())
        .select((ControlRow::as_select(), tickets::status.nullable()))
        .load(conn)?;
    let milestones = risk_milestones::table
        .filter(risk_milestones::risk_id.eq_any(&ids))
        .order(risk_milestones::due_on.asc())
        .select(MilestoneRow::as_select())
        .load(conn)?;
    Ok(ReportData {
        risks: listed,
        drafts,
        controls: controls
            .into_iter()
            .map(|(c, status)| (c, status.and_then(|s| Status::parse(&s).ok())))
            .collect(),
        milestones,
        assets: assets_of(conn, client)?,
    })
}
