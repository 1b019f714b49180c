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
    Category,
    KnownError,
    KbArticle,
    RiskSettings,
    RiskTemplate,
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
            Entity::Category => "category",
            Entity::KnownError => "known_error",
            Entity::KbArticle => "kb_article",
            Entity::RiskSettings => "risk_settings",
            Entity::RiskTemplate => "risk_template",
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

/// What an edit changed, in the trail's words: "what: before → after" parts joined by "; ".
/// The edit commands of every admin page build their "updated" entry with it, so the entries
/// read alike and an edit that changed nothing leaves no entry.
#[derive(Debug, Default)]
pub struct Changes(Vec<String>);

impl Changes {
    /// "what: before → after", when the value changed.
    pub fn value<T: PartialEq + std::fmt::Display + ?Sized>(
        &mut self,
        what: &str,
        before: &T,
        after: &T,
    ) {
        if before != after {
            self.0.push(format!("{what}: {before} → {after}"));
        }
    }

    /// A fixed phrase, for a change whose old and new text is too long or too secret to copy.
    pub fn note(&mut self, changed: bool, phrase: &str) {
        if changed {
            self.0.push(phrase.to_string());
        }
    }

    /// "reactivated" or "deactivated", when the active flag flipped.
    pub fn active(&mut self, before: bool, after: bool) {
        if before != after {
            self.note(true, if after { "reactivated" } else { "deactivated" });
        }
    }

    /// Records the "updated" entry inside the caller's transaction, unless nothing changed.
    pub fn record(
        self,
        conn: &mut DbConn,
        actor: UserId,
        entity: Entity,
        entity_id: i64,
        at: NaiveDateTime,
    ) -> AppResult<()> {
        if self.0.is_empty() {
            return Ok(());
        }
        record(
            conn,
            Some(actor),
            entity,
            entity_id,
            "updated",
            &self.0.join("; "),
            at,
        )
    }
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

#[cfg(test)]
mod tests {
    use super::Changes;

    #[test]
    fn changes_name_only_what_moved_in_the_trails_words() {
        let mut changes = Changes::default();
        changes.value("name", "Acme", "Acme Ltd");
        changes.value("code", "ACME", "ACME");
        changes.note(true, "notes changed");
        changes.note(false, "SLA policy changed");
        changes.active(true, false);
        changes.active(false, false);
        assert_eq!(
            changes.0,
            ["name: Acme → Acme Ltd", "notes changed", "deactivated"]
        );
    }

    #[test]
    fn an_edit_that_changed_nothing_has_no_parts() {
        let mut changes = Changes::default();
        changes.value("e-mail", "a@example.com", "a@example.com");
        changes.active(true, true);
        assert!(changes.0.is_empty());
    }
}
