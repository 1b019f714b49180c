//! Ticket priority from impact and urgency, as the MSP blueprints set it.
//!
//! Whoever logs a ticket judges two things they can see, how much of the
//! client is hit (impact) and how soon it must be fixed (urgency), and a matrix
//! turns the pair into a priority. Asking for the two judgements rather than
//! the priority itself keeps technicians consistent with each other, and lets
//! the MSP retune the matrix without re-teaching anyone.
//!
//! All three scales are ordered most severe first (`High < Medium < Low`,
//! `P1 < P2 < P3`), so sorting a queue puts the worst at the top and "more
//! severe" always means "smaller".

use std::fmt;

/// The extent of potential damage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Impact {
    High,
    Medium,
    Low,
}

/// The words and order both judgement scales share: `ALL` most severe first, the stored text
/// (`as_str`), the label people read (also its `Display`), and `parse` with a message that
/// names the scale.
macro_rules! high_medium_low {
    ($scale:ident, $noun:literal) => {
        impl $scale {
            pub const ALL: [$scale; 3] = [$scale::High, $scale::Medium, $scale::Low];

            pub fn parse(raw: &str) -> Result<Self, String> {
                Self::ALL
                    .into_iter()
                    .find(|level| level.as_str() == raw.trim())
                    .ok_or_else(|| concat!("Choose high, medium or low ", $noun, ".").to_string())
            }

            pub fn as_str(self) -> &'static str {
                match self {
                    $scale::High => "high",
                    $scale::Medium => "medium",
                    $scale::Low => "low",
                }
            }

            pub fn label(self) -> &'static str {
                match self {
                    $scale::High => "High",
                    $scale::Medium => "Medium",
                    $scale::Low => "Low",
                }
            }

            fn index(self) -> usize {
                self as usize
            }
        }

        impl fmt::Display for $scale {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

high_medium_low!(Impact, "impact");

impl Impact {
    /// What the scale measures, for the hint beside the field.
    pub const MEANING: &'static str =
        "Impact is the extent of potential damage: how much of the client's business is affected.";

    /// One sentence without its closing full stop, so a page can go on.
    pub fn description(self) -> &'static str {
        match self {
            Impact::High => "The whole organisation or a business-critical service is affected",
            Impact::Medium => {
                "A department, several users or a degraded critical service is affected"
            }
            Impact::Low => "One user or a non-critical function is affected",
        }
    }
}

/// How quickly the client needs the service restored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Urgency {
    High,
    Medium,
    Low,
}

high_medium_low!(Urgency, "urgency");

impl Urgency {
    /// What the scale measures, for the hint beside the field.
    pub const MEANING: &'static str =
        "Urgency is how quickly the client needs the service restored.";

    /// One sentence without its closing full stop, so a page can go on.
    pub fn description(self) -> &'static str {
        match self {
            Urgency::High => "Work has stopped",
            Urgency::Medium => "Work is impaired, but a workaround exists",
            Urgency::Low => "It can wait or be scheduled",
        }
    }
}

/// How soon a ticket must be dealt with; each has its own SLA targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    P1,
    P2,
    P3,
}

impl Priority {
    pub const ALL: [Priority; 3] = [Priority::P1, Priority::P2, Priority::P3];

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == raw.trim())
            .ok_or_else(|| "Choose P1, P2 or P3.".to_string())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::P1 => "P1",
            Priority::P2 => "P2",
            Priority::P3 => "P3",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Priority::P1 => "P1 · Critical",
            Priority::P2 => "P2 · High",
            Priority::P3 => "P3 · Normal",
        }
    }

    /// One sentence without its closing full stop, so a page can go on.
    pub fn description(self) -> &'static str {
        match self {
            Priority::P1 => {
                "Critical services are down and work cannot be completed, with no realistic workarounds"
            }
            Priority::P2 => {
                "Critical services are severely degraded, significantly affecting business operations, with some workarounds available"
            }
            Priority::P3 => {
                "Operational performance is impaired while most business operations remain functional"
            }
        }
    }

    /// Typical tickets of this priority, to calibrate whoever is choosing: a
    /// comma-separated list, lower case, without a closing full stop.
    pub fn examples(self) -> &'static str {
        match self {
            Priority::P1 => "internet/network down, email outage, LOB application outage",
            Priority::P2 => {
                "workstation hard drive failure, printer down, internet/network slowness"
            }
            Priority::P3 => {
                "workstation slowness, install/update an application, install a printer, add user permissions"
            }
        }
    }

    /// Position in [`ALL`](Self::ALL), for tables kept per priority.
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The priority for every impact and urgency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriorityMatrix {
    /// Indexed by impact, then urgency, most severe first.
    cells: [[Priority; 3]; 3],
}

impl PriorityMatrix {
    /// The blueprints' matrix: only high impact with high urgency is P1, and
    /// P3 is kept for what is neither broad nor pressing.
    pub fn blueprint_default() -> Self {
        use Priority::{P1, P2, P3};
        Self {
            cells: [[P1, P2, P2], [P2, P2, P3], [P2, P3, P3]],
        }
    }

    pub fn priority(&self, impact: Impact, urgency: Urgency) -> Priority {
        self.cells[impact.index()][urgency.index()]
    }

    /// The matrix with one cell changed. Not checked: call
    /// [`validate`](Self::validate) once every cell is in place, since a
    /// matrix being edited may pass through inconsistent states.
    #[must_use]
    pub fn with(mut self, impact: Impact, urgency: Urgency, priority: Priority) -> Self {
        self.cells[impact.index()][urgency.index()] = priority;
        self
    }

    /// Every cell, impact from high to low and, within each, urgency from high
    /// to low: the order of a table's rows and columns.
    pub fn cells(&self) -> impl Iterator<Item = (Impact, Urgency, Priority)> {
        Impact::ALL.into_iter().flat_map(move |impact| {
            Urgency::ALL
                .into_iter()
                .map(move |urgency| (impact, urgency, self.priority(impact, urgency)))
        })
    }

    /// Checks that raising the impact or the urgency never lowers the
    /// priority; otherwise a technician who reports a problem as worse could
    /// see it handled later, and would learn to game the fields.
    ///
    /// # Errors
    ///
    /// One sentence per offending pair of neighbouring cells, joined by
    /// spaces. Neighbours suffice: if every step up keeps or raises the
    /// priority, so does any combination of steps.
    pub fn validate(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        for (impact, urgency, priority) in self.cells() {
            let raised_impact = (impact.index().checked_sub(1))
                .and_then(|i| Impact::ALL.get(i))
                .map(|&higher| (higher, urgency, "impact"));
            let raised_urgency = (urgency.index().checked_sub(1))
                .and_then(|u| Urgency::ALL.get(u))
                .map(|&higher| (impact, higher, "urgency"));
            for (higher_impact, higher_urgency, raised) in
                raised_impact.into_iter().chain(raised_urgency)
            {
                let higher = self.priority(higher_impact, higher_urgency);
                if higher > priority {
                    problems.push(format!(
                        "With {} impact and {} urgency the priority is {}, but with {} impact and \
                         {} urgency it is {}; raising the {raised} must never lower the priority.",
                        higher_impact.as_str(),
                        higher_urgency.as_str(),
                        higher.as_str(),
                        impact.as_str(),
                        urgency.as_str(),
                        priority.as_str(),
                    ));
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join(" "))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use Priority::{P1, P2, P3};
    use proptest::prelude::*;

    #[test]
    fn blueprint_matrix_table() {
        use Impact as I;
        use Urgency as U;
        let table = [
            (I::High, U::High, P1),
            (I::High, U::Medium, P2),
            (I::High, U::Low, P2),
            (I::Medium, U::High, P2),
            (I::Medium, U::Medium, P2),
            (I::Medium, U::Low, P3),
            (I::Low, U::High, P2),
            (I::Low, U::Medium, P3),
            (I::Low, U::Low, P3),
        ];
        let matrix = PriorityMatrix::blueprint_default();
        for (impact, urgency, expected) in table {
            assert_eq!(
                matrix.priority(impact, urgency),
                expected,
                "{impact:?} impact, {urgency:?} urgency"
            );
        }
        assert_eq!(matrix.cells().collect::<Vec<_>>(), table);
        assert_eq!(matrix.validate(), Ok(()));
    }

    #[test]
    fn names_round_trip() {
        for impact in Impact::ALL {
            assert_eq!(Impact::parse(impact.as_str()).unwrap(), impact);
            assert!(!impact.description().is_empty());
        }
        for urgency in Urgency::ALL {
            assert_eq!(Urgency::parse(urgency.as_str()).unwrap(), urgency);
            assert!(!urgency.description().is_empty());
        }
        for priority in Priority::ALL {
            assert_eq!(Priority::parse(priority.as_str()).unwrap(), priority);
            assert!(priority.label().starts_with(priority.as_str()));
            assert!(!priority.examples().is_empty());
            assert_eq!(Priority::ALL[priority.index()], priority);
        }
        assert_eq!(Impact::parse(" medium ").unwrap(), Impact::Medium);
        assert_eq!(P1.to_string(), "P1 · Critical");
        assert_eq!(Urgency::Low.to_string(), "Low");
        for bad in ["", "urgent", "High", "p1", "P4"] {
            assert!(Impact::parse(bad).is_err(), "{bad}");
            assert!(Urgency::parse(bad).is_err(), "{bad}");
            assert!(Priority::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn with_changes_one_cell() {
        let matrix = PriorityMatrix::blueprint_default().with(Impact::Low, Urgency::High, P3);
        assert_eq!(matrix.priority(Impact::Low, Urgency::High), P3);
        let changed: Vec<_> = matrix
            .cells()
            .zip(PriorityMatrix::blueprint_default().cells())
            .filter(|(a, b)| a != b)
            .collect();
        assert_eq!(changed.len(), 1);
        // Lowering a corner keeps the matrix consistent.
        assert_eq!(matrix.validate(), Ok(()));
    }

    #[test]
    fn validate_names_the_offending_cells() {
        let table = [
            (
                "raising urgency lowers priority",
                PriorityMatrix::blueprint_default().with(Impact::Medium, Urgency::High, P3),
                vec![
                    "With medium impact and high urgency the priority is P3, but with medium \
                     impact and medium urgency it is P2; raising the urgency must never lower \
                     the priority.",
                    "With medium impact and high urgency the priority is P3, but with low impact \
                     and high urgency it is P2; raising the impact must never lower the priority.",
                ],
            ),
            (
                "raising impact lowers priority",
                PriorityMatrix::blueprint_default().with(Impact::Low, Urgency::Low, P1),
                vec![
                    "With medium impact and low urgency the priority is P3, but with low impact \
                     and low urgency it is P1; raising the impact must never lower the priority.",
                    "With low impact and medium urgency the priority is P3, but with low impact \
                     and low urgency it is P1; raising the urgency must never lower the priority.",
                ],
            ),
        ];
        for (label, matrix, sentences) in table {
            assert_eq!(matrix.validate(), Err(sentences.join(" ")), "{label}");
        }
    }

    fn any_priority() -> impl Strategy<Value = Priority> {
        prop_oneof![Just(P1), Just(P2), Just(P3)]
    }

    fn any_matrix() -> impl Strategy<Value = PriorityMatrix> {
        proptest::collection::vec(any_priority(), 9).prop_map(|cells| {
            PriorityMatrix::blueprint_default().cells().zip(cells).fold(
                PriorityMatrix::blueprint_default(),
                |matrix, ((impact, urgency, _), priority)| matrix.with(impact, urgency, priority),
            )
        })
    }

    /// Every pair of cells, not just neighbours: the definition, checked
    /// the slow way.
    fn monotone(matrix: &PriorityMatrix) -> bool {
        matrix.cells().all(|(i1, u1, p1)| {
            matrix
                .cells()
                .all(|(i2, u2, p2)| !(i1 <= i2 && u1 <= u2) || p1 <= p2)
        })
    }

    proptest! {
        #[test]
        fn validate_accepts_exactly_the_monotone_matrices(matrix in any_matrix()) {
            prop_assert_eq!(matrix.validate().is_ok(), monotone(&matrix));
        }

        #[test]
        fn raising_urgency_to_a_lower_priority_is_rejected(
            impact in proptest::sample::select(Impact::ALL.to_vec()),
            step in 0..2usize,
        ) {
            let (higher, lower) = (Urgency::ALL[step], Urgency::ALL[step + 1]);
            let matrix = PriorityMatrix::blueprint_default()
                .with(impact, higher, P3)
                .with(impact, lower, P1);
            let message = matrix.validate().unwrap_err();
            let offending = format!(
                "With {} impact and {} urgency the priority is P3, but with {} impact and {} urgency it is P1",
                impact.as_str(), higher.as_str(), impact.as_str(), lower.as_str()
            );
            prop_assert!(message.contains(&offending), "{}", message);
        }
    }
}
