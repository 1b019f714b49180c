//! The known-error database's pages: search and read (all staff), write, edit and retire (tier
//! 2 and 3 technicians and managers), and "apply workaround" from the ticket page.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::extract::CurrentUser;
use super::forms::{invalid, parse_optional_id, parse_version};
use super::known_errors_forms::{Saved, answer, with_version};
use super::page::{Ctx, FlashKind, flash, redirect, render};
use crate::db::categories::{self, CategoryRow};
use crate::db::kb::{self, KbArticleRow};
use crate::db::known_errors::{self, KnownErrorRow};
use crate::db::problems;
use crate::db::{self};
use crate::domain::ids::{CategoryId, KnownErrorId, TicketId};
use crate::domain::inputs::FieldErrors;
use crate::domain::known_error::{self as rules, KnownErrorInput, Status};
use crate::domain::problem::ProblemId;
use crate::error::{AppError, AppResult};
use crate::format::format_time;
use crate::state::AppState;

const LIST_LIMIT: i64 = 50;

/// Refuses a reader who may not write known errors or articles.
pub fn check_writer(user: &CurrentUser) -> AppResult<()> {
    if rules::may_write(user.row.role(), user.row.tier()) {
        Ok(())
    } else {
        Err(AppError::ForbiddenBecause(rules::WRITE_REFUSAL.into()))
    }
}

/// Top categories first, each subcategory under its parent's name.
pub fn category_choices(categories: &[CategoryRow]) -> Vec<(String, String)> {
    let mut options: Vec<(String, String)> = categories
        .iter()
        .filter(|c| c.active)
        .map(|c| {
            let parent = c
                .parent_id
                .and_then(|p| categories.iter().find(|x| x.id == p));
            let label = match parent {
                Some(parent) => format!("{} › {}", parent.name, c.name),
                None => c.name.clone(),
            };
            (c.id.to_string(), label)
        })
        .collect();
    options.sort_by(|a, b| a.1.cmp(&b.1));
    options.insert(0, (String::new(), "No category".into()));
    options
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    q: String,
    status: String,
}

pub struct ListItem {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub symptoms: String,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "known_errors/index.html")]
struct ListPage {
    ctx: Ctx,
    q: String,
    retired: bool,
    can_write: bool,
    items: Vec<ListItem>,
}

pub async fn index(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let ListQuery { q, status } = query.into_inner();
    let wanted = if status == "retired" {
        Status::Retired
    } else {
        Status::Published
    };
    let term = q.clone();
    let rows = db::run(&state.pool, move |conn| {
        known_errors::list(conn, &term, wanted, LIST_LIMIT)
    })
    .await?;
    let zone = user.zone();
    render(&ListPage {
        ctx: user.ctx(),
        q,
        retired: wanted == Status::Retired,
        can_write: check_writer(&user).is_ok(),
        items: rows
            .into_iter()
            .map(|k| ListItem {
                id: k.id.0,
                reference: k.reference(),
                symptoms: k.symptoms.chars().take(220).collect(),
                title: k.title,
                updated: format_time(k.updated_at, zone),
            })
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "known_errors/show.html")]
struct ShowPage {
    ctx: Ctx,
    known: KnownErrorRow,
    reference: String,
    status: Status,
    category: String,
    created: String,
    updated: String,
    can_write: bool,
    /// The problem it was published from, as "P-12 subject", and its resolution's article:
    /// the sign that a permanent fix exists.
    problem: Option<(i64, String)>,
    fix: Option<KbArticleRow>,
}

pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = KnownErrorId(path.into_inner());
    let (known, cats, problem, fix) = db::run(&state.pool, move |conn| {
        let known = known_errors::get(conn, id)?;
        let (problem, fix) = match known.problem_id {
            Some(p) => {
                let row = problems::get(conn, ProblemId(p))?;
                (
                    Some((p, format!("{} {}", row.id, row.subject))),
                    kb::of_problem(conn, p)?,
                )
            }
            None => (None, None),
        };
        Ok((known, categories::list_categories(conn)?, problem, fix))
    })
    .await?;
    let zone = user.zone();
    let category = known
        .category_id
        .and_then(|c| {
            category_choices(&cats)
                .into_iter()
                .find(|(v, _)| *v == c.to_string())
        })
        .map(|(_, label)| label)
        .unwrap_or_else(|| "None".into());
    render(&ShowPage {
        ctx: user.ctx(),
        reference: known.reference(),
        status: known.status(),
        category,
        created: format_time(known.created_at, zone),
        updated: format_time(known.updated_at, zone),
        can_write: check_writer(&user).is_ok(),
        problem,
        fix,
        known,
    })
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct KnownErrorForm {
    version: String,
    title: String,
    symptoms: String,
    cause: String,
    workaround: String,
    category_id: String,
}

impl KnownErrorForm {
    fn parse(&self) -> Result<KnownErrorInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = errors.take("title", rules::parse_title(&self.title));
        let symptoms = errors.take("symptoms", rules::parse_symptoms(&self.symptoms));
        let cause = errors.take("cause", rules::parse_cause(&self.cause));
        let workaround = errors.take("workaround", rules::parse_workaround(&self.workaround));
        let category = errors.take(
            "category_id",
            parse_optional_id(&self.category_id, "a category"),
        );
        match (title, symptoms, cause, workaround, category) {
            (Some(title), Some(symptoms), Some(cause), Some(workaround), Some(category)) => {
                Ok(KnownErrorInput {
                    title,
                    symptoms,
                    cause,
                    workaround,
                    category: category.map(CategoryId),
                })
            }
            _ => Err(errors),
        }
    }

    fn of(row: &KnownErrorRow) -> Self {
        KnownErrorForm {
            version: row.version.to_string(),
            title: row.title.clone(),
            symptoms: row.symptoms.clone(),
            cause: row.cause.clone(),
            workaround: row.workaround.clone(),
            category_id: row.category_id.map(|c| c.to_string()).unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "known_errors/form.html")]
struct FormPage {
    ctx: Ctx,
    /// The known error being edited, or `None` for a new one.
    editing: Option<(i64, String)>,
    form: KnownErrorForm,
    categories: Vec<(String, String)>,
    errors: FieldErrors,
}

async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    editing: Option<(i64, String)>,
    form: KnownErrorForm,
    errors: FieldErrors,
) -> AppResult<FormPage> {
    let cats = db::run(&state.pool, categories::list_categories).await?;
    Ok(FormPage {
        ctx: user.ctx(),
        editing,
        form,
        categories: category_choices(&cats),
        errors,
    })
}

pub async fn new_form(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    check_writer(&user)?;
    let page = form_page(
        &state,
        &user,
        None,
        KnownErrorForm::default(),
        FieldErrors::new(),
    )
    .await?;
    render(&page)
}

pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    form: web::Form<KnownErrorForm>,
) -> AppResult<HttpResponse> {
    check_writer(&user)?;
    let form = form.into_inner();
    let input = match form.parse() {
        Ok(input) => input,
        Err(errors) => return invalid(&form_page(&state, &user, None, form, errors).await?),
    };
    let (actor, now) = (user.id(), state.clock.now());
    let id = db::run(&state.pool, move |conn| {
        known_errors::create(conn, actor, &input, now)
    })
    .await?;
    flash(
        &user.session,
        FlashKind::Success,
        format!(
            "Known error {} published: technicians see it on matching incidents.",
            rules::reference(id)
        ),
    );
    Ok(redirect(&format!("/known-errors/{id}")))
}

pub async fn edit_form(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    check_writer(&user)?;
    let id = KnownErrorId(path.into_inner());
    let row = db::run(&state.pool, move |conn| known_errors::get(conn, id)).await?;
    let editing = Some((id.0, row.reference()));
    let page = form_page(
        &state,
        &user,
        editing,
        KnownErrorForm::of(&row),
        FieldErrors::new(),
    )
    .await?;
    render(&page)
}

pub async fn update(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<KnownErrorForm>,
) -> AppResult<HttpResponse> {
    check_writer(&user)?;
    let id = KnownErrorId(path.into_inner());
    let form = form.into_inner();
    let editing = Some((id.0, rules::reference(id)));
    let (input, version) = match with_version(form.parse(), &form.version) {
        Ok(parsed) => parsed,
        Err(errors) => return invalid(&form_page(&state, &user, editing, form, errors).await?),
    };
    let (actor, now) = (user.id(), state.clock.now());
    let saved = db::run(&state.pool, move |conn| {
        known_errors::update(conn, actor, id, version, &input, now)
    })
    .await;
    let (subject, back) = (rules::reference(id), format!("/known-errors/{id}"));
    let to = Saved {
        back: &back,
        done: "Known error saved.",
        subject: &subject,
        back_label: "Open the known error as it is now",
    };
    answer(&user, saved, to, form.workaround)
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct RetireForm {
    version: String,
}

pub async fn retire(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<RetireForm>,
) -> AppResult<HttpResponse> {
    check_writer(&user)?;
    let id = KnownErrorId(path.into_inner());
    let version = parse_version(&form.version).map_err(AppError::Conflict)?;
    let (actor, now) = (user.id(), state.clock.now());
    db::run(&state.pool, move |conn| {
        known_errors::retire(conn, actor, id, version, now)
    })
    .await?;
    flash(
        &user.session,
        FlashKind::Success,
        format!(
            "Known error {} retired: it is no longer offered on incidents.",
            rules::reference(id)
        ),
    );
    Ok(redirect(&format!("/known-errors/{id}")))
}

/// "Apply workaround" on the ticket page: any technician working the incident may.
pub async fn apply(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let (ticket, known) = path.into_inner();
    let (ticket, known) = (TicketId(ticket), KnownErrorId(known));
    let (actor, now) = (user.id(), state.clock.now());
    let applied = db::run(&state.pool, move |conn| {
        known_errors::apply_workaround(conn, actor, ticket, known, now)
    })
    .await?;
    flash(
        &user.session,
        FlashKind::Success,
        format!(
            "Workaround from known error {} applied and noted on the timeline.",
            applied.reference()
        ),
    );
    Ok(redirect(&format!("/tickets/{ticket}#known-errors")))
}
