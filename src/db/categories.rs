//! Ticket categories: the list the forms offer, the names a timeline entry shows, and the
//! admins' flag for categories whose fixes are sensitive changes.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::audit::{self, Entity};
use crate::db::names::{Names, wanted};
use crate::db::schema::categories;
use crate::db::{DbConn, write_tx};
use crate::domain::ids::UserId;
use crate::error::{AppError, AppResult};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = categories)]
pub struct CategoryRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub common_low_complexity: bool,
    pub active: bool,
    /// A fix in this category needs a sensitive change a manager approved.
    pub sensitive: bool,
}

pub fn list_categories(conn: &mut DbConn) -> AppResult<Vec<CategoryRow>> {
    Ok(categories::table
        .order((categories::parent_id.asc(), categories::name.asc()))
        .select(CategoryRow::as_select())
        .load(conn)?)
}

/// The names of the given categories (unset ids are skipped), in one query.
pub fn names(conn: &mut DbConn, ids: &[Option<i64>]) -> AppResult<Names> {
    let ids = wanted(ids);
    if ids.is_empty() {
        return Ok(Names::default());
    }
    Ok(categories::table
        .filter(categories::id.eq_any(ids))
        .select((categories::id, categories::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// An admin flags a category as sensitive (or clears the flag): solving a ticket in it then
/// needs a sensitive change a manager approved. Audited; setting the flag it already has is a
/// no-op that leaves no entry.
pub fn set_sensitive(
    conn: &mut DbConn,
    actor: Option<UserId>,
    id: i64,
    sensitive: bool,
    now: DateTime<Utc>,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let (name, before): (String, bool) = categories::table
            .find(id)
            .select((categories::name, categories::sensitive))
            .first(conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        if before == sensitive {
            return Ok(());
        }
        diesel::update(categories::table.find(id))
            .set(categories::sensitive.eq(sensitive))
            .execute(conn)?;
        let detail = if sensitive {
            format!("{name}: marked sensitive (a fix needs an approved change)")
        } else {
            format!("{name}: no longer sensitive")
        };
        audit::record(
            conn,
            actor,
            Entity::Category,
            id,
            "updated",
            &detail,
            now.naive_utc(),
        )
    })
}
