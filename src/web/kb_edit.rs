//! Writing the knowledge base by hand: new article, edit (each save kept as a version) and
//! retire, for tier 2 and 3 technicians and managers.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::extract::CurrentUser;
use super::forms::{invalid, parse_optional_id, parse_version};
use super::known_errors::{category_choices, check_writer};
use super::known_errors_forms::{Saved, answer, with_version};
use super::page::{Ctx, FlashKind, flash, redirect, render};
use crate::db::kb_edit::{self, ArticleInput};
use crate::db::{self, categories, kb};
use crate::domain::ids::{CategoryId, KbArticleId};
use crate::domain::inputs::{FieldErrors, Line, parse_required_note};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ArticleForm {
    version: String,
    title: String,
    body: String,
    category_id: String,
}

impl ArticleForm {
    fn parse(&self) -> Result<ArticleInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = errors.take("title", Line::parse(&self.title, "a title", 200));
        let body = errors.take(
            "body",
            parse_required_note(&self.body, 20_000, "Write the article."),
        );
        let category = errors.take(
            "category_id",
            parse_optional_id(&self.category_id, "a category"),
        );
        match (title, body, category) {
            (Some(title), Some(body), Some(category)) => Ok(ArticleInput {
                title: title.into_string(),
                body,
                category: category.map(CategoryId),
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Template)]
#[template(path = "kb/form.html")]
struct FormPage {
    ctx: Ctx,
    editing: Option<i64>,
    form: ArticleForm,
    categories: Vec<(String, String)>,
    errors: FieldErrors,
}

async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    editing: Option<i64>,
    form: ArticleForm,
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
        ArticleForm::default(),
        FieldErrors::new(),
    )
    .await?;
    render(&page)
}

pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    form: web::Form<ArticleForm>,
) -> AppResult<HttpResponse> {
    check_writer(&user)?;
    let form = form.into_inner();
    let input = match form.parse() {
        Ok(input) => input,
        Err(errors) => return invalid(&form_page(&state, &user, None, form, errors).await?),
    };
    let (actor, now) = (user.id(), state.clock.now());
    let id = db::run(&state.pool, move |conn| {
        kb_edit::create(conn, actor, &input, now)
    })
    .await?;
    flash(&user.session, FlashKind::Success, "Article published.");
    Ok(redirect(&format!("/kb/{id}")))
}

pub async fn edit_form(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    check_writer(&user)?;
    let id = KbArticleId(path.into_inner());
    let article = db::run(&state.pool, move |conn| kb::kb_article(conn, id)).await?;
    let form = ArticleForm {
        version: article.version.to_string(),
        title: article.title,
        body: article.body,
        category_id: article
            .category_id
            .map(|c| c.to_string())
            .unwrap_or_default(),
    };
    let page = form_page(&state, &user, Some(id.0), form, FieldErrors::new()).await?;
    render(&page)
}

pub async fn update(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<ArticleForm>,
) -> AppResult<HttpResponse> {
    check_writer(&user)?;
    let id = KbArticleId(path.into_inner());
    let form = form.into_inner();
    let (input, version) = match with_version(form.parse(), &form.version) {
        Ok(parsed) => parsed,
        Err(errors) => {
            return invalid(&form_page(&state, &user, Some(id.0), form, errors).await?);
        }
    };
    let (actor, now) = (user.id(), state.clock.now());
    let saved = db::run(&state.pool, move |conn| {
        kb_edit::update(conn, actor, id, version, &input, now)
    })
    .await;
    let (subject, back) = (format!("Article {id}"), format!("/kb/{id}"));
    let to = Saved {
        back: &back,
        done: "Article saved as a new version.",
        subject: &subject,
        back_label: "Open the article as it is now",
    };
    answer(&user, saved, to, form.body)
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
    let id = KbArticleId(path.into_inner());
    let version = parse_version(&form.version).map_err(AppError::Conflict)?;
    let (actor, now) = (user.id(), state.clock.now());
    db::run(&state.pool, move |conn| {
        kb_edit::retire(conn, actor, id, version, now)
    })
    .await?;
    flash(
        &user.session,
        FlashKind::Success,
        "Article retired: it no longer shows in the search.",
    );
    Ok(redirect(&format!("/kb/{id}")))
}
