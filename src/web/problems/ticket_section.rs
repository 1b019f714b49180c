//! The ticket page's "Problem" section: the problem the incident is linked to, or a form to
//! link it to an open problem (or to log one from it).

use crate::db::problems::{self, ProblemFilter, ProblemRow};
use crate::db::{self, DbConn};
use crate::domain::ids::TicketId;
use crate::domain::problem::{ProblemId, Status};
use crate::domain::ticket::Kind;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::CurrentUser;

pub struct ProblemSection {
    pub incident: bool,
    /// (id, "P-3", subject, status label) of the linked problem.
    pub linked: Option<(i64, String, String, &'static str)>,
    /// The open problems to link to: id and "P-3 subject".
    pub choices: Vec<(String, String)>,
    pub can_log: bool,
}

/// What the section reads, inside the ticket page's one database turn: the linked problem,
/// or else the open problems to link to.
pub struct ProblemReads {
    linked: Option<(ProblemId, String, Status)>,
    open: Vec<ProblemRow>,
}

pub fn read(conn: &mut DbConn, ticket: TicketId, kind: Kind) -> AppResult<ProblemReads> {
    if kind != Kind::Incident {
        return Ok(ProblemReads {
            linked: None,
            open: Vec::new(),
        });
    }
    let linked = problems::problem_of(conn, ticket)?;
    let open = if linked.is_none() {
        problems::list(conn, &ProblemFilter::default())?
            .into_iter()
            .filter(|p| p.status.is_active())
            .collect()
    } else {
        Vec::new()
    };
    Ok(ProblemReads { linked, open })
}

pub fn problem_section(reads: ProblemReads, user: &CurrentUser, kind: Kind) -> ProblemSection {
    let incident = kind == Kind::Incident;
    ProblemSection {
        incident,
        linked: reads
            .linked
            .map(|(id, subject, status)| (id.0, id.to_string(), subject, status.label())),
        choices: reads
            .open
            .into_iter()
            .map(|p| (p.id.0.to_string(), format!("{} {}", p.id, p.subject)))
            .collect(),
        can_log: incident && super::drives(user),
    }
}

/// Links the ticket to the chosen problem, from the ticket page.
pub async fn link_from_ticket(
    state: actix_web::web::Data<AppState>,
    user: CurrentUser,
    path: actix_web::web::Path<i64>,
    form: actix_web::web::Form<LinkForm>,
) -> AppResult<actix_web::HttpResponse> {
    use crate::web::page::{FlashKind, flash, redirect};
    let ticket = TicketId(path.into_inner());
    let back = format!("/tickets/{}#problem", ticket.0);
    let Ok(problem) = form.problem_id.trim().parse::<i64>() else {
        flash(
            &user.session,
            FlashKind::Notice,
            "Choose the problem to link this incident to.",
        );
        return Ok(redirect(&back));
    };
    let problem = crate::domain::problem::ProblemId(problem);
    let (now, actor) = (state.clock.now(), user.row.clone());
    match db::run(&state.pool, move |conn| {
        problems::link(conn, &actor, problem, ticket, now)
    })
    .await?
    {
        Ok(()) => flash(
            &user.session,
            FlashKind::Success,
            format!("Linked to problem {problem}."),
        ),
        Err(errors) => flash(
            &user.session,
            FlashKind::Notice,
            errors
                .get("ticket")
                .unwrap_or("The incident could not be linked."),
        ),
    }
    Ok(redirect(&back))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct LinkForm {
    problem_id: String,
}
