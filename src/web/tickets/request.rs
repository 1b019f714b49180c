//! The manager's "Approve request" form on a service request's page.

use actix_web::HttpResponse;

use super::forms::ApproveForm;
use super::runner::{TicketForm, TicketPost};
use crate::db::tickets::{self, ApproveInput};
use crate::domain::inputs::{FieldErrors, parse_note};
use crate::error::AppResult;
use crate::web::extract::Manager;

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
