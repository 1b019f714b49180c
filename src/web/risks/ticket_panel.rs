//! The ticket page's "Risks" section: the risks raised from the ticket or carried out through
//! it, and the button that raises a draft risk from it (e.g. from a failed-backup incident).

use actix_web::{HttpResponse, web};

use crate::db::risks::level_label;
use crate::db::risks::tickets::TicketRisk;
use crate::db::{self, risks::tickets as store};
use crate::domain::ids::TicketId;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::page::{FlashKind, flash, redirect};

pub struct RiskItem {
    pub id: i64,
    pub title: String,
    pub level: &'static str,
    pub draft: bool,
    /// The control this ticket carries out, when linked through one.
    pub control: Option<String>,
}

pub struct RiskPanel {
    pub ticket_id: i64,
    pub risks: Vec<RiskItem>,
}

/// `risks` as `db::risks::tickets::on_ticket` read them, inside the ticket page's one
/// database turn.
pub fn risk_panel(ticket: TicketId, risks: Vec<TicketRisk>) -> RiskPanel {
    RiskPanel {
        ticket_id: ticket.0,
        risks: risks
            .into_iter()
            .map(|r| RiskItem {
                id: r.id,
                level: level_label(r.level.as_deref()),
                title: r.title,
                draft: r.draft,
                control: r.control,
            })
            .collect(),
    }
}

/// Raises a draft risk from the ticket and opens it for analysis.
pub async fn raise(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let ticket = TicketId(path.into_inner());
    let (now, actor) = (state.clock.now(), user.row.clone());
    let id = db::run(&state.pool, move |conn| {
        store::raise_from_ticket(conn, &actor, ticket, now)
    })
    .await?;
    flash(
        &user.session,
        FlashKind::Success,
        "Draft risk raised from the ticket: analyse it to record it and tell the client.",
    );
    Ok(redirect(&format!("/risks/{id}")))
}
