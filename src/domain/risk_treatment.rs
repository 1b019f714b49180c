//! How a risk is treated (the blueprints' step 3), who may decide it, and what the client has
//! said about it: a treatment is only settled once the client accepted that exact treatment.

use super::account::Role;
use super::risk::{Classification, Tolerance};

/// One way of modifying or controlling a risk; a treatment picks one or more.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TreatmentOption {
    /// Share the risk with another party (insurance, a supplier).
    Transfer,
    /// Stop or never start the activity that presents the risk.
    Avoid,
    /// Change the likelihood or the consequences through controls.
    Treat,
    /// Retain the risk by informed decision.
    Accept,
}

impl TreatmentOption {
    pub const ALL: [TreatmentOption; 4] = [
        TreatmentOption::Transfer,
        TreatmentOption::Avoid,
        TreatmentOption::Treat,
        TreatmentOption::Accept,
    ];

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|o| o.as_str() == raw.trim())
            .ok_or_else(|| "Choose transfer, avoid, treat or accept.".to_string())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TreatmentOption::Transfer => "transfer",
            TreatmentOption::Avoid => "avoid",
            TreatmentOption::Treat => "treat",
            TreatmentOption::Accept => "accept",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TreatmentOption::Transfer => "Transfer",
            TreatmentOption::Avoid => "Avoid",
            TreatmentOption::Treat => "Treat",
            TreatmentOption::Accept => "Accept",
        }
    }

    /// One sentence without its full stop, for the hint beside the checkbox.
    pub fn description(self) -> &'static str {
        match self {
            TreatmentOption::Transfer => "Share the risk with another party or parties",
            TreatmentOption::Avoid => {
                "Decide not to start or continue the activity that presents the risk"
            }
            TreatmentOption::Treat => "Change the likelihood or the consequences with controls",
            TreatmentOption::Accept => "Retain the risk by informed decision",
        }
    }
}

/// What a control under "treat" does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ControlKind {
    Preventive,
    Corrective,
    Directive,
    Detective,
}

impl ControlKind {
    pub const ALL: [ControlKind; 4] = [
        ControlKind::Preventive,
        ControlKind::Corrective,
        ControlKind::Directive,
        ControlKind::Detective,
    ];

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw.trim())
            .ok_or_else(|| "Choose preventive, corrective, directive or detective.".to_string())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ControlKind::Preventive => "preventive",
            ControlKind::Corrective => "corrective",
            ControlKind::Directive => "directive",
            ControlKind::Detective => "detective",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ControlKind::Preventive => "Preventive",
            ControlKind::Corrective => "Corrective",
            ControlKind::Directive => "Directive",
            ControlKind::Detective => "Detective",
        }
    }
}

/// Where a control stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ControlState {
    Planned,
    InPlace,
    Verified,
}

impl ControlState {
    pub const ALL: [ControlState; 3] = [
        ControlState::Planned,
        ControlState::InPlace,
        ControlState::Verified,
    ];

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or_else(|| "Choose planned, in place or verified.".to_string())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ControlState::Planned => "planned",
            ControlState::InPlace => "in_place",
            ControlState::Verified => "verified",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ControlState::Planned => "Planned",
            ControlState::InPlace => "In place",
            ControlState::Verified => "Verified",
        }
    }
}

/// A control as entered, before it is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Control {
    pub kind: ControlKind,
    pub what: String,
    pub owner_id: i64,
    pub state: ControlState,
}

/// A chosen set of options with the controls of "treat".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Treatment {
    options: Vec<TreatmentOption>,
    controls: Vec<Control>,
}

impl Treatment {
    /// Checks the options and controls against each other and against the classification.
    ///
    /// # Errors
    ///
    /// The sentences of every rule broken, joined by spaces.
    pub fn new(
        mut options: Vec<TreatmentOption>,
        controls: Vec<Control>,
        classification: Classification,
    ) -> Result<Self, String> {
        options.sort();
        options.dedup();
        let has = |o| options.contains(&o);
        let mut problems = Vec::new();
        if options.is_empty() {
            problems.push("Choose at least one treatment: transfer, avoid, treat or accept.");
        }
        if has(TreatmentOption::Avoid) && has(TreatmentOption::Accept) {
            problems.push("A risk cannot be both avoided and accepted.");
        }
        if has(TreatmentOption::Treat) && controls.is_empty() {
            problems.push("Treating a risk needs at least one control.");
        }
        if !has(TreatmentOption::Treat) && !controls.is_empty() {
            problems.push("Controls belong to the treat option: tick treat or remove them.");
        }
        if controls.iter().any(|c| c.what.trim().is_empty()) {
            problems.push("Say what each control is.");
        }
        match classification {
            Classification::Managed => {}
            Classification::Monitored => {
                if options
                    .iter()
                    .any(|&o| o != TreatmentOption::Treat && o != TreatmentOption::Accept)
                    || controls.iter().any(|c| c.kind != ControlKind::Detective)
                {
                    problems.push(
                        "A monitored risk is only watched: accept it, with detective controls \
                         at most, or classify it as managed.",
                    );
                }
            }
            Classification::Observed => {
                if options != [TreatmentOption::Accept] {
                    problems.push(
                        "An observed risk has no treatment: accept it, or classify it as \
                         managed.",
                    );
                }
            }
        }
        if problems.is_empty() {
            Ok(Self { options, controls })
        } else {
            Err(problems.join(" "))
        }
    }

    pub fn options(&self) -> &[TreatmentOption] {
        &self.options
    }

    pub fn controls(&self) -> &[Control] {
        &self.controls
    }

    /// A plain-words summary for the client's mail and the register, e.g. "Treat (preventive:
    /// nightly backup; detective: restore test) and transfer".
    pub fn summary(&self) -> String {
        let parts: Vec<String> = self
            .options
            .iter()
            .map(|&o| {
                if o == TreatmentOption::Treat && !self.controls.is_empty() {
                    let controls: Vec<String> = self
                        .controls
                        .iter()
                        .map(|c| format!("{}: {}", c.kind.as_str(), c.what.trim()))
                        .collect();
                    format!("{} ({})", o.label(), controls.join("; "))
                } else {
                    o.label().to_string()
                }
            })
            .collect();
        parts.join(", ")
    }
}

/// Checks who may settle a decision: anyone on the desk records and analyses risks, but
/// leaving an intolerable exposure in place is a business call only a manager makes.
///
/// # Errors
///
/// A sentence saying who may.
pub fn check_may_decide(
    role: Role,
    tolerance: Tolerance,
    options: &[TreatmentOption],
) -> Result<(), String> {
    if tolerance == Tolerance::Intolerable
        && options.contains(&TreatmentOption::Accept)
        && !role.is_manager()
    {
        Err("Only a service desk manager may accept a risk decided intolerable.".to_string())
    } else {
        Ok(())
    }
}

/// What the client said about the current treatment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Acceptance {
    /// No treatment decided yet, so nothing to ask.
    NotAsked,
    Pending,
    Accepted,
    Declined,
}

impl Acceptance {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "not_asked" => Ok(Acceptance::NotAsked),
            "pending" => Ok(Acceptance::Pending),
            "accepted" => Ok(Acceptance::Accepted),
            "declined" => Ok(Acceptance::Declined),
            _ => Err(format!("Unknown acceptance state {raw:?}.")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Acceptance::NotAsked => "not_asked",
            Acceptance::Pending => "pending",
            Acceptance::Accepted => "accepted",
            Acceptance::Declined => "declined",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Acceptance::NotAsked => "Not asked yet",
            Acceptance::Pending => "Waiting for the client",
            Acceptance::Accepted => "Accepted by the client",
            Acceptance::Declined => "Declined by the client",
        }
    }

    /// The state after the treatment changed: whatever the client said was about another
    /// treatment, so they are asked again.
    pub fn after_treatment_change(self) -> Self {
        Acceptance::Pending
    }

    /// Checks the client's answer: only a pending request can be answered, and a decline
    /// carries the client's comment so the owner knows what to change.
    ///
    /// # Errors
    ///
    /// A sentence for the client.
    pub fn answer(self, accept: bool, comment: &str) -> Result<Self, String> {
        if self != Acceptance::Pending {
            return Err("This treatment has already been answered.".to_string());
        }
        if accept {
            Ok(Acceptance::Accepted)
        } else if comment.trim().is_empty() {
            Err("Tell us why you decline, so we can propose another treatment.".to_string())
        } else {
            Ok(Acceptance::Declined)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use ControlKind::{Detective, Preventive};
    use TreatmentOption::{Accept, Avoid, Transfer, Treat};

    fn control(kind: ControlKind, what: &str) -> Control {
        Control {
            kind,
            what: what.to_string(),
            owner_id: 1,
            state: ControlState::Planned,
        }
    }

    #[test]
    fn treatment_rules_table() {
        use Classification::{Managed, Monitored, Observed};
        type Row = (
            Vec<TreatmentOption>,
            Vec<Control>,
            Classification,
            Result<(), &'static str>,
        );
        let table: Vec<Row> = vec![
            (
                vec![Treat],
                vec![
                    control(Preventive, "Backup"),
                    control(Detective, "Restore test"),
                ],
                Managed,
                Ok(()),
            ),
            (vec![Transfer, Accept], vec![], Managed, Ok(())),
            (vec![Avoid], vec![], Managed, Ok(())),
            (
                vec![],
                vec![],
                Managed,
                Err("Choose at least one treatment: transfer, avoid, treat or accept."),
            ),
            (
                vec![Avoid, Accept],
                vec![],
                Managed,
                Err("A risk cannot be both avoided and accepted."),
            ),
            (
                vec![Treat],
                vec![],
                Managed,
                Err("Treating a risk needs at least one control."),
            ),
            (
                vec![Accept],
                vec![control(Preventive, "x")],
                Managed,
                Err("Controls belong to the treat option: tick treat or remove them."),
            ),
            (
                vec![Treat],
                vec![control(Preventive, "  ")],
                Managed,
                Err("Say what each control is."),
            ),
            (
                vec![Treat, Accept],
                vec![control(Detective, "Alert on temperature")],
                Monitored,
                Ok(()),
            ),
            (
                vec![Treat],
                vec![control(Preventive, "Air conditioning")],
                Monitored,
                Err(
                    "A monitored risk is only watched: accept it, with detective controls at most, or classify it as managed.",
                ),
            ),
            (vec![Accept], vec![], Observed, Ok(())),
            (
                vec![Transfer],
                vec![],
                Observed,
                Err("An observed risk has no treatment: accept it, or classify it as managed."),
            ),
        ];
        for (options, controls, classification, expected) in table {
            let label = format!("{options:?} {classification:?}");
            assert_eq!(
                Treatment::new(options, controls, classification).map(|_| ()),
                expected.map_err(str::to_string),
                "{label}"
            );
        }
    }

    #[test]
    fn summary_reads_in_plain_words() {
        let treatment = Treatment::new(
            vec![Treat, Transfer, Treat],
            vec![
                control(Preventive, "Nightly backup"),
                control(Detective, "Monthly restore test"),
            ],
            Classification::Managed,
        )
        .unwrap();
        assert_eq!(treatment.options(), [Transfer, Treat]);
        assert_eq!(
            treatment.summary(),
            "Transfer, Treat (preventive: Nightly backup; detective: Monthly restore test)"
        );
        assert_eq!(treatment.controls().len(), 2);
    }

    #[test]
    fn only_a_manager_accepts_an_intolerable_risk() {
        let table = [
            (Role::Technician, Tolerance::Tolerable, vec![Accept], true),
            (Role::Technician, Tolerance::Intolerable, vec![Treat], true),
            (
                Role::Technician,
                Tolerance::Intolerable,
                vec![Accept],
                false,
            ),
            (
                Role::Technician,
                Tolerance::Intolerable,
                vec![Transfer, Accept],
                false,
            ),
            (Role::Manager, Tolerance::Intolerable, vec![Accept], true),
            (Role::Admin, Tolerance::Intolerable, vec![Accept], true),
        ];
        for (role, tolerance, options, ok) in table {
            assert_eq!(
                check_may_decide(role, tolerance, &options).is_ok(),
                ok,
                "{role:?} {tolerance:?} {options:?}"
            );
        }
    }

    #[test]
    fn client_answers_table() {
        use Acceptance::{Accepted, Declined, NotAsked, Pending};
        let table = [
            (Pending, true, "", Ok(Accepted)),
            (Pending, false, "Too expensive", Ok(Declined)),
            (
                Pending,
                false,
                "  ",
                Err("Tell us why you decline, so we can propose another treatment."),
            ),
            (
                Accepted,
                true,
                "",
                Err("This treatment has already been answered."),
            ),
            (
                Declined,
                true,
                "",
                Err("This treatment has already been answered."),
            ),
            (
                NotAsked,
                true,
                "",
                Err("This treatment has already been answered."),
            ),
        ];
        for (state, accept, comment, expected) in table {
            assert_eq!(
                state.answer(accept, comment),
                expected.map_err(str::to_string),
                "{state:?}"
            );
        }
        for state in [NotAsked, Pending, Accepted, Declined] {
            assert_eq!(Acceptance::parse(state.as_str()), Ok(state));
            assert_eq!(state.after_treatment_change(), Pending);
        }
        for o in TreatmentOption::ALL {
            assert_eq!(TreatmentOption::parse(o.as_str()), Ok(o));
        }
        for k in ControlKind::ALL {
            assert_eq!(ControlKind::parse(k.as_str()), Ok(k));
        }
        for s in ControlState::ALL {
            assert_eq!(ControlState::parse(s.as_str()), Ok(s));
        }
    }
}
