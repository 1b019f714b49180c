//! The SLA clocks of a ticket as people read them: the two clock badges, the time budget
//! left at this escalation level, and the page that explains every counted stretch.

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Duration, Utc};

use crate::db::escalation;
use crate::db::tickets::{self, TicketDetail};
use crate::db::{self};
use crate::domain::escalation::{self as escalation_rules, BudgetState};
use crate::domain::ids::TicketId;
use crate::domain::inputs::format_minutes;
use crate::domain::sla::{self, ClockMode, ClockState, Pause, ResolutionDue, SegmentKind};
use crate::domain::ticket::Status;
use crate::domain::time_budget::{Times, level_budget};
use crate::error::AppResult;
use crate::format::format_time;
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::page::{Ctx, render};

/// "2h 15m" of business time, for people, as the service-level forms write durations.
fn human(d: Duration) -> String {
    format_minutes(d.num_minutes().max(0))
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
pub(super) fn clocks(
    detail: &TicketDetail,
    now: DateTime<Utc>,
    zone: chrono_tz::Tz,
) -> AppResult<(ClockView, ClockView)> {
    let row = &detail.row;
    let targets = detail.service.policy.targets_for(row.kind)?;
    let target = *targets.target(row.priority);
    let created = row.created_at.and_utc();
    let response_due = row.response_due_at.map(|t| t.and_utc());
    let response = sla::response_state(
        &detail.service.calendar,
        target.mode,
        response_due,
        row.responded_at.map(|t| t.and_utc()),
        now,
        detail.service.policy.due_soon(target.response),
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
    let resolution_due = sla::current_resolution_due(
        &detail.service.calendar,
        &target,
        created,
        row.resolution_due_at.map(|t| t.and_utc()),
        &pauses,
    );
    let met = row.solved_at.or(row.closed_at).map(|t| t.and_utc());
    let resolution = sla::clock_state(
        &detail.service.calendar,
        target.mode,
        resolution_due,
        met,
        now,
        detail.service.policy.due_soon(target.resolution),
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

/// The tier's time budget as the ticket page says it: calm while there is time, urgent once
/// what is left is inside the policy's due-soon share of the budget.
pub struct BudgetNote {
    pub text: String,
    pub urgent: bool,
}

/// "You have 35 business minutes before this must go to Tier 2", when the ticket's level has a
/// time budget and its clock runs.
pub(super) fn budget_note(
    detail: &TicketDetail,
    standing: &escalation::Standing,
    status: Status,
    now: DateTime<Utc>,
) -> AppResult<Option<BudgetNote>> {
    if !Status::RUNNING.contains(&status) {
        return Ok(None);
    }
    let priority = detail.row.priority;
    let target = *detail
        .service
        .policy
        .targets_for(detail.row.kind)?
        .target(priority);
    let Some(next) = standing.ladder.next_for_time(&standing.level) else {
        return Ok(None);
    };
    let pauses: Vec<Pause> = detail.pauses.iter().map(|p| p.pause()).collect();
    let times = Times {
        opened: detail.row.created_at.and_utc(),
        since: standing.since.and_utc(),
        now,
        pauses: &pauses,
    };
    let Some(budget) = level_budget(
        &standing.ladder,
        &standing.level,
        priority,
        &target,
        &detail.service.calendar,
        times,
    ) else {
        return Ok(None);
    };
    let urgent = match budget.state {
        BudgetState::Left(left) => left <= detail.service.policy.due_soon(budget.budget),
        BudgetState::RanOut => true,
    };
    Ok(Some(BudgetNote {
        text: escalation_rules::budget_sentence(
            budget.state,
            target.mode == ClockMode::BusinessHours,
            &next.name,
        ),
        urgent,
    }))
}

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
    /// Which of the policy's tables applied: incident or service request targets.
    table: &'static str,
    policy: String,
    response_target: String,
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
    let priority = row.priority;
    let targets = detail.service.policy.targets_for(row.kind)?;
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
        id: row.id.0,
        subject: row.subject.clone(),
        priority_label: priority.label(),
        table: crate::domain::request::targets_name(row.kind),
        policy: detail.service.policy.row.name.clone(),
        response_target: human(target.response),
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
