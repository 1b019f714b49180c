//! Suggested escalations for managers: the list of open ones beside the approvals, and the
//! apply and dismiss forms (on that list and on the ticket page).

use actix_web::HttpResponse;
use askama::Template;
use serde::Deserialize;

use super::extract::Manager;
use super::page::{Ctx, render};
use super::suggestion_item::SuggestionItem;
use super::tickets::forms::{FormKey, PageForm, PageForms};
use super::tickets::runner::{TicketForm, TicketPost};
use crate::db::escalation::suggestions;
use crate::db::{self};
use crate::domain::inputs::{FieldErrors, parse_required_note};
use crate::error::AppResult;
use crate::state::AppState;

/// The most suggestions the list shows at once, oldest first.
const LISTED: i64 = 200;

#[derive(Template)]
#[template(path = "escalation/suggestions.html")]
struct SuggestionsPage {
    ctx: Ctx,
    items: Vec<SuggestionItem>,
}

impl SuggestionsPage {
    /// This page's forms never come back with errors (it links to the ticket for that).
    fn kept_note(&self, _suggestion: &i64) -> &str {
        ""
    }
}

/// The open suggestions, for the managers.
pub async fn list(state: actix_web::web::Data<AppState>, mgr: Manager) -> AppResult<HttpResponse> {
    let user: super::extract::CurrentUser = mgr.into();
    let zone = user.zone();
    let open = db::run(&state.pool, |conn| suggestions::open(conn, LISTED)).await?;
    render(&SuggestionsPage {
        ctx: user.ctx(),
        items: open.iter().map(|v| SuggestionItem::of(v, zone)).collect(),
    })
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ApplyForm {
    version: String,
    suggestion_id: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct DismissForm {
    version: String,
    suggestion_id: String,
    note: String,
}

fn parse_suggestion(raw: &str, errors: &mut FieldErrors) -> Option<i64> {
    errors.take(
        "suggestion",
        raw.trim()
            .parse::<i64>()
            .map_err(|_| "This suggestion is not one of the ticket's.".to_string()),
    )
}

impl PageForm for ApplyForm {
    const KEY: FormKey = FormKey::Suggestion;

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

impl TicketForm for ApplyForm {
    type Input = i64;

    fn parse(&self, errors: &mut FieldErrors) -> Option<i64> {
        parse_suggestion(&self.suggestion_id, errors)
    }

    fn done(&self, _: &i64) -> String {
        "Escalated for client satisfaction; you own the ticket now.".into()
    }
}

impl PageForm for DismissForm {
    const KEY: FormKey = FormKey::Suggestion;

    fn version(&self) -> &str {
        &self.version
    }

    fn kept(&self) -> &str {
        &self.note
    }

    // The ticket page's dismiss form is one per suggestion: the note comes back beside the
    // suggestion it was typed for.
    fn into_forms(self) -> PageForms {
        PageForms {
            dismissal: Some((self.suggestion_id, self.note)),
            ..PageForms::default()
        }
    }
}

impl TicketForm for DismissForm {
    type Input = (i64, String);

    fn parse(&self, errors: &mut FieldErrors) -> Option<(i64, String)> {
        let id = parse_suggestion(&self.suggestion_id, errors);
        let note = errors.take(
            "note",
            parse_required_note(&self.note, 2000, "Say why the ticket need not go up."),
        );
        Some((id?, note?))
    }

    fn done(&self, _: &(i64, String)) -> String {
        "Suggestion dismissed; the note is on the ticket's timeline.".into()
    }
}

pub async fn apply(post: TicketPost<ApplyForm, Manager>) -> AppResult<HttpResponse> {
    post.run(|conn, c| suggestions::apply(conn, c.edit, c.input, &c.mail))
        .await
}

pub async fn dismiss(post: TicketPost<DismissForm, Manager>) -> AppResult<HttpResponse> {
    post.run(|conn, c| {
        let (id, note) = c.input;
        suggestions::dismiss(conn, c.edit, id, &note)
    })
    .await
}
