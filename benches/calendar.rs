//! The two calls SLA timers make most: a due date from a target, and the
//! business time elapsed over a long stretch.

use std::hint::black_box;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::America::New_York;
use criterion::{Criterion, criterion_group, criterion_main};
use tierdesk::domain::calendar::BusinessCalendar;

/// New York office hours with a lunch break and the US federal holidays of 2026.
fn office() -> BusinessCalendar {
    let holidays = [
        (1, 1),
        (1, 19),
        (2, 16),
        (5, 25),
        (6, 19),
        (7, 3),
        (9, 7),
        (10, 12),
        (11, 11),
        (11, 26),
        (12, 25),
    ]
    .into_iter()
    .filter_map(|(month, day)| NaiveDate::from_ymd_opt(2026, month, day));
    let built = BusinessCalendar::builder(New_York)
        .open_weekdays("08:00", "12:00")
        .open_weekdays("13:00", "17:30")
        .holidays(holidays)
        .build();
    match built {
        Ok(calendar) => calendar,
        Err(error) => panic!("benchmark calendar: {error}"),
    }
}

fn new_york(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    match New_York
        .with_ymd_and_hms(year, month, day, hour, minute, 0)
        .single()
    {
        Some(t) => t.with_timezone(&Utc),
        None => panic!("{year}-{month}-{day} {hour}:{minute} is not a single New York time"),
    }
}

fn calendar(c: &mut Criterion) {
    let cal = office();
    // A Friday afternoon, so the eight hours run over a weekend.
    let ticket = new_york(2026, 5, 15, 14, 17);
    c.bench_function("add 8 business hours", |b| {
        b.iter(|| cal.add(black_box(ticket), black_box(Duration::hours(8))))
    });
    let (from, to) = (new_york(2026, 1, 1, 0, 0), new_york(2027, 1, 1, 0, 0));
    c.bench_function("between across 2026", |b| {
        b.iter(|| cal.between(black_box(from), black_box(to)))
    });
}

criterion_group!(benches, calendar);
criterion_main!(benches);
