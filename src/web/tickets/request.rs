//! A service request on its page: where it stands in fulfilment, and the manager's "Approve
//! request" form.

use actix_web::HttpResponse;

use super::forms::ApproveForm;
use super::runner::{TicketForm, TicketPost};
use crate::db::tickets::{self, ApproveInput, TicketDetail};
use crate::domain::inputs::{FieldErrors, parse_note};
use crate::domain::request;
use crate::domain::ticket::Kind;
use crate::error::AppResult;
use crate::format::format_time;
use crate::web::extract::{CurrentUser, Manager};

/// Only a service desk manager approves; the command checks the role again.
pub async fn approve(post: TicketPost<ApproveForm, Manager>) -> AppResult<HttpResponse> {
    post.run(|conn, c| tickets::approve(conn, c.edit, &c.input))
        .await
}

impl TicketForm for ApproveForm {
    type Input = ApproveInput;

    fn parse(&self, errors: &mut FieldErrors) -> Option<ApproveInput> {
        let note = errors.take("approval_note", parse_note(&self.approval_note, 2000));
        Some(ApproveInput { note: note? })
    }

    fn done(&self, _: &ApproveInput) -> String {
        "Request approved: work on it may start.".into()
    }
}

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
