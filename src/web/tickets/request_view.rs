//! What the ticket page says of a service request: approved or not, by whom, and whether the
//! viewer may approve it.

use crate::db::tickets::TicketDetail;
use crate::domain::request;
use crate::domain::ticket::Kind;
use crate::format::format_time;
use crate::web::extract::CurrentUser;

/// Where a service request stands in fulfilment, for the ticket page.
pub struct RequestView {
    pub approved: bool,
    /// "Approved by Mo Manager, Tue 1 Dec 2026 10:00 CET" once approved.
    pub approval: String,
    /// The viewer may approve it now.
    pub can_approve: bool,
    pub open: bool,
}

/// `None` on an incident.
pub(super) fn request_view(
    detail: &TicketDetail,
    user: &CurrentUser,
    zone: chrono_tz::Tz,
) -> Option<RequestView> {
    let row = &detail.row;
    if row.kind != Kind::ServiceRequest {
        return None;
    }
    let approval = match row.request_approved_at {
        Some(at) => format!(
            "Approved by {}, {}",
            detail
                .names
                .of(row.request_approved_by)
                .unwrap_or("nobody on record (work had started before approvals were recorded)"),
            format_time(at, zone)
        ),
        None => String::new(),
    };
    Some(RequestView {
        approved: row.request_approved(),
        approval,
        can_approve: request::check_approval(
            row.kind,
            row.status,
            row.request_approved(),
            user.row.role().is_manager(),
        )
        .is_ok(),
        open: row.status.is_open(),
    })
}
