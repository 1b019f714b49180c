//! The printable problem report a manager hands to a client: one page with the timeline, the
//! incidents, the root cause, the workaround, the fix and the review.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::page::{Loaded, load};
use crate::db::{self};
use crate::domain::problem::ProblemId;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::page::{Ctx, render};

#[derive(Template)]
#[template(path = "problems/report.html")]
struct ReportPage {
    ctx: Ctx,
    p: Loaded,
    number: String,
}

pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = ProblemId(path.into_inner());
    let zone = user.zone();
    let p = db::run(&state.pool, move |conn| load(conn, id, zone)).await?;
    render(&ReportPage {
        ctx: user.ctx(),
        number: id.to_string(),
        p,
    })
}
