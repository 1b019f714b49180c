//! Technicians' access to clients and to the systems each client has (the blueprints'
//! assignment factor "access to technology and information"): granted on the technician's admin
//! page, read by the assignment ranking and the assign command, shown on the client page.
//!
//! Access is granted, never assumed: a row says the person may work for the client. So that a
//! desk keeps working as it grows, a new client starts with every active account's access and a
//! new account with every client's; an admin takes away what does not apply. A system a client
//! names starts with nobody's access, since permissions on it are handed out one by one.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::outcome::{Outcome, refuse};
use super::schema::{client_access, client_systems, clients, system_access, users};
use super::{DbConn, audit, is_unique_violation, write_tx};
use crate::domain::ids::{ClientId, SystemId, UserId};
use crate::domain::inputs::Line;
use crate::error::AppResult;

/// One system a client has, as an admin named it.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = client_systems)]
pub struct SystemRow {
    #[diesel(deserialize_as = i64)]
    pub id: SystemId,
    #[diesel(deserialize_as = i64)]
    pub client_id: ClientId,
    pub name: String,
    pub name_key: String,
}

/// A client's systems, by name.
pub fn systems_of(conn: &mut DbConn, client: ClientId) -> AppResult<Vec<SystemRow>> {
    Ok(client_systems::table
        .filter(client_systems::client_id.eq(client.0))
        .order(client_systems::name_key.asc())
        .select(SystemRow::as_select())
        .load(conn)?)
}

/// What the ranking needs about each person for one client: whether they may work for it, and
/// which of its systems they have access to.
pub struct ClientAccessFacts {
    pub systems: Vec<String>,
    pub with_access: HashSet<i64>,
    /// Per person, the names of the client's systems they have access to.
    pub system_access: HashMap<i64, HashSet<String>>,
}

pub fn access_facts(conn: &mut DbConn, client: ClientId) -> AppResult<ClientAccessFacts> {
    let systems = systems_of(conn, client)?;
    let with_access = client_access::table
        .filter(client_access::client_id.eq(client.0))
        .select(client_access::user_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    let names: HashMap<SystemId, &str> = systems.iter().map(|s| (s.id, s.name.as_str())).collect();
    let mut system_access: HashMap<i64, HashSet<String>> = HashMap::new();
    let granted: Vec<(i64, i64)> = system_access::table
        .filter(system_access::system_id.eq_any(systems.iter().map(|s| s.id.0)))
        .select((system_access::user_id, system_access::system_id))
        .load(conn)?;
    for (user, system) in granted {
        if let Some(name) = names.get(&SystemId(system)) {
            system_access
                .entry(user)
                .or_default()
                .insert((*name).to_string());
        }
    }
    Ok(ClientAccessFacts {
        systems: systems.into_iter().map(|s| s.name).collect(),
        with_access,
        system_access,
    })
}

/// The ones among `people` who have no access to `client`.
pub fn without_access(
    conn: &mut DbConn,
    client: ClientId,
    people: &[UserId],
) -> AppResult<Vec<UserId>> {
    let granted: HashSet<i64> = client_access::table
        .filter(client_access::client_id.eq(client.0))
        .filter(client_access::user_id.eq_any(people.iter().map(|p| p.0)))
        .select(client_access::user_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    Ok(people
        .iter()
        .copied()
        .filter(|p| !granted.contains(&p.0))
        .collect())
}

/// A new client: everyone active may work for it until an admin says otherwise.
pub(crate) fn grant_everyone(conn: &mut DbConn, client: ClientId) -> AppResult<()> {
    let staff: Vec<i64> = users::table
        .filter(users::active.eq(true))
        .select(users::id)
        .load(conn)?;
    // One row at a time: batch inserts are outside what both backends share.
    for user in staff {
        diesel::insert_into(client_access::table)
            .values((
                client_access::client_id.eq(client.0),
                client_access::user_id.eq(user),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A new account: it may work for every client until an admin says otherwise.
pub(crate) fn grant_every_client(conn: &mut DbConn, user: UserId) -> AppResult<()> {
    let all: Vec<i64> = clients::table.select(clients::id).load(conn)?;
    for client in all {
        diesel::insert_into(client_access::table)
            .values((
                client_access::client_id.eq(client),
                client_access::user_id.eq(user.0),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// One client as a person's access form shows it.
pub struct ClientGrant {
    pub client: ClientId,
    pub name: String,
    pub active: bool,
    pub granted: bool,
    /// The client's systems, each with whether the person has access to it.
    pub systems: Vec<(SystemId, String, bool)>,
}

/// Every client with the person's access to it and to its systems, active clients first.
pub fn grants_of(conn: &mut DbConn, user: UserId) -> AppResult<Vec<ClientGrant>> {
    let all: Vec<(i64, String, bool)> = clients::table
        .order((clients::active.desc(), clients::name_key.asc()))
        .select((clients::id, clients::name, clients::active))
        .load(conn)?;
    let granted: HashSet<i64> = client_access::table
        .filter(client_access::user_id.eq(user.0))
        .select(client_access::client_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    let systems: Vec<SystemRow> = client_systems::table
        .order(client_systems::name_key.asc())
        .select(SystemRow::as_select())
        .load(conn)?;
    let with_system: HashSet<i64> = system_access::table
        .filter(system_access::user_id.eq(user.0))
        .select(system_access::system_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    let mut by_client: HashMap<ClientId, Vec<(SystemId, String, bool)>> = HashMap::new();
    for s in systems {
        by_client.entry(s.client_id).or_default().push((
            s.id,
            s.name,
            with_system.contains(&s.id.0),
        ));
    }
    Ok(all
        .into_iter()
        .map(|(id, name, active)| ClientGrant {
            client: ClientId(id),
            name,
            active,
            granted: granted.contains(&id),
            systems: by_client.remove(&ClientId(id)).unwrap_or_default(),
        })
        .collect())
}

/// Sets a person's access to exactly these clients and systems. A system of a client they
/// have no access to is dropped: without the client, its systems mean nothing. Audited on the
/// person with what changed.
#[tracing::instrument(skip_all, fields(user_id = %user))]
pub fn set_access(
    conn: &mut DbConn,
    actor: UserId,
    user: UserId,
    clients_granted: &[ClientId],
    systems_granted: &[SystemId],
    now: DateTime<Utc>,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let before = grants_of(conn, user)?;
        let wanted: HashSet<ClientId> = clients_granted.iter().copied().collect();
        let wanted_systems: HashSet<SystemId> = systems_granted.iter().copied().collect();
        let mut changes = Vec::new();
        diesel::delete(client_access::table.filter(client_access::user_id.eq(user.0)))
            .execute(conn)?;
        diesel::delete(system_access::table.filter(system_access::user_id.eq(user.0)))
            .execute(conn)?;
        for grant in &before {
            let granted = wanted.contains(&grant.client);
            if granted {
                diesel::insert_into(client_access::table)
                    .values((
                        client_access::client_id.eq(grant.client.0),
                        client_access::user_id.eq(user.0),
                    ))
                    .execute(conn)?;
            }
            if granted != grant.granted {
                changes.push(format!(
                    "{} {}",
                    if granted { "granted" } else { "removed" },
                    grant.name
                ));
            }
            for (system, name, had) in &grant.systems {
                let has = granted && wanted_systems.contains(system);
                if has {
                    diesel::insert_into(system_access::table)
                        .values((
                            system_access::system_id.eq(system.0),
                            system_access::user_id.eq(user.0),
                        ))
                        .execute(conn)?;
                }
                if has != *had {
                    changes.push(format!(
                        "{} {} at {}",
                        if has { "granted" } else { "removed" },
                        name,
                        grant.name
                    ));
                }
            }
        }
        if !changes.is_empty() {
            audit::record(
                conn,
                Some(actor),
                audit::Entity::User,
                user.0,
                "access changed",
                &changes.join("; "),
                now.naive_utc(),
            )?;
        }
        Ok(())
    })
}

/// Names a system of a client; the name is unique per client, ignoring case.
#[tracing::instrument(skip_all, fields(client_id = %client))]
pub fn add_system(
    conn: &mut DbConn,
    actor: UserId,
    client: ClientId,
    name: &Line,
    now: DateTime<Utc>,
) -> Outcome<SystemRow> {
    write_tx(conn, |conn| {
        let name = name.as_str().trim();
        let inserted = diesel::insert_into(client_systems::table)
            .values((
                client_systems::client_id.eq(client.0),
                client_systems::name.eq(name),
                client_systems::name_key.eq(name.to_lowercase()),
            ))
            .returning(client_systems::all_columns)
            .get_result::<(i64, i64, String, String)>(conn);
        let (id, client_id, name, name_key) = match inserted {
            Ok(row) => row,
            Err(e) if is_unique_violation(&e) => {
                return refuse("system", "This client already has a system of that name.");
            }
            Err(e) => return Err(e.into()),
        };
        audit::record(
            conn,
            Some(actor),
            audit::Entity::Client,
            client.0,
            "system added",
            &name,
            now.naive_utc(),
        )?;
        Ok(Ok(SystemRow {
            id: SystemId(id),
            client_id: ClientId(client_id),
            name,
            name_key,
        }))
    })
}

/// Removes a system of a client, and everyone's access to it.
#[tracing::instrument(skip_all, fields(client_id = %client))]
pub fn remove_system(
    conn: &mut DbConn,
    actor: UserId,
    client: ClientId,
    system: SystemId,
    now: DateTime<Utc>,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let row: SystemRow = client_systems::table
            .find(system.0)
            .filter(client_systems::client_id.eq(client.0))
            .select(SystemRow::as_select())
            .first(conn)?;
        diesel::delete(system_access::table.filter(system_access::system_id.eq(system.0)))
            .execute(conn)?;
        diesel::delete(client_systems::table.find(system.0)).execute(conn)?;
        audit::record(
            conn,
            Some(actor),
            audit::Entity::Client,
            client.0,
            "system removed",
            &row.name,
            now.naive_utc(),
        )
    })
}

/// Who may work for a client, by name, with the client's systems each has access to: the
/// client page's read-only view of what admins grant on the staff pages.
pub fn staff_with_access(
    conn: &mut DbConn,
    client: ClientId,
) -> AppResult<Vec<(UserId, String, Vec<String>)>> {
    let facts = access_facts(conn, client)?;
    let staff: Vec<(i64, String)> = users::table
        .filter(users::active.eq(true))
        .filter(users::id.eq_any(facts.with_access.iter().copied()))
        .order(users::display_name.asc())
        .select((users::id, users::display_name))
        .load(conn)?;
    Ok(staff
        .into_iter()
        .map(|(id, name)| {
            let systems = facts
                .systems
                .iter()
                .filter(|s| facts.system_access.get(&id).is_some_and(|a| a.contains(*s)))
                .cloned()
                .collect();
            (UserId(id), name, systems)
        })
        .collect())
}
