//! What the ticket page says about an ownerless ticket: the level it waits at, and whether the
//! viewer may take it from that level's queue.

use crate::db::escalation::Standing;
use crate::db::tickets::TicketRow;
use crate::domain::escalation_owner::may_take;
use crate::domain::ticket::Status;
use crate::web::extract::CurrentUser;

/// The sentence saying the ticket awaits an owner, and whether the viewer may take it.
pub(super) fn awaiting_owner(
    row: &TicketRow,
    standing: &Standing,
    viewer: &CurrentUser,
) -> (Option<String>, bool) {
    let waits = row.owner_id.is_none()
        && row.status.is_open()
        && !matches!(row.status, Status::New | Status::Solved);
    if !waits {
        return (None, false);
    }
    let level = &standing.level;
    let sentence = format!(
        "The ticket is at {name} and waits in the {name} queue: nobody owns it until someone takes it.",
        name = level.name
    );
    let may = may_take(level, viewer.row.role(), viewer.row.tier()).is_ok();
    (Some(sentence), may)
}
