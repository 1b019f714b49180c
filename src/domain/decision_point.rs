//! The client decision point (blueprints, escalation: "the service desk manager as the decision
//! point"): the manager offers the client a way forward, the ticket waits, and the client's dated
//! answer lets work resume. The blueprints add that "the decision point could also be an account
//! manager", so an admin may name account managers per client who decide for that client too.

use chrono::NaiveDate;

use super::inputs::FieldProblem;
use super::ticket::{Action, PendingReason, Status};

/// Who is asking to record a decision, as far as the rule cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decider {
    pub is_manager: bool,
    /// An account manager of the ticket's client (not of any client).
    pub is_account_manager: bool,
}

/// Why a decision cannot be recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The ticket is not at the decision-point level: escalate it there first.
    NotAtDecisionPoint(String),
    /// The person may not decide for this client.
    NotADecider(String),
}

/// A decision is recorded only on a ticket escalated to the decision-point level (the
/// decision is the escalation's purpose: a conversation with the client about buying a way
/// forward), and only by a service desk manager or an account manager of the ticket's client.
/// `level` is the ticket's level as the page names it.
pub fn check_decision(
    at_decision_point: bool,
    level: &str,
    decider: Decider,
) -> Result<(), Refusal> {
    if !decider.is_manager && !decider.is_account_manager {
        return Err(Refusal::NotADecider(
            "Only a service desk manager or an account manager of this client records the client's decision.".to_string(),
        ));
    }
    if !at_decision_point {
        return Err(Refusal::NotAtDecisionPoint(format!(
            "The ticket is at {level}, not at the decision point: escalate it there before recording a decision with the client."
        )));
    }
    Ok(())
}

/// Who decides with the client, as the ticket page says it: "the service desk manager or Jo
/// Smith, account manager for Acme".
pub fn deciders_sentence(account_managers: &[&str], client: &str) -> String {
    let mut sentence = "the service desk manager".to_string();
    match account_managers {
        [] => {}
        [one] => sentence.push_str(&format!(" or {one}, account manager for {client}")),
        [init @ .., last] => sentence.push_str(&format!(
            " or {} or {last}, account managers for {client}",
            init.join(", ")
        )),
    }
    sentence
}

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
    fn only_a_manager_or_the_clients_account_manager_decides_and_only_at_the_decision_point() {
        let who = |is_manager, is_account_manager| Decider {
            is_manager,
            is_account_manager,
        };
        let not_at = Err("at");
        let not_decider = Err("who");
        let table = [
            (true, who(true, false), Ok(())),
            (true, who(false, true), Ok(())),
            (true, who(true, true), Ok(())),
            (true, who(false, false), not_decider),
            (false, who(true, false), not_at),
            (false, who(false, true), not_at),
            // Who comes first: a technician learns nothing about the ticket's level.
            (false, who(false, false), not_decider),
        ];
        for (at_point, decider, expected) in table {
            let got = check_decision(at_point, "Tier 2", decider).map_err(|r| match r {
                Refusal::NotAtDecisionPoint(sentence) => {
                    assert!(
                        sentence.starts_with("The ticket is at Tier 2, not at the decision point")
                    );
                    "at"
                }
                Refusal::NotADecider(_) => "who",
            });
            assert_eq!(got, expected, "{at_point} {decider:?}");
        }
    }

    #[test]
    fn the_page_names_who_decides() {
        let table: [(&[&str], &str); 3] = [
            (&[], "the service desk manager"),
            (
                &["Jo Smith"],
                "the service desk manager or Jo Smith, account manager for Acme",
            ),
            (
                &["Jo Smith", "Ravi Patel", "Lee Wong"],
                "the service desk manager or Jo Smith, Ravi Patel or Lee Wong, account managers for Acme",
            ),
        ];
        for (names, expected) in table {
            assert_eq!(deciders_sentence(names, "Acme"), expected);
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
