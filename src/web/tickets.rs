//! Tickets in the browser: intake, queues, the ticket page and its actions, the knowledge base.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde::Deserialize;

use super::AppState;
use super::extract::CurrentUser;
use super::page::{
    Ctx, FlashKind, checkbox, flash, format_time, redirect, render, render_status, url_encode,
};
use crate::db::clients::{ContactInput, SecretChange};
use crate::db::escalation;
use crate::db::tickets::{
    self, AssignInput, CategoryRow, IntakeInput, Queue, QueueFilter, Requester, SolveInput,
    TicketDetail, TriageInput, WorkEntry, WorkInput,
};
use crate::db::{self};
use crate::domain::account::Tier;
use crate::domain::assignment::{self, Candidate};
use crate::domain::escalation::{self as escalation_rules, Reason};
use crate::domain::ids::{CategoryId, ClientId, ContactId, KbArticleId, TicketId, UserId};
use crate::domain::inputs::{
    EmailAddress, FieldErrors, Line, parse_note, parse_phone, parse_required_note,
};
use crate::domain::priority::{Impact, Priority, Urgency};
use crate::domain::sla::{
    self, ClockMode, ClockState, Pause, QueueDue, ResolutionDue, SegmentKind,
};
use crate::domain::ticket::{self, Action, Channel, IdentityCheck, Kind, Status};
use crate::error::{AppError, AppResult};
use crate::mail::messages::MailContext;

const PAGE_SIZE: i64 = 25;

fn invalid<T: Template>(page: T) -> AppResult<HttpResponse> {
    render_status(&page, StatusCode::UNPROCESSABLE_ENTITY)
}

fn show_time(at: Option<NaiveDateTime>, zone: chrono_tz::Tz) -> String {
    at.map(|t| format_time(t, zone)).unwrap_or_default()
}

/// "2h 15m" of business time, for people.
fn human(d: Duration) -> String {
    let minutes = d.num_minutes().max(0);
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h {m}m"),
    }
}

/// How one SLA clock stands, ready to show.
pub struct ClockView {
    pub name: &'static str,
    pub state: &'static str,
    pub css: &'static str,
    pub due: String,
    pub note: String,
}

fn state_css(state: ClockState) -> &'static str {
    match state {
        ClockState::Met { on_time: true } => "badge badge-ok",
        ClockState::Met { on_time: false } | ClockState::Breached => "badge badge-bad",
        ClockState::DueSoon => "badge badge-warn",
        ClockState::OnTrack => "badge badge-ok",
        ClockState::Paused => "badge badge-muted",
    }
}

/// Both clocks of a ticket at `now`, from its stored due times and its pauses.
fn clocks(
    detail: &TicketDetail,
    now: DateTime<Utc>,
    zone: chrono_tz::Tz,
) -> AppResult<(ClockView, ClockView)> {
    let row = &detail.row;
    let targets = detail.service.policy.sla_targets()?;
    let target = *targets.target(row.priority()?);
    let due_soon = detail.service.policy.due_soon();
    let created = row.created_at.and_utc();
    let response_due = row.response_due_at.map(|t| t.and_utc());
    let response = sla::response_state(
        &detail.service.calendar,
        target.mode,
        response_due,
        row.responded_at.map(|t| t.and_utc()),
        now,
        due_soon,
    );
    let response_note = match row.responded_at {
        Some(at) => format!(
            "answered after {} of counted time",
            human(sla::elapsed(
                &detail.service.calendar,
                target.mode,
                created,
                at.and_utc(),
                &[]
            ))
        ),
        None => format!("target {}", human(target.response)),
    };
    let pauses: Vec<Pause> = detail.pauses.iter().map(|p| p.pause()).collect();
    let paused = pauses.iter().any(|p| p.until.is_none());
    // The stored due time is current unless a pause is running, when the clock's remaining
    // time is worked out from the pauses.
    let resolution_due = match (paused, row.resolution_due_at) {
        (true, _) => sla::resolution_due(&detail.service.calendar, &target, created, &pauses),
        (false, Some(at)) => ResolutionDue::At(at.and_utc()),
        (false, None) => ResolutionDue::Never,
    };
    let met = row.solved_at.or(row.closed_at).map(|t| t.and_utc());
    let resolution = sla::clock_state(
        &detail.service.calendar,
        target.mode,
        resolution_due,
        met,
        now,
        due_soon,
    );
    let until = met.unwrap_or(now);
    let used = sla::elapsed(
        &detail.service.calendar,
        target.mode,
        created,
        until,
        &pauses,
    );
    let resolution_note = match resolution_due {
        ResolutionDue::Paused { remaining } => format!(
            "clock stopped while waiting; {} of {} left",
            human(remaining),
            human(target.resolution)
        ),
        _ => format!("{} of {} used", human(used), human(target.resolution)),
    };
    let due_text = |due: Option<DateTime<Utc>>| {
        due.map(|d| format_time(d.naive_utc(), zone))
            .unwrap_or_else(|| "—".into())
    };
    Ok((
        ClockView {
            name: "Response",
            state: response.label(),
            css: state_css(response),
            due: due_text(response_due),
            note: response_note,
        },
        ClockView {
            name: "Resolution",
            state: resolution.label(),
            css: state_css(resolution),
            due: match resolution_due {
                ResolutionDue::At(at) => due_text(Some(at)),
                ResolutionDue::Paused { .. } => "paused".into(),
                ResolutionDue::Never => "—".into(),
            },
            note: resolution_note,
        },
    ))
}

// ---------------------------------------------------------------- queues

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QueueQuery {
    queue: Option<String>,
    client: Option<String>,
    priority: Option<String>,
    status: Option<String>,
    category: Option<String>,
    tech: Option<String>,
    q: Option<String>,
    page: Option<i64>,
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
    tabs: Vec<QueueTab>,
    queue: String,
    items: Vec<QueueItem>,
    total: i64,
    page: i64,
    pages: i64,
    first_shown: i64,
    last_shown: i64,
    query: QueueQueryEcho,
    clients: Vec<(String, String)>,
    technicians: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    priorities: [Priority; 3],
    statuses: [Status; 12],
    page_link_prev: String,
    page_link_next: String,
}

/// The filters as typed, to refill the filter form and build page links.
#[derive(Clone, Default)]
pub struct QueueQueryEcho {
    pub client: String,
    pub priority: String,
    pub status: String,
    pub category: String,
    pub tech: String,
    pub q: String,
}

impl QueueQueryEcho {
    fn link(&self, queue: &str, page: i64) -> String {
        let mut link = format!("/tickets?queue={}&page={page}", url_encode(queue));
        for (k, v) in [
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
        client: id_param(&query.client).map(ClientId),
        priority: query
            .priority
            .as_deref()
            .and_then(|p| Priority::parse(p).ok()),
        status: query.status.as_deref().and_then(|s| Status::parse(s).ok()),
        category: id_param(&query.category).map(CategoryId),
        technician: id_param(&query.tech).map(UserId),
        search: query.q.clone().filter(|q| !q.trim().is_empty()),
    };
    // Past the last page a queue is simply empty; the bound keeps the offset arithmetic safe.
    let page = query.page.unwrap_or(0).clamp(0, 1_000_000);
    let (viewer, now, zone) = (user.id(), state.clock.now(), user.zone());
    let (result, clients, staff, categories) = {
        let filter = filter.clone();
        db::run(&state.pool, move |conn| {
            Ok((
                tickets::queue(conn, queue, &filter, viewer, page, PAGE_SIZE, now)?,
                db::clients::list(conn, false)?,
                db::users::list(conn)?,
                tickets::list_categories(conn)?,
            ))
        })
        .await?
    };
    let items = result
        .rows
        .iter()
        .map(|r| {
            let status = Status::parse(&r.status).unwrap_or(Status::New);
            let name = |id: Option<i64>| result.user_names.of(id).unwrap_or_default().to_string();
            let (due, due_css, due_state) = queue_due(r, status, now, zone);
            QueueItem {
                id: r.id,
                subject: r.subject.clone(),
                client: result
                    .client_codes
                    .get(&r.client_id)
                    .cloned()
                    .unwrap_or_default(),
                kind: Kind::parse(&r.kind).map(Kind::label).unwrap_or(""),
                priority: r.priority.clone(),
                status: status.label(),
                tier: r
                    .tier
                    .as_deref()
                    .and_then(|t| Tier::parse(t).ok())
                    .map(Tier::label)
                    .unwrap_or("—"),
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
        client: query.client.unwrap_or_default(),
        priority: query.priority.unwrap_or_default(),
        status: query.status.unwrap_or_default(),
        category: query.category.unwrap_or_default(),
        tech: query.tech.unwrap_or_default(),
        q: query.q.unwrap_or_default(),
    };
    let pages = (result.total + PAGE_SIZE - 1) / PAGE_SIZE;
    let slug = queue.slug();
    render(&QueuePage {
        ctx: user.ctx(),
        title: queue.label(),
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
        page,
        pages,
        first_shown: if result.total == 0 {
            0
        } else {
            page * PAGE_SIZE + 1
        },
        last_shown: (page * PAGE_SIZE + PAGE_SIZE).min(result.total),
        page_link_prev: echo.link(&slug, page - 1),
        page_link_next: echo.link(&slug, page + 1),
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

fn category_options(categories: &[CategoryRow]) -> Vec<(String, String)> {
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

// ---------------------------------------------------------------- intake

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct IntakeForm {
    kind: String,
    requester: String,
    client_id: String,
    new_contact_name: String,
    new_contact_email: String,
    new_contact_phone: String,
    details_confirmed: Option<String>,
    subject: String,
    description: String,
    channel: String,
    identity_check: String,
    impact: String,
    urgency: String,
}

/// The requester select: contacts grouped by client, plus "someone new".
pub struct RequesterGroup {
    pub client: String,
    pub options: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "tickets/new.html")]
struct IntakePage {
    ctx: Ctx,
    form: IntakeForm,
    errors: FieldErrors,
    groups: Vec<RequesterGroup>,
    clients: Vec<(String, String)>,
    kinds: [Kind; 2],
    channels: [Channel; 5],
    identities: [IdentityCheck; 5],
    impacts: [Impact; 3],
    urgencies: [Urgency; 3],
    priorities: [Priority; 3],
}

async fn intake_page(
    state: &AppState,
    ctx: Ctx,
    form: IntakeForm,
    errors: FieldErrors,
) -> AppResult<IntakePage> {
    let (clients, contacts) = db::run(&state.pool, |conn| {
        Ok((
            db::clients::list(conn, false)?,
            db::clients::active_contacts(conn)?,
        ))
    })
    .await?;
    let groups = clients
        .iter()
        .map(|summary| RequesterGroup {
            client: summary.client.name.clone(),
            options: contacts
                .iter()
                .filter(|c| c.client_id == summary.client.id)
                .map(|c| {
                    (
                        format!("contact:{}", c.id),
                        format!("{} <{}>", c.name, c.email),
                    )
                })
                .collect(),
        })
        .collect();
    Ok(IntakePage {
        ctx,
        form,
        errors,
        groups,
        clients: clients
            .into_iter()
            .map(|s| (s.client.id.to_string(), s.client.name))
            .collect(),
        kinds: Kind::ALL,
        channels: Channel::ALL,
        identities: IdentityCheck::ALL,
        impacts: Impact::ALL,
        urgencies: Urgency::ALL,
        priorities: Priority::ALL,
    })
}

pub async fn new_form(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    let form = IntakeForm {
        kind: Kind::Incident.as_str().into(),
        channel: Channel::Phone.as_str().into(),
        identity_check: IdentityCheck::NotValidated.as_str().into(),
        impact: Impact::Medium.as_str().into(),
        urgency: Urgency::Medium.as_str().into(),
        ..IntakeForm::default()
    };
    render(&intake_page(&state, user.ctx(), form, FieldErrors::new()).await?)
}

impl IntakeForm {
    /// Parses the form; the client comes from the chosen contact, or from the client select
    /// when the caller is new.
    fn parse(&self, contact_client: Option<i64>) -> Result<IntakeInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = errors.take("kind", Kind::parse(&self.kind));
        let subject = errors.take(
            "subject",
            Line::parse(&self.subject, "a short summary", 200),
        );
        let description = errors.take(
            "description",
            parse_required_note(
                &self.description,
                20_000,
                "Describe the request: what happens, since when, who is affected.",
            ),
        );
        let channel = errors.take("channel", Channel::parse(&self.channel));
        let identity = errors.take("identity_check", IdentityCheck::parse(&self.identity_check));
        let impact = errors.take("impact", Impact::parse(&self.impact));
        let urgency = errors.take("urgency", Urgency::parse(&self.urgency));
        if !checkbox(&self.details_confirmed) {
            errors.add(
                "details_confirmed",
                "Confirm the contact details with the caller.",
            );
        }
        let requester = match self
            .requester
            .strip_prefix("contact:")
            .map(str::parse::<i64>)
        {
            Some(Ok(id)) => Some((contact_client, Requester::Existing(ContactId(id)))),
            _ if self.requester == "new" => {
                let client = self.client_id.trim().parse::<i64>().ok();
                if client.is_none() {
                    errors.add("client_id", "Choose the client the new contact works for.");
                }
                let name = errors.take(
                    "new_contact_name",
                    Line::parse(&self.new_contact_name, "the caller's name", 120),
                );
                let email = errors.take(
                    "new_contact_email",
                    EmailAddress::parse(&self.new_contact_email),
                );
                let phone = errors.take(
                    "new_contact_phone",
                    parse_phone(&self.new_contact_phone, false),
                );
                match (name, email, phone) {
                    (Some(name), Some(email), Some(phone)) => Some((
                        client,
                        Requester::New(ContactInput {
                            name: name.into_string(),
                            email,
                            phone,
                            job_title: String::new(),
                            notes: String::new(),
                            active: true,
                            secret: SecretChange::Keep,
                        }),
                    )),
                    _ => None,
                }
            }
            _ => {
                errors.add(
                    "requester",
                    "Choose who is asking, or add them as a new contact.",
                );
                None
            }
        };
        match (
            kind,
            subject,
            description,
            channel,
            identity,
            impact,
            urgency,
            requester,
        ) {
            (
                Some(kind),
                Some(subject),
                Some(description),
                Some(channel),
                Some(identity),
                Some(impact),
                Some(urgency),
                Some((Some(client), requester)),
            ) if errors.is_empty() => Ok(IntakeInput {
                kind,
                client: ClientId(client),
                requester,
                subject: subject.into_string(),
                description,
                channel,
                identity,
                impact,
                urgency,
            }),
            _ => {
                if errors.is_empty() {
                    errors.add("requester", "That contact is no longer on file.");
                }
                Err(errors)
            }
        }
    }
}

pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    form: web::Form<IntakeForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let contact_client = match form
        .requester
        .strip_prefix("contact:")
        .and_then(|v| v.parse::<i64>().ok())
    {
        Some(id) => {
            db::run(&state.pool, move |conn| {
                match db::clients::get_contact(conn, ContactId(id)) {
                    Ok(contact) => Ok(Some(contact.client_id)),
                    Err(AppError::NotFound) => Ok(None),
                    Err(e) => Err(e),
                }
            })
            .await?
        }
        None => None,
    };
    let input = match form.parse(contact_client) {
        Ok(input) => input,
        Err(errors) => return invalid(intake_page(&state, user.ctx(), form, errors).await?),
    };
    let (actor, now) = (user.id(), state.clock.now());
    let mail = state.mail();
    let created = db::run(&state.pool, move |conn| {
        tickets::create(conn, actor, &input, &mail, now)
    })
    .await?;
    match created {
        Ok(row) => {
            flash(
                &user.session,
                FlashKind::Success,
                format!(
                    "Ticket #{} recorded. Triage it next: impact, urgency and category.",
                    row.id
                ),
            );
            Ok(redirect(&format!("/tickets/{}", row.id)))
        }
        Err(errors) => invalid(intake_page(&state, user.ctx(), form, errors).await?),
    }
}

// ---------------------------------------------------------------- the ticket page

pub struct AttachmentItem {
    pub id: i64,
    pub filename: String,
    pub size: String,
    pub when: String,
    pub who: String,
}

/// The client's survey answer as the ticket page shows it.
pub struct SurveyView {
    pub answer: String,
    pub comment: String,
    pub needs_follow_up: bool,
}

pub struct EventItem {
    pub when: String,
    pub who: String,
    pub kind: String,
    pub css: &'static str,
    pub client_visible: bool,
    pub body: String,
    pub detail: String,
}

pub struct CandidateRow {
    pub id: i64,
    pub name: String,
    pub eligible: bool,
    pub reasons: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct TriageForm {
    version: String,
    impact: String,
    urgency: String,
    category_id: String,
    subcategory_id: String,
    affected_service: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct AssignForm {
    version: String,
    tier: String,
    owner_id: String,
    worker_id: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct WorkForm {
    version: String,
    entry: String,
    body: String,
    next: String,
    category_id: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct SolveForm {
    version: String,
    solution: String,
    publish_to_kb: Option<String>,
    kb_title: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct CancelForm {
    version: String,
    duplicate_of: String,
    reason: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReopenForm {
    version: String,
    reason: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct EscalateForm {
    pub version: String,
    pub to_level_id: String,
    pub reason: String,
    pub explanation: String,
    pub owner_id: String,
    pub vendor: String,
    pub vendor_reference: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChangeForm {
    pub version: String,
    pub what: String,
    pub why: String,
    pub impact: String,
    pub risk: String,
    pub rollback_plan: String,
    pub planned_window: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    pub version: String,
    pub offered: String,
    pub answer: String,
    pub answered_on: String,
}

pub struct DecisionItem {
    pub offered: String,
    pub offered_by: String,
    pub offered_at: String,
    pub answer: String,
    pub answered_on: String,
}

pub struct EscalationItem {
    pub when: String,
    pub from: String,
    pub to: String,
    pub reason: String,
    pub trigger: String,
    pub who: String,
    pub owner: String,
    pub explanation: String,
    pub vendor: String,
}

pub struct ApprovalItem {
    pub kind: &'static str,
    pub state: String,
    pub what: String,
    pub requester: String,
    pub when: String,
    pub decision: String,
}

/// Which form on the page the errors belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FormKey {
    #[default]
    None,
    Triage,
    Assign,
    Work,
    Solve,
    Cancel,
    Reopen,
    Attach,
    Escalate,
    Change,
    Decision,
}

#[derive(Template)]
#[template(path = "tickets/show.html")]
struct TicketPage {
    ctx: Ctx,
    id: i64,
    subject: String,
    description: String,
    kind: &'static str,
    status_label: &'static str,
    priority: String,
    priority_label: &'static str,
    impact: String,
    urgency: String,
    client_id: i64,
    client_name: String,
    client_code: String,
    contact_name: String,
    contact_email: String,
    contact_phone: String,
    channel: &'static str,
    identity: &'static str,
    identity_ok: bool,
    owner: String,
    worker: String,
    tier: &'static str,
    category: String,
    affected_service: String,
    created: String,
    solution: Option<String>,
    reopen_count: i32,
    duplicate_of: Option<i64>,
    survey: Option<SurveyView>,
    viewer_is_manager: bool,
    attachments: Vec<AttachmentItem>,
    clocks: [ClockView; 2],
    events: Vec<EventItem>,
    priorities: [Priority; 3],
    is_owner: bool,
    is_open: bool,
    can_reopen: bool,
    next_options: Vec<(String, String)>,
    entries: [WorkEntry; 3],
    impacts: [Impact; 3],
    urgencies: [Urgency; 3],
    tiers: [Tier; 4],
    categories: Vec<(String, String)>,
    top_categories: Vec<(String, String)>,
    candidates: Vec<CandidateRow>,
    suggested_tier: String,
    errors: FieldErrors,
    no_errors: FieldErrors,
    form_with_errors: FormKey,
    triage: TriageForm,
    assign: AssignForm,
    work: WorkForm,
    solve: SolveForm,
    cancel: CancelForm,
    reopen: ReopenForm,
    escalate: EscalateForm,
    change: ChangeForm,
    decision: DecisionForm,
    decisions: Vec<DecisionItem>,
    open_offer: bool,
    level_name: String,
    budget_note: Option<String>,
    escalation_targets: Vec<(String, String)>,
    reasons: Vec<(String, String)>,
    escalations: Vec<EscalationItem>,
    approvals: Vec<ApprovalItem>,
    awaiting_approval: bool,
}

impl TicketPage {
    /// The errors of one form of the page (the others show none).
    fn errors_for(&self, form: &str) -> &FieldErrors {
        let key = match form {
            "triage" => FormKey::Triage,
            "assign" => FormKey::Assign,
            "work" => FormKey::Work,
            "solve" => FormKey::Solve,
            "cancel" => FormKey::Cancel,
            "reopen" => FormKey::Reopen,
            "attach" => FormKey::Attach,
            "escalate" => FormKey::Escalate,
            "change" => FormKey::Change,
            "decision" => FormKey::Decision,
            _ => FormKey::None,
        };
        if key == self.form_with_errors {
            &self.errors
        } else {
            &self.no_errors
        }
    }
}

fn event_css(kind: &str) -> &'static str {
    match kind {
        "reply" | "call" => "event event-client",
        "note" => "event event-note",
        "solution" => "event event-solution",
        _ => "event event-system",
    }
}

fn event_label(kind: &str) -> String {
    match kind {
        "created" => "Recorded".into(),
        "note" => "Internal note".into(),
        "reply" => "Reply to the client".into(),
        "call" => "Call with the client".into(),
        "triage" => "Triage".into(),
        "assignment" => "Assignment".into(),
        "status" => "Status".into(),
        "solution" => "Solution".into(),
        "reopen" => "Reopened".into(),
        "closed" => "Closed".into(),
        "attachment" => "Attachment".into(),
        "survey" => "Survey".into(),
        "escalation" => "Escalation".into(),
        "approval" => "Approval".into(),
        "decision" => "Decision point".into(),
        other => other.to_string(),
    }
}

/// Everything the page needs; the forms come pre-filled from the ticket unless the user's
/// own text is being sent back with errors.
async fn ticket_page(
    state: &AppState,
    user: &CurrentUser,
    id: TicketId,
    errors: FieldErrors,
    form_with_errors: FormKey,
    forms: PageForms,
) -> AppResult<TicketPage> {
    let now = state.clock.now();
    let (
        detail,
        categories,
        facts,
        (survey, attachments),
        (standing, history, requests, decisions),
    ) = db::run(&state.pool, move |conn| {
        let detail = tickets::detail(conn, id)?;
        let category = detail.row.category_id.map(CategoryId);
        let standing = escalation::standing(conn, &detail.row)?;
        let history = escalation::history(conn, &standing.ladder, id)?;
        let requests = escalation::of_ticket(conn, id)?;
        let decisions = escalation::decisions_of(conn, id)?;
        Ok((
            detail,
            tickets::list_categories(conn)?,
            tickets::assignment_candidates(conn, category, now)?,
            (
                db::surveys::for_ticket(conn, id)?,
                tickets::attachments_of(conn, id)?,
            ),
            (standing, history, requests, decisions),
        ))
    })
    .await?;
    let zone = user.zone();
    let row = &detail.row;
    let status = row.status()?;
    let priority = row.priority()?;
    let identity = row.identity()?;
    let name = |id: Option<i64>| detail.names.of(id).map(str::to_string);
    let category_name = |id: Option<i64>| detail.categories.of(id).map(str::to_string);
    let category = match (
        category_name(row.category_id),
        category_name(row.subcategory_id),
    ) {
        (Some(m), Some(s)) => format!("{m} › {s}"),
        (Some(m), None) => m,
        _ => "not triaged".into(),
    };
    let (response, resolution) = clocks(&detail, now, zone)?;
    let common = categories
        .iter()
        .find(|c| Some(c.id) == row.subcategory_id.or(row.category_id))
        .is_some_and(|c| c.common_low_complexity);
    let wanted_tier = row
        .tier
        .as_deref()
        .and_then(|t| Tier::parse(t).ok())
        .unwrap_or_else(|| assignment::default_tier(priority, common));
    let ranked = assignment::rank(
        facts
            .into_iter()
            .map(|f| Candidate {
                user: f.user.id(),
                name: f.user.display_name.clone(),
                tier: f.user.tier(),
                is_manager: f.user.role().is_manager(),
                solved_in_category: u32::try_from(f.solved_in_category).unwrap_or(u32::MAX),
                open_tickets: u32::try_from(f.open_tickets).unwrap_or(u32::MAX),
                away: f.user.away,
                may_work_for_client: true,
            })
            .collect(),
        wanted_tier,
        category_name(row.category_id).as_deref(),
    );
    let next_options = ticket::available_actions(status)
        .into_iter()
        .filter(|a| matches!(a, Action::StartWork | Action::Pend(_) | Action::Resume))
        .map(|a| (a.as_str().to_string(), a.label().to_string()))
        .collect();
    let version = row.version;
    let defaults = PageForms {
        triage: TriageForm {
            version: version.to_string(),
            impact: row.impact.clone(),
            urgency: row.urgency.clone(),
            category_id: row.category_id.map(|c| c.to_string()).unwrap_or_default(),
            subcategory_id: row
                .subcategory_id
                .map(|c| c.to_string())
                .unwrap_or_default(),
            affected_service: row.affected_service.clone(),
        },
        assign: AssignForm {
            version: version.to_string(),
            tier: wanted_tier.as_str().into(),
            owner_id: row
                .owner_id
                .map(|o| o.to_string())
                .unwrap_or_else(|| user.row.id.to_string()),
            worker_id: row
                .worker_id
                .map(|o| o.to_string())
                .unwrap_or_else(|| user.row.id.to_string()),
        },
        work: WorkForm {
            version: version.to_string(),
            entry: WorkEntry::Note.as_str().into(),
            category_id: row.category_id.map(|c| c.to_string()).unwrap_or_default(),
            ..WorkForm::default()
        },
        solve: SolveForm {
            version: version.to_string(),
            kb_title: row.subject.clone(),
            ..SolveForm::default()
        },
        cancel: CancelForm {
            version: version.to_string(),
            ..CancelForm::default()
        },
        reopen: ReopenForm {
            version: version.to_string(),
            ..ReopenForm::default()
        },
        escalate: EscalateForm {
            version: version.to_string(),
            to_level_id: standing
                .ladder
                .above(&standing.level)
                .first()
                .map(|l| l.id.to_string())
                .unwrap_or_default(),
            owner_id: row
                .owner_id
                .map(|o| o.to_string())
                .unwrap_or_else(|| user.row.id.to_string()),
            ..EscalateForm::default()
        },
        change: ChangeForm {
            version: version.to_string(),
            ..ChangeForm::default()
        },
        decision: DecisionForm {
            version: version.to_string(),
            ..DecisionForm::default()
        },
    };
    let open_offer = decisions.iter().any(|(d, _)| d.answered_on.is_none());
    let budget_note = budget_note(&detail, &standing, status, now)?;
    let awaiting_approval = requests.iter().any(|r| r.row.status == "pending");
    let forms = forms.merged_over(defaults, form_with_errors);
    Ok(TicketPage {
        ctx: user.ctx(),
        id: row.id,
        subject: row.subject.clone(),
        description: row.description.clone(),
        kind: row.kind()?.label(),
        status_label: status.label(),
        priority: priority.as_str().into(),
        priority_label: priority.label(),
        impact: row.impact.clone(),
        urgency: row.urgency.clone(),
        client_id: detail.client.id,
        client_name: detail.client.name.clone(),
        client_code: detail.client.code.clone(),
        contact_name: detail.contact.name.clone(),
        contact_email: detail.contact.email.clone(),
        contact_phone: detail.contact.phone.clone(),
        channel: Channel::parse(&row.channel)
            .map(Channel::label)
            .unwrap_or(""),
        identity: identity.label(),
        identity_ok: identity.is_validated(),
        owner: name(row.owner_id).unwrap_or_else(|| "nobody yet".into()),
        worker: name(row.worker_id).unwrap_or_else(|| "nobody yet".into()),
        tier: row
            .tier
            .as_deref()
            .and_then(|t| Tier::parse(t).ok())
            .map(Tier::label)
            .unwrap_or("not assigned"),
        category,
        affected_service: row.affected_service.clone(),
        created: format!(
            "{} by {}",
            format_time(row.created_at, zone),
            name(row.created_by).unwrap_or_else(|| "the system".into())
        ),
        solution: row.solution.clone(),
        reopen_count: row.reopen_count,
        duplicate_of: row.duplicate_of,
        viewer_is_manager: user.row.role().is_manager(),
        attachments: attachments
            .into_iter()
            .map(|a| AttachmentItem {
                id: a.id,
                size: tickets::human_size(usize::try_from(a.size_bytes).unwrap_or(0)),
                when: format_time(a.created_at, zone),
                who: a.uploaded_by.unwrap_or_else(|| "the system".into()),
                filename: a.filename,
            })
            .collect(),
        survey: survey.map(|s| SurveyView {
            answer: match (s.rating(), s.answered_at) {
                (Some(r), _) => format!("{r} of 5 · {}", crate::domain::survey::label(r)),
                (None, Some(_)) => "commented without a rating".into(),
                (None, None) => format!("sent {}, not answered yet", format_time(s.sent_at, zone)),
            },
            needs_follow_up: s.flagged && s.followed_up_at.is_none(),
            comment: s.comment,
        }),
        clocks: [response, resolution],
        priorities: Priority::ALL,
        events: detail
            .events
            .iter()
            .map(|e| EventItem {
                when: format_time(e.created_at, zone),
                who: e.actor_name.clone().unwrap_or_else(|| "the system".into()),
                kind: event_label(&e.kind),
                css: event_css(&e.kind),
                client_visible: e.client_visible,
                body: e.body.clone(),
                detail: e.detail.clone(),
            })
            .collect(),
        is_owner: row.owner_id == Some(user.row.id),
        is_open: status.is_open(),
        can_reopen: ticket::next_status(status, Action::Reopen).is_ok(),
        next_options,
        entries: WorkEntry::ALL,
        impacts: Impact::ALL,
        urgencies: Urgency::ALL,
        tiers: Tier::ALL,
        top_categories: categories
            .iter()
            .filter(|c| c.parent_id.is_none() && c.active)
            .map(|c| (c.id.to_string(), c.name.clone()))
            .collect(),
        categories: category_options(&categories),
        candidates: ranked
            .into_iter()
            .map(|r| CandidateRow {
                id: r.candidate.user.0,
                name: r.candidate.name,
                eligible: r.eligible,
                reasons: r.reasons.join("; "),
            })
            .collect(),
        suggested_tier: wanted_tier.label().into(),
        errors,
        no_errors: FieldErrors::new(),
        form_with_errors,
        triage: forms.triage,
        assign: forms.assign,
        work: forms.work,
        solve: forms.solve,
        cancel: forms.cancel,
        reopen: forms.reopen,
        escalate: forms.escalate,
        change: forms.change,
        decision: forms.decision,
        decisions: decisions
            .into_iter()
            .map(|(d, offered_by)| DecisionItem {
                offered_by,
                offered_at: format_time(d.offered_at, zone),
                offered: d.offered,
                answer: d.answer,
                answered_on: d.answered_on.map(|on| on.to_string()).unwrap_or_default(),
            })
            .collect(),
        open_offer,
        level_name: standing.level.name.clone(),
        budget_note,
        escalation_targets: standing
            .ladder
            .levels()
            .iter()
            .filter(|l| l.position >= standing.level.position)
            .map(|l| {
                let label = if l.id == standing.level.id {
                    format!("{} (stays here: external vendor only)", l.name)
                } else if l.needs_approval() {
                    format!("{} (needs a manager's approval)", l.name)
                } else {
                    l.name.clone()
                };
                (l.id.to_string(), label)
            })
            .collect(),
        reasons: Reason::ALL
            .into_iter()
            .map(|r| (r.as_str().to_string(), r.label().to_string()))
            .collect(),
        escalations: history
            .into_iter()
            .map(|e| EscalationItem {
                when: format_time(e.at, zone),
                from: e.from,
                to: e.to,
                reason: e.reason,
                trigger: e.trigger,
                who: e.actor.unwrap_or_else(|| "the system".into()),
                owner: e.owner.unwrap_or_else(|| "nobody".into()),
                explanation: e.explanation,
                vendor: if e.vendor.is_empty() {
                    String::new()
                } else {
                    format!("{} (reference {})", e.vendor, e.vendor_reference)
                },
            })
            .collect(),
        approvals: requests
            .into_iter()
            .map(|a| ApprovalItem {
                kind: a.row.kind().map(|k| k.label()).unwrap_or("Request"),
                state: match a.decider {
                    Some(decider) => format!("{} by {decider}", a.row.status),
                    None => "awaiting approval".into(),
                },
                what: a.row.what.clone(),
                requester: a.requester,
                when: format_time(a.row.requested_at, zone),
                decision: a.row.decision_comment.clone(),
            })
            .collect(),
        awaiting_approval,
    })
}

/// "You have 35 business minutes before this must go to Tier 2", when the ticket's level has a
/// time budget and its clock runs.
fn budget_note(
    detail: &TicketDetail,
    standing: &escalation::Standing,
    status: Status,
    now: DateTime<Utc>,
) -> AppResult<Option<String>> {
    if !status.is_open() || status.is_pending() {
        return Ok(None);
    }
    let priority = detail.row.priority()?;
    let target = *detail.service.policy.sla_targets()?.target(priority);
    let Some(budget) = standing.level.budget(priority, target.resolution) else {
        return Ok(None);
    };
    let Some(next) = standing.ladder.next_for_time(&standing.level) else {
        return Ok(None);
    };
    let pauses: Vec<Pause> = detail.pauses.iter().map(|p| p.pause()).collect();
    let used = sla::elapsed(
        &detail.service.calendar,
        target.mode,
        standing.since.and_utc(),
        now,
        &pauses,
    );
    Ok(Some(escalation_rules::budget_sentence(
        escalation_rules::budget_state(budget, used),
        target.mode == ClockMode::BusinessHours,
        &next.name,
    )))
}

/// The forms of the page; the one that failed keeps what the user typed.
#[derive(Default)]
pub(super) struct PageForms {
    triage: TriageForm,
    assign: AssignForm,
    work: WorkForm,
    solve: SolveForm,
    cancel: CancelForm,
    reopen: ReopenForm,
    escalate: EscalateForm,
    change: ChangeForm,
    decision: DecisionForm,
}

/// The form the user sent keeps their text; the others show the ticket as it is.
fn pick<T>(keep: FormKey, form: FormKey, sent: T, fresh: T) -> T {
    if keep == form { sent } else { fresh }
}

impl PageForms {
    /// The escalation form as sent, the others from the ticket.
    pub(super) fn escalating(escalate: EscalateForm) -> Self {
        Self {
            escalate,
            ..Self::default()
        }
    }

    /// The decision-point entry as sent, the others from the ticket.
    pub(super) fn deciding(decision: DecisionForm) -> Self {
        Self {
            decision,
            ..Self::default()
        }
    }

    /// The change request as sent, the others from the ticket.
    pub(super) fn changing(change: ChangeForm) -> Self {
        Self {
            change,
            ..Self::default()
        }
    }

    fn merged_over(self, defaults: PageForms, keep: FormKey) -> PageForms {
        PageForms {
            triage: pick(keep, FormKey::Triage, self.triage, defaults.triage),
            assign: pick(keep, FormKey::Assign, self.assign, defaults.assign),
            work: pick(keep, FormKey::Work, self.work, defaults.work),
            solve: pick(keep, FormKey::Solve, self.solve, defaults.solve),
            cancel: pick(keep, FormKey::Cancel, self.cancel, defaults.cancel),
            reopen: pick(keep, FormKey::Reopen, self.reopen, defaults.reopen),
            escalate: pick(keep, FormKey::Escalate, self.escalate, defaults.escalate),
            change: pick(keep, FormKey::Change, self.change, defaults.change),
            decision: pick(keep, FormKey::Decision, self.decision, defaults.decision),
        }
    }
}

pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = TicketId(path.into_inner());
    let page = ticket_page(
        &state,
        &user,
        id,
        FieldErrors::new(),
        FormKey::None,
        PageForms::default(),
    )
    .await?;
    render(&page)
}

/// A form sent back: the ticket page with the user's text and the errors beside the fields.
pub(super) async fn refused(
    state: &AppState,
    user: &CurrentUser,
    id: TicketId,
    errors: FieldErrors,
    key: FormKey,
    forms: PageForms,
) -> AppResult<HttpResponse> {
    let page = ticket_page(state, user, id, errors, key, forms).await?;
    invalid(page)
}

#[derive(Template)]
#[template(path = "tickets/conflict.html")]
struct ConflictPage {
    ctx: Ctx,
    id: i64,
    message: String,
    kept: String,
}

/// Two people saved the same ticket: the second sees this, with their text to copy back.
fn conflict_page(
    user: &CurrentUser,
    id: TicketId,
    message: String,
    kept: String,
) -> AppResult<HttpResponse> {
    render_status(
        &ConflictPage {
            ctx: user.ctx(),
            id: id.0,
            message,
            kept,
        },
        StatusCode::CONFLICT,
    )
}

pub(super) fn parse_version(raw: &str) -> Result<i64, String> {
    raw.trim()
        .parse()
        .map_err(|_| "The form is incomplete; reload the ticket.".to_string())
}

pub(super) fn parse_optional_id(raw: &str, what: &str) -> Result<Option<i64>, String> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(None);
    }
    value
        .parse()
        .map(Some)
        .map_err(|_| format!("Choose {what} from the list."))
}

/// Runs a ticket command and turns its outcome into the response: back to the ticket with a
/// flash, the form again with errors, or the conflict page with the user's text.
/// The form that was sent: which one, its fields as typed, and the text worth keeping if
/// someone else saved the ticket first.
pub(super) struct Sent {
    pub(super) key: FormKey,
    pub(super) forms: PageForms,
    pub(super) kept: String,
}

pub(super) async fn finish(
    state: &AppState,
    user: &CurrentUser,
    id: TicketId,
    outcome: AppResult<Result<tickets::TicketRow, FieldErrors>>,
    sent: Sent,
    done: &str,
) -> AppResult<HttpResponse> {
    match outcome {
        Ok(Ok(_)) => {
            flash(&user.session, FlashKind::Success, done);
            Ok(redirect(&format!("/tickets/{}", id.0)))
        }
        Ok(Err(errors)) => refused(state, user, id, errors, sent.key, sent.forms).await,
        Err(AppError::Conflict(message)) => conflict_page(user, id, message, sent.kept),
        Err(e) => Err(e),
    }
}

pub async fn triage(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<TriageForm>,
) -> AppResult<HttpResponse> {
    let id = TicketId(path.into_inner());
    let form = form.into_inner();
    let mut errors = FieldErrors::new();
    let version = errors.take("version", parse_version(&form.version));
    let impact = errors.take("impact", Impact::parse(&form.impact));
    let urgency = errors.take("urgency", Urgency::parse(&form.urgency));
    let category = errors.take(
        "category_id",
        parse_optional_id(&form.category_id, "a category"),
    );
    let subcategory = errors.take(
        "subcategory_id",
        parse_optional_id(&form.subcategory_id, "a subcategory"),
    );
    if category == Some(None) {
        errors.add("category_id", "Choose a category.");
    }
    let service = errors.take("affected_service", parse_note(&form.affected_service, 200));
    let forms = PageForms {
        triage: form.clone(),
        ..PageForms::default()
    };
    let (
        Some(version),
        Some(impact),
        Some(urgency),
        Some(category),
        Some(subcategory),
        Some(service),
    ) = (version, impact, urgency, category, subcategory, service)
    else {
        return refused(&state, &user, id, errors, FormKey::Triage, forms).await;
    };
    if !errors.is_empty() {
        return refused(&state, &user, id, errors, FormKey::Triage, forms).await;
    }
    let input = TriageInput {
        impact,
        urgency,
        category: category.map(CategoryId),
        subcategory: subcategory.map(CategoryId),
        affected_service: service,
    };
    let (actor, now) = (user.id(), state.clock.now());
    let mail = MailContext::from_config(&state.config);
    let outcome = db::run(&state.pool, move |conn| {
        tickets::triage(conn, actor, id, version, &input, &mail, now)
    })
    .await;
    finish(
        &state,
        &user,
        id,
        outcome,
        Sent {
            key: FormKey::Triage,
            forms,
            kept: form.affected_service,
        },
        "Triage saved.",
    )
    .await
}

/// The pull from a queue: an untriaged ticket opens at its triage form (the blueprints: who
/// pulls a ticket triages it first).
pub async fn pull(path: web::Path<i64>, _user: CurrentUser) -> HttpResponse {
    redirect(&format!("/tickets/{}#triage", path.into_inner()))
}

pub async fn assign(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<AssignForm>,
) -> AppResult<HttpResponse> {
    let id = TicketId(path.into_inner());
    let form = form.into_inner();
    let mut errors = FieldErrors::new();
    let version = errors.take("version", parse_version(&form.version));
    let tier = errors.take("tier", Tier::parse(&form.tier));
    let owner = errors
        .take("owner_id", parse_optional_id(&form.owner_id, "an owner"))
        .flatten();
    let worker = errors
        .take(
            "worker_id",
            parse_optional_id(&form.worker_id, "a technician"),
        )
        .flatten();
    if owner.is_none() && errors.get("owner_id").is_none() {
        errors.add("owner_id", "Choose who owns the ticket through its life.");
    }
    if worker.is_none() && errors.get("worker_id").is_none() {
        errors.add("worker_id", "Choose who works on it now.");
    }
    let forms = PageForms {
        assign: form.clone(),
        ..PageForms::default()
    };
    let (Some(version), Some(tier), Some(owner), Some(worker)) = (version, tier, owner, worker)
    else {
        return refused(&state, &user, id, errors, FormKey::Assign, forms).await;
    };
    let input = AssignInput {
        tier,
        owner: Some(UserId(owner)),
        worker: Some(UserId(worker)),
    };
    let (actor, now) = (user.id(), state.clock.now());
    let outcome = db::run(&state.pool, move |conn| {
        tickets::assign(conn, actor, id, version, &input, now)
    })
    .await;
    finish(
        &state,
        &user,
        id,
        outcome,
        Sent {
            key: FormKey::Assign,
            forms,
            kept: String::new(),
        },
        "Assignment saved.",
    )
    .await
}

pub async fn work(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<WorkForm>,
) -> AppResult<HttpResponse> {
    let id = TicketId(path.into_inner());
    let form = form.into_inner();
    let mut errors = FieldErrors::new();
    let version = errors.take("version", parse_version(&form.version));
    let entry = errors.take("entry", WorkEntry::parse(&form.entry));
    let body = errors.take(
        "body",
        parse_required_note(
            &form.body,
            20_000,
            "Write what was done, asked or answered.",
        ),
    );
    let action = if form.next.trim().is_empty() || form.next == "keep" {
        Some(None)
    } else {
        errors.take(
            "next",
            Action::parse(&form.next)
                .and_then(|a| {
                    if ticket::is_work_action(a) {
                        Ok(a)
                    } else {
                        Err("Use the ticket's own form for that step.".to_string())
                    }
                })
                .map(Some),
        )
    };
    let category = errors.take(
        "category_id",
        parse_optional_id(&form.category_id, "a category"),
    );
    let forms = PageForms {
        work: form.clone(),
        ..PageForms::default()
    };
    let (Some(version), Some(entry), Some(body), Some(action), Some(category)) =
        (version, entry, body, action, category)
    else {
        return refused(&state, &user, id, errors, FormKey::Work, forms).await;
    };
    let input = WorkInput {
        entry,
        body,
        action,
        category: category.map(CategoryId),
    };
    let (actor, now) = (user.id(), state.clock.now());
    let mail = state.mail();
    let done = match entry {
        WorkEntry::Note => "Note added.",
        WorkEntry::Reply => "Reply recorded and queued for the client.",
        WorkEntry::Call => "Call logged.",
    };
    let outcome = db::run(&state.pool, move |conn| {
        tickets::work(conn, actor, id, version, &input, &mail, now)
    })
    .await;
    let sent = Sent {
        key: FormKey::Work,
        forms,
        kept: form.body,
    };
    finish(&state, &user, id, outcome, sent, done).await
}

pub async fn solve(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<SolveForm>,
) -> AppResult<HttpResponse> {
    let id = TicketId(path.into_inner());
    let form = form.into_inner();
    let mut errors = FieldErrors::new();
    let version = errors.take("version", parse_version(&form.version));
    let solution = errors.take("solution", ticket::check_solution(&form.solution));
    let publish = checkbox(&form.publish_to_kb);
    let title = if publish {
        errors
            .take(
                "kb_title",
                Line::parse(&form.kb_title, "a title for the article", 200),
            )
            .map(Line::into_string)
    } else {
        Some(String::new())
    };
    let forms = PageForms {
        solve: form.clone(),
        ..PageForms::default()
    };
    let (Some(version), Some(solution), Some(kb_title)) = (version, solution, title) else {
        return refused(&state, &user, id, errors, FormKey::Solve, forms).await;
    };
    let input = SolveInput {
        solution,
        publish_to_kb: publish,
        kb_title,
    };
    let (actor, now) = (user.id(), state.clock.now());
    let mail = state.mail();
    let outcome = db::run(&state.pool, move |conn| {
        tickets::solve(conn, actor, id, version, &input, &mail, now)
    })
    .await;
    finish(
        &state,
        &user,
        id,
        outcome,
        Sent {
            key: FormKey::Solve,
            forms,
            kept: form.solution,
        },
        "Marked solved. The client can reopen it during the next day.",
    )
    .await
}

pub async fn cancel(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<CancelForm>,
) -> AppResult<HttpResponse> {
    let id = TicketId(path.into_inner());
    let form = form.into_inner();
    let mut errors = FieldErrors::new();
    let version = errors.take("version", parse_version(&form.version));
    let duplicate = errors.take(
        "duplicate_of",
        parse_optional_id(
            form.duplicate_of.trim().trim_start_matches('#'),
            "a ticket number",
        ),
    );
    let reason = errors.take(
        "reason",
        parse_required_note(&form.reason, 4000, "Say why, for the record."),
    );
    let forms = PageForms {
        cancel: form.clone(),
        ..PageForms::default()
    };
    let (Some(version), Some(duplicate), Some(reason)) = (version, duplicate, reason) else {
        return refused(&state, &user, id, errors, FormKey::Cancel, forms).await;
    };
    let (actor, now) = (user.id(), state.clock.now());
    let outcome = db::run(&state.pool, move |conn| {
        tickets::cancel(
            conn,
            actor,
            id,
            version,
            duplicate.map(TicketId),
            &reason,
            now,
        )
    })
    .await;
    finish(
        &state,
        &user,
        id,
        outcome,
        Sent {
            key: FormKey::Cancel,
            forms,
            kept: form.reason,
        },
        "Ticket closed without a fix.",
    )
    .await
}

/// Staff reopen a solved ticket when the client asks on the phone.
pub async fn reopen(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<ReopenForm>,
) -> AppResult<HttpResponse> {
    let id = TicketId(path.into_inner());
    let form = form.into_inner();
    let forms = PageForms {
        reopen: form.clone(),
        ..PageForms::default()
    };
    let reason = match parse_required_note(&form.reason, 4000, "Say what the client reported.") {
        Ok(reason) => reason,
        Err(message) => {
            let errors = FieldErrors::single("reason", message);
            return refused(&state, &user, id, errors, FormKey::Reopen, forms).await;
        }
    };
    let version = match parse_version(&form.version) {
        Ok(version) => version,
        Err(message) => {
            let errors = FieldErrors::single("reason", message);
            return refused(&state, &user, id, errors, FormKey::Reopen, forms).await;
        }
    };
    let (actor, now) = (user.id(), state.clock.now());
    let outcome = db::run(&state.pool, move |conn| {
        tickets::reopen(conn, actor, id, version, &reason, now)
    })
    .await;
    finish(
        &state,
        &user,
        id,
        outcome,
        Sent {
            key: FormKey::Reopen,
            forms,
            kept: form.reason,
        },
        "Ticket reopened.",
    )
    .await
}

// ---------------------------------------------------------------- SLA explanation

pub struct SegmentItem {
    pub from: String,
    pub until: String,
    pub kind: &'static str,
    pub css: &'static str,
    pub counted: String,
}

#[derive(Template)]
#[template(path = "tickets/sla.html")]
struct SlaPage {
    ctx: Ctx,
    id: i64,
    subject: String,
    priority_label: &'static str,
    mode: &'static str,
    calendar_zone: String,
    clocks: [ClockView; 2],
    segments: Vec<SegmentItem>,
    total: String,
    target: String,
}

/// Lists the stretches counted and paused, so a manager can defend the figure to a client.
pub async fn explain(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = TicketId(path.into_inner());
    let detail = db::run(&state.pool, move |conn| tickets::detail(conn, id)).await?;
    let now = state.clock.now();
    let zone = user.zone();
    let (response, resolution) = clocks(&detail, now, zone)?;
    let row = &detail.row;
    let priority = row.priority()?;
    let targets = detail.service.policy.sla_targets()?;
    let target = targets.target(priority);
    let pauses: Vec<Pause> = detail.pauses.iter().map(|p| p.pause()).collect();
    let created = row.created_at.and_utc();
    let until = row
        .solved_at
        .or(row.closed_at)
        .map(|t| t.and_utc())
        .unwrap_or(now);
    let segments = sla::explain(
        &detail.service.calendar,
        target.mode,
        created,
        until,
        &pauses,
    );
    let total = sla::elapsed(
        &detail.service.calendar,
        target.mode,
        created,
        until,
        &pauses,
    );
    render(&SlaPage {
        ctx: user.ctx(),
        id: row.id,
        subject: row.subject.clone(),
        priority_label: priority.label(),
        mode: target.mode.label(),
        calendar_zone: match target.mode {
            ClockMode::BusinessHours => detail.service.calendar.zone().name().to_string(),
            ClockMode::Always => "24/7".into(),
        },
        clocks: [response, resolution],
        segments: segments
            .into_iter()
            .map(|s| SegmentItem {
                from: format_time(s.from.naive_utc(), zone),
                until: format_time(s.until.naive_utc(), zone),
                kind: s.kind.label(),
                css: match s.kind {
                    SegmentKind::Counted => "badge badge-ok",
                    SegmentKind::Paused => "badge badge-warn",
                    SegmentKind::OutsideHours => "badge badge-muted",
                },
                counted: human(s.counted),
            })
            .collect(),
        total: human(total),
        target: human(target.resolution),
    })
}

// ---------------------------------------------------------------- knowledge base

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct KbQuery {
    q: Option<String>,
}

pub struct KbItem {
    pub id: i64,
    pub title: String,
    pub excerpt: String,
    pub ticket_id: Option<i64>,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "kb/index.html")]
struct KbPage {
    ctx: Ctx,
    q: String,
    articles: Vec<KbItem>,
}

pub async fn kb_index(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<KbQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner().q.unwrap_or_default();
    let term = q.clone();
    let rows = db::run(&state.pool, move |conn| {
        tickets::kb_search(conn, Some(&term), 50)
    })
    .await?;
    let zone = user.zone();
    render(&KbPage {
        ctx: user.ctx(),
        q,
        articles: rows
            .into_iter()
            .map(|a| KbItem {
                id: a.id,
                excerpt: a.body.chars().take(220).collect(),
                title: a.title,
                ticket_id: a.ticket_id,
                updated: format_time(a.updated_at, zone),
            })
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "kb/show.html")]
struct KbArticlePage {
    ctx: Ctx,
    title: String,
    body: String,
    ticket_id: Option<i64>,
    updated: String,
}

pub async fn kb_show(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = KbArticleId(path.into_inner());
    let article = db::run(&state.pool, move |conn| tickets::kb_article(conn, id)).await?;
    render(&KbArticlePage {
        ctx: user.ctx(),
        title: article.title,
        body: article.body,
        ticket_id: article.ticket_id,
        updated: format_time(article.updated_at, user.zone()),
    })
}

/// "I'm away" / "I'm back": assignment ranks away people last.
pub async fn toggle_away(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    let (id, away, now) = (user.id(), !user.row.away, state.clock.now());
    db::run(&state.pool, move |conn| {
        db::users::set_away(conn, id, away, now)
    })
    .await?;
    flash(
        &user.session,
        FlashKind::Notice,
        if away {
            "You are marked away: new assignments will prefer others."
        } else {
            "Welcome back: you are available for assignments."
        },
    );
    Ok(redirect("/"))
}

/// A manager records the follow-up of a low rating or a comment.
pub async fn followed_up(
    state: web::Data<AppState>,
    manager: super::extract::Manager,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = TicketId(path.into_inner());
    let (actor, now) = (manager.0.id(), state.clock.now());
    db::run(&state.pool, move |conn| {
        db::surveys::mark_followed_up(conn, actor, id, now)
    })
    .await?;
    flash(
        &manager.0.session,
        FlashKind::Success,
        "Follow-up recorded.",
    );
    Ok(redirect(&format!("/tickets/{}", id.0)))
}

pub struct SatisfactionItem {
    pub name: String,
    pub sent: i64,
    pub answered: i64,
    pub average: String,
    pub flagged: i64,
}

#[derive(Template)]
#[template(path = "reports/satisfaction.html")]
struct SatisfactionPage {
    ctx: Ctx,
    tables: Vec<(&'static str, Vec<SatisfactionItem>)>,
    awaiting: Vec<db::surveys::FlaggedSurvey>,
}

fn satisfaction_items(rows: Vec<db::surveys::SatisfactionRow>) -> Vec<SatisfactionItem> {
    rows.into_iter()
        .map(|r| SatisfactionItem {
            name: r.name,
            sent: r.sent,
            answered: r.answered,
            average: r
                .average
                .map(|a| format!("{a:.1}"))
                .unwrap_or_else(|| "—".into()),
            flagged: r.flagged,
        })
        .collect()
}

/// Satisfaction per client and per technician, and the answers waiting for a follow-up.
pub async fn satisfaction(
    state: web::Data<AppState>,
    manager: super::extract::Manager,
) -> AppResult<HttpResponse> {
    let (by_client, by_technician, awaiting) = db::run(&state.pool, |conn| {
        Ok((
            db::surveys::by_client(conn)?,
            db::surveys::by_technician(conn)?,
            db::surveys::awaiting_follow_up(conn, 50)?,
        ))
    })
    .await?;
    render(&SatisfactionPage {
        ctx: manager.0.ctx(),
        tables: vec![
            ("By client", satisfaction_items(by_client)),
            (
                "By technician (ticket owner)",
                satisfaction_items(by_technician),
            ),
        ],
        awaiting,
    })
}

/// Uploads a file to the ticket (multipart; the CSRF token travels in the query string).
pub async fn upload(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    mut payload: actix_multipart::Multipart,
) -> AppResult<HttpResponse> {
    use futures_util::StreamExt;
    let id = TicketId(path.into_inner());
    let mut upload: Option<(String, String, Vec<u8>)> = None;
    let mut too_large = false;
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|e| AppError::internal(format!("upload: {e}")))?;
        if field.name() != Some("file") {
            continue;
        }
        let filename = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(crate::domain::inputs::attachment_name)
            .unwrap_or_else(|| "attachment".into());
        let content_type = field
            .content_type()
            .map(|m| m.essence_str().to_string())
            .unwrap_or_else(|| "application/octet-stream".into());
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| AppError::internal(format!("upload: {e}")))?;
            if data.len() + chunk.len() > tickets::MAX_ATTACHMENT_BYTES {
                too_large = true;
                break;
            }
            data.extend_from_slice(&chunk);
        }
        if !too_large {
            upload = Some((filename, content_type, data));
        }
        break;
    }
    let refusal = if too_large {
        Some(format!(
            "That file is larger than {}; attach a smaller one or a zipped extract.",
            tickets::human_size(tickets::MAX_ATTACHMENT_BYTES)
        ))
    } else if upload.as_ref().is_none_or(|(_, _, data)| data.is_empty()) {
        Some("Choose a file to attach.".into())
    } else {
        None
    };
    if let Some(message) = refusal {
        let errors = FieldErrors::single("file", message);
        return refused(
            &state,
            &user,
            id,
            errors,
            FormKey::Attach,
            PageForms::default(),
        )
        .await;
    }
    let Some((filename, content_type, data)) = upload else {
        return Err(AppError::internal("upload vanished"));
    };
    let (actor, now) = (user.id(), state.clock.now());
    let name = filename.clone();
    db::run(&state.pool, move |conn| {
        tickets::attach(conn, actor, id, &name, &content_type, &data, now)
    })
    .await?;
    flash(
        &user.session,
        FlashKind::Success,
        format!("{filename} attached."),
    );
    Ok(redirect(&format!("/tickets/{}#attachments", id.0)))
}

/// Always a download, never shown inline: an uploaded page or image is not run in the desk.
pub async fn download(
    state: web::Data<AppState>,
    _user: CurrentUser,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let (ticket, attachment) = path.into_inner();
    let (filename, data) = db::run(&state.pool, move |conn| {
        tickets::attachment(conn, TicketId(ticket), attachment)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/octet-stream")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"{filename}\"; filename*=UTF-8''{}",
                url_encode(&filename)
            ),
        ))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "private, no-store"))
        .body(data))
}
