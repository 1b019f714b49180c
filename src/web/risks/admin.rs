//! The admins' risk settings page: the 5 × 5 matrix (kept monotone), the review schedule per
//! classification and the days the client has to accept a treatment, and the list of example
//! risks the walk-through offers. Managers read it; admins change it; every change is audited.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::risks::admin;
use crate::db::risks::walkthrough::TemplateRow;
use crate::db::{self};
use crate::domain::inputs::FieldErrors;
use crate::domain::risk::{Consequence, Level, Likelihood, RiskMatrix, Score};
use crate::domain::risk_review::{ReviewSchedule, check_acceptance_days};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::{Admin, CurrentUser, Manager};
use crate::web::forms::invalid;
use crate::web::page::{Ctx, FlashKind, flash, redirect, render};
use crate::web::users::{HistoryItem, history_items};

pub const PAGE: &str = "/admin/risks";

pub struct MatrixCell {
    pub field: String,
    pub label: String,
    pub level: &'static str,
}

pub struct MatrixRow {
    pub likelihood: String,
    pub cells: Vec<MatrixCell>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ScheduleForm {
    managed_days: String,
    monitored_days: String,
    observed_days: String,
    acceptance_days: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct TemplateForm {
    pub title: String,
    pub vulnerability: String,
    pub threat: String,
    pub active: Option<String>,
}

#[derive(Template)]
#[template(path = "risks/admin.html")]
struct AdminPage {
    ctx: Ctx,
    can_edit: bool,
    rows: Vec<MatrixRow>,
    consequences: Vec<String>,
    levels: Vec<(&'static str, &'static str)>,
    matrix_error: Option<String>,
    schedule: ScheduleForm,
    schedule_errors: FieldErrors,
    templates: Vec<TemplateRow>,
    new_template: TemplateForm,
    template_errors: FieldErrors,
    history: Vec<HistoryItem>,
}

fn field(score: Score) -> String {
    format!(
        "l{}c{}",
        score.likelihood.number(),
        score.consequence.number()
    )
}

fn matrix_rows(matrix: &RiskMatrix) -> Vec<MatrixRow> {
    Likelihood::ALL
        .into_iter()
        .rev()
        .map(|likelihood| MatrixRow {
            likelihood: likelihood.to_string(),
            cells: Consequence::ALL
                .into_iter()
                .map(|consequence| {
                    let score = Score::new(likelihood, consequence);
                    MatrixCell {
                        field: field(score),
                        label: format!("Likelihood {likelihood}, consequence {consequence}"),
                        level: matrix.level(score).as_str(),
                    }
                })
                .collect(),
        })
        .collect()
}

/// The page's three forms, each either as stored or as the admin sent it back.
struct Forms {
    matrix: Option<(RiskMatrix, String)>,
    schedule: Option<(ScheduleForm, FieldErrors)>,
    template: Option<(TemplateForm, FieldErrors)>,
}

async fn page(state: &AppState, user: &CurrentUser, forms: Forms) -> AppResult<AdminPage> {
    let (matrix, (schedule, acceptance), templates, history) = db::run(&state.pool, |conn| {
        Ok((
            db::risks::matrix(conn)?,
            db::risks::settings(conn)?,
            admin::all_templates(conn)?,
            admin::history(conn, 30)?,
        ))
    })
    .await?;
    let can_edit = user.row.role().is_admin();
    let (matrix, matrix_error) = match forms.matrix {
        Some((sent, error)) => (sent, Some(error)),
        None => (matrix, None),
    };
    let (schedule, schedule_errors) = forms.schedule.unwrap_or_else(|| {
        (
            ScheduleForm {
                managed_days: schedule.managed_days.to_string(),
                monitored_days: schedule.monitored_days.to_string(),
                observed_days: schedule.observed_days.to_string(),
                acceptance_days: acceptance.to_string(),
            },
            FieldErrors::new(),
        )
    });
    let (new_template, template_errors) = forms.template.unwrap_or_default();
    Ok(AdminPage {
        ctx: user.ctx(),
        can_edit,
        rows: matrix_rows(&matrix),
        consequences: Consequence::ALL.map(|c| c.to_string()).to_vec(),
        levels: Level::ALL.map(|l| (l.as_str(), l.label())).to_vec(),
        matrix_error,
        schedule,
        schedule_errors,
        templates,
        new_template,
        template_errors,
        history: if can_edit {
            history_items(history, user.zone())
        } else {
            Vec::new()
        },
    })
}

const AS_STORED: Forms = Forms {
    matrix: None,
    schedule: None,
    template: None,
};

pub async fn show(state: web::Data<AppState>, manager: Manager) -> AppResult<HttpResponse> {
    render(&page(&state, &manager.0, AS_STORED).await?)
}

/// Saves the matrix when every cell holds a level and raising the likelihood or the
/// consequence never lowers it; otherwise the admin's matrix comes back with the reason.
pub async fn save_matrix(
    state: web::Data<AppState>,
    admin: Admin,
    form: web::Form<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let mut matrix = RiskMatrix::standard();
    let mut unreadable = Vec::new();
    for (score, _) in RiskMatrix::standard().cells() {
        match form.get(&field(score)).map(|v| Level::parse(v)) {
            Some(Ok(level)) => matrix = matrix.with(score, level),
            _ => unreadable.push(field(score)),
        }
    }
    let problem = if unreadable.is_empty() {
        matrix.validate().err()
    } else {
        Some(format!(
            "Choose a level for every cell ({}).",
            unreadable.join(", ")
        ))
    };
    if let Some(error) = problem {
        let forms = Forms {
            matrix: Some((matrix, error)),
            ..AS_STORED
        };
        return invalid(&page(&state, &admin.0, forms).await?);
    }
    let (actor, now) = (admin.0.row.clone(), state.clock.now());
    db::run(&state.pool, move |conn| {
        admin::save_matrix(conn, &actor, &matrix, now)
    })
    .await?;
    flash(
        &admin.0.session,
        FlashKind::Success,
        "Risk matrix saved: risks analysed from now on get their level from it.",
    );
    Ok(redirect(PAGE))
}

fn days(raw: &str) -> Result<i32, String> {
    raw.trim()
        .parse::<i32>()
        .map_err(|_| "Enter a whole number of days.".to_string())
}

pub async fn save_schedule(
    state: web::Data<AppState>,
    admin: Admin,
    form: web::Form<ScheduleForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let mut e = FieldErrors::new();
    let managed = e.take("managed_days", days(&form.managed_days));
    let monitored = e.take("monitored_days", days(&form.monitored_days));
    let observed = e.take("observed_days", days(&form.observed_days));
    let acceptance = e.take(
        "acceptance_days",
        days(&form.acceptance_days).and_then(check_acceptance_days),
    );
    let schedule = match (managed, monitored, observed) {
        (Some(m), Some(mo), Some(o)) => e.take("managed_days", ReviewSchedule::new(m, mo, o)),
        _ => None,
    };
    let (Some(schedule), Some(acceptance)) = (schedule, acceptance) else {
        let forms = Forms {
            schedule: Some((form, e)),
            ..AS_STORED
        };
        return invalid(&page(&state, &admin.0, forms).await?);
    };
    let (actor, now) = (admin.0.row.clone(), state.clock.now());
    db::run(&state.pool, move |conn| {
        admin::save_settings(conn, &actor, schedule, acceptance, now)
    })
    .await?;
    flash(
        &admin.0.session,
        FlashKind::Success,
        "Review schedule saved: each risk's next review follows it once it is next set.",
    );
    Ok(redirect(PAGE))
}

pub(super) fn parse_template(
    form: &TemplateForm,
) -> Result<crate::domain::risk_walkthrough::TemplateText, FieldErrors> {
    crate::domain::risk_walkthrough::TemplateText::parse(
        &form.title,
        &form.vulnerability,
        &form.threat,
    )
    .map_err(|problems| {
        let mut errors = FieldErrors::new();
        for (field, message) in problems {
            errors.add(field, message);
        }
        errors
    })
}

pub async fn add_template(
    state: web::Data<AppState>,
    admin: Admin,
    form: web::Form<TemplateForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let text = match parse_template(&form) {
        Ok(text) => text,
        Err(errors) => {
            let forms = Forms {
                template: Some((form, errors)),
                ..AS_STORED
            };
            return invalid(&page(&state, &admin.0, forms).await?);
        }
    };
    let (actor, now) = (admin.0.row.clone(), state.clock.now());
    db::run(&state.pool, move |conn| {
        admin::add_template(conn, &actor, &text, now)
    })
    .await?;
    flash(
        &admin.0.session,
        FlashKind::Success,
        "Example risk added: new walk-throughs offer it.",
    );
    Ok(redirect(&format!("{PAGE}#templates")))
}
