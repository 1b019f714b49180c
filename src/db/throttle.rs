//! Sign-in failures, counted in the database so that every instance behind a load balancer
//! sees the same count.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::DbConn;
use super::schema::login_failures;
use crate::domain::throttle::{ThrottlePolicy, Verdict, assess};
use crate::error::AppResult;

pub fn account_key(email: &str) -> String {
    format!("account:{email}")
}

pub fn address_key(address: &str) -> String {
    format!("address:{address}")
}

pub fn verdict(
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

/// Records one failure for each key, and forgets what is older than a day.
pub fn record_failure(conn: &mut DbConn, keys: &[&str], now: DateTime<Utc>) -> AppResult<()> {
    let at = now.naive_utc();
    super::write_tx(conn, |conn| {
        for key in keys {
            diesel::insert_into(login_failures::table)
                .values((
                    login_failures::throttle_key.eq(*key),
                    login_failures::failed_at.eq(at),
                ))
                .execute(conn)?;
        }
        diesel::delete(
            login_failures::table.filter(login_failures::failed_at.lt(at - Duration::days(1))),
        )
        .execute(conn)?;
        Ok(())
    })
}

pub fn clear(conn: &mut DbConn, key: &str) -> AppResult<()> {
    diesel::delete(login_failures::table.filter(login_failures::throttle_key.eq(key)))
        .execute(conn)?;
    Ok(())
}
