//! The ticket page's known-error panel: the matching known errors with their "apply workaround"
//! buttons, the workarounds already applied, and the solve form's choice among them.

use crate::db::known_errors_on_ticket::OnTicket;
use crate::domain::known_error::reference;
use crate::format::format_time;

pub struct MatchItem {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub symptoms: String,
    pub workaround: String,
    pub applied: bool,
}

pub struct AppliedItem {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub who: String,
    pub when: String,
}

#[derive(Default)]
pub struct KnownErrorPanel {
    /// Whether the panel shows at all: on open incidents only.
    pub shown: bool,
    pub matches: Vec<MatchItem>,
    pub applied: Vec<AppliedItem>,
    /// The solve form's choices: the known errors applied to the ticket, as (reference, label).
    pub choices: Vec<(String, String)>,
}

pub fn panel(on: OnTicket, open_incident: bool, zone: chrono_tz::Tz) -> KnownErrorPanel {
    let mut choices: Vec<(String, String)> = Vec::new();
    for a in &on.applied {
        let r = reference(a.known_error);
        if !choices.iter().any(|(v, _)| *v == r) {
            choices.push((r.clone(), format!("{r} {}", a.title)));
        }
    }
    KnownErrorPanel {
        shown: open_incident,
        matches: on
            .matches
            .into_iter()
            .map(|k| MatchItem {
                id: k.id.0,
                reference: k.reference(),
                applied: on.applied.iter().any(|a| a.known_error == k.id),
                title: k.title,
                symptoms: k.symptoms,
                workaround: k.workaround,
            })
            .collect(),
        applied: on
            .applied
            .into_iter()
            .map(|a| AppliedItem {
                id: a.known_error.0,
                reference: reference(a.known_error),
                title: a.title,
                who: a.applied_by,
                when: format_time(a.applied_at, zone),
            })
            .collect(),
        choices,
    }
}
