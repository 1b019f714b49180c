//! Mail to clients and staff: messages rendered from templates (`messages`), queued in the
//! caller's transaction (`outbox`), and delivered later by `jobs::deliver_mail` through the
//! `transport`. Nothing here sends during a request.

pub mod messages;
pub mod outbox;
pub mod transport;
