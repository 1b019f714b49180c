//! Planned absences (holiday, training, leave): whole days in the absent person's own zone,
//! first and last day included, so "away" can be planned ahead instead of only toggled on the
//! day. Assignment asks whether one covers now and until when.

use chrono::{DateTime, NaiveDate, Utc};

use super::inputs::FieldProblem;

/// Longest note kept with an absence: a word for colleagues, not a medical record.
pub const NOTE_MAX: usize = 200;

/// An absence as typed, checked: the days run forwards and have not all passed already.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AbsenceInput {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub note: String,
}

/// Checks an absence against the absent person's `today`: the last day may not come before the
/// first, nor lie in the past (planning an absence that is over changes nothing).
pub fn check_absence(
    first_day: NaiveDate,
    last_day: NaiveDate,
    note: &str,
    today: NaiveDate,
) -> Result<AbsenceInput, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    if last_day < first_day {
        problems.push((
            "last_day",
            "The last day cannot come before the first.".to_string(),
        ));
    } else if last_day < today {
        problems.push((
            "last_day",
            "That absence is already over; give days from today on.".to_string(),
        ));
    }
    let note = note.trim();
    if note.chars().count() > NOTE_MAX {
        problems.push(("note", format!("Keep the note to {NOTE_MAX} characters.")));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(AbsenceInput {
        first_day,
        last_day,
        note: note.to_string(),
    })
}

/// The last day of the absence covering `now` in the person's `zone`, following on through
/// absences that overlap it or start the day after it ends, so two back-to-back weeks read as
/// one stretch. `None` when no absence covers now.
pub fn away_until(
    absences: &[(NaiveDate, NaiveDate)],
    now: DateTime<Utc>,
    zone: chrono_tz::Tz,
) -> Option<NaiveDate> {
    let today = now.with_timezone(&zone).date_naive();
    let mut until = absences
        .iter()
        .filter(|(first, last)| *first <= today && today <= *last)
        .map(|(_, last)| *last)
        .max()?;
    // Each pass can only move `until` later, and there are finitely many absences.
    loop {
        let next_day = until.succ_opt().unwrap_or(until);
        let extended = absences
            .iter()
            .filter(|(first, last)| *first <= next_day && *last > until)
            .map(|(_, last)| *last)
            .max();
        match extended {
            Some(last) => until = last,
            None => return Some(until),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::TimeZone;

    type Spans<'a> = &'a [(NaiveDate, NaiveDate)];
    /// First day, last day, note, and the fields refused (or none).
    type AbsenceCase<'a> = (NaiveDate, NaiveDate, &'a str, Result<(), Vec<&'static str>>);

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    fn london(d: u32, h: u32, m: u32, s: u32) -> DateTime<Utc> {
        chrono_tz::Europe::London
            .with_ymd_and_hms(2026, 12, d, h, m, s)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn an_absence_covers_its_days_in_the_persons_zone() {
        let zone = chrono_tz::Europe::London;
        let holiday = [(day(2), day(4))];
        let one_day = [(day(3), day(3))];
        let tomorrow = [(day(3), day(5))];
        let table: [(Spans, DateTime<Utc>, Option<NaiveDate>); 11] = [
            // The first day from its first second, the last to its last.
            (&holiday, london(2, 0, 0, 0), Some(day(4))),
            (&holiday, london(1, 23, 59, 59), None),
            (&holiday, london(4, 23, 59, 59), Some(day(4))),
            // Ending at midnight: back on the stroke of the next day.
            (&holiday, london(5, 0, 0, 0), None),
            // A one-day absence is that day only.
            (&one_day, london(3, 9, 0, 0), Some(day(3))),
            (&one_day, london(2, 23, 59, 59), None),
            (&one_day, london(4, 0, 0, 0), None),
            // Starting tomorrow: present today, however late.
            (&tomorrow, london(2, 23, 59, 59), None),
            (&tomorrow, london(3, 0, 0, 1), Some(day(5))),
            (&[], london(3, 12, 0, 0), None),
            // A back-to-back absence carries on the stretch; one after a gap does not.
            (
                &[(day(1), day(3)), (day(4), day(6)), (day(8), day(9))],
                london(2, 12, 0, 0),
                Some(day(6)),
            ),
        ];
        for (absences, now, expected) in table {
            assert_eq!(
                away_until(absences, now, zone),
                expected,
                "{absences:?} at {now}"
            );
        }
    }

    #[test]
    fn the_day_is_the_persons_own() {
        // 23:30 UTC on 1 Dec is already 2 Dec in Berlin, still 1 Dec in New York.
        let now = Utc
            .with_ymd_and_hms(2026, 12, 1, 23, 30, 0)
            .single()
            .unwrap();
        let absence = [(day(2), day(2))];
        assert_eq!(
            away_until(&absence, now, chrono_tz::Europe::Berlin),
            Some(day(2))
        );
        assert_eq!(
            away_until(&absence, now, chrono_tz::America::New_York),
            None
        );
    }

    #[test]
    fn an_absence_runs_forwards_and_is_not_over() {
        let today = day(2);
        let fields = |r: Result<AbsenceInput, Vec<FieldProblem>>| {
            r.map_err(|p| p.into_iter().map(|(f, _)| f).collect::<Vec<_>>())
        };
        let long_note = "x".repeat(NOTE_MAX + 1);
        let table: [AbsenceCase; 6] = [
            (day(2), day(2), "Dentist", Ok(())),
            (day(1), day(4), "", Ok(())),
            (day(10), day(20), "Holiday", Ok(())),
            (day(5), day(4), "", Err(vec!["last_day"])),
            (day(1), day(1), "", Err(vec!["last_day"])),
            (day(3), day(4), &long_note, Err(vec!["note"])),
        ];
        for (first, last, note, expected) in table {
            let got = fields(check_absence(first, last, note, today)).map(|_| ());
            assert_eq!(got, expected, "{first} – {last}");
        }
        assert_eq!(
            check_absence(day(3), day(4), "  Training  ", today)
                .unwrap()
                .note,
            "Training"
        );
    }
}
