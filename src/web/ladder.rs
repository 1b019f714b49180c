//! The escalation ladder, for admins: the levels, their time budgets and order, and the
//! severity rules that send a ticket straight to a level.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::extract::{Admin, CurrentUser};
use super::forms::{checkbox, invalid, parse_optional_id, versioned};
use super::page::{Ctx, FlashKind, flash, redirect, render, render_status};
use crate::db::{self};
use crate::db::{escalation, ladder_admin};
use crate::domain::escalation::{LevelMove, SeverityRule, parse_level_edit};
use crate::domain::escalation_owner::fits_level;
use crate::domain::ids::{LevelId, UserId};
use crate::domain::inputs::FieldErrors;
use crate::domain::priority::Priority;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub struct LevelItem {
    pub id: i64,
    /// The level's version the form was filled from (`db::stale`).
    pub version: String,
    pub name: String,
    pub line: &'static str,
    /// Field name, label and value of each priority's budget.
    pub budgets: [(&'static str, &'static str, String); 3],
    /// The chosen default owner's id (empty: the queue) and who may be chosen.
    pub default_owner: String,
    pub owners: Vec<(String, String)>,
    pub first: bool,
    pub last: bool,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct LevelForm {
    version: String,
    name: String,
    budget_p1: String,
    budget_p2: String,
    budget_p3: String,
    default_owner_id: String,
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
    let (ladder, rules, staff, versions) = db::run(&state.pool, |conn| {
        Ok((
            escalation::load_ladder(conn)?,
            escalation::load_severity_rules(conn)?,
            db::users::list(conn)?,
            ladder_admin::level_versions(conn)?,
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
                field: ladder_admin::severity_field(priority),
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
            let (version, name, budgets, default_owner) = match &failed {
                Some((id, form)) if *id == l.id => (
                    form.version.clone(),
                    form.name.clone(),
                    [
                        form.budget_p1.clone(),
                        form.budget_p2.clone(),
                        form.budget_p3.clone(),
                    ],
                    form.default_owner_id.clone(),
                ),
                _ => (
                    versions.get(&l.id).map(i64::to_string).unwrap_or_default(),
                    l.name.clone(),
                    l.budget_percent.map(shown),
                    l.default_owner.map(|o| o.to_string()).unwrap_or_default(),
                ),
            };
            let mut owners = vec![(String::new(), "Nobody: the level's queue".to_string())];
            owners.extend(
                staff
                    .iter()
                    .filter(|u| fits_level(l, u.role(), u.tier(), u.active))
                    .map(|u| (u.id.to_string(), u.display_name.clone())),
            );
            LevelItem {
                id: l.id,
                version,
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
                default_owner,
                owners,
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

/// A saved change goes back to the ladder with the flash that says what was saved.
fn back_to_ladder(session: &Session, saved: &str) -> HttpResponse {
    flash(session, FlashKind::Success, saved);
    redirect("/admin/escalation")
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
    let owner = match parse_optional_id(&form.default_owner_id, "a default owner") {
        Ok(owner) => owner.map(UserId),
        Err(message) => {
            let errors = FieldErrors::single("default_owner_id", message);
            return invalid(&ladder_page(&state, &user, Some((id, form)), errors, None).await?);
        }
    };
    let version = match versioned(Ok(()), &form.version) {
        Ok(((), version)) => version,
        Err(errors) => {
            return invalid(&ladder_page(&state, &user, Some((id, form)), errors, None).await?);
        }
    };
    let (actor, now) = (user.id(), state.clock.now());
    let outcome = db::run(&state.pool, move |conn| {
        ladder_admin::update_level(conn, actor, LevelId(id), &edit, owner, version, now)
    })
    .await;
    match outcome {
        Ok(Ok(())) => Ok(back_to_ladder(&user.session, "Level saved.")),
        Ok(Err(errors)) => {
            invalid(&ladder_page(&state, &user, Some((id, form)), errors, None).await?)
        }
        Err(AppError::Conflict(message)) => render_status(
            &ladder_page(
                &state,
                &user,
                Some((id, form)),
                FieldErrors::single("version", message),
                None,
            )
            .await?,
            StatusCode::CONFLICT,
        ),
        Err(e) => Err(e),
    }
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
        ladder_admin::move_level(conn, actor, LevelId(id), up, now)
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
        ladder_admin::remove_level(conn, actor, LevelId(id), now)
    })
    .await?;
    match outcome {
        Ok(()) => Ok(back_to_ladder(&user.session, "Level removed.")),
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
        let field = ladder_admin::severity_field(priority);
        if let Some(Some(min_level)) = errors.take(field, parse_optional_id(level, "a level")) {
            rules.push(SeverityRule {
                priority,
                min_level,
                notify_manager,
            });
        }
    }
    let outcome = if errors.is_empty() {
        let (actor, now) = (user.id(), state.clock.now());
        db::run(&state.pool, move |conn| {
            ladder_admin::set_severity_rules(conn, actor, &rules, now)
        })
        .await?
    } else {
        Err(errors)
    };
    match outcome {
        Ok(()) => Ok(back_to_ladder(&user.session, "Severity rules saved.")),
        Err(errors) => {
            let refused = Some((form, errors));
            invalid(&ladder_page(&state, &user, None, FieldErrors::new(), refused).await?)
        }
    }
}
