//! The client's pages from the risk mails: acknowledge a discovered risk; accept the treatment
//! or decline it with a comment. A GET only shows (mail scanners open links); the POST records.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::client_links::{LinkProblem, LinkPurpose};
use crate::db::risks::client::{self, AnswerProblem, Linked};
use crate::db::{self};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::links::problem_page;
use crate::web::page::{csrf_token, render, render_status};

async fn linked(
    state: &AppState,
    token: String,
    purpose: LinkPurpose,
) -> AppResult<Result<Linked, LinkProblem>> {
    let now = state.clock.now();
    db::run(&state.pool, move |conn| {
        client::open(conn, &token, purpose, now)
    })
    .await
}

macro_rules! linked_or_problem_page {
    ($state:expr, $token:expr, $purpose:expr) => {
        match linked($state, $token, $purpose).await? {
            Ok(found) => found,
            Err(problem) => return problem_page(problem, &$state.config.desk_contact),
        }
    };
}

#[derive(Template)]
#[template(path = "public/risk_notice.html")]
struct NoticePage {
    csrf: String,
    token: String,
    contact: String,
    title: String,
    vulnerability: String,
    level: &'static str,
    reason: String,
    done: bool,
}

fn notice_page(session: &Session, token: String, linked: &Linked, done: bool) -> NoticePage {
    NoticePage {
        csrf: csrf_token(session),
        token,
        contact: linked.contact.name.clone(),
        title: linked.risk.title.clone(),
        vulnerability: linked.risk.vulnerability.clone(),
        level: linked.risk.level_label(),
        reason: linked.risk.decision_reason.clone(),
        done,
    }
}

pub async fn notice(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner();
    let found = linked_or_problem_page!(&state, token.clone(), LinkPurpose::RiskAcknowledgement);
    render(&notice_page(&session, token, &found, false))
}

pub async fn acknowledge(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner();
    let found = linked_or_problem_page!(&state, token.clone(), LinkPurpose::RiskAcknowledgement);
    let now = state.clock.now();
    let recorded = {
        let found = clone_linked(&found);
        db::run(&state.pool, move |conn| {
            client::acknowledge(conn, &found, now)
        })
        .await?
    };
    if !recorded {
        return problem_page(LinkProblem::Used, &state.config.desk_contact);
    }
    render(&notice_page(&session, token, &found, true))
}

fn clone_linked(l: &Linked) -> Linked {
    Linked {
        link: l.link.clone(),
        risk: l.risk.clone(),
        contact: l.contact.clone(),
        treatment: l.treatment.clone(),
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    answer: String,
    comment: String,
}

#[derive(Template)]
#[template(path = "public/risk_treatment.html")]
struct TreatmentPage {
    csrf: String,
    token: String,
    contact: String,
    title: String,
    level: &'static str,
    treatment: String,
    comment: String,
    error: Option<String>,
    outcome: Option<&'static str>,
}

fn treatment_page(
    session: &Session,
    token: String,
    linked: &Linked,
    comment: String,
    error: Option<String>,
    outcome: Option<&'static str>,
) -> TreatmentPage {
    TreatmentPage {
        csrf: csrf_token(session),
        token,
        contact: linked.contact.name.clone(),
        title: linked.risk.title.clone(),
        level: linked.risk.level_label(),
        treatment: linked
            .treatment
            .as_ref()
            .map(|t| t.summary.clone())
            .unwrap_or_default(),
        comment,
        error,
        outcome,
    }
}

pub async fn treatment(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner();
    let found = linked_or_problem_page!(&state, token.clone(), LinkPurpose::RiskAcceptance);
    render(&treatment_page(
        &session,
        token,
        &found,
        String::new(),
        None,
        None,
    ))
}

pub async fn answer(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    form: web::Form<AnswerForm>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner();
    let form = form.into_inner();
    let found = linked_or_problem_page!(&state, token.clone(), LinkPurpose::RiskAcceptance);
    let accept = match form.answer.as_str() {
        "accept" => true,
        "decline" => false,
        _ => {
            let page = treatment_page(
                &session,
                token,
                &found,
                form.comment,
                Some("Choose whether you accept or decline the treatment.".into()),
                None,
            );
            return render_status(&page, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let (now, mail) = (state.clock.now(), state.mail());
    let comment = form.comment.clone();
    let acting = clone_linked(&found);
    let result = db::run(&state.pool, move |conn| {
        client::answer(conn, &acting, accept, &comment, &mail, now)
    })
    .await?;
    match result {
        Ok(Ok(_)) => {
            let outcome = if accept {
                "Thank you: you accepted the treatment. We will carry it out."
            } else {
                "Thank you: you declined the treatment. The risk's owner will contact you with another proposal."
            };
            render(&treatment_page(
                &session,
                token,
                &found,
                String::new(),
                None,
                Some(outcome),
            ))
        }
        Ok(Err(message)) => {
            let page = treatment_page(&session, token, &found, form.comment, Some(message), None);
            render_status(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(AnswerProblem::Answered) => problem_page(LinkProblem::Used, &state.config.desk_contact),
        Err(AnswerProblem::Superseded) => {
            problem_page(LinkProblem::Expired, &state.config.desk_contact)
        }
    }
}
