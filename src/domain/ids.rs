//! One type per kind of id, so a client id can never be passed where a user id belongs.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        // Rows read their id columns through this (`#[diesel(deserialize_as = i64)]`).
        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                $name(id)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type!(
    UserId,
    ClientId,
    ContactId,
    CalendarId,
    HolidayId,
    PolicyId,
    TicketId,
    CategoryId,
    KbArticleId,
);

// Mail and client links.
id_type!(OutboxId, ClientLinkId);

// The escalation ladder, approvals, the decision point, attachments and the timeline.
id_type!(LevelId, ApprovalId, DecisionId, AttachmentId);

// Technicians' access to clients' systems, and their planned absences.
id_type!(SystemId, AbsenceId);

// The known-error database.
id_type!(KnownErrorId);
// Uptime guarantees.
id_type!(HostedServiceId, OutageId);
