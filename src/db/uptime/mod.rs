//! Hosted services with uptime guarantees: their terms, the manager's sign-off, and each month's
//! figure computed from the outages (`outages`).

pub mod outages;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;

use super::outcome::{Outcome, refuse};
use super::schema::{calendars, clients, hosted_services};
use super::{DbConn, audit, write_tx};
use crate::domain::ids::{ClientId, HostedServiceId, UserId};
use crate::domain::uptime::{self, EffectiveRule, Guarantee, Month, MonthFigure, Terms};
use crate::domain::uptime_input::ServiceInput;
use crate::error::{AppError, AppResult};

const AFTER_DAYS: &str = "after_days";
const AFTER_SIGN_OFF: &str = "after_sign_off";

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = hosted_services)]
pub struct ServiceRow {
    #[diesel(deserialize_as = i64)]
    pub id: HostedServiceId,
    pub client_id: i64,
    pub name: String,
    pub covers: String,
    pub guarantee_thousandths: i32,
    pub contract_start: NaiveDate,
    pub effective_rule: String,
    pub effective_after_days: Option<i32>,
    pub signed_off_on: Option<NaiveDate>,
    pub signed_off_by: Option<i64>,
    pub signed_off_at: Option<NaiveDateTime>,
    pub planned_counts: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

impl ServiceRow {
    pub fn guarantee(&self) -> AppResult<Guarantee> {
        u32::try_from(self.guarantee_thousandths)
            .ok()
            .and_then(|g| Guarantee::from_thousandths(g).ok())
            .ok_or_else(|| {
                AppError::internal(format!("service {} has a broken guarantee", self.id))
            })
    }

    pub fn rule(&self) -> EffectiveRule {
        if self.effective_rule == AFTER_SIGN_OFF {
            EffectiveRule::AfterSignOff(self.signed_off_on)
        } else {
            EffectiveRule::AfterDays(
                self.effective_after_days
                    .and_then(|d| u32::try_from(d).ok())
                    .unwrap_or(0),
            )
        }
    }

    pub fn effective_from(&self, tz: Tz) -> Option<DateTime<Utc>> {
        uptime::effective_from(tz, self.contract_start, self.rule())
    }

    pub fn terms(&self, tz: Tz) -> AppResult<Terms> {
        Ok(Terms {
            guarantee: self.guarantee()?,
            effective_from: self.effective_from(tz),
            planned_counts: self.planned_counts,
        })
    }

    pub fn awaits_sign_off(&self) -> bool {
        self.effective_rule == AFTER_SIGN_OFF && self.signed_off_on.is_none()
    }
}

/// The client's time zone (its business calendar's): the guarantee's months are its months.
pub fn client_zone(conn: &mut DbConn, client: ClientId) -> AppResult<Tz> {
    let zone: String = clients::table
        .inner_join(calendars::table)
        .filter(clients::id.eq(client.0))
        .select(calendars::time_zone)
        .first(conn)?;
    zone.parse()
        .map_err(|_| AppError::internal(format!("client {client} has an unknown zone {zone}")))
}

pub fn services_of(conn: &mut DbConn, client: ClientId) -> AppResult<Vec<ServiceRow>> {
    Ok(hosted_services::table
        .filter(hosted_services::client_id.eq(client.0))
        .order((hosted_services::name.asc(), hosted_services::id.asc()))
        .select(ServiceRow::as_select())
        .load(conn)?)
}

pub fn get(conn: &mut DbConn, id: HostedServiceId) -> AppResult<ServiceRow> {
    Ok(hosted_services::table
        .find(id.0)
        .select(ServiceRow::as_select())
        .first(conn)?)
}

fn rule_columns(rule: EffectiveRule) -> (&'static str, Option<i32>) {
    match rule {
        EffectiveRule::AfterDays(days) => (AFTER_DAYS, i32::try_from(days).ok()),
        EffectiveRule::AfterSignOff(_) => (AFTER_SIGN_OFF, None),
    }
}

fn describe(input: &ServiceInput) -> String {
    let rule = match input.rule {
        EffectiveRule::AfterDays(days) => {
            format!("applies {days} days after {}", input.contract_start)
        }
        EffectiveRule::AfterSignOff(_) => {
            "applies after the infrastructure upgrade is signed off".into()
        }
    };
    format!(
        "{}: {} guaranteed, {rule}",
        input.name,
        input.guarantee.label()
    )
}

/// Adds a hosted service to a client.
#[tracing::instrument(skip_all, fields(client_id = %client))]
pub fn create(
    conn: &mut DbConn,
    actor: UserId,
    client: ClientId,
    input: ServiceInput,
    now: DateTime<Utc>,
) -> Outcome<ServiceRow> {
    write_tx(conn, |conn| {
        let at = now.naive_utc();
        let (rule, days) = rule_columns(input.rule);
        let id: i64 = diesel::insert_into(hosted_services::table)
            .values((
                hosted_services::client_id.eq(client.0),
                hosted_services::name.eq(&input.name),
                hosted_services::covers.eq(&input.covers),
                hosted_services::guarantee_thousandths.eq(input.guarantee.thousandths() as i32),
                hosted_services::contract_start.eq(input.contract_start),
                hosted_services::effective_rule.eq(rule),
                hosted_services::effective_after_days.eq(days),
                hosted_services::planned_counts.eq(input.planned_counts),
                hosted_services::created_at.eq(at),
                hosted_services::updated_at.eq(at),
                hosted_services::version.eq(1),
            ))
            .returning(hosted_services::id)
            .get_result(conn)?;
        audit::record(
            conn,
            Some(actor),
            audit::Entity::Client,
            client.0,
            "hosted service added",
            &describe(&input),
            at,
        )?;
        Ok(Ok(get(conn, HostedServiceId(id))?))
    })
}

/// Changes a service's terms; `version` is the one the form was filled from.
#[tracing::instrument(skip_all, fields(service_id = %id))]
pub fn update(
    conn: &mut DbConn,
    actor: UserId,
    id: HostedServiceId,
    version: i64,
    input: ServiceInput,
    now: DateTime<Utc>,
) -> Outcome<ServiceRow> {
    write_tx(conn, |conn| {
        let at = now.naive_utc();
        let (rule, days) = rule_columns(input.rule);
        let changed = diesel::update(
            hosted_services::table
                .filter(hosted_services::id.eq(id.0))
                .filter(hosted_services::version.eq(version)),
        )
        .set((
            hosted_services::name.eq(&input.name),
            hosted_services::covers.eq(&input.covers),
            hosted_services::guarantee_thousandths.eq(input.guarantee.thousandths() as i32),
            hosted_services::contract_start.eq(input.contract_start),
            hosted_services::effective_rule.eq(rule),
            hosted_services::effective_after_days.eq(days),
            hosted_services::planned_counts.eq(input.planned_counts),
            hosted_services::updated_at.eq(at),
            hosted_services::version.eq(version + 1),
        ))
        .execute(conn)?;
        let row = get(conn, id)?;
        if changed == 0 {
            return Err(AppError::Conflict(
                "Someone changed this service since you opened it.".into(),
            ));
        }
        audit::record(
            conn,
            Some(actor),
            audit::Entity::Client,
            row.client_id,
            "hosted service changed",
            &describe(&input),
            at,
        )?;
        Ok(Ok(row))
    })
}

/// A manager signs off the client's infrastructure upgrade: the guarantee applies from `on`.
#[tracing::instrument(skip_all, fields(service_id = %id))]
pub fn sign_off(
    conn: &mut DbConn,
    actor: UserId,
    id: HostedServiceId,
    on: NaiveDate,
    now: DateTime<Utc>,
) -> Outcome<ServiceRow> {
    write_tx(conn, |conn| {
        let row = get(conn, id)?;
        if row.effective_rule != AFTER_SIGN_OFF {
            return refuse(
                "signed_off_on",
                "This guarantee applies after a number of days, not after a sign-off.",
            );
        }
        if on < row.contract_start {
            return refuse(
                "signed_off_on",
                "The sign-off cannot come before the contract start.",
            );
        }
        let at = now.naive_utc();
        diesel::update(hosted_services::table.find(id.0))
            .set((
                hosted_services::signed_off_on.eq(Some(on)),
                hosted_services::signed_off_by.eq(Some(actor.0)),
                hosted_services::signed_off_at.eq(Some(at)),
                hosted_services::updated_at.eq(at),
                hosted_services::version.eq(row.version + 1),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            Some(actor),
            audit::Entity::Client,
            row.client_id,
            "infrastructure upgrade signed off",
            &format!("{}: guarantee applies from {on}", row.name),
            at,
        )?;
        Ok(Ok(get(conn, id)?))
    })
}

/// A service's figure for `month`, as of `now`.
pub fn month_figure(
    conn: &mut DbConn,
    service: &ServiceRow,
    tz: Tz,
    month: Month,
    now: DateTime<Utc>,
) -> AppResult<MonthFigure> {
    let (from, until) = month.bounds(tz);
    let spans: Vec<_> = outages::overlapping(conn, service.id, from, until)?
        .iter()
        .map(outages::OutageRow::span)
        .collect();
    Ok(uptime::month_figure(
        service.terms(tz)?,
        tz,
        month,
        &spans,
        now,
    ))
}
