//! The hosted-service and outage forms, parsed into what the uptime commands store. Times are
//! typed in the client's zone (the guarantee is counted in the client's calendar months).

use chrono::{DateTime, NaiveDate, NaiveDateTime, SubsecRound, TimeZone, Utc};
use chrono_tz::Tz;

use super::inputs::{FieldErrors, Line, parse_note};
use super::uptime::{EffectiveRule, Guarantee};

/// A hosted service's terms as a manager enters them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceInput {
    pub name: String,
    pub covers: String,
    pub guarantee: Guarantee,
    pub contract_start: NaiveDate,
    pub rule: EffectiveRule,
    pub planned_counts: bool,
}

/// The raw fields of the service form.
pub struct ServiceFields<'a> {
    pub name: &'a str,
    pub covers: &'a str,
    pub guarantee: &'a str,
    pub contract_start: &'a str,
    /// "after_days" or "after_sign_off".
    pub rule: &'a str,
    pub after_days: &'a str,
    pub planned_counts: bool,
}

pub fn parse_day(raw: &str, what: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| format!("Give the {what} as a date."))
}

/// Parses the service form; a sign-off date is not part of it (a manager signs off apart).
pub fn parse_service(fields: &ServiceFields<'_>) -> Result<ServiceInput, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = errors.take(
        "name",
        Line::parse(fields.name, "a name", 120).map(Line::into_string),
    );
    let covers = errors.take("covers", parse_note(fields.covers, 2000));
    let guarantee = errors.take(
        "guarantee",
        Guarantee::parse(fields.guarantee).map_err(|e| e.to_string()),
    );
    let contract_start = errors.take(
        "contract_start",
        parse_day(fields.contract_start, "contract start"),
    );
    let rule = match fields.rule {
        "after_days" => errors.take(
            "after_days",
            fields
                .after_days
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|d| *d <= 730)
                .map(EffectiveRule::AfterDays)
                .ok_or_else(|| "Give a number of days from 0 to 730.".to_string()),
        ),
        "after_sign_off" => Some(EffectiveRule::AfterSignOff(None)),
        _ => {
            errors.add("rule", "Choose when the guarantee starts to apply.");
            None
        }
    };
    match (name, covers, guarantee, contract_start, rule) {
        (Some(name), Some(covers), Some(guarantee), Some(contract_start), Some(rule))
            if errors.is_empty() =>
        {
            Ok(ServiceInput {
                name,
                covers,
                guarantee,
                contract_start,
                rule,
                planned_counts: fields.planned_counts,
            })
        }
        _ => Err(errors),
    }
}

/// A wall-clock time typed in `tz` ("2026-11-30T23:50" from a datetime-local field, or with a
/// space); the earlier instant when the time repeats, refused when it does not exist.
pub fn parse_local_time(raw: &str, tz: Tz, what: &str) -> Result<DateTime<Utc>, String> {
    let text = raw.trim().replace(' ', "T");
    let naive = NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| format!("Give the {what} as a date and time."))?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| format!("That {what} does not exist in {tz} (the clocks jump forward)."))
}

/// An outage as entered: end empty while ongoing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutageInput {
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    pub planned: bool,
    pub note: String,
}

/// Parses the outage form; an outage cannot end before it starts nor start in the future.
pub fn parse_outage(
    (start, end, note): (&str, &str, &str),
    planned: bool,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<OutageInput, FieldErrors> {
    let mut errors = FieldErrors::new();
    let start = errors.take(
        "started_at",
        parse_local_time(start, tz, "start").and_then(|s| {
            if s > now {
                Err("An outage cannot start in the future.".to_string())
            } else {
                Ok(s)
            }
        }),
    );
    let end = if end.trim().is_empty() {
        Some(None)
    } else {
        errors.take("ended_at", parse_local_time(end, tz, "end").map(Some))
    };
    let note = errors.take("note", parse_note(note, 2000));
    if let (Some(s), Some(Some(e))) = (start, end) {
        if e <= s {
            errors.add("ended_at", "The end must come after the start.");
        } else if e > now {
            errors.add(
                "ended_at",
                "An outage cannot end in the future; leave the end empty while it is ongoing.",
            );
        }
    }
    match (start, end, note) {
        (Some(start), Some(end), Some(note)) if errors.is_empty() => {
            // Both databases keep microseconds at most.
            Ok(OutageInput {
                start: start.trunc_subsecs(6),
                end: end.map(|e| e.trunc_subsecs(6)),
                planned,
                note,
            })
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Berlin;

    fn fields<'a>(guarantee: &'a str, rule: &'a str, days: &'a str) -> ServiceFields<'a> {
        ServiceFields {
            name: "Hosted mail",
            covers: "Exchange Online relay",
            guarantee,
            contract_start: "2026-01-20",
            rule,
            after_days: days,
            planned_counts: false,
        }
    }

    #[test]
    fn the_service_form_parses_or_names_each_bad_field() {
        let ok = parse_service(&fields("99.9", "after_days", "30")).unwrap();
        assert_eq!(ok.rule, EffectiveRule::AfterDays(30));
        assert_eq!(ok.guarantee.thousandths(), 99_900);
        let cases: &[(&str, &str, &str, &str)] = &[
            ("100", "after_days", "30", "guarantee"),
            ("99.9", "after_days", "x", "after_days"),
            ("99.9", "after_days", "731", "after_days"),
            ("99.9", "", "", "rule"),
        ];
        for (g, rule, days, field) in cases {
            let errors = parse_service(&fields(g, rule, days)).unwrap_err();
            assert!(errors.get(field).is_some(), "{g} {rule} {days}");
        }
        assert_eq!(
            parse_service(&fields("99.5", "after_sign_off", ""))
                .unwrap()
                .rule,
            EffectiveRule::AfterSignOff(None)
        );
    }

    #[test]
    fn outage_times_are_read_in_the_client_zone_and_checked() {
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap();
        let o = parse_outage(
            ("2026-11-30T23:50", "2026-12-01 00:30", "Relay down"),
            false,
            Berlin,
            now,
        )
        .unwrap();
        assert_eq!(
            o.start,
            Utc.with_ymd_and_hms(2026, 11, 30, 22, 50, 0).unwrap()
        );
        assert_eq!(
            o.end,
            Some(Utc.with_ymd_and_hms(2026, 11, 30, 23, 30, 0).unwrap())
        );
        let ongoing = parse_outage(("2026-12-01T10:00", "", ""), true, Berlin, now).unwrap();
        assert_eq!(ongoing.end, None);
        let cases: &[(&str, &str, &str)] = &[
            ("2026-12-01T10:00", "2026-12-01T09:00", "ended_at"),
            ("2026-12-02T10:00", "", "started_at"),
            ("2026-12-01T10:00", "2026-12-01T14:00", "ended_at"),
            ("2026-03-29T02:30", "", "started_at"),
            ("yesterday", "", "started_at"),
        ];
        for (s, e, field) in cases {
            let errors = parse_outage((s, e, ""), false, Berlin, now).unwrap_err();
            assert!(errors.get(field).is_some(), "{s} {e}");
        }
    }
}
