//! The client decision point (blueprints, escalation: "the service desk manager as the decision
//! point"): the manager offers the client a way forward, the ticket waits, and the client's dated
//! answer lets work resume.

use chrono::NaiveDate;

use super::inputs::FieldProblem;
use super::ticket::{Action, PendingReason, Status};

/// What a manager's entry at the decision point does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecisionStep {
    /// An offer is made; the ticket waits for the client's answer.
    Offer,
    /// An offer the client answered on the spot.
    OfferAnswered,
    /// The client's answer to the offer already made; work resumes.
    Answer,
}

impl DecisionStep {
    /// The status change the step makes: an offer waits for the client's answer; the answer
    /// to an offer the client was asked about resumes the work; an offer answered on the spot
    /// changes nothing.
    pub fn action(self, from: Status) -> Option<Action> {
        match self {
            DecisionStep::Offer => Some(Action::Pend(PendingReason::ClientInput)),
            DecisionStep::Answer if from == Status::PendingClient => Some(Action::Resume),
            DecisionStep::Answer | DecisionStep::OfferAnswered => None,
        }
    }
}

/// Works out the step from whether an offer is open and what the manager filled in. The
/// client's answer cannot be dated in the future.
pub fn decision_step(
    open_offer: bool,
    offered: &str,
    answer: &str,
    answered_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<DecisionStep, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    if !open_offer && offered.trim().is_empty() {
        problems.push((
            "offered",
            "Write what was offered to the client.".to_string(),
        ));
    }
    let answered = !answer.trim().is_empty();
    if open_offer && !answered {
        problems.push((
            "answer",
            "Write the client's answer to the offer.".to_string(),
        ));
    }
    match answered_on {
        None if answered => problems.push((
            "answered_on",
            "Give the date of the client's answer.".to_string(),
        )),
        Some(date) if date > today => problems.push((
            "answered_on",
            "The answer cannot come from the future.".to_string(),
        )),
        Some(_) if !answered => problems.push((
            "answer",
            "Write the client's answer, or leave the date empty while they decide.".to_string(),
        )),
        _ => {}
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(match (open_offer, answered) {
        (true, _) => DecisionStep::Answer,
        (false, true) => DecisionStep::OfferAnswered,
        (false, false) => DecisionStep::Offer,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Open offer, offered, answer, its date, and the step or the fields with problems.
    type DecisionCase = (
        bool,
        &'static str,
        &'static str,
        Option<NaiveDate>,
        Result<DecisionStep, Vec<&'static str>>,
    );

    #[test]
    fn the_decision_point_offers_then_takes_the_answer() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let yesterday = today.pred_opt();
        let tomorrow = today.succ_opt();
        let table: [DecisionCase; 8] = [
            (
                false,
                "New NAS, 1,200 EUR",
                "",
                None,
                Ok(DecisionStep::Offer),
            ),
            (
                false,
                "New NAS",
                "Yes, order it",
                Some(today),
                Ok(DecisionStep::OfferAnswered),
            ),
            (
                true,
                "",
                "Yes, order it",
                yesterday,
                Ok(DecisionStep::Answer),
            ),
            (false, " ", "", None, Err(vec!["offered"])),
            (true, "", "", None, Err(vec!["answer"])),
            (true, "", "Yes", None, Err(vec!["answered_on"])),
            (true, "", "Yes", tomorrow, Err(vec!["answered_on"])),
            (false, "New NAS", "", Some(today), Err(vec!["answer"])),
        ];
        for (open, offered, answer, on, expected) in table {
            let got = decision_step(open, offered, answer, on, today)
                .map_err(|p| p.into_iter().map(|(f, _)| f).collect::<Vec<_>>());
            assert_eq!(got, expected, "{open} {offered:?} {answer:?} {on:?}");
        }
    }

    #[test]
    fn an_offer_waits_for_the_client_and_the_answer_resumes_the_work() {
        let pend = Some(Action::Pend(PendingReason::ClientInput));
        let table = [
            (DecisionStep::Offer, Status::InProgress, pend),
            (DecisionStep::Offer, Status::Assigned, pend),
            (
                DecisionStep::Answer,
                Status::PendingClient,
                Some(Action::Resume),
            ),
            (DecisionStep::Answer, Status::InProgress, None),
            (DecisionStep::OfferAnswered, Status::InProgress, None),
            (DecisionStep::OfferAnswered, Status::PendingClient, None),
        ];
        for (step, from, expected) in table {
            assert_eq!(step.action(from), expected, "{step:?} from {from:?}");
        }
    }
}
