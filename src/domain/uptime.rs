//! Uptime guarantees: how much unplanned downtime a hosted service may have in a calendar month,
//! how much it used, and whether the guarantee held.
//!
//! Convention: a month is the client's calendar month, from local midnight on the 1st to local
//! midnight on the 1st of the next month in the client's time zone, so its real length is used
//! (28–31 days, one hour more or less in a DST month). The allowance is that length × (1 −
//! guarantee); at 99.9 % a 30-day month allows exactly 43.2 minutes, a 31-day month 44.64.
//! Figures are kept in whole milliseconds: a month is a whole number of hours (or half hours) and
//! the guarantee is stored in thousandths of a percent, so the allowance is exact.
//!
//! The guarantee applies from its effective instant; a month it starts in mid-way gets the
//! allowance of the covered part only, and downtime before it is reported but not counted.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

pub use super::uptime_guarantee::{FULL, Guarantee, GuaranteeError, percent_text};

/// When a service's guarantee starts to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EffectiveRule {
    /// "Uptime guarantees only apply after x days" from the contract start.
    AfterDays(u32),
    /// After the client's infrastructure upgrade is signed off by a manager, on that date.
    AfterSignOff(Option<NaiveDate>),
}

/// The instant the guarantee applies from, or `None` while the sign-off is still awaited.
pub fn effective_from(
    tz: Tz,
    contract_start: NaiveDate,
    rule: EffectiveRule,
) -> Option<DateTime<Utc>> {
    let day = match rule {
        EffectiveRule::AfterDays(days) => contract_start + Duration::days(i64::from(days)),
        EffectiveRule::AfterSignOff(date) => date?.max(contract_start),
    };
    Some(local_midnight(tz, day))
}

/// The first instant of a local day; where midnight does not exist (a DST jump at midnight) the
/// first existing instant after it.
pub fn local_midnight(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    let mut local = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    // A zone skips at most a few hours; a quarter-hour step finds the first existing instant.
    for _ in 0..(4 * 24) {
        if let Some(instant) = tz.from_local_datetime(&local).earliest() {
            return instant.with_timezone(&Utc);
        }
        local += Duration::minutes(15);
    }
    Utc.from_utc_datetime(&local)
}

/// A calendar month in the client's zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Self> {
        NaiveDate::from_ymd_opt(year, month, 1).map(|_| Month { year, month })
    }

    /// Parses "2026-11".
    pub fn parse(text: &str) -> Option<Self> {
        let (y, m) = text.trim().split_once('-')?;
        Month::new(y.parse().ok()?, m.parse().ok()?)
    }

    /// The month holding `instant` in `tz`.
    pub fn containing(tz: Tz, instant: DateTime<Utc>) -> Self {
        use chrono::Datelike;
        let local = instant.with_timezone(&tz);
        Month {
            year: local.year(),
            month: local.month(),
        }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }

    pub fn next(self) -> Self {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn previous(self) -> Self {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// [start, end) as UTC instants.
    pub fn bounds(self, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            local_midnight(tz, self.first_day()),
            local_midnight(tz, self.next().first_day()),
        )
    }

    /// "2026-11", as in links.
    pub fn key(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// "November 2026".
    pub fn label(self) -> String {
        self.first_day().format("%B %Y").to_string()
    }
}

/// One outage as recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutageSpan {
    pub start: DateTime<Utc>,
    /// `None` while ongoing: counted up to `now`.
    pub end: Option<DateTime<Utc>>,
    pub planned: bool,
}

/// A service's terms as the arithmetic needs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Terms {
    pub guarantee: Guarantee,
    /// `None` while the guarantee does not apply yet (sign-off awaited).
    pub effective_from: Option<DateTime<Utc>>,
    /// By default planned maintenance does not count: the guarantee speaks of unplanned downtime.
    pub planned_counts: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// The guarantee does not apply in this month (not yet effective, or the month is to come).
    NotInEffect,
    Met,
    /// Still within the allowance but the month is not over and three quarters are gone, or an
    /// outage is ongoing.
    AtRisk,
    Breached,
}

impl Standing {
    pub fn label(self) -> &'static str {
        match self {
            Standing::NotInEffect => "Not in effect",
            Standing::Met => "Met",
            Standing::AtRisk => "At risk",
            Standing::Breached => "Breached",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Standing::NotInEffect => "not-in-effect",
            Standing::Met => "met",
            Standing::AtRisk => "at-risk",
            Standing::Breached => "breached",
        }
    }
}

/// The allowance left at an instant: the burn-down's points, in time order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BurnPoint {
    pub at: DateTime<Utc>,
    /// Negative once the allowance is overrun.
    pub left_ms: i64,
}

/// A service's figure for one month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthFigure {
    pub month: Month,
    pub month_start: DateTime<Utc>,
    pub month_end: DateTime<Utc>,
    pub month_ms: i64,
    /// The part of the month the guarantee covers: [covered_from, month_end), empty when none.
    pub covered_from: DateTime<Utc>,
    pub covered_ms: i64,
    /// Of the covered part, what has passed by `now`.
    pub elapsed_ms: i64,
    pub allowed_ms: i64,
    /// Unplanned (or, where planned counts, all) downtime in the covered part, overlaps merged.
    pub used_ms: i64,
    /// Downtime in the month before the guarantee applied: shown, not counted.
    pub before_effective_ms: i64,
    /// Planned downtime in the covered part that the terms exclude.
    pub planned_excluded_ms: i64,
    pub left_ms: i64,
    /// Achieved uptime over the covered part elapsed so far, in thousandths of a percent, rounded
    /// down so that any downtime shows below 100.000; `None` when nothing is covered yet.
    pub uptime: Option<u32>,
    pub standing: Standing,
    pub ongoing: bool,
    pub burn_down: Vec<BurnPoint>,
}

impl MonthFigure {
    pub fn uptime_text(&self) -> Option<String> {
        self.uptime.map(|u| format!("{} %", percent_text(u, true)))
    }
}

/// The allowance for a stretch of `length_ms` under `guarantee`: exact for whole-hour lengths.
pub fn allowance_ms(length_ms: i64, guarantee: Guarantee) -> i64 {
    let down = i128::from(FULL - guarantee.thousandths());
    (i128::from(length_ms) * down / i128::from(FULL)) as i64
}

/// Clips and merges intervals: sorted, non-overlapping, non-empty.
fn merged(
    spans: impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)>,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut clipped: Vec<_> = spans
        .map(|(s, e)| (s.max(from), e.min(until)))
        .filter(|(s, e)| s < e)
        .collect();
    clipped.sort();
    let mut out: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::with_capacity(clipped.len());
    for (s, e) in clipped {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

fn total_ms(spans: &[(DateTime<Utc>, DateTime<Utc>)]) -> i64 {
    spans
        .iter()
        .map(|(s, e)| (*e - *s).num_milliseconds())
        .sum()
}

/// The figure of one service for one month, as of `now`.
pub fn month_figure(
    terms: Terms,
    tz: Tz,
    month: Month,
    outages: &[OutageSpan],
    now: DateTime<Utc>,
) -> MonthFigure {
    let (month_start, month_end) = month.bounds(tz);
    let horizon = now.clamp(month_start, month_end);
    let covered_from = match terms.effective_from {
        Some(from) => from.clamp(month_start, month_end),
        None => month_end,
    };
    let ends = |o: &OutageSpan| (o.start, o.end.unwrap_or(now).min(now));
    let counted = |o: &&OutageSpan| terms.planned_counts || !o.planned;

    let before = merged(
        outages.iter().map(ends),
        month_start,
        covered_from.min(horizon),
    );
    let used = merged(
        outages.iter().filter(counted).map(ends),
        covered_from,
        horizon,
    );
    let all_covered = merged(outages.iter().map(ends), covered_from, horizon);

    let month_ms = (month_end - month_start).num_milliseconds();
    let covered_ms = (month_end - covered_from).num_milliseconds();
    let elapsed_ms = (horizon - covered_from).num_milliseconds().max(0);
    let allowed_ms = allowance_ms(covered_ms, terms.guarantee);
    let used_ms = total_ms(&used);
    let left_ms = allowed_ms - used_ms;
    let ongoing = outages
        .iter()
        .filter(counted)
        .any(|o| o.start <= now && o.end.is_none_or(|e| e > now) && now < month_end);

    let uptime = (elapsed_ms > 0).then(|| {
        let up = i128::from(elapsed_ms - used_ms) * i128::from(FULL) / i128::from(elapsed_ms);
        up as u32
    });
    let standing = if covered_ms == 0 || elapsed_ms == 0 {
        Standing::NotInEffect
    } else if used_ms > allowed_ms {
        Standing::Breached
    } else if now < month_end && (ongoing || used_ms * 4 >= allowed_ms * 3) {
        Standing::AtRisk
    } else {
        Standing::Met
    };

    let mut burn_down = Vec::new();
    if elapsed_ms > 0 {
        burn_down.push(BurnPoint {
            at: covered_from,
            left_ms: allowed_ms,
        });
        let mut left = allowed_ms;
        for (s, e) in &used {
            burn_down.push(BurnPoint {
                at: *s,
                left_ms: left,
            });
            left -= (*e - *s).num_milliseconds();
            burn_down.push(BurnPoint {
                at: *e,
                left_ms: left,
            });
        }
        burn_down.push(BurnPoint {
            at: horizon,
            left_ms: left,
        });
        burn_down.dedup();
    }

    MonthFigure {
        month,
        month_start,
        month_end,
        month_ms,
        covered_from,
        covered_ms,
        elapsed_ms,
        allowed_ms,
        used_ms,
        before_effective_ms: total_ms(&before),
        planned_excluded_ms: total_ms(&all_covered) - used_ms,
        left_ms,
        uptime,
        standing,
        ongoing,
        burn_down,
    }
}

/// Milliseconds as minutes with up to two decimals: "43.2", "44.64", "0".
pub fn minutes_text(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let hundredths = (ms.unsigned_abs() + 300) / 600;
    let text = format!("{}.{:02}", hundredths / 100, hundredths % 100);
    format!("{sign}{}", text.trim_end_matches('0').trim_end_matches('.'))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono_tz::{America::New_York, Europe::Berlin, UTC};
    use proptest::prelude::*;

    const MIN: i64 = 60_000;

    fn at(tz: Tz, (y, m, d): (i32, u32, u32), h: u32, min: u32) -> DateTime<Utc> {
        tz.with_ymd_and_hms(y, m, d, h, min, 0)
            .earliest()
            .unwrap()
            .with_timezone(&Utc)
    }

    fn g(text: &str) -> Guarantee {
        Guarantee::parse(text).unwrap()
    }

    fn terms(guarantee: &str, from: Option<DateTime<Utc>>) -> Terms {
        Terms {
            guarantee: g(guarantee),
            effective_from: from,
            planned_counts: false,
        }
    }

    fn out(start: DateTime<Utc>, end: Option<DateTime<Utc>>) -> OutageSpan {
        OutageSpan {
            start,
            end,
            planned: false,
        }
    }

    #[test]
    fn allowance_follows_the_real_month_length_in_the_client_zone() {
        // (zone, month, hours in it, allowance at 99.9 % in ms)
        let cases: &[(Tz, (i32, u32), i64, i64)] = &[
            (UTC, (2026, 11), 720, 2_592_000),    // 30 days: exactly 43.2 min
            (UTC, (2026, 12), 744, 2_678_400),    // 31 days: 44.64 min
            (UTC, (2026, 2), 672, 2_419_200),     // February: 40.32 min
            (UTC, (2028, 2), 696, 2_505_600),     // leap February: 41.76 min
            (Berlin, (2026, 3), 743, 2_674_800),  // spring forward: one hour less
            (Berlin, (2026, 10), 745, 2_682_000), // fall back: one hour more
            (New_York, (2026, 3), 743, 2_674_800),
            (New_York, (2026, 11), 721, 2_595_600),
        ];
        for (tz, (y, m), hours, allowed) in cases {
            let fig = month_figure(
                terms("99.9", Some(at(*tz, (2000, 1, 1), 0, 0))),
                *tz,
                Month::new(*y, *m).unwrap(),
                &[],
                at(*tz, (2030, 1, 1), 0, 0),
            );
            assert_eq!(fig.month_ms, hours * 3_600_000, "{tz} {y}-{m}");
            assert_eq!(fig.allowed_ms, *allowed, "{tz} {y}-{m}");
            assert_eq!(fig.uptime, Some(FULL));
            assert_eq!(fig.standing, Standing::Met);
        }
        assert_eq!(minutes_text(2_592_000), "43.2");
        assert_eq!(minutes_text(2_678_400), "44.64");
    }

    #[test]
    fn outages_count_in_each_month_by_their_minutes_there() {
        let tz = Berlin;
        let t = terms("99.9", Some(at(tz, (2026, 1, 1), 0, 0)));
        // 23:50 on 30 November to 00:30 on 1 December, Berlin time.
        let o = [out(
            at(tz, (2026, 11, 30), 23, 50),
            Some(at(tz, (2026, 12, 1), 0, 30)),
        )];
        let now = at(tz, (2027, 1, 10), 0, 0);
        let nov = month_figure(t, tz, Month::new(2026, 11).unwrap(), &o, now);
        let dec = month_figure(t, tz, Month::new(2026, 12).unwrap(), &o, now);
        assert_eq!(nov.used_ms, 10 * MIN);
        assert_eq!(dec.used_ms, 30 * MIN);
        // 720 h with 10 min down: 1 − 10/43200 = 99.97685 %, rounded down.
        assert_eq!(nov.uptime, Some(99_976));
        assert_eq!(nov.left_ms, 2_592_000 - 10 * MIN);
    }

    #[test]
    fn overlapping_outages_are_not_counted_twice() {
        let tz = UTC;
        let t = terms("99.9", Some(at(tz, (2026, 1, 1), 0, 0)));
        let o = [
            out(
                at(tz, (2026, 5, 3), 10, 0),
                Some(at(tz, (2026, 5, 3), 10, 30)),
            ),
            out(
                at(tz, (2026, 5, 3), 10, 20),
                Some(at(tz, (2026, 5, 3), 11, 0)),
            ),
            out(
                at(tz, (2026, 5, 3), 10, 40),
                Some(at(tz, (2026, 5, 3), 10, 50)),
            ),
            out(at(tz, (2026, 5, 9), 8, 0), Some(at(tz, (2026, 5, 9), 8, 5))),
        ];
        let fig = month_figure(
            t,
            tz,
            Month::new(2026, 5).unwrap(),
            &o,
            at(tz, (2026, 7, 1), 0, 0),
        );
        assert_eq!(fig.used_ms, 65 * MIN);
        // 31 days allow 44.64 min: 65 min is a breach.
        assert_eq!(fig.standing, Standing::Breached);
        assert_eq!(fig.left_ms, 2_678_400 - 65 * MIN);
        let lefts: Vec<i64> = fig.burn_down.iter().map(|p| p.left_ms).collect();
        assert_eq!(
            lefts,
            vec![
                2_678_400,
                2_678_400,
                2_678_400 - 60 * MIN,
                2_678_400 - 60 * MIN,
                2_678_400 - 65 * MIN,
                2_678_400 - 65 * MIN
            ]
        );
    }

    #[test]
    fn an_ongoing_outage_counts_up_to_now_and_puts_the_month_at_risk() {
        let tz = UTC;
        let t = terms("99.9", Some(at(tz, (2026, 1, 1), 0, 0)));
        let o = [out(at(tz, (2026, 6, 10), 12, 0), None)];
        let now = at(tz, (2026, 6, 10), 12, 20);
        let fig = month_figure(t, tz, Month::new(2026, 6).unwrap(), &o, now);
        assert_eq!(fig.used_ms, 20 * MIN);
        assert!(fig.ongoing);
        assert_eq!(fig.standing, Standing::AtRisk);
        assert_eq!(fig.burn_down.last().map(|p| p.at), Some(now));
        // Later in the month the same outage, still ongoing, has used the whole allowance.
        let later = month_figure(
            t,
            tz,
            Month::new(2026, 6).unwrap(),
            &o,
            now + Duration::minutes(30),
        );
        assert_eq!(later.used_ms, 50 * MIN);
        assert_eq!(later.standing, Standing::Breached);
    }

    #[test]
    fn the_month_is_at_risk_once_three_quarters_are_used_and_met_when_it_ends_within() {
        let tz = UTC;
        let t = terms("99.9", Some(at(tz, (2026, 1, 1), 0, 0)));
        // 33 of 43.2 minutes is 76 %.
        let o = [out(
            at(tz, (2026, 9, 2), 0, 0),
            Some(at(tz, (2026, 9, 2), 0, 33)),
        )];
        let m = Month::new(2026, 9).unwrap();
        assert_eq!(
            month_figure(t, tz, m, &o, at(tz, (2026, 9, 20), 0, 0)).standing,
            Standing::AtRisk
        );
        assert_eq!(
            month_figure(t, tz, m, &o, at(tz, (2026, 10, 1), 0, 0)).standing,
            Standing::Met
        );
        let few = [out(
            at(tz, (2026, 9, 2), 0, 0),
            Some(at(tz, (2026, 9, 2), 0, 30)),
        )];
        assert_eq!(
            month_figure(t, tz, m, &few, at(tz, (2026, 9, 20), 0, 0)).standing,
            Standing::Met
        );
    }

    #[test]
    fn the_period_before_the_effective_date_is_shown_but_not_counted() {
        let tz = Berlin;
        let from = at(tz, (2026, 4, 16), 0, 0);
        let t = terms("99.9", Some(from));
        let o = [
            out(
                at(tz, (2026, 4, 15), 23, 0),
                Some(at(tz, (2026, 4, 16), 0, 10)),
            ),
            out(
                at(tz, (2026, 4, 3), 9, 0),
                Some(at(tz, (2026, 4, 3), 9, 45)),
            ),
        ];
        let fig = month_figure(
            t,
            tz,
            Month::new(2026, 4).unwrap(),
            &o,
            at(tz, (2026, 5, 2), 0, 0),
        );
        assert_eq!(fig.covered_from, from);
        assert_eq!(fig.covered_ms, 15 * 24 * 3_600_000);
        // 15 days allow 21.6 minutes.
        assert_eq!(fig.allowed_ms, 1_296_000);
        assert_eq!(fig.used_ms, 10 * MIN);
        assert_eq!(fig.before_effective_ms, 105 * MIN);
        assert_eq!(fig.standing, Standing::Met);
    }

    #[test]
    fn a_guarantee_awaiting_sign_off_or_starting_later_is_not_in_effect() {
        let tz = UTC;
        let m = Month::new(2026, 4).unwrap();
        let o = [out(
            at(tz, (2026, 4, 3), 9, 0),
            Some(at(tz, (2026, 4, 3), 9, 45)),
        )];
        let now = at(tz, (2026, 6, 1), 0, 0);
        let waiting = month_figure(terms("99.9", None), tz, m, &o, now);
        assert_eq!(waiting.standing, Standing::NotInEffect);
        assert_eq!(
            (waiting.allowed_ms, waiting.used_ms, waiting.uptime),
            (0, 0, None)
        );
        assert_eq!(waiting.before_effective_ms, 45 * MIN);
        let later = month_figure(
            terms("99.9", Some(at(tz, (2026, 5, 1), 0, 0))),
            tz,
            m,
            &o,
            now,
        );
        assert_eq!(later.standing, Standing::NotInEffect);
        // A month still to come is not in effect yet either.
        let future = month_figure(
            terms("99.9", Some(at(tz, (2026, 1, 1), 0, 0))),
            tz,
            Month::new(2026, 7).unwrap(),
            &[],
            now,
        );
        assert_eq!(future.standing, Standing::NotInEffect);
    }

    #[test]
    fn planned_maintenance_counts_only_where_the_terms_say_so() {
        let tz = UTC;
        let m = Month::new(2026, 11).unwrap();
        let o = [OutageSpan {
            start: at(tz, (2026, 11, 7), 2, 0),
            end: Some(at(tz, (2026, 11, 7), 3, 0)),
            planned: true,
        }];
        let now = at(tz, (2026, 12, 5), 0, 0);
        let mut t = terms("99.9", Some(at(tz, (2026, 1, 1), 0, 0)));
        let by_default = month_figure(t, tz, m, &o, now);
        assert_eq!(
            (by_default.used_ms, by_default.planned_excluded_ms),
            (0, 60 * MIN)
        );
        t.planned_counts = true;
        let counted = month_figure(t, tz, m, &o, now);
        assert_eq!(
            (counted.used_ms, counted.planned_excluded_ms),
            (60 * MIN, 0)
        );
        assert_eq!(counted.standing, Standing::Breached);
    }

    #[test]
    fn effective_dates_follow_the_rule() {
        let start = NaiveDate::from_ymd_opt(2026, 1, 20).unwrap();
        assert_eq!(
            effective_from(Berlin, start, EffectiveRule::AfterDays(30)),
            Some(at(Berlin, (2026, 2, 19), 0, 0))
        );
        assert_eq!(
            effective_from(Berlin, start, EffectiveRule::AfterSignOff(None)),
            None
        );
        let signed = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        assert_eq!(
            effective_from(Berlin, start, EffectiveRule::AfterSignOff(Some(signed))),
            Some(at(Berlin, (2026, 3, 5), 0, 0))
        );
    }

    #[test]
    fn months_parse_and_step() {
        let m = Month::parse("2026-12").unwrap();
        assert_eq!(m.next().key(), "2027-01");
        assert_eq!(Month::parse("2027-01").unwrap().previous(), m);
        assert_eq!(m.label(), "December 2026");
        assert_eq!(Month::parse("2026-13"), None);
        // 00:30 on 1 December in Berlin is still 30 November in UTC.
        assert_eq!(
            Month::containing(Berlin, at(Berlin, (2026, 12, 1), 0, 30)),
            m
        );
    }

    fn outage_strategy() -> impl Strategy<Value = OutageSpan> {
        // Minutes from 2026-03-25 00:00 UTC, spanning the Berlin DST month boundary.
        (0i64..20_000, 0i64..600, any::<bool>(), any::<bool>()).prop_map(
            |(s, len, ongoing, planned)| {
                let base = Utc.with_ymd_and_hms(2026, 3, 25, 0, 0, 0).unwrap();
                let start = base + Duration::minutes(s);
                OutageSpan {
                    start,
                    end: (!ongoing).then(|| start + Duration::minutes(len)),
                    planned,
                }
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn uptime_never_exceeds_full_and_adding_an_outage_never_raises_it(
            outages in proptest::collection::vec(outage_strategy(), 0..6),
            extra in outage_strategy(),
            planned_counts in any::<bool>(),
            now_minutes in 0i64..30_000,
            eff_minutes in 0i64..20_000,
        ) {
            let base = Utc.with_ymd_and_hms(2026, 3, 25, 0, 0, 0).unwrap();
            let now = base + Duration::minutes(now_minutes);
            let t = Terms {
                guarantee: g("99.5"),
                effective_from: Some(base + Duration::minutes(eff_minutes)),
                planned_counts,
            };
            for month in [Month::new(2026, 3).unwrap(), Month::new(2026, 4).unwrap()] {
                let before = month_figure(t, Berlin, month, &outages, now);
                let mut more = outages.clone();
                more.push(extra);
                let after = month_figure(t, Berlin, month, &more, now);
                prop_assert!(before.uptime.unwrap_or(FULL) <= FULL);
                prop_assert!(after.uptime.unwrap_or(FULL) <= before.uptime.unwrap_or(FULL));
                prop_assert!(after.used_ms >= before.used_ms);
                prop_assert!(before.used_ms <= before.elapsed_ms);
                prop_assert_eq!(before.left_ms, before.allowed_ms - before.used_ms);
            }
        }
    }
}
