//! Business calendars, SLA policies and the priority matrix: what a client is promised.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc, Weekday};
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::schema::{
    calendar_holidays, calendar_intervals, calendars, clients, priority_matrix, sla_policies,
    sla_targets,
};
use super::{DbConn, audit, write_tx};
use crate::domain::calendar::{BusinessCalendar, OpeningInterval, WEEK};
use crate::domain::ids::{CalendarId, HolidayId, PolicyId, UserId};
use crate::domain::inputs::{FieldErrors, format_minutes, format_opening_hours};
use crate::domain::priority::{Impact, Priority, PriorityMatrix, Urgency};
use crate::domain::sla::{ClockMode, SlaTargets, Target};
use crate::error::{AppError, AppResult};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = calendars)]
pub struct CalendarRow {
    pub id: i64,
    pub name: String,
    pub time_zone: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = calendar_intervals)]
pub struct IntervalRow {
    pub id: i64,
    pub calendar_id: i64,
    pub weekday: i32,
    pub start_minute: i32,
    pub end_minute: i32,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = calendar_holidays)]
pub struct HolidayRow {
    pub id: i64,
    pub calendar_id: i64,
    pub holiday_date: NaiveDate,
    pub name: String,
}

/// A calendar with its opening hours and holidays, as stored.
#[derive(Clone, Debug)]
pub struct CalendarRecord {
    pub row: CalendarRow,
    pub intervals: Vec<IntervalRow>,
    pub holidays: Vec<HolidayRow>,
}

fn weekday_from_index(index: i32) -> Option<Weekday> {
    u8::try_from(index)
        .ok()
        .and_then(|i| Weekday::try_from(i).ok())
}

impl CalendarRecord {
    /// The rows were validated when written; a calendar that no longer builds is a broken
    /// record, reported as an internal error rather than silently counted as closed.
    pub fn business_calendar(&self) -> AppResult<BusinessCalendar> {
        let zone: chrono_tz::Tz = self.row.time_zone.parse().map_err(|_| {
            AppError::internal(format!(
                "calendar {} has zone {}",
                self.row.id, self.row.time_zone
            ))
        })?;
        let mut builder = BusinessCalendar::builder(zone);
        for interval in &self.intervals {
            let weekday = weekday_from_index(interval.weekday).ok_or_else(|| {
                AppError::internal(format!(
                    "calendar interval {} has weekday {}",
                    interval.id, interval.weekday
                ))
            })?;
            let start = u16::try_from(interval.start_minute).unwrap_or(u16::MAX);
            let end = u16::try_from(interval.end_minute).unwrap_or(u16::MAX);
            builder = builder.open_minutes(weekday, start, end);
        }
        builder = builder.holidays(self.holidays.iter().map(|h| h.holiday_date));
        builder
            .build()
            .map_err(|e| AppError::internal(format!("calendar {}: {e}", self.row.id)))
    }

    /// Each weekday's hours as text, Monday first.
    pub fn week(&self) -> Vec<(Weekday, String)> {
        WEEK.iter()
            .map(|day| {
                let mut ranges: Vec<(u16, u16)> = self
                    .intervals
                    .iter()
                    .filter(|i| weekday_from_index(i.weekday) == Some(*day))
                    .map(|i| {
                        (
                            u16::try_from(i.start_minute).unwrap_or(0),
                            u16::try_from(i.end_minute).unwrap_or(0),
                        )
                    })
                    .collect();
                ranges.sort_unstable();
                (*day, format_opening_hours(&ranges))
            })
            .collect()
    }
}

/// A calendar or policy with how many clients it serves, for the service-levels index.
pub struct Summary<R> {
    pub record: R,
    pub client_count: i64,
}

pub type CalendarSummary = Summary<CalendarRecord>;
pub type PolicySummary = Summary<PolicyRecord>;

/// Pairs each record with its number of clients, from one grouped count over the clients'
/// `calendar_id` or `sla_policy_id` column.
fn with_client_counts<R, F>(
    conn: &mut DbConn,
    records: Vec<R>,
    id: impl Fn(&R) -> i64,
    count_by_column: F,
) -> AppResult<Vec<Summary<R>>>
where
    F: Fn(&mut DbConn) -> QueryResult<Vec<(i64, i64)>>,
{
    let counts: HashMap<i64, i64> = count_by_column(conn)?.into_iter().collect();
    Ok(records
        .into_iter()
        .map(|record| Summary {
            client_count: counts.get(&id(&record)).copied().unwrap_or(0),
            record,
        })
        .collect())
}

/// The rows of `all` that belong to the record `owner`.
fn owned_by<T: Clone>(all: &[T], owner: i64, owner_of: impl Fn(&T) -> i64) -> Vec<T> {
    all.iter()
        .filter(|row| owner_of(row) == owner)
        .cloned()
        .collect()
}

pub fn list_calendars(conn: &mut DbConn) -> AppResult<Vec<CalendarSummary>> {
    let rows: Vec<CalendarRow> = calendars::table
        .order(calendars::name.asc())
        .select(CalendarRow::as_select())
        .load(conn)?;
    let intervals: Vec<IntervalRow> = calendar_intervals::table
        .order((
            calendar_intervals::weekday,
            calendar_intervals::start_minute,
        ))
        .select(IntervalRow::as_select())
        .load(conn)?;
    let holidays: Vec<HolidayRow> = calendar_holidays::table
        .order(calendar_holidays::holiday_date)
        .select(HolidayRow::as_select())
        .load(conn)?;
    let records = rows
        .into_iter()
        .map(|row| CalendarRecord {
            intervals: owned_by(&intervals, row.id, |i| i.calendar_id),
            holidays: owned_by(&holidays, row.id, |h| h.calendar_id),
            row,
        })
        .collect();
    with_client_counts(
        conn,
        records,
        |r| r.row.id,
        |conn| {
            clients::table
                .group_by(clients::calendar_id)
                .select((clients::calendar_id, count_star()))
                .load(conn)
        },
    )
}

pub fn load_calendar(conn: &mut DbConn, id: CalendarId) -> AppResult<CalendarRecord> {
    let row = calendars::table
        .find(id.0)
        .select(CalendarRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let intervals = calendar_intervals::table
        .filter(calendar_intervals::calendar_id.eq(id.0))
        .order((
            calendar_intervals::weekday,
            calendar_intervals::start_minute,
        ))
        .select(IntervalRow::as_select())
        .load(conn)?;
    let holidays = calendar_holidays::table
        .filter(calendar_holidays::calendar_id.eq(id.0))
        .order(calendar_holidays::holiday_date)
        .select(HolidayRow::as_select())
        .load(conn)?;
    Ok(CalendarRecord {
        row,
        intervals,
        holidays,
    })
}

/// A calendar's name, zone and weekly hours, already checked by the calendar builder.
#[derive(Clone, Debug)]
pub struct CalendarInput {
    pub name: String,
    pub zone: chrono_tz::Tz,
    pub intervals: Vec<OpeningInterval>,
}

fn calendar_name_taken(
    conn: &mut DbConn,
    name: &str,
    except: Option<CalendarId>,
) -> AppResult<Option<FieldErrors>> {
    let other: Option<i64> = calendars::table
        .filter(calendars::name.eq(name))
        .select(calendars::id)
        .first(conn)
        .optional()?;
    Ok(other
        .filter(|id| Some(CalendarId(*id)) != except)
        .map(|_| FieldErrors::single("name", "Another calendar has this name.")))
}

fn insert_intervals(
    conn: &mut DbConn,
    id: CalendarId,
    intervals: &[OpeningInterval],
) -> AppResult<()> {
    for interval in intervals {
        diesel::insert_into(calendar_intervals::table)
            .values((
                calendar_intervals::calendar_id.eq(id.0),
                calendar_intervals::weekday.eq(interval.weekday.num_days_from_monday() as i32),
                calendar_intervals::start_minute.eq(i32::from(interval.start_minute)),
                calendar_intervals::end_minute.eq(i32::from(interval.end_minute)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn describe_week(intervals: &[OpeningInterval]) -> String {
    WEEK.iter()
        .map(|day| {
            let ranges: Vec<(u16, u16)> = intervals
                .iter()
                .filter(|i| i.weekday == *day)
                .map(|i| (i.start_minute, i.end_minute))
                .collect();
            format!("{day} {}", format_opening_hours(&ranges))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[tracing::instrument(skip_all)]
pub fn create_calendar(
    conn: &mut DbConn,
    actor: UserId,
    input: &CalendarInput,
    now: DateTime<Utc>,
) -> AppResult<Result<CalendarRow, FieldErrors>> {
    write_tx(conn, |conn| {
        if let Some(errors) = calendar_name_taken(conn, &input.name, None)? {
            return Ok(Err(errors));
        }
        let now = now.naive_utc();
        let row = diesel::insert_into(calendars::table)
            .values((
                calendars::name.eq(&input.name),
                calendars::time_zone.eq(input.zone.name()),
                calendars::created_at.eq(now),
                calendars::updated_at.eq(now),
            ))
            .returning(calendars::all_columns)
            .get_result::<CalendarRow>(conn)?;
        insert_intervals(conn, CalendarId(row.id), &input.intervals)?;
        audit::record(
            conn,
            Some(actor),
            audit::Entity::Calendar,
            row.id,
            "created",
            &format!(
                "{} ({}): {}",
                row.name,
                row.time_zone,
                describe_week(&input.intervals)
            ),
            now,
        )?;
        Ok(Ok(row))
    })
}

#[tracing::instrument(skip_all, fields(calendar_id = %id))]
pub fn update_calendar(
    conn: &mut DbConn,
    actor: UserId,
    id: CalendarId,
    input: &CalendarInput,
    now: DateTime<Utc>,
) -> AppResult<Result<CalendarRow, FieldErrors>> {
    write_tx(conn, |conn| {
        let before = load_calendar(conn, id)?;
        if let Some(errors) = calendar_name_taken(conn, &input.name, Some(id))? {
            return Ok(Err(errors));
        }
        let now = now.naive_utc();
        let row = diesel::update(calendars::table.find(id.0))
            .set((
                calendars::name.eq(&input.name),
                calendars::time_zone.eq(input.zone.name()),
                calendars::updated_at.eq(now),
            ))
            .returning(calendars::all_columns)
            .get_result::<CalendarRow>(conn)?;
        diesel::delete(calendar_intervals::table.filter(calendar_intervals::calendar_id.eq(id.0)))
            .execute(conn)?;
        insert_intervals(conn, id, &input.intervals)?;
        let before_week = before.business_calendar()?.intervals().collect::<Vec<_>>();
        let mut changes = audit::Changes::default();
        changes.value("name", &before.row.name, &row.name);
        changes.value("time zone", &before.row.time_zone, &row.time_zone);
        changes.value(
            "hours",
            &describe_week(&before_week),
            &describe_week(&input.intervals),
        );
        changes.record(conn, actor, audit::Entity::Calendar, id.0, now)?;
        Ok(Ok(row))
    })
}

pub fn add_holiday(
    conn: &mut DbConn,
    actor: UserId,
    id: CalendarId,
    date: NaiveDate,
    name: &str,
    now: DateTime<Utc>,
) -> AppResult<Result<(), FieldErrors>> {
    write_tx(conn, |conn| {
        load_calendar(conn, id)?;
        let existing: Option<String> = calendar_holidays::table
            .filter(calendar_holidays::calendar_id.eq(id.0))
            .filter(calendar_holidays::holiday_date.eq(date))
            .select(calendar_holidays::name)
            .first(conn)
            .optional()?;
        if let Some(existing) = existing {
            return Ok(Err(FieldErrors::single(
                "holiday_date",
                format!("{date} is already a holiday ({existing})."),
            )));
        }
        diesel::insert_into(calendar_holidays::table)
            .values((
                calendar_holidays::calendar_id.eq(id.0),
                calendar_holidays::holiday_date.eq(date),
                calendar_holidays::name.eq(name),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            Some(actor),
            audit::Entity::Calendar,
            id.0,
            "holiday added",
            &format!("{date} {name}"),
            now.naive_utc(),
        )?;
        Ok(Ok(()))
    })
}

pub fn remove_holiday(
    conn: &mut DbConn,
    actor: UserId,
    id: CalendarId,
    holiday: HolidayId,
    now: DateTime<Utc>,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let row = calendar_holidays::table
            .find(holiday.0)
            .filter(calendar_holidays::calendar_id.eq(id.0))
            .select(HolidayRow::as_select())
            .first(conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        diesel::delete(calendar_holidays::table.find(holiday.0)).execute(conn)?;
        audit::record(
            conn,
            Some(actor),
            audit::Entity::Calendar,
            id.0,
            "holiday removed",
            &format!("{} {}", row.holiday_date, row.name),
            now.naive_utc(),
        )?;
        Ok(())
    })
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = sla_policies)]
pub struct PolicyRow {
    pub id: i64,
    pub name: String,
    pub due_soon_percent: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = sla_targets)]
pub struct TargetRow {
    pub id: i64,
    pub policy_id: i64,
    pub priority: String,
    pub response_minutes: i32,
    pub resolution_minutes: i32,
    pub clock_mode: String,
}

#[derive(Clone, Debug)]
pub struct PolicyRecord {
    pub row: PolicyRow,
    pub targets: Vec<TargetRow>,
}

impl PolicyRecord {
    /// A priority without a stored target is a broken record: reported, never guessed.
    pub fn sla_targets(&self) -> AppResult<SlaTargets> {
        let mut targets = SlaTargets::blueprint_default();
        for priority in Priority::ALL {
            let row = self
                .targets
                .iter()
                .find(|t| t.priority == priority.as_str())
                .ok_or_else(|| {
                    AppError::internal(format!(
                        "policy {} has no {} target",
                        self.row.id,
                        priority.as_str()
                    ))
                })?;
            let mode = ClockMode::parse(&row.clock_mode).map_err(AppError::internal)?;
            targets = targets.with(
                priority,
                Target {
                    response: chrono::Duration::minutes(i64::from(row.response_minutes)),
                    resolution: chrono::Duration::minutes(i64::from(row.resolution_minutes)),
                    mode,
                },
            );
        }
        Ok(targets)
    }

    /// How much counted time left makes a clock with this `target` "due soon".
    pub fn due_soon(&self, target: chrono::Duration) -> chrono::Duration {
        crate::domain::sla::due_soon_within(target, self.row.due_soon_percent)
    }
}

pub fn list_policies(conn: &mut DbConn) -> AppResult<Vec<PolicySummary>> {
    let rows: Vec<PolicyRow> = sla_policies::table
        .order(sla_policies::name.asc())
        .select(PolicyRow::as_select())
        .load(conn)?;
    let targets: Vec<TargetRow> = sla_targets::table
        .order(sla_targets::priority)
        .select(TargetRow::as_select())
        .load(conn)?;
    let records = rows
        .into_iter()
        .map(|row| PolicyRecord {
            targets: owned_by(&targets, row.id, |t| t.policy_id),
            row,
        })
        .collect();
    with_client_counts(
        conn,
        records,
        |r| r.row.id,
        |conn| {
            clients::table
                .group_by(clients::sla_policy_id)
                .select((clients::sla_policy_id, count_star()))
                .load(conn)
        },
    )
}

pub fn load_policy(conn: &mut DbConn, id: PolicyId) -> AppResult<PolicyRecord> {
    let row = sla_policies::table
        .find(id.0)
        .select(PolicyRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let targets = sla_targets::table
        .filter(sla_targets::policy_id.eq(id.0))
        .order(sla_targets::priority)
        .select(TargetRow::as_select())
        .load(conn)?;
    Ok(PolicyRecord { row, targets })
}

#[derive(Clone, Debug)]
pub struct PolicyInput {
    pub name: String,
    /// The share of each target, in percent, that counts as "due soon".
    pub due_soon_percent: i32,
    pub targets: SlaTargets,
}

fn minutes(d: chrono::Duration) -> i32 {
    i32::try_from(d.num_minutes()).unwrap_or(i32::MAX)
}

fn replace_targets(conn: &mut DbConn, id: PolicyId, targets: &SlaTargets) -> AppResult<()> {
    diesel::delete(sla_targets::table.filter(sla_targets::policy_id.eq(id.0))).execute(conn)?;
    for priority in Priority::ALL {
        let target = targets.target(priority);
        diesel::insert_into(sla_targets::table)
            .values((
                sla_targets::policy_id.eq(id.0),
                sla_targets::priority.eq(priority.as_str()),
                sla_targets::response_minutes.eq(minutes(target.response)),
                sla_targets::resolution_minutes.eq(minutes(target.resolution)),
                sla_targets::clock_mode.eq(target.mode.as_str()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn describe_targets(targets: &SlaTargets) -> String {
    Priority::ALL
        .iter()
        .map(|p| {
            let t = targets.target(*p);
            format!(
                "{} {} / {} ({})",
                p.as_str(),
                format_minutes(t.response.num_minutes()),
                format_minutes(t.resolution.num_minutes()),
                t.mode.label()
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn policy_name_taken(
    conn: &mut DbConn,
    name: &str,
    except: Option<PolicyId>,
) -> AppResult<Option<FieldErrors>> {
    let other: Option<i64> = sla_policies::table
        .filter(sla_policies::name.eq(name))
        .select(sla_policies::id)
        .first(conn)
        .optional()?;
    Ok(other
        .filter(|id| Some(PolicyId(*id)) != except)
        .map(|_| FieldErrors::single("name", "Another SLA policy has this name.")))
}

#[tracing::instrument(skip_all)]
pub fn create_policy(
    conn: &mut DbConn,
    actor: UserId,
    input: &PolicyInput,
    now: DateTime<Utc>,
) -> AppResult<Result<PolicyRow, FieldErrors>> {
    write_tx(conn, |conn| {
        if let Some(errors) = policy_name_taken(conn, &input.name, None)? {
            return Ok(Err(errors));
        }
        let now = now.naive_utc();
        let row = diesel::insert_into(sla_policies::table)
            .values((
                sla_policies::name.eq(&input.name),
                sla_policies::due_soon_percent.eq(input.due_soon_percent),
                sla_policies::created_at.eq(now),
                sla_policies::updated_at.eq(now),
            ))
            .returning(sla_policies::all_columns)
            .get_result::<PolicyRow>(conn)?;
        replace_targets(conn, PolicyId(row.id), &input.targets)?;
        audit::record(
            conn,
            Some(actor),
            audit::Entity::SlaPolicy,
            row.id,
            "created",
            &format!("{}: {}", row.name, describe_targets(&input.targets)),
            now,
        )?;
        Ok(Ok(row))
    })
}

#[tracing::instrument(skip_all, fields(policy_id = %id))]
pub fn update_policy(
    conn: &mut DbConn,
    actor: UserId,
    id: PolicyId,
    input: &PolicyInput,
    now: DateTime<Utc>,
) -> AppResult<Result<PolicyRow, FieldErrors>> {
    write_tx(conn, |conn| {
        let before = load_policy(conn, id)?;
        if let Some(errors) = policy_name_taken(conn, &input.name, Some(id))? {
            return Ok(Err(errors));
        }
        let now = now.naive_utc();
        let row = diesel::update(sla_policies::table.find(id.0))
            .set((
                sla_policies::name.eq(&input.name),
                sla_policies::due_soon_percent.eq(input.due_soon_percent),
                sla_policies::updated_at.eq(now),
            ))
            .returning(sla_policies::all_columns)
            .get_result::<PolicyRow>(conn)?;
        replace_targets(conn, id, &input.targets)?;
        let mut changes = audit::Changes::default();
        changes.value("name", &before.row.name, &row.name);
        changes.value(
            "due soon",
            &format!("{} %", before.row.due_soon_percent),
            &format!("{} %", row.due_soon_percent),
        );
        let (old, new) = (
            describe_targets(&before.sla_targets()?),
            describe_targets(&input.targets),
        );
        changes.value("targets", &old, &new);
        changes.record(conn, actor, audit::Entity::SlaPolicy, id.0, now)?;
        Ok(Ok(row))
    })
}

pub fn load_matrix(conn: &mut DbConn) -> AppResult<PriorityMatrix> {
    let rows: Vec<(String, String, String)> = priority_matrix::table
        .select((
            priority_matrix::impact,
            priority_matrix::urgency,
            priority_matrix::priority,
        ))
        .load(conn)?;
    let mut matrix = PriorityMatrix::blueprint_default();
    for (impact, urgency, priority) in rows {
        let (Ok(impact), Ok(urgency), Ok(priority)) = (
            Impact::parse(&impact),
            Urgency::parse(&urgency),
            Priority::parse(&priority),
        ) else {
            return Err(AppError::internal(format!(
                "priority matrix cell {impact}/{urgency} = {priority} is unreadable"
            )));
        };
        matrix = matrix.with(impact, urgency, priority);
    }
    Ok(matrix)
}

pub fn save_matrix(
    conn: &mut DbConn,
    actor: UserId,
    matrix: &PriorityMatrix,
    now: DateTime<Utc>,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let before = load_matrix(conn)?;
        diesel::delete(priority_matrix::table).execute(conn)?;
        let mut changes = Vec::new();
        for (impact, urgency, priority) in matrix.cells() {
            diesel::insert_into(priority_matrix::table)
                .values((
                    priority_matrix::impact.eq(impact.as_str()),
                    priority_matrix::urgency.eq(urgency.as_str()),
                    priority_matrix::priority.eq(priority.as_str()),
                ))
                .execute(conn)?;
            let old = before.priority(impact, urgency);
            if old != priority {
                changes.push(format!(
                    "{} impact × {} urgency: {} → {}",
                    impact.as_str(),
                    urgency.as_str(),
                    old.as_str(),
                    priority.as_str()
                ));
            }
        }
        if !changes.is_empty() {
            audit::record(
                conn,
                Some(actor),
                audit::Entity::PriorityMatrix,
                0,
                "updated",
                &changes.join("; "),
                now.naive_utc(),
            )?;
        }
        Ok(())
    })
}

/// The calendar and policy a new client starts with: the oldest of each (the blueprints'
/// defaults, unless an admin made others first and removed those).
pub fn defaults(conn: &mut DbConn) -> AppResult<(CalendarId, PolicyId)> {
    let calendar: i64 = calendars::table
        .order(calendars::id)
        .select(calendars::id)
        .first(conn)?;
    let policy: i64 = sla_policies::table
        .order(sla_policies::id)
        .select(sla_policies::id)
        .first(conn)?;
    Ok((CalendarId(calendar), PolicyId(policy)))
}
