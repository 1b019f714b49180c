//! A person's access to clients and their systems, on their admin page: where an admin
//! onboarding a technician says which clients they work for and which systems they hold
//! permissions on. The client page shows the same grants read-only.

use actix_web::{HttpResponse, web};

use super::extract::Admin;
use super::page::{FlashKind, flash, redirect};
use crate::db;
use crate::db::access::ClientGrant;
use crate::domain::ids::{ClientId, SystemId, UserId};
use crate::error::AppResult;
use crate::state::AppState;

/// The ticked boxes: `client_<id>` for each client, `system_<id>` for each system. Anything
/// else (the CSRF token) is not a grant.
fn ticked(pairs: &[(String, String)]) -> (Vec<ClientId>, Vec<SystemId>) {
    let mut clients = Vec::new();
    let mut systems = Vec::new();
    for (name, value) in pairs {
        if value.is_empty() {
            continue;
        }
        if let Some(id) = name.strip_prefix("client_").and_then(|id| id.parse().ok()) {
            clients.push(ClientId(id));
        } else if let Some(id) = name.strip_prefix("system_").and_then(|id| id.parse().ok()) {
            systems.push(SystemId(id));
        }
    }
    (clients, systems)
}

pub async fn set_access(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let user = UserId(path.into_inner());
    let (clients, systems) = ticked(&form.into_inner());
    let (actor, now) = (admin.0.id(), state.clock.now());
    let row = db::run(&state.pool, move |conn| {
        db::access::set_access(conn, actor, user, &clients, &systems, now)?;
        db::users::get(conn, user)
    })
    .await?;
    flash(
        &admin.0.session,
        FlashKind::Success,
        format!("Saved {}'s access.", row.display_name),
    );
    Ok(redirect(&format!("/admin/users/{}#access", user.0)))
}

/// One client on the access form.
pub struct AccessLine {
    pub id: i64,
    pub name: String,
    pub active: bool,
    pub granted: bool,
    pub systems: Vec<(i64, String, bool)>,
}

pub fn access_lines(grants: Vec<ClientGrant>) -> Vec<AccessLine> {
    grants
        .into_iter()
        .map(|g| AccessLine {
            id: g.client.0,
            name: g.name,
            active: g.active,
            granted: g.granted,
            systems: g
                .systems
                .into_iter()
                .map(|(id, name, has)| (id.0, name, has))
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ticked_client_and_system_boxes_are_grants() {
        let pairs: Vec<(String, String)> = [
            ("csrf_token", "abc"),
            ("client_3", "on"),
            ("client_x", "on"),
            ("system_7", "on"),
            ("system_8", ""),
            ("client_4", "on"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(
            ticked(&pairs),
            (vec![ClientId(3), ClientId(4)], vec![SystemId(7)])
        );
    }
}
