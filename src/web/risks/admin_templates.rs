//! Editing one example risk of the walk-through's checklist: rewording it, retiring it (the
//! walk-through stops offering it) or restoring it.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::admin::{PAGE, TemplateForm, parse_template};
use crate::db::risks::admin;
use crate::db::{self};
use crate::domain::inputs::FieldErrors;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::{Admin, CurrentUser};
use crate::web::forms::{checkbox, invalid};
use crate::web::page::{Ctx, FlashKind, flash, redirect, render};

#[derive(Template)]
#[template(path = "risks/admin_template.html")]
struct TemplatePage {
    ctx: Ctx,
    id: i64,
    form: TemplateForm,
    errors: FieldErrors,
}

async fn stored(state: &AppState, id: i64) -> AppResult<TemplateForm> {
    let row = db::run(&state.pool, move |conn| {
        admin::all_templates(conn)?
            .into_iter()
            .find(|t| t.id == id)
            .ok_or(AppError::NotFound)
    })
    .await?;
    Ok(TemplateForm {
        title: row.title,
        vulnerability: row.vulnerability,
        threat: row.threat,
        active: row.active.then(|| "on".to_string()),
    })
}

fn page(user: &CurrentUser, id: i64, form: TemplateForm, errors: FieldErrors) -> TemplatePage {
    TemplatePage {
        ctx: user.ctx(),
        id,
        form,
        errors,
    }
}

pub async fn edit(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let form = stored(&state, id).await?;
    render(&page(&admin.0, id, form, FieldErrors::new()))
}

pub async fn save(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<i64>,
    form: web::Form<TemplateForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let form = form.into_inner();
    let text = match parse_template(&form) {
        Ok(text) => text,
        Err(errors) => return invalid(&page(&admin.0, id, form, errors)),
    };
    let active = checkbox(&form.active);
    let (actor, now) = (admin.0.row.clone(), state.clock.now());
    db::run(&state.pool, move |conn| {
        admin::edit_template(conn, &actor, id, &text, active, now)
    })
    .await?;
    flash(
        &admin.0.session,
        FlashKind::Success,
        if active {
            "Example risk saved."
        } else {
            "Example risk retired: walk-throughs no longer offer it."
        },
    );
    Ok(redirect(&format!("{PAGE}#templates")))
}
