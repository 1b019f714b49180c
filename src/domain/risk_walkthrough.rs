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

/// An example risk as an admin writes it for the walk-through's checklist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateText {
    pub title: String,
    pub vulnerability: String,
    pub threat: String,
}

/// The longest text of a template field: the checklist is read on a tablet on site.
pub const TEMPLATE_MAX_CHARS: usize = 200;

impl TemplateText {
    /// # Errors
    ///
    /// Per field, the sentence to show beside it: the title and the vulnerability are
    /// required (a ticked item becomes a draft risk pre-filled with them), none is too long.
    pub fn parse(
        title: &str,
        vulnerability: &str,
        threat: &str,
    ) -> Result<Self, Vec<(&'static str, String)>> {
        let mut problems = Vec::new();
        for (field, text, required) in [
            ("title", title, true),
            ("vulnerability", vulnerability, true),
            ("threat", threat, false),
        ] {
            let text = text.trim();
            if required && text.is_empty() {
                problems.push((field, format!("Write the {field}.")));
            } else if text.chars().count() > TEMPLATE_MAX_CHARS {
                problems.push((
                    field,
                    format!("Keep the {field} under {TEMPLATE_MAX_CHARS} characters."),
                ));
            }
        }
        if problems.is_empty() {
            Ok(Self {
                title: title.trim().to_string(),
                vulnerability: vulnerability.trim().to_string(),
                threat: threat.trim().to_string(),
            })
        } else {
            Err(problems)
        }
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

    #[test]
    fn a_template_needs_a_title_and_a_vulnerability_of_reasonable_length() {
        let long = "x".repeat(TEMPLATE_MAX_CHARS + 1);
        let fits = "x".repeat(TEMPLATE_MAX_CHARS);
        let cases: [(&str, &str, &str, Option<&str>); 6] = [
            ("Weak passwords", "Shared passwords", "", None),
            ("  ", "Shared passwords", "", Some("title")),
            ("Weak passwords", "", "Stolen", Some("vulnerability")),
            (&long, "Shared", "", Some("title")),
            (&fits, "Shared", &fits, None),
            ("Weak", "Shared", &long, Some("threat")),
        ];
        for (title, vulnerability, threat, refused) in cases {
            let outcome = TemplateText::parse(title, vulnerability, threat);
            assert_eq!(
                outcome.err().map(|p| p[0].0),
                refused,
                "{title:?} {vulnerability:?} {threat:?}"
            );
        }
        assert_eq!(
            TemplateText::parse(" A ", " B ", " C ").map(|t| t.title),
            Ok("A".to_string())
        );
    }
}
