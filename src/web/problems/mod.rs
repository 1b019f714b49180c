//! Problem management's pages: the list, logging and editing a problem, the problem page and its
//! forms, suggested problems, the RFC decisions, the team review, the printable report, and
//! the "Problem" section of the ticket page.

pub mod actions;
pub mod detect;
pub mod edit;
pub mod list;
pub mod new;
pub mod page;
pub mod report;
pub mod review;
pub mod rfc;
pub mod ticket_section;

use crate::domain::problem;
use crate::web::extract::CurrentUser;

/// Whether the viewer drives problems (managers, tier 2/3) or only links and reads.
fn drives(user: &CurrentUser) -> bool {
    problem::can_drive(user.row.role(), user.row.tier())
}
