//! Figures for the dashboard, each from one aggregate query.

use diesel::dsl::count_star;
use diesel::prelude::*;

use super::DbConn;
use super::schema::{clients, contacts, ticket_counts, tickets, users};
use super::tickets::{COUNT_CAP, Total};
use crate::domain::account::{Role, Tier};
use crate::domain::ticket::{Kind, Status};
use crate::error::AppResult;

pub struct StaffCount {
    pub label: &'static str,
    pub count: i64,
}

pub struct Overview {
    pub active_clients: i64,
    pub active_contacts: i64,
    pub staff: Vec<StaffCount>,
}

pub fn overview(conn: &mut DbConn) -> AppResult<Overview> {
    let active_clients = clients::table
        .filter(clients::active.eq(true))
        .count()
        .get_result(conn)?;
    let active_contacts = contacts::table
        .inner_join(clients::table)
        .filter(contacts::active.eq(true))
        .filter(clients::active.eq(true))
        .count()
        .get_result(conn)?;
    let by_role_tier: Vec<(String, Option<String>, i64)> = users::table
        .filter(users::active.eq(true))
        .group_by((users::role, users::tier))
        .select((users::role, users::tier, count_star()))
        .load(conn)?;
    let count_where = |pred: &dyn Fn(&str, Option<&str>) -> bool| {
        by_role_tier
            .iter()
            .filter(|(role, tier, _)| pred(role, tier.as_deref()))
            .map(|(_, _, n)| n)
            .sum::<i64>()
    };
    let mut staff: Vec<StaffCount> = Tier::ALL
        .into_iter()
        .map(|tier| StaffCount {
            label: tier.label(),
            count: count_where(&|role, t| {
                role == Role::Technician.as_str() && t == Some(tier.as_str())
            }),
        })
        .collect();
    staff.push(StaffCount {
        label: "Managers",
        count: count_where(&|role, _| role == Role::Manager.as_str()),
    });
    staff.push(StaffCount {
        label: "Admins",
        count: count_where(&|role, _| role == Role::Admin.as_str()),
    });
    Ok(Overview {
        active_clients,
        active_contacts,
        staff,
    })
}

/// One kind's open and done tickets: incidents and service requests are counted apart, since
/// requests are request fulfilment, not incidents.
pub struct KindFigures {
    pub kind: Kind,
    pub open: i64,
    /// Solved incidents, fulfilled requests: waiting for the client or for closure.
    pub done: i64,
    /// Requests waiting for a manager's approval (always 0 for incidents), counted up to
    /// [`COUNT_CAP`] on the open requests' index range.
    pub awaiting_approval: Total,
}

/// Each kind's figures: open and done exact from the `ticket_counts` counters (a few dozen
/// rows, whatever the number of tickets); requests awaiting approval counted on the open
/// requests' index range, up to [`COUNT_CAP`] (the approvals page lists them).
pub fn by_kind(conn: &mut DbConn) -> AppResult<Vec<KindFigures>> {
    let counts: Vec<(String, String, i64)> = ticket_counts::table
        .select((ticket_counts::kind, ticket_counts::status, ticket_counts::n))
        .load(conn)?;
    let count = |kind: Kind, statuses: &[Status]| -> i64 {
        counts
            .iter()
            .filter(|(k, s, _)| {
                k == kind.as_str() && statuses.iter().any(|st| st.as_str() == s.as_str())
            })
            .map(|(_, _, n)| n)
            .sum()
    };
    let mut figures = Vec::new();
    for kind in Kind::ALL {
        let awaiting_approval = match kind {
            Kind::Incident => Total::Exact(0),
            Kind::ServiceRequest => {
                let found: Vec<i64> = tickets::table
                    .filter(tickets::queue_open.eq(true))
                    .filter(tickets::kind.eq(kind.as_str()))
                    .filter(tickets::request_approved_at.is_null())
                    .select(tickets::id)
                    .limit(COUNT_CAP + 1)
                    .load(conn)?;
                Total::capped(found.len())
            }
        };
        figures.push(KindFigures {
            kind,
            open: count(kind, &Status::OPEN),
            done: count(kind, &[Status::Solved]),
            awaiting_approval,
        });
    }
    Ok(figures)
}
