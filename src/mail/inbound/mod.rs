//! Mail coming in: reading a message (`parse`) and fetching it from an IMAP mailbox (`imap`).
//! What a message does to the desk is `db::inbound`'s.

pub mod imap;
pub mod parse;
