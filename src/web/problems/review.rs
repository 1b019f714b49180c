//! The team review of a resolved problem: the blueprints' questions, the participants and the
//! decision.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::page::{Loaded, load};
use crate::db::problems::review::{self, ReviewInput};
use crate::db::{self};
use crate::domain::inputs::FieldErrors;
use crate::domain::problem::{MAX_TEXT, ProblemId, check_optional, check_text};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::forms::invalid;
use crate::web::page::{Ctx, FlashKind, flash, redirect, render};

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    participants: String,
    went_well: String,
    went_wrong: String,
    do_better: String,
    prevention: String,
    third_party: String,
    outcomes: String,
    decision: String,
}

#[derive(Template)]
#[template(path = "problems/review.html")]
struct ReviewPage {
    ctx: Ctx,
    p: Loaded,
    number: String,
    form: ReviewForm,
    errors: FieldErrors,
    can_record: bool,
}

async fn review_page(
    state: &AppState,
    user: &CurrentUser,
    id: ProblemId,
    form: ReviewForm,
    errors: FieldErrors,
) -> AppResult<ReviewPage> {
    let zone = user.zone();
    let p = db::run(&state.pool, move |conn| load(conn, id, zone)).await?;
    let can_record = super::drives(user)
        && crate::domain::problem::check_review(p.row.status, p.review.is_some()).is_ok();
    Ok(ReviewPage {
        ctx: user.ctx(),
        number: id.to_string(),
        p,
        form,
        errors,
        can_record,
    })
}

pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = ProblemId(path.into_inner());
    render(&review_page(&state, &user, id, ReviewForm::default(), FieldErrors::new()).await?)
}

pub async fn record(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<ReviewForm>,
) -> AppResult<HttpResponse> {
    let id = ProblemId(path.into_inner());
    let form = form.into_inner();
    let mut e = FieldErrors::new();
    let mut optional = |field: &'static str, raw: &str, what: &str| {
        e.take(field, check_optional(raw, what, MAX_TEXT))
    };
    let went_well = optional("went_well", &form.went_well, "what went well");
    let went_wrong = optional("went_wrong", &form.went_wrong, "what went wrong");
    let do_better = optional("do_better", &form.do_better, "what could be done better");
    let prevention = optional("prevention", &form.prevention, "how to prevent it");
    let third_party = optional("third_party", &form.third_party, "the third-party support");
    let outcomes = optional("outcomes", &form.outcomes, "the notes on outcomes");
    let participants = e.take(
        "participants",
        check_text(&form.participants, "who took part", MAX_TEXT),
    );
    let decision = e.take(
        "decision",
        check_text(&form.decision, "the decision", MAX_TEXT),
    );
    let (
        Some(went_well),
        Some(went_wrong),
        Some(do_better),
        Some(prevention),
        Some(third_party),
        Some(outcomes),
        Some(participants),
        Some(decision),
    ) = (
        went_well,
        went_wrong,
        do_better,
        prevention,
        third_party,
        outcomes,
        participants,
        decision,
    )
    else {
        return invalid(&review_page(&state, &user, id, form, e).await?);
    };
    let input = ReviewInput {
        participants,
        went_well,
        went_wrong,
        do_better,
        prevention,
        third_party,
        outcomes,
        decision,
    };
    let (now, actor) = (state.clock.now(), user.row.clone());
    match db::run(&state.pool, move |conn| {
        review::record(conn, &actor, id, &input, now)
    })
    .await
    {
        Ok(Ok(())) => {
            flash(&user.session, FlashKind::Success, "Team review recorded.");
            Ok(redirect(&format!("/problems/{}", id.0)))
        }
        Ok(Err(errors)) => invalid(&review_page(&state, &user, id, form, errors).await?),
        Err(e) => Err(e),
    }
}
