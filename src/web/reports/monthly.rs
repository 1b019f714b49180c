//! The monthly client service report: the managers' list of clients to open it for, one
//! printable page per client and month, and the form that e-mails it to the client's contacts.

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::db::reports::monthly::send::{SendInput, send as send_report};
use crate::db::reports::monthly::{MonthlyReport, SendLine, assemble, sends};
use crate::db::{self, clients::ContactRow};
use crate::domain::ids::ClientId;
use crate::domain::inputs::FieldErrors;
use crate::domain::uptime::Month;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::Manager;
use crate::web::forms::invalid;
use crate::web::page::{Ctx, FlashKind, flash, redirect, render};

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct MonthQuery {
    pub client: String,
    pub month: String,
}

/// The month asked for, or the last full month in `zone`.
fn month_or_last(raw: &str, zone: Tz, now: DateTime<Utc>) -> Month {
    Month::parse(raw.trim()).unwrap_or_else(|| Month::containing(zone, now).previous())
}

/// "Last month" of a client's report is the client's last month, wherever the manager is.
async fn zone_of(state: &AppState, client: ClientId) -> AppResult<Tz> {
    db::run(&state.pool, move |conn| {
        db::uptime::client_zone(conn, client)
    })
    .await
}

fn report_url(client: i64, month: Month) -> String {
    format!("/clients/{client}/service-report?month={}", month.key())
}

#[derive(Template)]
#[template(path = "reports/monthly_index.html")]
struct IndexPage {
    ctx: Ctx,
    month: String,
    month_label: String,
    clients: Vec<(String, String)>,
    client: String,
    no_errors: FieldErrors,
}

/// The clients to open a report for (last month's by default); choosing one opens its report.
pub async fn index(
    state: web::Data<AppState>,
    manager: Manager,
    query: web::Query<MonthQuery>,
) -> AppResult<HttpResponse> {
    let month = month_or_last(&query.month, manager.0.zone(), state.clock.now());
    if let Ok(client) = query.client.trim().parse::<i64>() {
        return Ok(redirect(&report_url(client, month)));
    }
    let clients = db::run(&state.pool, |conn| db::clients::list(conn, false)).await?;
    render(&IndexPage {
        ctx: manager.0.ctx(),
        month: month.key(),
        month_label: month.label(),
        clients: clients
            .into_iter()
            .map(|c| (c.client.id.to_string(), c.client.name))
            .collect(),
        client: String::new(),
        no_errors: FieldErrors::new(),
    })
}

/// A contact offered on the sending form.
pub struct ContactChoice {
    pub field: String,
    pub label: String,
    pub checked: bool,
}

pub struct SentText {
    pub when: String,
    pub by: String,
    pub to: String,
}

#[derive(Template)]
#[template(path = "reports/monthly.html")]
struct ReportPage {
    ctx: Ctx,
    r: MonthlyReport,
    month: String,
    previous: String,
    next: String,
    contacts: Vec<ContactChoice>,
    note: String,
    errors: FieldErrors,
    sent: Vec<SentText>,
}

struct Loaded {
    report: MonthlyReport,
    sends: Vec<SendLine>,
    contacts: Vec<ContactRow>,
}

async fn load(state: &AppState, client: ClientId, month: Month) -> AppResult<Loaded> {
    let now = state.clock.now();
    db::run(&state.pool, move |conn| {
        Ok(Loaded {
            report: assemble(conn, client, month, now)?,
            sends: sends(conn, client, month)?,
            contacts: db::clients::contacts_of(conn, client)?
                .into_iter()
                .filter(|c| c.active)
                .collect(),
        })
    })
    .await
}

/// The contacts to offer, ticked: those chosen, or by default the client's risk contacts (all
/// of them when none is flagged).
fn choices(contacts: &[ContactRow], chosen: Option<&[i64]>) -> Vec<ContactChoice> {
    let any_flagged = contacts.iter().any(|c| c.risk_contact);
    contacts
        .iter()
        .map(|c| ContactChoice {
            field: format!("contact_{}", c.id),
            label: format!("{} <{}>", c.name, c.email),
            checked: match chosen {
                Some(ids) => ids.contains(&c.id),
                None => c.risk_contact || !any_flagged,
            },
        })
        .collect()
}

fn page(
    manager: &Manager,
    loaded: Loaded,
    chosen: Option<&[i64]>,
    note: String,
    errors: FieldErrors,
) -> ReportPage {
    let zone = manager.0.zone();
    let month = loaded.report.month;
    ReportPage {
        ctx: manager.0.ctx(),
        month: month.key(),
        previous: month.previous().key(),
        next: month.next().key(),
        contacts: choices(&loaded.contacts, chosen),
        note,
        errors,
        sent: loaded
            .sends
            .into_iter()
            .map(|s| SentText {
                when: s
                    .sent_at
                    .and_utc()
                    .with_timezone(&zone)
                    .format("%-d %b %Y %H:%M")
                    .to_string(),
                by: s.sent_by,
                to: s.recipients.join(", "),
            })
            .collect(),
        r: loaded.report,
    }
}

pub async fn show(
    state: web::Data<AppState>,
    manager: Manager,
    path: web::Path<i64>,
    query: web::Query<MonthQuery>,
) -> AppResult<HttpResponse> {
    let client = ClientId(path.into_inner());
    let month = month_or_last(
        &query.month,
        zone_of(&state, client).await?,
        state.clock.now(),
    );
    let loaded = load(&state, client, month).await?;
    render(&page(
        &manager,
        loaded,
        None,
        String::new(),
        FieldErrors::new(),
    ))
}

/// Queues the report to the ticked contacts; with none ticked the page comes back with the note.
pub async fn send(
    state: web::Data<AppState>,
    manager: Manager,
    path: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let client = ClientId(path.into_inner());
    let fields = form.into_inner();
    let value = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let month = month_or_last(
        &value("month"),
        zone_of(&state, client).await?,
        state.clock.now(),
    );
    let input = SendInput {
        contacts: fields
            .iter()
            .filter_map(|(k, _)| k.strip_prefix("contact_")?.parse().ok())
            .collect(),
        note: value("note"),
    };
    let (actor, name) = (manager.0.id(), manager.0.row.display_name.clone());
    let (mail, now) = (state.mail(), state.clock.now());
    let attempt = input.clone();
    let outcome = db::run(&state.pool, move |conn| {
        send_report(conn, (actor, &name), client, month, &attempt, &mail, now)
    })
    .await?;
    match outcome {
        Ok(queued) => {
            flash(
                &manager.0.session,
                FlashKind::Success,
                format!(
                    "The {} report is on its way to {queued} contact{}.",
                    month.label(),
                    if queued == 1 { "" } else { "s" }
                ),
            );
            Ok(redirect(&report_url(client.0, month)))
        }
        Err(errors) => {
            let loaded = load(&state, client, month).await?;
            invalid(&page(
                &manager,
                loaded,
                Some(&input.contacts),
                input.note,
                errors,
            ))
        }
    }
}
