//! SLA targets per priority, and the two clocks that run on a ticket against
//! them: response (until somebody first answers) and resolution.
//!
//! A target counts either the client's business hours or every minute (the
//! blueprints count P1 around the clock). The resolution clock stops while the
//! ticket is paused for the client, a vendor or parts; the response clock
//! never stops, because pausing a ticket already takes an answer.
//!
//! Due times are derived, never stored as truth: every function here starts
//! from the ticket's facts (creation time, pauses, the target of its current
//! priority), so a priority change, an edited calendar or a pause recorded
//! late just means calling them again. Priority changes count from creation,
//! not from the change, as the blueprints ask.

use std::borrow::Cow;
use std::fmt;
use std::sync::LazyLock;

use chrono::{DateTime, Duration, Utc};

use super::calendar::BusinessCalendar;
use super::priority::Priority;
use super::ticket::{PendingReason, Status};

/// The longest target accepted; anything longer is a typo, and it keeps due
/// dates far from the end of representable time.
/// How close to its due time (in real time) a ticket counts as "due soon" in the queues. The
/// ticket page judges each clock exactly, in business time, against its policy's threshold;
/// a queue needs one horizon it can filter on with an index.
pub const QUEUE_DUE_SOON: Duration = Duration::hours(1);

/// Where a ticket in a queue list stands, judged on its stored due times in real time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueDue {
    /// The clock that is due next, and how close it is.
    Breached(DateTime<Utc>),
    DueSoon(DateTime<Utc>),
    OnTrack(DateTime<Utc>),
    Paused,
    /// No due time (a calendar that is never open).
    Unknown,
}

/// The clock a queue row shows: the response while it is unanswered and due first, otherwise
/// the resolution; nothing while the resolution clock is paused.
pub fn queue_due(
    paused: bool,
    responded: bool,
    response_due: Option<DateTime<Utc>>,
    resolution_due: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> QueueDue {
    if paused {
        return QueueDue::Paused;
    }
    let due = match response_due.filter(|_| !responded) {
        Some(response) if resolution_due.is_none_or(|res| response <= res) => Some(response),
        _ => resolution_due,
    };
    match due {
        Some(due) if due <= now => QueueDue::Breached(due),
        Some(due) if due <= now + QUEUE_DUE_SOON => QueueDue::DueSoon(due),
        Some(due) => QueueDue::OnTrack(due),
        None => QueueDue::Unknown,
    }
}

/// The share of each target, in percent, left when a clock turns "due soon", for a new policy.
pub const DEFAULT_DUE_SOON_PERCENT: i32 = 25;

/// How much counted time left makes a clock with this `target` "due soon": `percent` of the
/// target, so a 30-minute response warns in its last 7.5 minutes and an 8-hour resolution in
/// its last 2 hours, instead of one fixed warning that swallows the shortest targets whole.
pub fn due_soon_within(target: Duration, percent: i32) -> Duration {
    target * percent.clamp(0, 100) / 100
}

pub const MAX_TARGET: Duration = Duration::days(365);

/// Which time a target counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClockMode {
    /// Only while the client's business calendar is open.
    BusinessHours,
    /// Every minute, weekends and holidays included.
    Always,
}

impl ClockMode {
    pub const ALL: [ClockMode; 2] = [ClockMode::BusinessHours, ClockMode::Always];

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == raw.trim())
            .ok_or_else(|| "Choose the client's business hours or 24/7.".to_string())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ClockMode::BusinessHours => "business",
            ClockMode::Always => "always",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ClockMode::BusinessHours => "Client's business hours",
            ClockMode::Always => "24/7",
        }
    }
}

impl fmt::Display for ClockMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// How long a ticket of one priority may wait for a first response and for
/// resolution, counted in `mode` time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    pub response: Duration,
    pub resolution: Duration,
    pub mode: ClockMode,
}

/// One [`Target`] per priority.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlaTargets {
    /// Indexed like [`Priority::ALL`].
    targets: [Target; 3],
}

impl SlaTargets {
    /// The blueprints' targets: a 30-minute response for everything, and 2, 4
    /// and 8 hours to resolve, P1 around the clock, the rest in business hours.
    pub fn blueprint_default() -> Self {
        let target = |resolution_hours, mode| Target {
            response: Duration::minutes(30),
            resolution: Duration::hours(resolution_hours),
            mode,
        };
        Self {
            targets: [
                target(2, ClockMode::Always),
                target(4, ClockMode::BusinessHours),
                target(8, ClockMode::BusinessHours),
            ],
        }
    }

    pub fn target(&self, priority: Priority) -> &Target {
        &self.targets[priority.index()]
    }

    /// The targets with one priority's replaced. Not checked: call
    /// [`validate`](Self::validate) once all are in place.
    #[must_use]
    pub fn with(mut self, priority: Priority, target: Target) -> Self {
        self.targets[priority.index()] = target;
        self
    }

    /// Every priority's target, P1 first.
    pub fn iter(&self) -> impl Iterator<Item = (Priority, &Target)> {
        Priority::ALL.into_iter().zip(&self.targets)
    }

    /// Checks each target on its own.
    ///
    /// # Errors
    ///
    /// Every problem found, P1 first, as the priority and a sentence to show
    /// beside that priority's fields. The two times are compared only when
    /// each is acceptable by itself, so one typo yields one message.
    pub fn validate(&self) -> Result<(), Vec<(Priority, String)>> {
        let mut problems = Vec::new();
        for (priority, target) in self.iter() {
            let response = check_duration("Response", target.response);
            let resolution = check_duration("Resolution", target.resolution);
            let both_fine = response.is_none() && resolution.is_none();
            problems.extend(response.into_iter().map(|message| (priority, message)));
            problems.extend(resolution.into_iter().map(|message| (priority, message)));
            if both_fine && target.response > target.resolution {
                problems.push((
                    priority,
                    "Response time cannot be longer than resolution time.".to_string(),
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

fn check_duration(what: &str, duration: Duration) -> Option<String> {
    if duration <= Duration::zero() {
        Some(format!("{what} time must be more than zero."))
    } else if duration > MAX_TARGET {
        Some(format!("{what} time cannot be more than 365 days."))
    } else {
        None
    }
}

/// A stretch during which the resolution clock was stopped (waiting for the
/// client, a vendor or parts); `until` is `None` while it is still in force.
///
/// Pauses may be given in any order and may overlap; time covered by several
/// counts once. A pause that ends at or before it starts is ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pause {
    pub from: DateTime<Utc>,
    pub until: Option<DateTime<Utc>>,
}

static ALWAYS_OPEN: LazyLock<BusinessCalendar> = LazyLock::new(BusinessCalendar::always_open);

/// The calendar a clock in `mode` counts: the client's own, or one that is
/// always open (which ignores the client's holidays too).
pub fn clock_calendar(business: &BusinessCalendar, mode: ClockMode) -> Cow<'_, BusinessCalendar> {
    match mode {
        ClockMode::BusinessHours => Cow::Borrowed(business),
        ClockMode::Always => Cow::Borrowed(&ALWAYS_OPEN),
    }
}

/// When the first response is due; `None` when the calendar never gives the
/// time (a calendar with no opening hours).
pub fn response_due(
    cal: &BusinessCalendar,
    target: &Target,
    created: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    clock_calendar(cal, target.mode).add(created, target.response)
}

/// Where the resolution clock stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResolutionDue {
    /// Due at this instant.
    At(DateTime<Utc>),
    /// Stopped by a pause still in force, with `remaining` counted time left
    /// (always more than zero: a clock that ran out before the pause began is
    /// due at the moment it ran out).
    Paused { remaining: Duration },
    /// The calendar never gives the time.
    Never,
}

impl ResolutionDue {
    /// The instant it is due, if the clock is running toward one (a stored due time, a preview).
    pub fn at(self) -> Option<DateTime<Utc>> {
        match self {
            ResolutionDue::At(at) => Some(at),
            ResolutionDue::Paused { .. } | ResolutionDue::Never => None,
        }
    }
}

/// When the ticket must be resolved: the earliest instant by which
/// `target.resolution` of clock time (per `target.mode`) has passed since
/// `created` outside the pauses.
///
/// Pause time before `created` is ignored, and a pause that starts exactly when
/// the clock runs out comes too late to stop it. A pause that ends moves the
/// due time later by exactly the clock time it covered, so a pause wholly
/// outside business hours moves a business-hours target not at all.
pub fn resolution_due(
    cal: &BusinessCalendar,
    target: &Target,
    created: DateTime<Utc>,
    pauses: &[Pause],
) -> ResolutionDue {
    let cal = clock_calendar(cal, target.mode);
    let mut left = target.resolution;
    let mut running_from = created;
    for stop in stops(created, pauses) {
        let before = cal.between(running_from, stop.from);
        if before >= left {
            break;
        }
        left -= before;
        match stop.until {
            Some(end) => running_from = end,
            None => return ResolutionDue::Paused { remaining: left },
        }
    }
    cal.add(running_from, left)
        .map_or(ResolutionDue::Never, ResolutionDue::At)
}

/// What a status change does to the resolution clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PauseChange {
    /// The ticket starts waiting: a pause for this reason begins.
    Start(PendingReason),
    /// The ticket stops waiting: the running pause ends and the due time is worked out again.
    End,
    /// The clock goes on as it was (running, or stopped by the same or another wait).
    Keep,
}

/// Entering a pending status starts a pause; leaving one ends it. Moving from one pending status
/// to another keeps the pause that runs.
pub fn pause_change(from: Status, to: Status) -> PauseChange {
    match (from.pending_reason(), to.pending_reason()) {
        (None, Some(reason)) => PauseChange::Start(reason),
        (Some(_), None) => PauseChange::End,
        _ => PauseChange::Keep,
    }
}

/// The resolution due time to show at `now`: the stored one is current unless a pause is
/// running, when the clock is stopped and its remaining time is worked out from the pauses.
pub fn current_resolution_due(
    cal: &BusinessCalendar,
    target: &Target,
    created: DateTime<Utc>,
    stored: Option<DateTime<Utc>>,
    pauses: &[Pause],
) -> ResolutionDue {
    let paused = pauses.iter().any(|p| p.until.is_none());
    match (paused, stored) {
        (true, _) => resolution_due(cal, target, created, pauses),
        (false, Some(at)) => ResolutionDue::At(at),
        (false, None) => ResolutionDue::Never,
    }
}

/// Clock time counted in `[created, until)` outside the pauses, for "3 h of
/// 4 h used". With no pauses it is the response clock's figure too.
pub fn elapsed(
    cal: &BusinessCalendar,
    mode: ClockMode,
    created: DateTime<Utc>,
    until: DateTime<Utc>,
    pauses: &[Pause],
) -> Duration {
    let cal = clock_calendar(cal, mode);
    running(created, until, pauses)
        .into_iter()
        .fold(Duration::zero(), |sum, (from, to)| {
            sum + cal.between(from, to)
        })
}

/// How a clock looks at `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockState {
    /// Stopped because the response was given or the ticket resolved.
    Met {
        on_time: bool,
    },
    OnTrack,
    /// Little clock time is left.
    DueSoon,
    /// Past due and not met.
    Breached,
    /// A pause is in force.
    Paused,
}

impl ClockState {
    pub fn label(self) -> &'static str {
        match self {
            ClockState::Met { on_time: true } => "Met",
            ClockState::Met { on_time: false } => "Met late",
            ClockState::OnTrack => "On track",
            ClockState::DueSoon => "Due soon",
            ClockState::Breached => "Breached",
            ClockState::Paused => "Paused",
        }
    }
}

/// The state of a clock due as `due` (from [`resolution_due`]) at `now`.
///
/// Met when `met_at` is set, on time when `met_at <= due` (or the clock was
/// paused or never due). Otherwise paused while a pause is in force, breached
/// from the due instant on, and due soon once the clock time left before the
/// due, counted per `mode`, is at most `due_soon`. Counting clock time rather
/// than wall time keeps a ticket due at 07:30 on Monday "due soon" on Friday
/// evening, when its last business hour is running out.
///
/// `met_at` must be judged against the due time as it stood then: when a
/// ticket is resolved during a pause, close the pause at the resolution time
/// (or pass the still-open pause, which counts as on time).
pub fn clock_state(
    cal: &BusinessCalendar,
    mode: ClockMode,
    due: ResolutionDue,
    met_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    due_soon: Duration,
) -> ClockState {
    if let Some(met) = met_at {
        let on_time = match due {
            ResolutionDue::At(due) => met <= due,
            ResolutionDue::Paused { .. } | ResolutionDue::Never => true,
        };
        return ClockState::Met { on_time };
    }
    match due {
        ResolutionDue::Paused { .. } => ClockState::Paused,
        ResolutionDue::Never => ClockState::OnTrack,
        ResolutionDue::At(due) if now >= due => ClockState::Breached,
        ResolutionDue::At(due) if clock_calendar(cal, mode).between(now, due) <= due_soon => {
            ClockState::DueSoon
        }
        ResolutionDue::At(_) => ClockState::OnTrack,
    }
}

/// [`clock_state`] for the response clock, whose due time comes from
/// [`response_due`]; it never pauses.
pub fn response_state(
    cal: &BusinessCalendar,
    mode: ClockMode,
    due: Option<DateTime<Utc>>,
    responded_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    due_soon: Duration,
) -> ClockState {
    let due = due.map_or(ResolutionDue::Never, ResolutionDue::At);
    clock_state(cal, mode, due, responded_at, now, due_soon)
}

/// What the time in one [`ExplainSegment`] did to the clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SegmentKind {
    /// The clock ran: open hours (per the mode) with no pause in force.
    Counted,
    /// A pause was in force, whether or not hours were open at the time.
    Paused,
    /// Closed hours with no pause in force.
    OutsideHours,
}

impl SegmentKind {
    pub fn label(self) -> &'static str {
        match self {
            SegmentKind::Counted => "Clock running",
            SegmentKind::Paused => "Paused",
            SegmentKind::OutsideHours => "Outside business hours",
        }
    }
}

/// A stretch `[from, until)` of a clock's history and the clock time it added
/// (`until - from` when counted, else zero).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExplainSegment {
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub kind: SegmentKind,
    pub counted: Duration,
}

/// `[created, until)` cut into stretches that counted, were paused or fell
/// outside hours, in order, without gaps or overlaps, neighbours of the same
/// kind merged; the `counted` fields add up to [`elapsed`]. Empty when `until`
/// is not after `created`.
///
/// A pause is shown whole, closed hours within it included, because that is
/// how the client will remember it ("we waited on you from Friday 17:00 to
/// Monday 10:00"); splitting it at every closing time would bury the one fact
/// that stopped the clock, and either way it counts nothing.
pub fn explain(
    cal: &BusinessCalendar,
    mode: ClockMode,
    created: DateTime<Utc>,
    until: DateTime<Utc>,
    pauses: &[Pause],
) -> Vec<ExplainSegment> {
    let cal = clock_calendar(cal, mode);
    let mut segments = Vec::new();
    // Whatever lies between the running stretches is pause time.
    let mut done = created;
    for (from, to) in running(created, until, pauses) {
        push_segment(&mut segments, done, from, SegmentKind::Paused);
        let mut t = from;
        for (opens, closes) in cal.open_spans(from, to) {
            push_segment(&mut segments, t, opens, SegmentKind::OutsideHours);
            push_segment(&mut segments, opens, closes, SegmentKind::Counted);
            t = closes;
        }
        push_segment(&mut segments, t, to, SegmentKind::OutsideHours);
        done = to;
    }
    push_segment(&mut segments, done, until, SegmentKind::Paused);
    segments
}

/// Appends `[from, until)` unless empty, merging it into the last segment when
/// that is of the same kind and touches it.
fn push_segment(
    segments: &mut Vec<ExplainSegment>,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    kind: SegmentKind,
) {
    if until <= from {
        return;
    }
    let counted = match kind {
        // Open time is real time, so a counted stretch counts all of itself.
        SegmentKind::Counted => until - from,
        SegmentKind::Paused | SegmentKind::OutsideHours => Duration::zero(),
    };
    match segments.last_mut() {
        Some(last) if last.kind == kind && last.until == from => {
            last.until = until;
            last.counted += counted;
        }
        _ => segments.push(ExplainSegment {
            from,
            until,
            kind,
            counted,
        }),
    }
}

/// The pauses from `created` on, sorted and merged into disjoint stretches
/// that do not touch; only the last can be open.
fn stops(created: DateTime<Utc>, pauses: &[Pause]) -> Vec<Pause> {
    let mut clipped: Vec<Pause> = pauses
        .iter()
        .filter_map(|pause| {
            let from = pause.from.max(created);
            match pause.until {
                Some(until) if until <= from => None,
                until => Some(Pause { from, until }),
            }
        })
        .collect();
    clipped.sort_by_key(|pause| pause.from);
    let mut merged: Vec<Pause> = Vec::with_capacity(clipped.len());
    for pause in clipped {
        match merged.last_mut() {
            Some(last) if last.until.is_none_or(|end| pause.from <= end) => {
                last.until = last.until.zip(pause.until).map(|(a, b)| a.max(b));
            }
            _ => merged.push(pause),
        }
    }
    merged
}

/// The stretches of `[created, until)` with no pause in force, in order.
fn running(
    created: DateTime<Utc>,
    until: DateTime<Utc>,
    pauses: &[Pause],
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut spans = Vec::new();
    let mut from = created;
    for stop in stops(created, pauses) {
        if stop.from >= until {
            break;
        }
        if from < stop.from {
            spans.push((from, stop.from));
        }
        match stop.until {
            Some(end) => from = end,
            None => return spans,
        }
    }
    if from < until {
        spans.push((from, until));
    }
    spans
}

#[cfg(test)]
mod pause_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn entering_and_leaving_a_pending_status_starts_and_ends_a_pause() {
        use PendingReason::{ClientInput, Vendor};
        for (from, to, expected) in [
            (
                Status::InProgress,
                Status::PendingVendor,
                PauseChange::Start(Vendor),
            ),
            (
                Status::New,
                Status::PendingClient,
                PauseChange::Start(ClientInput),
            ),
            (Status::PendingVendor, Status::InProgress, PauseChange::End),
            (Status::PendingClient, Status::Solved, PauseChange::End),
            (Status::PendingParts, Status::Cancelled, PauseChange::End),
            (
                Status::PendingClient,
                Status::PendingVendor,
                PauseChange::Keep,
            ),
            (Status::InProgress, Status::InProgress, PauseChange::Keep),
            (Status::InProgress, Status::Solved, PauseChange::Keep),
        ] {
            assert_eq!(pause_change(from, to), expected, "{from:?} -> {to:?}");
        }
    }

    #[test]
    fn the_stored_due_time_holds_unless_a_pause_runs() {
        let cal = BusinessCalendar::always_open();
        let target = Target {
            response: Duration::hours(1),
            resolution: Duration::hours(8),
            mode: ClockMode::Always,
        };
        let at = |h| Utc.with_ymd_and_hms(2026, 5, 11, h, 0, 0).unwrap();
        let stored = Some(at(17));
        let ended = [Pause {
            from: at(10),
            until: Some(at(11)),
        }];
        let running = [Pause {
            from: at(12),
            until: None,
        }];
        for (stored, pauses, expected) in [
            (stored, &[][..], ResolutionDue::At(at(17))),
            (stored, &ended[..], ResolutionDue::At(at(17))),
            (None, &ended[..], ResolutionDue::Never),
            (
                stored,
                &running[..],
                ResolutionDue::Paused {
                    remaining: Duration::hours(5),
                },
            ),
        ] {
            assert_eq!(
                current_resolution_due(&cal, &target, at(9), stored, pauses),
                expected
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::domain::test_time::ny;
    use Priority::{P1, P2, P3};
    use chrono::{NaiveDate, Weekday};
    use chrono_tz::America::New_York;
    use chrono_tz::Europe::London;
    use proptest::prelude::*;

    // 2026-05-11 is a Monday, so 2026-05-15 is a Friday; 2026-03-08 is the US
    // spring-forward Sunday; 2026-12-25 is a Friday.

    fn fri(hour: u32, min: u32) -> DateTime<Utc> {
        ny((2026, 5, 15), hour, min)
    }

    fn sat(hour: u32, min: u32) -> DateTime<Utc> {
        ny((2026, 5, 16), hour, min)
    }

    fn sun(hour: u32, min: u32) -> DateTime<Utc> {
        ny((2026, 5, 17), hour, min)
    }

    fn mon(hour: u32, min: u32) -> DateTime<Utc> {
        ny((2026, 5, 18), hour, min)
    }

    fn minutes(n: i64) -> Duration {
        Duration::minutes(n)
    }

    fn hours(n: i64) -> Duration {
        Duration::hours(n)
    }

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    /// The blueprints' desk: 07:00–18:00 on weekdays, Christmas off.
    fn office() -> BusinessCalendar {
        BusinessCalendar::builder(New_York)
            .open_weekdays("07:00", "18:00")
            .holiday(date(2026, 12, 25))
            .build()
            .unwrap()
    }

    fn never() -> BusinessCalendar {
        BusinessCalendar::builder(New_York).build().unwrap()
    }

    fn target(p: Priority) -> Target {
        *SlaTargets::blueprint_default().target(p)
    }

    fn closed(from: DateTime<Utc>, until: DateTime<Utc>) -> Pause {
        Pause {
            from,
            until: Some(until),
        }
    }

    fn open(from: DateTime<Utc>) -> Pause {
        Pause { from, until: None }
    }

    #[test]
    fn blueprint_response_is_twenty_minutes() {
        // "A call logged at 5:45pm on a Friday in a 7am–6pm Mon–Fri calendar,
        // answered at 7:05am Monday, is a 20 minute response time."
        let (logged, answered) = (fri(17, 45), mon(7, 5));
        let mode = target(P2).mode;
        assert_eq!(elapsed(&office(), mode, logged, answered, &[]), minutes(20));
        let due = response_due(&office(), &target(P2), logged);
        assert_eq!(due, Some(mon(7, 15)));
        assert_eq!(
            response_state(&office(), mode, due, Some(answered), answered, minutes(10)),
            ClockState::Met { on_time: true }
        );
        // The same call as a P1 is counted around the clock.
        assert_eq!(
            response_due(&office(), &target(P1), logged),
            Some(fri(18, 15))
        );
    }

    #[test]
    fn resolution_due_table() {
        use ResolutionDue::{At, Paused};
        let (p1, p2, p3) = (target(P1), target(P2), target(P3));
        let dst_fri = |h| ny((2026, 3, 6), h, 0);
        #[rustfmt::skip]
        let cases = [
            ("within a day", office(), p2, ny((2026, 5, 11), 9, 0), vec![], At(ny((2026, 5, 11), 13, 0))),
            ("P2 business hours across a weekend", office(), p2, fri(17, 45), vec![], At(mon(10, 45))),
            ("P1 24/7 across a weekend", office(), p1, fri(17, 45), vec![], At(fri(19, 45))),
            ("P1 created on a Saturday", office(), p1, sat(10, 0), vec![], At(sat(12, 0))),
            ("no pause", office(), p2, fri(15, 0), vec![], At(mon(8, 0))),
            ("pause across a weekend", office(), p2, fri(15, 0), vec![closed(fri(17, 0), mon(10, 0))], At(mon(12, 0))),
            ("pause entirely outside hours moves nothing", office(), p2, fri(15, 0), vec![closed(sat(10, 0), sun(20, 0))], At(mon(8, 0))),
            ("the same pause stops a 24/7 clock", office(), p1, sat(9, 0), vec![closed(sat(10, 0), sat(10, 30))], At(sat(11, 30))),
            ("pause starting before creation", office(), p2, fri(15, 0), vec![closed(fri(14, 0), fri(16, 0))], At(mon(9, 0))),
            ("pause ended before creation", office(), p2, fri(15, 0), vec![closed(fri(13, 0), fri(14, 0))], At(mon(8, 0))),
            ("backwards pause is ignored", office(), p2, fri(15, 0), vec![closed(fri(16, 0), fri(15, 30))], At(mon(8, 0))),
            ("overlapping pauses, unsorted", office(), p2, fri(15, 0), vec![closed(fri(16, 0), fri(17, 0)), closed(fri(15, 30), fri(16, 30)), closed(fri(15, 45), fri(16, 15))], At(mon(9, 30))),
            ("touching pauses", office(), p2, fri(15, 0), vec![closed(fri(16, 0), fri(16, 30)), closed(fri(15, 30), fri(16, 0))], At(mon(9, 0))),
            ("open pause", office(), p2, fri(15, 0), vec![open(fri(16, 0))], Paused { remaining: hours(3) }),
            ("open pause since before creation", office(), p2, fri(15, 0), vec![open(fri(14, 0))], Paused { remaining: hours(4) }),
            ("open pause swallowing a closed one", office(), p2, fri(15, 0), vec![closed(fri(15, 30), fri(16, 30)), open(fri(16, 0))], Paused { remaining: minutes(210) }),
            ("open pause over the weekend", office(), p2, fri(15, 0), vec![open(sat(10, 0))], Paused { remaining: hours(1) }),
            ("open pause after the clock ran out", office(), p2, fri(15, 0), vec![open(mon(9, 0))], At(mon(8, 0))),
            ("open pause from exactly the due", office(), p2, fri(15, 0), vec![open(mon(8, 0))], At(mon(8, 0))),
            ("pause ending exactly at the due", office(), p2, ny((2026, 5, 11), 9, 0), vec![closed(ny((2026, 5, 11), 12, 0), ny((2026, 5, 11), 13, 0))], At(ny((2026, 5, 11), 14, 0))),
            ("pause starting exactly at the due", office(), p2, ny((2026, 5, 11), 9, 0), vec![closed(ny((2026, 5, 11), 13, 0), ny((2026, 5, 11), 14, 0))], At(ny((2026, 5, 11), 13, 0))),
            ("due at closing time stays there", office(), p2, ny((2026, 5, 11), 14, 0), vec![], At(ny((2026, 5, 11), 18, 0))),
            ("DST weekend, business hours", office(), p2, dst_fri(16), vec![], At(ny((2026, 3, 9), 9, 0))),
            ("DST weekend, paused", office(), p2, dst_fri(16), vec![closed(dst_fri(17), ny((2026, 3, 9), 8, 0))], At(ny((2026, 3, 9), 11, 0))),
            ("DST night, 24/7 counts real hours", office(), p1, ny((2026, 3, 8), 0, 30), vec![], At(ny((2026, 3, 8), 3, 30))),
            ("holiday", office(), p3, ny((2026, 12, 24), 16, 0), vec![], At(ny((2026, 12, 28), 13, 0))),
            ("24/7 ignores the holiday", office(), p1, ny((2026, 12, 25), 10, 0), vec![], At(ny((2026, 12, 25), 12, 0))),
            ("calendar never open", never(), p2, fri(15, 0), vec![], ResolutionDue::Never),
            ("24/7 on a calendar never open", never(), p1, fri(15, 0), vec![], At(fri(17, 0))),
        ];
        for (label, cal, target, created, pauses, expected) in cases {
            assert_eq!(
                resolution_due(&cal, &target, created, &pauses),
                expected,
                "{label}"
            );
        }
    }

    #[test]
    fn response_due_table() {
        let (p1, p2) = (target(P1), target(P2));
        #[rustfmt::skip]
        let cases = [
            ("in hours", office(), p2, ny((2026, 5, 11), 9, 0), Some(ny((2026, 5, 11), 9, 30))),
            ("blueprint over the DST weekend", office(), p2, ny((2026, 3, 6), 17, 45), Some(ny((2026, 3, 9), 7, 15))),
            ("holiday", office(), p2, ny((2026, 12, 25), 9, 0), Some(ny((2026, 12, 28), 7, 30))),
            ("P1 on a Sunday", office(), p1, sun(3, 0), Some(sun(3, 30))),
            ("never open", never(), p2, fri(15, 0), None),
        ];
        for (label, cal, target, created, expected) in cases {
            assert_eq!(response_due(&cal, &target, created), expected, "{label}");
        }
    }

    #[test]
    fn priority_change_recomputes_from_creation() {
        let cal = office();
        let targets = SlaTargets::blueprint_default();
        let created = ny((2026, 5, 11), 9, 0);
        let pauses = [closed(ny((2026, 5, 11), 9, 15), ny((2026, 5, 11), 9, 30))];
        let dues = |p: Priority| {
            (
                response_due(&cal, targets.target(p), created),
                resolution_due(&cal, targets.target(p), created, &pauses),
            )
        };
        // Logged as a P3, raised to P1 at 10:00: both clocks count from 09:00
        // under the new targets, and the pause still counts.
        assert_eq!(
            dues(P3),
            (
                Some(ny((2026, 5, 11), 9, 30)),
                ResolutionDue::At(ny((2026, 5, 11), 17, 15))
            )
        );
        let (response, resolution) = dues(P1);
        assert_eq!(response, Some(ny((2026, 5, 11), 9, 30)));
        assert_eq!(resolution, ResolutionDue::At(ny((2026, 5, 11), 11, 15)));
        let mode = targets.target(P1).mode;
        let state = |now| clock_state(&cal, mode, resolution, None, now, minutes(30));
        assert_eq!(state(ny((2026, 5, 11), 10, 0)), ClockState::OnTrack);
        assert_eq!(state(ny((2026, 5, 11), 10, 45)), ClockState::DueSoon);
        // Lowered again later, it is judged as if it had always been a P2.
        assert_eq!(dues(P2).1, ResolutionDue::At(ny((2026, 5, 11), 13, 15)));
    }

    #[test]
    fn clock_state_table() {
        use ClockMode::{Always, BusinessHours as Business};
        use ClockState::{Breached, DueSoon, Met, OnTrack};
        use ResolutionDue::{At, Never};
        let due = At(mon(10, 0));
        let paused = ResolutionDue::Paused {
            remaining: hours(1),
        };
        let ns = Duration::nanoseconds;
        #[rustfmt::skip]
        let cases = [
            ("on track", Business, due, None, mon(8, 59), hours(1), OnTrack),
            ("due soon at the boundary", Business, due, None, mon(9, 0), hours(1), DueSoon),
            ("due soon just before the due", Business, due, None, mon(10, 0) - ns(1), hours(1), DueSoon),
            ("one nanosecond left, nothing counts as soon", Business, due, None, mon(10, 0) - ns(1), Duration::zero(), OnTrack),
            ("breached exactly at the due", Business, due, None, mon(10, 0), hours(1), Breached),
            ("breached later", Business, due, None, mon(18, 0), hours(1), Breached),
            ("a weekend leaves business time", Business, due, None, sat(12, 0), hours(1), OnTrack),
            ("the last business hour is on Friday", Business, At(mon(7, 30)), None, fri(17, 30), hours(1), DueSoon),
            ("24/7 counts the weekend", Always, At(mon(7, 30)), None, fri(17, 30), hours(1), OnTrack),
            ("no business time left at all", Business, At(mon(7, 0)), None, fri(18, 30), Duration::zero(), DueSoon),
            ("met on time", Business, due, Some(mon(9, 0)), mon(18, 0), hours(1), Met { on_time: true }),
            ("met exactly at the due", Business, due, Some(mon(10, 0)), mon(18, 0), hours(1), Met { on_time: true }),
            ("met late", Business, due, Some(mon(10, 0) + ns(1)), mon(18, 0), hours(1), Met { on_time: false }),
            ("paused", Business, paused, None, mon(18, 0), hours(1), ClockState::Paused),
            ("met while paused", Business, paused, Some(mon(9, 0)), mon(18, 0), hours(1), Met { on_time: true }),
            ("never due", Business, Never, None, mon(18, 0), hours(1), OnTrack),
        ];
        for (label, mode, due, met_at, now, due_soon, expected) in cases {
            assert_eq!(
                clock_state(&office(), mode, due, met_at, now, due_soon),
                expected,
                "{label}"
            );
        }
    }

    #[test]
    fn due_soon_is_a_share_of_the_target() {
        let secs = Duration::seconds;
        #[rustfmt::skip]
        let cases = [
            ("a quarter of a 30-minute response is 7.5 minutes", minutes(30), 25, secs(450)),
            ("a quarter of an 8-hour resolution is 2 hours", hours(8), 25, hours(2)),
            ("no share, no warning", minutes(30), 0, Duration::zero()),
            ("the whole target", minutes(30), 100, minutes(30)),
            ("above 100 % is the whole target", minutes(30), 150, minutes(30)),
            ("below 0 % is none", minutes(30), -5, Duration::zero()),
        ];
        for (label, target, percent, expected) in cases {
            assert_eq!(due_soon_within(target, percent), expected, "{label}");
        }
    }

    #[test]
    fn a_response_due_tomorrow_morning_is_not_due_soon_now() {
        let cal = office();
        let mode = ClockMode::BusinessHours;
        let warn = due_soon_within(minutes(30), DEFAULT_DUE_SOON_PERCENT);
        // Recorded on Friday at 17:50 with a 30-minute business-hours target: due on Monday
        // at 07:20, with its whole 30 minutes of counted time still ahead.
        let due = Some(mon(7, 20));
        let state = |now| response_state(&cal, mode, due, None, now, warn);
        #[rustfmt::skip]
        let cases = [
            ("just recorded", fri(17, 50), ClockState::OnTrack),
            ("over the weekend", sat(12, 0), ClockState::OnTrack),
            ("Monday, 8 minutes left", mon(7, 12), ClockState::OnTrack),
            ("Monday, 7.5 minutes left", mon(7, 12) + Duration::seconds(30), ClockState::DueSoon),
            ("Monday, at the due", mon(7, 20), ClockState::Breached),
        ];
        for (label, now, expected) in cases {
            assert_eq!(state(now), expected, "{label}");
        }
    }

    #[test]
    fn response_state_follows_the_same_rule() {
        let cal = office();
        let mode = ClockMode::BusinessHours;
        let due = Some(mon(7, 15));
        let state = |due, met, now| response_state(&cal, mode, due, met, now, minutes(10));
        assert_eq!(state(due, None, fri(17, 45)), ClockState::OnTrack);
        assert_eq!(state(due, None, mon(7, 5)), ClockState::DueSoon);
        assert_eq!(state(due, None, mon(7, 15)), ClockState::Breached);
        assert_eq!(
            state(due, Some(mon(7, 16)), mon(8, 0)),
            ClockState::Met { on_time: false }
        );
        assert_eq!(state(None, None, mon(8, 0)), ClockState::OnTrack);
    }

    #[test]
    fn elapsed_table() {
        use ClockMode::{Always, BusinessHours as Business};
        #[rustfmt::skip]
        let cases = [
            ("blueprint", Business, fri(17, 45), mon(7, 5), vec![], minutes(20)),
            ("24/7", Always, fri(17, 45), mon(7, 5), vec![], minutes(61 * 60 + 20)),
            ("reversed", Business, mon(7, 5), fri(17, 45), vec![], Duration::zero()),
            ("pause across a weekend", Business, fri(15, 0), mon(12, 0), vec![closed(fri(17, 0), mon(10, 0))], hours(4)),
            ("open pause", Business, fri(15, 0), mon(12, 0), vec![open(fri(16, 0))], hours(1)),
            ("open pause after until", Business, fri(15, 0), fri(16, 0), vec![open(fri(16, 0))], hours(1)),
            ("pause outside hours", Business, fri(15, 0), mon(12, 0), vec![closed(sat(1, 0), sun(1, 0))], hours(8)),
            ("pause covering everything", Business, fri(15, 0), mon(12, 0), vec![closed(fri(14, 0), mon(13, 0))], Duration::zero()),
        ];
        for (label, mode, created, until, pauses, expected) in cases {
            assert_eq!(
                elapsed(&office(), mode, created, until, &pauses),
                expected,
                "{label}"
            );
        }
    }

    #[test]
    fn explain_table() {
        use ClockMode::{Always, BusinessHours as Business};
        use SegmentKind::{Counted, OutsideHours as Out, Paused};
        #[rustfmt::skip]
        let cases = [
            ("blueprint response", Business, fri(17, 45), mon(7, 5), vec![],
                vec![(fri(17, 45), fri(18, 0), Counted), (fri(18, 0), mon(7, 0), Out), (mon(7, 0), mon(7, 5), Counted)]),
            ("a weekend", Business, fri(15, 0), mon(12, 0), vec![],
                vec![(fri(15, 0), fri(18, 0), Counted), (fri(18, 0), mon(7, 0), Out), (mon(7, 0), mon(12, 0), Counted)]),
            ("pause across a weekend is shown whole", Business, fri(15, 0), mon(12, 0), vec![closed(fri(17, 0), mon(10, 0))],
                vec![(fri(15, 0), fri(17, 0), Counted), (fri(17, 0), mon(10, 0), Paused), (mon(10, 0), mon(12, 0), Counted)]),
            ("pause outside hours", Business, fri(15, 0), mon(12, 0), vec![closed(sat(10, 0), sun(20, 0))],
                vec![(fri(15, 0), fri(18, 0), Counted), (fri(18, 0), sat(10, 0), Out), (sat(10, 0), sun(20, 0), Paused), (sun(20, 0), mon(7, 0), Out), (mon(7, 0), mon(12, 0), Counted)]),
            ("created while closed, still paused", Business, sat(10, 0), mon(12, 0), vec![open(mon(9, 0))],
                vec![(sat(10, 0), mon(7, 0), Out), (mon(7, 0), mon(9, 0), Counted), (mon(9, 0), mon(12, 0), Paused)]),
            ("pauses from before creation, overlapping", Business, fri(15, 0), mon(12, 0), vec![closed(fri(15, 30), fri(16, 30)), closed(fri(14, 0), fri(16, 0))],
                vec![(fri(15, 0), fri(16, 30), Paused), (fri(16, 30), fri(18, 0), Counted), (fri(18, 0), mon(7, 0), Out), (mon(7, 0), mon(12, 0), Counted)]),
            ("pause ending at closing", Business, fri(15, 0), mon(12, 0), vec![closed(fri(16, 0), fri(18, 0))],
                vec![(fri(15, 0), fri(16, 0), Counted), (fri(16, 0), fri(18, 0), Paused), (fri(18, 0), mon(7, 0), Out), (mon(7, 0), mon(12, 0), Counted)]),
            ("24/7", Always, fri(15, 0), mon(12, 0), vec![closed(sat(10, 0), sun(20, 0))],
                vec![(fri(15, 0), sat(10, 0), Counted), (sat(10, 0), sun(20, 0), Paused), (sun(20, 0), mon(12, 0), Counted)]),
            ("empty", Business, fri(15, 0), fri(15, 0), vec![], vec![]),
            ("reversed", Business, mon(12, 0), fri(15, 0), vec![], vec![]),
        ];
        for (label, mode, created, until, pauses, expected) in cases {
            let segments = explain(&office(), mode, created, until, &pauses);
            let shape: Vec<_> = segments.iter().map(|s| (s.from, s.until, s.kind)).collect();
            assert_eq!(shape, expected, "{label}");
            let total = segments
                .iter()
                .fold(Duration::zero(), |sum, s| sum + s.counted);
            assert_eq!(
                total,
                elapsed(&office(), mode, created, until, &pauses),
                "{label}"
            );
        }
    }

    #[test]
    fn validate_targets_table() {
        let default = SlaTargets::blueprint_default;
        let with = |p, response, resolution| {
            default().with(
                p,
                Target {
                    response,
                    resolution,
                    mode: ClockMode::BusinessHours,
                },
            )
        };
        let msg = |p, text: &str| (p, text.to_string());
        #[rustfmt::skip]
        let cases = [
            ("blueprint", default(), Ok(())),
            ("a year is fine", with(P3, Duration::days(365), Duration::days(365)), Ok(())),
            ("equal times are fine", with(P2, hours(4), hours(4)), Ok(())),
            ("zero response", with(P1, Duration::zero(), hours(2)), Err(vec![msg(P1, "Response time must be more than zero.")])),
            ("negative resolution", with(P2, minutes(30), hours(-1)), Err(vec![msg(P2, "Resolution time must be more than zero.")])),
            ("response after resolution", with(P3, hours(9), hours(8)), Err(vec![msg(P3, "Response time cannot be longer than resolution time.")])),
            ("over a year", with(P2, minutes(30), Duration::days(366)), Err(vec![msg(P2, "Resolution time cannot be more than 365 days.")])),
            ("both wrong", with(P2, Duration::zero(), Duration::days(400)), Err(vec![msg(P2, "Response time must be more than zero."), msg(P2, "Resolution time cannot be more than 365 days.")])),
            ("several priorities", with(P3, hours(9), hours(8)).with(P1, Target { response: Duration::zero(), ..target(P1) }),
                Err(vec![msg(P1, "Response time must be more than zero."), msg(P3, "Response time cannot be longer than resolution time.")])),
        ];
        for (label, targets, expected) in cases {
            assert_eq!(targets.validate(), expected, "{label}");
        }
    }

    #[test]
    fn targets_and_modes() {
        let targets = SlaTargets::blueprint_default();
        let table = [
            (P1, 30, 2, ClockMode::Always),
            (P2, 30, 4, ClockMode::BusinessHours),
            (P3, 30, 8, ClockMode::BusinessHours),
        ];
        for (p, response, resolution, mode) in table {
            let expected = Target {
                response: minutes(response),
                resolution: hours(resolution),
                mode,
            };
            assert_eq!(*targets.target(p), expected, "{p:?}");
        }
        assert_eq!(
            targets.iter().map(|(p, _)| p).collect::<Vec<_>>(),
            Priority::ALL
        );
        for mode in ClockMode::ALL {
            assert_eq!(ClockMode::parse(mode.as_str()).unwrap(), mode);
        }
        assert!(ClockMode::parse("24/7").is_err());
        assert_eq!(ClockMode::Always.to_string(), "24/7");
        assert!(matches!(
            clock_calendar(&office(), ClockMode::BusinessHours),
            Cow::Borrowed(cal) if *cal == office()
        ));
        assert_eq!(
            *clock_calendar(&office(), ClockMode::Always),
            BusinessCalendar::always_open()
        );
    }

    // ---- Properties -----------------------------------------------------------

    fn calendars() -> Vec<BusinessCalendar> {
        vec![
            office(),
            // Lunch breaks and a shorter Friday.
            BusinessCalendar::builder(New_York)
                .open_weekdays("08:00", "12:00")
                .open_weekdays("13:00", "17:30")
                .open(Weekday::Sat, "09:00", "12:00")
                .holidays([date(2026, 7, 3), date(2026, 11, 26)])
                .build()
                .unwrap(),
            // Round the clock on weekdays, across midnight.
            BusinessCalendar::builder(London)
                .open_weekdays("00:00", "24:00")
                .holiday(date(2026, 12, 25))
                .build()
                .unwrap(),
        ]
    }

    /// A ticket: calendar, mode, creation time, resolution target in minutes,
    /// closed pauses around it, and perhaps one open pause.
    fn ticket() -> impl Strategy<Value = (usize, ClockMode, DateTime<Utc>, Duration, Vec<Pause>)> {
        let year = ny((2026, 1, 1), 0, 0);
        let pause = (-3 * 1440..20 * 1440i64, 0..4 * 1440i64);
        (
            0..3usize,
            prop_oneof![Just(ClockMode::BusinessHours), Just(ClockMode::Always)],
            0..365 * 1440i64,
            0..60i64,
            1..60 * 60i64,
            proptest::collection::vec(pause, 0..5),
            proptest::option::of(-1440..20 * 1440i64),
        )
            .prop_map(
                move |(cal, mode, at, second, resolution, pauses, open_at)| {
                    let created = year + minutes(at) + Duration::seconds(second);
                    let mut pauses: Vec<Pause> = pauses
                        .into_iter()
                        .map(|(start, len)| {
                            let from = created + minutes(start);
                            closed(from, from + minutes(len))
                        })
                        .collect();
                    if let Some(start) = open_at {
                        pauses.push(open(created + minutes(start)));
                    }
                    (cal, mode, created, minutes(resolution), pauses)
                },
            )
    }

    /// Whether the pauses, taken as given, cover all of `[from, until)`.
    fn covered(from: DateTime<Utc>, until: DateTime<Utc>, pauses: &[Pause]) -> bool {
        let mut t = from;
        while t < until {
            let Some(next) = pauses
                .iter()
                .filter(|p| p.from <= t && p.until.is_none_or(|end| end > t))
                .map(|p| p.until.unwrap_or(DateTime::<Utc>::MAX_UTC))
                .max()
            else {
                return false;
            };
            t = next;
        }
        true
    }

    fn touches_a_pause(from: DateTime<Utc>, until: DateTime<Utc>, pauses: &[Pause]) -> bool {
        pauses.iter().any(|p| {
            let end = p.until.unwrap_or(DateTime::<Utc>::MAX_UTC);
            p.from.max(from) < end.min(until)
        })
    }

    proptest! {
        /// The due time is the first instant at which the counted time
        /// reaches the target; a pause still in force holds what is left.
        #[test]
        fn due_is_when_elapsed_reaches_the_target(
            (cal, mode, created, resolution, pauses) in ticket()
        ) {
            let cal = &calendars()[cal];
            let target = Target { response: minutes(1), resolution, mode };
            match resolution_due(cal, &target, created, &pauses) {
                ResolutionDue::At(due) => {
                    prop_assert_eq!(elapsed(cal, mode, created, due, &pauses), resolution);
                    let just_before = due - Duration::nanoseconds(1);
                    prop_assert!(elapsed(cal, mode, created, just_before, &pauses) < resolution);
                }
                ResolutionDue::Paused { remaining } => {
                    prop_assert!(pauses.iter().any(|p| p.until.is_none()));
                    prop_assert!(remaining > Duration::zero());
                    let far = created + Duration::days(60);
                    prop_assert_eq!(elapsed(cal, mode, created, far, &pauses), resolution - remaining);
                }
                ResolutionDue::Never => prop_assert!(false, "these calendars always open"),
            }
        }

        /// A closed pause moves the due time later by exactly the clock time
        /// it covered, or not at all when it starts once the clock has run out.
        #[test]
        fn a_pause_shifts_the_due_by_the_time_it_covered(
            (cal, mode, created, resolution, pauses) in ticket()
        ) {
            let cal = &calendars()[cal];
            let target = Target { response: minutes(1), resolution, mode };
            let Some(&pause) = pauses.iter().find(|p| p.until.is_some()) else {
                return Ok(());
            };
            let ResolutionDue::At(unpaused) = resolution_due(cal, &target, created, &[]) else {
                return Err(TestCaseError::fail("no due without pauses"));
            };
            let paused = resolution_due(cal, &target, created, &[pause]);
            let clock = clock_calendar(cal, mode);
            let expected = if pause.from < unpaused {
                let covered = clock.between(pause.from.max(created), pause.until.unwrap());
                clock.add(unpaused, covered).unwrap()
            } else {
                unpaused
            };
            prop_assert_eq!(paused, ResolutionDue::At(expected));
        }

        /// The segments tile [created, until), each is what its kind says,
        /// and the counted time adds up to elapsed.
        #[test]
        fn explain_tiles_and_adds_up(
            (cal, mode, created, _resolution, pauses) in ticket(),
            length in 0..15 * 1440i64,
        ) {
            let cal = &calendars()[cal];
            let clock = clock_calendar(cal, mode);
            let until = created + minutes(length);
            let segments = explain(cal, mode, created, until, &pauses);
            match (segments.first(), segments.last()) {
                (Some(first), Some(last)) => {
                    prop_assert_eq!(first.from, created);
                    prop_assert_eq!(last.until, until);
                }
                _ => prop_assert_eq!(length, 0),
            }
            for pair in segments.windows(2) {
                prop_assert_eq!(pair[0].until, pair[1].from);
                prop_assert_ne!(pair[0].kind, pair[1].kind);
            }
            let mut total = Duration::zero();
            for s in &segments {
                prop_assert!(s.from < s.until);
                let real = s.until - s.from;
                let open = clock.between(s.from, s.until);
                match s.kind {
                    SegmentKind::Counted => {
                        prop_assert_eq!(s.counted, real);
                        prop_assert_eq!(open, real);
                        prop_assert!(!touches_a_pause(s.from, s.until, &pauses));
                    }
                    SegmentKind::OutsideHours => {
                        prop_assert_eq!(s.counted, Duration::zero());
                        prop_assert_eq!(open, Duration::zero());
                        prop_assert!(!touches_a_pause(s.from, s.until, &pauses));
                    }
                    SegmentKind::Paused => {
                        prop_assert_eq!(s.counted, Duration::zero());
                        prop_assert!(covered(s.from, s.until, &pauses));
                    }
                }
                total += s.counted;
            }
            prop_assert_eq!(total, elapsed(cal, mode, created, until, &pauses));
        }
    }
}

#[cfg(test)]
mod queue_due_tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, h, m, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn the_queue_shows_the_clock_that_is_due_next() {
        let now = at(10, 0);
        let table = [
            (
                false,
                false,
                Some(at(10, 30)),
                Some(at(14, 0)),
                QueueDue::DueSoon(at(10, 30)),
            ),
            (
                false,
                true,
                Some(at(10, 30)),
                Some(at(14, 0)),
                QueueDue::OnTrack(at(14, 0)),
            ),
            (
                false,
                false,
                Some(at(9, 30)),
                Some(at(14, 0)),
                QueueDue::Breached(at(9, 30)),
            ),
            (
                false,
                true,
                Some(at(9, 30)),
                Some(at(10, 0)),
                QueueDue::Breached(at(10, 0)),
            ),
            (
                false,
                true,
                None,
                Some(at(11, 0)),
                QueueDue::DueSoon(at(11, 0)),
            ),
            (
                false,
                true,
                None,
                Some(at(11, 1)),
                QueueDue::OnTrack(at(11, 1)),
            ),
            (true, false, Some(at(9, 0)), None, QueueDue::Paused),
            (false, true, None, None, QueueDue::Unknown),
        ];
        for (paused, responded, response, resolution, expected) in table {
            assert_eq!(
                queue_due(paused, responded, response, resolution, now),
                expected
            );
        }
    }
}
