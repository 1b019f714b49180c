//! The client page's people: the client's systems and its account managers (admins edit both
//! through `client_people.rs`), and who may work for the client (granted on each person's
//! admin page, shown here read-only so whoever looks at the client sees it).

use super::extract::CurrentUser;
use crate::db::{self, DbConn};
use crate::domain::ids::{ClientId, SystemId, UserId};
use crate::domain::inputs::FieldErrors;
use crate::error::AppResult;

/// What the section reads, in the client page's one database round.
pub struct PeopleLoaded {
    systems: Vec<(SystemId, String)>,
    account_managers: Vec<(UserId, String)>,
    with_access: Vec<(UserId, String, Vec<String>)>,
    staff: Vec<(i64, String)>,
}

pub fn load(conn: &mut DbConn, client: ClientId) -> AppResult<PeopleLoaded> {
    Ok(PeopleLoaded {
        systems: db::access::systems_of(conn, client)?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect(),
        account_managers: db::account_managers::of_client(conn, client)?,
        with_access: db::access::staff_with_access(conn, client)?,
        staff: db::users::list(conn)?
            .into_iter()
            .filter(|u| u.active)
            .map(|u| (u.id, u.display_name))
            .collect(),
    })
}

/// The systems, account-manager and access panels of the client page.
pub struct PeopleSection {
    pub can_edit: bool,
    pub systems: Vec<(i64, String)>,
    pub account_managers: Vec<(i64, String)>,
    /// Name, and the client's systems they have access to ("" when none).
    pub with_access: Vec<(i64, String, String)>,
    /// Active staff not yet account managers here, for the add form.
    pub candidates: Vec<(String, String)>,
    pub system: String,
    pub user_id: String,
    pub errors: FieldErrors,
}

pub fn section(loaded: PeopleLoaded, viewer: &CurrentUser) -> PeopleSection {
    let mut candidates = vec![(String::new(), "Choose a person".to_string())];
    candidates.extend(
        loaded
            .staff
            .iter()
            .filter(|(id, _)| !loaded.account_managers.iter().any(|(m, _)| m.0 == *id))
            .map(|(id, name)| (id.to_string(), name.clone())),
    );
    PeopleSection {
        can_edit: viewer.row.role().is_admin(),
        systems: loaded
            .systems
            .into_iter()
            .map(|(id, n)| (id.0, n))
            .collect(),
        account_managers: loaded
            .account_managers
            .into_iter()
            .map(|(id, n)| (id.0, n))
            .collect(),
        with_access: loaded
            .with_access
            .into_iter()
            .map(|(id, name, systems)| (id.0, name, systems.join(", ")))
            .collect(),
        candidates,
        system: String::new(),
        user_id: String::new(),
        errors: FieldErrors::new(),
    }
}
