//! The owner's answer to a rejected sensitive change, from the ticket page: what they will do
//! instead. Until it is given the ticket's status does not move (see `domain::change_gate`).

use actix_web::HttpResponse;

use super::forms::parse_optional_id;
use super::tickets::forms::AcknowledgeForm;
use super::tickets::runner::{TicketForm, TicketPost};
use crate::db::changes;
use crate::domain::ids::ApprovalId;
use crate::domain::inputs::{FieldErrors, parse_required_note};
use crate::error::AppResult;

pub async fn acknowledge(post: TicketPost<AcknowledgeForm>) -> AppResult<HttpResponse> {
    post.run(|conn, c| {
        let (approval, instead) = c.input;
        changes::acknowledge_rejection(conn, c.edit, approval, &instead)
    })
    .await
}

impl TicketForm for AcknowledgeForm {
    /// The rejected request, and the path the owner takes instead.
    type Input = (ApprovalId, String);

    fn parse(&self, errors: &mut FieldErrors) -> Option<Self::Input> {
        let approval = errors
            .take(
                "instead",
                parse_optional_id(&self.approval_id, "a rejected change"),
            )
            .flatten();
        if approval.is_none() && errors.get("instead").is_none() {
            errors.add(
                "instead",
                "Reload the ticket: the rejected change is missing.",
            );
        }
        let instead = errors.take(
            "instead",
            parse_required_note(
                &self.instead,
                4000,
                "Say what you will do instead of the rejected change.",
            ),
        );
        Some((ApprovalId(approval?), instead?))
    }

    fn done(&self, _: &Self::Input) -> String {
        "Rejection acknowledged; the ticket can move on.".into()
    }
}
