//! Planned absences: kept per person, added and removed by the person themselves or by a
//! manager or admin, read by the assignment ranking ("Away until 4 Dec").

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::outcome::Outcome;
use super::schema::{absences, users};
use super::{DbConn, audit, write_tx};
use crate::domain::absence::{self, AbsenceInput};
use crate::domain::account::Role;
use crate::domain::ids::{AbsenceId, UserId};
use crate::error::{AppError, AppResult};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = absences)]
pub struct AbsenceRow {
    #[diesel(deserialize_as = i64)]
    pub id: AbsenceId,
    #[diesel(deserialize_as = i64)]
    pub user_id: UserId,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub note: String,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
}

/// An absence with the absent person's name.
pub struct AbsenceView {
    pub row: AbsenceRow,
    pub name: String,
}

/// Everyone's absences that are not over by `from` (a day before today in any zone is early
/// enough), soonest first.
pub fn upcoming(conn: &mut DbConn, from: NaiveDate) -> AppResult<Vec<AbsenceView>> {
    Ok(absences::table
        .inner_join(users::table)
        .filter(absences::last_day.ge(from))
        .order((absences::first_day.asc(), users::display_name.asc()))
        .select((AbsenceRow::as_select(), users::display_name))
        .load::<(AbsenceRow, String)>(conn)?
        .into_iter()
        .map(|(row, name)| AbsenceView { row, name })
        .collect())
}

/// One person's absences that are not over by `from`, soonest first.
pub fn upcoming_of(conn: &mut DbConn, user: UserId, from: NaiveDate) -> AppResult<Vec<AbsenceRow>> {
    Ok(absences::table
        .filter(absences::user_id.eq(user.0))
        .filter(absences::last_day.ge(from))
        .order(absences::first_day.asc())
        .select(AbsenceRow::as_select())
        .load(conn)?)
}

/// Per person, the (first, last) days of their absences not over by `from`: what the ranking
/// needs to tell who is away now.
pub fn spans_from(
    conn: &mut DbConn,
    from: NaiveDate,
) -> AppResult<HashMap<i64, Vec<(NaiveDate, NaiveDate)>>> {
    let rows: Vec<(i64, NaiveDate, NaiveDate)> = absences::table
        .filter(absences::last_day.ge(from))
        .select((absences::user_id, absences::first_day, absences::last_day))
        .load(conn)?;
    let mut spans: HashMap<i64, Vec<(NaiveDate, NaiveDate)>> = HashMap::new();
    for (user, first, last) in rows {
        spans.entry(user).or_default().push((first, last));
    }
    Ok(spans)
}

/// A person plans their own absences; managers and admins plan anyone's.
fn may_plan_for(actor_role: Role, actor: UserId, user: UserId) -> AppResult<()> {
    if actor == user || actor_role.is_manager() {
        Ok(())
    } else {
        Err(AppError::ForbiddenBecause(
            "Only a manager or an admin plans someone else's absence.".into(),
        ))
    }
}

/// Records an absence for `user`, checked against that person's own today.
#[tracing::instrument(skip_all, fields(user_id = %user))]
pub fn add(
    conn: &mut DbConn,
    (actor, actor_role): (UserId, Role),
    user: UserId,
    (first_day, last_day, note): (NaiveDate, NaiveDate, &str),
    now: DateTime<Utc>,
) -> Outcome<AbsenceRow> {
    may_plan_for(actor_role, actor, user)?;
    write_tx(conn, |conn| {
        let person = super::users::get(conn, user)?;
        let today = now.with_timezone(&person.zone()).date_naive();
        let input: AbsenceInput = match absence::check_absence(first_day, last_day, note, today) {
            Ok(input) => input,
            Err(problems) => return Ok(Err(problems.into())),
        };
        let at = now.naive_utc();
        let row = diesel::insert_into(absences::table)
            .values((
                absences::user_id.eq(user.0),
                absences::first_day.eq(input.first_day),
                absences::last_day.eq(input.last_day),
                absences::note.eq(&input.note),
                absences::created_by.eq(actor.0),
                absences::created_at.eq(at),
            ))
            .returning(absences::all_columns)
            .get_result::<(i64, i64, NaiveDate, NaiveDate, String, i64, NaiveDateTime)>(conn)?;
        audit::record(
            conn,
            Some(actor),
            audit::Entity::User,
            user.0,
            "absence planned",
            &describe(input.first_day, input.last_day, &input.note),
            at,
        )?;
        let (id, user_id, first_day, last_day, note, created_by, created_at) = row;
        Ok(Ok(AbsenceRow {
            id: AbsenceId(id),
            user_id: UserId(user_id),
            first_day,
            last_day,
            note,
            created_by,
            created_at,
        }))
    })
}

/// Removes an absence (plans change; a cancelled holiday should not keep someone "away").
#[tracing::instrument(skip_all, fields(absence_id = %id))]
pub fn remove(
    conn: &mut DbConn,
    (actor, actor_role): (UserId, Role),
    id: AbsenceId,
    now: DateTime<Utc>,
) -> AppResult<AbsenceRow> {
    write_tx(conn, |conn| {
        let row: AbsenceRow = absences::table
            .find(id.0)
            .select(AbsenceRow::as_select())
            .first(conn)?;
        may_plan_for(actor_role, actor, row.user_id)?;
        diesel::delete(absences::table.find(id.0)).execute(conn)?;
        audit::record(
            conn,
            Some(actor),
            audit::Entity::User,
            row.user_id.0,
            "absence removed",
            &describe(row.first_day, row.last_day, &row.note),
            now.naive_utc(),
        )?;
        Ok(row)
    })
}

/// "2026-12-02 to 2026-12-04 (Holiday)", as the audit trail keeps it.
fn describe(first: NaiveDate, last: NaiveDate, note: &str) -> String {
    let days = if first == last {
        first.to_string()
    } else {
        format!("{first} to {last}")
    };
    if note.is_empty() {
        days
    } else {
        format!("{days} ({note})")
    }
}
