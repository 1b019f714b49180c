//! The admins' categories page: which categories are sensitive, so that a ticket in one asks
//! for a manager-approved change before it can be solved.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::extract::Admin;
use super::page::{Ctx, FlashKind, flash, redirect, render};
use crate::db::{self, categories};
use crate::error::AppResult;
use crate::state::AppState;

pub struct CategoryItem {
    pub id: i64,
    /// "Network › Wi-Fi" for a subcategory.
    pub name: String,
    pub active: bool,
    pub sensitive: bool,
}

#[derive(Template)]
#[template(path = "categories/index.html")]
struct CategoriesPage {
    ctx: Ctx,
    categories: Vec<CategoryItem>,
}

pub async fn index(state: web::Data<AppState>, admin: Admin) -> AppResult<HttpResponse> {
    let rows = db::run(&state.pool, categories::list_categories).await?;
    let name_of = |id: i64| {
        rows.iter()
            .find(|r| r.id == id)
            .map(|r| r.name.clone())
            .unwrap_or_default()
    };
    let mut items: Vec<CategoryItem> = rows
        .iter()
        .map(|r| CategoryItem {
            id: r.id,
            name: match r.parent_id {
                Some(parent) => format!("{} \u{203a} {}", name_of(parent), r.name),
                None => r.name.clone(),
            },
            active: r.active,
            sensitive: r.sensitive,
        })
        .collect();
    items.sort_by(|a, b| a.name.cmp(&b.name));
    render(&CategoriesPage {
        ctx: admin.0.ctx(),
        categories: items,
    })
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct SensitiveForm {
    /// "yes" to flag the category, anything else clears the flag.
    sensitive: String,
}

pub async fn set_sensitive(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<i64>,
    form: web::Form<SensitiveForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let sensitive = form.sensitive == "yes";
    let (actor, now) = (admin.0.id(), state.clock.now());
    db::run(&state.pool, move |conn| {
        categories::set_sensitive(conn, Some(actor), id, sensitive, now)
    })
    .await?;
    flash(
        &admin.0.session,
        FlashKind::Success,
        if sensitive {
            "Category marked sensitive: its tickets need an approved change before they are solved."
        } else {
            "Category no longer sensitive."
        },
    );
    Ok(redirect("/admin/categories"))
}
