//! Personal API tokens: issuing one (its secret shown once, its hash kept), listing, revoking,
//! and what each API request costs: find the live token of an active user, count the request
//! in the token's minute (on the token's window row), and touch its last-used time once a
//! minute at most.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::dsl::case_when;
use diesel::prelude::*;

use super::schema::{api_token_windows, api_tokens, users};
use super::{DbConn, audit, write_tx};
use crate::domain::api_token::{NewToken, Scope, last_used_stale_before, window_start};
use crate::domain::ids::UserId;
use crate::error::{AppError, AppResult};

/// Tokens start with this, so a secret scanner (or a person) recognises one.
const PREFIX: &str = "tdk_";

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub scope: String,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

/// A token as the account page lists it, with its holder's name.
#[derive(Clone, Debug)]
pub struct TokenView {
    pub token: TokenRow,
    pub holder: String,
}

/// Issues a token; the secret is returned once and only its hash is stored.
pub fn issue(
    conn: &mut DbConn,
    holder: UserId,
    new: &NewToken,
    now: DateTime<Utc>,
) -> AppResult<(TokenRow, String)> {
    let secret = format!("{PREFIX}{}", crate::security::random_token());
    let at = now.naive_utc();
    write_tx(conn, |conn| {
        let row = diesel::insert_into(api_tokens::table)
            .values((
                api_tokens::user_id.eq(holder.0),
                api_tokens::name.eq(&new.name),
                api_tokens::scope.eq(new.scope.as_str()),
                api_tokens::token_hash.eq(crate::security::token_hash(&secret)),
                api_tokens::created_at.eq(at),
                api_tokens::expires_at.eq(new.expires_at.map(|e| e.naive_utc())),
            ))
            .returning(api_tokens::id)
            .get_result::<i64>(conn)?;
        diesel::insert_into(api_token_windows::table)
            .values((
                api_token_windows::token_id.eq(row),
                api_token_windows::window_start.eq(window_start(now)),
                api_token_windows::requests.eq(0),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            Some(holder),
            audit::Entity::User,
            holder.0,
            "API token issued",
            &format!("'{}' ({})", new.name, new.scope.label()),
            at,
        )?;
        let token = get(conn, row)?;
        Ok((token, secret))
    })
}

pub fn get(conn: &mut DbConn, id: i64) -> AppResult<TokenRow> {
    api_tokens::table
        .find(id)
        .select(TokenRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The tokens of `holder`, or everyone's when `holder` is `None` (an admin's view), newest first.
pub fn list(conn: &mut DbConn, holder: Option<UserId>) -> AppResult<Vec<TokenView>> {
    let mut query = api_tokens::table
        .inner_join(users::table)
        .select((TokenRow::as_select(), users::display_name))
        .order(api_tokens::id.desc())
        .into_boxed();
    if let Some(holder) = holder {
        query = query.filter(api_tokens::user_id.eq(holder.0));
    }
    Ok(query
        .load::<(TokenRow, String)>(conn)?
        .into_iter()
        .map(|(token, holder)| TokenView { token, holder })
        .collect())
}

/// Revokes a token; a second revocation changes nothing.
pub fn revoke(conn: &mut DbConn, actor: UserId, id: i64, now: DateTime<Utc>) -> AppResult<()> {
    let at = now.naive_utc();
    write_tx(conn, |conn| {
        let token = get(conn, id)?;
        let revoked = diesel::update(
            api_tokens::table
                .find(id)
                .filter(api_tokens::revoked_at.is_null()),
        )
        .set((
            api_tokens::revoked_at.eq(Some(at)),
            api_tokens::revoked_by.eq(Some(actor.0)),
        ))
        .execute(conn)?;
        if revoked > 0 {
            audit::record(
                conn,
                Some(actor),
                audit::Entity::User,
                token.user_id,
                "API token revoked",
                &format!("'{}'", token.name),
                at,
            )?;
        }
        Ok(())
    })
}

/// Who is calling, as the request's token says.
#[derive(Clone, Copy, Debug)]
pub struct Caller {
    pub token_id: i64,
    pub user: UserId,
    pub scope: Scope,
    /// Requests counted in this minute's window, this one included.
    pub requests_this_minute: i64,
}

/// Finds the live token of an active user and counts this request in its minute. `None` for
/// an unknown, revoked or expired token, or a deactivated holder.
pub fn authenticate(
    conn: &mut DbConn,
    secret: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<Caller>> {
    let hash = crate::security::token_hash(secret);
    let at = now.naive_utc();
    let found: Option<(i64, i64, String, Option<NaiveDateTime>)> = api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(&hash))
        .filter(api_tokens::revoked_at.is_null())
        .filter(
            api_tokens::expires_at
                .is_null()
                .or(api_tokens::expires_at.gt(at)),
        )
        .filter(users::active.eq(true))
        .select((
            api_tokens::id,
            api_tokens::user_id,
            api_tokens::scope,
            api_tokens::last_used_at,
        ))
        .first(conn)
        .optional()?;
    let Some((token_id, user_id, scope, last_used)) = found else {
        return Ok(None);
    };
    let requests = write_tx(conn, |conn| {
        // The count is a throttle, not a record: losing the last few counts in a crash costs
        // nothing, while waiting for PostgreSQL's WAL flush kept the window's row locked
        // through the flush, and every request on the token queued behind the one before.
        if matches!(conn, DbConn::Postgres(_)) {
            conn.batch_execute("SET LOCAL synchronous_commit TO OFF")?;
        }
        count(conn, token_id, last_used, now)
    })?;
    Ok(Some(Caller {
        token_id,
        user: UserId(user_id),
        scope: Scope::parse(&scope).map_err(AppError::internal)?,
        requests_this_minute: requests,
    }))
}

/// Counts a request in the token's minute (the SET's right-hand sides read the row as it was,
/// on both databases, so the window test sees the old `window_start`), and records the
/// token's use when the last record is a minute old.
fn count(
    conn: &mut DbConn,
    token_id: i64,
    last_used: Option<NaiveDateTime>,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let window = window_start(now);
    let requests = diesel::update(api_token_windows::table.find(token_id))
        .set((
            api_token_windows::requests.eq(case_when(
                api_token_windows::window_start.eq(window),
                api_token_windows::requests + 1,
            )
            .otherwise(1_i64)),
            api_token_windows::window_start.eq(window),
        ))
        .returning(api_token_windows::requests)
        .get_result(conn)?;
    if last_used.is_none_or(|used| used < last_used_stale_before(now)) {
        diesel::update(api_tokens::table.find(token_id))
            .set(api_tokens::last_used_at.eq(now.naive_utc()))
            .execute(conn)?;
    }
    Ok(requests)
}
