//! The mail that came in: the unmatched queue (place a message on a ticket, open a ticket for
//! it at a client, or discard it with a reason), the other states for looking back, one
//! message's page, and the message as it arrived for download.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::extract::CurrentUser;
use super::forms::invalid;
use super::page::{Ctx, FlashKind, flash, redirect, render};
use crate::db;
use crate::db::clients::ClientSummary;
use crate::db::inbound::unmatched::{self, Placement};
use crate::db::inbound::{self as inbound, MessageSummary, State};
use crate::domain::ids::{ClientId, TicketId};
use crate::domain::inbound_mail::new_text;
use crate::domain::inputs::{FieldErrors, parse_ticket_number};
use crate::error::AppResult;
use crate::format::format_time;
use crate::mail::inbound::parse::parse;
use crate::state::AppState;

const PAGE_SIZE: i64 = 50;

/// The states a list can show, in the order of the tabs.
const TABS: [State; 5] = [
    State::Unmatched,
    State::Received,
    State::Processed,
    State::Discarded,
    State::Ignored,
];

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    state: String,
    before: Option<i64>,
}

pub struct Row {
    pub id: i64,
    pub from: String,
    pub subject: String,
    pub reason: String,
    pub ticket: Option<TicketId>,
    pub received: String,
    pub error: String,
}

fn row(summary: MessageSummary, zone: chrono_tz::Tz) -> Row {
    Row {
        id: summary.id,
        from: sender(&summary),
        subject: if summary.subject.is_empty() {
            "(no subject)".into()
        } else {
            summary.subject.clone()
        },
        reason: summary.reason.clone(),
        ticket: summary.ticket(),
        received: format_time(summary.received_at, zone),
        error: summary.last_error.clone().unwrap_or_default(),
    }
}

fn sender(summary: &MessageSummary) -> String {
    match (
        summary.from_name.is_empty(),
        summary.from_address.is_empty(),
    ) {
        (_, true) => "(unknown sender)".into(),
        (true, false) => summary.from_address.clone(),
        (false, false) => format!("{} <{}>", summary.from_name, summary.from_address),
    }
}

pub struct Tab {
    pub slug: &'static str,
    pub label: &'static str,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "inbound_mail/index.html")]
struct ListPage {
    ctx: Ctx,
    tabs: Vec<Tab>,
    state: State,
    unmatched: i64,
    waiting: i64,
    rows: Vec<Row>,
    next: Option<i64>,
    imap: Option<String>,
}

pub async fn index(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let query = query.into_inner();
    let shown = State::parse(&query.state).unwrap_or(State::Unmatched);
    let before = query.before;
    let ((unmatched, waiting), list) = db::run(&state.pool, move |conn| {
        Ok((
            inbound::waiting_counts(conn)?,
            inbound::in_state(conn, shown, before, PAGE_SIZE + 1)?,
        ))
    })
    .await?;
    let zone = user.zone();
    let more = list.len() as i64 > PAGE_SIZE;
    let rows: Vec<Row> = list
        .into_iter()
        .take(PAGE_SIZE as usize)
        .map(|s| row(s, zone))
        .collect();
    let next = more.then(|| rows.last().map(|r| r.id)).flatten();
    render(&ListPage {
        ctx: user.ctx(),
        tabs: TABS
            .into_iter()
            .map(|tab| Tab {
                slug: tab.as_str(),
                label: tab.label(),
                current: tab == shown,
            })
            .collect(),
        state: shown,
        unmatched,
        waiting,
        rows,
        next,
        imap: state.config.imap.as_ref().map(|s| format!("{s:?}")),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PlaceForm {
    ticket: String,
    client: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "inbound_mail/show.html")]
struct MessagePage {
    ctx: Ctx,
    message: Row,
    state: State,
    size: String,
    text: String,
    files: Vec<String>,
    clients: Vec<ClientSummary>,
    form: PlaceForm,
    errors: FieldErrors,
}

async fn message_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    form: PlaceForm,
    errors: FieldErrors,
) -> AppResult<MessagePage> {
    let (summary, raw, clients) = db::run(&state.pool, move |conn| {
        Ok((
            inbound::summary(conn, id)?,
            inbound::raw(conn, id)?,
            db::clients::list(conn, false)?,
        ))
    })
    .await?;
    let parsed = parse(&raw).unwrap_or_default();
    let state_now = summary.state().unwrap_or(State::Received);
    let size = db::attachments::human_size(usize::try_from(summary.size_bytes).unwrap_or(0));
    Ok(MessagePage {
        ctx: user.ctx(),
        message: row(summary, user.zone()),
        state: state_now,
        size,
        text: new_text(&parsed.text),
        files: parsed
            .files
            .iter()
            .map(|f| {
                format!(
                    "{} ({})",
                    f.filename,
                    db::attachments::human_size(f.data.len())
                )
            })
            .collect(),
        clients,
        form,
        errors,
    })
}

pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let page = message_page(
        &state,
        &user,
        path.into_inner(),
        PlaceForm::default(),
        FieldErrors::new(),
    )
    .await?;
    render(&page)
}

/// The message exactly as it arrived. Always a download: it is the client's content.
pub async fn raw(
    state: web::Data<AppState>,
    _user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let raw = db::run(&state.pool, move |conn| inbound::raw(conn, id)).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/octet-stream")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"message-{id}.eml\""),
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(raw))
}

fn parse_client(raw: &str) -> Result<ClientId, String> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .map(ClientId)
        .ok_or_else(|| "Choose the client the message is from.".into())
}

async fn place(
    state: &AppState,
    user: CurrentUser,
    id: i64,
    form: PlaceForm,
    placement: Result<Placement, FieldErrors>,
) -> AppResult<HttpResponse> {
    let placement = match placement {
        Ok(placement) => placement,
        Err(errors) => return invalid(&message_page(state, &user, id, form, errors).await?),
    };
    let actor = user.id();
    let mail = state.mail();
    let now = state.clock.now();
    let placed = db::run(&state.pool, move |conn| {
        unmatched::place(conn, actor, id, &placement, &mail, now)
    })
    .await?;
    match placed {
        Ok(ticket) => {
            flash(
                &user.session,
                FlashKind::Success,
                format!("The message is on ticket #{ticket}."),
            );
            Ok(redirect(&format!("/tickets/{ticket}")))
        }
        Err(errors) => invalid(&message_page(state, &user, id, form, errors).await?),
    }
}

pub async fn to_ticket(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<PlaceForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let placement = parse_ticket_number(&form.ticket, "Enter a ticket number, like 42 or #42.")
        .map(Placement::Ticket)
        .map_err(|e| FieldErrors::single("ticket", e));
    place(&state, user, path.into_inner(), form, placement).await
}

pub async fn new_ticket(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<PlaceForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let placement = parse_client(&form.client)
        .map(Placement::Client)
        .map_err(|e| FieldErrors::single("client", e));
    place(&state, user, path.into_inner(), form, placement).await
}

pub async fn discard(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<PlaceForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let form = form.into_inner();
    let actor = user.id();
    let reason = form.reason.chars().take(500).collect::<String>();
    let now = state.clock.now();
    let discarded = db::run(&state.pool, move |conn| {
        unmatched::discard(conn, actor, id, &reason, now)
    })
    .await?;
    match discarded {
        Ok(()) => {
            flash(
                &user.session,
                FlashKind::Success,
                format!("Mail #{id} discarded; it stays listed under Discarded."),
            );
            Ok(redirect("/mail/inbound"))
        }
        Err(errors) => invalid(&message_page(&state, &user, id, form, errors).await?),
    }
}
