//! How a ticket form is sent: parse, run the one command, then redirect with a flash, send
//! the page back with the errors beside the fields, or show the conflict page. Each form says
//! only what differs (its fields, its command, its flash) through `TicketForm`.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use serde::de::DeserializeOwned;

use super::forms::{FormKey, PageForm, PageForms};
use super::page::ticket_page;
use crate::db::tickets::TicketEdit;
use crate::db::tickets::TicketRow;
use crate::db::{self, DbConn};
use crate::domain::ids::TicketId;
use crate::domain::inputs::FieldErrors;
use crate::error::{AppError, AppResult};
use crate::mail::messages::MailContext;
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::forms::{Changed, conflict, invalid, parse_version};
use crate::web::page::{FlashKind, flash, redirect};

/// One form of the ticket page: how it parses and what the flash says once it is saved.
pub trait TicketForm: PageForm {
    type Input: Send + 'static;

    /// The typed input, or `None` with the messages added to `errors`.
    fn parse(&self, errors: &mut FieldErrors) -> Option<Self::Input>;
    /// The flash shown once the command succeeded.
    fn done(&self, input: &Self::Input) -> String;
}

/// A ticket form as it arrived: the desk, who sent it, the ticket and the fields. `A` is the
/// sign-in the form needs (a manager for the decision point).
pub struct TicketPost<F, A = CurrentUser> {
    state: web::Data<AppState>,
    user: CurrentUser,
    id: i64,
    form: F,
    signed_in_as: PhantomData<A>,
}

impl<F: TicketForm, A> TicketPost<F, A> {
    /// Runs `command` with the parsed form: see `send`.
    pub async fn run<C>(self, command: C) -> AppResult<HttpResponse>
    where
        C: FnOnce(&mut DbConn, Command<F::Input>) -> AppResult<Result<TicketRow, FieldErrors>>
            + Send
            + 'static,
    {
        send(&self.state, &self.user, self.id, self.form, command).await
    }

    pub fn user(&self) -> &CurrentUser {
        &self.user
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn ticket(&self) -> TicketId {
        TicketId(self.id)
    }

    pub fn form(&self) -> &F {
        &self.form
    }

    /// Sends the form back with `errors` found before any command ran (a PIN that did not
    /// match), as a failed parse is sent back.
    pub async fn refuse(self, errors: FieldErrors) -> AppResult<HttpResponse> {
        refused(
            &self.state,
            &self.user,
            TicketId(self.id),
            errors,
            F::KEY,
            self.form.into_forms(),
        )
        .await
    }
}

impl<F, A> FromRequest for TicketPost<F, A>
where
    F: DeserializeOwned + 'static,
    A: FromRequest + Into<CurrentUser> + 'static,
{
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // The same order the handlers' own arguments were extracted in.
        let parts =
            <(web::Data<AppState>, A, web::Path<i64>, web::Form<F>)>::from_request(req, payload);
        Box::pin(async move {
            let (state, user, path, form) = parts.await?;
            Ok(TicketPost {
                state,
                user: user.into(),
                id: path.into_inner(),
                form: form.into_inner(),
                signed_in_as: PhantomData,
            })
        })
    }
}

/// What a ticket command needs besides the connection.
pub struct Command<I> {
    pub edit: TicketEdit,
    pub input: I,
    /// For the commands that tell the client or the staff.
    pub mail: MailContext,
}

/// Parses `form`, runs `command` with it, and answers: back to the ticket with a flash, the
/// page again with the errors (422), or the conflict page with the user's text (409).
async fn send<F, C>(
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
        edit: TicketEdit {
            actor: user.id(),
            ticket: id,
            version,
            now: state.clock.now(),
        },
        input,
        mail: state.mail(),
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
pub async fn refused(
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
