//! Password guesses, counted in the database so that every instance behind a load balancer
//! sees the same count.
//!
//! An attempt is counted before its password is checked: one transaction reads the recent
//! failures, refuses at the limit, and otherwise records this attempt as a failure in advance.
//! A burst of simultaneous guesses therefore meets the limit one by one instead of all reading
//! the same count, and a correct password takes its reservation back afterwards.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Text;

use super::schema::login_failures;
use super::{DbConn, write_tx};
use crate::domain::throttle::{ThrottlePolicy, Verdict, assess};
use crate::error::AppResult;

/// Longer keys are cut: an address typed 3,000 characters long must not become an index entry
/// PostgreSQL refuses.
const MAX_KEY_CHARS: usize = 300;

fn capped(kind: &str, value: &str) -> String {
    let value: String = value.chars().take(MAX_KEY_CHARS).collect();
    format!("{kind}:{value}")
}

pub fn account_key(email: &str) -> String {
    capped("account", &email.trim().to_lowercase())
}

pub fn address_key(address: &str) -> String {
    capped("address", address)
}

/// The password page's check of the current password, counted per account apart from sign-in.
pub fn password_page_key(user_id: i64) -> String {
    format!("password-page:{user_id}")
}

/// An attempt counted in advance; `succeeded` takes it back.
#[must_use]
pub struct Reservation {
    failure_ids: Vec<i64>,
}

fn recent_verdict(
    conn: &mut DbConn,
    key: &str,
    policy: &ThrottlePolicy,
    now: DateTime<Utc>,
) -> AppResult<Verdict> {
    let since = (now - policy.lookback()).naive_utc();
    let recent: Vec<NaiveDateTime> = login_failures::table
        .filter(login_failures::throttle_key.eq(key))
        .filter(login_failures::failed_at.gt(since))
        .order(login_failures::failed_at.desc())
        .limit(i64::try_from(policy.relevant_failures()).unwrap_or(i64::MAX))
        .select(login_failures::failed_at)
        .load(conn)?;
    let recent: Vec<_> = recent.into_iter().map(|t| t.and_utc()).collect();
    Ok(assess(policy, &recent, now))
}

/// PostgreSQL's default isolation lets two transactions read the same count; a transaction
/// lock per key makes them take turns. SQLite's BEGIN IMMEDIATE already does.
fn take_turns(conn: &mut DbConn, keys: &[(&str, &ThrottlePolicy)]) -> AppResult<()> {
    if let DbConn::Postgres(pg) = conn {
        let mut names: Vec<&str> = keys.iter().map(|(key, _)| *key).collect();
        names.sort_unstable();
        for name in names {
            diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind::<Text, _>(name)
                .execute(pg)?;
        }
    }
    Ok(())
}

/// Counts one attempt against every key, or refuses with the stricter verdict when any key is
/// at its limit (nothing is recorded then). Failures older than a day are forgotten here.
pub fn reserve(
    conn: &mut DbConn,
    keys: &[(&str, &ThrottlePolicy)],
    now: DateTime<Utc>,
) -> AppResult<Result<Reservation, Verdict>> {
    write_tx(conn, |conn| {
        take_turns(conn, keys)?;
        let mut verdict = Verdict::Allowed;
        for (key, policy) in keys {
            verdict = verdict.stricter(recent_verdict(conn, key, policy, now)?);
        }
        if verdict != Verdict::Allowed {
            return Ok(Err(verdict));
        }
        let at = now.naive_utc();
        let mut failure_ids = Vec::with_capacity(keys.len());
        for (key, _) in keys {
            let id = diesel::insert_into(login_failures::table)
                .values((
                    login_failures::throttle_key.eq(*key),
                    login_failures::failed_at.eq(at),
                ))
                .returning(login_failures::id)
                .get_result::<i64>(conn)?;
            failure_ids.push(id);
        }
        diesel::delete(
            login_failures::table.filter(login_failures::failed_at.lt(at - Duration::days(1))),
        )
        .execute(conn)?;
        Ok(Ok(Reservation { failure_ids }))
    })
}

/// The password was right: the attempt's reserved failures are taken back, and the failures
/// of `forgiven` (the account's own key) are forgotten, as after any successful sign-in.
pub fn succeeded(conn: &mut DbConn, reservation: Reservation, forgiven: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        diesel::delete(
            login_failures::table.filter(login_failures::id.eq_any(&reservation.failure_ids)),
        )
        .execute(conn)?;
        diesel::delete(login_failures::table.filter(login_failures::throttle_key.eq(forgiven)))
            .execute(conn)?;
        Ok(())
    })
}
