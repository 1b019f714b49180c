//! How stored text becomes domain values: each enum column is read straight into its domain
//! enum (`#[diesel(deserialize_as = String)]` on the row's field), so a row never carries a
//! string to compare and a corrupt stored value fails the load instead of reaching a rule.
//! Writes keep `.eq(value.as_str())`.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, Queryable};
use diesel::sql_types::{Nullable, Text};

use crate::domain::account::Tier;
use crate::domain::approval::{ApprovalKind, ApprovalStatus};
use crate::domain::priority::{Impact, Priority, Urgency};
use crate::domain::ticket::{Channel, IdentityCheck, Kind, Status};
use crate::domain::timeline::EventKind;

macro_rules! stored_enum {
    ($($ty:ty => $what:literal),* $(,)?) => {$(
        impl TryFrom<String> for $ty {
            type Error = String;

            fn try_from(stored: String) -> Result<Self, String> {
                <$ty>::parse(&stored).map_err(|_| format!("stored {} '{stored}' is unreadable", $what))
            }
        }
    )*};
}

stored_enum!(
    Status => "status",
    Kind => "kind",
    Channel => "channel",
    IdentityCheck => "identity check",
    Impact => "impact",
    Urgency => "urgency",
    Priority => "priority",
    ApprovalKind => "approval kind",
    ApprovalStatus => "approval status",
    EventKind => "timeline entry kind",
    Tier => "tier",
);

/// A nullable enum column, read strictly: `#[diesel(deserialize_as = Optional<T>)]` on an
/// `Option<T>` field.
pub struct Optional<T>(Option<T>);

impl<T, DB> Queryable<Nullable<Text>, DB> for Optional<T>
where
    T: TryFrom<String, Error = String>,
    DB: Backend,
    Option<String>: FromSql<Nullable<Text>, DB>,
{
    type Row = Option<String>;

    fn build(stored: Option<String>) -> deserialize::Result<Self> {
        Ok(Optional(stored.map(T::try_from).transpose()?))
    }
}

impl<T> From<Optional<T>> for Option<T> {
    fn from(value: Optional<T>) -> Self {
        value.0
    }
}

/// The support line of a ticket, if any. An unreadable stored tier reads as none, as it always
/// has (unlike the status, which refuses to guess), so it is read through this lenient column.
pub struct LenientTier(Option<Tier>);

impl<DB: Backend> Queryable<Nullable<Text>, DB> for LenientTier
where
    Option<String>: FromSql<Nullable<Text>, DB>,
{
    type Row = Option<String>;

    fn build(stored: Option<String>) -> deserialize::Result<Self> {
        Ok(LenientTier(stored.and_then(|t| Tier::parse(&t).ok())))
    }
}

impl From<LenientTier> for Option<Tier> {
    fn from(tier: LenientTier) -> Self {
        tier.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_words_read_back_and_corrupt_ones_fail_the_load() {
        assert_eq!(Status::try_from("solved".to_string()), Ok(Status::Solved));
        assert_eq!(
            EventKind::try_from("review".to_string()),
            Ok(EventKind::Review)
        );
        let refused = Status::try_from("limbo".to_string());
        assert_eq!(
            refused,
            Err("stored status 'limbo' is unreadable".to_string())
        );
        assert!(ApprovalKind::try_from("remote".to_string()).is_err());
    }

    #[test]
    fn an_unreadable_tier_reads_as_none() {
        let lenient = <LenientTier as Queryable<Nullable<Text>, diesel::sqlite::Sqlite>>::build(
            Some("tier9".to_string()),
        );
        assert!(matches!(lenient.map(Option::<Tier>::from), Ok(None)));
    }

    #[test]
    fn a_nullable_enum_column_is_read_strictly() {
        type Sqlite = diesel::sqlite::Sqlite;
        let read = |stored: Option<&str>| {
            <Optional<Tier> as Queryable<Nullable<Text>, Sqlite>>::build(stored.map(str::to_string))
                .map(Option::<Tier>::from)
        };
        assert!(matches!(read(Some("tier2")), Ok(Some(Tier::Tier2))));
        assert!(matches!(read(None), Ok(None)));
        assert!(read(Some("tier9")).is_err());
    }
}
