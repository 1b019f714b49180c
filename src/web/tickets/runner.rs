//! How a ticket form is sent: parse, run the one command, then redirect with a flash, send
//! the page back with the errors beside the fields, or show the conflict page. Each form says
//! only what differs (its fields, its command, its flash) through `TicketForm`.

use actix_web::HttpResponse;
use chrono::{DateTime, Utc};

use super::forms::{FormKey, PageForms};
use super::page::ticket_page;
use crate::db::tickets::TicketRow;
use crate::db::{self, DbConn};
use crate::domain::ids::{TicketId, UserId};
use crate::domain::inputs::FieldErrors;
use crate::error::{AppError, AppResult};
use crate::web::AppState;
use crate::web::extract::CurrentUser;
use crate::web::forms::{Changed, conflict, invalid, parse_version};
use crate::web::page::{FlashKind, flash, redirect};

/// One form of the ticket page.
pub(crate) trait TicketForm: Sized {
    /// Which form of the page this is, for the errors and the kept text.
    const KEY: FormKey;
    /// The field a bad row version is reported under.
    const VERSION_FIELD: &'static str = "version";
    type Input: Send + 'static;

    /// The row version the form was filled from.
    fn version(&self) -> &str;
    /// The typed input, or `None` with the messages added to `errors`.
    fn parse(&self, errors: &mut FieldErrors) -> Option<Self::Input>;
    /// The flash shown once the command succeeded.
    fn done(&self, input: &Self::Input) -> String;
    /// The text worth keeping if someone else saved the ticket first.
    fn kept(&self) -> &str;
    /// The page's forms, this one as the user sent it.
    fn into_forms(self) -> PageForms;
}

/// What a ticket command needs besides the connection.
pub(crate) struct Command<I> {
    pub actor: UserId,
    pub id: TicketId,
    pub version: i64,
    pub input: I,
    pub now: DateTime<Utc>,
}

/// Parses `form`, runs `command` with it, and answers: back to the ticket with a flash, the
/// page again with the errors (422), or the conflict page with the user's text (409).
pub(crate) async fn send<F, C>(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    form: F,
    command: C,
) -> AppResult<HttpResponse>
where
    F: TicketForm,
    C: FnOnce(&mut DbConn, Command<F::Input>) -> AppResult<Result<TicketRow, FieldErrors>>
        + Send
        + 'static,
{
    let id = TicketId(id);
    let mut errors = FieldErrors::new();
    let input = form.parse(&mut errors);
    let version = errors.take(F::VERSION_FIELD, parse_version(form.version()));
    let (Some(input), Some(version)) = (input, version) else {
        return refused(state, user, id, errors, F::KEY, form.into_forms()).await;
    };
    if !errors.is_empty() {
        return refused(state, user, id, errors, F::KEY, form.into_forms()).await;
    }
    let done = form.done(&input);
    let sent = Command {
        actor: user.id(),
        id,
        version,
        input,
        now: state.clock.now(),
    };
    match db::run(&state.pool, move |conn| command(conn, sent)).await {
        Ok(Ok(_)) => {
            flash(&user.session, FlashKind::Success, done);
            Ok(redirect(&format!("/tickets/{}", id.0)))
        }
        Ok(Err(errors)) => refused(state, user, id, errors, F::KEY, form.into_forms()).await,
        Err(AppError::Conflict(message)) => {
            let subject = format!("Ticket #{}", id.0);
            let back = format!("/tickets/{}", id.0);
            let changed = Changed {
                subject: &subject,
                back: &back,
                back_label: "Open the ticket as it is now",
            };
            conflict(user.ctx(), changed, message, form.kept().to_string())
        }
        Err(e) => Err(e),
    }
}

/// A form sent back: the ticket page with the user's text and the errors beside the fields.
pub(crate) async fn refused(
    state: &AppState,
    user: &CurrentUser,
    id: TicketId,
    errors: FieldErrors,
    key: FormKey,
    forms: PageForms,
) -> AppResult<HttpResponse> {
    let page = ticket_page(state, user, id, errors, key, forms).await?;
    invalid(&page)
}
