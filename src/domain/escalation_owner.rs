//! Who owns a ticket after an automatic escalation (blueprints: "define exactly who owns the
//! ticket when it's escalated"): the new level's default owner when an admin set one who still
//! fits, else nobody until someone of that level takes it from the level's queue.

use super::account::{Role, Tier};
use super::escalation::Level;

/// Whether a member of staff may own a level's tickets: a technician of the level's line, or,
/// at the decision point (no line), a manager.
pub fn fits_level(level: &Level, role: Role, tier: Option<Tier>, active: bool) -> bool {
    active
        && match level.tier {
            Some(line) => tier == Some(line),
            None => role.is_manager(),
        }
}

/// Whether someone may take an ownerless ticket from `level`'s queue: whoever fits the level,
/// and any manager (who may always pick up a ticket left waiting).
pub fn may_take(level: &Level, role: Role, tier: Option<Tier>) -> Result<(), String> {
    if role.is_manager() || fits_level(level, role, tier, true) {
        Ok(())
    } else {
        Err(format!(
            "This ticket waits in the {} queue; only {} staff or a manager may take it.",
            level.name, level.name
        ))
    }
}

/// Where an automatic escalation leaves the ticket, in the words of the timeline and the
/// previous owner's notice.
pub fn owner_sentence(level: &str, default_owner: Option<&str>) -> String {
    match default_owner {
        Some(name) => {
            format!("Now in the {level} queue; owner is now {name} (the level's default owner).")
        }
        None => format!("Now in the {level} queue, no owner until someone takes it."),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::domain::escalation::Trigger;

    fn level(tier: Option<Tier>) -> Level {
        Level {
            id: 2,
            position: 2,
            name: tier.map_or("Service desk manager", Tier::label).into(),
            tier,
            decision_point: tier.is_none(),
            budget_percent: [None; 3],
            default_owner: None,
        }
    }

    #[test]
    fn only_time_and_severity_are_automatic() {
        assert!(Trigger::Time.is_automatic());
        assert!(Trigger::Severity.is_automatic());
        assert!(!Trigger::Manual.is_automatic());
    }

    #[test]
    fn a_levels_owner_belongs_to_its_line_or_at_the_decision_point_manages() {
        let t2 = level(Some(Tier::Tier2));
        let dp = level(None);
        let table = [
            (&t2, Role::Technician, Some(Tier::Tier2), true, true),
            (&t2, Role::Technician, Some(Tier::Tier2), false, false),
            (&t2, Role::Technician, Some(Tier::Tier1), true, false),
            (&t2, Role::Manager, None, true, false),
            (&dp, Role::Manager, None, true, true),
            (&dp, Role::Admin, None, true, true),
            (&dp, Role::Technician, Some(Tier::Tier3), true, false),
        ];
        for (level, role, tier, active, expected) in table {
            assert_eq!(
                fits_level(level, role, tier, active),
                expected,
                "{} {role:?} {tier:?} {active}",
                level.name
            );
        }
    }

    #[test]
    fn the_levels_staff_and_managers_may_take_from_its_queue() {
        let t2 = level(Some(Tier::Tier2));
        assert!(may_take(&t2, Role::Technician, Some(Tier::Tier2)).is_ok());
        assert!(may_take(&t2, Role::Manager, None).is_ok());
        let refused = may_take(&t2, Role::Technician, Some(Tier::Tier1)).unwrap_err();
        assert!(refused.contains("Tier 2 queue"), "{refused}");
    }

    #[test]
    fn the_owner_sentence_says_who_has_it() {
        assert_eq!(
            owner_sentence("Tier 2", None),
            "Now in the Tier 2 queue, no owner until someone takes it."
        );
        assert_eq!(
            owner_sentence("Tier 3", Some("Priya Nair")),
            "Now in the Tier 3 queue; owner is now Priya Nair (the level's default owner)."
        );
    }
}
