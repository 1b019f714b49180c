//! The escalation ladder in the database: where each ticket stands (`ladder`), the one move
//! up that every escalation writes (`moves`), escalation by hand, by severity at triage and by
//! time, and a ticket's escalation history. Approvals, the client decision point and the
//! admins' ladder editing have rooms of their own beside this one.

pub mod automatic;
pub mod history;
pub mod ladder;
pub mod manual;
pub mod moves;
pub mod severity;
pub mod suggestions;
pub mod take;
pub mod time_trigger;

// Callers name escalation by its area, `db::escalation::escalate(…)`; the rooms above are how
// it is kept.
pub use history::{EscalationView, history};
pub use ladder::{LevelRow, Standing, load_ladder, load_severity_rules, standing};
pub use manual::{EscalateInput, escalate};
pub use time_trigger::escalate_overdue;
