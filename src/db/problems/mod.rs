//! Problems in the database: `row` is the record and its trail; each other room is one part of
//! problem management: logging and moving a problem, its incidents, closing them with the fix,
//! the RFC, the team review, the list, and detection.

pub mod closure;
pub mod commands;
pub mod detect;
pub mod edit;
pub mod kedb;
pub mod links;
pub mod list;
pub mod review;
pub mod rfc;
pub mod row;

pub use closure::{ClosureReport, close_incidents};
pub use commands::{Analysis, NewProblem, add_note, create, save_analysis, take_step};
pub use links::{LinkedIncident, incidents_of, link, problem_of, search_incidents, unlink};
pub use list::{ProblemFilter, list};
pub use row::{ProblemEventRow, ProblemRow, events, find, get};
