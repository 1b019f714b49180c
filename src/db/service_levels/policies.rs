//! SLA policies: response and resolution targets per priority, one table for incidents and one
//! for service requests, and when "due soon" starts.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::{PolicySummary, owned_by, with_client_counts};
use crate::db::schema::{clients, sla_policies, sla_targets};
use crate::db::stale::{ensure_current, stale};
use crate::db::{DbConn, audit, write_tx};
use crate::domain::ids::{PolicyId, UserId};
use crate::domain::inputs::{FieldErrors, format_minutes};
use crate::domain::priority::Priority;
use crate::domain::sla::{ClockMode, SlaTargets, Target};
use crate::domain::ticket::Kind;
use crate::error::{AppError, AppResult};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = sla_policies)]
pub struct PolicyRow {
    pub id: i64,
    pub name: String,
    pub due_soon_percent: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = sla_targets)]
pub struct TargetRow {
    pub id: i64,
    pub policy_id: i64,
    pub priority: String,
    pub response_minutes: i32,
    pub resolution_minutes: i32,
    pub clock_mode: String,
    /// Which table the row belongs to: the ticket kind it measures.
    pub kind: String,
}

#[derive(Clone, Debug)]
pub struct PolicyRecord {
    pub row: PolicyRow,
    pub targets: Vec<TargetRow>,
}

impl PolicyRecord {
    /// The incident targets: what the calendar and client previews show.
    pub fn sla_targets(&self) -> AppResult<SlaTargets> {
        self.targets_for(Kind::Incident)
    }

    /// The table that measures tickets of `kind`. A priority without a stored target is a
    /// broken record: reported, never guessed (nor borrowed from the other table).
    pub fn targets_for(&self, kind: Kind) -> AppResult<SlaTargets> {
        let mut targets = SlaTargets::blueprint_default();
        for priority in Priority::ALL {
            let row = self
                .targets
                .iter()
                .find(|t| t.kind == kind.as_str() && t.priority == priority.as_str())
                .ok_or_else(|| {
                    AppError::internal(format!(
                        "policy {} has no {} {} target",
                        self.row.id,
                        kind.as_str(),
                        priority.as_str()
                    ))
                })?;
            let mode = ClockMode::parse(&row.clock_mode).map_err(AppError::internal)?;
            targets = targets.with(
                priority,
                Target {
                    response: chrono::Duration::minutes(i64::from(row.response_minutes)),
                    resolution: chrono::Duration::minutes(i64::from(row.resolution_minutes)),
                    mode,
                },
            );
        }
        Ok(targets)
    }

    /// How much counted time left makes a clock with this `target` "due soon".
    pub fn due_soon(&self, target: chrono::Duration) -> chrono::Duration {
        crate::domain::sla::due_soon_within(target, self.row.due_soon_percent)
    }
}

pub fn list_policies(conn: &mut DbConn) -> AppResult<Vec<PolicySummary>> {
    let rows: Vec<PolicyRow> = sla_policies::table
        .order(sla_policies::name.asc())
        .select(PolicyRow::as_select())
        .load(conn)?;
    let targets: Vec<TargetRow> = sla_targets::table
        .order(sla_targets::priority)
        .select(TargetRow::as_select())
        .load(conn)?;
    let records = rows
        .into_iter()
        .map(|row| PolicyRecord {
            targets: owned_by(&targets, row.id, |t| t.policy_id),
            row,
        })
        .collect();
    with_client_counts(
        conn,
        records,
        |r| r.row.id,
        |conn| {
            clients::table
                .group_by(clients::sla_policy_id)
                .select((clients::sla_policy_id, count_star()))
                .load(conn)
        },
    )
}

pub fn load_policy(conn: &mut DbConn, id: PolicyId) -> AppResult<PolicyRecord> {
    let row = sla_policies::table
        .find(id.0)
        .select(PolicyRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let targets = sla_targets::table
        .filter(sla_targets::policy_id.eq(id.0))
        .order(sla_targets::priority)
        .select(TargetRow::as_select())
        .load(conn)?;
    Ok(PolicyRecord { row, targets })
}

#[derive(Clone, Debug)]
pub struct PolicyInput {
    pub name: String,
    /// The share of each target, in percent, that counts as "due soon".
    pub due_soon_percent: i32,
    /// The incident targets.
    pub targets: SlaTargets,
    /// The service request targets.
    pub request_targets: SlaTargets,
}

impl PolicyInput {
    pub fn targets_for(&self, kind: Kind) -> &SlaTargets {
        match kind {
            Kind::Incident => &self.targets,
            Kind::ServiceRequest => &self.request_targets,
        }
    }
}

fn minutes(d: chrono::Duration) -> i32 {
    i32::try_from(d.num_minutes()).unwrap_or(i32::MAX)
}

fn replace_targets(conn: &mut DbConn, id: PolicyId, input: &PolicyInput) -> AppResult<()> {
    diesel::delete(sla_targets::table.filter(sla_targets::policy_id.eq(id.0))).execute(conn)?;
    for (kind, priority) in Kind::ALL
        .into_iter()
        .flat_map(|k| Priority::ALL.map(|p| (k, p)))
    {
        let target = input.targets_for(kind).target(priority);
        diesel::insert_into(sla_targets::table)
            .values((
                sla_targets::policy_id.eq(id.0),
                sla_targets::kind.eq(kind.as_str()),
                sla_targets::priority.eq(priority.as_str()),
                sla_targets::response_minutes.eq(minutes(target.response)),
                sla_targets::resolution_minutes.eq(minutes(target.resolution)),
                sla_targets::clock_mode.eq(target.mode.as_str()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn describe_targets(targets: &SlaTargets) -> String {
    Priority::ALL
        .iter()
        .map(|p| {
            let t = targets.target(*p);
            format!(
                "{} {} / {} ({})",
                p.as_str(),
                format_minutes(t.response.num_minutes()),
                format_minutes(t.resolution.num_minutes()),
                t.mode.label()
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn policy_name_taken(
    conn: &mut DbConn,
    name: &str,
    except: Option<PolicyId>,
) -> AppResult<Option<FieldErrors>> {
    let other: Option<i64> = sla_policies::table
        .filter(sla_policies::name.eq(name))
        .select(sla_policies::id)
        .first(conn)
        .optional()?;
    Ok(other
        .filter(|id| Some(PolicyId(*id)) != except)
        .map(|_| FieldErrors::single("name", "Another SLA policy has this name.")))
}

#[tracing::instrument(skip_all)]
pub fn create_policy(
    conn: &mut DbConn,
    actor: UserId,
    input: &PolicyInput,
    now: DateTime<Utc>,
) -> AppResult<Result<PolicyRow, FieldErrors>> {
    write_tx(conn, |conn| {
        if let Some(errors) = policy_name_taken(conn, &input.name, None)? {
            return Ok(Err(errors));
        }
        let now = now.naive_utc();
        let row = diesel::insert_into(sla_policies::table)
            .values((
                sla_policies::name.eq(&input.name),
                sla_policies::due_soon_percent.eq(input.due_soon_percent),
                sla_policies::created_at.eq(now),
                sla_policies::updated_at.eq(now),
            ))
            .returning(sla_policies::all_columns)
            .get_result::<PolicyRow>(conn)?;
        replace_targets(conn, PolicyId(row.id), input)?;
        audit::record(
            conn,
            Some(actor),
            audit::Entity::SlaPolicy,
            row.id,
            "created",
            &format!(
                "{}: {}; service requests: {}",
                row.name,
                describe_targets(&input.targets),
                describe_targets(&input.request_targets)
            ),
            now,
        )?;
        Ok(Ok(row))
    })
}

#[tracing::instrument(skip_all, fields(policy_id = %id))]
pub fn update_policy(
    conn: &mut DbConn,
    actor: UserId,
    id: PolicyId,
    input: &PolicyInput,
    expected_version: i64,
    now: DateTime<Utc>,
) -> AppResult<Result<PolicyRow, FieldErrors>> {
    write_tx(conn, |conn| {
        let before = load_policy(conn, id)?;
        ensure_current(before.row.version, expected_version, "policy")?;
        if let Some(errors) = policy_name_taken(conn, &input.name, Some(id))? {
            return Ok(Err(errors));
        }
        let now = now.naive_utc();
        let row = diesel::update(
            sla_policies::table
                .find(id.0)
                .filter(sla_policies::version.eq(expected_version)),
        )
        .set((
            sla_policies::version.eq(expected_version + 1),
            sla_policies::name.eq(&input.name),
            sla_policies::due_soon_percent.eq(input.due_soon_percent),
            sla_policies::updated_at.eq(now),
        ))
        .returning(sla_policies::all_columns)
        .get_result::<PolicyRow>(conn)
        .optional()?
        .ok_or_else(|| stale("policy"))?;
        replace_targets(conn, id, input)?;
        let mut changes = audit::Changes::default();
        changes.value("name", &before.row.name, &row.name);
        changes.value(
            "due soon",
            &format!("{} %", before.row.due_soon_percent),
            &format!("{} %", row.due_soon_percent),
        );
        let (old, new) = (
            describe_targets(&before.sla_targets()?),
            describe_targets(&input.targets),
        );
        changes.value("targets", &old, &new);
        let (old, new) = (
            describe_targets(&before.targets_for(Kind::ServiceRequest)?),
            describe_targets(&input.request_targets),
        );
        changes.value("service request targets", &old, &new);
        changes.record(conn, actor, audit::Entity::SlaPolicy, id.0, now)?;
        Ok(Ok(row))
    })
}
