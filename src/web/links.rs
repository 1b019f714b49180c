//! Pages that client contacts reach from e-mailed links: no account, no navigation, nothing
//! about any record unless the link is good.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::page::render_status;
use crate::db::client_links::LinkProblem;
use crate::error::AppResult;

#[derive(Template)]
#[template(path = "public/link_problem.html")]
struct LinkProblemPage {
    title: &'static str,
    explanation: &'static str,
}

/// The page for a link that cannot be followed. The words depend only on the problem, never
/// on the token, so the page tells a guesser nothing.
pub fn problem_page(problem: LinkProblem) -> AppResult<HttpResponse> {
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
    };
    render_status(&LinkProblemPage { title, explanation }, status)
}
