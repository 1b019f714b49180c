//! Suggested problems, for managers and tier 2/3: the open suggestions with why each was
//! made, recomputing on demand, making one a problem, dismissing one, and the managers'
//! detection settings.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::problems::detect;
use crate::db::{self};
use crate::domain::inputs::FieldErrors;
use crate::domain::problem::{MAX_TEXT, check_text};
use crate::domain::problem_detection::{Settings, Signal};
use crate::error::{AppError, AppResult};
use crate::format::format_time;
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::forms::invalid;
use crate::web::page::{Ctx, FlashKind, flash, redirect, render};

pub struct Item {
    pub id: i64,
    pub signal: &'static str,
    pub reason: String,
    pub found: String,
    pub incidents: Vec<(i64, String)>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Forms {
    threshold: String,
    window_days: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "problems/suggestions.html")]
struct SuggestionsPage {
    ctx: Ctx,
    items: Vec<Item>,
    is_manager: bool,
    form: Forms,
    /// The suggestion whose dismissal came back, or 0 for the settings form.
    failed: Option<i64>,
    errors: FieldErrors,
}

impl SuggestionsPage {
    fn errors_for(&self, id: &i64) -> FieldErrors {
        if self.failed == Some(*id) {
            self.errors.clone()
        } else {
            FieldErrors::new()
        }
    }

    fn reason_for(&self, id: &i64) -> &str {
        if self.failed == Some(*id) {
            &self.form.reason
        } else {
            ""
        }
    }
}

const SETTINGS_FORM: i64 = 0;
/// The settings form's key, as the template passes keys.
const SETTINGS_FORM_REF: &i64 = &SETTINGS_FORM;

fn require_driver(user: &CurrentUser) -> AppResult<()> {
    if super::drives(user) {
        Ok(())
    } else {
        Err(AppError::ForbiddenBecause(
            "Suggested problems are for managers and tier 2/3 technicians.".into(),
        ))
    }
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    form: Option<Forms>,
    failed: Option<i64>,
    errors: FieldErrors,
) -> AppResult<SuggestionsPage> {
    let zone = user.zone();
    let (open, settings) = db::run(&state.pool, |conn| {
        Ok((detect::open(conn)?, detect::settings(conn)?))
    })
    .await?;
    let items = open
        .into_iter()
        .map(|(row, incidents)| {
            Ok(Item {
                id: row.id,
                signal: row.signal()?.label(),
                found: format_time(row.found_at, zone),
                reason: row.reason,
                incidents,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let form = form.unwrap_or_else(|| Forms {
        threshold: settings.threshold.to_string(),
        window_days: settings.window_days.to_string(),
        reason: String::new(),
    });
    Ok(SuggestionsPage {
        ctx: user.ctx(),
        items,
        is_manager: user.row.role().is_manager(),
        form,
        failed,
        errors,
    })
}

pub async fn list(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    require_driver(&user)?;
    render(&page(&state, &user, None, None, FieldErrors::new()).await?)
}

pub async fn recompute(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    require_driver(&user)?;
    let now = state.clock.now();
    let added = db::run(&state.pool, move |conn| detect::recompute(conn, now)).await?;
    flash(
        &user.session,
        FlashKind::Success,
        format!("Suggestions recomputed: {added} new."),
    );
    Ok(redirect("/problems/suggestions"))
}

pub async fn accept(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (now, actor) = (state.clock.now(), user.row.clone());
    match db::run(&state.pool, move |conn| {
        detect::accept(conn, &actor, id, now)
    })
    .await?
    {
        Ok(problem) => {
            flash(
                &user.session,
                FlashKind::Success,
                format!("Problem {problem} logged with the incidents linked."),
            );
            Ok(redirect(&format!("/problems/{}", problem.0)))
        }
        Err(errors) => invalid(&page(&state, &user, None, Some(id), errors).await?),
    }
}

pub async fn dismiss(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<Forms>,
) -> AppResult<HttpResponse> {
    require_driver(&user)?;
    let id = path.into_inner();
    let form = form.into_inner();
    let reason = match check_text(&form.reason, "why this is not a problem", MAX_TEXT) {
        Ok(reason) => reason,
        Err(message) => {
            let errors = FieldErrors::single("reason", message);
            return invalid(&page(&state, &user, Some(form), Some(id), errors).await?);
        }
    };
    let (now, actor) = (state.clock.now(), user.row.clone());
    match db::run(&state.pool, move |conn| {
        detect::dismiss(conn, &actor, id, &reason, now)
    })
    .await?
    {
        Ok(()) => {
            flash(
                &user.session,
                FlashKind::Success,
                "Suggestion dismissed; these incidents will not be suggested again.",
            );
            Ok(redirect("/problems/suggestions"))
        }
        Err(errors) => invalid(&page(&state, &user, Some(form), Some(id), errors).await?),
    }
}

pub async fn save_settings(
    state: web::Data<AppState>,
    user: CurrentUser,
    form: web::Form<Forms>,
) -> AppResult<HttpResponse> {
    if !user.row.role().is_manager() {
        return Err(AppError::Forbidden);
    }
    let form = form.into_inner();
    let settings = match Settings::parse(&form.threshold, &form.window_days) {
        Ok(settings) => settings,
        Err(problems) => {
            let errors = FieldErrors::from(problems);
            return invalid(&page(&state, &user, Some(form), Some(SETTINGS_FORM), errors).await?);
        }
    };
    let (now, actor) = (state.clock.now(), user.row.clone());
    db::run(&state.pool, move |conn| {
        detect::save_settings(conn, &actor, settings, now)
    })
    .await?;
    flash(
        &user.session,
        FlashKind::Success,
        format!(
            "Detection now suggests {} incidents in {} days; recompute to apply it now.",
            settings.threshold, settings.window_days
        ),
    );
    Ok(redirect("/problems/suggestions"))
}

/// The signals, for the page's explanation.
impl SuggestionsPage {
    fn signals(&self) -> [&'static str; 4] {
        Signal::ALL.map(Signal::label)
    }
}
