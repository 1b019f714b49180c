//! Figures for the dashboard, each from one aggregate query.

use diesel::dsl::count_star;
use diesel::prelude::*;

use super::DbConn;
use super::schema::{clients, contacts, users};
use crate::domain::account::{Role, Tier};
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
