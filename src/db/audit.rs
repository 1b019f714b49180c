//! The audit trail: who changed what, when, from what to what.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::{audit_events, users};
use crate::domain::ids::UserId;
use crate::error::AppResult;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entity {
    User,
    Client,
    Contact,
    Calendar,
    SlaPolicy,
    PriorityMatrix,
    Mail,
    EscalationLevel,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::User => "user",
            Entity::Client => "client",
            Entity::Contact => "contact",
            Entity::Calendar => "calendar",
            Entity::SlaPolicy => "sla_policy",
            Entity::PriorityMatrix => "priority_matrix",
            Entity::Mail => "mail",
            Entity::EscalationLevel => "escalation_level",
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = audit_events)]
struct NewAuditEvent<'a> {
    actor_id: Option<i64>,
    entity: &'a str,
    entity_id: i64,
    action: &'a str,
    detail: &'a str,
    created_at: NaiveDateTime,
}

/// Call inside the transaction that makes the change, so the trail cannot miss one.
pub fn record(
    conn: &mut DbConn,
    actor: Option<UserId>,
    entity: Entity,
    entity_id: i64,
    action: &str,
    detail: &str,
    at: NaiveDateTime,
) -> AppResult<()> {
    diesel::insert_into(audit_events::table)
        .values(NewAuditEvent {
            actor_id: actor.map(|a| a.0),
            entity: entity.as_str(),
            entity_id,
            action,
            detail,
            created_at: at,
        })
        .execute(conn)?;
    Ok(())
}

#[derive(Clone, Debug, Queryable)]
pub struct AuditEntry {
    pub action: String,
    pub detail: String,
    pub created_at: NaiveDateTime,
    pub actor_name: Option<String>,
}

/// The history of one record, newest first, with the actor's name from one joined query.
pub fn history(
    conn: &mut DbConn,
    entity: Entity,
    entity_id: i64,
    limit: i64,
) -> AppResult<Vec<AuditEntry>> {
    Ok(audit_events::table
        .left_join(users::table)
        .filter(audit_events::entity.eq(entity.as_str()))
        .filter(audit_events::entity_id.eq(entity_id))
        .order((audit_events::created_at.desc(), audit_events::id.desc()))
        .limit(limit)
        .select((
            audit_events::action,
            audit_events::detail,
            audit_events::created_at,
            users::display_name.nullable(),
        ))
        .load(conn)?)
}
