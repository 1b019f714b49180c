//! Admin pages for staff accounts.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::absences::days;
use super::extract::Admin;
use super::forms::{Saved, checkbox, invalid, submit, versioned};
use super::page::{Ctx, FlashKind, flash, redirect, render};
use super::user_access::{AccessLine, access_lines};
use crate::db::users::{UserProfile, UserRow};
use crate::db::{self, audit};
use crate::domain::account::{Role, Tier, check_role_and_tier};
use crate::domain::ids::UserId;
use crate::domain::inputs::{EmailAddress, FieldErrors, Line, parse_skills, parse_time_zone};
use crate::error::{AppError, AppResult};
use crate::format::{format_time, iso_time};
use crate::security;
use crate::state::AppState;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct UserForm {
    version: String,
    email: String,
    display_name: String,
    role: String,
    tier: String,
    skills: String,
    time_zone: String,
    active: Option<String>,
}

impl UserForm {
    fn from_row(row: &UserRow) -> Self {
        Self {
            version: row.version.to_string(),
            email: row.email.clone(),
            display_name: row.display_name.clone(),
            role: row.role.clone(),
            tier: row.tier.clone().unwrap_or_default(),
            skills: row.skills.clone(),
            time_zone: row.time_zone.clone(),
            active: row.active.then(|| "on".into()),
        }
    }

    fn parse(&self) -> Result<UserProfile, FieldErrors> {
        let mut errors = FieldErrors::new();
        let email = errors.take("email", EmailAddress::parse(&self.email));
        let display_name = errors.take(
            "display_name",
            Line::parse(&self.display_name, "a name", 80),
        );
        let role = errors.take("role", Role::parse(&self.role));
        let tier = if self.tier.trim().is_empty() {
            Some(None)
        } else {
            errors.take("tier", Tier::parse(&self.tier).map(Some))
        };
        if let (Some(role), Some(tier)) = (role, tier) {
            errors.take("tier", check_role_and_tier(role, tier));
        }
        let skills = errors.take("skills", parse_skills(&self.skills));
        let zone = if self.time_zone.trim().is_empty() {
            Some(chrono_tz::UTC)
        } else {
            errors.take("time_zone", parse_time_zone(&self.time_zone))
        };
        match (email, display_name, role, tier, skills, zone) {
            (Some(email), Some(name), Some(role), Some(tier), Some(skills), Some(time_zone))
                if errors.is_empty() =>
            {
                Ok(UserProfile {
                    email,
                    display_name: name.into_string(),
                    role,
                    tier,
                    skills,
                    time_zone,
                })
            }
            _ => Err(errors),
        }
    }
}

pub struct UserListItem {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub tier: &'static str,
    pub skills: String,
    pub active: bool,
    pub must_change_password: bool,
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct UserListPage {
    ctx: Ctx,
    users: Vec<UserListItem>,
}

pub async fn list(state: web::Data<AppState>, admin: Admin) -> AppResult<HttpResponse> {
    let rows = db::run(&state.pool, db::users::list).await?;
    let users = rows
        .iter()
        .map(|u| UserListItem {
            id: u.id,
            name: u.display_name.clone(),
            email: u.email.clone(),
            role: u.role().label(),
            tier: u.tier().map(Tier::label).unwrap_or("—"),
            skills: u.skills.clone(),
            active: u.active,
            must_change_password: u.must_change_password,
        })
        .collect();
    render(&UserListPage {
        ctx: admin.0.ctx(),
        users,
    })
}

pub struct HistoryItem {
    pub when: String,
    pub when_iso: String,
    pub who: String,
    pub action: String,
    pub detail: String,
}

pub fn history_items(entries: Vec<audit::AuditEntry>, zone: chrono_tz::Tz) -> Vec<HistoryItem> {
    entries
        .into_iter()
        .map(|e| HistoryItem {
            when: format_time(e.created_at, zone),
            when_iso: iso_time(e.created_at),
            who: e.actor_name.unwrap_or_else(|| "the system".into()),
            action: e.action,
            detail: e.detail,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "users/form.html")]
struct UserFormPage {
    ctx: Ctx,
    editing: Option<i64>,
    form: UserForm,
    errors: FieldErrors,
    roles: [Role; 3],
    tiers: [Tier; 4],
    history: Vec<HistoryItem>,
    /// The person's access to clients and systems (editing only).
    access: Vec<AccessLine>,
    /// Their planned absences not over yet (editing only).
    absences: Vec<(String, String)>,
    /// Access and absences were read: the edit page, not a profile form sent back with errors
    /// (which shows only what is being corrected).
    people_loaded: bool,
}

impl UserFormPage {
    /// An admin's own page: their password changes on the password page, not here.
    fn editing_self(&self) -> bool {
        self.editing.is_some() && self.editing == self.ctx.user.as_ref().map(|u| u.id)
    }
}

fn form_page(ctx: Ctx, editing: Option<i64>, form: UserForm, errors: FieldErrors) -> UserFormPage {
    UserFormPage {
        ctx,
        editing,
        form,
        errors,
        roles: Role::ALL,
        tiers: Tier::ALL,
        history: Vec::new(),
        access: Vec::new(),
        absences: Vec::new(),
        people_loaded: false,
    }
}

pub async fn new_form(admin: Admin) -> AppResult<HttpResponse> {
    let form = UserForm {
        role: Role::Technician.as_str().into(),
        tier: Tier::Tier1.as_str().into(),
        time_zone: admin.0.row.time_zone.clone(),
        active: Some("on".into()),
        ..UserForm::default()
    };
    render(&form_page(admin.0.ctx(), None, form, FieldErrors::new()))
}

pub async fn create(
    state: web::Data<AppState>,
    admin: Admin,
    form: web::Form<UserForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let profile = match form.parse() {
        Ok(p) => p,
        Err(errors) => {
            return invalid(&form_page(admin.0.ctx(), None, form, errors));
        }
    };
    let (password, hash) = one_time_password(&state).await?;
    let (actor, now) = (admin.0.id(), state.clock.now());
    submit(
        &state,
        &admin.0.session,
        Ok(profile),
        move |conn, profile| db::users::create(conn, Some(actor), &profile, &hash, true, now),
        |errors| form_page(admin.0.ctx(), None, form, errors),
        |row| Saved {
            flash: format!(
                "Account created for {} <{}>. One-time password: {password} — give it to them privately; they must choose their own at first sign-in.",
                row.display_name, row.email
            ),
            to: "/admin/users".into(),
        },
    )
    .await
}

/// A new one-time password and its hash; the hashing waits for a hashing slot.
async fn one_time_password(state: &AppState) -> AppResult<(String, String)> {
    let password = security::generate_one_time_password();
    let hash = {
        let password = password.clone();
        state
            .password_work(move || security::hash_password(&password))
            .await??
    };
    Ok((password, hash))
}

pub async fn edit_form(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = UserId(path.into_inner());
    let from = (state.clock.now() - chrono::Duration::days(1)).date_naive();
    let (row, history, grants, absences) = db::run(&state.pool, move |conn| {
        Ok((
            db::users::get(conn, id)?,
            audit::history(conn, audit::Entity::User, id.0, 50)?,
            db::access::grants_of(conn, id)?,
            db::absences::upcoming_of(conn, id, from)?,
        ))
    })
    .await?;
    let mut page = form_page(
        admin.0.ctx(),
        Some(row.id),
        UserForm::from_row(&row),
        FieldErrors::new(),
    );
    page.history = history_items(history, admin.0.zone());
    page.access = access_lines(grants);
    page.people_loaded = true;
    page.absences = absences
        .into_iter()
        .map(|a| (days(a.first_day, a.last_day), a.note))
        .collect();
    render(&page)
}

pub async fn update(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<i64>,
    form: web::Form<UserForm>,
) -> AppResult<HttpResponse> {
    let id = UserId(path.into_inner());
    let form = form.into_inner();
    let (actor, now, active) = (admin.0.id(), state.clock.now(), checkbox(&form.active));
    let parsed = versioned(form.parse(), &form.version);
    submit(
        &state,
        &admin.0.session,
        parsed,
        move |conn, (profile, version)| {
            db::users::update(conn, actor, id, &profile, active, version, now)
        },
        |errors| form_page(admin.0.ctx(), Some(id.0), form, errors),
        |row| Saved {
            flash: format!("Saved {}.", row.display_name),
            to: "/admin/users".into(),
        },
    )
    .await
}

pub async fn reset_password(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = UserId(path.into_inner());
    let actor = admin.0.id();
    if actor == id {
        return Err(AppError::ForbiddenBecause(
            "Change your own password on the password page, where your current password is asked for.".into(),
        ));
    }
    let (password, hash) = one_time_password(&state).await?;
    let now = state.clock.now();
    let row = db::run(&state.pool, move |conn| {
        db::users::reset_password(conn, actor, id, &hash, now)
    })
    .await?;
    flash(
        &admin.0.session,
        FlashKind::Success,
        format!(
            "New one-time password for {}: {password} — their other sessions were signed out and they must choose a new password at sign-in.",
            row.display_name
        ),
    );
    Ok(redirect(&format!("/admin/users/{}", row.id)))
}
