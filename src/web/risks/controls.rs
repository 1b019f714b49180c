//! A risk's controls and their tickets: carrying a control out through a service request, and
//! marking it in place once that request is solved.

use actix_web::{HttpResponse, web};

use crate::db::{self, risks::tickets as store};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::page::{FlashKind, flash, redirect};

/// The refusal's first message, said as a notice on the risk page the user came from.
fn notice_of(errors: &crate::domain::inputs::FieldErrors) -> String {
    errors
        .get("control")
        .unwrap_or("The control could not be changed.")
        .to_string()
}

/// Opens a service request for the control and links it; the risk page then shows its state.
pub async fn through_ticket(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let (risk, control) = path.into_inner();
    let (now, mail, actor) = (state.clock.now(), state.mail(), user.row.clone());
    let outcome = db::run(&state.pool, move |conn| {
        store::carry_out_through_ticket(conn, &actor, risk, control, &mail, now)
    })
    .await?;
    match outcome {
        Ok(ticket) => flash(
            &user.session,
            FlashKind::Success,
            format!("Ticket #{ticket} opened to carry out the control."),
        ),
        Err(errors) => flash(&user.session, FlashKind::Notice, notice_of(&errors)),
    }
    Ok(redirect(&format!("/risks/{risk}#controls")))
}

/// Marks the control in place once its ticket is solved.
pub async fn in_place(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let (risk, control) = path.into_inner();
    let (now, actor) = (state.clock.now(), user.row.clone());
    let outcome = db::run(&state.pool, move |conn| {
        store::mark_in_place(conn, &actor, risk, control, now)
    })
    .await?;
    match outcome {
        Ok(()) => flash(
            &user.session,
            FlashKind::Success,
            "Control marked in place.",
        ),
        Err(errors) => flash(&user.session, FlashKind::Notice, notice_of(&errors)),
    }
    Ok(redirect(&format!("/risks/{risk}#controls")))
}
