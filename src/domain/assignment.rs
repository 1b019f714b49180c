//! Who should take a ticket: the blueprints' assignment step (expertise, access, availability,
//! tier), as a ranking whose every point is shown as a plain sentence, so whoever assigns can
//! see why someone is suggested and overrule it knowingly.
//!
//! The score, highest first:
//! - expertise weighs most: +10 for each ticket of the category the technician solved in the
//!   last [`EXPERTISE_WINDOW`], counting at most 10 (+100), because past ten more history says
//!   little more;
//! - open load: −4 for each open ticket, so ten open tickets cancel four solved ones;
//! - tier: the ticket's tier costs nothing; each step above it costs −15, because a senior's
//!   time is dearer and escalations need them free. A lower tier is not eligible: the
//!   blueprints start a ticket at the tier it needs and only ever escalate upwards;
//! - service desk manager: −25, because the manager is the escalation ladder's decision point,
//!   kept free to decide rather than to fix;
//! - no access to a system the ticket names (its affected service mentions one of the client's
//!   systems the technician has no permissions on): −50 each, because they would have to ask
//!   for access before they could start, yet may still be the best one to ask;
//! - away (the toggle, or a planned absence covering today): −10,000, so anyone present
//!   outranks anyone away, yet an away expert stays eligible: for a ticket that can wait until
//!   they are back the person who knows the system may still be the right choice;
//! - no access to the client's systems at all: not eligible, since the technician cannot work
//!   for them (access is granted per client on the technician's admin page).

use std::cmp::Reverse;

use chrono::{Duration, NaiveDate};

use super::account::Tier;
use super::ids::UserId;
use super::priority::Priority;

/// How far back "solved in this category" looks: the count is taken over this window, and the
/// reasons quote it.
pub const EXPERTISE_WINDOW: Duration = Duration::days(90);

/// A ticket is assigned to an owner, responsible through its life, and a worker, on it now
/// (often the same person); both must be chosen. The problems name the form fields.
pub fn check_people(
    owner: Option<UserId>,
    worker: Option<UserId>,
) -> Result<(UserId, UserId), Vec<(&'static str, &'static str)>> {
    match (owner, worker) {
        (Some(owner), Some(worker)) => Ok((owner, worker)),
        _ => {
            let mut problems = Vec::new();
            if owner.is_none() {
                problems.push(("owner_id", "Choose who owns the ticket through its life."));
            }
            if worker.is_none() {
                problems.push(("worker_id", "Choose who works on it now."));
            }
            Err(problems)
        }
    }
}

const POINTS_PER_SOLVED: i32 = 10;
const SOLVED_COUNTED: u32 = 10;
const POINTS_PER_OPEN: i32 = 4;
/// Beyond this load the order cannot change, and the sum cannot overflow.
const OPEN_COUNTED: u32 = 1_000;
const POINTS_PER_TIER_ABOVE: i32 = 15;
const MANAGER_PENALTY: i32 = 25;
const POINTS_PER_MISSING_SYSTEM: i32 = 50;
/// A ticket names a handful of systems at most; the cap keeps the sum bounded.
const MISSING_SYSTEMS_COUNTED: u32 = 10;
/// More than any present candidate can lose (4,000 for load, 45 for tier, 25 as manager, 500
/// for missing systems) plus the most anyone can gain from expertise (100).
const AWAY_PENALTY: i32 = 10_000;

/// Whether someone is at work today, as the toggle and their planned absences say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    Present,
    /// Marked away with the toggle, with no planned end.
    Away,
    /// A planned absence covers today; this is its last day.
    AwayUntil(NaiveDate),
}

impl Presence {
    /// A planned absence says more than the toggle, so it wins when both apply.
    pub fn of(toggled_away: bool, absent_until: Option<NaiveDate>) -> Self {
        match (absent_until, toggled_away) {
            (Some(last_day), _) => Presence::AwayUntil(last_day),
            (None, true) => Presence::Away,
            (None, false) => Presence::Present,
        }
    }

    pub fn is_away(self) -> bool {
        self != Presence::Present
    }

    /// The sentence the ranking and the staff pages show, or `None` when present.
    pub fn sentence(self) -> Option<String> {
        match self {
            Presence::Present => None,
            Presence::Away => Some("Away".to_string()),
            Presence::AwayUntil(last_day) => {
                Some(format!("Away until {}", last_day.format("%-d %b")))
            }
        }
    }
}

/// The client's systems that a ticket's affected service names, as whole words and ignoring
/// case, in the order the client lists them: "ERP invoicing stuck" names "ERP", while
/// "Jerpo" does not.
pub fn systems_named<'a>(affected_service: &str, systems: &'a [String]) -> Vec<&'a str> {
    let text = affected_service.to_lowercase();
    systems
        .iter()
        .map(String::as_str)
        .filter(|system| names_word(&text, &system.trim().to_lowercase()))
        .collect()
}

fn names_word(text: &str, word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    let is_word_char = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !is_word_char(before) && !is_word_char(after)
    })
}

/// One person who could take the ticket, as the roster and their recent work show them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub user: UserId,
    pub name: String,
    pub tier: Option<Tier>,
    pub is_manager: bool,
    /// Tickets of the ticket's category they solved within [`EXPERTISE_WINDOW`].
    pub solved_in_category: u32,
    pub open_tickets: u32,
    pub presence: Presence,
    /// Granted access to the client's systems at all (the client row on their admin page).
    pub client_access: bool,
    /// The systems the ticket names that they have no access to.
    pub missing_systems: Vec<String>,
}

/// A candidate with their score and the sentences that explain it, blockers first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ranked {
    pub candidate: Candidate,
    pub score: i32,
    pub reasons: Vec<String>,
    /// False when the ticket must not go to them: no access to the client, a tier below the
    /// ticket's, or no tier at all (managers excepted).
    pub eligible: bool,
}

/// Everyone, eligible first, then by score, then by name (ignoring case) and id, so the same
/// roster always lists in the same order. `category` is the name quoted in the expertise
/// reason; without one, expertise is not counted.
pub fn rank(candidates: Vec<Candidate>, wanted_tier: Tier, category: Option<&str>) -> Vec<Ranked> {
    let mut ranked: Vec<Ranked> = candidates
        .into_iter()
        .map(|candidate| assess(candidate, wanted_tier, category))
        .collect();
    ranked.sort_by_cached_key(|r| {
        (
            Reverse(r.eligible),
            Reverse(r.score),
            r.candidate.name.to_lowercase(),
            r.candidate.name.clone(),
            r.candidate.user,
        )
    });
    ranked
}

fn assess(candidate: Candidate, wanted: Tier, category: Option<&str>) -> Ranked {
    let mut score = 0;
    let mut reasons = Vec::new();
    let mut eligible = true;

    if !candidate.client_access {
        eligible = false;
        reasons.push("No access to this client's systems".to_string());
    }
    match candidate.tier {
        Some(tier) if tier == wanted => reasons.push(format!("{tier}, as this ticket needs")),
        Some(tier) if tier > wanted => {
            // Declaration order is the escalation ladder, on-site at the top.
            score -= POINTS_PER_TIER_ABOVE * (tier as i32 - wanted as i32);
            reasons.push(format!("{tier} (ticket needs {wanted})"));
        }
        Some(tier) => {
            eligible = false;
            reasons.push(format!("{tier} only (ticket needs {wanted})"));
        }
        // Managers can do everything a technician can (see `Role`), tier or not.
        None if candidate.is_manager => {}
        None => {
            eligible = false;
            reasons.push("No support tier set".to_string());
        }
    }
    if let Some(sentence) = candidate.presence.sentence() {
        score -= AWAY_PENALTY;
        reasons.push(sentence);
    }
    // Without access to the client, each system would only repeat the blocker.
    if candidate.client_access {
        let missing = u32::try_from(candidate.missing_systems.len()).unwrap_or(u32::MAX);
        score -= POINTS_PER_MISSING_SYSTEM * counted(missing, MISSING_SYSTEMS_COUNTED);
        reasons.extend(
            candidate
                .missing_systems
                .iter()
                .map(|system| format!("No access to {system}")),
        );
    }
    if let Some(category) = category {
        let solved = candidate.solved_in_category;
        score += POINTS_PER_SOLVED * counted(solved, SOLVED_COUNTED);
        let days = EXPERTISE_WINDOW.num_days();
        reasons.push(match solved {
            0 => format!("Solved no '{category}' tickets in the last {days} days"),
            1 => format!("Solved 1 '{category}' ticket in the last {days} days"),
            n => format!("Solved {n} '{category}' tickets in the last {days} days"),
        });
    }
    let open = candidate.open_tickets;
    score -= POINTS_PER_OPEN * counted(open, OPEN_COUNTED);
    reasons.push(match open {
        0 => "No open tickets".to_string(),
        1 => "1 open ticket".to_string(),
        n => format!("{n} open tickets"),
    });
    if candidate.is_manager {
        score -= MANAGER_PENALTY;
        reasons.push(match candidate.tier {
            Some(_) => "Service desk manager".to_string(),
            None => "Service desk manager, no support tier".to_string(),
        });
    }

    Ranked {
        candidate,
        score,
        reasons,
        eligible,
    }
}

/// `n`, but no more than `cap`, as a score term.
fn counted(n: u32, cap: u32) -> i32 {
    i32::try_from(n.min(cap)).unwrap_or(i32::MAX)
}

/// The tier a ticket starts at. The blueprints give common tickets of minimal complexity to
/// tier 1, who escalates if stuck, whatever their priority: the fix is routine. Anything else
/// that is P1 or P2 is severe enough to start at tier 2 (the blueprints' severity trigger);
/// an unusual P3 starts at tier 1 too, where the time trigger escalates it if needed.
pub fn default_tier(priority: Priority, is_common_low_complexity: bool) -> Tier {
    if is_common_low_complexity {
        return Tier::Tier1;
    }
    match priority {
        Priority::P1 | Priority::P2 => Tier::Tier2,
        Priority::P3 => Tier::Tier1,
    }
}

/// The blueprints' business rule: every escalation to on-site support is approved by the
/// service desk manager, so the assign form never gives a ticket that tier: the escalation form
/// files the request and the approval moves the ticket. A ticket already on-site keeps it, so
/// saving other fields is not refused.
pub fn check_tier_change(from: Option<Tier>, to: Tier) -> Result<(), String> {
    if to == Tier::OnSite && from != Some(Tier::OnSite) {
        return Err(
            "On-site support needs a manager's approval: escalate the ticket to it instead.".into(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_assignment_needs_an_owner_and_a_worker() {
        let (ada, ben) = (Some(UserId(1)), Some(UserId(2)));
        let owner_missing = ("owner_id", "Choose who owns the ticket through its life.");
        let worker_missing = ("worker_id", "Choose who works on it now.");
        for (owner, worker, expected) in [
            (ada, ben, Ok((UserId(1), UserId(2)))),
            (ada, ada, Ok((UserId(1), UserId(1)))),
            (None, ben, Err(vec![owner_missing])),
            (ada, None, Err(vec![worker_missing])),
            (None, None, Err(vec![owner_missing, worker_missing])),
        ] {
            assert_eq!(check_people(owner, worker), expected);
        }
    }

    fn tech(id: i64, name: &str, tier: Tier, solved: u32, open: u32) -> Candidate {
        Candidate {
            user: UserId(id),
            name: name.to_string(),
            tier: Some(tier),
            is_manager: false,
            solved_in_category: solved,
            open_tickets: open,
            presence: Presence::Present,
            client_access: true,
            missing_systems: Vec::new(),
        }
    }

    /// (name, score, eligible) in ranked order.
    fn summary(ranked: &[Ranked]) -> Vec<(&str, i32, bool)> {
        ranked
            .iter()
            .map(|r| (r.candidate.name.as_str(), r.score, r.eligible))
            .collect()
    }

    /// A small MSP's desk, a tier 1 phone-system ticket.
    fn roster() -> Vec<Candidate> {
        vec![
            tech(1, "Ana", Tier::Tier1, 7, 3),
            tech(2, "Ben", Tier::Tier1, 0, 0),
            tech(3, "Cleo", Tier::Tier2, 12, 5),
            Candidate {
                presence: Presence::Away,
                ..tech(4, "Dev", Tier::Tier1, 9, 2)
            },
            Candidate {
                client_access: false,
                ..tech(5, "Eve", Tier::Tier1, 5, 1)
            },
            Candidate {
                tier: None,
                is_manager: true,
                ..tech(6, "Finn", Tier::Tier1, 2, 1)
            },
            tech(7, "Gus", Tier::OnSite, 1, 12),
            Candidate {
                tier: None,
                ..tech(8, "Hal", Tier::Tier1, 0, 0)
            },
        ]
    }

    #[test]
    fn phone_system_ticket_for_tier_1() {
        let ranked = rank(roster(), Tier::Tier1, Some("Phone system"));
        let expected: [(&str, i32, bool, &[&str]); 8] = [
            // The most expert: 12 solved count as 10 (+100), a tier above (−15), 5 open (−20).
            (
                "Cleo",
                65,
                true,
                &[
                    "Tier 2 (ticket needs Tier 1)",
                    "Solved 12 'Phone system' tickets in the last 90 days",
                    "5 open tickets",
                ],
            ),
            // 7 solved (+70), 3 open (−12).
            (
                "Ana",
                58,
                true,
                &[
                    "Tier 1, as this ticket needs",
                    "Solved 7 'Phone system' tickets in the last 90 days",
                    "3 open tickets",
                ],
            ),
            (
                "Ben",
                0,
                true,
                &[
                    "Tier 1, as this ticket needs",
                    "Solved no 'Phone system' tickets in the last 90 days",
                    "No open tickets",
                ],
            ),
            // +20, 1 open (−4), manager (−25).
            (
                "Finn",
                -9,
                true,
                &[
                    "Solved 2 'Phone system' tickets in the last 90 days",
                    "1 open ticket",
                    "Service desk manager, no support tier",
                ],
            ),
            // On-site is three steps above tier 1 (−45), +10, 12 open (−48).
            (
                "Gus",
                -83,
                true,
                &[
                    "On-site support (ticket needs Tier 1)",
                    "Solved 1 'Phone system' ticket in the last 90 days",
                    "12 open tickets",
                ],
            ),
            // Away: below every present candidate despite 9 solved, but still eligible.
            (
                "Dev",
                90 - 8 - 10_000,
                true,
                &[
                    "Tier 1, as this ticket needs",
                    "Away",
                    "Solved 9 'Phone system' tickets in the last 90 days",
                    "2 open tickets",
                ],
            ),
            // Scored for the record, but listed after everyone eligible.
            (
                "Eve",
                46,
                false,
                &[
                    "No access to this client's systems",
                    "Tier 1, as this ticket needs",
                    "Solved 5 'Phone system' tickets in the last 90 days",
                    "1 open ticket",
                ],
            ),
            (
                "Hal",
                0,
                false,
                &[
                    "No support tier set",
                    "Solved no 'Phone system' tickets in the last 90 days",
                    "No open tickets",
                ],
            ),
        ];
        assert_eq!(ranked.len(), expected.len());
        for (r, (name, score, eligible, reasons)) in ranked.iter().zip(expected) {
            assert_eq!(r.candidate.name, name);
            assert_eq!((r.score, r.eligible), (score, eligible), "{name}");
            assert_eq!(r.reasons, reasons, "{name}");
        }
    }

    #[test]
    fn server_outage_for_tier_3() {
        let roster = vec![
            tech(1, "Ana", Tier::Tier1, 10, 0),
            tech(2, "Cleo", Tier::Tier2, 4, 1),
            tech(3, "Ivo", Tier::Tier3, 3, 6),
            tech(4, "Jo", Tier::Tier3, 0, 0),
            Candidate {
                is_manager: true,
                ..tech(5, "Kim", Tier::Tier3, 8, 2)
            },
            tech(6, "Gus", Tier::OnSite, 2, 0),
        ];
        let ranked = rank(roster, Tier::Tier3, Some("Server"));
        assert_eq!(
            summary(&ranked),
            [
                // +80 − 8 − 25: the manager's expertise outweighs the cost of their time.
                ("Kim", 47, true),
                ("Ivo", 30 - 24, true),
                // A step above (−15) costs more than Ivo's extra load.
                ("Gus", 20 - 15, true),
                ("Jo", 0, true),
                // Below the tier the ticket needs, however expert.
                ("Ana", 100, false),
                ("Cleo", 36, false),
            ]
        );
        assert_eq!(ranked[4].reasons[0], "Tier 1 only (ticket needs Tier 3)");
        assert_eq!(ranked[0].reasons[3], "Service desk manager");
    }

    #[test]
    fn tier_against_tier() {
        // Tier::ALL is the escalation ladder, on-site at the top.
        for (w, wanted) in (0..).zip(Tier::ALL) {
            for (t, tier) in (0..).zip(Tier::ALL) {
                let steps: i32 = t - w;
                let ranked = rank(vec![tech(1, "Ana", tier, 0, 0)], wanted, None);
                let r = &ranked[0];
                assert_eq!(r.eligible, steps >= 0, "{tier:?} for {wanted:?}");
                assert_eq!(r.score, -15 * steps.max(0), "{tier:?} for {wanted:?}");
                let expected = match steps {
                    0 => format!("{tier}, as this ticket needs"),
                    1.. => format!("{tier} (ticket needs {wanted})"),
                    _ => format!("{tier} only (ticket needs {wanted})"),
                };
                assert_eq!(r.reasons, [expected, "No open tickets".to_string()]);
            }
        }
        let ranked = rank(vec![tech(1, "Gus", Tier::Tier3, 0, 0)], Tier::OnSite, None);
        assert_eq!(
            ranked[0].reasons[0],
            "Tier 3 only (ticket needs On-site support)"
        );
    }

    #[test]
    fn without_a_category_expertise_is_not_counted() {
        let ranked = rank(
            vec![
                tech(1, "Ana", Tier::Tier1, 9, 2),
                tech(2, "Ben", Tier::Tier1, 0, 1),
            ],
            Tier::Tier1,
            None,
        );
        assert_eq!(summary(&ranked), [("Ben", -4, true), ("Ana", -8, true)]);
        assert_eq!(
            ranked[1].reasons,
            ["Tier 1, as this ticket needs", "2 open tickets"]
        );
    }

    #[test]
    fn ties_break_by_name_then_id() {
        let roster = vec![
            tech(9, "ben", Tier::Tier1, 0, 0),
            tech(4, "Ben", Tier::Tier1, 0, 0),
            tech(3, "Ben", Tier::Tier1, 0, 0),
            tech(2, "bea", Tier::Tier1, 0, 0),
            tech(1, "Carl", Tier::Tier1, 0, 0),
            tech(8, "Abe", Tier::Tier1, 0, 1),
        ];
        let order: Vec<(String, i64)> = rank(roster, Tier::Tier1, Some("Printing"))
            .into_iter()
            .map(|r| (r.candidate.name, r.candidate.user.0))
            .collect();
        let expected = [
            ("bea", 2_i64),
            ("Ben", 3),
            ("Ben", 4),
            ("ben", 9),
            ("Carl", 1),
            ("Abe", 8),
        ];
        assert_eq!(order, expected.map(|(name, id)| (name.to_string(), id)));
    }

    #[test]
    fn extreme_counts_do_not_overflow() {
        let busy = tech(1, "Busy", Tier::Tier1, u32::MAX, u32::MAX);
        let away = Candidate {
            presence: Presence::Away,
            ..tech(2, "Away", Tier::Tier1, u32::MAX, 0)
        };
        let ranked = rank(vec![away, busy], Tier::Tier1, Some("Network"));
        assert_eq!(
            summary(&ranked),
            [("Busy", 100 - 4_000, true), ("Away", 100 - 10_000, true)]
        );
        assert_eq!(ranked[0].reasons[2], format!("{} open tickets", u32::MAX));
    }

    fn any_candidate() -> impl Strategy<Value = Candidate> {
        (
            proptest::sample::select(vec!["Ana", "ana", "Ben", "Cleo", "Dev"]),
            proptest::option::of(proptest::sample::select(Tier::ALL.to_vec())),
            any::<bool>(),
            0..30u32,
            prop_oneof![0..40u32, Just(u32::MAX)],
            prop_oneof![
                Just(Presence::Present),
                Just(Presence::Away),
                Just(Presence::AwayUntil(NaiveDate::MIN)),
            ],
            any::<bool>(),
            proptest::collection::vec(Just("ERP".to_string()), 0..3),
        )
            .prop_map(
                |(name, tier, is_manager, solved, open, presence, access, missing)| Candidate {
                    user: UserId(0),
                    name: name.to_string(),
                    tier,
                    is_manager,
                    solved_in_category: solved,
                    open_tickets: open,
                    presence,
                    client_access: access,
                    missing_systems: missing,
                },
            )
    }

    proptest! {
        #[test]
        fn ranking_is_ordered_and_ignores_input_order(
            roster in proptest::collection::vec(any_candidate(), 0..12).prop_map(|mut roster| {
                // One entry per person, as the roster query gives; names may still repeat.
                for (id, candidate) in (0..).zip(&mut roster) {
                    candidate.user = UserId(id);
                }
                roster
            }),
            wanted in proptest::sample::select(Tier::ALL.to_vec()),
            category in proptest::option::of(Just("Network")),
        ) {
            let ranked = rank(roster.clone(), wanted, category);
            prop_assert_eq!(ranked.len(), roster.len());
            let mut reversed = roster.clone();
            reversed.reverse();
            prop_assert_eq!(&rank(reversed, wanted, category), &ranked);
            for pair in ranked.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                prop_assert!(a.eligible >= b.eligible);
                if a.eligible == b.eligible {
                    prop_assert!(a.score >= b.score);
                    // Among the eligible, anyone present comes before anyone away.
                    prop_assert!(!a.candidate.presence.is_away() || b.candidate.presence.is_away());
                }
            }
            for r in &ranked {
                let blocked = !r.candidate.client_access
                    || r.candidate.tier.map_or(!r.candidate.is_manager, |t| t < wanted);
                prop_assert_eq!(r.eligible, !blocked);
                prop_assert!(r.reasons.iter().all(|s| !s.is_empty() && !s.ends_with('.')));
            }
        }
    }

    #[test]
    fn access_to_the_client_and_its_systems() {
        let erp = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        let roster = vec![
            tech(1, "Ana", Tier::Tier1, 3, 0),
            Candidate {
                missing_systems: erp(&["ERP"]),
                ..tech(2, "Ben", Tier::Tier1, 3, 0)
            },
            Candidate {
                missing_systems: erp(&["ERP", "Firewall"]),
                ..tech(3, "Cleo", Tier::Tier1, 10, 0)
            },
            Candidate {
                client_access: false,
                missing_systems: erp(&["ERP"]),
                ..tech(4, "Dev", Tier::Tier1, 10, 0)
            },
        ];
        let ranked = rank(roster, Tier::Tier1, Some("Accounting"));
        let table: [(&str, i32, bool, &[&str]); 4] = [
            ("Ana", 30, true, &[]),
            // Cleo's expertise (+100) outweighs two missing systems (−100); Ben's does not.
            (
                "Cleo",
                0,
                true,
                &["No access to ERP", "No access to Firewall"],
            ),
            ("Ben", -20, true, &["No access to ERP"]),
            // The blocker says it once; the systems would only repeat it.
            ("Dev", 100, false, &["No access to this client's systems"]),
        ];
        for (r, (name, score, eligible, access)) in ranked.iter().zip(table) {
            assert_eq!(r.candidate.name, name);
            assert_eq!((r.score, r.eligible), (score, eligible), "{name}");
            let said: Vec<&str> = r
                .reasons
                .iter()
                .map(String::as_str)
                .filter(|s| s.starts_with("No access"))
                .collect();
            assert_eq!(said, access, "{name}");
        }
    }

    #[test]
    fn away_says_until_when_if_it_was_planned() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        let table = [
            (false, None, Presence::Present, None),
            (true, None, Presence::Away, Some("Away")),
            (
                false,
                Some(day(4)),
                Presence::AwayUntil(day(4)),
                Some("Away until 4 Dec"),
            ),
            (
                true,
                Some(day(14)),
                Presence::AwayUntil(day(14)),
                Some("Away until 14 Dec"),
            ),
        ];
        for (toggled, until, presence, sentence) in table {
            let got = Presence::of(toggled, until);
            assert_eq!(got, presence, "{toggled} {until:?}");
            assert_eq!(got.sentence().as_deref(), sentence);
            let ranked = rank(
                vec![Candidate {
                    presence: got,
                    ..tech(1, "Ana", Tier::Tier1, 0, 0)
                }],
                Tier::Tier1,
                None,
            );
            assert_eq!(ranked[0].score, if got.is_away() { -10_000 } else { 0 });
            let away = ranked[0].reasons.iter().find(|r| r.starts_with("Away"));
            assert_eq!(away.map(String::as_str), sentence);
        }
    }

    #[test]
    fn a_ticket_names_the_systems_its_affected_service_mentions() {
        let systems: Vec<String> = ["Microsoft 365 admin", "ERP", "Firewall", "  "]
            .map(String::from)
            .to_vec();
        let table: [(&str, &[&str]); 7] = [
            ("ERP", &["ERP"]),
            ("erp invoicing stuck", &["ERP"]),
            (
                "Microsoft 365 admin centre and the firewall",
                &["Microsoft 365 admin", "Firewall"],
            ),
            ("Jerpo accounting", &[]),
            ("ERP-Firewall link", &["ERP", "Firewall"]),
            ("Microsoft 365", &[]),
            ("", &[]),
        ];
        for (service, expected) in table {
            assert_eq!(systems_named(service, &systems), expected, "{service:?}");
        }
    }

    #[test]
    fn default_tiers() {
        use Priority::{P1, P2, P3};
        let table = [
            (P1, true, Tier::Tier1),
            (P2, true, Tier::Tier1),
            (P3, true, Tier::Tier1),
            (P1, false, Tier::Tier2),
            (P2, false, Tier::Tier2),
            (P3, false, Tier::Tier1),
        ];
        for (priority, common, tier) in table {
            assert_eq!(
                default_tier(priority, common),
                tier,
                "{priority:?} {common}"
            );
        }
    }

    #[test]
    fn nobody_assigns_a_ticket_on_site_without_an_approval() {
        let refused = Err(
            "On-site support needs a manager's approval: escalate the ticket to it instead."
                .to_string(),
        );
        let table = [
            (Some(Tier::Tier2), Tier::OnSite, refused.clone()),
            (None, Tier::OnSite, refused),
            (Some(Tier::OnSite), Tier::OnSite, Ok(())),
            (Some(Tier::OnSite), Tier::Tier3, Ok(())),
            (Some(Tier::Tier1), Tier::Tier3, Ok(())),
            (None, Tier::Tier1, Ok(())),
        ];
        for (from, to, expected) in table {
            assert_eq!(check_tier_change(from, to), expected, "{from:?} → {to:?}");
        }
    }
}
