//! The ticket row and the guard every command writes through: `TicketEdit` (who changes which
//! ticket, at the version they saw, and when) opens the transaction on the row as the user saw
//! it, `update_ticket!` is the version-checked UPDATE, and `transition` the status the domain's
//! state machine allows next. Below every command; imports none.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::columns::LenientTier;
use crate::db::outcome::Outcome;
use crate::db::schema::tickets;
use crate::db::timeline::{NewEvent, add_event};
use crate::db::{DbConn, write_tx};
use crate::domain::account::Tier;
use crate::domain::ids::{TicketId, UserId};
use crate::domain::inputs::FieldErrors;
use crate::domain::priority::{Impact, Priority, Urgency};
use crate::domain::request;
use crate::domain::ticket::{self, Action, Channel, IdentityCheck, Kind, Status};
use crate::error::{AppError, AppResult};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = tickets)]
pub struct TicketRow {
    #[diesel(deserialize_as = i64)]
    pub id: TicketId,
    #[diesel(deserialize_as = String)]
    pub kind: Kind,
    pub client_id: i64,
    pub contact_id: i64,
    pub subject: String,
    pub description: String,
    #[diesel(deserialize_as = String)]
    pub channel: Channel,
    #[diesel(deserialize_as = String)]
    pub identity_check: IdentityCheck,
    #[diesel(deserialize_as = String)]
    pub status: Status,
    #[diesel(deserialize_as = String)]
    pub impact: Impact,
    #[diesel(deserialize_as = String)]
    pub urgency: Urgency,
    #[diesel(deserialize_as = String)]
    pub priority: Priority,
    pub category_id: Option<i64>,
    pub subcategory_id: Option<i64>,
    pub affected_service: String,
    pub triaged_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = LenientTier)]
    pub tier: Option<Tier>,
    pub owner_id: Option<i64>,
    pub worker_id: Option<i64>,
    pub response_due_at: Option<NaiveDateTime>,
    pub responded_at: Option<NaiveDateTime>,
    pub resolution_due_at: Option<NaiveDateTime>,
    pub solved_at: Option<NaiveDateTime>,
    pub solution: Option<String>,
    pub closed_at: Option<NaiveDateTime>,
    pub reopen_count: i32,
    pub duplicate_of: Option<i64>,
    pub search_text: String,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
    /// The manager who approved a service request, and when; `None` on incidents.
    pub request_approved_by: Option<i64>,
    pub request_approved_at: Option<NaiveDateTime>,
    /// The minutes the response and the resolution took on the SLA clock (the reports' figures);
    /// `None` until answered or solved, and the resolution again after a reopen.
    pub response_business_minutes: Option<i32>,
    pub resolution_business_minutes: Option<i32>,
    /// The ticket this one follows up: a client wrote again after that one was over.
    pub follow_up_of: Option<i64>,
    /// The database's own, derived from the status and due times (migration 000500) for the
    /// queues' indexes; read with the row, never written.
    pub queue_open: bool,
    pub queue_pending: bool,
    pub next_due_at: NaiveDateTime,
}

impl TicketRow {
    pub fn owner(&self) -> Option<UserId> {
        self.owner_id.map(UserId)
    }

    /// Whether a manager approved this service request (always false on an incident).
    pub fn request_approved(&self) -> bool {
        self.request_approved_at.is_some()
    }

    /// The status as a person reads it: request words on a service request.
    pub fn status_label(&self) -> &'static str {
        request::status_label(self.kind, self.status, self.request_approved())
    }
}

/// The stored names of a set of statuses, for `status IN (…)`.
pub fn status_names(statuses: &[Status]) -> Vec<&'static str> {
    statuses.iter().map(|s| s.as_str()).collect()
}

pub fn get(conn: &mut DbConn, id: TicketId) -> AppResult<TicketRow> {
    tickets::table
        .find(id.0)
        .select(TicketRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The row as the user saw it, or a conflict when someone saved it since.
fn get_at_version(conn: &mut DbConn, id: TicketId, version: i64) -> AppResult<TicketRow> {
    let row = get(conn, id)?;
    ticket::check_version(version, row.version).map_err(|c| AppError::Conflict(c.to_string()))?;
    Ok(row)
}

/// Who changes which ticket, at the version they saw, and when: what every ticket command is
/// given before its own input.
#[derive(Clone, Copy, Debug)]
pub struct TicketEdit {
    pub actor: UserId,
    pub ticket: TicketId,
    pub version: i64,
    pub now: DateTime<Utc>,
}

impl TicketEdit {
    /// The instant of the edit as it is stored.
    pub fn at(&self) -> NaiveDateTime {
        self.now.naive_utc()
    }

    /// Writes the edit's line on the ticket's timeline, as the editing user.
    pub(crate) fn log(&self, conn: &mut DbConn, event: &NewEvent<'_>) -> AppResult<()> {
        add_event(conn, self.ticket, Some(self.actor), event, self.at())
    }

    /// Runs `change` in one write transaction on the row as the user saw it; someone having
    /// saved it since is a conflict before `change` runs.
    pub(crate) fn apply<T>(
        &self,
        conn: &mut DbConn,
        change: impl FnOnce(&mut DbConn, TicketRow) -> Outcome<T>,
    ) -> Outcome<T> {
        write_tx(conn, |conn| {
            let before = get_at_version(conn, self.ticket, self.version)?;
            change(conn, before)
        })
    }
}

pub(crate) fn conflict() -> AppError {
    AppError::Conflict(
        "Someone else saved this ticket after you opened it. Your text is below; reload the ticket, check what changed, and apply it again."
            .into(),
    )
}

/// Runs one UPDATE of a ticket guarded by the version the user saw, so two people (or two
/// instances) saving at once cannot overwrite each other silently. `None` when the row moved
/// on (or fails the extra `only if` filter); a sweep skips such a ticket.
macro_rules! try_update_ticket {
    ($conn:expr, $before:expr, $now:expr, ($($set:expr),* $(,)?) $(, only if $filter:expr)?) => {{
        use $crate::db::schema::tickets as guarded;
        diesel::update(
            guarded::table
                .find($before.id.0)
                .filter(guarded::version.eq($before.version))
                $(.filter($filter))?,
        )
        .set((
            $($set,)*
            guarded::version.eq($before.version + 1),
            guarded::updated_at.eq($now),
        ))
        .returning(guarded::all_columns)
        .get_result::<$crate::db::tickets::row::TicketRow>($conn)
        .optional()?
    }};
}
pub(crate) use try_update_ticket;

/// The guarded UPDATE of a command: a row that moved on is a conflict for the user to resolve.
macro_rules! update_ticket {
    ($conn:expr, $before:expr, $now:expr, $sets:tt) => {
        $crate::db::tickets::row::try_update_ticket!($conn, $before, $now, $sets)
            .ok_or_else($crate::db::tickets::row::conflict)?
    };
}
pub(crate) use update_ticket;

/// The status `action` leads to, as the status machine allows it and, on a service request,
/// only once a manager approved it: every command that moves a status asks here, so no route
/// starts work on an unapproved request.
pub(crate) fn transition(before: &TicketRow, action: Action) -> Outcome<Status> {
    let to = ticket::next_status(before.status, action).map_err(|e| e.to_string());
    let approved = before.request_approved_at.is_some();
    Ok(to
        .and_then(|to| {
            request::check_action(before.kind, approved, action)
                .map(|()| to)
                .map_err(|e| e.to_string())
        })
        .map_err(|message| FieldErrors::single("status", message)))
}
