//! How the desk writes an instant for a person: in their zone, with the zone's abbreviation.
//! Pure, so pages and mail use the same wording. Beside it, the machine-readable form a
//! page's `<time datetime>` carries, so the instant is not lost to the wording.

use chrono::NaiveDateTime;

pub fn format_time(at: NaiveDateTime, zone: chrono_tz::Tz) -> String {
    at.and_utc()
        .with_timezone(&zone)
        .format("%a %-d %b %Y %H:%M %Z")
        .to_string()
}

/// The instant as a valid HTML global date and time (UTC), for `<time datetime="…">`.
pub fn iso_time(at: NaiveDateTime) -> String {
    at.and_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_the_viewers_zone() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 7, 1)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .unwrap_or_default();
        assert_eq!(
            format_time(at, chrono_tz::Europe::London),
            "Wed 1 Jul 2026 13:00 BST"
        );
        assert_eq!(
            format_time(at, chrono_tz::America::New_York),
            "Wed 1 Jul 2026 08:00 EDT"
        );
    }

    #[test]
    fn the_machine_readable_form_is_utc() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 7, 1)
            .and_then(|d| d.and_hms_opt(12, 0, 5))
            .unwrap_or_default();
        assert_eq!(iso_time(at), "2026-07-01T12:00:05Z");
    }
}
