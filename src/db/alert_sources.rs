//! The alert mappings the managers keep: which client (and which of its contacts) a monitoring
//! source and host belong to, how each severity maps to impact and urgency, whether a recovery
//! solves the ticket, and the flap window.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::outcome::{Outcome, refuse};
use super::schema::{alert_sources, clients, contacts};
use super::{DbConn, audit, write_tx};
use crate::domain::alert::{Handling, Severity, pattern_matches, specificity};
use crate::domain::ids::{ContactId, UserId};
use crate::domain::priority::{Impact, Urgency};
use crate::error::{AppError, AppResult};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = alert_sources)]
pub struct MappingRow {
    pub id: i64,
    pub source_pattern: String,
    pub host_pattern: String,
    pub client_id: i64,
    pub contact_id: i64,
    pub critical_impact: String,
    pub critical_urgency: String,
    pub warning_impact: String,
    pub warning_urgency: String,
    pub info_impact: String,
    pub info_urgency: String,
    pub solve_on_recovery: bool,
    pub flap_minutes: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl MappingRow {
    /// How an alert of `severity` under this mapping becomes a ticket.
    pub fn handling(&self, severity: Severity) -> AppResult<Handling> {
        let (impact, urgency) = match severity {
            Severity::Critical => (&self.critical_impact, &self.critical_urgency),
            Severity::Warning => (&self.warning_impact, &self.warning_urgency),
            Severity::Info => (&self.info_impact, &self.info_urgency),
        };
        Ok(Handling {
            impact: Impact::parse(impact).map_err(AppError::internal)?,
            urgency: Urgency::parse(urgency).map_err(AppError::internal)?,
            solve_on_recovery: self.solve_on_recovery,
            flap_window: Duration::minutes(i64::from(self.flap_minutes)),
        })
    }
}

/// A mapping as the form gives it, parsed.
#[derive(Clone, Debug)]
pub struct MappingInput {
    pub source_pattern: String,
    pub host_pattern: String,
    /// Alerts open tickets for this contact, and so for their client.
    pub contact: ContactId,
    /// Impact and urgency for critical, warning and info, in that order.
    pub levels: [(Impact, Urgency); 3],
    pub solve_on_recovery: bool,
    pub flap_minutes: i32,
}

/// The columns a mapping's form sets, as stored: what adding and editing both write.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = alert_sources)]
struct Stored<'a> {
    source_pattern: &'a str,
    host_pattern: &'a str,
    client_id: i64,
    contact_id: i64,
    critical_impact: &'static str,
    critical_urgency: &'static str,
    warning_impact: &'static str,
    warning_urgency: &'static str,
    info_impact: &'static str,
    info_urgency: &'static str,
    solve_on_recovery: bool,
    flap_minutes: i32,
    updated_at: NaiveDateTime,
}

impl<'a> Stored<'a> {
    fn of(input: &'a MappingInput, client_id: i64, at: NaiveDateTime) -> Self {
        let [critical, warning, info] = input.levels;
        Stored {
            source_pattern: &input.source_pattern,
            host_pattern: &input.host_pattern,
            client_id,
            contact_id: input.contact.0,
            critical_impact: critical.0.as_str(),
            critical_urgency: critical.1.as_str(),
            warning_impact: warning.0.as_str(),
            warning_urgency: warning.1.as_str(),
            info_impact: info.0.as_str(),
            info_urgency: info.1.as_str(),
            solve_on_recovery: input.solve_on_recovery,
            flap_minutes: input.flap_minutes,
            updated_at: at,
        }
    }
}

/// A mapping with the names the page shows.
pub struct MappingView {
    pub mapping: MappingRow,
    pub client_name: String,
    pub contact_name: String,
}

pub fn list(conn: &mut DbConn) -> AppResult<Vec<MappingView>> {
    Ok(alert_sources::table
        .inner_join(clients::table)
        .inner_join(contacts::table.on(contacts::id.eq(alert_sources::contact_id)))
        .order((clients::name.asc(), alert_sources::id.asc()))
        .select((MappingRow::as_select(), clients::name, contacts::name))
        .load::<(MappingRow, String, String)>(conn)?
        .into_iter()
        .map(|(mapping, client_name, contact_name)| MappingView {
            mapping,
            client_name,
            contact_name,
        })
        .collect())
}

pub fn create(
    conn: &mut DbConn,
    actor: UserId,
    input: &MappingInput,
    now: DateTime<Utc>,
) -> Outcome<MappingRow> {
    write_tx(conn, |conn| {
        let Some(contact) = live_contact(conn, input.contact)? else {
            return refuse("contact_id", "That contact is no longer on file.");
        };
        let at = now.naive_utc();
        let row = diesel::insert_into(alert_sources::table)
            .values((
                Stored::of(input, contact.client_id, at),
                alert_sources::created_at.eq(at),
            ))
            .returning(alert_sources::id)
            .get_result::<i64>(conn)?;
        audit::record(
            conn,
            Some(actor),
            audit::Entity::Client,
            contact.client_id,
            "alert mapping added",
            &format!(
                "source {} host {}; recovery solves: {}; flap window {} min",
                input.source_pattern,
                input.host_pattern,
                input.solve_on_recovery,
                input.flap_minutes
            ),
            at,
        )?;
        Ok(Ok(get(conn, row)?))
    })
}

/// Changes a mapping in place. Alerts already received keep the tickets they opened; the
/// next alert is handled as the mapping now says.
pub fn update(
    conn: &mut DbConn,
    actor: UserId,
    id: i64,
    input: &MappingInput,
    now: DateTime<Utc>,
) -> Outcome<MappingRow> {
    write_tx(conn, |conn| {
        let before = get(conn, id)?;
        let Some(contact) = live_contact(conn, input.contact)? else {
            return refuse("contact_id", "That contact is no longer on file.");
        };
        let at = now.naive_utc();
        diesel::update(alert_sources::table.find(id))
            .set(Stored::of(input, contact.client_id, at))
            .execute(conn)?;
        let after = get(conn, id)?;
        let detail = format!("{} → {}", describe(&before), describe(&after));
        audit::record(
            conn,
            Some(actor),
            audit::Entity::Client,
            after.client_id,
            "alert mapping changed",
            &detail,
            at,
        )?;
        if before.client_id != after.client_id {
            audit::record(
                conn,
                Some(actor),
                audit::Entity::Client,
                before.client_id,
                "alert mapping moved to another client",
                &detail,
                at,
            )?;
        }
        Ok(Ok(after))
    })
}

/// What the audit trail says of a mapping: enough to see what an edit changed.
fn describe(m: &MappingRow) -> String {
    format!(
        "source {} host {} for contact #{}; critical {}/{}, warning {}/{}, info {}/{}; \
         recovery solves: {}; flap window {} min",
        m.source_pattern,
        m.host_pattern,
        m.contact_id,
        m.critical_impact,
        m.critical_urgency,
        m.warning_impact,
        m.warning_urgency,
        m.info_impact,
        m.info_urgency,
        m.solve_on_recovery,
        m.flap_minutes
    )
}

fn live_contact(
    conn: &mut DbConn,
    id: ContactId,
) -> AppResult<Option<crate::db::clients::ContactRow>> {
    crate::db::clients::get_contact(conn, id)
        .map(Some)
        .or_else(|e| match e {
            AppError::NotFound => Ok(None),
            other => Err(other),
        })
}

pub fn get(conn: &mut DbConn, id: i64) -> AppResult<MappingRow> {
    alert_sources::table
        .find(id)
        .select(MappingRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

pub fn remove(conn: &mut DbConn, actor: UserId, id: i64, now: DateTime<Utc>) -> AppResult<()> {
    write_tx(conn, |conn| {
        let row = get(conn, id)?;
        diesel::delete(alert_sources::table.find(id)).execute(conn)?;
        audit::record(
            conn,
            Some(actor),
            audit::Entity::Client,
            row.client_id,
            "alert mapping removed",
            &format!("source {} host {}", row.source_pattern, row.host_pattern),
            now.naive_utc(),
        )
    })
}

/// Every mapping with its client's code: a transaction of alerts reads them once and picks
/// each alert's with `best_for`.
pub fn all_with_codes(conn: &mut DbConn) -> AppResult<Vec<(MappingRow, String)>> {
    Ok(alert_sources::table
        .inner_join(clients::table)
        .select((MappingRow::as_select(), clients::code))
        .load(conn)?)
}

/// The most precise mapping for a source and host, among the given client's when the alert
/// names one by its code.
pub fn best_for<'a>(
    mappings: &'a [(MappingRow, String)],
    source: &str,
    host: &str,
    client_code: Option<&str>,
) -> Option<&'a MappingRow> {
    let wanted_client = client_code.map(str::to_uppercase);
    mappings
        .iter()
        .filter(|(_, code)| wanted_client.as_ref().is_none_or(|wanted| wanted == code))
        .map(|(mapping, _)| mapping)
        .filter(|m| pattern_matches(&m.source_pattern, source))
        .filter(|m| pattern_matches(&m.host_pattern, host))
        .max_by_key(|m| {
            (
                specificity(&m.source_pattern, &m.host_pattern),
                std::cmp::Reverse(m.id),
            )
        })
}
