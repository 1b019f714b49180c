//! Editing the logged problem ticket: the log form's fields filled from the record, for its
//! drivers; a stale version shows the conflict page with the typed description kept.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::new::{Choices, ProblemForm, choices, parse, require_driver};
use crate::db::problems::edit::{self, ProblemEdit};
use crate::db::problems::{self, NewProblem, ProblemRow};
use crate::db::{self};
use crate::domain::inputs::FieldErrors;
use crate::domain::problem::ProblemId;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::forms::{Changed, conflict, invalid, parse_version};
use crate::web::page::{Ctx, FlashKind, flash, redirect, render};

#[derive(Template)]
#[template(path = "problems/edit.html")]
struct EditPage {
    ctx: Ctx,
    id: i64,
    number: String,
    version: String,
    form: ProblemForm,
    errors: FieldErrors,
    c: Choices,
}

async fn edit_page(
    state: &AppState,
    user: &CurrentUser,
    id: ProblemId,
    version: String,
    form: ProblemForm,
    errors: FieldErrors,
) -> AppResult<EditPage> {
    Ok(EditPage {
        ctx: user.ctx(),
        id: id.0,
        number: id.to_string(),
        version,
        form,
        errors,
        c: choices(state).await?,
    })
}

fn form_of(row: &ProblemRow, zone: chrono_tz::Tz) -> ProblemForm {
    let id = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    ProblemForm {
        subject: row.subject.clone(),
        description: row.description.clone(),
        business_impact: row.business_impact.clone(),
        symptoms: row.symptoms.clone(),
        service_details: row.service_details.clone(),
        equipment_details: row.equipment_details.clone(),
        previous_fixes: row.previous_fixes.clone(),
        occurred_at: row
            .occurred_at
            .map(|t| {
                t.and_utc()
                    .with_timezone(&zone)
                    .format("%Y-%m-%dT%H:%M")
                    .to_string()
            })
            .unwrap_or_default(),
        client_id: id(row.client_id),
        category_id: id(row.category_id),
        team: row.team.clone(),
        owner_id: row.owner_id.to_string(),
        impact: row.impact.as_str().into(),
        urgency: row.urgency.as_str().into(),
        from_ticket: String::new(),
    }
}

fn refuse_closed(row: &ProblemRow) -> AppResult<()> {
    if row.status.is_active() {
        Ok(())
    } else {
        Err(AppError::ForbiddenBecause(
            "A closed problem's record is kept as it was.".into(),
        ))
    }
}

pub async fn edit_form(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    require_driver(&user)?;
    let id = ProblemId(path.into_inner());
    let row = db::run(&state.pool, move |conn| problems::get(conn, id)).await?;
    refuse_closed(&row)?;
    let form = form_of(&row, user.zone());
    let page = edit_page(
        &state,
        &user,
        id,
        row.version.to_string(),
        form,
        FieldErrors::new(),
    )
    .await?;
    render(&page)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EditForm {
    version: String,
    #[serde(flatten)]
    form: ProblemForm,
}

fn edit_of(input: NewProblem) -> ProblemEdit {
    ProblemEdit {
        subject: input.subject,
        description: input.description,
        business_impact: input.business_impact,
        symptoms: input.symptoms,
        service_details: input.service_details,
        equipment_details: input.equipment_details,
        previous_fixes: input.previous_fixes,
        occurred_at: input.occurred_at,
        client_id: input.client_id,
        category_id: input.category_id,
        team: input.team,
        owner: input.owner,
        impact: input.impact,
        urgency: input.urgency,
    }
}

pub async fn update(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    sent: web::Form<EditForm>,
) -> AppResult<HttpResponse> {
    require_driver(&user)?;
    let id = ProblemId(path.into_inner());
    let EditForm { version, mut form } = sent.into_inner();
    form.from_ticket = String::new();
    let parsed = parse_version(&version)
        .map_err(|m| FieldErrors::single("subject", m))
        .and_then(|v| parse(&form, user.zone()).map(|input| (v, edit_of(input))));
    let (from_version, input) = match parsed {
        Ok(parsed) => parsed,
        Err(errors) => {
            return invalid(&edit_page(&state, &user, id, version, form, errors).await?);
        }
    };
    let (now, actor) = (state.clock.now(), user.row.clone());
    let outcome = db::run(&state.pool, move |conn| {
        edit::update(conn, &actor, id, from_version, &input, now)
    })
    .await;
    match outcome {
        Ok(Ok(_)) => {
            flash(&user.session, FlashKind::Success, "Problem ticket saved.");
            Ok(redirect(&format!("/problems/{}", id.0)))
        }
        Ok(Err(errors)) => invalid(&edit_page(&state, &user, id, version, form, errors).await?),
        Err(AppError::Conflict(message)) => {
            let subject = id.to_string();
            let back = format!("/problems/{}", id.0);
            conflict(
                user.ctx(),
                Changed {
                    subject: &subject,
                    back: &back,
                    back_label: "Open the problem as it is now",
                },
                message,
                form.description,
            )
        }
        Err(e) => Err(e),
    }
}
