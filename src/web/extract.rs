//! Authentication as a handler argument: `user: CurrentUser`, `manager: Manager`,
//! `admin: Admin`. A handler that names one cannot run for anybody else.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

use super::page::{Ctx, NavUser};
use crate::db;
use crate::db::sessions::{self, Lookup};
use crate::db::users::UserRow;
use crate::domain::account::Role;
use crate::domain::ids::UserId;
use crate::error::{AppError, SessionEnd};
use crate::state::AppState;

/// The cookie's one entry: the random token whose hash names the session's row.
pub const SESSION_TOKEN: &str = "sid";

/// Paths a user who must change their password may still use.
const PASSWORD_CHANGE_PATHS: [&str; 2] = ["/account/password", "/logout"];

pub struct CurrentUser {
    pub row: UserRow,
    pub session: Session,
}

impl CurrentUser {
    pub fn id(&self) -> UserId {
        self.row.id()
    }

    /// The page frame; takes the pending flash messages out of the session.
    pub fn ctx(&self) -> Ctx {
        Ctx::new(&self.session, Some(self.nav()))
    }

    /// What the navigation shows of this user.
    fn nav(&self) -> NavUser {
        let role = self.row.role();
        NavUser {
            id: self.row.id,
            name: self.row.display_name.clone(),
            role_label: role.label(),
            is_manager: role.is_manager(),
            is_admin: role.is_admin(),
        }
    }

    pub fn zone(&self) -> chrono_tz::Tz {
        self.row.zone()
    }
}

fn requested_path(req: &HttpRequest) -> String {
    let uri = req.uri();
    uri.path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into())
}

async fn load_current_user(req: HttpRequest) -> Result<CurrentUser, AppError> {
    let session = req.get_session();
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::internal("application state missing"))?
        .clone();
    let next = if req.method() == actix_web::http::Method::GET {
        requested_path(&req)
    } else {
        "/".to_string()
    };
    let unauthenticated = |ended| AppError::Unauthenticated {
        next: next.clone(),
        ended,
    };

    let Some(token) = session.get::<String>(SESSION_TOKEN).ok().flatten() else {
        return Err(unauthenticated(SessionEnd::NeverSignedIn));
    };
    let (limits, now) = (state.config.session_limits(), state.clock.now());
    let found = db::run(&state.pool, move |conn| {
        sessions::lookup(conn, &token, &limits, now)
    })
    .await?;
    let row = match found {
        Lookup::Live(row) => *row,
        Lookup::Idle => {
            session.purge();
            return Err(unauthenticated(SessionEnd::Idle));
        }
        Lookup::Expired => {
            session.purge();
            return Err(unauthenticated(SessionEnd::Expired));
        }
        Lookup::Gone => {
            session.purge();
            return Err(unauthenticated(SessionEnd::NeverSignedIn));
        }
    };

    if row.must_change_password && !PASSWORD_CHANGE_PATHS.contains(&req.path()) {
        return Err(AppError::PasswordChangeRequired);
    }
    Ok(CurrentUser { row, session })
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(load_current_user(req.clone()))
    }
}

/// A role that some routes require; a marker type, so the rule sits in the extractor's type.
pub trait RoleGate {
    fn admits(role: Role) -> bool;
}

/// A signed-in user whose role `G` admits; anyone else is refused with 403 before the handler
/// runs.
pub struct Gated<G: RoleGate>(pub CurrentUser, PhantomData<G>);

impl<G: RoleGate + 'static> FromRequest for Gated<G> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let user = load_current_user(req).await?;
            if G::admits(user.row.role()) {
                Ok(Gated(user, PhantomData))
            } else {
                Err(AppError::Forbidden)
            }
        })
    }
}

pub struct ManagerRole;

impl RoleGate for ManagerRole {
    fn admits(role: Role) -> bool {
        role.is_manager()
    }
}

pub struct AdminRole;

impl RoleGate for AdminRole {
    fn admits(role: Role) -> bool {
        role.is_admin()
    }
}

/// A signed-in service desk manager (or admin, whose role includes the manager's).
pub type Manager = Gated<ManagerRole>;

/// A signed-in administrator.
pub type Admin = Gated<AdminRole>;

/// A manager is a signed-in user: handlers generic over who may post take either.
impl From<Manager> for CurrentUser {
    fn from(manager: Manager) -> Self {
        manager.0
    }
}
