//! Uptime per hosted service for one month, across clients (or for one): each service's figure
//! worked out by the uptime room's own month arithmetic, in its client's zone.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{clients, hosted_services};
use crate::db::uptime::{ServiceRow, client_zone, month_figure};
use crate::domain::ids::ClientId;
use crate::domain::uptime::{Month, MonthFigure};
use crate::error::AppResult;

pub struct ServiceMonth {
    pub client: String,
    pub service: ServiceRow,
    pub figure: MonthFigure,
}

/// Every hosted service (of `client` when given), by client and service name, with its figure
/// for `month` as of `now`. Services are few (a handful per client), so one outage query each.
pub fn services_month(
    conn: &mut DbConn,
    client: Option<i64>,
    month: Month,
    now: DateTime<Utc>,
) -> AppResult<Vec<ServiceMonth>> {
    let mut query = hosted_services::table
        .inner_join(clients::table)
        .order((
            clients::name.asc(),
            hosted_services::name.asc(),
            hosted_services::id.asc(),
        ))
        .select((clients::name, ServiceRow::as_select()))
        .into_boxed();
    if let Some(client) = client {
        query = query.filter(hosted_services::client_id.eq(client));
    }
    let services: Vec<(String, ServiceRow)> = query.load(conn)?;
    let mut zones: HashMap<i64, Tz> = HashMap::new();
    let mut lines = Vec::with_capacity(services.len());
    for (name, service) in services {
        let tz = match zones.get(&service.client_id) {
            Some(tz) => *tz,
            None => {
                let tz = client_zone(conn, ClientId(service.client_id))?;
                zones.insert(service.client_id, tz);
                tz
            }
        };
        let figure = month_figure(conn, &service, tz, month, now)?;
        lines.push(ServiceMonth {
            client: name,
            service,
            figure,
        });
    }
    Ok(lines)
}
