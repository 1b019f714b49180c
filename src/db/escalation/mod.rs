//! The escalation ladder in the database: where each ticket stands (`ladder`), the one move
//! up that every escalation writes (`moves`), escalation by hand, by severity at triage and by
//! time, and a ticket's escalation history. Approvals, the client decision point and the
//! admins' ladder editing have rooms of their own beside this one.

pub mod history;
pub mod ladder;
pub mod manual;
pub mod moves;
pub mod severity;
pub mod time_trigger;

// Paths kept for callers until the web split lands: web/, jobs/ and tests/ still name these as
// `db::escalation::…`. The integrator repoints them and removes this block.
pub use super::approvals::{
    ApprovalRow, ApprovalView, ChangeInput, decide, of_ticket, pending, request_change,
};
pub use super::decision_point::{
    DecisionInput, DecisionRow, at_decision_point, decisions_of, record_decision,
};
pub use super::ladder_admin::{
    move_level, remove_level, set_severity_rules, severity_field, update_level,
};
pub use history::{EscalationView, history};
pub use ladder::{LevelRow, Standing, load_ladder, load_severity_rules, standing};
pub use manual::{EscalateInput, escalate};
pub use time_trigger::escalate_overdue;
