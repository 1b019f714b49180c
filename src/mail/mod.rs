//! Mail to clients and staff: messages rendered from templates (`messages`), queued in the
//! caller's transaction (`outbox`), and delivered later by `jobs::deliver_mail` through the
//! `transport`; `commands` queues the mail a person asks for directly. Nothing here sends
//! during a request.

pub mod commands;
#[macro_use]
pub mod messages;
pub mod contact_messages;
pub mod inbound;
pub mod outbox;
pub mod problem_messages;
pub mod redact;
pub mod risk_messages;
pub mod service_report_messages;
pub mod transport;
