//! Staff accounts.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::names::{Names, wanted};
use super::schema::{staff_sessions, users};
use super::stale::{ensure_current, stale};
use super::{DbConn, audit, is_unique_violation, write_tx};
use crate::domain::account::{Role, Tier};
use crate::domain::ids::UserId;
use crate::domain::inputs::{EmailAddress, FieldErrors};
use crate::error::{AppError, AppResult};

/// How long a one-time password (a new account's, or one an admin reset) can be used.
pub const ONE_TIME_PASSWORD_LIFETIME: chrono::Duration = chrono::Duration::hours(24);

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub tier: Option<String>,
    pub skills: String,
    pub time_zone: String,
    pub active: bool,
    pub away: bool,
    pub must_change_password: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// While `must_change_password`, the one-time password signs in only before this instant.
    pub one_time_password_expires_at: Option<NaiveDateTime>,
    /// Counts saves of the profile, so a stale form is noticed.
    pub version: i64,
}

impl UserRow {
    pub fn id(&self) -> UserId {
        UserId(self.id)
    }

    /// A role the code does not know is treated as the least privileged one.
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Technician)
    }

    pub fn tier(&self) -> Option<Tier> {
        self.tier.as_deref().and_then(|t| Tier::parse(t).ok())
    }

    pub fn zone(&self) -> chrono_tz::Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::UTC)
    }
}

#[derive(Insertable)]
#[diesel(table_name = users)]
struct NewUserRow<'a> {
    email: &'a str,
    display_name: &'a str,
    password_hash: &'a str,
    role: &'a str,
    tier: Option<&'a str>,
    skills: &'a str,
    time_zone: &'a str,
    active: bool,
    away: bool,
    must_change_password: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    one_time_password_expires_at: Option<NaiveDateTime>,
}

/// What an admin sets on an account (all parsed).
#[derive(Clone, Debug)]
pub struct UserProfile {
    pub email: EmailAddress,
    pub display_name: String,
    pub role: Role,
    pub tier: Option<Tier>,
    pub skills: String,
    pub time_zone: chrono_tz::Tz,
}

#[derive(AsChangeset)]
#[diesel(table_name = users)]
struct ProfileChanges<'a> {
    email: &'a str,
    display_name: &'a str,
    role: &'a str,
    tier: Option<Option<&'a str>>,
    skills: &'a str,
    time_zone: &'a str,
    active: bool,
    updated_at: NaiveDateTime,
    version: i64,
}

pub fn count(conn: &mut DbConn) -> AppResult<i64> {
    Ok(users::table.count().get_result(conn)?)
}

pub fn find(conn: &mut DbConn, id: UserId) -> AppResult<Option<UserRow>> {
    Ok(users::table
        .find(id.0)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn get(conn: &mut DbConn, id: UserId) -> AppResult<UserRow> {
    find(conn, id)?.ok_or(AppError::NotFound)
}

pub fn find_by_email(conn: &mut DbConn, email: &EmailAddress) -> AppResult<Option<UserRow>> {
    Ok(users::table
        .filter(users::email.eq(email.as_str()))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn list(conn: &mut DbConn) -> AppResult<Vec<UserRow>> {
    Ok(users::table
        .order((users::active.desc(), users::display_name.asc()))
        .select(UserRow::as_select())
        .load(conn)?)
}

fn email_taken() -> FieldErrors {
    FieldErrors::single("email", "Another account already uses this e-mail address.")
}

/// Creates an account. `must_change_password` is set for passwords someone else chose.
#[tracing::instrument(skip_all, fields(email = %profile.email))]
pub fn create(
    conn: &mut DbConn,
    actor: Option<UserId>,
    profile: &UserProfile,
    password_hash: &str,
    must_change_password: bool,
    now: DateTime<Utc>,
) -> AppResult<Result<UserRow, FieldErrors>> {
    write_tx(conn, |conn| {
        if find_by_email(conn, &profile.email)?.is_some() {
            return Ok(Err(email_taken()));
        }
        let now = now.naive_utc();
        let inserted = diesel::insert_into(users::table)
            .values(NewUserRow {
                email: profile.email.as_str(),
                display_name: &profile.display_name,
                password_hash,
                role: profile.role.as_str(),
                tier: profile.tier.map(Tier::as_str),
                skills: &profile.skills,
                time_zone: profile.time_zone.name(),
                active: true,
                away: false,
                must_change_password,
                created_at: now,
                updated_at: now,
                one_time_password_expires_at: must_change_password
                    .then(|| now + ONE_TIME_PASSWORD_LIFETIME),
            })
            .returning(users::all_columns)
            .get_result::<UserRow>(conn);
        let row = match inserted {
            Ok(row) => row,
            Err(e) if is_unique_violation(&e) => return Ok(Err(email_taken())),
            Err(e) => return Err(e.into()),
        };
        super::access::grant_every_client(conn, row.id())?;
        audit::record(
            conn,
            actor,
            audit::Entity::User,
            row.id,
            "created",
            &format!(
                "{} <{}> as {}{}",
                row.display_name,
                row.email,
                row.role().label(),
                row.tier().map(|t| format!(", {t}")).unwrap_or_default()
            ),
            now,
        )?;
        Ok(Ok(row))
    })
}

/// Changes an account's profile and active flag. Deactivating, or changing the role, ends the
/// account's sessions, so the change holds from the next request of every open browser.
#[tracing::instrument(skip_all, fields(user_id = %id))]
pub fn update(
    conn: &mut DbConn,
    actor: UserId,
    id: UserId,
    profile: &UserProfile,
    active: bool,
    expected_version: i64,
    now: DateTime<Utc>,
) -> AppResult<Result<UserRow, FieldErrors>> {
    write_tx(conn, |conn| {
        let before = get(conn, id)?;
        ensure_current(before.version, expected_version, "account")?;
        if actor == id && (!active || profile.role != before.role()) {
            return Ok(Err(FieldErrors::single(
                "role",
                "You cannot demote or deactivate your own account; ask another admin.",
            )));
        }
        if let Some(other) = find_by_email(conn, &profile.email)?
            && other.id != id.0
        {
            return Ok(Err(email_taken()));
        }
        let revoke = !active || profile.role != before.role();
        let changes = ProfileChanges {
            email: profile.email.as_str(),
            display_name: &profile.display_name,
            role: profile.role.as_str(),
            tier: Some(profile.tier.map(Tier::as_str)),
            skills: &profile.skills,
            time_zone: profile.time_zone.name(),
            active,
            updated_at: now.naive_utc(),
            version: before.version + 1,
        };
        if revoke {
            end_sessions(conn, id)?;
        }
        let after = match diesel::update(
            users::table
                .find(id.0)
                .filter(users::version.eq(expected_version)),
        )
        .set(&changes)
        .returning(users::all_columns)
        .get_result::<UserRow>(conn)
        {
            Ok(row) => row,
            Err(e) if is_unique_violation(&e) => return Ok(Err(email_taken())),
            Err(diesel::result::Error::NotFound) => return Err(stale("account")),
            Err(e) => return Err(e.into()),
        };
        describe_changes(&before, &after).record(
            conn,
            actor,
            audit::Entity::User,
            id.0,
            now.naive_utc(),
        )?;
        Ok(Ok(after))
    })
}

fn describe_changes(before: &UserRow, after: &UserRow) -> audit::Changes {
    let mut changes = audit::Changes::default();
    changes.value("e-mail", &before.email, &after.email);
    changes.value("name", &before.display_name, &after.display_name);
    changes.value("role", before.role().label(), after.role().label());
    let tier = |u: &UserRow| u.tier().map(|t| t.label()).unwrap_or("none");
    changes.value("tier", tier(before), tier(after));
    changes.value("skills", &before.skills, &after.skills);
    changes.value("time zone", &before.time_zone, &after.time_zone);
    let state = |u: &UserRow| if u.active { "active" } else { "deactivated" };
    changes.value("status", state(before), state(after));
    changes
}

/// Sets a new password and ends every session of the account; the caller signs the person
/// in again with a fresh session.
#[tracing::instrument(skip_all, fields(user_id = %id))]
pub fn set_password(
    conn: &mut DbConn,
    id: UserId,
    password_hash: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        end_sessions(conn, id)?;
        diesel::update(users::table.find(id.0))
            .set((
                users::password_hash.eq(password_hash),
                users::must_change_password.eq(false),
                users::one_time_password_expires_at.eq(None::<NaiveDateTime>),
                users::updated_at.eq(now.naive_utc()),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            Some(id),
            audit::Entity::User,
            id.0,
            "password changed",
            "",
            now.naive_utc(),
        )?;
        Ok(())
    })
}

/// Ends every session of the account ("sign out everywhere").
pub fn sign_out_everywhere(conn: &mut DbConn, id: UserId, now: DateTime<Utc>) -> AppResult<()> {
    write_tx(conn, |conn| {
        let ended = end_sessions(conn, id)?;
        audit::record(
            conn,
            Some(id),
            audit::Entity::User,
            id.0,
            "signed out everywhere",
            &format!("{ended} session(s) ended"),
            now.naive_utc(),
        )
    })
}

fn end_sessions(conn: &mut DbConn, id: UserId) -> AppResult<usize> {
    Ok(
        diesel::delete(staff_sessions::table.filter(staff_sessions::user_id.eq(id.0)))
            .execute(conn)?,
    )
}

/// An admin sets a one-time password: the account's sessions end and the owner must choose a
/// new password at the next sign-in.
#[tracing::instrument(skip_all, fields(user_id = %id))]
pub fn reset_password(
    conn: &mut DbConn,
    actor: UserId,
    id: UserId,
    password_hash: &str,
    now: DateTime<Utc>,
) -> AppResult<UserRow> {
    write_tx(conn, |conn| {
        end_sessions(conn, id)?;
        let row = diesel::update(users::table.find(id.0))
            .set((
                users::password_hash.eq(password_hash),
                users::must_change_password.eq(true),
                users::one_time_password_expires_at
                    .eq(Some(now.naive_utc() + ONE_TIME_PASSWORD_LIFETIME)),
                users::updated_at.eq(now.naive_utc()),
            ))
            .returning(users::all_columns)
            .get_result::<UserRow>(conn)?;
        audit::record(
            conn,
            Some(actor),
            audit::Entity::User,
            id.0,
            "password reset",
            "one-time password issued",
            now.naive_utc(),
        )?;
        Ok(row)
    })
}

/// The admin account created on a start that found no active admin.
#[derive(Clone, Debug)]
pub struct FirstAdmin {
    pub email: String,
    pub one_time_password: String,
}

/// Whether someone can still reach the admin pages: an admin account that is active.
pub fn active_admin_exists(conn: &mut DbConn) -> AppResult<bool> {
    let admins: i64 = users::table
        .filter(users::role.eq(Role::Admin.as_str()))
        .filter(users::active.eq(true))
        .count()
        .get_result(conn)?;
    Ok(admins > 0)
}

/// On a start with no active admin (an empty database, or only the demo staff), creates one
/// with a one-time password, so users, calendars and policies never end up out of reach.
/// Several instances may start at once: the unique e-mail lets only one of them win.
pub fn ensure_first_admin(
    conn: &mut DbConn,
    email: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<FirstAdmin>> {
    if active_admin_exists(conn).map_err(|e| anyhow::anyhow!("{e}"))? {
        return Ok(None);
    }
    let email = EmailAddress::parse(email).map_err(|e| anyhow::anyhow!(e))?;
    let password = crate::security::generate_one_time_password();
    let hash = crate::security::hash_password(&password)?;
    let profile = UserProfile {
        email: email.clone(),
        display_name: "Administrator".into(),
        role: Role::Admin,
        tier: None,
        skills: String::new(),
        time_zone: chrono_tz::UTC,
    };
    match create(conn, None, &profile, &hash, true, now).map_err(|e| anyhow::anyhow!("{e}"))? {
        Ok(_) => Ok(Some(FirstAdmin {
            email: email.to_string(),
            one_time_password: password,
        })),
        Err(_) => Ok(None),
    }
}

/// Marks a person away (holiday, sick, off site) or back; assignment ranks away people last.
pub fn set_away(conn: &mut DbConn, id: UserId, away: bool, now: DateTime<Utc>) -> AppResult<()> {
    write_tx(conn, |conn| {
        diesel::update(users::table.find(id.0))
            .set((users::away.eq(away), users::updated_at.eq(now.naive_utc())))
            .execute(conn)?;
        audit::record(
            conn,
            Some(id),
            audit::Entity::User,
            id.0,
            if away { "marked away" } else { "marked back" },
            "",
            now.naive_utc(),
        )
    })
}

/// The display names of the given users (unset ids are skipped), in one query.
pub fn names(conn: &mut DbConn, ids: &[Option<i64>]) -> AppResult<Names> {
    let ids = wanted(ids);
    // Most tickets have no escalation, approval or decision: no one to name, no query.
    if ids.is_empty() {
        return Ok(Names::default());
    }
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}
