//! The ticket queues: tabs, filters, paging and the due badge of each row.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;

use crate::db::categories::{self, CategoryRow};
use crate::db::tickets::{self, KindChoice, Queue, QueueFilter};
use crate::db::{self};
use crate::domain::account::Tier;
use crate::domain::ids::{CategoryId, ClientId, UserId};
use crate::domain::priority::Priority;
use crate::domain::request;
use crate::domain::sla::{self, QueueDue};
use crate::domain::ticket::{Kind, Status};
use crate::error::AppResult;
use crate::format::format_time;
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::page::{Ctx, render, url_encode};

const PAGE_SIZE: i64 = 25;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QueueQuery {
    queue: Option<String>,
    kind: Option<String>,
    client: Option<String>,
    priority: Option<String>,
    status: Option<String>,
    category: Option<String>,
    tech: Option<String>,
    q: Option<String>,
    /// Where the page starts: just after this row ([`tickets::Cursor`]).
    after: Option<String>,
    /// How many rows came before this page, for "Showing 26–50"; the link carries it.
    shown: Option<i64>,
}

fn id_param(raw: &Option<String>) -> Option<i64> {
    raw.as_deref().and_then(|v| v.trim().parse().ok())
}

pub struct QueueItem {
    pub id: i64,
    pub subject: String,
    pub client: String,
    pub kind: &'static str,
    pub priority: String,
    pub status: &'static str,
    pub tier: &'static str,
    pub owner: String,
    pub worker: String,
    pub due: String,
    pub due_css: &'static str,
    pub due_state: &'static str,
    pub untriaged: bool,
}

pub struct QueueTab {
    pub slug: String,
    pub label: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "tickets/queue.html")]
struct QueuePage {
    ctx: Ctx,
    title: String,
    /// What the queue lists, in words: "Incidents only", "Service requests", "Incidents and
    /// service requests".
    kinds_shown: &'static str,
    /// The kind filter's choices: (value, label).
    kind_options: Vec<(&'static str, String)>,
    /// The requests queue lists requests whatever the filter says, so it has none.
    kind_fixed: bool,
    tabs: Vec<QueueTab>,
    queue: String,
    items: Vec<QueueItem>,
    total: tickets::Total,
    first_shown: i64,
    last_shown: i64,
    /// Whether this is a later page (the first page's link is offered).
    later_page: bool,
    query: QueueQueryEcho,
    clients: Vec<(String, String)>,
    technicians: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    priorities: [Priority; 3],
    statuses: [Status; 12],
    page_link_first: String,
    /// The next page's link, when there is one.
    page_link_next: Option<String>,
}

/// The filters as typed, to refill the filter form and build page links.
#[derive(Clone, Default)]
pub struct QueueQueryEcho {
    pub kind: String,
    pub client: String,
    pub priority: String,
    pub status: String,
    pub category: String,
    pub tech: String,
    pub q: String,
}

impl QueueQueryEcho {
    /// The queue under these filters, from just after `after` with `shown` rows before it.
    fn link(&self, queue: &str, after: Option<(tickets::Cursor, i64)>) -> String {
        let mut link = format!("/tickets?queue={}", url_encode(queue));
        if let Some((cursor, shown)) = after {
            link.push_str(&format!("&after={}&shown={shown}", cursor.param()));
        }
        for (k, v) in [
            ("kind", &self.kind),
            ("client", &self.client),
            ("priority", &self.priority),
            ("status", &self.status),
            ("category", &self.category),
            ("tech", &self.tech),
            ("q", &self.q),
        ] {
            if !v.is_empty() {
                link.push_str(&format!("&{k}={}", url_encode(v)));
            }
        }
        link
    }
}

pub async fn queue(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<QueueQuery>,
) -> AppResult<HttpResponse> {
    let query = query.into_inner();
    let queue = query
        .queue
        .as_deref()
        .and_then(Queue::parse)
        .unwrap_or(Queue::Mine);
    let filter = QueueFilter {
        kind: KindChoice::parse(query.kind.as_deref().unwrap_or_default()),
        client: id_param(&query.client).map(ClientId),
        priority: query
            .priority
            .as_deref()
            .and_then(|p| Priority::parse(p).ok()),
        status: query.status.as_deref().and_then(|s| Status::parse(s).ok()),
        category: id_param(&query.category).map(CategoryId),
        technician: id_param(&query.tech).map(UserId),
        search: query.q.clone().filter(|q| !q.trim().is_empty()),
        ..QueueFilter::default()
    };
    let after = query.after.as_deref().and_then(tickets::Cursor::parse);
    // Only words on the page ("Showing 26–50"): a hand-edited figure changes nothing read.
    let shown = match after {
        Some(_) => query.shown.unwrap_or(0).clamp(0, i64::MAX - 2 * PAGE_SIZE),
        None => 0,
    };
    let (viewer, now, zone) = (user.id(), state.clock.now(), user.zone());
    let (result, clients, staff, categories) = {
        let filter = filter.clone();
        db::run(&state.pool, move |conn| {
            Ok((
                tickets::queue(conn, queue, &filter, viewer, after, PAGE_SIZE, now)?,
                db::clients::list(conn, false)?,
                db::users::list(conn)?,
                categories::list_categories(conn)?,
            ))
        })
        .await?
    };
    let items = result
        .rows
        .iter()
        .map(|r| {
            let status = r.status;
            let name = |id: Option<i64>| result.user_names.of(id).unwrap_or_default().to_string();
            let (due, due_css, due_state) = queue_due(r, status, now, zone);
            QueueItem {
                id: r.id.0,
                subject: r.subject.clone(),
                client: result
                    .client_codes
                    .get(&r.client_id)
                    .cloned()
                    .unwrap_or_default(),
                kind: r.kind.label(),
                priority: r.priority.as_str().into(),
                status: request::status_label(r.kind, status, r.request_approved_at.is_some()),
                tier: r.tier.map(Tier::label).unwrap_or("—"),
                owner: name(r.owner_id),
                worker: name(r.worker_id),
                due,
                due_css,
                due_state,
                untriaged: status == Status::New,
            }
        })
        .collect();
    let echo = QueueQueryEcho {
        kind: query.kind.unwrap_or_default(),
        client: query.client.unwrap_or_default(),
        priority: query.priority.unwrap_or_default(),
        status: query.status.unwrap_or_default(),
        category: query.category.unwrap_or_default(),
        tech: query.tech.unwrap_or_default(),
        q: query.q.unwrap_or_default(),
    };
    let slug = queue.slug();
    let count = i64::try_from(result.rows.len()).unwrap_or(PAGE_SIZE);
    render(&QueuePage {
        ctx: user.ctx(),
        title: queue.label(),
        kinds_shown: match filter.kind.kind_in(queue) {
            Some(Kind::Incident) => "Incidents only; service requests are in their own queue.",
            Some(Kind::ServiceRequest) => "Service requests only.",
            None => "Incidents and service requests.",
        },
        kind_options: kind_options(queue),
        kind_fixed: queue == Queue::ServiceRequests,
        tabs: Queue::all()
            .into_iter()
            .map(|q| QueueTab {
                current: q == queue,
                slug: q.slug(),
                label: q.label(),
            })
            .collect(),
        items,
        total: result.total,
        first_shown: shown + 1,
        last_shown: shown + count,
        later_page: after.is_some(),
        page_link_first: echo.link(&slug, None),
        page_link_next: result
            .next
            .map(|cursor| echo.link(&slug, Some((cursor, shown + count)))),
        query: echo,
        queue: slug,
        clients: clients
            .into_iter()
            .map(|c| (c.client.id.to_string(), c.client.name))
            .collect(),
        technicians: staff
            .into_iter()
            .filter(|u| u.active)
            .map(|u| (u.id.to_string(), u.display_name))
            .collect(),
        categories: category_options(&categories),
        priorities: Priority::ALL,
        statuses: Status::ALL,
    })
}

/// The kind filter's choices; the first, empty, is the queue's own default.
fn kind_options(queue: Queue) -> Vec<(&'static str, String)> {
    let default = match queue.default_kind() {
        Some(Kind::Incident) => "Incidents (this queue's default)",
        Some(Kind::ServiceRequest) => "Service requests",
        None => "Incidents and service requests (this queue's default)",
    };
    vec![
        ("", default.to_string()),
        (Kind::Incident.as_str(), "Incidents".into()),
        (Kind::ServiceRequest.as_str(), "Service requests".into()),
        ("any", "Incidents and service requests".into()),
    ]
}

fn show_time(at: Option<NaiveDateTime>, zone: chrono_tz::Tz) -> String {
    at.map(|t| format_time(t, zone)).unwrap_or_default()
}

/// The due time a queue row shows: the response while it is unanswered, then the resolution.
fn queue_due(
    r: &tickets::QueueRow,
    status: Status,
    now: DateTime<Utc>,
    zone: chrono_tz::Tz,
) -> (String, &'static str, &'static str) {
    if status == Status::Solved {
        return (show_time(r.solved_at, zone), "badge badge-muted", "solved");
    }
    let show = |due: DateTime<Utc>| format_time(due.naive_utc(), zone);
    match sla::queue_due(
        status.is_pending(),
        r.responded_at.is_some(),
        r.response_due_at.map(|t| t.and_utc()),
        r.resolution_due_at.map(|t| t.and_utc()),
        now,
    ) {
        QueueDue::Breached(due) => (show(due), "badge badge-bad", "breached"),
        QueueDue::DueSoon(due) => (show(due), "badge badge-warn", "due soon"),
        QueueDue::OnTrack(due) => (show(due), "badge badge-ok", "on track"),
        QueueDue::Paused => ("paused".into(), "badge badge-muted", "paused"),
        QueueDue::Unknown => ("—".into(), "badge badge-muted", ""),
    }
}

pub(super) fn category_options(categories: &[CategoryRow]) -> Vec<(String, String)> {
    let names: HashMap<i64, &str> = categories.iter().map(|c| (c.id, c.name.as_str())).collect();
    let mut options: Vec<(String, String)> = categories
        .iter()
        .filter(|c| c.active)
        .map(|c| {
            let label = match c.parent_id.and_then(|p| names.get(&p)) {
                Some(parent) => format!("{parent} › {}", c.name),
                None => c.name.clone(),
            };
            (c.id.to_string(), label)
        })
        .collect();
    options.sort_by(|a, b| a.1.cmp(&b.1));
    options
}
