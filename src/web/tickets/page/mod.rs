//! The ticket page: facts, clocks, timeline, escalation section and every form, read in one
//! go and shown to one viewer. Each section is built in its own room below.

mod assignment;
mod defaults;
mod facts;
mod ladder;
mod timeline;

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};

use self::assignment::{CandidateRow, assignment_section};
use self::defaults::forms_from_row;
use self::facts::{AttachmentItem, Facts, attachment_items, facts};
use self::ladder::{EscalationSection, escalation_section};
use self::timeline::{EventItem, timeline};
use super::change_notice::{ChangeNotice, change_notice};
use super::forms::{FormKey, PageForms};
use super::people;
use super::queue::category_options;
use super::request_view::{RequestView, request_view};
use super::sla::{ClockView, clocks};
use crate::db::approvals::{self, ApprovalView};
use crate::db::attachments::{self, AttachmentInfo, MAX_ATTACHMENT_BYTES};
use crate::db::categories::{self, CategoryRow};
use crate::db::decision_point::{self, DecisionRow};
use crate::db::escalation::suggestions::SuggestionView;
use crate::db::escalation::{self, EscalationView};
use crate::db::known_errors_on_ticket::{self, OnTicket};
use crate::db::risks::tickets::{TicketRisk, on_ticket as risks_on_ticket};
use crate::db::surveys::SurveyRow;
use crate::db::tickets::{self, CandidateFacts, TicketDetail, TicketRow};
use crate::db::{self};
use crate::domain::account::Tier;
use crate::domain::change_gate;
use crate::domain::ids::{CategoryId, TicketId};
use crate::domain::inputs::FieldErrors;
use crate::domain::priority::{Impact, Priority, Urgency};
use crate::domain::request;
use crate::domain::ticket::{self, Action, IdentityCheck, Kind};
use crate::domain::work::WorkEntry;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::known_errors_view::{self, KnownErrorPanel};
use crate::web::page::{Ctx, render};
use crate::web::problems::ticket_section::{
    ProblemReads, ProblemSection, problem_section, read as problem_reads,
};
use crate::web::risks::ticket_panel::{RiskPanel, risk_panel};
use crate::web::uptime::ticket_panel::{
    OutagePanel, OutageReads, outage_panel, read as outage_reads,
};

#[derive(Template)]
#[template(path = "tickets/show.html")]
pub(super) struct TicketPage {
    ctx: Ctx,
    id: i64,
    facts: Facts,
    esc: EscalationSection,
    decision: people::DecisionPointView,
    changes: ChangeNotice,
    viewer_is_manager: bool,
    attachments: Vec<AttachmentItem>,
    max_upload: String,
    clocks: [ClockView; 2],
    events: Vec<EventItem>,
    is_owner: bool,
    is_open: bool,
    can_reopen: bool,
    /// Why the ticket cannot be solved or assigned in its status, said instead of the form
    /// (empty when it can).
    solve_blocked: String,
    assign_blocked: String,
    next_options: Vec<(String, String)>,
    /// The solve button's words: "Mark fulfilled" on a service request.
    solve_button: &'static str,
    /// Where a service request stands in fulfilment (`None` on an incident).
    request: Option<RequestView>,
    /// The problem the incident is linked to, or the form to link it.
    problem: ProblemSection,
    /// The known errors matching an open incident, and the workarounds applied to it.
    known: KnownErrorPanel,
    priorities: [Priority; 3],
    entries: [WorkEntry; 3],
    impacts: [Impact; 3],
    urgencies: [Urgency; 3],
    tiers: [Tier; 4],
    categories: Vec<(String, String)>,
    top_categories: Vec<(String, String)>,
    candidates: Vec<CandidateRow>,
    suggested_tier: &'static str,
    errors: FieldErrors,
    no_errors: FieldErrors,
    form_with_errors: FormKey,
    next_form: FormKey,
    forms: PageForms,
    identity_methods: [IdentityCheck; 4],
    outage: OutagePanel,
    /// The risks raised from the ticket or carried out through it.
    risk_panel: RiskPanel,
}

impl TicketPage {
    /// Whether a form shows unfolded: the one sent back with errors, or else the one the viewer
    /// most likely uses next. The others stay folded, one click away, without JavaScript.
    fn unfolded(&self, key: FormKey) -> bool {
        match self.form_with_errors {
            FormKey::None => key == self.next_form,
            failed => key == failed,
        }
    }

    /// The change form also unfolds where the ticket asks for a change: a sensitive category
    /// with none filed, or an escalation refused until one is.
    fn change_open(&self) -> bool {
        self.unfolded(FormKey::Change)
            || self.changes.wants_change()
            || (self.form_with_errors == FormKey::Escalate
                && self.errors.get("reason") == Some(change_gate::ADMIN_PRIVILEGES))
    }

    /// The dismissal note typed for `suggestion` when the form came back with errors.
    fn kept_note(&self, suggestion: &i64) -> &str {
        match &self.forms.dismissal {
            Some((id, note)) if *id == suggestion.to_string() => note,
            _ => "",
        }
    }

    /// The errors of one form of the page (the others show none).
    fn errors_for(&self, key: FormKey) -> &FieldErrors {
        if key == self.form_with_errors {
            &self.errors
        } else {
            &self.no_errors
        }
    }
}

/// What the page reads from the database, in one go.
struct Loaded {
    detail: TicketDetail,
    categories: Vec<CategoryRow>,
    candidates: Vec<CandidateFacts>,
    client_systems: Vec<String>,
    account_managers: Vec<(crate::domain::ids::UserId, String)>,
    survey: Option<SurveyRow>,
    attachments: Vec<AttachmentInfo>,
    standing: escalation::Standing,
    history: Vec<EscalationView>,
    requests: Vec<ApprovalView>,
    decisions: Vec<(DecisionRow, String)>,
    suggestions: Vec<SuggestionView>,
    known: OnTicket,
    identity: Option<tickets::identity::IdentityRecord>,
}

/// What the sections kept by other features read (problem, outage, risks), in the same turn,
/// handed to their builders whole.
struct PanelReads {
    problem: ProblemReads,
    outages: OutageReads,
    risks: Vec<TicketRisk>,
}

async fn load(
    state: &AppState,
    id: TicketId,
    now: DateTime<Utc>,
) -> AppResult<(Loaded, PanelReads)> {
    let known_error_matches = state.known_error_matches.clone();
    db::run(&state.pool, move |conn| {
        let detail = tickets::detail(conn, id)?;
        let panels = PanelReads {
            problem: problem_reads(conn, id, detail.row.kind)?,
            outages: outage_reads(conn, &detail.row)?,
            risks: risks_on_ticket(conn, id)?,
        };
        let category = detail.row.category_id.map(CategoryId);
        let standing = escalation::standing(conn, &detail.row)?;
        let client = detail.client.id();
        let (candidates, client_systems) =
            tickets::assignment_candidates(conn, client, category, now)?;
        let loaded = Loaded {
            categories: categories::list_categories(conn)?,
            candidates,
            client_systems,
            account_managers: db::account_managers::of_client(conn, client)?,
            survey: db::surveys::for_ticket(conn, id)?,
            attachments: attachments::attachments_of(conn, id)?,
            history: escalation::history(conn, &standing.ladder, id)?,
            requests: approvals::of_ticket(conn, id)?,
            decisions: decision_point::decisions_of(conn, id)?,
            suggestions: escalation::suggestions::of_ticket(conn, id)?,
            known: known_errors_on_ticket::on_ticket(conn, &detail.row, &known_error_matches)?,
            identity: tickets::identity::latest(conn, id)?,
            standing,
            detail,
        };
        Ok((loaded, panels))
    })
    .await
}

/// Everything the page needs; the forms come pre-filled from the ticket unless the user's
/// own text is being sent back with errors.
pub(super) async fn ticket_page(
    state: &AppState,
    user: &CurrentUser,
    id: TicketId,
    errors: FieldErrors,
    form_with_errors: FormKey,
    forms: PageForms,
) -> AppResult<TicketPage> {
    let now = state.clock.now();
    let (loaded, panels) = load(state, id, now).await?;
    let zone = user.zone();
    let row = &loaded.detail.row;
    let status = row.status;
    let (response, resolution) = clocks(&loaded.detail, now, zone)?;
    let (wanted_tier, candidates) = assignment_section(&loaded, now)?;
    let decision = people::decision_point_view(
        loaded.standing.level.decision_point,
        &loaded.account_managers,
        &loaded.detail.client.name,
        user,
    );
    let defaults = forms_from_row(row, user, wanted_tier, &loaded.standing);
    let changes = change_notice(row, &loaded.requests, &loaded.categories, user.id(), zone);
    let held = !changes.holds.is_empty();
    Ok(TicketPage {
        ctx: user.ctx(),
        id: row.id.0,
        facts: facts(&loaded, zone)?,
        esc: escalation_section(&loaded, user, status, now, zone)?,
        decision,
        changes,
        viewer_is_manager: user.row.role().is_manager(),
        attachments: attachment_items(&loaded.attachments, zone),
        max_upload: format!("{} MB", MAX_ATTACHMENT_BYTES / (1024 * 1024)),
        clocks: [response, resolution],
        events: timeline(&loaded.detail.events, zone),
        is_owner: row.owner_id == Some(user.row.id),
        is_open: status.is_open(),
        can_reopen: ticket::next_status(status, Action::Reopen).is_ok(),
        solve_blocked: refusal(row, Action::Solve),
        assign_blocked: refusal(row, Action::Assign),
        // A ticket held by its sensitive changes offers no status move, only "stays".
        next_options: ticket::available_actions(status)
            .into_iter()
            .filter(|a| ticket::is_work_action(*a) && !held)
            .filter(|a| request::check_action(row.kind, row.request_approved(), *a).is_ok())
            .map(|a| (a.as_str().to_string(), a.label().to_string()))
            .collect(),
        solve_button: request::action_label(row.kind, Action::Solve),
        request: request_view(&loaded.detail, user, zone),
        problem: problem_section(panels.problem, user, row.kind),
        known: known_errors_view::panel(
            loaded.known.clone(),
            row.kind == Kind::Incident && status.is_open(),
            zone,
        ),
        priorities: Priority::ALL,
        entries: WorkEntry::ALL,
        impacts: Impact::ALL,
        urgencies: Urgency::ALL,
        tiers: Tier::ALL,
        top_categories: loaded
            .categories
            .iter()
            .filter(|c| c.parent_id.is_none() && c.active)
            .map(|c| (c.id.to_string(), c.name.clone()))
            .collect(),
        categories: category_options(&loaded.categories),
        candidates,
        suggested_tier: wanted_tier.label(),
        errors,
        no_errors: FieldErrors::new(),
        form_with_errors,
        next_form: next_form(row, user),
        forms: forms.merged_over(defaults, form_with_errors),
        identity_methods: IdentityCheck::VALIDATING,
        outage: outage_panel(row, panels.outages, loaded.detail.service.calendar.zone()),
        risk_panel: risk_panel(id, panels.risks),
    })
}

/// The sentence a status change would be refused with, or empty when it is allowed: the
/// status machine's, then a service request's wait for approval.
fn refusal(row: &TicketRow, action: Action) -> String {
    match ticket::next_status(row.status, action) {
        Err(e) => e.to_string(),
        Ok(_) => request::check_action(row.kind, row.request_approved(), action)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default(),
    }
}

/// The action the viewer most likely takes next: triage while the ticket has no category,
/// then the work form for whoever owns or works it.
fn next_form(row: &TicketRow, user: &CurrentUser) -> FormKey {
    let mine = row.worker_id == Some(user.row.id) || row.owner_id == Some(user.row.id);
    if !row.status.is_open() {
        FormKey::Reopen
    } else if row.category_id.is_none() {
        FormKey::Triage
    } else if mine {
        FormKey::Work
    } else {
        FormKey::None
    }
}

pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = TicketId(path.into_inner());
    let page = ticket_page(
        &state,
        &user,
        id,
        FieldErrors::new(),
        FormKey::None,
        PageForms::default(),
    )
    .await?;
    render(&page)
}
