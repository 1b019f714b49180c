//! Reading a queue: every page is one index range per kind (or per person) walked in the order
//! shown, from just after the last row of the previous page (keyset paging: a page deep in a
//! queue costs what the first does, and a ticket filed meanwhile shifts nothing).
//!
//! Which range serves which queue (the indexes are migration 000500's):
//! - the open queues ("all open", tiers, "due soon and breached", service requests, pending)
//!   walk `next_due_at` under their own equality prefix, one range per kind, merged here;
//! - with a client chosen, the open queues walk that client's range instead;
//! - "my tickets", and any queue of the due order with a technician chosen, walk the person's
//!   worked and owned ranges, merged;
//! - untriaged walks (status new, kind, created_at), awaiting closure (solved, kind, solved_at).
//!
//! The other filters (priority, status within the queue, category, and client or technician
//! where no range of theirs serves the queue) are checked on the rows of the range as it is
//! walked: they never read past the queue's own tickets (open ones, never the closed history),
//! and a page stops at its 26th match. A search is resolved first through the full-text index
//! to at most [`SEARCH_CAP`] live tickets, which the database then reads by primary key.
//!
//! Totals are exact where the `ticket_counts` counters hold them (a queue of whole statuses of
//! one or both kinds, unfiltered). Anything else is counted on the same ranges up to
//! [`COUNT_CAP`] and shown as "more than 1,000" beyond it: a filtered total or "due soon" is
//! not worth reading every open ticket for, and "due soon" changes with the clock, so no
//! counter could keep it.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::columns::LenientTier;
use crate::db::fulltext;
use crate::db::names::Names;
use crate::db::schema::{clients, ticket_counts, tickets};
use crate::db::tickets::queues::{KindChoice, Queue};
use crate::db::tickets::row::status_names;
use crate::db::users;
use crate::db::{DbConn, explain};
use crate::domain::account::Tier;
use crate::domain::ids::{CategoryId, ClientId, TicketId, UserId};
use crate::domain::priority::Priority;
use crate::domain::sla;
use crate::domain::ticket::{Kind, Status};
use crate::domain::ticket_search::ticket_words;
use crate::error::AppResult;

/// Totals are counted up to this many tickets; beyond, the page says "more than".
pub const COUNT_CAP: i64 = 1_000;

#[derive(Clone, Debug, Default)]
pub struct QueueFilter {
    pub kind: KindChoice,
    pub client: Option<ClientId>,
    pub priority: Option<Priority>,
    pub status: Option<Status>,
    pub category: Option<CategoryId>,
    pub technician: Option<UserId>,
    pub search: Option<String>,
    /// The live tickets the full-text index finds for `search`: the queue functions set it
    /// (see [`searched`]), replacing whatever a caller put here.
    pub search_hits: Option<Vec<i64>>,
}

/// At most this many live tickets, the newest, answer a search: a search narrows a queue to
/// them rather than reading every ticket that mentions a common word.
pub const SEARCH_CAP: i64 = 2_000;

/// `filter` with its search resolved, once per page, to the live tickets whose text holds
/// every word of it (`fulltext::live_tickets`). A search with no words in it (only
/// punctuation) searches nothing and leaves the queue whole.
fn searched(conn: &mut DbConn, filter: &QueueFilter) -> AppResult<QueueFilter> {
    let mut filter = filter.clone();
    let words = filter
        .search
        .as_deref()
        .map(ticket_words)
        .unwrap_or_default();
    filter.search_hits = if words.is_empty() {
        filter.search = None;
        None
    } else {
        Some(fulltext::live_tickets(conn, &words, SEARCH_CAP)?)
    };
    Ok(filter)
}

/// Where a page starts: just after this row of the queue's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub key: NaiveDateTime,
    pub id: TicketId,
}

impl Cursor {
    /// "<microseconds since 1970>_<ticket id>", as [`Cursor::param`] writes it; anything else is
    /// no cursor (the first page).
    pub fn parse(raw: &str) -> Option<Self> {
        let (key, id) = raw.trim().split_once('_')?;
        let key = DateTime::from_timestamp_micros(key.parse().ok()?)?.naive_utc();
        Some(Cursor {
            key,
            id: TicketId(id.parse().ok()?),
        })
    }

    pub fn param(self) -> String {
        format!("{}_{}", self.key.and_utc().timestamp_micros(), self.id.0)
    }
}

/// How many tickets a queue holds: exact, or at least [`COUNT_CAP`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Total {
    Exact(i64),
    AtLeast(i64),
}

impl Total {
    /// The total of a count that read up to `COUNT_CAP + 1` rows and found `found`.
    pub fn capped(found: usize) -> Self {
        match i64::try_from(found).unwrap_or(i64::MAX) {
            n if n > COUNT_CAP => Total::AtLeast(COUNT_CAP),
            n => Total::Exact(n),
        }
    }
}

impl std::fmt::Display for Total {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Total::Exact(n) => write!(f, "{n}"),
            Total::AtLeast(n) => write!(f, "more than {}", thousands(*n)),
        }
    }
}

fn thousands(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
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
    pub next_due_at: NaiveDateTime,
}

pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    /// Where the next page starts, when there is one.
    pub next: Option<Cursor>,
    pub total: Total,
    pub client_codes: HashMap<i64, String>,
    pub user_names: Names,
}

/// The column a queue is ordered by (then the id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OrderKey {
    NextDue,
    Created,
    Solved,
}

impl OrderKey {
    fn of(queue: Queue) -> Self {
        match queue {
            Queue::Untriaged => OrderKey::Created,
            Queue::AwaitingClosure => OrderKey::Solved,
            _ => OrderKey::NextDue,
        }
    }

    fn value(self, row: &QueueRow) -> NaiveDateTime {
        match self {
            OrderKey::NextDue => row.next_due_at,
            OrderKey::Created => row.created_at,
            // Every solved ticket has its solved time; the id orders any without one.
            OrderKey::Solved => row.solved_at.unwrap_or(NaiveDateTime::MIN),
        }
    }
}

/// Which index range a walk goes down, before the filters checked on its rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Range {
    /// The queue's own prefix, with this kind.
    Queue(Kind),
    /// One client's open tickets of this kind.
    Client(ClientId, Kind),
    /// A person's open tickets, as worker or as owner.
    Worker(UserId),
    Owner(UserId),
}

type BoxedTickets<'a> = tickets::BoxedQuery<'a, crate::db::MultiBackend>;

/// The ranges a page of `queue` merges.
fn ranges(queue: Queue, filter: &QueueFilter, viewer: UserId) -> Vec<Range> {
    let kinds: Vec<Kind> = match filter.kind.kind_in(queue) {
        Some(kind) => vec![kind],
        None => Kind::ALL.to_vec(),
    };
    let order = OrderKey::of(queue);
    let person = match (queue, filter.technician) {
        (Queue::Mine, _) => Some(viewer),
        (_, Some(tech)) if order == OrderKey::NextDue => Some(tech),
        _ => None,
    };
    if let Some(person) = person {
        return vec![Range::Worker(person), Range::Owner(person)];
    }
    match filter.client {
        Some(client) if order == OrderKey::NextDue => kinds
            .into_iter()
            .map(|k| Range::Client(client, k))
            .collect(),
        _ => kinds.into_iter().map(Range::Queue).collect(),
    }
}

/// One range of `queue` with every filter: the range's equality prefix, then the queue's and
/// the filters' conditions (checked on the range's rows where the index does not hold them).
fn walk<'a>(
    queue: Queue,
    range: Range,
    filter: &'a QueueFilter,
    viewer: UserId,
    now: DateTime<Utc>,
) -> BoxedTickets<'a> {
    let mut query = tickets::table.into_boxed();
    let mut kind_in_range = true;
    query = match range {
        Range::Queue(kind) => {
            let query = query.filter(tickets::kind.eq(kind.as_str()));
            match queue {
                Queue::Untriaged => query.filter(tickets::status.eq(Status::New.as_str())),
                Queue::AwaitingClosure => query.filter(tickets::status.eq(Status::Solved.as_str())),
                Queue::Pending => query.filter(tickets::queue_pending.eq(true)),
                Queue::Tier(tier) => query
                    .filter(tickets::tier.eq(tier.as_str()))
                    .filter(tickets::queue_open.eq(true)),
                _ => query.filter(tickets::queue_open.eq(true)),
            }
        }
        Range::Client(client, kind) => query
            .filter(tickets::client_id.eq(client.0))
            .filter(tickets::queue_open.eq(true))
            .filter(tickets::kind.eq(kind.as_str())),
        Range::Worker(person) => {
            kind_in_range = false;
            query
                .filter(tickets::worker_id.eq(person.0))
                .filter(tickets::queue_open.eq(true))
        }
        Range::Owner(person) => {
            kind_in_range = false;
            query
                .filter(tickets::owner_id.eq(person.0))
                .filter(tickets::queue_open.eq(true))
        }
    };
    // What the range's prefix does not already hold of the queue itself.
    query = match (queue, range) {
        (Queue::Mine, Range::Worker(_) | Range::Owner(_)) => query,
        (Queue::Mine, _) => query.filter(
            tickets::worker_id
                .eq(viewer.0)
                .or(tickets::owner_id.eq(viewer.0)),
        ),
        (Queue::Pending, Range::Queue(_)) => query,
        (Queue::Pending, _) => query.filter(tickets::queue_pending.eq(true)),
        (Queue::Tier(_), Range::Queue(_)) => query,
        (Queue::Tier(tier), _) => query.filter(tickets::tier.eq(tier.as_str())),
        (Queue::Untriaged | Queue::AwaitingClosure, Range::Queue(_)) => query,
        (Queue::Untriaged | Queue::AwaitingClosure, _) => {
            query.filter(tickets::status.eq_any(status_names(queue.statuses())))
        }
        (Queue::AtRisk | Queue::ServiceRequests | Queue::All, _) => query,
    };
    if queue == Queue::AtRisk {
        // "Due soon" is judged against a fixed horizon on the stored next due time, so the
        // queue is a range of the order itself; each row's exact state is worked out for display.
        let horizon = (now + sla::QUEUE_DUE_SOON).naive_utc();
        query = query.filter(tickets::next_due_at.le(horizon));
    }
    if !kind_in_range && let Some(kind) = filter.kind.kind_in(queue) {
        query = query.filter(tickets::kind.eq(kind.as_str()));
    }
    if let Some(client) = filter.client
        && !matches!(range, Range::Client(..))
    {
        query = query.filter(tickets::client_id.eq(client.0));
    }
    if let Some(tech) = filter.technician
        && !(queue != Queue::Mine && matches!(range, Range::Worker(_) | Range::Owner(_)))
    {
        query = query.filter(
            tickets::worker_id
                .eq(tech.0)
                .or(tickets::owner_id.eq(tech.0)),
        );
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
    if let Some(hits) = &filter.search_hits {
        query = query.filter(tickets::id.eq_any(hits));
    }
    query
}

/// `query` in the queue's order, from just after `after`. The cursor is a bound on the order
/// column (an index range) and the id breaks ties only among rows of the same instant.
fn ordered_after(
    query: BoxedTickets<'_>,
    key: OrderKey,
    after: Option<Cursor>,
) -> BoxedTickets<'_> {
    match key {
        OrderKey::NextDue => {
            let query = query.order((tickets::next_due_at.asc(), tickets::id.asc()));
            match after {
                Some(c) => query
                    .filter(tickets::next_due_at.ge(c.key))
                    .filter(tickets::next_due_at.gt(c.key).or(tickets::id.gt(c.id.0))),
                None => query,
            }
        }
        OrderKey::Created => {
            let query = query.order((tickets::created_at.asc(), tickets::id.asc()));
            match after {
                Some(c) => query
                    .filter(tickets::created_at.ge(c.key))
                    .filter(tickets::created_at.gt(c.key).or(tickets::id.gt(c.id.0))),
                None => query,
            }
        }
        OrderKey::Solved => {
            let query = query.order((tickets::solved_at.asc(), tickets::id.asc()));
            match after {
                Some(c) => query
                    .filter(tickets::solved_at.ge(c.key))
                    .filter(tickets::solved_at.gt(c.key).or(tickets::id.gt(c.id.0))),
                None => query,
            }
        }
    }
}

/// Whether the filter asks for a status the queue never holds (an empty page, read from
/// nothing).
fn impossible(queue: Queue, filter: &QueueFilter) -> bool {
    filter
        .status
        .is_some_and(|status| !queue.statuses().contains(&status))
}

/// The queue's total when the counters hold it exactly: a queue of whole statuses of one or
/// both kinds, with no filter the counters do not keep.
fn counted_total(conn: &mut DbConn, queue: Queue, filter: &QueueFilter) -> AppResult<Option<i64>> {
    let plain = filter.client.is_none()
        && filter.priority.is_none()
        && filter.status.is_none()
        && filter.category.is_none()
        && filter.technician.is_none()
        && filter.search.is_none();
    let whole_statuses = matches!(
        queue,
        Queue::Untriaged
            | Queue::Pending
            | Queue::AwaitingClosure
            | Queue::ServiceRequests
            | Queue::All
    );
    if !plain || !whole_statuses {
        return Ok(None);
    }
    // A few dozen counter rows (kind × status × worker), added up here: SQL's SUM of a BIGINT
    // is a NUMERIC on PostgreSQL.
    let mut query = ticket_counts::table
        .filter(ticket_counts::status.eq_any(status_names(queue.statuses())))
        .select(ticket_counts::n)
        .into_boxed();
    if let Some(kind) = filter.kind.kind_in(queue) {
        query = query.filter(ticket_counts::kind.eq(kind.as_str()));
    }
    Ok(Some(query.load::<i64>(conn)?.into_iter().sum()))
}

/// How many tickets a queue holds under `filter`: exact from the counters, or counted on its
/// ranges up to [`COUNT_CAP`].
pub fn total(
    conn: &mut DbConn,
    queue: Queue,
    filter: &QueueFilter,
    viewer: UserId,
    now: DateTime<Utc>,
) -> AppResult<Total> {
    let filter = searched(conn, filter)?;
    total_of(conn, queue, &filter, viewer, now)
}

/// `total` of a filter whose search is resolved.
fn total_of(
    conn: &mut DbConn,
    queue: Queue,
    filter: &QueueFilter,
    viewer: UserId,
    now: DateTime<Utc>,
) -> AppResult<Total> {
    if impossible(queue, filter) {
        return Ok(Total::Exact(0));
    }
    if let Some(n) = counted_total(conn, queue, filter)? {
        return Ok(Total::Exact(n));
    }
    let mut ids = std::collections::BTreeSet::new();
    for range in ranges(queue, filter, viewer) {
        let found: Vec<i64> = walk(queue, range, filter, viewer, now)
            .select(tickets::id)
            .limit(COUNT_CAP + 1)
            .load(conn)?;
        ids.extend(found);
    }
    Ok(Total::capped(ids.len()))
}

/// One page of a queue from just after `after`, with its total and the names its rows show
/// (two look-ups, not one per row).
pub fn queue(
    conn: &mut DbConn,
    queue: Queue,
    filter: &QueueFilter,
    viewer: UserId,
    after: Option<Cursor>,
    page_size: i64,
    now: DateTime<Utc>,
) -> AppResult<QueuePage> {
    let filter = &searched(conn, filter)?;
    let total = total_of(conn, queue, filter, viewer, now)?;
    let key = OrderKey::of(queue);
    // Each range gives its first page_size + 1 rows after the cursor; merged in the queue's
    // order (a ticket both worked and owned by the person comes once), the first page_size are
    // the page and one more says there is a next.
    let mut merged: BTreeMap<(NaiveDateTime, i64), QueueRow> = BTreeMap::new();
    if !impossible(queue, filter) {
        for range in ranges(queue, filter, viewer) {
            let rows: Vec<QueueRow> =
                ordered_after(walk(queue, range, filter, viewer, now), key, after)
                    .select(QueueRow::as_select())
                    .limit(page_size + 1)
                    .load(conn)?;
            for row in rows {
                merged.insert((key.value(&row), row.id.0), row);
            }
        }
    }
    let mut rows: Vec<QueueRow> = merged.into_values().collect();
    let next = if i64::try_from(rows.len()).unwrap_or(i64::MAX) > page_size {
        rows.truncate(usize::try_from(page_size).unwrap_or(0));
        rows.last().map(|r| Cursor {
            key: key.value(r),
            id: r.id,
        })
    } else {
        None
    };
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
        next,
        total,
        client_codes,
        user_names,
    })
}

/// How many tickets a queue holds, for the dashboard: exact where the counters keep it,
/// otherwise counted up to [`COUNT_CAP`].
pub fn queue_count(
    conn: &mut DbConn,
    queue: Queue,
    viewer: UserId,
    now: DateTime<Utc>,
) -> AppResult<Total> {
    total(conn, queue, &QueueFilter::default(), viewer, now)
}

/// The database's plan of every ticket query a page of `queue` runs (its ranges, each for the
/// rows from just after `after` and for the capped total), labelled: what the plan tests check
/// and what a person reads to see a queue is one index range on a large database.
pub fn plans(
    conn: &mut DbConn,
    queue: Queue,
    filter: &QueueFilter,
    viewer: UserId,
    after: Option<Cursor>,
    now: DateTime<Utc>,
) -> AppResult<Vec<(String, Vec<String>)>> {
    let filter = &searched(conn, filter)?;
    let key = OrderKey::of(queue);
    let mut plans = Vec::new();
    for range in ranges(queue, filter, viewer) {
        let rows = ordered_after(walk(queue, range, filter, viewer, now), key, after)
            .select(QueueRow::as_select())
            .limit(26);
        plans.push((format!("{range:?} rows"), explain::plan(conn, rows)?));
        let count = walk(queue, range, filter, viewer, now)
            .select(tickets::id)
            .limit(COUNT_CAP + 1);
        plans.push((format!("{range:?} total"), explain::plan(conn, count)?));
    }
    Ok(plans)
}
