//! The priority matrix: which priority each impact and urgency make.

use actix_web::{HttpResponse, web};
use askama::Template;

use crate::db::service_levels::{self as levels};
use crate::db::{self, audit};
use crate::domain::priority::{Impact, Priority, PriorityMatrix, Urgency};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::{Admin, CurrentUser};
use crate::web::forms::invalid;
use crate::web::page::{Ctx, FlashKind, flash, redirect, render};
use crate::web::users::{HistoryItem, history_items};

/// One cell of the matrix form: its field name and the priority it holds.
pub struct MatrixCell {
    pub field: String,
    pub urgency: Urgency,
    pub priority: Priority,
}

pub struct MatrixRow {
    pub impact: Impact,
    pub cells: Vec<MatrixCell>,
}

#[derive(Template)]
#[template(path = "service_levels/matrix.html")]
struct MatrixPage {
    ctx: Ctx,
    rows: Vec<MatrixRow>,
    urgencies: [Urgency; 3],
    impacts: [Impact; 3],
    priorities: [Priority; 3],
    can_edit: bool,
    error: Option<String>,
    history: Vec<HistoryItem>,
}

fn matrix_rows(matrix: &PriorityMatrix) -> Vec<MatrixRow> {
    Impact::ALL
        .into_iter()
        .map(|impact| MatrixRow {
            impact,
            cells: Urgency::ALL
                .into_iter()
                .map(|urgency| MatrixCell {
                    field: format!("{}_{}", impact.as_str(), urgency.as_str()),
                    urgency,
                    priority: matrix.priority(impact, urgency),
                })
                .collect(),
        })
        .collect()
}

/// Anybody on the desk may read the matrix (it is the triage guidance); admins change it.
pub async fn show_matrix(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    let (matrix, history) = db::run(&state.pool, |conn| {
        Ok((
            levels::load_matrix(conn)?,
            audit::history(conn, audit::Entity::PriorityMatrix, 0, 20)?,
        ))
    })
    .await?;
    let history = if user.row.role().is_admin() {
        history_items(history, user.zone())
    } else {
        Vec::new()
    };
    render(&MatrixPage {
        ctx: user.ctx(),
        rows: matrix_rows(&matrix),
        urgencies: Urgency::ALL,
        impacts: Impact::ALL,
        priorities: Priority::ALL,
        can_edit: user.row.role().is_admin(),
        error: None,
        history,
    })
}

pub async fn update_matrix(
    state: web::Data<AppState>,
    admin: Admin,
    form: web::Form<std::collections::HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let mut matrix = PriorityMatrix::blueprint_default();
    let mut unreadable = Vec::new();
    for impact in Impact::ALL {
        for urgency in Urgency::ALL {
            let field = format!("{}_{}", impact.as_str(), urgency.as_str());
            match form.get(&field).map(|v| Priority::parse(v)) {
                Some(Ok(priority)) => matrix = matrix.with(impact, urgency, priority),
                _ => unreadable.push(field),
            }
        }
    }
    let problem = if unreadable.is_empty() {
        matrix.validate().err()
    } else {
        Some(format!(
            "Choose a priority for every cell ({}).",
            unreadable.join(", ")
        ))
    };
    if let Some(error) = problem {
        return invalid(&MatrixPage {
            ctx: admin.0.ctx(),
            rows: matrix_rows(&matrix),
            urgencies: Urgency::ALL,
            impacts: Impact::ALL,
            priorities: Priority::ALL,
            can_edit: true,
            error: Some(error),
            history: Vec::new(),
        });
    }
    let (actor, now) = (admin.0.id(), state.clock.now());
    db::run(&state.pool, move |conn| {
        levels::save_matrix(conn, actor, &matrix, now)
    })
    .await?;
    flash(
        &admin.0.session,
        FlashKind::Success,
        "Priority matrix saved.",
    );
    Ok(redirect("/priority-matrix"))
}
