//! The pages of a client risk walk-through, in the order the blueprints' step 1 lists what to
//! identify, ending with the example-risk checklist.

/// One page of the walk-through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Assets,
    Threats,
    Measures,
    Vulnerabilities,
    Consequences,
    Processes,
    Checklist,
}

impl Step {
    pub const ALL: [Step; 7] = [
        Step::Assets,
        Step::Threats,
        Step::Measures,
        Step::Vulnerabilities,
        Step::Consequences,
        Step::Processes,
        Step::Checklist,
    ];

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or_else(|| "No such page in the walk-through.".to_string())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Assets => "assets",
            Step::Threats => "threats",
            Step::Measures => "measures",
            Step::Vulnerabilities => "vulnerabilities",
            Step::Consequences => "consequences",
            Step::Processes => "processes",
            Step::Checklist => "checklist",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Step::Assets => "Assets",
            Step::Threats => "Threats",
            Step::Measures => "Existing and planned security measures",
            Step::Vulnerabilities => "Vulnerabilities",
            Step::Consequences => "Consequences",
            Step::Processes => "Related business processes",
            Step::Checklist => "Example risks",
        }
    }

    /// What to ask the client on this page.
    pub fn prompt(self) -> &'static str {
        match self {
            Step::Assets => {
                "List the equipment and software that matter, with their warranty and support dates."
            }
            Step::Threats => "What could harm these assets: people, failures, the environment?",
            Step::Measures => "Which security measures are in place, and which are planned?",
            Step::Vulnerabilities => "Which weaknesses could a threat use?",
            Step::Consequences => "What would the client lose if a threat came true?",
            Step::Processes => "Which business processes depend on these assets?",
            Step::Checklist => "Tick each example risk you found on site.",
        }
    }

    /// Position from 1, for "page 3 of 7".
    pub fn number(self) -> usize {
        self as usize + 1
    }

    pub fn next(self) -> Option<Step> {
        Self::ALL.get(self as usize + 1).copied()
    }

    pub fn previous(self) -> Option<Step> {
        (self as usize).checked_sub(1).map(|i| Self::ALL[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_in_order() {
        let table = [
            (Step::Assets, None, Some(Step::Threats), 1),
            (
                Step::Measures,
                Some(Step::Threats),
                Some(Step::Vulnerabilities),
                3,
            ),
            (
                Step::Processes,
                Some(Step::Consequences),
                Some(Step::Checklist),
                6,
            ),
            (Step::Checklist, Some(Step::Processes), None, 7),
        ];
        for (step, previous, next, number) in table {
            assert_eq!(step.previous(), previous, "{step:?}");
            assert_eq!(step.next(), next, "{step:?}");
            assert_eq!(step.number(), number, "{step:?}");
        }
        for step in Step::ALL {
            assert_eq!(Step::parse(step.as_str()), Ok(step));
            assert!(!step.prompt().is_empty());
        }
        assert!(Step::parse("finish").is_err());
    }
}
