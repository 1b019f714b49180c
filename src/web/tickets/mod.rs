//! Tickets in the browser: the queues, intake, the ticket page and the work done through its
//! forms, the SLA explanation and attachments. Each file answers one question; this one names
//! the handlers the route table uses.

mod actions;
mod attachments;
mod change_notice;
pub(super) mod forms;
pub(super) mod identity;
pub(super) mod intake;
mod ownership;
mod page;
mod people;
mod queue;
mod request;
mod request_view;
pub(super) mod runner;
mod sla;
mod take;

pub use actions::{assign, cancel, pull, reopen, solve, triage, work};
pub use attachments::{download, upload};
pub use identity::check as check_identity;
pub use intake::{create, new_form};
pub use page::show;
pub use queue::queue;
pub use request::approve;
pub use sla::explain;
pub use take::take;
