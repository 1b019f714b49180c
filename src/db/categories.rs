//! Ticket categories: the list the forms offer, and the names a timeline entry shows.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::names::{Names, wanted};
use crate::db::schema::categories;
use crate::error::AppResult;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = categories)]
pub struct CategoryRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub common_low_complexity: bool,
    pub active: bool,
}

pub fn list_categories(conn: &mut DbConn) -> AppResult<Vec<CategoryRow>> {
    Ok(categories::table
        .order((categories::parent_id.asc(), categories::name.asc()))
        .select(CategoryRow::as_select())
        .load(conn)?)
}

/// The names of the given categories (unset ids are skipped), in one query.
pub fn names(conn: &mut DbConn, ids: &[Option<i64>]) -> AppResult<Names> {
    Ok(categories::table
        .filter(categories::id.eq_any(wanted(ids)))
        .select((categories::id, categories::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}
