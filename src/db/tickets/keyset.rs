//! The API's ticket list: filtered, ordered by id and paged by the last id seen (keyset), so a
//! page costs the same deep in the list and a ticket filed meanwhile never shifts the pages.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::tickets;
use crate::db::tickets::row::{TicketRow, status_names};
use crate::domain::ids::{ClientId, TicketId};
use crate::domain::priority::Priority;
use crate::domain::ticket::Status;
use crate::error::AppResult;

#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    /// Any of these statuses; all when empty.
    pub statuses: Vec<Status>,
    pub client: Option<ClientId>,
    pub priority: Option<Priority>,
}

/// Up to `limit` tickets after `after`, in id order.
pub fn page(
    conn: &mut DbConn,
    filter: &ListFilter,
    after: Option<TicketId>,
    limit: i64,
) -> AppResult<Vec<TicketRow>> {
    let mut query = tickets::table
        .select(TicketRow::as_select())
        .order(tickets::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(tickets::id.gt(after.0));
    }
    if !filter.statuses.is_empty() {
        query = query.filter(tickets::status.eq_any(status_names(&filter.statuses)));
    }
    if let Some(client) = filter.client {
        query = query.filter(tickets::client_id.eq(client.0));
    }
    if let Some(priority) = filter.priority {
        query = query.filter(tickets::priority.eq(priority.as_str()));
    }
    Ok(query.load(conn)?)
}
