//! Account managers per client: the people besides the service desk manager who may decide
//! with that client at the decision point (blueprints: "the decision point could also be an
//! account manager"). Admins name them on the client page.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::outcome::{Outcome, refuse};
use super::schema::{client_account_managers, users};
use super::{DbConn, audit, is_unique_violation, write_tx};
use crate::domain::ids::{ClientId, UserId};
use crate::error::AppResult;

/// A client's account managers (active accounts), by name.
pub fn of_client(conn: &mut DbConn, client: ClientId) -> AppResult<Vec<(UserId, String)>> {
    Ok(client_account_managers::table
        .inner_join(users::table)
        .filter(client_account_managers::client_id.eq(client.0))
        .filter(users::active.eq(true))
        .order(users::display_name.asc())
        .select((users::id, users::display_name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .map(|(id, name)| (UserId(id), name))
        .collect())
}

pub fn is_account_manager(conn: &mut DbConn, client: ClientId, user: UserId) -> AppResult<bool> {
    let found: i64 = client_account_managers::table
        .filter(client_account_managers::client_id.eq(client.0))
        .filter(client_account_managers::user_id.eq(user.0))
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}

#[tracing::instrument(skip_all, fields(client_id = %client, user_id = %user))]
pub fn add(
    conn: &mut DbConn,
    actor: UserId,
    client: ClientId,
    user: UserId,
    now: DateTime<Utc>,
) -> Outcome<()> {
    write_tx(conn, |conn| {
        let person = super::users::get(conn, user)?;
        if !person.active {
            return refuse("user_id", "Choose an active member of staff.");
        }
        let inserted = diesel::insert_into(client_account_managers::table)
            .values((
                client_account_managers::client_id.eq(client.0),
                client_account_managers::user_id.eq(user.0),
            ))
            .execute(conn);
        match inserted {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                return refuse(
                    "user_id",
                    format!(
                        "{} is already an account manager here.",
                        person.display_name
                    ),
                );
            }
            Err(e) => return Err(e.into()),
        }
        audit::record(
            conn,
            Some(actor),
            audit::Entity::Client,
            client.0,
            "account manager added",
            &person.display_name,
            now.naive_utc(),
        )?;
        Ok(Ok(()))
    })
}

#[tracing::instrument(skip_all, fields(client_id = %client, user_id = %user))]
pub fn remove(
    conn: &mut DbConn,
    actor: UserId,
    client: ClientId,
    user: UserId,
    now: DateTime<Utc>,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let person = super::users::get(conn, user)?;
        let removed = diesel::delete(
            client_account_managers::table
                .filter(client_account_managers::client_id.eq(client.0))
                .filter(client_account_managers::user_id.eq(user.0)),
        )
        .execute(conn)?;
        if removed > 0 {
            audit::record(
                conn,
                Some(actor),
                audit::Entity::Client,
                client.0,
                "account manager removed",
                &person.display_name,
                now.naive_utc(),
            )?;
        }
        Ok(())
    })
}
