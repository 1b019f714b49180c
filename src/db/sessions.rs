//! Signed-in sessions. The browser's cookie carries a random token; the table holds only its
//! hash, with the account and the times that decide whether the session still lives. Ending a
//! session deletes its row, which ends every copy of the cookie at once.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::schema::{staff_sessions, users};
use super::users::UserRow;
use super::{DbConn, write_tx};
use crate::domain::ids::UserId;
use crate::domain::session::{Liveness, SessionLimits, liveness};
use crate::error::AppResult;
use crate::security::{random_token, token_hash};

/// What the session token in a cookie turned out to be.
pub enum Lookup {
    Live(Box<UserRow>),
    /// Ended now by the idle timeout; the row is deleted.
    Idle,
    /// Ended now by its absolute lifetime; the row is deleted.
    Expired,
    /// Unknown: signed out, ended by a change to the account, or never there.
    Gone,
}

/// Starts a session for an account whose password was just verified, and returns the token
/// for its cookie. A one-time password is spent here, so it signs in only once. Also sweeps
/// away every session that has already ended, which keeps the table as small as the number of
/// people signed in.
pub fn sign_in(
    conn: &mut DbConn,
    user: UserId,
    limits: &SessionLimits,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let at = now.naive_utc();
    write_tx(conn, |conn| {
        diesel::update(
            users::table
                .find(user.0)
                .filter(users::must_change_password.eq(true)),
        )
        .set(users::one_time_password_expires_at.eq(Some(at)))
        .execute(conn)?;
        diesel::delete(
            staff_sessions::table.filter(
                staff_sessions::created_at
                    .le(at - limits.absolute)
                    .or(staff_sessions::last_seen_at.lt(at - limits.idle)),
            ),
        )
        .execute(conn)?;
        let token = random_token();
        diesel::insert_into(staff_sessions::table)
            .values((
                staff_sessions::token_hash.eq(token_hash(&token)),
                staff_sessions::user_id.eq(user.0),
                staff_sessions::created_at.eq(at),
                staff_sessions::last_seen_at.eq(at),
            ))
            .execute(conn)?;
        Ok(token)
    })
}

/// The account behind a cookie's token, if the session still lives. A live session's last
/// activity is written back at most once a minute; an ended one is deleted on sight.
pub fn lookup(
    conn: &mut DbConn,
    token: &str,
    limits: &SessionLimits,
    now: DateTime<Utc>,
) -> AppResult<Lookup> {
    let hash = token_hash(token);
    let found: Option<(NaiveDateTime, NaiveDateTime, UserRow)> = staff_sessions::table
        .inner_join(users::table)
        .filter(staff_sessions::token_hash.eq(&hash))
        .select((
            staff_sessions::created_at,
            staff_sessions::last_seen_at,
            UserRow::as_select(),
        ))
        .first(conn)
        .optional()?;
    let Some((created_at, last_seen_at, user)) = found else {
        return Ok(Lookup::Gone);
    };
    let this = staff_sessions::table.find(&hash);
    match liveness(limits, created_at.and_utc(), last_seen_at.and_utc(), now) {
        Liveness::Live { touch } if user.active => {
            if touch {
                diesel::update(this)
                    .set(staff_sessions::last_seen_at.eq(now.naive_utc()))
                    .execute(conn)?;
            }
            Ok(Lookup::Live(Box::new(user)))
        }
        Liveness::Live { .. } => {
            diesel::delete(this).execute(conn)?;
            Ok(Lookup::Gone)
        }
        Liveness::Idle => {
            diesel::delete(this).execute(conn)?;
            Ok(Lookup::Idle)
        }
        Liveness::Expired => {
            diesel::delete(this).execute(conn)?;
            Ok(Lookup::Expired)
        }
    }
}

/// Ends the one session whose cookie carries `token` (signing out).
pub fn end(conn: &mut DbConn, token: &str) -> AppResult<()> {
    diesel::delete(staff_sessions::table.find(token_hash(token))).execute(conn)?;
    Ok(())
}
