//! Business calendars: opening hours per weekday, holidays, and the clients each serves.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc, Weekday};
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::{CalendarSummary, owned_by, with_client_counts};
use crate::db::schema::{calendar_holidays, calendar_intervals, calendars, clients};
use crate::db::stale::{ensure_current, stale};
use crate::db::{DbConn, audit, write_tx};
use crate::domain::calendar::{BusinessCalendar, OpeningInterval, WEEK};
use crate::domain::ids::{CalendarId, HolidayId, UserId};
use crate::domain::inputs::{FieldErrors, format_opening_hours};
use crate::error::{AppError, AppResult};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = calendars)]
pub struct CalendarRow {
    pub id: i64,
    pub name: String,
    pub time_zone: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
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
    expected_version: i64,
    now: DateTime<Utc>,
) -> AppResult<Result<CalendarRow, FieldErrors>> {
    write_tx(conn, |conn| {
        let before = load_calendar(conn, id)?;
        ensure_current(before.row.version, expected_version, "calendar")?;
        if let Some(errors) = calendar_name_taken(conn, &input.name, Some(id))? {
            return Ok(Err(errors));
        }
        let now = now.naive_utc();
        let row = diesel::update(
            calendars::table
                .find(id.0)
                .filter(calendars::version.eq(expected_version)),
        )
        .set((
            calendars::version.eq(expected_version + 1),
            calendars::name.eq(&input.name),
            calendars::time_zone.eq(input.zone.name()),
            calendars::updated_at.eq(now),
        ))
        .returning(calendars::all_columns)
        .get_result::<CalendarRow>(conn)
        .optional()?
        .ok_or_else(|| stale("calendar"))?;
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
