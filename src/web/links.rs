//! Pages that client contacts reach from e-mailed links: no account, no navigation, nothing
//! about any record unless the link is good.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::page::{csrf_token, redirect, render, render_status};
use crate::db::client_links::{self, LinkProblem, LinkPurpose, LinkRow};
use crate::db::surveys::Answer;
use crate::db::{self};
use crate::domain::ids::TicketId;
use crate::domain::survey;
use crate::domain::ticket::Status;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "public/link_problem.html")]
struct LinkProblemPage<'a> {
    title: &'static str,
    explanation: &'static str,
    contact: &'a str,
}

/// The page for a link that cannot be followed, with the desk's contact line. The words depend
/// only on the problem, never on the token, so the page tells a guesser nothing.
pub fn problem_page(problem: LinkProblem, contact: &str) -> AppResult<HttpResponse> {
    let (status, title, explanation) = match problem {
        LinkProblem::Unknown => (
            StatusCode::NOT_FOUND,
            "This link does not work",
            "The address is incomplete or was changed. If you copied it from an e-mail, copy \
             the whole address, or click the link in the e-mail itself.",
        ),
        LinkProblem::Expired => (
            StatusCode::GONE,
            "This link has expired",
            "Links in our e-mails work for a limited time, and this one's time is over.",
        ),
        LinkProblem::Used => (
            StatusCode::GONE,
            "This link has already been used",
            "It worked once and cannot be used again, so there is nothing more to do here.",
        ),
        LinkProblem::WrongPurpose => (
            StatusCode::NOT_FOUND,
            "This link belongs to another page",
            "It was sent for a different purpose and cannot be used here. Open it exactly as \
             it appears in the e-mail.",
        ),
        LinkProblem::TicketClosed => (
            StatusCode::GONE,
            "This ticket is closed",
            "It closed after the solution was sent, so it can no longer be reopened from this \
             e-mail. If the problem is back, contact the desk and it will open a new ticket.",
        ),
        LinkProblem::TicketOpen => (
            StatusCode::GONE,
            "This ticket is already open again",
            "The desk is working on it again, so there is nothing to reopen.",
        ),
    };
    render_status(
        &LinkProblemPage {
            title,
            explanation,
            contact,
        },
        status,
    )
}

/// The ticket a client link is about, as much as its page may show: the link itself proves
/// the client was sent this ticket, and nothing else is revealed.
struct LinkedTicket {
    id: i64,
    reference: String,
    subject: String,
    status: Status,
}

async fn linked_ticket(
    state: &AppState,
    token: String,
    purpose: LinkPurpose,
) -> AppResult<Result<(LinkRow, LinkedTicket), LinkProblem>> {
    let now = state.clock.now();
    db::run(&state.pool, move |conn| {
        let row = match client_links::check(conn, &token, purpose, now)? {
            Ok(row) => row,
            Err(problem) => return Ok(Err(problem)),
        };
        let Some(subject) = row.subject() else {
            return Ok(Err(LinkProblem::Unknown));
        };
        let ticket = db::tickets::get(conn, TicketId(subject.id))?;
        let linked = LinkedTicket {
            id: ticket.id.0,
            reference: format!("#{}", ticket.id),
            subject: ticket.subject.clone(),
            status: ticket.status,
        };
        Ok(Ok((row, linked)))
    })
    .await
}

/// What every linked page shows of its ticket, and the token and CSRF guard its form posts
/// back with.
struct LinkForm {
    csrf: String,
    token: String,
    reference: String,
    subject: String,
}

impl LinkForm {
    fn new(session: &Session, token: String, ticket: &LinkedTicket) -> Self {
        LinkForm {
            csrf: csrf_token(session),
            token,
            reference: ticket.reference.clone(),
            subject: ticket.subject.clone(),
        }
    }
}

/// The link's row and ticket, or returns the link's problem page from the enclosing handler.
macro_rules! linked_or_problem_page {
    ($state:expr, $token:expr, $purpose:expr) => {
        match linked_ticket($state, $token, $purpose).await? {
            Ok(found) => found,
            Err(problem) => return problem_page(problem, &$state.config.desk_contact),
        }
    };
}

/// Records the client's rating or comment on the ticket the link is about.
async fn answer(state: &AppState, ticket: i64, answer: Answer) -> AppResult<()> {
    let (mail, now, id) = (state.mail(), state.clock.now(), TicketId(ticket));
    db::run(&state.pool, move |conn| {
        db::surveys::answer(conn, id, &answer, &mail, now)
    })
    .await?;
    Ok(())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RatingQuery {
    rating: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RatingForm {
    rating: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CommentForm {
    comment: String,
}

#[derive(Template)]
#[template(path = "public/survey.html")]
struct SurveyPage {
    link: LinkForm,
    scale: [(u8, &'static str); 5],
    chosen: u8,
    error: Option<String>,
}

impl SurveyPage {
    fn new(
        session: &Session,
        token: String,
        ticket: &LinkedTicket,
        chosen: u8,
        error: Option<String>,
    ) -> Self {
        SurveyPage {
            link: LinkForm::new(session, token, ticket),
            scale: survey::SCALE,
            chosen,
            error,
        }
    }
}

/// Opening the link (as a mail scanner does) shows the choice; only the button records it.
pub async fn survey(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    query: web::Query<RatingQuery>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner();
    let (_, ticket) = linked_or_problem_page!(&state, token.clone(), LinkPurpose::Survey);
    let answered = db::run(&state.pool, move |conn| {
        db::surveys::for_ticket(conn, TicketId(ticket.id))
    })
    .await?;
    let chosen = query
        .rating
        .as_deref()
        .and_then(|r| survey::parse_rating(r).ok())
        .or_else(|| answered.and_then(|s| s.rating()))
        .unwrap_or(0);
    render(&SurveyPage::new(&session, token, &ticket, chosen, None))
}

pub async fn rate(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    form: web::Form<RatingForm>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner();
    let (_, ticket) = linked_or_problem_page!(&state, token.clone(), LinkPurpose::Survey);
    let rating = match survey::parse_rating(&form.rating) {
        Ok(rating) => rating,
        Err(message) => {
            let page = SurveyPage::new(&session, token, &ticket, 0, Some(message));
            return render_status(&page, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    answer(&state, ticket.id, Answer::Rating(rating)).await?;
    Ok(redirect(&format!("/survey/{token}/comment")))
}

#[derive(Template)]
#[template(path = "public/survey_comment.html")]
struct CommentPage {
    link: LinkForm,
    rating: String,
    comment: String,
    saved: bool,
    error: Option<String>,
}

/// How the comment page is shown: fresh, just saved, or sent back with the client's text.
enum CommentOutcome {
    Fresh,
    Saved,
    Refused { typed: String, error: String },
}

async fn comment_page(
    state: &AppState,
    session: &Session,
    token: String,
    outcome: CommentOutcome,
) -> AppResult<HttpResponse> {
    let (_, ticket) = linked_or_problem_page!(state, token.clone(), LinkPurpose::Survey);
    let id = TicketId(ticket.id);
    let answer = db::run(&state.pool, move |conn| db::surveys::for_ticket(conn, id)).await?;
    let (rating, comment) = answer
        .map(|a| (a.rating(), a.comment))
        .unwrap_or((None, String::new()));
    let rating = rating
        .map(|r| format!("{r} of 5 · {}", survey::label(r)))
        .unwrap_or_else(|| "not given yet".into());
    let (comment, saved, error, status) = match outcome {
        CommentOutcome::Fresh => (comment, false, None, StatusCode::OK),
        CommentOutcome::Saved => (comment, true, None, StatusCode::OK),
        CommentOutcome::Refused { typed, error } => {
            (typed, false, Some(error), StatusCode::UNPROCESSABLE_ENTITY)
        }
    };
    render_status(
        &CommentPage {
            link: LinkForm::new(session, token, &ticket),
            rating,
            comment,
            saved,
            error,
        },
        status,
    )
}

pub async fn comment_form(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    comment_page(&state, &session, path.into_inner(), CommentOutcome::Fresh).await
}

pub async fn comment(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    form: web::Form<CommentForm>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner();
    let (_, ticket) = linked_or_problem_page!(&state, token.clone(), LinkPurpose::Survey);
    let text = match crate::domain::inputs::parse_note(&form.comment, 4000) {
        Ok(text) => text,
        Err(error) => {
            let typed = form.into_inner().comment;
            let outcome = CommentOutcome::Refused { typed, error };
            return comment_page(&state, &session, token, outcome).await;
        }
    };
    answer(&state, ticket.id, Answer::Comment(text)).await?;
    comment_page(&state, &session, token, CommentOutcome::Saved).await
}

#[derive(Template)]
#[template(path = "public/reopen.html")]
struct ReopenPage {
    link: LinkForm,
    reason: String,
    error: Option<String>,
    done: bool,
}

impl ReopenPage {
    fn new(
        session: &Session,
        token: String,
        ticket: &LinkedTicket,
        reason: String,
        error: Option<String>,
        done: bool,
    ) -> Self {
        ReopenPage {
            link: LinkForm::new(session, token, ticket),
            reason,
            error,
            done,
        }
    }
}

pub async fn reopen_form(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner();
    let (_, ticket) = linked_or_problem_page!(&state, token.clone(), LinkPurpose::Reopen);
    if ticket.status != Status::Solved {
        return problem_page(
            LinkProblem::not_solved(ticket.status),
            &state.config.desk_contact,
        );
    }
    render(&ReopenPage::new(
        &session,
        token,
        &ticket,
        String::new(),
        None,
        false,
    ))
}

/// The client reopens a solved ticket. The link works once, and only while the ticket is
/// solved; a closed ticket stays closed.
pub async fn reopen(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    form: web::Form<CommentForm>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner();
    let (link, ticket) = linked_or_problem_page!(&state, token.clone(), LinkPurpose::Reopen);
    let (reason, too_long) = match crate::domain::inputs::parse_note(&form.comment, 4000) {
        Ok(reason) => (reason, None),
        Err(error) => (form.comment.clone(), Some(error)),
    };
    let page = |error: Option<String>, done: bool, reason: String| {
        ReopenPage::new(&session, token.clone(), &ticket, reason, error, done)
    };
    if let Some(error) = too_long {
        return render_status(
            &page(Some(error), false, reason),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    if reason.is_empty() {
        return render_status(
            &page(
                Some("Tell us what is still wrong.".into()),
                false,
                String::new(),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let (now, id, link_id) = (state.clock.now(), TicketId(ticket.id), link.id());
    let text = reason.clone();
    let outcome = db::run(&state.pool, move |conn| {
        db::tickets::reopen_from_link(conn, link_id, id, &text, now)
    })
    .await;
    match outcome {
        Ok(Ok(_)) => render(&page(None, true, reason)),
        Ok(Err(problem)) => problem_page(problem, &state.config.desk_contact),
        // Someone saved the ticket at the same moment: the link stays unused, and the client
        // is told it cannot be used now.
        Err(AppError::Conflict(_)) => problem_page(LinkProblem::Used, &state.config.desk_contact),
        Err(e) => Err(e),
    }
}
