//! The escalation ladder (blueprints, "Escalation Rules"): its levels in order, what may be
//! escalated where and why, each level's time budget, the severity rule, and the admins' edits
//! of the ladder. Approvals and the decision point have rooms of their own.

use std::fmt;

use chrono::Duration;

use super::account::Tier;
use super::inputs::FieldProblem;
use super::priority::Priority;
use super::ticket::{Action, PendingReason, Status};

/// Why a ticket goes up the ladder. Every escalation names one: escalations are expensive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    SkillLimitation,
    Sensitive,
    TimeExceeded,
    ScopeApproval,
    ClientSatisfaction,
    ExternalVendor,
    AdminPrivileges,
    Severity,
}

impl Reason {
    pub const ALL: [Reason; 8] = [
        Reason::SkillLimitation,
        Reason::Sensitive,
        Reason::TimeExceeded,
        Reason::ScopeApproval,
        Reason::ClientSatisfaction,
        Reason::ExternalVendor,
        Reason::AdminPrivileges,
        Reason::Severity,
    ];

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == raw.trim())
            .ok_or_else(|| "Choose why the ticket must go up from the list.".to_string())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::SkillLimitation => "skill_limitation",
            Reason::Sensitive => "sensitive",
            Reason::TimeExceeded => "time_exceeded",
            Reason::ScopeApproval => "scope_approval",
            Reason::ClientSatisfaction => "client_satisfaction",
            Reason::ExternalVendor => "external_vendor",
            Reason::AdminPrivileges => "admin_privileges",
            Reason::Severity => "severity",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Reason::SkillLimitation => "Technical skill limitation",
            Reason::Sensitive => "Permission, security or sensitive matter",
            Reason::TimeExceeded => "SLA or time exceeded",
            Reason::ScopeApproval => "Scope approval required",
            Reason::ClientSatisfaction => "Client satisfaction",
            Reason::ExternalVendor => "External vendor",
            Reason::AdminPrivileges => "Administrator privileges",
            Reason::Severity => "Complexity or severity",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What set an escalation off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    Manual,
    Time,
    Severity,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Manual => "manual",
            Trigger::Time => "time",
            Trigger::Severity => "severity",
        }
    }

    /// A time or severity escalation names nobody: the new level's queue (or its default owner)
    /// takes the ticket. A manual one names its new owner.
    pub fn is_automatic(self) -> bool {
        matches!(self, Trigger::Time | Trigger::Severity)
    }
}

/// One rung of the ladder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Level {
    pub id: i64,
    pub position: i32,
    pub name: String,
    /// The support line the ticket's tier becomes at this level; none at the decision point.
    pub tier: Option<Tier>,
    pub decision_point: bool,
    /// Per priority (indexed like [`Priority::ALL`]), the point on the ticket's resolution
    /// clock, in percent of the resolution target, by which the ticket must have left this
    /// level; `None`: no time trigger.
    pub budget_percent: [Option<i32>; 3],
    /// Who owns a ticket an automatic escalation brings here; `None`: nobody until someone
    /// takes it from the level's queue.
    pub default_owner: Option<i64>,
}

impl Level {
    /// On-site visits cost the client money and a technician's day: a manager approves them.
    pub fn needs_approval(&self) -> bool {
        self.tier == Some(Tier::OnSite)
    }
}

/// A level's time for one ticket: it must leave the level by `until` on its resolution clock
/// (counted from when it was recorded), but a ticket that arrives late still gets the level's
/// own `share` (from the lower level's point to this one's) from its arrival: a technician who
/// escalates at 80 % should not see the sweep move the ticket on at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BudgetSpan {
    pub percent: i32,
    pub until: Duration,
    pub share: Duration,
}

/// The levels in order, lowest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ladder {
    levels: Vec<Level>,
}

impl Ladder {
    pub fn new(mut levels: Vec<Level>) -> Self {
        levels.sort_by_key(|l| l.position);
        Self { levels }
    }

    pub fn levels(&self) -> &[Level] {
        &self.levels
    }

    pub fn get(&self, id: i64) -> Option<&Level> {
        self.levels.iter().find(|l| l.id == id)
    }

    /// Where a ticket stands: the level it was escalated to, else the one of its tier, else the
    /// bottom of the ladder (every ticket starts with first-line support).
    pub fn current(&self, recorded: Option<i64>, tier: Option<Tier>) -> Option<&Level> {
        recorded
            .and_then(|id| self.get(id))
            .or_else(|| tier.and_then(|t| self.levels.iter().find(|l| l.tier == Some(t))))
            .or_else(|| self.levels.first())
    }

    /// The levels above `from`, for the escalation form.
    pub fn above(&self, from: &Level) -> Vec<&Level> {
        self.levels
            .iter()
            .filter(|l| l.position > from.position)
            .collect()
    }

    /// The time `level` may hold a ticket of `priority` whose resolution target is
    /// `resolution`; `None` when the level has no budget for the priority.
    pub fn budget(
        &self,
        level: &Level,
        priority: Priority,
        resolution: Duration,
    ) -> Option<BudgetSpan> {
        let index = priority.index();
        let percent = level.budget_percent[index]?;
        let below = self
            .levels
            .iter()
            .filter(|l| l.position < level.position)
            .filter_map(|l| l.budget_percent[index])
            .filter(|p| *p < percent)
            .max()
            .unwrap_or(0);
        let of = |p: i32| Duration::seconds(resolution.num_seconds() * i64::from(p) / 100);
        Some(BudgetSpan {
            percent,
            until: of(percent),
            share: of(percent - below),
        })
    }

    /// Where a time trigger sends a ticket: the next level up that needs nobody's approval (a
    /// sweep cannot ask the manager to approve an on-site visit; the manager decides).
    pub fn next_for_time(&self, from: &Level) -> Option<&Level> {
        self.levels
            .iter()
            .find(|l| l.position > from.position && !l.needs_approval())
    }
}

/// Checks a manual escalation from `from` to `to`. Any higher level may be chosen directly
/// (a tier 1 technician without admin rights goes straight to the manager on a P1). Handing the
/// ticket to an external vendor may keep it at its level: the vendor does the work.
pub fn check_manual(from: &Level, to: &Level, reason: Reason) -> Result<(), String> {
    if to.position > from.position {
        return Ok(());
    }
    if reason == Reason::ExternalVendor && to.id == from.id {
        return Ok(());
    }
    Err(format!(
        "Choose a level above {}; only a hand-over to an external vendor may stay at this level.",
        from.name
    ))
}

/// Only a ticket the desk still works may go up the ladder or ask for a change: a solved one
/// waits for the client, a finished one is history.
pub fn can_escalate(status: Status) -> bool {
    status.is_open() && status != Status::Solved
}

/// The status change a move up the ladder makes: a hand-over to a vendor pends the ticket on
/// the vendor (its clock stops); any other move leaves the status alone.
pub fn move_action(to_vendor: bool) -> Option<Action> {
    to_vendor.then_some(Action::Pend(PendingReason::Vendor))
}

/// An on-site request can be approved only while the ticket is open: nobody goes on-site for a
/// finished ticket.
pub fn check_onsite_ticket(status: Status) -> Result<(), &'static str> {
    if status.is_open() {
        Ok(())
    } else {
        Err("The ticket is finished, so nobody goes on-site; reject the request instead.")
    }
}

/// An approved on-site request must still be a step up: the ticket may have been escalated past
/// it while the request waited.
pub fn check_onsite_step(from: &Level, to: &Level) -> Result<(), String> {
    if to.position > from.position {
        Ok(())
    } else {
        Err(format!(
            "The ticket has moved to {} since this request; on-site support would be a step \
             down. Reject the request instead.",
            from.name
        ))
    }
}

/// The vendor and their reference, both required when the reason is an external vendor.
pub fn check_vendor(
    reason: Reason,
    vendor: &str,
    reference: &str,
) -> Result<Option<(String, String)>, Vec<FieldProblem>> {
    if reason != Reason::ExternalVendor {
        return Ok(None);
    }
    let mut problems = Vec::new();
    if vendor.trim().is_empty() {
        problems.push(("vendor", "Name the vendor the ticket goes to.".to_string()));
    }
    if reference.trim().is_empty() {
        problems.push((
            "vendor_reference",
            "Give the vendor's case or ticket reference.".to_string(),
        ));
    }
    if problems.is_empty() {
        Ok(Some((
            vendor.trim().to_string(),
            reference.trim().to_string(),
        )))
    } else {
        Err(problems)
    }
}

/// How a level's time budget stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BudgetState {
    Left(Duration),
    RanOut,
}

/// What the ticket page tells the technician, plainly.
pub fn budget_sentence(state: BudgetState, business_time: bool, next: &str) -> String {
    let unit = if business_time {
        "business minutes"
    } else {
        "minutes"
    };
    match state {
        BudgetState::Left(left) => {
            let minutes = (left.num_seconds() + 59) / 60;
            format!("You have {minutes} {unit} before this must go to {next}.")
        }
        BudgetState::RanOut => {
            format!("This level's time is up: the ticket must go to {next} now.")
        }
    }
}

/// A severity rule: a ticket of `priority` goes at once to at least `min_position`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeverityRule {
    pub priority: Priority,
    pub min_level: i64,
    pub notify_manager: bool,
}

/// The level a severity rule sends a ticket to, if it stands lower; applied at triage.
pub fn severity_target<'a>(
    ladder: &'a Ladder,
    rules: &[SeverityRule],
    priority: Priority,
    current: &Level,
) -> Option<(&'a Level, bool)> {
    let rule = rules.iter().find(|r| r.priority == priority)?;
    let floor = ladder.get(rule.min_level)?;
    (floor.position > current.position).then_some((floor, rule.notify_manager))
}

/// A level as an admin edits it: its name and its budget per priority, in percent of the
/// resolution target (empty: no time trigger at that level for that priority).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LevelEdit {
    pub name: String,
    pub budget_percent: [Option<i32>; 3],
}

const BUDGET_FIELDS: [&str; 3] = ["budget_p1", "budget_p2", "budget_p3"];

/// Parses a level's name and budgets. A budget is a whole percentage from 1 to 100: a level
/// cannot have more time than the whole resolution target.
pub fn parse_level_edit(name: &str, budgets: [&str; 3]) -> Result<LevelEdit, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let name = name.trim();
    if name.is_empty() {
        problems.push(("name", "Give the level a name.".to_string()));
    } else if name.chars().count() > 80 {
        problems.push(("name", "Keep the name under 80 characters.".to_string()));
    }
    let mut budget_percent = [None; 3];
    for ((slot, raw), field) in budget_percent.iter_mut().zip(budgets).zip(BUDGET_FIELDS) {
        let raw = raw.trim().trim_end_matches('%').trim();
        if raw.is_empty() {
            continue;
        }
        match raw.parse::<i32>() {
            Ok(percent) if (1..=100).contains(&percent) => *slot = Some(percent),
            _ => problems.push((
                field,
                "Give a whole percentage from 1 to 100, or leave it empty for no time trigger."
                    .to_string(),
            )),
        }
    }
    if problems.is_empty() {
        Ok(LevelEdit {
            name: name.to_string(),
            budget_percent,
        })
    } else {
        Err(problems)
    }
}

/// How the escalation form offers a level: as an open choice, only with a manager's approval,
/// or only for a hand-over to an external vendor (the ticket stays at its level).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetKind {
    Open,
    NeedsApproval,
    ExternalVendorOnly,
}

/// Whether `to` may be chosen on a manual escalation from `from`, and how; `None` when no
/// reason allows it. Follows `check_manual`, so the form never offers what the command refuses.
pub fn manual_target(from: &Level, to: &Level) -> Option<TargetKind> {
    let allowed = |reason| check_manual(from, to, reason).is_ok();
    if !Reason::ALL.into_iter().any(allowed) {
        None
    } else if !Reason::ALL.into_iter().all(allowed) {
        Some(TargetKind::ExternalVendorOnly)
    } else if to.needs_approval() {
        Some(TargetKind::NeedsApproval)
    } else {
        Some(TargetKind::Open)
    }
}

/// One step of a level along the ladder, as the admin's up and down buttons send it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LevelMove {
    Up,
    Down,
}

impl LevelMove {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "up" => Some(LevelMove::Up),
            "down" => Some(LevelMove::Down),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn only_an_open_unsolved_ticket_may_escalate() {
        for status in Status::ALL {
            let expected = !matches!(
                status,
                Status::Solved | Status::Closed | Status::Cancelled | Status::Duplicate
            );
            assert_eq!(can_escalate(status), expected, "{status:?}");
        }
    }

    #[test]
    fn a_vendor_escalation_pends_the_ticket() {
        assert_eq!(move_action(true), Some(Action::Pend(PendingReason::Vendor)));
        assert_eq!(move_action(false), None);
    }

    #[test]
    fn an_onsite_approval_needs_an_open_ticket_and_a_step_up() {
        for status in Status::ALL {
            assert_eq!(check_onsite_ticket(status).is_ok(), status.is_open());
        }
        let (tier2, onsite) = (
            level(2, "Tier 2", Some(Tier::Tier2), None),
            level(4, "On-site", Some(Tier::OnSite), None),
        );
        assert!(check_onsite_step(&tier2, &onsite).is_ok());
        assert!(check_onsite_step(&onsite, &onsite).is_err());
        assert!(check_onsite_step(&onsite, &tier2).is_err());
    }

    fn level(id: i64, name: &str, tier: Option<Tier>, budget: Option<i32>) -> Level {
        Level {
            id,
            position: i32::try_from(id).unwrap(),
            name: name.into(),
            tier,
            decision_point: tier.is_none(),
            budget_percent: [budget; 3],
            default_owner: None,
        }
    }

    fn ladder() -> Ladder {
        Ladder::new(vec![
            level(5, "Service desk manager", None, None),
            level(3, "Tier 3", Some(Tier::Tier3), None),
            level(1, "Tier 1", Some(Tier::Tier1), Some(50)),
            level(4, "On-site support", Some(Tier::OnSite), None),
            level(2, "Tier 2", Some(Tier::Tier2), None),
        ])
    }

    #[test]
    fn reasons_round_trip_and_unknown_ones_are_refused() {
        for reason in Reason::ALL {
            assert_eq!(Reason::parse(reason.as_str()), Ok(reason));
        }
        assert!(Reason::parse("").is_err());
        assert!(Reason::parse("boredom").is_err());
    }

    #[test]
    fn the_current_level_comes_from_the_record_then_the_tier_then_the_bottom() {
        let ladder = ladder();
        let table = [
            (Some(5), Some(Tier::Tier2), 5),
            (None, Some(Tier::Tier3), 3),
            (None, None, 1),
            (Some(99), Some(Tier::Tier2), 2),
        ];
        for (recorded, tier, expected) in table {
            assert_eq!(
                ladder.current(recorded, tier).unwrap().id,
                expected,
                "{recorded:?} {tier:?}"
            );
        }
    }

    #[test]
    fn manual_escalation_goes_up_any_number_of_levels() {
        let ladder = ladder();
        let l = |id| ladder.get(id).unwrap();
        let table = [
            (1, 2, Reason::SkillLimitation, true),
            (1, 5, Reason::AdminPrivileges, true),
            (2, 2, Reason::SkillLimitation, false),
            (3, 2, Reason::SkillLimitation, false),
            (2, 2, Reason::ExternalVendor, true),
            (3, 1, Reason::ExternalVendor, false),
        ];
        for (from, to, reason, ok) in table {
            assert_eq!(
                check_manual(l(from), l(to), reason).is_ok(),
                ok,
                "{from} → {to} {reason:?}"
            );
        }
        assert_eq!(
            ladder.above(l(2)).iter().map(|l| l.id).collect::<Vec<_>>(),
            [3, 4, 5]
        );
    }

    #[test]
    fn a_time_trigger_skips_levels_that_need_approval() {
        let ladder = ladder();
        let l = |id| ladder.get(id).unwrap();
        let table = [
            (1, Some(2)),
            (2, Some(3)),
            (3, Some(5)),
            (4, Some(5)),
            (5, None),
        ];
        for (from, expected) in table {
            assert_eq!(
                ladder.next_for_time(l(from)).map(|l| l.id),
                expected,
                "{from}"
            );
        }
        assert!(l(4).needs_approval());
        assert!(!l(5).needs_approval());
    }

    #[test]
    fn budgets_are_points_on_the_resolution_clock_with_each_levels_share() {
        let mut levels = ladder().levels().to_vec();
        for l in &mut levels {
            l.budget_percent = match l.id {
                1 => [Some(50), Some(50), None],
                2 => [Some(75), None, Some(40)],
                3 => [Some(90), Some(90), None],
                _ => [None; 3],
            };
        }
        let ladder = Ladder::new(levels);
        let four_hours = Duration::hours(4);
        let span = |id, priority| {
            ladder
                .budget(ladder.get(id).unwrap(), priority, four_hours)
                .map(|s| (s.percent, s.until.num_minutes(), s.share.num_minutes()))
        };
        let table = [
            (1, Priority::P1, Some((50, 120, 120))),
            (2, Priority::P1, Some((75, 180, 60))),
            (3, Priority::P1, Some((90, 216, 36))),
            // Tier 2 has no P2 budget: tier 3's share runs from tier 1's point.
            (2, Priority::P2, None),
            (3, Priority::P2, Some((90, 216, 96))),
            // A point below a lower level's counts from the start of the clock.
            (2, Priority::P3, Some((40, 96, 96))),
            (5, Priority::P1, None),
        ];
        for (id, priority, expected) in table {
            assert_eq!(span(id, priority), expected, "{id} {priority:?}");
        }
    }

    fn budget_state(budget: Duration, used: Duration) -> BudgetState {
        if used >= budget {
            BudgetState::RanOut
        } else {
            BudgetState::Left(budget - used)
        }
    }

    #[test]
    fn the_budget_sentence_speaks_plainly() {
        let table = [
            (
                Duration::minutes(120),
                Duration::minutes(85),
                true,
                "You have 35 business minutes before this must go to Tier 2.",
            ),
            (
                Duration::minutes(60),
                Duration::seconds(30),
                false,
                "You have 60 minutes before this must go to Tier 2.",
            ),
            (
                Duration::minutes(60),
                Duration::minutes(60),
                true,
                "This level's time is up: the ticket must go to Tier 2 now.",
            ),
            (
                Duration::minutes(60),
                Duration::minutes(75),
                true,
                "This level's time is up: the ticket must go to Tier 2 now.",
            ),
        ];
        for (budget, used, business, expected) in table {
            assert_eq!(
                budget_sentence(budget_state(budget, used), business, "Tier 2"),
                expected
            );
        }
    }

    #[test]
    fn the_severity_rule_only_ever_raises_a_ticket() {
        let ladder = ladder();
        let rules = [SeverityRule {
            priority: Priority::P1,
            min_level: 2,
            notify_manager: true,
        }];
        let l = |id| ladder.get(id).unwrap();
        let table = [
            (Priority::P1, 1, Some(2)),
            (Priority::P1, 2, None),
            (Priority::P1, 3, None),
            (Priority::P2, 1, None),
        ];
        for (priority, from, expected) in table {
            assert_eq!(
                severity_target(&ladder, &rules, priority, l(from)).map(|(l, _)| l.id),
                expected,
                "{priority:?} at {from}"
            );
        }
    }

    #[test]
    fn a_vendor_hand_over_needs_the_vendor_and_its_reference() {
        assert_eq!(check_vendor(Reason::SkillLimitation, "", ""), Ok(None));
        assert_eq!(
            check_vendor(Reason::ExternalVendor, " Dell ", "SR-1"),
            Ok(Some(("Dell".into(), "SR-1".into())))
        );
        let problems = check_vendor(Reason::ExternalVendor, "", " ").unwrap_err();
        assert_eq!(
            problems.iter().map(|(f, _)| *f).collect::<Vec<_>>(),
            ["vendor", "vendor_reference"]
        );
    }

    /// Name, budgets, and the edit or the fields with problems.
    type LevelCase = (
        &'static str,
        [&'static str; 3],
        Result<LevelEdit, Vec<&'static str>>,
    );

    #[test]
    fn level_budgets_are_whole_percentages_of_the_target() {
        let ok = |b: [Option<i32>; 3]| {
            Ok::<_, Vec<&str>>(LevelEdit {
                name: "Tier 1".into(),
                budget_percent: b,
            })
        };
        let table: [LevelCase; 5] = [
            (
                " Tier 1 ",
                ["50", "50%", ""],
                ok([Some(50), Some(50), None]),
            ),
            ("Tier 1", ["", "", ""], ok([None, None, None])),
            (
                "Tier 1",
                ["100", "1", "75"],
                ok([Some(100), Some(1), Some(75)]),
            ),
            (
                "",
                ["0", "101", "half"],
                Err(vec!["name", "budget_p1", "budget_p2", "budget_p3"]),
            ),
            ("Tier 1", ["-5", "", ""], Err(vec!["budget_p1"])),
        ];
        for (name, budgets, expected) in table {
            let got = parse_level_edit(name, budgets)
                .map_err(|p| p.into_iter().map(|(f, _)| f).collect::<Vec<_>>());
            assert_eq!(got, expected, "{name:?} {budgets:?}");
        }
    }

    #[test]
    fn the_form_offers_only_the_targets_the_rule_allows() {
        let t1 = level(1, "Tier 1", Some(Tier::Tier1), None);
        let t2 = level(2, "Tier 2", Some(Tier::Tier2), None);
        let onsite = level(3, "On-site", Some(Tier::OnSite), None);
        assert_eq!(manual_target(&t2, &t1), None);
        assert_eq!(
            manual_target(&t2, &t2),
            Some(TargetKind::ExternalVendorOnly)
        );
        assert_eq!(manual_target(&t1, &t2), Some(TargetKind::Open));
        assert_eq!(manual_target(&t1, &onsite), Some(TargetKind::NeedsApproval));
    }

    #[test]
    fn level_moves_parse_only_their_words() {
        assert_eq!(LevelMove::parse("up"), Some(LevelMove::Up));
        assert_eq!(LevelMove::parse("down"), Some(LevelMove::Down));
        assert_eq!(LevelMove::parse("sideways"), None);
    }
}
