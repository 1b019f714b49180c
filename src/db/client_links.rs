//! Links e-mailed to client contacts, who have no account: rate a closed ticket, reopen a
//! solved one, acknowledge a risk notice, accept a risk treatment. A link carries a random
//! token of 256 bits; only its SHA-256 is stored, so a copy of the table opens nothing. Each
//! token is bound to one purpose and one record, and expires.
//!
//! A flow issues the link in the transaction that queues its mail, checks it when the link is
//! opened (GET shows the choice; only the POST acts, because mail scanners open links), and
//! marks it used when the purpose allows one answer only.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::DbConn;
use super::schema::{client_links, tickets};
use crate::domain::ids::ClientLinkId;
use crate::domain::ticket::Status;
use crate::error::{AppError, AppResult};
use crate::security::{random_token, token_hash};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkPurpose {
    Survey,
    Reopen,
    RiskAcknowledgement,
    RiskAcceptance,
}

impl LinkPurpose {
    pub const ALL: [LinkPurpose; 4] = [
        LinkPurpose::Survey,
        LinkPurpose::Reopen,
        LinkPurpose::RiskAcknowledgement,
        LinkPurpose::RiskAcceptance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::Survey => "survey",
            LinkPurpose::Reopen => "reopen",
            LinkPurpose::RiskAcknowledgement => "risk_acknowledgement",
            LinkPurpose::RiskAcceptance => "risk_acceptance",
        }
    }

    pub fn parse(raw: &str) -> Option<LinkPurpose> {
        LinkPurpose::ALL.into_iter().find(|p| p.as_str() == raw)
    }

    /// The kind of record a link of this purpose is about.
    pub fn subject_kind(self) -> SubjectKind {
        match self {
            LinkPurpose::Survey | LinkPurpose::Reopen => SubjectKind::Ticket,
            LinkPurpose::RiskAcknowledgement | LinkPurpose::RiskAcceptance => SubjectKind::Risk,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubjectKind {
    Ticket,
    Risk,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Ticket => "ticket",
            SubjectKind::Risk => "risk",
        }
    }

    pub fn parse(raw: &str) -> Option<SubjectKind> {
        [SubjectKind::Ticket, SubjectKind::Risk]
            .into_iter()
            .find(|k| k.as_str() == raw)
    }
}

/// The one record a link is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkSubject {
    pub kind: SubjectKind,
    pub id: i64,
}

impl LinkSubject {
    pub fn ticket(id: i64) -> Self {
        Self {
            kind: SubjectKind::Ticket,
            id,
        }
    }

    pub fn risk(id: i64) -> Self {
        Self {
            kind: SubjectKind::Risk,
            id,
        }
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = client_links)]
pub struct LinkRow {
    pub id: i64,
    pub token_hash: String,
    pub purpose: String,
    pub subject_kind: String,
    pub subject_id: i64,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl LinkRow {
    pub fn id(&self) -> ClientLinkId {
        ClientLinkId(self.id)
    }

    /// None only for a row this code did not write.
    pub fn subject(&self) -> Option<LinkSubject> {
        SubjectKind::parse(&self.subject_kind).map(|kind| LinkSubject {
            kind,
            id: self.subject_id,
        })
    }
}

/// Why a link cannot be followed. The explanation page says which, and nothing else: no
/// ticket, no client, no hint of whether a similar token exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkProblem {
    /// No such token: mistyped, cut off, tampered with, or never issued.
    Unknown,
    Expired,
    Used,
    /// A real token, opened on the page of another purpose.
    WrongPurpose,
    /// An unused reopen link whose ticket has since closed (the auto-close job, or cancelled).
    TicketClosed,
    /// An unused reopen link whose ticket the desk has already taken up again.
    TicketOpen,
}

impl LinkProblem {
    /// Why a reopen link whose token is good cannot act on a ticket that is not solved.
    pub fn not_solved(status: Status) -> Self {
        if status.is_open() {
            LinkProblem::TicketOpen
        } else {
            LinkProblem::TicketClosed
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = client_links)]
struct NewLink<'a> {
    token_hash: &'a str,
    purpose: &'a str,
    subject_kind: &'a str,
    subject_id: i64,
    expires_at: NaiveDateTime,
    created_at: NaiveDateTime,
}

/// Issues a link for `purpose` on `subject`, valid for `ttl`, and returns its token (to put in
/// the mail; it is not stored). Call inside the transaction that queues the mail.
pub fn issue(
    conn: &mut DbConn,
    purpose: LinkPurpose,
    subject: LinkSubject,
    ttl: Duration,
    now: DateTime<Utc>,
) -> AppResult<String> {
    if purpose.subject_kind() != subject.kind {
        return Err(AppError::internal(format!(
            "a {} link cannot be about a {}",
            purpose.as_str(),
            subject.kind.as_str()
        )));
    }
    let token = random_token();
    let at = now.naive_utc();
    diesel::insert_into(client_links::table)
        .values(NewLink {
            token_hash: &token_hash(&token),
            purpose: purpose.as_str(),
            subject_kind: subject.kind.as_str(),
            subject_id: subject.id,
            expires_at: at + ttl,
            created_at: at,
        })
        .execute(conn)?;
    Ok(token)
}

/// What `random_token` makes: 43 URL-safe base64 characters. Anything else is not worth a
/// database look-up.
fn well_formed(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Looks up a token for `purpose` at `now`. The outer error is the database's; the inner one
/// is the problem to explain to the person who opened the link.
pub fn check(
    conn: &mut DbConn,
    token: &str,
    purpose: LinkPurpose,
    now: DateTime<Utc>,
) -> AppResult<Result<LinkRow, LinkProblem>> {
    if !well_formed(token) {
        return Ok(Err(LinkProblem::Unknown));
    }
    let Some(row) = client_links::table
        .filter(client_links::token_hash.eq(token_hash(token)))
        .select(LinkRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(Err(LinkProblem::Unknown));
    };
    if LinkPurpose::parse(&row.purpose) != Some(purpose) {
        return Ok(Err(LinkProblem::WrongPurpose));
    }
    if row.used_at.is_some() {
        return Ok(Err(LinkProblem::Used));
    }
    if now.naive_utc() >= row.expires_at {
        return Ok(Err(expired(conn, &row, purpose)?));
    }
    Ok(Ok(row))
}

/// A reopen link lasts as long as its ticket's reopen period, so it usually expires as the
/// ticket closes: then the client needs to read that the ticket is closed (or open again), not
/// that a link timed out.
fn expired(conn: &mut DbConn, row: &LinkRow, purpose: LinkPurpose) -> AppResult<LinkProblem> {
    if purpose != LinkPurpose::Reopen {
        return Ok(LinkProblem::Expired);
    }
    let status: Option<String> = tickets::table
        .find(row.subject_id)
        .select(tickets::status)
        .first(conn)
        .optional()?;
    Ok(match status.as_deref().map(Status::parse) {
        Some(Ok(status)) if status != Status::Solved => LinkProblem::not_solved(status),
        _ => LinkProblem::Expired,
    })
}

/// Uses up a link. True for exactly one caller, however many submit it at once; the flow acts
/// only when it gets true. Purposes whose answer may change until expiry (the survey) do not
/// call this.
pub fn mark_used(conn: &mut DbConn, id: ClientLinkId, now: DateTime<Utc>) -> AppResult<bool> {
    let updated = diesel::update(
        client_links::table
            .filter(client_links::id.eq(id.0))
            .filter(client_links::used_at.is_null()),
    )
    .set(client_links::used_at.eq(Some(now.naive_utc())))
    .execute(conn)?;
    Ok(updated == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_round_trip_and_name_their_record() {
        for purpose in LinkPurpose::ALL {
            assert_eq!(LinkPurpose::parse(purpose.as_str()), Some(purpose));
        }
        assert_eq!(LinkPurpose::parse("admin"), None);
        assert_eq!(LinkPurpose::Survey.subject_kind(), SubjectKind::Ticket);
        assert_eq!(
            LinkPurpose::RiskAcceptance.subject_kind(),
            SubjectKind::Risk
        );
    }

    #[test]
    fn only_tokens_shaped_like_ours_are_looked_up() {
        assert!(well_formed(&random_token()));
        assert!(!well_formed(""));
        assert!(!well_formed(&"a".repeat(44)));
        assert!(!well_formed(&format!("{}=", "a".repeat(42))));
        assert!(!well_formed(&format!("é{}", "a".repeat(41))));
    }
}
