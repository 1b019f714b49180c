//! Escalations and approvals in the browser: the escalation and change-request forms of the
//! ticket page, and the managers' approvals queue.

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::AppState;
use super::extract::{Admin, CurrentUser, Manager};
use super::forms::{Changed, checkbox, conflict, invalid, parse_optional_id};
use super::page::{Ctx, FlashKind, flash, format_time, redirect, render};
use super::tickets::forms::{ChangeForm, DecisionForm, EscalateForm};
use super::tickets::runner::{TicketForm, TicketPost};
use crate::db::escalation::{self, ChangeInput, DecisionInput, EscalateInput};
use crate::db::{self};
use crate::domain::escalation::{
    LevelMove, Reason, Ruling, SeverityRule, check_vendor, parse_level_edit,
};
use crate::domain::ids::UserId;
use crate::domain::inputs::{FieldErrors, parse_note, parse_required_note};
use crate::domain::priority::Priority;
use crate::error::{AppError, AppResult};

/// Free text that must be there: escalations and changes are expensive and must be explained.
fn required(raw: &str, what: &str) -> Result<String, String> {
    parse_required_note(raw, 4000, &format!("Write {what}."))
}

pub async fn escalate(post: TicketPost<EscalateForm>) -> AppResult<HttpResponse> {
    post.run(|conn, c| {
        escalation::escalate(conn, c.actor, c.id, c.version, &c.input, &c.mail, c.now)
    })
    .await
}

impl TicketForm for EscalateForm {
    type Input = EscalateInput;

    fn parse(&self, errors: &mut FieldErrors) -> Option<EscalateInput> {
        let to_level = errors
            .take(
                "to_level_id",
                parse_optional_id(&self.to_level_id, "a level"),
            )
            .flatten();
        if to_level.is_none() && errors.get("to_level_id").is_none() {
            errors.add("to_level_id", "Choose the level the ticket goes to.");
        }
        let reason = errors.take("reason", Reason::parse(&self.reason));
        let explanation = errors.take(
            "explanation",
            required(&self.explanation, "why the ticket must go up"),
        );
        let owner = errors
            .take("owner_id", parse_optional_id(&self.owner_id, "an owner"))
            .flatten();
        if owner.is_none() && errors.get("owner_id").is_none() {
            errors.add(
                "owner_id",
                "Choose who owns the ticket after the escalation.",
            );
        }
        let vendor = reason.and_then(|reason| {
            check_vendor(reason, &self.vendor, &self.vendor_reference)
                .map_err(|problems| errors.extend(problems))
                .ok()
        });
        Some(EscalateInput {
            to_level: to_level?,
            reason: reason?,
            explanation: explanation?,
            owner: UserId(owner?),
            vendor: vendor?,
        })
    }

    fn done(&self, _: &EscalateInput) -> String {
        "Escalation saved.".into()
    }
}

pub async fn request_change(post: TicketPost<ChangeForm>) -> AppResult<HttpResponse> {
    post.run(|conn, c| {
        escalation::request_change(conn, c.actor, c.id, c.version, &c.input, &c.mail, c.now)
    })
    .await
}

impl TicketForm for ChangeForm {
    type Input = ChangeInput;

    fn parse(&self, errors: &mut FieldErrors) -> Option<ChangeInput> {
        let what = errors.take("what", required(&self.what, "what will be done"));
        let why = errors.take("why", required(&self.why, "why it is needed"));
        let impact = errors.take("impact", required(&self.impact, "the expected impact"));
        let risk = errors.take("risk", required(&self.risk, "the risk"));
        let rollback = errors.take(
            "rollback_plan",
            required(&self.rollback_plan, "how the change is undone"),
        );
        let window = errors.take(
            "planned_window",
            required(&self.planned_window, "when the change is planned"),
        );
        Some(ChangeInput {
            what: what?,
            why: why?,
            impact: impact?,
            risk: risk?,
            rollback_plan: rollback?,
            planned_window: window?,
        })
    }

    fn done(&self, _: &ChangeInput) -> String {
        "Change filed; a manager will approve or reject it.".into()
    }
}

// ---------------------------------------------------------------- the approvals queue

pub struct RequestItem {
    pub id: i64,
    pub ticket_id: i64,
    pub ticket_subject: String,
    pub kind: &'static str,
    pub what: String,
    pub why: String,
    pub impact: String,
    pub risk: String,
    pub rollback_plan: String,
    pub planned_window: String,
    pub requester: String,
    pub requested_at: String,
    pub own: bool,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecideForm {
    decision: String,
    comment: String,
}

#[derive(Template)]
#[template(path = "approvals/index.html")]
struct ApprovalsPage {
    ctx: Ctx,
    requests: Vec<RequestItem>,
    /// The request whose form is sent back, with its errors and the manager's text.
    failed: Option<i64>,
    errors: FieldErrors,
    form: DecideForm,
}

async fn approvals_page(
    state: &AppState,
    user: &CurrentUser,
    failed: Option<i64>,
    errors: FieldErrors,
    form: DecideForm,
) -> AppResult<ApprovalsPage> {
    let pending = db::run(&state.pool, escalation::pending).await?;
    let zone = user.zone();
    let requests = pending
        .into_iter()
        .map(|a| {
            Ok(RequestItem {
                id: a.row.id,
                ticket_id: a.row.ticket_id,
                ticket_subject: a.ticket_subject,
                kind: a.row.kind()?.label(),
                what: a.row.what,
                why: a.row.why,
                impact: a.row.impact,
                risk: a.row.risk,
                rollback_plan: a.row.rollback_plan,
                planned_window: a.row.planned_window,
                requester: a.requester,
                requested_at: format_time(a.row.requested_at, zone),
                own: a.row.requested_by == user.row.id,
            })
        })
        .collect::<AppResult<_>>()?;
    Ok(ApprovalsPage {
        ctx: user.ctx(),
        requests,
        failed,
        errors,
        form,
    })
}

pub async fn queue(state: web::Data<AppState>, mgr: Manager) -> AppResult<HttpResponse> {
    let page = approvals_page(
        &state,
        &mgr.0,
        None,
        FieldErrors::new(),
        DecideForm::default(),
    )
    .await?;
    render(&page)
}

/// A manager's decision on one request. The command refuses the manager who asked for it,
/// with the reason on the page; a request decided meanwhile shows the conflict page.
pub async fn decide(
    state: web::Data<AppState>,
    manager: Manager,
    path: web::Path<i64>,
    form: web::Form<DecideForm>,
) -> AppResult<HttpResponse> {
    // Only managers see the queue, even when their form comes back with errors.
    let user = manager.0;
    let approval = path.into_inner();
    let form = form.into_inner();
    let mut errors = FieldErrors::new();
    let ruling = errors.take("decision", Ruling::parse(&form.decision));
    let comment = errors.take(
        "comment",
        required(&form.comment, "a comment for the requester"),
    );
    let (Some(ruling), Some(comment)) = (ruling, comment) else {
        return invalid(&approvals_page(&state, &user, Some(approval), errors, form).await?);
    };
    let approve = ruling == Ruling::Approve;
    let (now, mail, actor) = (state.clock.now(), state.mail(), user.row.clone());
    let outcome = db::run(&state.pool, move |conn| {
        escalation::decide(conn, &actor, approval, approve, &comment, &mail, now)
    })
    .await;
    match outcome {
        Ok(Ok(_)) => {
            let done = match ruling {
                Ruling::Approve => "Request approved; the requester is told.",
                Ruling::Reject => "Request rejected; the requester is told.",
            };
            flash(&user.session, FlashKind::Success, done);
            Ok(redirect("/approvals"))
        }
        Ok(Err(errors)) => {
            invalid(&approvals_page(&state, &user, Some(approval), errors, form).await?)
        }
        Err(AppError::Conflict(message)) => {
            let subject = format!("Request #{approval}");
            let changed = Changed {
                subject: &subject,
                back: "/approvals",
                back_label: "Open the approvals as they are now",
            };
            conflict(user.ctx(), changed, message, form.comment)
        }
        Err(e) => Err(e),
    }
}

impl ApprovalsPage {
    fn errors_for(&self, id: &i64) -> FieldErrors {
        if self.failed == Some(*id) {
            self.errors.clone()
        } else {
            FieldErrors::new()
        }
    }

    fn comment_for(&self, id: &i64) -> &str {
        if self.failed == Some(*id) {
            &self.form.comment
        } else {
            ""
        }
    }
}

/// The manager at the decision point: what was offered to the client, then their answer.
pub async fn record_decision(post: TicketPost<DecisionForm, Manager>) -> AppResult<HttpResponse> {
    let zone = post.user().zone();
    post.run(move |conn, c| {
        let input = dated(c.input, c.now.with_timezone(&zone).date_naive());
        escalation::record_decision(conn, c.actor, c.id, c.version, &input, c.now)
    })
    .await
}

/// The decision-point entry as typed, on the manager's own calendar day.
fn dated(
    (offered, answer, answered_on): (String, String, Option<NaiveDate>),
    today: NaiveDate,
) -> DecisionInput {
    DecisionInput {
        offered,
        answer,
        answered_on,
        today,
    }
}

impl TicketForm for DecisionForm {
    /// What was offered, the client's answer, and the day they gave it.
    type Input = (String, String, Option<NaiveDate>);

    fn parse(&self, errors: &mut FieldErrors) -> Option<Self::Input> {
        let offered = errors.take("offered", parse_note(&self.offered, 4000));
        let answer = errors.take("answer", parse_note(&self.answer, 4000));
        let answered_on = errors.take("answered_on", parse_date(&self.answered_on));
        Some((offered?, answer?, answered_on?))
    }

    fn done(&self, _: &Self::Input) -> String {
        "Decision point updated.".into()
    }
}

/// A date from a date field; empty means none yet.
fn parse_date(raw: &str) -> Result<Option<NaiveDate>, String> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| "Give the date as year-month-day, e.g. 2026-11-30.".to_string())
}

// ---------------------------------------------------------------- the ladder, for admins

pub struct LevelItem {
    pub id: i64,
    pub name: String,
    pub line: &'static str,
    /// Field name, label and value of each priority's budget.
    pub budgets: [(&'static str, &'static str, String); 3],
    pub first: bool,
    pub last: bool,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct LevelForm {
    name: String,
    budget_p1: String,
    budget_p2: String,
    budget_p3: String,
}

pub struct SeverityItem {
    pub priority: &'static str,
    pub field: &'static str,
    pub notify_field: &'static str,
    pub level: String,
    pub notify: bool,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct SeverityForm {
    min_level_p1: String,
    notify_p1: Option<String>,
    min_level_p2: String,
    notify_p2: Option<String>,
    min_level_p3: String,
    notify_p3: Option<String>,
}

impl SeverityForm {
    fn of(&self, priority: Priority) -> (&str, bool) {
        let (level, notify) = match priority {
            Priority::P1 => (&self.min_level_p1, &self.notify_p1),
            Priority::P2 => (&self.min_level_p2, &self.notify_p2),
            Priority::P3 => (&self.min_level_p3, &self.notify_p3),
        };
        (level.as_str(), checkbox(notify))
    }
}

#[derive(Template)]
#[template(path = "escalation/ladder.html")]
struct LadderPage {
    ctx: Ctx,
    levels: Vec<LevelItem>,
    severity: Vec<SeverityItem>,
    level_options: Vec<(String, String)>,
    severity_errors: FieldErrors,
    /// The level whose form is sent back, with its errors.
    failed: Option<i64>,
    errors: FieldErrors,
}

impl LadderPage {
    fn errors_for(&self, id: &i64) -> FieldErrors {
        if self.failed == Some(*id) {
            self.errors.clone()
        } else {
            FieldErrors::new()
        }
    }
}

async fn ladder_page(
    state: &AppState,
    user: &CurrentUser,
    failed: Option<(i64, LevelForm)>,
    errors: FieldErrors,
    severity_sent: Option<(SeverityForm, FieldErrors)>,
) -> AppResult<LadderPage> {
    let (ladder, rules) = db::run(&state.pool, |conn| {
        Ok((
            escalation::load_ladder(conn)?,
            escalation::load_severity_rules(conn)?,
        ))
    })
    .await?;
    let severity = Priority::ALL
        .into_iter()
        .map(|priority| {
            let (level, notify) = match &severity_sent {
                Some((form, _)) => {
                    let (level, notify) = form.of(priority);
                    (level.to_string(), notify)
                }
                None => rules
                    .iter()
                    .find(|r| r.priority == priority)
                    .map_or((String::new(), false), |r| {
                        (r.min_level.to_string(), r.notify_manager)
                    }),
            };
            SeverityItem {
                priority: priority.label(),
                field: escalation::severity_field(priority),
                notify_field: match priority {
                    Priority::P1 => "notify_p1",
                    Priority::P2 => "notify_p2",
                    Priority::P3 => "notify_p3",
                },
                level,
                notify,
            }
        })
        .collect();
    let mut level_options = vec![(String::new(), "No rule".to_string())];
    level_options.extend(
        ladder
            .levels()
            .iter()
            .map(|l| (l.id.to_string(), format!("At least {}", l.name))),
    );
    let count = ladder.levels().len();
    let levels = ladder
        .levels()
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let shown = |b: Option<i32>| b.map(|p| p.to_string()).unwrap_or_default();
            let (name, budgets) = match &failed {
                Some((id, form)) if *id == l.id => (
                    form.name.clone(),
                    [
                        form.budget_p1.clone(),
                        form.budget_p2.clone(),
                        form.budget_p3.clone(),
                    ],
                ),
                _ => (l.name.clone(), l.budget_percent.map(shown)),
            };
            LevelItem {
                id: l.id,
                name,
                line: match (l.tier, l.decision_point) {
                    (Some(tier), _) => tier.label(),
                    (None, true) => "Decision point",
                    (None, false) => "—",
                },
                budgets: {
                    let [p1, p2, p3] = budgets;
                    [
                        ("budget_p1", "P1 budget (% of target)", p1),
                        ("budget_p2", "P2 budget (% of target)", p2),
                        ("budget_p3", "P3 budget (% of target)", p3),
                    ]
                },
                first: i == 0,
                last: i + 1 == count,
            }
        })
        .collect();
    Ok(LadderPage {
        ctx: user.ctx(),
        levels,
        severity,
        level_options,
        severity_errors: severity_sent.map(|(_, e)| e).unwrap_or_default(),
        failed: failed.map(|(id, _)| id),
        errors,
    })
}

pub async fn ladder(state: web::Data<AppState>, admin: Admin) -> AppResult<HttpResponse> {
    render(&ladder_page(&state, &admin.0, None, FieldErrors::new(), None).await?)
}

pub async fn update_level(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<i64>,
    form: web::Form<LevelForm>,
) -> AppResult<HttpResponse> {
    let user = admin.0;
    let id = path.into_inner();
    let form = form.into_inner();
    let edit = match parse_level_edit(
        &form.name,
        [&form.budget_p1, &form.budget_p2, &form.budget_p3],
    ) {
        Ok(edit) => edit,
        Err(problems) => {
            let errors = FieldErrors::from(problems);
            return invalid(&ladder_page(&state, &user, Some((id, form)), errors, None).await?);
        }
    };
    let (actor, now) = (user.id(), state.clock.now());
    db::run(&state.pool, move |conn| {
        escalation::update_level(conn, actor, id, &edit, now)
    })
    .await?;
    flash(&user.session, FlashKind::Success, "Level saved.");
    Ok(redirect("/admin/escalation"))
}

pub async fn move_level(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<(i64, String)>,
) -> AppResult<HttpResponse> {
    let user = admin.0;
    let (id, direction) = path.into_inner();
    let up = match LevelMove::parse(&direction) {
        Some(step) => step == LevelMove::Up,
        None => return Err(AppError::NotFound),
    };
    let (actor, now) = (user.id(), state.clock.now());
    db::run(&state.pool, move |conn| {
        escalation::move_level(conn, actor, id, up, now)
    })
    .await?;
    Ok(redirect("/admin/escalation"))
}

pub async fn remove_level(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let user = admin.0;
    let id = path.into_inner();
    let (actor, now) = (user.id(), state.clock.now());
    let outcome = db::run(&state.pool, move |conn| {
        escalation::remove_level(conn, actor, id, now)
    })
    .await?;
    match outcome {
        Ok(()) => {
            flash(&user.session, FlashKind::Success, "Level removed.");
            Ok(redirect("/admin/escalation"))
        }
        Err(message) => {
            let page = ladder_page(
                &state,
                &user,
                None,
                FieldErrors::single("level", message),
                None,
            )
            .await?;
            invalid(&LadderPage {
                failed: Some(id),
                ..page
            })
        }
    }
}

pub async fn set_severity_rules(
    state: web::Data<AppState>,
    admin: Admin,
    form: web::Form<SeverityForm>,
) -> AppResult<HttpResponse> {
    let user = admin.0;
    let form = form.into_inner();
    let mut errors = FieldErrors::new();
    let mut rules = Vec::new();
    for priority in Priority::ALL {
        let (level, notify_manager) = form.of(priority);
        let field = escalation::severity_field(priority);
        if let Some(Some(min_level)) = errors.take(field, parse_optional_id(level, "a level")) {
            rules.push(SeverityRule {
                priority,
                min_level,
                notify_manager,
            });
        }
    }
    if !errors.is_empty() {
        let page = ladder_page(
            &state,
            &user,
            None,
            FieldErrors::new(),
            Some((form, errors)),
        )
        .await?;
        return invalid(&page);
    }
    let (actor, now) = (user.id(), state.clock.now());
    let outcome = db::run(&state.pool, move |conn| {
        escalation::set_severity_rules(conn, actor, &rules, now)
    })
    .await?;
    match outcome {
        Ok(()) => {
            flash(&user.session, FlashKind::Success, "Severity rules saved.");
            Ok(redirect("/admin/escalation"))
        }
        Err(errors) => {
            let page = ladder_page(
                &state,
                &user,
                None,
                FieldErrors::new(),
                Some((form, errors)),
            )
            .await?;
            invalid(&page)
        }
    }
}
