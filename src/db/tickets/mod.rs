//! Tickets in the database. `row` is the plumbing every command writes through (and imports no
//! command); each other room is one step of a ticket's life or one view of tickets: intake,
//! triage, assignment, work, solving, cancelling, reopening, the auto-close sweep, the queues and
//! the ticket page's detail.

pub mod assign;
pub mod auto_close;
pub mod cancel;
pub mod detail;
pub mod identity;
pub mod intake;
pub mod keyset;
pub mod minutes;
pub mod queue_ranges;
pub mod queues;
pub mod reopen;
pub mod request;
pub mod row;
pub mod solve;
pub mod triage;
pub mod work;

// Callers name the ticket commands and views by their area, `db::tickets::triage(…)`; the
// rooms above are how they are kept, one step of the life cycle each.
pub use assign::{AssignInput, assign};
pub use auto_close::close_solved;
pub use cancel::cancel;
pub use detail::{CandidateFacts, TicketDetail, assignment_candidates, detail};
pub use identity::check_identity;
pub use intake::{IntakeInput, Requester, create};
pub use queue_ranges::{
    COUNT_CAP, Cursor, QueueFilter, QueuePage, QueueRow, Total, plans, queue, queue_count,
};
pub use queues::{KindChoice, Queue};
pub use reopen::{reopen, reopen_from_link};
pub use request::{ApproveInput, approve};
pub use row::{TicketEdit, TicketRow, get};
pub use solve::{SolveInput, solve};
pub use triage::{TriageInput, triage};
pub use work::{WorkInput, work};
