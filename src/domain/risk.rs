//! Client risk analysis, as the blueprints' Risk Management section sets it: likelihood and
//! consequence on a stated five-step scale, an editable matrix turning the pair into a level,
//! the classification (managed, monitored, observed) and the tolerable / intolerable decision
//! with its reason.
//!
//! Unlike ticket priority, every scale here is ordered least severe first (`Low < Critical`,
//! likelihood 1 to 5): risk people read a heatmap with the worst corner top right, and the
//! stored numbers are the ones the client sees on the report.

use std::fmt;

/// The five steps both axes share: `ALL` least severe first, the stored number, the label.
macro_rules! five_steps {
    ($scale:ident, $noun:literal, [$($variant:ident = $n:literal : $label:literal),+ $(,)?]) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $scale {
            $($variant = $n),+
        }

        impl $scale {
            pub const ALL: [$scale; 5] = [$($scale::$variant),+];

            /// From the stored number (1 to 5).
            pub fn from_number(n: i32) -> Result<Self, String> {
                Self::ALL
                    .into_iter()
                    .find(|step| step.number() == n)
                    .ok_or_else(|| concat!("Choose a ", $noun, " from 1 to 5.").to_string())
            }

            pub fn parse(raw: &str) -> Result<Self, String> {
                raw.trim()
                    .parse::<i32>()
                    .map_err(|_| concat!("Choose a ", $noun, " from 1 to 5.").to_string())
                    .and_then(Self::from_number)
            }

            pub fn number(self) -> i32 {
                self as i32
            }

            pub fn label(self) -> &'static str {
                match self {
                    $($scale::$variant => $label),+
                }
            }

            fn index(self) -> usize {
                (self as usize) - 1
            }
        }

        impl fmt::Display for $scale {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{} · {}", self.number(), self.label())
            }
        }
    };
}

five_steps!(Likelihood, "likelihood", [
    Rare = 1: "Rare",
    Unlikely = 2: "Unlikely",
    Possible = 3: "Possible",
    Likely = 4: "Likely",
    AlmostCertain = 5: "Almost certain",
]);

five_steps!(Consequence, "consequence", [
    Insignificant = 1: "Insignificant",
    Minor = 2: "Minor",
    Moderate = 3: "Moderate",
    Major = 4: "Major",
    Severe = 5: "Severe",
]);

/// The measured risk, from the matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Low,
    Medium,
    High,
    Critical,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::Low, Level::Medium, Level::High, Level::Critical];

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|level| level.as_str() == raw.trim())
            .ok_or_else(|| "Choose low, medium, high or critical.".to_string())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
            Level::Critical => "critical",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Level::Low => "Low",
            Level::Medium => "Medium",
            Level::High => "High",
            Level::Critical => "Critical",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A likelihood with a consequence: one cell of the matrix, inherent or residual.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Score {
    pub likelihood: Likelihood,
    pub consequence: Consequence,
}

impl Score {
    pub fn new(likelihood: Likelihood, consequence: Consequence) -> Self {
        Self {
            likelihood,
            consequence,
        }
    }

    /// Checks the residual score against the inherent one: controls restrain a risk, so
    /// neither axis may come out worse after them.
    ///
    /// # Errors
    ///
    /// One sentence per axis that grew.
    pub fn check_residual(self, residual: Score) -> Result<(), String> {
        let mut problems = Vec::new();
        if residual.likelihood > self.likelihood {
            problems.push(format!(
                "The residual likelihood ({}) cannot be higher than the inherent one ({}).",
                residual.likelihood, self.likelihood
            ));
        }
        if residual.consequence > self.consequence {
            problems.push(format!(
                "The residual consequence ({}) cannot be higher than the inherent one ({}).",
                residual.consequence, self.consequence
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join(" "))
        }
    }
}

/// The level for every likelihood and consequence; admins may retune it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RiskMatrix {
    /// Indexed by likelihood, then consequence, least severe first.
    cells: [[Level; 5]; 5],
}

impl RiskMatrix {
    /// The classic product bands: 1–4 low, 5–9 medium, 10–16 high, 20–25 critical. Only a
    /// likely or almost certain event with major or severe consequences is critical.
    pub fn standard() -> Self {
        let mut cells = [[Level::Low; 5]; 5];
        for likelihood in Likelihood::ALL {
            for consequence in Consequence::ALL {
                let product = likelihood.number() * consequence.number();
                cells[likelihood.index()][consequence.index()] = match product {
                    ..=4 => Level::Low,
                    5..=9 => Level::Medium,
                    10..=16 => Level::High,
                    _ => Level::Critical,
                };
            }
        }
        Self { cells }
    }

    pub fn level(&self, score: Score) -> Level {
        self.cells[score.likelihood.index()][score.consequence.index()]
    }

    /// The matrix with one cell changed; call [`validate`](Self::validate) once every cell
    /// is in place, since a matrix being edited passes through inconsistent states.
    #[must_use]
    pub fn with(mut self, score: Score, level: Level) -> Self {
        self.cells[score.likelihood.index()][score.consequence.index()] = level;
        self
    }

    /// Every cell, likelihood from 1 to 5 and, within each, consequence from 1 to 5.
    pub fn cells(&self) -> impl Iterator<Item = (Score, Level)> + '_ {
        Likelihood::ALL.into_iter().flat_map(move |likelihood| {
            Consequence::ALL.into_iter().map(move |consequence| {
                let score = Score::new(likelihood, consequence);
                (score, self.level(score))
            })
        })
    }

    /// Checks that raising the likelihood or the consequence never lowers the level;
    /// otherwise judging a risk as worse could file it as milder.
    ///
    /// # Errors
    ///
    /// One sentence per offending pair of neighbouring cells; neighbours suffice, since
    /// any path upwards is made of neighbouring steps.
    pub fn validate(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        for (score, level) in self.cells() {
            let raised_likelihood = Likelihood::ALL
                .get(score.likelihood.index() + 1)
                .map(|&l| (Score::new(l, score.consequence), "likelihood"));
            let raised_consequence = Consequence::ALL
                .get(score.consequence.index() + 1)
                .map(|&c| (Score::new(score.likelihood, c), "consequence"));
            for (higher, raised) in raised_likelihood.into_iter().chain(raised_consequence) {
                let higher_level = self.level(higher);
                if higher_level < level {
                    problems.push(format!(
                        "With likelihood {} and consequence {} the level is {}, but with \
                         likelihood {} and consequence {} it is {}; raising the {raised} must \
                         never lower the level.",
                        higher.likelihood.number(),
                        higher.consequence.number(),
                        higher_level.as_str(),
                        score.likelihood.number(),
                        score.consequence.number(),
                        level.as_str(),
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

/// How the MSP deals with a risk over time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Classification {
    /// A treatment is in place to manage or change the risk.
    Managed,
    /// Controls watch for further signs of the risk; no treatment at this time.
    Monitored,
    /// No treatment; the risk is looked at on a regular basis.
    Observed,
}

impl Classification {
    pub const ALL: [Classification; 3] = [
        Classification::Managed,
        Classification::Monitored,
        Classification::Observed,
    ];

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == raw.trim())
            .ok_or_else(|| "Choose managed, monitored or observed.".to_string())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Classification::Managed => "managed",
            Classification::Monitored => "monitored",
            Classification::Observed => "observed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Classification::Managed => "Managed risk",
            Classification::Monitored => "Monitored risk",
            Classification::Observed => "Observed risk",
        }
    }

    /// The blueprints make managed the default for low, medium and high measured risk; a
    /// critical risk is managed too, since it is the one that can least wait untreated.
    pub fn default_for(_level: Level) -> Self {
        Classification::Managed
    }

    /// Checks a chosen classification against the measured level: a critical risk may not
    /// be merely watched.
    ///
    /// # Errors
    ///
    /// A sentence saying why.
    pub fn check_for(self, level: Level) -> Result<(), String> {
        if level == Level::Critical && self != Classification::Managed {
            Err(format!(
                "A critical risk must be managed, not {}.",
                self.label().to_lowercase()
            ))
        } else {
            Ok(())
        }
    }
}

impl fmt::Display for Classification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Whether the client's exposure is one it can live with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tolerance {
    Tolerable,
    Intolerable,
}

impl Tolerance {
    pub const ALL: [Tolerance; 2] = [Tolerance::Tolerable, Tolerance::Intolerable];

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == raw.trim())
            .ok_or_else(|| "Choose tolerable or intolerable.".to_string())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Tolerance::Tolerable => "tolerable",
            Tolerance::Intolerable => "intolerable",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Tolerance::Tolerable => "Tolerable",
            Tolerance::Intolerable => "Intolerable",
        }
    }
}

/// The tolerable / intolerable decision; the blueprints want its reason captured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub tolerance: Tolerance,
    pub reason: String,
}

impl Decision {
    /// # Errors
    ///
    /// When the reason is blank.
    pub fn new(tolerance: Tolerance, reason: &str) -> Result<Self, String> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(format!(
                "Say why the exposure is {}: the reason is part of the risk profile.",
                tolerance.as_str()
            ));
        }
        Ok(Self {
            tolerance,
            reason: reason.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn s(l: i32, c: i32) -> Score {
        Score::new(
            Likelihood::from_number(l).unwrap(),
            Consequence::from_number(c).unwrap(),
        )
    }

    #[test]
    fn standard_matrix_table() {
        use Level::{Critical, High, Low, Medium};
        let table = [
            (1, 1, Low),
            (1, 4, Low),
            (1, 5, Medium),
            (2, 2, Low),
            (2, 3, Medium),
            (2, 5, High),
            (3, 3, Medium),
            (3, 4, High),
            (3, 5, High),
            (4, 4, High),
            (4, 5, Critical),
            (5, 4, Critical),
            (5, 5, Critical),
            (5, 1, Medium),
        ];
        let matrix = RiskMatrix::standard();
        for (l, c, expected) in table {
            assert_eq!(
                matrix.level(s(l, c)),
                expected,
                "likelihood {l}, consequence {c}"
            );
        }
        assert_eq!(matrix.cells().count(), 25);
        assert_eq!(matrix.validate(), Ok(()));
    }

    #[test]
    fn scales_round_trip_and_refuse_the_edges() {
        for (i, likelihood) in Likelihood::ALL.into_iter().enumerate() {
            assert_eq!(likelihood.number(), i32::try_from(i).unwrap() + 1);
            assert_eq!(
                Likelihood::parse(&likelihood.number().to_string()),
                Ok(likelihood)
            );
        }
        for consequence in Consequence::ALL {
            assert_eq!(
                Consequence::from_number(consequence.number()),
                Ok(consequence)
            );
        }
        for level in Level::ALL {
            assert_eq!(Level::parse(level.as_str()), Ok(level));
        }
        for bad in ["", "0", "6", "-1", "three", "2.5"] {
            assert!(Likelihood::parse(bad).is_err(), "{bad}");
            assert!(Consequence::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Likelihood::parse(" 5 "), Ok(Likelihood::AlmostCertain));
        assert_eq!(Consequence::Severe.to_string(), "5 · Severe");
        assert!(Level::parse("Critical").is_err());
    }

    #[test]
    fn validate_names_the_offending_cells() {
        let matrix = RiskMatrix::standard().with(s(3, 3), Level::Critical);
        assert_eq!(
            matrix.validate(),
            Err(
                "With likelihood 4 and consequence 3 the level is high, but with likelihood \
                 3 and consequence 3 it is critical; raising the likelihood must never lower \
                 the level. With likelihood 3 and consequence 4 the level is high, but with \
                 likelihood 3 and consequence 3 it is critical; raising the consequence must \
                 never lower the level."
                    .to_string()
            )
        );
        // Lowering the mildest corner keeps it consistent.
        assert_eq!(
            RiskMatrix::standard().with(s(1, 1), Level::Low).validate(),
            Ok(())
        );
        assert!(
            RiskMatrix::standard()
                .with(s(5, 5), Level::High)
                .validate()
                .is_err()
        );
    }

    #[test]
    fn residual_may_not_exceed_inherent() {
        let table = [
            (s(4, 4), s(2, 4), Ok(())),
            (s(4, 4), s(4, 4), Ok(())),
            (s(1, 1), s(1, 1), Ok(())),
            (
                s(2, 4),
                s(3, 4),
                Err(
                    "The residual likelihood (3 · Possible) cannot be higher than the inherent one (2 · Unlikely).",
                ),
            ),
            (
                s(2, 2),
                s(3, 5),
                Err(
                    "The residual likelihood (3 · Possible) cannot be higher than the inherent one (2 · Unlikely). The residual consequence (5 · Severe) cannot be higher than the inherent one (2 · Minor).",
                ),
            ),
        ];
        for (inherent, residual, expected) in table {
            assert_eq!(
                inherent.check_residual(residual),
                expected.map_err(str::to_string),
                "{inherent:?} → {residual:?}"
            );
        }
    }

    #[test]
    fn classification_defaults_and_limits() {
        for level in Level::ALL {
            assert_eq!(Classification::default_for(level), Classification::Managed);
        }
        let table = [
            (Classification::Observed, Level::High, true),
            (Classification::Monitored, Level::Low, true),
            (Classification::Managed, Level::Critical, true),
            (Classification::Monitored, Level::Critical, false),
            (Classification::Observed, Level::Critical, false),
        ];
        for (classification, level, ok) in table {
            assert_eq!(
                classification.check_for(level).is_ok(),
                ok,
                "{classification:?} {level:?}"
            );
        }
        for c in Classification::ALL {
            assert_eq!(Classification::parse(c.as_str()), Ok(c));
        }
        assert!(Classification::parse("essential").is_err());
    }

    #[test]
    fn decision_needs_a_reason() {
        assert_eq!(
            Decision::new(Tolerance::Tolerable, "  "),
            Err(
                "Say why the exposure is tolerable: the reason is part of the risk profile."
                    .to_string()
            )
        );
        let decision = Decision::new(Tolerance::Intolerable, " Payroll data at stake ").unwrap();
        assert_eq!(decision.reason, "Payroll data at stake");
        for t in Tolerance::ALL {
            assert_eq!(Tolerance::parse(t.as_str()), Ok(t));
        }
        assert!(Tolerance::parse("ok").is_err());
    }

    fn any_level() -> impl Strategy<Value = Level> {
        proptest::sample::select(Level::ALL.to_vec())
    }

    fn any_matrix() -> impl Strategy<Value = RiskMatrix> {
        proptest::collection::vec(any_level(), 25).prop_map(|levels| {
            let cells: Vec<_> = RiskMatrix::standard().cells().map(|(s, _)| s).collect();
            cells
                .into_iter()
                .zip(levels)
                .fold(RiskMatrix::standard(), |m, (score, level)| {
                    m.with(score, level)
                })
        })
    }

    fn monotone(matrix: &RiskMatrix) -> bool {
        matrix.cells().all(|(a, la)| {
            matrix.cells().all(|(b, lb)| {
                !(a.likelihood <= b.likelihood && a.consequence <= b.consequence) || la <= lb
            })
        })
    }

    proptest! {
        #[test]
        fn validate_accepts_exactly_the_monotone_matrices(matrix in any_matrix()) {
            prop_assert_eq!(matrix.validate().is_ok(), monotone(&matrix));
        }
    }
}
