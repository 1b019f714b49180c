//! Tickets and risks: a risk raised from a ticket takes its words from the ticket, and a
//! control carried out through a ticket is marked in place once that ticket is done.

use super::priority::{Impact, Urgency};
use super::risk::Level;
use super::risk_treatment::ControlState;
use super::ticket::Status;

/// The asset a ticket's affected service names, if one of the client's assets bears that
/// name (ignoring case and surrounding spaces); an empty service names none.
pub fn asset_named<'a>(affected_service: &str, assets: &'a [(i64, String)]) -> Option<&'a i64> {
    let wanted = affected_service.trim().to_lowercase();
    if wanted.is_empty() {
        return None;
    }
    assets
        .iter()
        .find(|(_, name)| name.trim().to_lowercase() == wanted)
        .map(|(id, _)| id)
}

/// The impact and urgency of the service request that carries out a control: the risk's
/// inherent level decides, so a critical risk's control is not queued behind routine requests.
pub fn control_ticket_priority(level: Option<Level>) -> (Impact, Urgency) {
    match level {
        Some(Level::Critical) => (Impact::High, Urgency::High),
        Some(Level::High) => (Impact::Medium, Urgency::High),
        Some(Level::Medium) => (Impact::Medium, Urgency::Medium),
        Some(Level::Low) | None => (Impact::Low, Urgency::Low),
    }
}

/// Whether a control may be marked in place because of its ticket. The desk marks it by
/// hand rather than the ticket moving it: a solved ticket says the work was done, "in place"
/// says the risk is now controlled, and only a person can vouch for the second.
pub fn check_mark_in_place(state: ControlState, ticket: Option<Status>) -> Result<(), String> {
    match (state, ticket) {
        (ControlState::InPlace | ControlState::Verified, _) => {
            Err("This control is already in place.".into())
        }
        (ControlState::Planned, None) => {
            Err("This control is not carried out through a ticket.".into())
        }
        (ControlState::Planned, Some(Status::Solved | Status::Closed)) => Ok(()),
        (ControlState::Planned, Some(_)) => Err(
            "The control's ticket is not solved yet: mark the control once the work is done."
                .into(),
        ),
    }
}

/// Whether a control may get a ticket: one ticket per control, and only while it is planned.
pub fn check_may_open_ticket(state: ControlState, ticket: Option<i64>) -> Result<(), String> {
    match (state, ticket) {
        (_, Some(t)) => Err(format!("This control is already carried by ticket #{t}.")),
        (ControlState::Planned, None) => Ok(()),
        (ControlState::InPlace | ControlState::Verified, None) => {
            Err("This control is already in place: no ticket is needed.".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_affected_service_names_an_asset_ignoring_case_and_spaces() {
        let assets = vec![(1, "File server".to_string()), (2, "Router".to_string())];
        let cases = [
            ("File server", Some(1)),
            ("  file SERVER ", Some(1)),
            ("router", Some(2)),
            ("File", None),
            ("", None),
            ("   ", None),
        ];
        for (service, expected) in cases {
            assert_eq!(
                asset_named(service, &assets).copied(),
                expected,
                "{service:?}"
            );
        }
        assert_eq!(asset_named("Router", &[]), None);
    }

    #[test]
    fn the_risk_level_sets_the_control_ticket_priority() {
        let cases = [
            (Some(Level::Critical), (Impact::High, Urgency::High)),
            (Some(Level::High), (Impact::Medium, Urgency::High)),
            (Some(Level::Medium), (Impact::Medium, Urgency::Medium)),
            (Some(Level::Low), (Impact::Low, Urgency::Low)),
            (None, (Impact::Low, Urgency::Low)),
        ];
        for (level, expected) in cases {
            assert_eq!(control_ticket_priority(level), expected, "{level:?}");
        }
    }

    #[test]
    fn a_planned_control_is_marked_in_place_only_after_its_ticket_is_done() {
        use ControlState::{InPlace, Planned, Verified};
        let cases = [
            (Planned, Some(Status::Solved), true),
            (Planned, Some(Status::Closed), true),
            (Planned, Some(Status::New), false),
            (Planned, Some(Status::InProgress), false),
            (Planned, Some(Status::Reopened), false),
            (Planned, Some(Status::Cancelled), false),
            (Planned, None, false),
            (InPlace, Some(Status::Solved), false),
            (Verified, Some(Status::Closed), false),
        ];
        for (state, ticket, allowed) in cases {
            assert_eq!(
                check_mark_in_place(state, ticket).is_ok(),
                allowed,
                "{state:?} {ticket:?}"
            );
        }
    }

    #[test]
    fn only_a_planned_control_without_a_ticket_gets_one() {
        use ControlState::{InPlace, Planned, Verified};
        let cases = [
            (Planned, None, true),
            (Planned, Some(4), false),
            (InPlace, None, false),
            (Verified, None, false),
        ];
        for (state, ticket, allowed) in cases {
            assert_eq!(
                check_may_open_ticket(state, ticket).is_ok(),
                allowed,
                "{state:?} {ticket:?}"
            );
        }
    }
}
