//! The desk's queues: which tickets each holds, filtered and paged, with the names its rows
//! show.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::columns::LenientTier;
use crate::db::names::Names;
use crate::db::schema::{clients, tickets};
use crate::db::search::like_pattern;
use crate::db::tickets::row::status_names;
use crate::db::users;
use crate::domain::account::Tier;
use crate::domain::ids::{CategoryId, ClientId, TicketId, UserId};
use crate::domain::priority::Priority;
use crate::domain::sla;
use crate::domain::ticket::{Kind, Status};
use crate::error::AppResult;

/// The queues of the desk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queue {
    Mine,
    Untriaged,
    Tier(crate::domain::account::Tier),
    Pending,
    AtRisk,
    AwaitingClosure,
    ServiceRequests,
    All,
}

impl Queue {
    pub fn parse(raw: &str) -> Option<Self> {
        use crate::domain::account::Tier;
        Some(match raw {
            "mine" => Queue::Mine,
            "untriaged" => Queue::Untriaged,
            "pending" => Queue::Pending,
            "at-risk" => Queue::AtRisk,
            "awaiting-closure" => Queue::AwaitingClosure,
            "service-requests" => Queue::ServiceRequests,
            "all" => Queue::All,
            other => Queue::Tier(Tier::parse(other.strip_prefix("tier-")?).ok()?),
        })
    }

    pub fn slug(self) -> String {
        match self {
            Queue::Mine => "mine".into(),
            Queue::Untriaged => "untriaged".into(),
            Queue::Tier(t) => format!("tier-{}", t.as_str()),
            Queue::Pending => "pending".into(),
            Queue::AtRisk => "at-risk".into(),
            Queue::AwaitingClosure => "awaiting-closure".into(),
            Queue::ServiceRequests => "service-requests".into(),
            Queue::All => "all".into(),
        }
    }

    pub fn label(self) -> String {
        match self {
            Queue::Mine => "My tickets".into(),
            Queue::Untriaged => "Untriaged".into(),
            Queue::Tier(t) => t.label().into(),
            Queue::Pending => "Pending".into(),
            Queue::AtRisk => "Due soon and breached".into(),
            Queue::AwaitingClosure => "Solved, awaiting closure".into(),
            Queue::ServiceRequests => "Service requests".into(),
            Queue::All => "All open".into(),
        }
    }

    /// The kind of ticket the queue shows unless the viewer asks for another: the incident
    /// queues hold incidents only (the blueprints put service requests outside incident
    /// management), the requests queue requests only, and "my tickets" and "all open" both.
    pub fn default_kind(self) -> Option<Kind> {
        match self {
            Queue::Mine | Queue::All => None,
            Queue::ServiceRequests => Some(Kind::ServiceRequest),
            Queue::Untriaged
            | Queue::Tier(_)
            | Queue::Pending
            | Queue::AtRisk
            | Queue::AwaitingClosure => Some(Kind::Incident),
        }
    }

    pub fn all() -> Vec<Queue> {
        use crate::domain::account::Tier;
        let mut queues = vec![Queue::Mine, Queue::Untriaged];
        queues.extend(Tier::ALL.into_iter().map(Queue::Tier));
        queues.extend([
            Queue::AtRisk,
            Queue::Pending,
            Queue::AwaitingClosure,
            Queue::ServiceRequests,
            Queue::All,
        ]);
        queues
    }
}

/// Which kinds of ticket a queue lists: the queue's own choice, or the viewer's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KindChoice {
    /// [`Queue::default_kind`].
    #[default]
    QueueDefault,
    Only(Kind),
    Both,
}

impl KindChoice {
    /// "incident", "service_request" or "any"; anything else leaves the queue's default.
    pub fn parse(raw: &str) -> Self {
        match raw.trim() {
            "any" => KindChoice::Both,
            other => Kind::parse(other).map_or(KindChoice::QueueDefault, KindChoice::Only),
        }
    }

    /// The kind listed in `queue`, `None` for both. The requests queue lists requests whatever
    /// is asked, or it would be another "all open".
    pub fn kind_in(self, queue: Queue) -> Option<Kind> {
        match (queue, self) {
            (Queue::ServiceRequests, _) | (_, KindChoice::QueueDefault) => queue.default_kind(),
            (_, KindChoice::Only(kind)) => Some(kind),
            (_, KindChoice::Both) => None,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct QueueFilter {
    pub kind: KindChoice,
    pub client: Option<ClientId>,
    pub priority: Option<Priority>,
    pub status: Option<Status>,
    pub category: Option<CategoryId>,
    pub technician: Option<UserId>,
    pub search: Option<String>,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = tickets)]
pub struct QueueRow {
    #[diesel(deserialize_as = i64)]
    pub id: TicketId,
    #[diesel(deserialize_as = String)]
    pub kind: Kind,
    pub client_id: i64,
    pub subject: String,
    #[diesel(deserialize_as = String)]
    pub status: Status,
    #[diesel(deserialize_as = String)]
    pub priority: Priority,
    #[diesel(deserialize_as = LenientTier)]
    pub tier: Option<Tier>,
    pub owner_id: Option<i64>,
    pub worker_id: Option<i64>,
    pub response_due_at: Option<NaiveDateTime>,
    pub responded_at: Option<NaiveDateTime>,
    pub resolution_due_at: Option<NaiveDateTime>,
    pub solved_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub request_approved_at: Option<NaiveDateTime>,
}

pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    pub total: i64,
    pub client_codes: HashMap<i64, String>,
    pub user_names: Names,
}

type BoxedTickets<'a> = tickets::BoxedQuery<'a, crate::db::MultiBackend>;

fn filtered<'a>(
    queue: Queue,
    filter: &'a QueueFilter,
    viewer: UserId,
    now: DateTime<Utc>,
) -> BoxedTickets<'a> {
    let mut query = tickets::table.into_boxed();
    query = match queue {
        Queue::Mine => query
            .filter(tickets::status.eq_any(status_names(&Status::OPEN)))
            .filter(
                tickets::worker_id
                    .eq(viewer.0)
                    .or(tickets::owner_id.eq(viewer.0)),
            ),
        Queue::Untriaged => query.filter(tickets::status.eq(Status::New.as_str())),
        Queue::Tier(tier) => query
            .filter(tickets::status.eq_any(status_names(&Status::OPEN)))
            .filter(tickets::tier.eq(tier.as_str())),
        Queue::Pending => query.filter(tickets::status.eq_any(status_names(&Status::PENDING))),
        Queue::AtRisk => {
            // "At risk" is judged on stored due times against a fixed horizon, so the queue
            // stays one indexed query; each row's exact state is worked out for display.
            let horizon = (now + sla::QUEUE_DUE_SOON).naive_utc();
            query
                .filter(tickets::status.eq_any(status_names(&Status::OPEN)))
                .filter(
                    tickets::resolution_due_at
                        .le(horizon)
                        .or(tickets::responded_at
                            .is_null()
                            .and(tickets::response_due_at.le(horizon))),
                )
        }
        Queue::AwaitingClosure => query.filter(tickets::status.eq(Status::Solved.as_str())),
        Queue::ServiceRequests => query.filter(tickets::status.eq_any(status_names(&Status::OPEN))),
        Queue::All => query.filter(tickets::status.eq_any(status_names(&Status::OPEN))),
    };
    // Equality on kind leads the (kind, tier, status, due) and (kind, status, due) indexes.
    if let Some(kind) = filter.kind.kind_in(queue) {
        query = query.filter(tickets::kind.eq(kind.as_str()));
    }
    if let Some(client) = filter.client {
        query = query.filter(tickets::client_id.eq(client.0));
    }
    if let Some(priority) = filter.priority {
        query = query.filter(tickets::priority.eq(priority.as_str()));
    }
    if let Some(status) = filter.status {
        query = query.filter(tickets::status.eq(status.as_str()));
    }
    if let Some(category) = filter.category {
        query = query.filter(
            tickets::category_id
                .eq(category.0)
                .or(tickets::subcategory_id.eq(category.0)),
        );
    }
    if let Some(tech) = filter.technician {
        query = query.filter(
            tickets::worker_id
                .eq(tech.0)
                .or(tickets::owner_id.eq(tech.0)),
        );
    }
    if let Some(term) = filter.search.as_deref().filter(|t| !t.trim().is_empty()) {
        query = query.filter(
            tickets::search_text
                .like(like_pattern(term.trim()))
                .escape('\\'),
        );
    }
    query
}

/// How many tickets a queue holds, for the dashboard.
pub fn queue_count(
    conn: &mut DbConn,
    queue: Queue,
    viewer: UserId,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let filter = QueueFilter::default();
    Ok(filtered(queue, &filter, viewer, now)
        .count()
        .get_result(conn)?)
}

/// One page of a queue, with its total, and the names its rows show (two look-ups, not one
/// per row).
pub fn queue(
    conn: &mut DbConn,
    queue: Queue,
    filter: &QueueFilter,
    viewer: UserId,
    page: i64,
    page_size: i64,
    now: DateTime<Utc>,
) -> AppResult<QueuePage> {
    let total: i64 = filtered(queue, filter, viewer, now)
        .count()
        .get_result(conn)?;
    // Ids first, from the indexes alone, then the 25 rows: sorting whole rows of every open
    // ticket would read them all.
    let ids = filtered(queue, filter, viewer, now).select(tickets::id);
    let ids = match queue {
        Queue::Untriaged => ids.order((tickets::created_at.asc(), tickets::id.asc())),
        Queue::AwaitingClosure => ids.order((tickets::solved_at.asc(), tickets::id.asc())),
        _ => ids.order((
            tickets::resolution_due_at.is_null().asc(),
            tickets::resolution_due_at.asc(),
            tickets::id.asc(),
        )),
    };
    let ids: Vec<i64> = ids
        .limit(page_size)
        .offset(page.max(0) * page_size)
        .load(conn)?;
    let mut rows: Vec<QueueRow> = tickets::table
        .filter(tickets::id.eq_any(&ids))
        .select(QueueRow::as_select())
        .load(conn)?;
    rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id.0));
    let client_ids: Vec<i64> = rows.iter().map(|r| r.client_id).collect();
    let client_codes = clients::table
        .filter(clients::id.eq_any(&client_ids))
        .select((clients::id, clients::code))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let people: Vec<Option<i64>> = rows
        .iter()
        .flat_map(|r| [r.owner_id, r.worker_id])
        .collect();
    let user_names = users::names(conn, &people)?;
    Ok(QueuePage {
        rows,
        total,
        client_codes,
        user_names,
    })
}
