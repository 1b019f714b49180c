//! The one-click take: after an automatic escalation the ticket waits in its level's queue,
//! and whoever of that level takes it becomes owner and worker.

use actix_web::HttpResponse;
use serde::Deserialize;

use super::forms::{FormKey, PageForm, PageForms};
use super::runner::{TicketForm, TicketPost};
use crate::db::escalation::take::take as take_ticket;
use crate::domain::inputs::FieldErrors;
use crate::error::AppResult;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct TakeForm {
    version: String,
}

impl PageForm for TakeForm {
    const KEY: FormKey = FormKey::Take;

    fn version(&self) -> &str {
        &self.version
    }

    fn kept(&self) -> &str {
        ""
    }

    fn into_forms(self) -> PageForms {
        PageForms::default()
    }
}

impl TicketForm for TakeForm {
    type Input = ();

    fn parse(&self, _: &mut FieldErrors) -> Option<()> {
        Some(())
    }

    fn done(&self, _: &()) -> String {
        "You own this ticket now and are working on it.".into()
    }
}

pub async fn take(post: TicketPost<TakeForm>) -> AppResult<HttpResponse> {
    post.run(|conn, c| take_ticket(conn, c.edit)).await
}
