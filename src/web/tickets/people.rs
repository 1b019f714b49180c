//! The ticket page's people questions: how each candidate's access and presence enter the
//! assignment ranking, and who may decide with the client at the decision point.

use chrono::{DateTime, Utc};

use super::super::extract::CurrentUser;
use crate::db::tickets::CandidateFacts;
use crate::domain::absence::away_until;
use crate::domain::assignment::{Candidate, Presence, systems_named};
use crate::domain::decision_point::deciders_sentence;
use crate::domain::ids::UserId;

/// The ranking's view of each person for this ticket: the systems its affected service names
/// that they have no access to, and whether the toggle or a planned absence has them away now.
pub fn candidates(
    facts: &[CandidateFacts],
    client_systems: &[String],
    affected_service: &str,
    now: DateTime<Utc>,
) -> Vec<Candidate> {
    let named = systems_named(affected_service, client_systems);
    facts
        .iter()
        .map(|f| Candidate {
            user: f.user.id(),
            name: f.user.display_name.clone(),
            tier: f.user.tier(),
            is_manager: f.user.role().is_manager(),
            solved_in_category: u32::try_from(f.solved_in_category).unwrap_or(u32::MAX),
            open_tickets: u32::try_from(f.open_tickets).unwrap_or(u32::MAX),
            presence: Presence::of(f.user.away, away_until(&f.absences, now, f.user.zone())),
            client_access: f.client_access,
            missing_systems: named
                .iter()
                .filter(|system| !f.systems.contains(**system))
                .map(|system| system.to_string())
                .collect(),
        })
        .collect()
}

/// The decision point as the ticket page tells it.
pub struct DecisionPointView {
    /// The ticket is at the decision-point level and the viewer may decide: the form shows.
    pub viewer_decides: bool,
    /// Who decides, and (when the form does not show) why not.
    pub sentence: String,
}

pub fn decision_point_view(
    at_point: bool,
    account_managers: &[(UserId, String)],
    client: &str,
    viewer: &CurrentUser,
) -> DecisionPointView {
    let names: Vec<&str> = account_managers.iter().map(|(_, n)| n.as_str()).collect();
    let deciders = deciders_sentence(&names, client);
    let may_decide =
        viewer.row.role().is_manager() || account_managers.iter().any(|(id, _)| *id == viewer.id());
    let sentence = if at_point {
        format!("Decision by: {deciders}.")
    } else {
        format!(
            "A decision with the client is recorded once the ticket is escalated to the decision point. Decision by: {deciders}."
        )
    };
    DecisionPointView {
        viewer_decides: at_point && may_decide,
        sentence,
    }
}
