//! Business-hours calendars: when a desk is open, and how much open time lies
//! between two instants.
//!
//! A calendar has an IANA zone, weekly opening intervals in local wall-clock
//! time and whole-day holidays. An instant is *open* when its local wall-clock
//! time falls inside one of the intervals of its local date and that date is
//! not a holiday. Business time is the real time that passes while open, so
//! DST days count what actually elapses: a 00:00–24:00 interval lasts 23 hours
//! on a spring-forward day and 25 on a fall-back day, an interval starting in
//! the skipped hour opens when the clock lands after the jump, and a repeated
//! hour counts twice.
//!
//! Everything is computed span by span, never minute by minute: the timeline is
//! cut into stretches of constant UTC offset, and within one stretch local time
//! is plain arithmetic on UTC, so each day costs a handful of integer
//! operations. The work grows with the calendar time walked (some 7 µs per
//! year), not with the durations involved.

use std::cmp::{max, min};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Offset, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

const NANOS_PER_SEC: i128 = 1_000_000_000;
const SECS_PER_DAY: i64 = 86_400;
const MINUTES_PER_DAY: u16 = 1_440;
/// Days from 0001-01-01 (chrono's day 1 of the common era) to 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i64 = 719_163;

/// How far apart the UTC offset is sampled when looking for DST transitions.
/// Two transitions that cancel out within one step would go unseen; the closest
/// such pair in the tz database chrono-tz 0.10 ships (Gaza's Ramadan pauses,
/// Brazil in 2000) is 6.96 days apart, so 3 days leaves a safety factor of two.
const PROBE_SECS: i64 = 3 * SECS_PER_DAY;

/// The longest stretch a walk probes ahead in one go.
const MAX_CHUNK_SECS: i64 = 32 * PROBE_SECS;

/// A walk that meets no open instant for this many days after the last holiday
/// never will: past the holidays the weekly pattern just repeats, and DST can
/// swallow an interval only in the one week of a spring-forward transition.
const QUIET_DAYS: i64 = 28;

const MIN_SECS: i64 = DateTime::<Utc>::MIN_UTC.timestamp();
const MAX_SECS: i64 = DateTime::<Utc>::MAX_UTC.timestamp();
/// Exclusive end of representable time, for walks that have no end of their own.
const END_SECS: i64 = MAX_SECS + 1;
const END_NANOS: i128 = END_SECS as i128 * NANOS_PER_SEC;

/// The days of the week in the order the desk shows them, Monday first.
pub const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// Why a calendar could not be built. The messages are meant to be shown next
/// to the form field that caused them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A time string that is not `HH:MM` (or `H:MM`) between 00:00 and 24:00.
    #[error("'{0}' is not a time of day (HH:MM)")]
    InvalidTime(String),
    /// A minute-of-day beyond 1440 (24:00).
    #[error("minute {0} is past the end of the day (24:00 is minute 1440)")]
    MinuteOutOfRange(u16),
    /// An interval that closes at or before it opens.
    #[error(
        "end {} is not after start {} on {}",
        clock(*.end_minute),
        clock(*.start_minute),
        weekday_name(*.weekday)
    )]
    EndNotAfterStart {
        weekday: Weekday,
        start_minute: u16,
        end_minute: u16,
    },
    /// Two intervals of the same weekday that share time; each is a
    /// `(start_minute, end_minute)` pair. Intervals that merely touch are fine.
    #[error(
        "intervals {} and {} overlap on {}",
        clock_range(*.first),
        clock_range(*.second),
        weekday_name(*.weekday)
    )]
    Overlap {
        weekday: Weekday,
        first: (u16, u16),
        second: (u16, u16),
    },
}

/// One weekly opening interval in local wall-clock time: open from
/// `start_minute` up to, not including, `end_minute`, both counted from local
/// midnight, so 08:00 is 480 and 24:00 (the end of the day) is 1440.
///
/// Plain data for storage and display; only the builder checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OpeningInterval {
    pub weekday: Weekday,
    pub start_minute: u16,
    pub end_minute: u16,
}

impl OpeningInterval {
    fn validated(self) -> Result<Self, CalendarError> {
        if self.start_minute > MINUTES_PER_DAY {
            return Err(CalendarError::MinuteOutOfRange(self.start_minute));
        }
        if self.end_minute > MINUTES_PER_DAY {
            return Err(CalendarError::MinuteOutOfRange(self.end_minute));
        }
        if self.end_minute <= self.start_minute {
            return Err(CalendarError::EndNotAfterStart {
                weekday: self.weekday,
                start_minute: self.start_minute,
                end_minute: self.end_minute,
            });
        }
        Ok(self)
    }
}

/// Collects opening intervals and holidays; [`build`](Self::build) checks them.
///
/// The adding methods never fail so that they chain; the first problem found
/// is reported by `build`.
#[derive(Debug, Clone)]
#[must_use]
pub struct BusinessCalendarBuilder {
    zone: Tz,
    intervals: Vec<Result<OpeningInterval, CalendarError>>,
    holidays: Vec<NaiveDate>,
}

impl BusinessCalendarBuilder {
    /// Opens `weekday` from `start` to `end`, both `HH:MM` (or `H:MM`) local
    /// time, surrounding spaces ignored; `end` may be `24:00`. Call once per
    /// interval (e.g. twice around a lunch break).
    pub fn open(mut self, weekday: Weekday, start: &str, end: &str) -> Self {
        let interval = parse_clock(start).and_then(|start_minute| {
            parse_clock(end).and_then(|end_minute| {
                OpeningInterval {
                    weekday,
                    start_minute,
                    end_minute,
                }
                .validated()
            })
        });
        self.intervals.push(interval);
        self
    }

    /// Like [`open`](Self::open) with minutes from local midnight (end ≤ 1440),
    /// the form the database keeps.
    pub fn open_minutes(mut self, weekday: Weekday, start_minute: u16, end_minute: u16) -> Self {
        let interval = OpeningInterval {
            weekday,
            start_minute,
            end_minute,
        };
        self.intervals.push(interval.validated());
        self
    }

    /// Opens Monday to Friday from `start` to `end`.
    pub fn open_weekdays(self, start: &str, end: &str) -> Self {
        WEEK[..5]
            .iter()
            .fold(self, |builder, &day| builder.open(day, start, end))
    }

    /// Closes a whole local date.
    pub fn holiday(mut self, date: NaiveDate) -> Self {
        self.holidays.push(date);
        self
    }

    /// Closes each of `dates`.
    pub fn holidays(mut self, dates: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.holidays.extend(dates);
        self
    }

    /// Checks the intervals and makes the calendar.
    ///
    /// # Errors
    ///
    /// The first malformed time or out-of-range minute, or interval that does
    /// not end after it starts, in the order they were added; failing those,
    /// the first pair of overlapping intervals, Monday first.
    pub fn build(self) -> Result<BusinessCalendar, CalendarError> {
        let mut week: [Vec<(u16, u16)>; 7] = Default::default();
        for interval in self.intervals {
            let interval = interval?;
            week[interval.weekday.num_days_from_monday() as usize]
                .push((interval.start_minute, interval.end_minute));
        }
        for (&weekday, day) in WEEK.iter().zip(week.iter_mut()) {
            day.sort_unstable();
            // Sorted by start, any overlap shows up between neighbours.
            if let Some(pair) = day.windows(2).find(|pair| pair[1].0 < pair[0].1) {
                return Err(CalendarError::Overlap {
                    weekday,
                    first: pair[0],
                    second: pair[1],
                });
            }
        }
        let mut holidays = self.holidays;
        holidays.sort_unstable();
        holidays.dedup();
        Ok(BusinessCalendar {
            zone: self.zone,
            week,
            holidays,
        })
    }
}

/// Opening hours in one time zone, with holidays. See the module docs for the
/// exact meaning of "open" across DST changes.
///
/// Equality is structural: the same zone, the same intervals (touching
/// intervals are kept as given, not merged) and the same holidays.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessCalendar {
    zone: Tz,
    /// Opening intervals per weekday, Monday first, as minutes from local
    /// midnight; sorted and disjoint.
    week: [Vec<(u16, u16)>; 7],
    /// Sorted, without duplicates.
    holidays: Vec<NaiveDate>,
}

impl BusinessCalendar {
    /// Starts a calendar in `zone` that is closed until intervals are added.
    pub fn builder(zone: Tz) -> BusinessCalendarBuilder {
        BusinessCalendarBuilder {
            zone,
            intervals: Vec::new(),
            holidays: Vec::new(),
        }
    }

    /// Open around the clock, every day, in UTC.
    pub fn always_open() -> Self {
        Self {
            zone: Tz::UTC,
            week: std::array::from_fn(|_| vec![(0, MINUTES_PER_DAY)]),
            holidays: Vec::new(),
        }
    }

    /// The zone whose wall clock the intervals and holidays follow.
    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// The holidays in ascending order, without duplicates.
    pub fn holidays(&self) -> impl Iterator<Item = NaiveDate> {
        self.holidays.iter().copied()
    }

    /// The opening intervals, Monday first and by start time within a day.
    pub fn intervals(&self) -> impl Iterator<Item = OpeningInterval> {
        WEEK.iter().zip(&self.week).flat_map(|(&weekday, day)| {
            day.iter()
                .map(move |&(start_minute, end_minute)| OpeningInterval {
                    weekday,
                    start_minute,
                    end_minute,
                })
        })
    }

    /// Whether `t` lies in an opening interval (intervals are half-open:
    /// the opening minute is in, the closing one out).
    pub fn is_open(&self, t: DateTime<Utc>) -> bool {
        let local = t.timestamp() + utc_offset(self.zone, t.timestamp());
        let day = local.div_euclid(SECS_PER_DAY);
        let second = local.rem_euclid(SECS_PER_DAY);
        // Interval ends are whole seconds, so the sub-second part cannot matter.
        !self.is_holiday(day)
            && self.week[weekday_index(day)]
                .iter()
                .any(|&(open, close)| minute_secs(open) <= second && second < minute_secs(close))
    }

    /// `t` itself when open, else the next instant the calendar opens; `None`
    /// when it never opens again.
    pub fn next_open(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.never_open() {
            return None;
        }
        let (start, _) = self.walk(t, None).next()?;
        from_nanos(start)
    }

    /// The earliest instant by which `d` of business time has passed since `t`.
    ///
    /// `t` itself for a zero (or negative, taken as zero) duration, even when
    /// closed. When the time runs out exactly at a closing time, that closing
    /// time is the answer, not the next opening. `None` when the calendar
    /// never accumulates `d`, or the answer lies past the end of representable
    /// time.
    pub fn add(&self, t: DateTime<Utc>, d: Duration) -> Option<DateTime<Utc>> {
        let mut left = duration_nanos(d);
        if left <= 0 {
            return Some(t);
        }
        // Business time never outruns real time, so the answer is no earlier
        // than t + d; checking that first spares absurd durations a walk to
        // the end of time.
        if self.never_open() || to_nanos(t) + left >= END_NANOS {
            return None;
        }
        for (start, end) in self.walk(t, None) {
            if end - start >= left {
                return from_nanos(start + left);
            }
            left -= end - start;
        }
        None
    }

    /// Business time in `[a, b)`; zero when `b <= a`.
    pub fn between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> Duration {
        if b <= a {
            return Duration::zero();
        }
        let total: i128 = self.walk(a, Some(b)).map(|(start, end)| end - start).sum();
        nanos_duration(total)
    }

    /// The open stretches of `[a, b)` in order, each as `(opens, closes)`,
    /// with stretches that touch (across midnight, say) merged into one.
    pub fn open_spans(
        &self,
        a: DateTime<Utc>,
        b: DateTime<Utc>,
    ) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        if b <= a {
            return Vec::new();
        }
        let mut spans: Vec<(i128, i128)> = Vec::new();
        for (start, end) in self.walk(a, Some(b)) {
            match spans.last_mut() {
                Some(last) if last.1 == start => last.1 = end,
                _ => spans.push((start, end)),
            }
        }
        // Every bound lies within [a, b], so each converts back.
        spans
            .into_iter()
            .filter_map(|(start, end)| Some((from_nanos(start)?, from_nanos(end)?)))
            .collect()
    }

    fn never_open(&self) -> bool {
        self.week.iter().all(Vec::is_empty)
    }

    fn is_holiday(&self, day: i64) -> bool {
        self.holidays
            .binary_search_by_key(&day, |&date| epoch_day(date))
            .is_ok()
    }

    fn walk(&self, from: DateTime<Utc>, until: Option<DateTime<Utc>>) -> SpanWalk<'_> {
        SpanWalk::new(self, from, until)
    }
}

/// The open spans, as `[start, end)` nanoseconds since the Unix epoch, from an
/// instant up to an optional end, in order. A span can be cut where a stretch
/// of constant offset ends, so consecutive spans may touch.
struct SpanWalk<'a> {
    week: &'a [Vec<(u16, u16)>; 7],
    holidays: HolidayCursor<'a>,
    runs: OffsetRuns,
    until: i128,
    /// `until` rounded up to whole seconds, as a limit for `runs`.
    until_secs: i64,
    /// How far ahead the next stretch may reach.
    chunk: i64,
    /// The current stretch of constant offset, clipped to the walk.
    lo: i128,
    hi: i128,
    offset: i64,
    /// The local day being walked, and which of its intervals comes next.
    day: i64,
    weekday: usize,
    interval: usize,
    closed: bool,
    give_up_after: i64,
}

impl<'a> SpanWalk<'a> {
    fn new(cal: &'a BusinessCalendar, from: DateTime<Utc>, until: Option<DateTime<Utc>>) -> Self {
        let (until, until_secs) = match until {
            Some(t) => (
                to_nanos(t),
                t.timestamp() + i64::from(t.timestamp_subsec_nanos() > 0),
            ),
            None => (END_NANOS, END_SECS),
        };
        let mut walk = Self {
            week: &cal.week,
            holidays: HolidayCursor::new(&cal.holidays, from.timestamp().div_euclid(SECS_PER_DAY)),
            runs: OffsetRuns::new(cal.zone, from.timestamp()),
            until,
            until_secs,
            chunk: PROBE_SECS,
            lo: 0,
            // The first stretch starts at the whole second before `from`;
            // `enter_run` clips it to `from` through this.
            hi: to_nanos(from),
            offset: 0,
            day: 0,
            weekday: 0,
            interval: 0,
            closed: true,
            give_up_after: 0,
        };
        walk.enter_run();
        let last_holiday = cal
            .holidays
            .last()
            .map_or(i64::MIN, |&date| epoch_day(date));
        walk.give_up_after = max(walk.day, last_holiday).saturating_add(QUIET_DAYS);
        walk
    }

    /// Moves on to the stretch of constant offset that starts where the
    /// current one ends.
    fn enter_run(&mut self) {
        let limit = min(self.until_secs, self.runs.pos.saturating_add(self.chunk));
        // Short first stretches keep a quick `add` from probing weeks ahead,
        // and a cap keeps one from probing on to the end of time once the
        // zone stops changing; doubling in between keeps long walks from being
        // cut into many stretches.
        self.chunk = min(self.chunk * 2, MAX_CHUNK_SECS);
        let run = self.runs.next(limit);
        self.lo = max(self.hi, secs_nanos(run.start));
        self.hi = min(secs_nanos(run.end), self.until);
        self.offset = run.offset;
        self.enter_day((run.start + run.offset).div_euclid(SECS_PER_DAY));
    }

    fn enter_day(&mut self, day: i64) {
        self.day = day;
        self.weekday = weekday_index(day);
        self.interval = 0;
        self.closed = self.holidays.contains(day);
    }
}

impl Iterator for SpanWalk<'_> {
    type Item = (i128, i128);

    fn next(&mut self) -> Option<(i128, i128)> {
        loop {
            let midnight = secs_nanos(self.day * SECS_PER_DAY - self.offset);
            if midnight >= self.hi {
                if self.hi >= self.until {
                    return None;
                }
                self.enter_run();
                continue;
            }
            if self.day > self.give_up_after {
                return None;
            }
            match self.week[self.weekday].get(self.interval) {
                Some(&(open, close)) if !self.closed => {
                    self.interval += 1;
                    let start = max(midnight + secs_nanos(minute_secs(open)), self.lo);
                    let end = min(midnight + secs_nanos(minute_secs(close)), self.hi);
                    if start < end {
                        self.give_up_after = max(self.give_up_after, self.day + QUIET_DAYS);
                        return Some((start, end));
                    }
                }
                _ => self.enter_day(self.day + 1),
            }
        }
    }
}

/// A stretch `[start, end)` of seconds since the Unix epoch during which the
/// zone's UTC offset (`offset` seconds, local minus UTC) does not change.
struct Run {
    start: i64,
    end: i64,
    offset: i64,
}

/// Cuts the timeline into stretches of constant offset. chrono-tz answers
/// only "what is the offset at this instant", so transitions are found by
/// sampling every [`PROBE_SECS`] and bisecting to the second where it changes.
struct OffsetRuns {
    zone: Tz,
    pos: i64,
    offset: i64,
}

impl OffsetRuns {
    fn new(zone: Tz, pos: i64) -> Self {
        Self {
            zone,
            pos,
            offset: utc_offset(zone, pos),
        }
    }

    /// The stretch from the current position to the next transition or
    /// `limit`, whichever comes first.
    fn next(&mut self, limit: i64) -> Run {
        let start = self.pos;
        let offset = self.offset;
        while self.pos < limit {
            let probe = min(self.pos.saturating_add(PROBE_SECS), limit);
            let probe_offset = utc_offset(self.zone, probe);
            if probe_offset != offset {
                self.bisect(probe, probe_offset);
                break;
            }
            self.pos = probe;
        }
        Run {
            start,
            end: self.pos,
            offset,
        }
    }

    /// Moves to the transition in `(pos, later]`, given the offset at `later`
    /// differs. Transitions fall on whole seconds, so this is exact.
    fn bisect(&mut self, mut later: i64, mut later_offset: i64) {
        let mut earlier = self.pos;
        while later - earlier > 1 {
            let mid = earlier + (later - earlier) / 2;
            let mid_offset = utc_offset(self.zone, mid);
            if mid_offset == self.offset {
                earlier = mid;
            } else {
                later = mid;
                later_offset = mid_offset;
            }
        }
        self.pos = later;
        self.offset = later_offset;
    }
}

/// Answers "is this day a holiday?" in amortised O(1) for a walk whose days
/// mostly move forward, stepping back a little where a stretch of constant
/// offset starts inside a day the previous one had already reached.
struct HolidayCursor<'a> {
    holidays: &'a [NaiveDate],
    /// The first holiday on or after the last day asked about.
    index: usize,
    /// Epoch days of the holidays at `index - 1` and `index`, or sentinels.
    before: i64,
    at: i64,
}

impl<'a> HolidayCursor<'a> {
    /// Starts the cursor near `day` so a walk need not step over every
    /// holiday of past years.
    fn new(holidays: &'a [NaiveDate], day: i64) -> Self {
        let mut cursor = Self {
            holidays,
            index: holidays.partition_point(|&date| epoch_day(date) < day),
            before: i64::MIN,
            at: i64::MIN,
        };
        cursor.load();
        cursor
    }

    fn contains(&mut self, day: i64) -> bool {
        while day <= self.before {
            self.index -= 1;
            self.load();
        }
        while day > self.at {
            self.index += 1;
            self.load();
        }
        day == self.at
    }

    fn load(&mut self) {
        let day_at = |index: Option<usize>| {
            index
                .and_then(|index| self.holidays.get(index))
                .map(|&date| epoch_day(date))
        };
        self.before = day_at(self.index.checked_sub(1)).unwrap_or(i64::MIN);
        self.at = day_at(Some(self.index)).unwrap_or(i64::MAX);
    }
}

/// The zone's offset (local minus UTC, in seconds) at `secs` since the Unix
/// epoch. Past either end of representable time the offset at that end
/// stands in, so walks need no special case there.
fn utc_offset(zone: Tz, secs: i64) -> i64 {
    DateTime::from_timestamp(secs.clamp(MIN_SECS, MAX_SECS), 0).map_or(0, |t| {
        i64::from(
            zone.offset_from_utc_datetime(&t.naive_utc())
                .fix()
                .local_minus_utc(),
        )
    })
}

fn epoch_day(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) - UNIX_EPOCH_DAYS_FROM_CE
}

/// Monday = 0 for a day counted from 1970-01-01, which was a Thursday.
fn weekday_index(day: i64) -> usize {
    (day + 3).rem_euclid(7) as usize
}

fn minute_secs(minute: u16) -> i64 {
    i64::from(minute) * 60
}

fn secs_nanos(secs: i64) -> i128 {
    i128::from(secs) * NANOS_PER_SEC
}

fn to_nanos(t: DateTime<Utc>) -> i128 {
    secs_nanos(t.timestamp()) + i128::from(t.timestamp_subsec_nanos())
}

fn from_nanos(nanos: i128) -> Option<DateTime<Utc>> {
    let secs = i64::try_from(nanos.div_euclid(NANOS_PER_SEC)).ok()?;
    let subsec = u32::try_from(nanos.rem_euclid(NANOS_PER_SEC)).ok()?;
    DateTime::from_timestamp(secs, subsec)
}

fn duration_nanos(d: Duration) -> i128 {
    secs_nanos(d.num_seconds()) + i128::from(d.subsec_nanos())
}

/// Saturates: business time beyond `Duration::MAX` cannot be expressed.
fn nanos_duration(nanos: i128) -> Duration {
    i64::try_from(nanos.div_euclid(NANOS_PER_SEC))
        .ok()
        .zip(u32::try_from(nanos.rem_euclid(NANOS_PER_SEC)).ok())
        .and_then(|(secs, subsec)| Duration::new(secs, subsec))
        .unwrap_or(Duration::MAX)
}

/// Parses `HH:MM` (or `H:MM`) into minutes from midnight; `24:00` is 1440.
fn parse_clock(text: &str) -> Result<u16, CalendarError> {
    let invalid = || CalendarError::InvalidTime(text.to_owned());
    let (hours, minutes) = text.trim().split_once(':').ok_or_else(invalid)?;
    let digits = |part: &str, max_len: usize| {
        (1..=max_len).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(hours, 2) || !digits(minutes, 2) || minutes.len() != 2 {
        return Err(invalid());
    }
    let hours: u16 = hours.parse().map_err(|_| invalid())?;
    let minutes: u16 = minutes.parse().map_err(|_| invalid())?;
    match (hours, minutes) {
        (0..=23, 0..=59) | (24, 0) => Ok(hours * 60 + minutes),
        _ => Err(invalid()),
    }
}

fn clock(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

fn clock_range((start, end): (u16, u16)) -> String {
    format!("{}–{}", clock(start), clock(end))
}

/// The day's full English name, as the calendar pages and opening-hours texts spell it.
pub fn weekday_name(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::domain::test_time::ny;
    use chrono::Timelike;
    use chrono_tz::America::New_York;
    use chrono_tz::Europe::London;
    use proptest::prelude::*;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn minutes(n: i64) -> Duration {
        Duration::minutes(n)
    }

    fn hours(n: i64) -> Duration {
        Duration::hours(n)
    }

    fn nanos(n: i64) -> Duration {
        Duration::nanoseconds(n)
    }

    /// The blueprints' desk: 07:00–18:00 on weekdays, two holidays on Fridays.
    fn office() -> BusinessCalendar {
        BusinessCalendar::builder(New_York)
            .open_weekdays("07:00", "18:00")
            .holiday(date(2026, 12, 25))
            .holiday(date(2026, 7, 3))
            .build()
            .unwrap()
    }

    fn lunch() -> BusinessCalendar {
        BusinessCalendar::builder(New_York)
            .open_weekdays("08:00", "12:00")
            .open_weekdays("13:00", "17:30")
            .build()
            .unwrap()
    }

    /// A night shift that crosses midnight as two intervals.
    fn night() -> BusinessCalendar {
        BusinessCalendar::builder(New_York)
            .open(Weekday::Mon, "18:00", "24:00")
            .open(Weekday::Tue, "00:00", "06:00")
            .build()
            .unwrap()
    }

    fn saturday_evening() -> BusinessCalendar {
        BusinessCalendar::builder(New_York)
            .open(Weekday::Sat, "12:00", "24:00")
            .build()
            .unwrap()
    }

    fn sundays(zone: Tz, start: &str, end: &str) -> BusinessCalendar {
        BusinessCalendar::builder(zone)
            .open(Weekday::Sun, start, end)
            .build()
            .unwrap()
    }

    fn never() -> BusinessCalendar {
        BusinessCalendar::builder(New_York)
            .holiday(date(2026, 5, 11))
            .build()
            .unwrap()
    }

    // 2026-05-11 is a Monday; 2026-03-08 and 2026-11-01 are the US DST
    // Sundays, 2026-03-29 and 2026-10-25 the British ones.

    #[test]
    fn add_table() {
        #[rustfmt::skip]
        let cases = [
            ("blueprint", office(), ny((2026, 5, 15), 17, 45), minutes(30), ny((2026, 5, 18), 7, 15)),
            ("blueprint over the spring-forward weekend", office(), ny((2026, 3, 6), 17, 45), minutes(30), ny((2026, 3, 9), 7, 15)),
            ("within hours", office(), ny((2026, 5, 12), 9, 0), hours(2), ny((2026, 5, 12), 11, 0)),
            ("zero while closed", office(), ny((2026, 5, 16), 10, 0), Duration::zero(), ny((2026, 5, 16), 10, 0)),
            ("zero at closing", office(), ny((2026, 5, 11), 18, 0), Duration::zero(), ny((2026, 5, 11), 18, 0)),
            ("negative is zero", office(), ny((2026, 5, 16), 10, 0), hours(-5), ny((2026, 5, 16), 10, 0)),
            ("before opening", office(), ny((2026, 5, 11), 6, 0), hours(1), ny((2026, 5, 11), 8, 0)),
            ("after closing", office(), ny((2026, 5, 11), 19, 0), hours(1), ny((2026, 5, 12), 8, 0)),
            ("on a holiday", office(), ny((2026, 12, 25), 10, 0), hours(1), ny((2026, 12, 28), 8, 0)),
            ("across a holiday", office(), ny((2026, 12, 24), 17, 30), hours(1), ny((2026, 12, 28), 7, 30)),
            ("lands on closing, no roll", office(), ny((2026, 5, 11), 17, 0), hours(1), ny((2026, 5, 11), 18, 0)),
            ("whole day from opening", office(), ny((2026, 5, 11), 7, 0), hours(11), ny((2026, 5, 11), 18, 0)),
            ("whole day from closing", office(), ny((2026, 5, 11), 18, 0), hours(11), ny((2026, 5, 12), 18, 0)),
            ("one nanosecond from closing", office(), ny((2026, 5, 11), 18, 0), nanos(1), ny((2026, 5, 12), 7, 0) + nanos(1)),
            ("eight weeks", office(), ny((2026, 1, 5), 7, 0), hours(8 * 55), ny((2026, 2, 27), 18, 0)),
            ("over lunch", lunch(), ny((2026, 5, 11), 11, 30), hours(1), ny((2026, 5, 11), 13, 30)),
            ("up to lunch", lunch(), ny((2026, 5, 11), 11, 0), hours(1), ny((2026, 5, 11), 12, 0)),
            ("from lunch", lunch(), ny((2026, 5, 11), 12, 15), minutes(30), ny((2026, 5, 11), 13, 30)),
            ("over midnight", night(), ny((2026, 5, 11), 23, 0), hours(2), ny((2026, 5, 12), 1, 0)),
            ("to the next week", night(), ny((2026, 5, 12), 5, 0), hours(2), ny((2026, 5, 18), 19, 0)),
            ("24:00 end", saturday_evening(), ny((2026, 5, 16), 23, 0), hours(2), ny((2026, 5, 23), 13, 0)),
            ("24/7", BusinessCalendar::always_open(), utc("2026-05-11T10:20:30.5Z"), hours(100), utc("2026-05-15T14:20:30.5Z")),
            ("23-hour spring Sunday", sundays(New_York, "00:00", "24:00"), ny((2026, 3, 8), 0, 0), hours(23), utc("2026-03-09T04:00:00Z")),
            ("past the 23-hour Sunday", sundays(New_York, "00:00", "24:00"), ny((2026, 3, 8), 0, 0), hours(24), ny((2026, 3, 15), 1, 0)),
            ("25-hour fall Sunday", sundays(New_York, "00:00", "24:00"), ny((2026, 11, 1), 0, 0), hours(25), utc("2026-11-02T05:00:00Z")),
            ("past the 25-hour Sunday", sundays(New_York, "00:00", "24:00"), ny((2026, 11, 1), 0, 0), hours(26), ny((2026, 11, 8), 1, 0)),
            ("opening in the skipped hour", sundays(New_York, "02:30", "05:00"), ny((2026, 3, 7), 12, 0), minutes(30), utc("2026-03-08T07:30:00Z")),
            ("around the skipped hour", sundays(New_York, "01:30", "03:30"), ny((2026, 3, 7), 12, 0), hours(1), utc("2026-03-08T07:30:00Z")),
            ("past the shortened interval", sundays(New_York, "01:30", "03:30"), ny((2026, 3, 7), 12, 0), minutes(61), ny((2026, 3, 15), 1, 31)),
            ("around the repeated hour", sundays(New_York, "01:30", "03:30"), ny((2026, 10, 31), 12, 0), minutes(150), utc("2026-11-01T08:30:00Z")),
            ("first pass of the repeated hour", sundays(New_York, "01:30", "03:30"), ny((2026, 10, 31), 12, 0), minutes(30), utc("2026-11-01T06:00:00Z")),
            ("second pass of the repeated hour", sundays(New_York, "01:30", "03:30"), ny((2026, 10, 31), 12, 0), minutes(31), utc("2026-11-01T06:31:00Z")),
            ("London spring", sundays(London, "00:30", "02:30"), utc("2026-03-28T12:00:00Z"), hours(1), utc("2026-03-29T01:30:00Z")),
            ("London up to the jump", sundays(London, "00:30", "02:30"), utc("2026-03-28T12:00:00Z"), minutes(30), utc("2026-03-29T01:00:00Z")),
            ("London fall", sundays(London, "00:30", "02:30"), utc("2026-10-24T12:00:00Z"), hours(3), utc("2026-10-25T02:30:00Z")),
            ("London first pass", sundays(London, "00:30", "02:30"), utc("2026-10-24T12:00:00Z"), minutes(90), utc("2026-10-25T01:00:00Z")),
        ];
        for (label, cal, start, duration, due) in cases {
            assert_eq!(cal.add(start, duration), Some(due), "{label}");
        }
    }

    #[test]
    fn add_gives_up() {
        let start = ny((2026, 5, 11), 9, 0);
        assert_eq!(never().add(start, nanos(1)), None);
        assert_eq!(never().add(start, Duration::zero()), Some(start));
        assert_eq!(office().add(start, Duration::MAX), None);
        assert_eq!(office().add(start, Duration::MIN), Some(start));
        let always = BusinessCalendar::always_open();
        let end = DateTime::<Utc>::MAX_UTC;
        assert_eq!(always.add(end - hours(1), hours(2)), None);
        assert_eq!(always.add(end - hours(1), hours(1)), Some(end));
        // Representable time ends on a Monday (in New York too), so no Sunday
        // follows.
        let sunday = sundays(New_York, "00:00", "24:00");
        assert_eq!(sunday.add(end - hours(6), hours(1)), None);
        assert_eq!(sunday.next_open(end - hours(6)), None);
    }

    #[test]
    fn between_table() {
        let sunday_full = sundays(New_York, "00:00", "24:00");
        #[rustfmt::skip]
        let cases = [
            ("blueprint", office(), ny((2026, 5, 15), 17, 45), ny((2026, 5, 18), 7, 5), minutes(20)),
            ("blueprint over the spring-forward weekend", office(), ny((2026, 3, 6), 17, 45), ny((2026, 3, 9), 7, 5), minutes(20)),
            ("reversed", office(), ny((2026, 5, 18), 7, 5), ny((2026, 5, 15), 17, 45), Duration::zero()),
            ("empty", office(), ny((2026, 5, 11), 9, 0), ny((2026, 5, 11), 9, 0), Duration::zero()),
            ("closed stretch", office(), ny((2026, 5, 11), 18, 0), ny((2026, 5, 12), 7, 0), Duration::zero()),
            ("a week", office(), ny((2026, 5, 11), 0, 0), ny((2026, 5, 18), 0, 0), hours(55)),
            ("a week with a holiday", office(), ny((2026, 12, 21), 0, 0), ny((2026, 12, 28), 0, 0), hours(44)),
            ("half-open at both ends", office(), ny((2026, 5, 11), 7, 0), ny((2026, 5, 11), 18, 0), hours(11)),
            ("one nanosecond before opening", office(), ny((2026, 5, 11), 7, 0) - nanos(1), ny((2026, 5, 11), 7, 0), Duration::zero()),
            ("one nanosecond before closing", office(), ny((2026, 5, 11), 18, 0) - nanos(1), ny((2026, 5, 11), 18, 0), nanos(1)),
            ("eight weeks", office(), ny((2026, 1, 5), 0, 0), ny((2026, 3, 2), 0, 0), hours(8 * 55)),
            ("lunch week", lunch(), ny((2026, 5, 11), 0, 0), ny((2026, 5, 18), 0, 0), minutes(5 * 510)),
            ("around lunch", lunch(), ny((2026, 5, 11), 11, 0), ny((2026, 5, 11), 14, 0), hours(2)),
            ("lunch year", lunch(), ny((2026, 1, 1), 0, 0), ny((2027, 1, 1), 0, 0), minutes(261 * 510)),
            ("over midnight", night(), ny((2026, 5, 11), 20, 0), ny((2026, 5, 12), 2, 0), hours(6)),
            ("24:00 end", saturday_evening(), ny((2026, 5, 16), 23, 30), ny((2026, 5, 17), 12, 0), minutes(30)),
            ("24/7", BusinessCalendar::always_open(), utc("2026-05-11T10:20:30.25Z"), utc("2027-02-03T04:05:06.5Z"), utc("2027-02-03T04:05:06.5Z") - utc("2026-05-11T10:20:30.25Z")),
            ("spring Sunday", sunday_full.clone(), ny((2026, 3, 7), 0, 0), ny((2026, 3, 10), 0, 0), hours(23)),
            ("fall Sunday", sunday_full, ny((2026, 10, 31), 0, 0), ny((2026, 11, 3), 0, 0), hours(25)),
            ("around the skipped hour", sundays(New_York, "01:30", "03:30"), ny((2026, 3, 7), 0, 0), ny((2026, 3, 9), 0, 0), hours(1)),
            ("around the repeated hour", sundays(New_York, "01:30", "03:30"), ny((2026, 10, 31), 0, 0), ny((2026, 11, 2), 0, 0), minutes(150)),
            ("opening in the skipped hour", sundays(New_York, "02:30", "05:00"), ny((2026, 3, 7), 0, 0), ny((2026, 3, 9), 0, 0), hours(2)),
            ("London spring", sundays(London, "00:30", "02:30"), utc("2026-03-28T00:00:00Z"), utc("2026-03-30T00:00:00Z"), hours(1)),
            ("London fall", sundays(London, "00:30", "02:30"), utc("2026-10-24T00:00:00Z"), utc("2026-10-26T00:00:00Z"), hours(3)),
            ("never open", never(), ny((2026, 1, 1), 0, 0), ny((2027, 1, 1), 0, 0), Duration::zero()),
        ];
        for (label, cal, a, b, expected) in cases {
            assert_eq!(cal.between(a, b), expected, "{label}");
        }
    }

    #[test]
    fn long_walks() {
        // 150 years of office hours run well past 2099, where chrono-tz's
        // transition table ends.
        let start = ny((2026, 5, 11), 9, 0);
        let d = hours(55 * 52 * 150);
        let due = office().add(start, d).unwrap();
        assert_eq!(due.year(), 2175);
        assert_eq!(office().between(start, due), d);
    }

    #[test]
    fn between_at_the_ends_of_time() {
        let always = BusinessCalendar::always_open();
        let (first, last) = (DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC);
        assert_eq!(always.between(last - hours(1), last), hours(1));
        assert_eq!(always.between(first, first + hours(30)), hours(30));
        assert_eq!(
            office().between(first, first + Duration::weeks(2)),
            hours(110)
        );
    }

    #[test]
    fn is_open_table() {
        #[rustfmt::skip]
        let cases = [
            ("at opening", office(), ny((2026, 5, 11), 7, 0), true),
            ("just before opening", office(), ny((2026, 5, 11), 7, 0) - nanos(1), false),
            ("just before closing", office(), ny((2026, 5, 11), 18, 0) - nanos(1), true),
            ("at closing", office(), ny((2026, 5, 11), 18, 0), false),
            ("weekend", office(), ny((2026, 5, 16), 10, 0), false),
            ("holiday", office(), ny((2026, 12, 25), 10, 0), false),
            ("holiday eve", office(), ny((2026, 12, 24), 10, 0), true),
            ("lunch", lunch(), ny((2026, 5, 11), 12, 30), false),
            ("after lunch", lunch(), ny((2026, 5, 11), 13, 0), true),
            ("midnight between adjacent intervals", night(), ny((2026, 5, 12), 0, 0), true),
            ("last second before midnight", night(), ny((2026, 5, 11), 23, 59) + Duration::seconds(59), true),
            ("end of the night shift", night(), ny((2026, 5, 12), 6, 0), false),
            ("until 24:00", saturday_evening(), ny((2026, 5, 17), 0, 0) - nanos(1), true),
            ("after 24:00", saturday_evening(), ny((2026, 5, 17), 0, 0), false),
            ("after the jump", sundays(New_York, "01:30", "03:30"), utc("2026-03-08T07:15:00Z"), true),
            ("closed after the shortened interval", sundays(New_York, "01:30", "03:30"), utc("2026-03-08T07:30:00Z"), false),
            ("first 01:45", sundays(New_York, "01:30", "03:30"), utc("2026-11-01T05:45:00Z"), true),
            ("second 01:15", sundays(New_York, "01:30", "03:30"), utc("2026-11-01T06:15:00Z"), false),
            ("second 01:45", sundays(New_York, "01:30", "03:30"), utc("2026-11-01T06:45:00Z"), true),
            ("London 01:45 BST", sundays(London, "00:30", "02:30"), utc("2026-10-25T00:45:00Z"), true),
            ("London 01:15 GMT", sundays(London, "00:30", "02:30"), utc("2026-10-25T01:15:00Z"), true),
            ("London 02:30 GMT", sundays(London, "00:30", "02:30"), utc("2026-10-25T02:30:00Z"), false),
            ("always", BusinessCalendar::always_open(), utc("2026-12-25T03:04:05Z"), true),
            ("never", never(), ny((2026, 5, 12), 10, 0), false),
        ];
        for (label, cal, t, expected) in cases {
            assert_eq!(cal.is_open(t), expected, "{label}");
        }
    }

    #[test]
    fn next_open_table() {
        #[rustfmt::skip]
        let cases = [
            ("open now", office(), ny((2026, 5, 11), 7, 0), Some(ny((2026, 5, 11), 7, 0))),
            ("at closing", office(), ny((2026, 5, 11), 18, 0), Some(ny((2026, 5, 12), 7, 0))),
            ("Friday evening", office(), ny((2026, 5, 15), 18, 0), Some(ny((2026, 5, 18), 7, 0))),
            ("before a holiday", office(), ny((2026, 12, 24), 18, 0), Some(ny((2026, 12, 28), 7, 0))),
            ("lunch", lunch(), ny((2026, 5, 11), 12, 0), Some(ny((2026, 5, 11), 13, 0))),
            ("opening in the skipped hour", sundays(New_York, "02:30", "05:00"), ny((2026, 3, 7), 12, 0), Some(utc("2026-03-08T07:00:00Z"))),
            ("opening in the repeated hour", sundays(New_York, "01:30", "03:30"), utc("2026-11-01T06:00:00Z"), Some(utc("2026-11-01T06:30:00Z"))),
            ("never", never(), ny((2026, 5, 11), 9, 0), None),
        ];
        for (label, cal, t, expected) in cases {
            assert_eq!(cal.next_open(t), expected, "{label}");
        }
    }

    #[test]
    fn open_spans_merge_and_clip() {
        assert_eq!(
            night().open_spans(ny((2026, 5, 11), 12, 0), ny((2026, 5, 13), 12, 0)),
            vec![(ny((2026, 5, 11), 18, 0), ny((2026, 5, 12), 6, 0))]
        );
        assert_eq!(
            lunch().open_spans(ny((2026, 5, 11), 9, 0), ny((2026, 5, 11), 15, 0)),
            vec![
                (ny((2026, 5, 11), 9, 0), ny((2026, 5, 11), 12, 0)),
                (ny((2026, 5, 11), 13, 0), ny((2026, 5, 11), 15, 0)),
            ]
        );
        // Both passes through the repeated hour follow each other in real time.
        assert_eq!(
            sundays(London, "00:30", "02:30")
                .open_spans(utc("2026-10-24T00:00:00Z"), utc("2026-10-26T00:00:00Z")),
            vec![(utc("2026-10-24T23:30:00Z"), utc("2026-10-25T02:30:00Z"))]
        );
        assert_eq!(
            sundays(New_York, "01:30", "03:30")
                .open_spans(utc("2026-11-01T00:00:00Z"), utc("2026-11-02T00:00:00Z")),
            vec![
                (utc("2026-11-01T05:30:00Z"), utc("2026-11-01T06:00:00Z")),
                (utc("2026-11-01T06:30:00Z"), utc("2026-11-01T08:30:00Z")),
            ]
        );
        assert!(
            office()
                .open_spans(ny((2026, 5, 12), 0, 0), ny((2026, 5, 11), 0, 0))
                .is_empty()
        );
    }

    #[test]
    fn offset_runs_end_at_transitions() {
        let mut runs = OffsetRuns::new(New_York, utc("2026-01-01T00:00:00Z").timestamp());
        let limit = utc("2027-01-01T00:00:00Z").timestamp();
        let mut ends = Vec::new();
        loop {
            let run = runs.next(limit);
            ends.push((
                DateTime::from_timestamp(run.end, 0).unwrap(),
                run.offset / 3600,
            ));
            if run.end == limit {
                break;
            }
        }
        assert_eq!(
            ends,
            vec![
                (utc("2026-03-08T07:00:00Z"), -5),
                (utc("2026-11-01T06:00:00Z"), -4),
                (utc("2027-01-01T00:00:00Z"), -5),
            ]
        );
    }

    #[test]
    fn builder_errors() {
        let builder = || BusinessCalendar::builder(New_York);
        let invalid = |text: &str| CalendarError::InvalidTime(text.to_owned());
        let cases = [
            (
                builder().open(Weekday::Mon, "25:00", "26:00"),
                invalid("25:00"),
                "'25:00' is not a time of day (HH:MM)",
            ),
            (
                builder().open(Weekday::Mon, "07:00", "7:5x"),
                invalid("7:5x"),
                "'7:5x' is not a time of day (HH:MM)",
            ),
            (
                builder().open(Weekday::Mon, "07:00", "24:01"),
                invalid("24:01"),
                "'24:01' is not a time of day (HH:MM)",
            ),
            (
                builder().open(Weekday::Mon, "", "10:00"),
                invalid(""),
                "'' is not a time of day (HH:MM)",
            ),
            (
                builder().open(Weekday::Mon, "12:60", "13:00"),
                invalid("12:60"),
                "'12:60' is not a time of day (HH:MM)",
            ),
            (
                builder().open(Weekday::Mon, "-1:00", "13:00"),
                invalid("-1:00"),
                "'-1:00' is not a time of day (HH:MM)",
            ),
            (
                builder().open(Weekday::Mon, "1200", "13:00"),
                invalid("1200"),
                "'1200' is not a time of day (HH:MM)",
            ),
            (
                builder().open(Weekday::Mon, "12:3", "13:00"),
                invalid("12:3"),
                "'12:3' is not a time of day (HH:MM)",
            ),
            (
                builder().open(Weekday::Mon, "012:00", "13:00"),
                invalid("012:00"),
                "'012:00' is not a time of day (HH:MM)",
            ),
            (
                builder().open(Weekday::Mon, "+1:00", "13:00"),
                invalid("+1:00"),
                "'+1:00' is not a time of day (HH:MM)",
            ),
            (
                builder().open(Weekday::Mon, "18:00", "17:00"),
                CalendarError::EndNotAfterStart {
                    weekday: Weekday::Mon,
                    start_minute: 1080,
                    end_minute: 1020,
                },
                "end 17:00 is not after start 18:00 on Monday",
            ),
            (
                builder().open(Weekday::Sun, "09:00", "09:00"),
                CalendarError::EndNotAfterStart {
                    weekday: Weekday::Sun,
                    start_minute: 540,
                    end_minute: 540,
                },
                "end 09:00 is not after start 09:00 on Sunday",
            ),
            (
                builder().open(Weekday::Fri, "24:00", "24:00"),
                CalendarError::EndNotAfterStart {
                    weekday: Weekday::Fri,
                    start_minute: 1440,
                    end_minute: 1440,
                },
                "end 24:00 is not after start 24:00 on Friday",
            ),
            (
                builder()
                    .open(Weekday::Tue, "11:00", "13:00")
                    .open(Weekday::Tue, "08:00", "12:00"),
                CalendarError::Overlap {
                    weekday: Weekday::Tue,
                    first: (480, 720),
                    second: (660, 780),
                },
                "intervals 08:00–12:00 and 11:00–13:00 overlap on Tuesday",
            ),
            (
                builder()
                    .open(Weekday::Wed, "08:00", "12:00")
                    .open(Weekday::Wed, "08:00", "12:00"),
                CalendarError::Overlap {
                    weekday: Weekday::Wed,
                    first: (480, 720),
                    second: (480, 720),
                },
                "intervals 08:00–12:00 and 08:00–12:00 overlap on Wednesday",
            ),
            (
                builder()
                    .open(Weekday::Thu, "00:00", "24:00")
                    .open(Weekday::Thu, "23:00", "24:00"),
                CalendarError::Overlap {
                    weekday: Weekday::Thu,
                    first: (0, 1440),
                    second: (1380, 1440),
                },
                "intervals 00:00–24:00 and 23:00–24:00 overlap on Thursday",
            ),
            (
                builder().open_minutes(Weekday::Sat, 0, 1441),
                CalendarError::MinuteOutOfRange(1441),
                "minute 1441 is past the end of the day (24:00 is minute 1440)",
            ),
            (
                builder().open_minutes(Weekday::Sat, 600, 540),
                CalendarError::EndNotAfterStart {
                    weekday: Weekday::Sat,
                    start_minute: 600,
                    end_minute: 540,
                },
                "end 09:00 is not after start 10:00 on Saturday",
            ),
            // The first problem in call order wins.
            (
                builder()
                    .open(Weekday::Mon, "08:00", "07:00")
                    .open(Weekday::Mon, "x", "y"),
                CalendarError::EndNotAfterStart {
                    weekday: Weekday::Mon,
                    start_minute: 480,
                    end_minute: 420,
                },
                "end 07:00 is not after start 08:00 on Monday",
            ),
        ];
        for (builder, error, message) in cases {
            let result = builder.build();
            assert_eq!(result.as_ref().err(), Some(&error), "{message}");
            assert_eq!(error.to_string(), message);
        }
    }

    #[test]
    fn builder_accepts_and_reports_back() {
        let cal = BusinessCalendar::builder(London)
            .open(Weekday::Tue, "13:00", "24:00")
            .open(Weekday::Tue, " 8:00 ", "13:00")
            .open_minutes(Weekday::Mon, 0, 1440)
            .holidays([date(2026, 12, 25), date(2026, 1, 1), date(2026, 12, 25)])
            .build()
            .unwrap();
        assert_eq!(cal.zone(), London);
        assert_eq!(
            cal.holidays().collect::<Vec<_>>(),
            vec![date(2026, 1, 1), date(2026, 12, 25)]
        );
        let interval = |weekday, start_minute, end_minute| OpeningInterval {
            weekday,
            start_minute,
            end_minute,
        };
        assert_eq!(
            cal.intervals().collect::<Vec<_>>(),
            vec![
                interval(Weekday::Mon, 0, 1440),
                interval(Weekday::Tue, 480, 780),
                interval(Weekday::Tue, 780, 1440),
            ]
        );
        let rebuilt = cal
            .intervals()
            .fold(BusinessCalendar::builder(cal.zone()), |builder, i| {
                builder.open_minutes(i.weekday, i.start_minute, i.end_minute)
            })
            .holidays(cal.holidays())
            .build()
            .unwrap();
        assert_eq!(rebuilt, cal);
        assert_ne!(rebuilt, BusinessCalendar::always_open());
        assert_eq!(BusinessCalendar::always_open().zone(), Tz::UTC);
        assert_eq!(BusinessCalendar::always_open().intervals().count(), 7);
    }

    // ---- Laws, on a realistic calendar ------------------------------------

    fn realistic() -> BusinessCalendar {
        BusinessCalendar::builder(New_York)
            .open_weekdays("08:00", "12:00")
            .open_weekdays("13:00", "17:30")
            .open(Weekday::Sat, "09:00", "13:00")
            .holidays([
                date(2025, 7, 4),
                date(2025, 12, 25),
                date(2026, 1, 1),
                date(2026, 3, 9),
                date(2026, 11, 2),
                date(2026, 11, 26),
                date(2026, 12, 25),
                date(2027, 1, 1),
            ])
            .build()
            .unwrap()
    }

    /// Any instant of 2025–2027, to the nanosecond.
    fn instant() -> impl Strategy<Value = DateTime<Utc>> {
        let from = utc("2025-01-01T00:00:00Z").timestamp();
        let to = utc("2028-01-01T00:00:00Z").timestamp();
        (from..to, 0..1_000_000_000u32)
            .prop_map(|(secs, subsec)| DateTime::from_timestamp(secs, subsec).unwrap())
    }

    /// Up to 300 hours of business time, to the nanosecond, often round.
    fn business_time() -> impl Strategy<Value = Duration> {
        prop_oneof![
            (0..300 * 3_600_000_000_000i64).prop_map(Duration::nanoseconds),
            (0..300 * 4i64).prop_map(|quarters| minutes(15 * quarters)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// between(a, b) + between(b, c) == between(a, c) for a <= b <= c.
        #[test]
        fn between_is_additive(mut points in [instant(), instant(), instant()]) {
            points.sort();
            let [a, b, c] = points;
            let cal = realistic();
            prop_assert_eq!(cal.between(a, b) + cal.between(b, c), cal.between(a, c));
            prop_assert!(cal.between(a, c) <= c - a);
        }

        /// add(t, d) is the earliest instant with between(t, add(t, d)) == d.
        #[test]
        fn add_inverts_between(t in instant(), d in business_time()) {
            let cal = realistic();
            let due = cal.add(t, d).unwrap();
            prop_assert_eq!(cal.between(t, due), d);
            if d > Duration::zero() {
                prop_assert!(cal.between(t, due - nanos(1)) < d);
                // Time runs out while open, or exactly at a closing time.
                prop_assert!(cal.is_open(due - nanos(1)));
            } else {
                prop_assert_eq!(due, t);
            }
        }

        /// add is monotonic in both arguments and adding in two steps equals
        /// adding the sum.
        #[test]
        fn add_is_monotonic_and_composes(
            t1 in instant(), t2 in instant(), d1 in business_time(), d2 in business_time()
        ) {
            let cal = realistic();
            let (early, late) = (t1.min(t2), t1.max(t2));
            let (short, long) = (d1.min(d2), d1.max(d2));
            prop_assert!(cal.add(early, short) <= cal.add(early, long));
            prop_assert!(cal.add(early, short) <= cal.add(late, short));
            let stepwise = cal.add(cal.add(t1, d1).unwrap(), d2);
            prop_assert_eq!(stepwise, cal.add(t1, d1 + d2));
        }

        /// is_open(t) exactly when some business time follows t at once, and
        /// next_open is the first open instant from t on.
        #[test]
        fn is_open_and_next_open_agree(t in instant()) {
            let cal = realistic();
            prop_assert_eq!(cal.is_open(t), cal.between(t, t + nanos(1)) > Duration::zero());
            let next = cal.next_open(t).unwrap();
            prop_assert!(next >= t);
            prop_assert!(cal.is_open(next));
            prop_assert_eq!(cal.between(t, next), Duration::zero());
            prop_assert_eq!(next == t, cal.is_open(t));
        }

        /// open_spans are ordered, apart from each other, open throughout,
        /// and add up to between.
        #[test]
        fn open_spans_cover_between(a in instant(), span in 0..40 * 86_400i64) {
            let cal = realistic();
            let b = a + Duration::seconds(span);
            let spans = cal.open_spans(a, b);
            let total = spans.iter().fold(Duration::zero(), |sum, (s, e)| sum + (*e - *s));
            prop_assert_eq!(total, cal.between(a, b));
            for pair in spans.windows(2) {
                prop_assert!(pair[0].1 < pair[1].0);
            }
            for &(start, end) in &spans {
                prop_assert!(a <= start && start < end && end <= b);
                prop_assert!(cal.is_open(start) && cal.is_open(end - nanos(1)));
                prop_assert!(end == b || !cal.is_open(end));
            }
        }
    }

    // ---- The slow reference ---------------------------------------------------

    /// A calendar as plain data, judged instant by instant through chrono-tz's
    /// own local-time conversion, sharing nothing with the code under test.
    #[derive(Debug, Clone)]
    struct Reference {
        zone: Tz,
        intervals: Vec<(Weekday, u16, u16)>,
        holidays: Vec<NaiveDate>,
    }

    impl Reference {
        fn calendar(&self) -> BusinessCalendar {
            self.intervals
                .iter()
                .fold(
                    BusinessCalendar::builder(self.zone),
                    |builder, &(day, start, end)| builder.open_minutes(day, start, end),
                )
                .holidays(self.holidays.iter().copied())
                .build()
                .unwrap()
        }

        fn is_open(&self, t: DateTime<Utc>) -> bool {
            let wall = t.with_timezone(&self.zone).naive_local();
            let second = wall.time().num_seconds_from_midnight();
            !self.holidays.contains(&wall.date())
                && self.intervals.iter().any(|&(day, start, end)| {
                    day == wall.weekday()
                        && u32::from(start) * 60 <= second
                        && second < u32::from(end) * 60
                })
        }

        /// Every zone used here changes offset only at whole minutes by whole
        /// minutes, so a UTC minute is open throughout or not at all.
        fn open_minutes(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> Vec<DateTime<Utc>> {
            let count = (b - a).num_minutes();
            (0..count)
                .map(|i| a + minutes(i))
                .filter(|&m| self.is_open(m))
                .collect()
        }
    }

    const ZONES: [Tz; 7] = [
        New_York,
        London,
        Tz::UTC,
        chrono_tz::Australia::Lord_Howe,
        chrono_tz::Australia::Sydney,
        chrono_tz::Asia::Kolkata,
        chrono_tz::America::Santiago,
    ];

    /// Around the DST changes of 2025–2027 in the zones above (US, EU,
    /// southern hemisphere and Chile), where mistakes would hide.
    const DST_DAYS: [(i32, u32, u32); 18] = [
        (2025, 3, 9),
        (2025, 11, 2),
        (2026, 3, 8),
        (2026, 11, 1),
        (2027, 3, 14),
        (2027, 11, 7),
        (2025, 3, 30),
        (2025, 10, 26),
        (2026, 3, 29),
        (2026, 10, 25),
        (2027, 3, 28),
        (2027, 10, 31),
        (2025, 4, 6),
        (2025, 10, 5),
        (2026, 4, 5),
        (2026, 10, 4),
        (2026, 9, 6),
        (2027, 4, 4),
    ];

    fn day_intervals() -> impl Strategy<Value = Vec<(u16, u16)>> {
        // Half-hour cut points reach every DST change of these zones, Lord
        // Howe's half-hour one included.
        proptest::collection::btree_set(0..=48u16, 0..=6).prop_map(|cuts| {
            let cuts: Vec<u16> = cuts.into_iter().map(|cut| cut * 30).collect();
            cuts.chunks_exact(2)
                .map(|pair| (pair[0], pair[1]))
                .collect()
        })
    }

    /// A random calendar with a window of up to six days to check it over.
    fn reference_case() -> impl Strategy<Value = (Reference, DateTime<Utc>, DateTime<Utc>)> {
        let start = prop_oneof![
            (0..3 * 525_600i64).prop_map(|m| utc("2025-01-01T00:00:00Z") + minutes(m)),
            (0..DST_DAYS.len(), -4 * 1440..2 * 1440i64).prop_map(|(i, m)| {
                let (y, mo, d) = DST_DAYS[i];
                date(y, mo, d).and_hms_opt(0, 0, 0).unwrap().and_utc() + minutes(m)
            }),
        ];
        (
            0..ZONES.len(),
            proptest::collection::vec(day_intervals(), 7),
            proptest::collection::vec(-1..8i64, 0..4),
            start,
            0..6 * 1440i64,
        )
            .prop_map(|(zone, week, holidays, start, length)| {
                let intervals = WEEK
                    .iter()
                    .zip(week)
                    .flat_map(|(&day, spans)| spans.into_iter().map(move |(s, e)| (day, s, e)))
                    .collect();
                let first = start.date_naive();
                let holidays = holidays
                    .into_iter()
                    .map(|d| first + Duration::days(d))
                    .collect();
                let reference = Reference {
                    zone: ZONES[zone],
                    intervals,
                    holidays,
                };
                (reference, start, start + minutes(length))
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn matches_reference((reference, a, b) in reference_case(), pick in 0.0..1.0f64, second in 0..60i64) {
            let cal = reference.calendar();
            let open = reference.open_minutes(a, b);
            prop_assert_eq!(cal.between(a, b), minutes(open.len() as i64));

            // Spans: runs of consecutive open minutes.
            let mut spans: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
            for &m in &open {
                match spans.last_mut() {
                    Some(last) if last.1 == m => last.1 = m + minutes(1),
                    _ => spans.push((m, m + minutes(1))),
                }
            }
            prop_assert_eq!(cal.open_spans(a, b), spans.clone());

            // The n-th open minute ends exactly when n minutes have passed.
            let n = (pick * open.len() as f64) as usize;
            if n > 0 {
                prop_assert_eq!(cal.add(a, minutes(n as i64)), Some(open[n - 1] + minutes(1)));
            }
            match spans.first() {
                Some(&(first, _)) => prop_assert_eq!(cal.next_open(a), Some(first)),
                None => prop_assert!(cal.next_open(a).is_none_or(|next| next >= b)),
            }

            // And instant by instant, off the minute too.
            let minute_count = (b - a).num_minutes();
            if minute_count > 0 {
                let t = a + minutes((pick * minute_count as f64) as i64) + Duration::seconds(second);
                prop_assert_eq!(cal.is_open(t), reference.is_open(t));
            }
        }
    }
}
