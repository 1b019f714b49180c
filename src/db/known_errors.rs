//! The known-error database: known errors written and retired, found for an incident by
//! full-text search, and their workarounds applied to tickets.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::audit::{self, Changes, Entity};
use crate::db::fulltext::{self, Corpus};
use crate::db::problems::links::link_in_tx;
use crate::db::schema::{categories, known_error_applications, known_errors, users};
use crate::db::tickets::row::{self as ticket_row, TicketRow};
use crate::db::timeline::{NewEvent, add_event};
use crate::db::{DbConn, write_tx};
use crate::domain::ids::{KnownErrorId, TicketId, UserId};
use crate::domain::known_error::{self, KnownErrorInput, Status, search_terms};
use crate::domain::problem::ProblemId;
use crate::domain::ticket::Kind;
use crate::domain::timeline::EventKind;
use crate::error::{AppError, AppResult};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = known_errors)]
pub struct KnownErrorRow {
    #[diesel(deserialize_as = i64)]
    pub id: KnownErrorId,
    pub title: String,
    pub symptoms: String,
    pub cause: String,
    pub workaround: String,
    pub category_id: Option<i64>,
    pub problem_id: Option<i64>,
    pub status: String,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub updated_by: i64,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

impl KnownErrorRow {
    pub fn reference(&self) -> String {
        known_error::reference(self.id)
    }

    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Retired)
    }
}

/// How many known errors the ticket page offers.
pub const MATCHES_ON_TICKET: i64 = 5;

fn load_in_order(conn: &mut DbConn, ids: &[i64]) -> AppResult<Vec<KnownErrorRow>> {
    let rows = known_errors::table
        .filter(known_errors::id.eq_any(ids))
        .select(KnownErrorRow::as_select())
        .load(conn)?;
    Ok(fulltext::in_rank_order(ids, rows, |r| r.id.0))
}

/// The list page: the best matches for `q`, or else the latest changed in `status`.
pub fn list(
    conn: &mut DbConn,
    q: &str,
    status: Status,
    limit: i64,
) -> AppResult<Vec<KnownErrorRow>> {
    let terms = search_terms(q);
    if status == Status::Published && !terms.is_empty() {
        let ids = fulltext::ranked(conn, Corpus::KnownErrors, &terms, limit)?;
        return load_in_order(conn, &ids);
    }
    Ok(known_errors::table
        .filter(known_errors::status.eq(status.as_str()))
        .order((known_errors::updated_at.desc(), known_errors::id.desc()))
        .limit(limit)
        .select(KnownErrorRow::as_select())
        .load(conn)?)
}

pub fn get(conn: &mut DbConn, id: KnownErrorId) -> AppResult<KnownErrorRow> {
    known_errors::table
        .find(id.0)
        .select(KnownErrorRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The words of an incident the known errors are matched against: its subject first, then its
/// category and subcategory names, then its description.
pub fn incident_terms(conn: &mut DbConn, ticket: &TicketRow) -> AppResult<Vec<String>> {
    let wanted: Vec<i64> = [ticket.category_id, ticket.subcategory_id]
        .into_iter()
        .flatten()
        .collect();
    let names: Vec<String> = categories::table
        .filter(categories::id.eq_any(&wanted))
        .select(categories::name)
        .load(conn)?;
    Ok(search_terms(&format!(
        "{} {} {}",
        ticket.subject,
        names.join(" "),
        ticket.description
    )))
}

/// The published known errors that best match any of `terms` (see `incident_terms`), best
/// first.
pub fn matches_for_terms(
    conn: &mut DbConn,
    terms: &[String],
    limit: i64,
) -> AppResult<Vec<KnownErrorRow>> {
    let ids = fulltext::ranked(conn, Corpus::KnownErrors, terms, limit)?;
    load_in_order(conn, &ids)
}

/// One use of a known error's workaround on a ticket, as the ticket page lists it.
#[derive(Clone, Debug)]
pub struct Application {
    pub known_error: KnownErrorId,
    pub title: String,
    pub applied_by: String,
    pub applied_at: NaiveDateTime,
}

/// The workarounds applied to a ticket, newest first.
pub fn applied_to(conn: &mut DbConn, ticket: TicketId) -> AppResult<Vec<Application>> {
    let rows: Vec<(i64, String, String, NaiveDateTime)> = known_error_applications::table
        .inner_join(known_errors::table)
        .inner_join(users::table.on(users::id.eq(known_error_applications::applied_by)))
        .filter(known_error_applications::ticket_id.eq(ticket.0))
        .order((
            known_error_applications::applied_at.desc(),
            known_error_applications::id.desc(),
        ))
        .select((
            known_errors::id,
            known_errors::title,
            users::display_name,
            known_error_applications::applied_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, title, applied_by, applied_at)| Application {
            known_error: KnownErrorId(id),
            title,
            applied_by,
            applied_at,
        })
        .collect())
}

/// The distinct known errors applied to a ticket, newest first: the choices of the solve form.
pub fn applied_ids(conn: &mut DbConn, ticket: TicketId) -> AppResult<Vec<KnownErrorId>> {
    let mut ids: Vec<KnownErrorId> = Vec::new();
    for a in applied_to(conn, ticket)? {
        if !ids.contains(&a.known_error) {
            ids.push(a.known_error);
        }
    }
    Ok(ids)
}

/// Applies a known error's workaround to an open incident: the timeline says so and the use is
/// recorded. Returns the known error for the flash.
#[tracing::instrument(skip_all, fields(ticket_id = %ticket, known_error = %id))]
pub fn apply_workaround(
    conn: &mut DbConn,
    actor: UserId,
    ticket: TicketId,
    id: KnownErrorId,
    now: DateTime<Utc>,
) -> AppResult<KnownErrorRow> {
    write_tx(conn, |conn| {
        let row = ticket_row::get(conn, ticket)?;
        if row.kind != Kind::Incident || !row.status.is_open() {
            return Err(AppError::ForbiddenBecause(
                "A known error's workaround is applied to an open incident only.".into(),
            ));
        }
        let known = get(conn, id)?;
        if known.status() != Status::Published {
            return Err(AppError::ForbiddenBecause(format!(
                "Known error {} is retired: its workaround is no longer offered.",
                known.reference()
            )));
        }
        record_application(conn, actor, &row, &known, at(now))?;
        Ok(known)
    })
}

/// Everything applying a workaround writes, inside the caller's transaction: the use, the
/// timeline entry, and the incident's link to the known error's problem. The link is skipped,
/// not refused, when the incident already belongs to a problem or the problem is closed: the
/// workaround was still applied.
pub fn record_application(
    conn: &mut DbConn,
    actor: UserId,
    ticket: &TicketRow,
    known: &KnownErrorRow,
    at: NaiveDateTime,
) -> AppResult<()> {
    diesel::insert_into(known_error_applications::table)
        .values((
            known_error_applications::ticket_id.eq(ticket.id.0),
            known_error_applications::known_error_id.eq(known.id.0),
            known_error_applications::applied_by.eq(actor.0),
            known_error_applications::applied_at.eq(at),
        ))
        .execute(conn)?;
    let detail = format!(
        "Workaround from known error {} applied: {}",
        known.reference(),
        known.title
    );
    add_event(
        conn,
        ticket.id,
        Some(actor),
        &NewEvent::note(EventKind::Note, &known.workaround, &detail),
        at,
    )?;
    if let Some(problem) = known.problem_id {
        let _skipped = link_in_tx(conn, actor, ProblemId(problem), ticket.id, at)?;
    }
    Ok(())
}

fn at(now: DateTime<Utc>) -> NaiveDateTime {
    use chrono::SubsecRound;
    now.naive_utc().trunc_subsecs(6)
}

/// Publishes a new known error.
#[tracing::instrument(skip_all)]
pub fn create(
    conn: &mut DbConn,
    actor: UserId,
    input: &KnownErrorInput,
    now: DateTime<Utc>,
) -> AppResult<KnownErrorId> {
    let at = at(now);
    write_tx(conn, |conn| insert(conn, actor, input, None, at))
}

/// Writes a published known error and its audit line inside the caller's transaction; a
/// problem publishing its known error names itself as `problem`.
pub(crate) fn insert(
    conn: &mut DbConn,
    actor: UserId,
    input: &KnownErrorInput,
    problem: Option<ProblemId>,
    at: NaiveDateTime,
) -> AppResult<KnownErrorId> {
    let id: i64 = diesel::insert_into(known_errors::table)
        .values((
            known_errors::title.eq(&input.title),
            known_errors::symptoms.eq(&input.symptoms),
            known_errors::cause.eq(&input.cause),
            known_errors::workaround.eq(&input.workaround),
            known_errors::category_id.eq(input.category.map(|c| c.0)),
            known_errors::problem_id.eq(problem.map(|p| p.0)),
            known_errors::status.eq(Status::Published.as_str()),
            known_errors::created_by.eq(actor.0),
            known_errors::created_at.eq(at),
            known_errors::updated_by.eq(actor.0),
            known_errors::updated_at.eq(at),
            known_errors::version.eq(1),
        ))
        .returning(known_errors::id)
        .get_result(conn)?;
    let detail = match problem {
        Some(p) => format!("{} (published from problem {p})", input.title),
        None => input.title.clone(),
    };
    audit::record(
        conn,
        Some(actor),
        Entity::KnownError,
        id,
        "created",
        &detail,
        at,
    )?;
    Ok(KnownErrorId(id))
}

/// The known error a problem published, if any (the newest, should there be several).
pub fn of_problem(conn: &mut DbConn, problem: ProblemId) -> AppResult<Option<KnownErrorRow>> {
    Ok(known_errors::table
        .filter(known_errors::problem_id.eq(problem.0))
        .order(known_errors::id.desc())
        .select(KnownErrorRow::as_select())
        .first(conn)
        .optional()?)
}

/// Carries a problem's new root cause and workaround to its published known error, in the
/// caller's transaction, so the KEDB never offers a workaround the problem has replaced.
pub(crate) fn follow_problem(
    conn: &mut DbConn,
    actor: UserId,
    known: &KnownErrorRow,
    cause: &str,
    workaround: &str,
    at: NaiveDateTime,
) -> AppResult<()> {
    // Guarded by the version read: an edit on the known error's own page committed in between
    // must not be overwritten unseen; the error rolls the problem's save back.
    let saved = diesel::update(
        known_errors::table
            .find(known.id.0)
            .filter(known_errors::version.eq(known.version)),
    )
    .set((
        known_errors::cause.eq(cause),
        known_errors::workaround.eq(workaround),
        known_errors::updated_by.eq(actor.0),
        known_errors::updated_at.eq(at),
        known_errors::version.eq(known.version + 1),
    ))
    .execute(conn)?;
    if saved == 0 {
        return Err(AppError::Conflict(format!(
            "Known error K-{} was edited while you saved this problem. Reload the problem, check the known error, and save again.",
            known.id.0
        )));
    }
    let mut changes = Changes::default();
    changes.note(known.cause != cause, "root cause updated from its problem");
    changes.note(
        known.workaround != workaround,
        "workaround updated from its problem",
    );
    changes.record(conn, actor, Entity::KnownError, known.id.0, at)
}

fn stale() -> AppError {
    AppError::Conflict(
        "Someone else saved this known error after you opened it. Your text is below; reload it, check what changed, and apply your edit again.".into(),
    )
}

/// Saves an edit made from `version`; a stale version is a conflict.
#[tracing::instrument(skip_all, fields(known_error = %id))]
pub fn update(
    conn: &mut DbConn,
    actor: UserId,
    id: KnownErrorId,
    version: i64,
    input: &KnownErrorInput,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let at = at(now);
    write_tx(conn, |conn| {
        let before = get(conn, id)?;
        let saved = diesel::update(
            known_errors::table
                .find(id.0)
                .filter(known_errors::version.eq(version)),
        )
        .set((
            known_errors::title.eq(&input.title),
            known_errors::symptoms.eq(&input.symptoms),
            known_errors::cause.eq(&input.cause),
            known_errors::workaround.eq(&input.workaround),
            known_errors::category_id.eq(input.category.map(|c| c.0)),
            known_errors::updated_by.eq(actor.0),
            known_errors::updated_at.eq(at),
            known_errors::version.eq(version + 1),
        ))
        .execute(conn)?;
        if saved == 0 {
            return Err(stale());
        }
        let mut changes = Changes::default();
        changes.value("title", before.title.as_str(), input.title.as_str());
        changes.note(before.symptoms != input.symptoms, "symptoms edited");
        changes.note(before.cause != input.cause, "root cause edited");
        changes.note(before.workaround != input.workaround, "workaround edited");
        changes.note(
            before.category_id != input.category.map(|c| c.0),
            "category changed",
        );
        changes.record(conn, actor, Entity::KnownError, id.0, at)
    })
}

/// Retires a known error: it leaves the matches and the search, and keeps its page.
#[tracing::instrument(skip_all, fields(known_error = %id))]
pub fn retire(
    conn: &mut DbConn,
    actor: UserId,
    id: KnownErrorId,
    version: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let at = at(now);
    write_tx(conn, |conn| {
        let saved = diesel::update(
            known_errors::table
                .find(id.0)
                .filter(known_errors::version.eq(version))
                .filter(known_errors::status.eq(Status::Published.as_str())),
        )
        .set((
            known_errors::status.eq(Status::Retired.as_str()),
            known_errors::updated_by.eq(actor.0),
            known_errors::updated_at.eq(at),
            known_errors::version.eq(version + 1),
        ))
        .execute(conn)?;
        if saved == 0 {
            return Err(stale());
        }
        audit::record(
            conn,
            Some(actor),
            Entity::KnownError,
            id.0,
            "retired",
            "",
            at,
        )
    })
}
