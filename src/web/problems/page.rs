//! The problem page: the record, its stages, the analysis (root cause, workaround, permanent
//! solution apart), the incidents with their state, the investigation log, the RFC and the
//! review, and every form, re-rendered with the user's text when one is refused.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::drives;
use crate::db::problems::kedb::{self, Published};
use crate::db::problems::review::{ReviewRow, of_problem as review_of};
use crate::db::problems::rfc::{RfcRow, of_problem as rfcs_of};
use crate::db::problems::{self, ProblemRow};
use crate::db::schema::{categories, clients};
use crate::db::{self, DbConn};
use crate::domain::inputs::FieldErrors;
use crate::domain::known_error::Status as KnownStatus;
use crate::domain::problem::{ProblemId, RfcStatus, Status, Step, steps_from};
use crate::error::AppResult;
use crate::format::{format_time, iso_time};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::page::{Ctx, render};
use diesel::prelude::*;

/// Which form of the page came back with errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Failed {
    #[default]
    None,
    Analysis,
    Step,
    Note,
    Link,
    Rfc,
}

/// What the forms hold: the row's values, or the user's text when a form comes back.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Forms {
    pub root_cause: String,
    pub workaround: String,
    pub permanent_solution: String,
    pub note: String,
    pub ticket: String,
    pub what: String,
    pub why: String,
    pub risk: String,
    pub rollback_plan: String,
    pub planned_window: String,
}

pub struct Line {
    pub when: String,
    pub when_iso: String,
    pub who: String,
    pub kind: String,
    pub body: String,
    pub detail: String,
}

pub struct IncidentItem {
    pub id: i64,
    pub subject: String,
    pub status: &'static str,
    pub open: bool,
    pub owner: String,
    pub linked: String,
}

pub struct RfcItem {
    pub id: i64,
    pub status: RfcStatus,
    pub what: String,
    pub why: String,
    pub risk: String,
    pub rollback_plan: String,
    pub planned_window: String,
    pub requested: String,
    pub decision: String,
}

pub struct Stage {
    pub label: &'static str,
    pub when: String,
    pub when_iso: String,
}

/// Everything the problem page, the review page and the report read, in one go.
pub struct Loaded {
    pub row: ProblemRow,
    pub client: String,
    pub category: String,
    pub owner: String,
    pub lines: Vec<Line>,
    pub incidents: Vec<IncidentItem>,
    pub rfcs: Vec<RfcItem>,
    pub review: Option<(ReviewRow, String)>,
    pub stages: Vec<Stage>,
    /// The problem's known error in the KEDB and its resolution's KB article.
    pub published: Published,
}

pub(super) fn load(conn: &mut DbConn, id: ProblemId, zone: chrono_tz::Tz) -> AppResult<Loaded> {
    let row = problems::get(conn, id)?;
    let events = problems::events(conn, id)?;
    let incidents = problems::incidents_of(conn, id)?;
    let rfcs: Vec<RfcRow> = rfcs_of(conn, id)?;
    let review = review_of(conn, id)?;
    let published = kedb::published(conn, id)?;
    let mut people: Vec<Option<i64>> = vec![Some(row.owner_id)];
    people.extend(events.iter().map(|e| e.actor_id));
    people.extend(incidents.iter().map(|i| i.owner_id));
    people.extend(
        rfcs.iter()
            .flat_map(|r| [Some(r.requested_by), r.decided_by]),
    );
    people.extend(review.iter().map(|r| Some(r.reviewed_by)));
    let names = crate::db::users::names(conn, &people)?;
    let client = match row.client_id {
        Some(c) => clients::table.find(c).select(clients::name).first(conn)?,
        None => String::new(),
    };
    let category = match row.category_id {
        Some(c) => categories::table
            .find(c)
            .select(categories::name)
            .first(conn)?,
        None => String::new(),
    };
    let who = |id: Option<i64>| names.of(id).unwrap_or("the desk").to_string();
    Ok(Loaded {
        client,
        category,
        owner: who(Some(row.owner_id)),
        lines: events
            .into_iter()
            .map(|e| Line {
                when: format_time(e.created_at, zone),
                when_iso: iso_time(e.created_at),
                who: who(e.actor_id),
                kind: e.kind,
                body: e.body,
                detail: e.detail,
            })
            .collect(),
        incidents: incidents
            .into_iter()
            .map(|i| IncidentItem {
                id: i.id,
                subject: i.subject,
                status: i.status.label(),
                open: i.status.is_open(),
                owner: names.of(i.owner_id).unwrap_or("nobody yet").to_string(),
                linked: format_time(i.linked_at, zone),
            })
            .collect(),
        rfcs: rfcs
            .into_iter()
            .map(|r| RfcItem {
                id: r.id,
                status: r.status,
                requested: format!(
                    "{}, {}",
                    who(Some(r.requested_by)),
                    format_time(r.requested_at, zone)
                ),
                decision: match (r.decided_by, r.decided_at) {
                    (Some(by), Some(at)) => format!(
                        "{} by {}, {}: {}",
                        r.status.label(),
                        who(Some(by)),
                        format_time(at, zone),
                        r.decision_comment
                    ),
                    _ => String::new(),
                },
                what: r.what,
                why: r.why,
                risk: r.risk,
                rollback_plan: r.rollback_plan,
                planned_window: r.planned_window,
            })
            .collect(),
        review: review.map(|r| {
            let by = format!(
                "{}, {}",
                who(Some(r.reviewed_by)),
                format_time(r.reviewed_at, zone)
            );
            (r, by)
        }),
        stages: row
            .stages()
            .into_iter()
            .map(|(s, at)| Stage {
                label: s.label(),
                when: format_time(at, zone),
                when_iso: iso_time(at),
            })
            .collect(),
        published,
        row,
    })
}

#[derive(Template)]
#[template(path = "problems/show.html")]
pub(super) struct ProblemPage {
    ctx: Ctx,
    p: Loaded,
    number: String,
    drives: bool,
    steps: Vec<(&'static str, &'static str)>,
    /// The RFC form shows while one may be filed.
    rfc_open: bool,
    q: String,
    found: Vec<(i64, String)>,
    searched: bool,
    forms: Forms,
    failed: Failed,
    errors: FieldErrors,
    no_errors: FieldErrors,
}

impl ProblemPage {
    fn errors_for(&self, form: Failed) -> &FieldErrors {
        if form == self.failed {
            &self.errors
        } else {
            &self.no_errors
        }
    }

    fn is_active(&self) -> bool {
        self.p.row.status.is_active()
    }

    fn is_resolved(&self) -> bool {
        self.p.row.status == Status::Resolved
    }

    fn has_open_incidents(&self) -> bool {
        self.p.incidents.iter().any(|i| i.open)
    }
}

/// Builds the page; `forms` is `None` on a plain GET (the analysis fields show the row's).
pub(super) async fn problem_page(
    state: &AppState,
    user: &CurrentUser,
    id: ProblemId,
    sent: Option<Forms>,
    failed: Failed,
    errors: FieldErrors,
    q: String,
) -> AppResult<ProblemPage> {
    let zone = user.zone();
    let now = state.clock.now();
    let term = q.trim().to_string();
    let (p, found) = db::run(&state.pool, move |conn| {
        let p = load(conn, id, zone)?;
        let found = if term.is_empty() {
            Vec::new()
        } else {
            problems::search_incidents(conn, &term, now)?
        };
        Ok((p, found))
    })
    .await?;
    let forms = sent.unwrap_or_else(|| Forms {
        root_cause: p.row.root_cause.clone(),
        workaround: p.row.workaround.clone(),
        permanent_solution: p.row.permanent_solution.clone(),
        ..Forms::default()
    });
    let live_rfc = p.rfcs.iter().any(|r| r.status != RfcStatus::Rejected);
    let rfc_open = matches!(p.row.status, Status::RootCauseKnown | Status::KnownError) && !live_rfc;
    Ok(ProblemPage {
        ctx: user.ctx(),
        number: p.row.id.to_string(),
        drives: drives(user),
        steps: steps_from(p.row.status)
            .into_iter()
            .map(|s: Step| (s.as_str(), s.label()))
            .collect(),
        rfc_open,
        searched: !q.trim().is_empty(),
        q,
        found,
        p,
        forms,
        failed,
        errors,
        no_errors: FieldErrors::new(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShowQuery {
    q: String,
}

pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    query: web::Query<ShowQuery>,
) -> AppResult<HttpResponse> {
    let id = ProblemId(path.into_inner());
    let page = problem_page(
        &state,
        &user,
        id,
        None,
        Failed::None,
        FieldErrors::new(),
        query.into_inner().q,
    )
    .await?;
    render(&page)
}
