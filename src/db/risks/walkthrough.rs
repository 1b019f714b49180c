//! The walk-through on site: started per client, saved page by page (so it can be resumed),
//! its ticked example risks turned into draft risks when it is finished.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{AssetRow, DRAFT, NewHistory, RiskRow, add_history};
use crate::db::schema::{
    assets, risk_milestones, risk_templates, risk_walkthrough_ticks, risk_walkthroughs, risks,
};
use crate::db::{DbConn, write_tx};
use crate::domain::ids::UserId;
use crate::domain::risk_review::MilestoneKind;
use crate::domain::risk_walkthrough::Step;
use crate::error::{AppError, AppResult};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = risk_walkthroughs)]
pub struct WalkthroughRow {
    pub id: i64,
    pub client_id: i64,
    pub started_by: i64,
    pub started_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub step: String,
    pub threats: String,
    pub measures_existing: String,
    pub measures_planned: String,
    pub vulnerabilities: String,
    pub consequences: String,
    pub business_processes: String,
    pub finished_at: Option<NaiveDateTime>,
}

impl WalkthroughRow {
    /// The page to resume on.
    pub fn step(&self) -> Step {
        Step::parse(&self.step).unwrap_or(Step::Assets)
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = risk_templates)]
pub struct TemplateRow {
    pub id: i64,
    pub title: String,
    pub vulnerability: String,
    pub threat: String,
    pub position: i32,
    pub active: bool,
}

/// The notes of one text page; the measures page has two.
#[derive(Clone, Debug, Default)]
pub struct PageNotes {
    pub first: String,
    pub second: String,
}

/// A new asset entered on the first page.
#[derive(Clone, Debug)]
pub struct NewAsset {
    pub name: String,
    pub description: String,
    pub warranty_end: Option<NaiveDate>,
    pub end_of_support: Option<NaiveDate>,
}

pub fn start(conn: &mut DbConn, client: i64, by: UserId, now: DateTime<Utc>) -> AppResult<i64> {
    let at = now.naive_utc();
    write_tx(conn, |conn| {
        Ok(diesel::insert_into(risk_walkthroughs::table)
            .values((
                risk_walkthroughs::client_id.eq(client),
                risk_walkthroughs::started_by.eq(by.0),
                risk_walkthroughs::started_at.eq(at),
                risk_walkthroughs::updated_at.eq(at),
                risk_walkthroughs::step.eq(Step::Assets.as_str()),
                risk_walkthroughs::threats.eq(""),
                risk_walkthroughs::measures_existing.eq(""),
                risk_walkthroughs::measures_planned.eq(""),
                risk_walkthroughs::vulnerabilities.eq(""),
                risk_walkthroughs::consequences.eq(""),
                risk_walkthroughs::business_processes.eq(""),
            ))
            .returning(risk_walkthroughs::id)
            .get_result(conn)?)
    })
}

pub fn get(conn: &mut DbConn, id: i64) -> AppResult<WalkthroughRow> {
    risk_walkthroughs::table
        .find(id)
        .select(WalkthroughRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The client's walk-throughs, newest first: the unfinished ones are offered to resume.
pub fn of_client(conn: &mut DbConn, client: i64) -> AppResult<Vec<WalkthroughRow>> {
    Ok(risk_walkthroughs::table
        .filter(risk_walkthroughs::client_id.eq(client))
        .order(risk_walkthroughs::started_at.desc())
        .select(WalkthroughRow::as_select())
        .load(conn)?)
}

pub fn templates(conn: &mut DbConn) -> AppResult<Vec<TemplateRow>> {
    Ok(risk_templates::table
        .filter(risk_templates::active.eq(true))
        .order(risk_templates::position.asc())
        .select(TemplateRow::as_select())
        .load(conn)?)
}

fn open_walkthrough(conn: &mut DbConn, id: i64) -> AppResult<WalkthroughRow> {
    let row = get(conn, id)?;
    if row.finished_at.is_some() {
        return Err(AppError::Conflict(
            "This walk-through is finished; start a new one to record more.".into(),
        ));
    }
    Ok(row)
}

/// Saves the notes of a text page and moves the walk-through on to `then`, so that leaving
/// the site half-way resumes where the technician stopped.
pub fn save_page(
    conn: &mut DbConn,
    id: i64,
    step: Step,
    notes: &PageNotes,
    then: Step,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let at = now.naive_utc();
    write_tx(conn, |conn| {
        open_walkthrough(conn, id)?;
        let target = risk_walkthroughs::table.find(id);
        let first = notes.first.as_str();
        match step {
            Step::Threats => diesel::update(target)
                .set(risk_walkthroughs::threats.eq(first))
                .execute(conn)?,
            Step::Measures => diesel::update(target)
                .set((
                    risk_walkthroughs::measures_existing.eq(first),
                    risk_walkthroughs::measures_planned.eq(notes.second.as_str()),
                ))
                .execute(conn)?,
            Step::Vulnerabilities => diesel::update(target)
                .set(risk_walkthroughs::vulnerabilities.eq(first))
                .execute(conn)?,
            Step::Consequences => diesel::update(target)
                .set(risk_walkthroughs::consequences.eq(first))
                .execute(conn)?,
            Step::Processes => diesel::update(target)
                .set(risk_walkthroughs::business_processes.eq(first))
                .execute(conn)?,
            Step::Assets | Step::Checklist => 0,
        };
        diesel::update(target)
            .set((
                risk_walkthroughs::step.eq(then.as_str()),
                risk_walkthroughs::updated_at.eq(at),
            ))
            .execute(conn)?;
        Ok(())
    })
}

pub fn add_asset(
    conn: &mut DbConn,
    id: i64,
    asset: &NewAsset,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let at = now.naive_utc();
    write_tx(conn, |conn| {
        let walk = open_walkthrough(conn, id)?;
        let asset_id = diesel::insert_into(assets::table)
            .values((
                assets::client_id.eq(walk.client_id),
                assets::name.eq(&asset.name),
                assets::description.eq(&asset.description),
                assets::warranty_end.eq(asset.warranty_end),
                assets::end_of_support.eq(asset.end_of_support),
                assets::created_at.eq(at),
            ))
            .returning(assets::id)
            .get_result(conn)?;
        diesel::update(risk_walkthroughs::table.find(id))
            .set(risk_walkthroughs::updated_at.eq(at))
            .execute(conn)?;
        Ok(asset_id)
    })
}

/// The ticked example risks, each with the asset it concerns.
pub fn ticks(conn: &mut DbConn, id: i64) -> AppResult<Vec<(i64, Option<i64>)>> {
    Ok(risk_walkthrough_ticks::table
        .filter(risk_walkthrough_ticks::walkthrough_id.eq(id))
        .order(risk_walkthrough_ticks::id.asc())
        .select((
            risk_walkthrough_ticks::template_id,
            risk_walkthrough_ticks::asset_id,
        ))
        .load(conn)?)
}

/// Replaces the checklist's ticks. An asset must be the walk-through's client's.
pub fn save_ticks(
    conn: &mut DbConn,
    id: i64,
    ticked: &[(i64, Option<i64>)],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let at = now.naive_utc();
    write_tx(conn, |conn| {
        let walk = open_walkthrough(conn, id)?;
        let own: Vec<i64> = assets::table
            .filter(assets::client_id.eq(walk.client_id))
            .select(assets::id)
            .load(conn)?;
        diesel::delete(
            risk_walkthrough_ticks::table.filter(risk_walkthrough_ticks::walkthrough_id.eq(id)),
        )
        .execute(conn)?;
        for &(template, asset) in ticked {
            if asset.is_some_and(|a| !own.contains(&a)) {
                return Err(AppError::NotFound);
            }
            diesel::insert_into(risk_walkthrough_ticks::table)
                .values((
                    risk_walkthrough_ticks::walkthrough_id.eq(id),
                    risk_walkthrough_ticks::template_id.eq(template),
                    risk_walkthrough_ticks::asset_id.eq(asset),
                ))
                .execute(conn)?;
        }
        diesel::update(risk_walkthroughs::table.find(id))
            .set((
                risk_walkthroughs::step.eq(Step::Checklist.as_str()),
                risk_walkthroughs::updated_at.eq(at),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// Finishes the walk-through: every ticked example risk becomes a draft risk with its asset
/// and vulnerability, and the asset's warranty end and end of support become its milestones.
pub fn finish(conn: &mut DbConn, id: i64, by: UserId, now: DateTime<Utc>) -> AppResult<()> {
    let at = now.naive_utc();
    write_tx(conn, |conn| {
        let walk = open_walkthrough(conn, id)?;
        let ticked = ticks(conn, id)?;
        for (template, asset) in ticked {
            let template: TemplateRow = risk_templates::table
                .find(template)
                .select(TemplateRow::as_select())
                .first(conn)?;
            let risk: i64 = diesel::insert_into(risks::table)
                .values((
                    risks::client_id.eq(walk.client_id),
                    risks::walkthrough_id.eq(Some(id)),
                    risks::title.eq(&template.title),
                    risks::asset_id.eq(asset),
                    risks::vulnerability.eq(&template.vulnerability),
                    risks::cause.eq(""),
                    risks::source.eq(&template.threat),
                    risks::status.eq(DRAFT),
                    risks::decision_reason.eq(""),
                    risks::version.eq(1),
                    risks::created_by.eq(by.0),
                    risks::created_at.eq(at),
                    risks::updated_at.eq(at),
                ))
                .returning(risks::id)
                .get_result(conn)?;
            if let Some(asset) = asset {
                asset_milestones(conn, risk, asset)?;
            }
            add_history(
                conn,
                &NewHistory {
                    risk_id: risk,
                    at,
                    actor_id: Some(by.0),
                    contact_id: None,
                    what: "found",
                    change: "Found during the walk-through",
                    reason: "",
                },
            )?;
        }
        diesel::update(risk_walkthroughs::table.find(id))
            .set((
                risk_walkthroughs::finished_at.eq(Some(at)),
                risk_walkthroughs::updated_at.eq(at),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// Picks the asset's warranty end and end of support up as the risk's milestones.
pub(crate) fn asset_milestones(conn: &mut DbConn, risk: i64, asset: i64) -> AppResult<()> {
    let asset: AssetRow = assets::table
        .find(asset)
        .select(AssetRow::as_select())
        .first(conn)?;
    for (kind, date) in [
        (MilestoneKind::WarrantyEnd, asset.warranty_end),
        (MilestoneKind::EndOfSupport, asset.end_of_support),
    ] {
        if let Some(date) = date {
            diesel::insert_into(risk_milestones::table)
                .values((
                    risk_milestones::risk_id.eq(risk),
                    risk_milestones::kind.eq(kind.as_str()),
                    risk_milestones::due_on.eq(date),
                    risk_milestones::note.eq(&asset.name),
                    risk_milestones::asset_id.eq(Some(asset.id)),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// The risks a walk-through found, in the order they were ticked.
pub fn found(conn: &mut DbConn, id: i64) -> AppResult<Vec<RiskRow>> {
    Ok(risks::table
        .filter(risks::walkthrough_id.eq(Some(id)))
        .order(risks::id.asc())
        .select(RiskRow::as_select())
        .load(conn)?)
}
