//! The ticket page: facts, clocks, timeline, escalation section and every form, read in one
//! go and shown to one viewer.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::change_notice::{ChangeNotice, change_notice};
use super::forms::{
    AcknowledgeForm, ApproveForm, AssignForm, CancelForm, ChangeForm, DecisionForm, EscalateForm,
    FormKey, IdentityForm, PageForms, ReopenForm, SolveForm, TriageForm, WorkForm,
};
use super::ownership::awaiting_owner;
use super::people;
use super::queue::category_options;
use super::request_view::{RequestView, request_view};
use super::sla::{BudgetNote, ClockView, budget_note, clocks};
use crate::db::approvals::{self, ApprovalView};
use crate::db::attachments::{self, AttachmentInfo, MAX_ATTACHMENT_BYTES, human_size};
use crate::db::categories::{self, CategoryRow};
use crate::db::decision_point::{self, DecisionRow};
use crate::db::escalation::suggestions::SuggestionView;
use crate::db::escalation::{self, EscalationView};
use crate::db::known_errors;
use crate::db::surveys::SurveyRow;
use crate::db::tickets::{self, CandidateFacts, TicketDetail, TicketRow};
use crate::db::timeline::EventView;
use crate::db::{self};
use crate::domain::approval::ApprovalStatus;
use crate::domain::timeline::EventKind;
use crate::web::known_errors_view::{self, KnownErrorPanel};
use crate::web::suggestion_item::SuggestionItem;

use crate::domain::account::Tier;
use crate::domain::assignment;
use crate::domain::change_gate;
use crate::domain::escalation::{Reason, TargetKind, manual_target};
use crate::domain::ids::{CategoryId, TicketId};
use crate::domain::inputs::FieldErrors;
use crate::domain::priority::{Impact, Priority, Urgency};
use crate::domain::request;
use crate::domain::ticket::{self, Action, IdentityCheck, Kind, Status};
use crate::domain::work::WorkEntry;
use crate::error::AppResult;
use crate::format::{format_time, iso_time};
use crate::state::AppState;
use crate::web::extract::CurrentUser;
use crate::web::page::{Ctx, render};
use chrono::{DateTime, Utc};

pub struct AttachmentItem {
    pub id: i64,
    pub filename: String,
    pub size: String,
    pub when: String,
    pub who: String,
}

/// The client's survey answer as the ticket page shows it.
pub struct SurveyView {
    pub answer: String,
    pub comment: String,
    pub needs_follow_up: bool,
}

pub struct EventItem {
    pub when: String,
    pub when_iso: String,
    pub who: String,
    pub kind: String,
    pub css: &'static str,
    pub client_visible: bool,
    pub body: String,
    pub detail: String,
}

pub struct CandidateRow {
    pub id: i64,
    pub name: String,
    pub eligible: bool,
    pub reasons: String,
}

pub struct DecisionItem {
    pub offered: String,
    pub offered_by: String,
    pub offered_at: String,
    pub answer: String,
    pub answered_on: String,
}

pub struct EscalationItem {
    pub when: String,
    pub from: String,
    pub to: String,
    pub reason: String,
    pub trigger: String,
    pub who: String,
    pub owner: String,
    pub explanation: String,
    pub vendor: String,
}

pub struct ApprovalItem {
    pub kind: &'static str,
    pub state: String,
    pub what: String,
    pub requester: String,
    pub when: String,
    pub decision: String,
    /// The owner's answer to a rejection: who, when and what they do instead.
    pub acknowledged: String,
}

/// What the ticket is: the facts panel, description and solution.
pub struct Facts {
    pub subject: String,
    pub description: String,
    pub kind: Kind,
    pub kind_label: &'static str,
    pub status_label: &'static str,
    pub priority: String,
    pub priority_label: &'static str,
    pub impact: String,
    pub urgency: String,
    pub client_id: i64,
    pub client_name: String,
    pub client_code: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub channel: &'static str,
    pub identity: &'static str,
    pub identity_ok: bool,
    /// Who checked the identity, when, and what they found.
    pub identity_checked: Option<String>,
    pub owner: String,
    pub worker: String,
    pub tier: &'static str,
    pub category: String,
    pub affected_service: String,
    pub created: String,
    pub solution: Option<String>,
    pub reopen_count: i32,
    pub duplicate_of: Option<i64>,
    pub survey: Option<SurveyView>,
}

/// Where the ticket stands on the escalation ladder, and what was asked and decided on it.
pub struct EscalationSection {
    pub level_name: String,
    pub budget_note: Option<BudgetNote>,
    pub targets: Vec<(String, String)>,
    pub reasons: Vec<(String, String)>,
    pub history: Vec<EscalationItem>,
    pub approvals: Vec<ApprovalItem>,
    pub awaiting_approval: bool,
    pub decisions: Vec<DecisionItem>,
    pub open_offer: bool,
    /// "The ticket is at Tier 2 and waits in the Tier 2 queue…", when nobody owns it.
    pub awaiting_owner: Option<String>,
    pub may_take: bool,
    pub suggestions: Vec<SuggestionItem>,
}

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
    problem: crate::web::problems::ticket_section::ProblemSection,
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
    outage: crate::web::uptime::ticket_panel::OutagePanel,
    /// The risks raised from the ticket or carried out through it.
    risk_panel: crate::web::risks::ticket_panel::RiskPanel,
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

fn event_css(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Reply | EventKind::Call => "event event-client",
        EventKind::ClientMessage => "event event-from-client",
        EventKind::Note => "event event-note",
        EventKind::Solution => "event event-solution",
        _ => "event event-system",
    }
}

fn event_label(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Created => "Recorded",
        EventKind::Note => "Internal note",
        EventKind::Reply => "Reply to the client",
        EventKind::Call => "Call with the client",
        EventKind::Triage => "Triage",
        EventKind::Assignment => "Assignment",
        EventKind::Status => "Status",
        EventKind::Solution => "Solution",
        EventKind::Reopen => "Reopened",
        EventKind::Closed => "Closed",
        EventKind::Attachment => "Attachment",
        EventKind::Survey => "Survey",
        EventKind::Escalation => "Escalation",
        EventKind::Approval => "Approval",
        EventKind::Decision => "Decision point",
        EventKind::Identity => "Identity check",
        EventKind::ClientMessage => "Message from the client",
        EventKind::Alert => "Monitoring alert",
        // The review entry has always shown its stored word.
        EventKind::Review => EventKind::Review.as_str(),
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
    known: known_errors::OnTicket,
    identity: Option<tickets::identity::IdentityRecord>,
}

async fn load(state: &AppState, id: TicketId, now: DateTime<Utc>) -> AppResult<Loaded> {
    db::run(&state.pool, move |conn| {
        let detail = tickets::detail(conn, id)?;
        let category = detail.row.category_id.map(CategoryId);
        let standing = escalation::standing(conn, &detail.row)?;
        let client = detail.client.id();
        let (candidates, client_systems) =
            tickets::assignment_candidates(conn, client, category, now)?;
        Ok(Loaded {
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
            known: known_errors::on_ticket(conn, &detail.row)?,
            identity: tickets::identity::latest(conn, id)?,
            standing,
            detail,
        })
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
    let loaded = load(state, id, now).await?;
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
        problem: crate::web::problems::ticket_section::problem_section(state, user, id, row.kind)
            .await?,
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
        outage: crate::web::uptime::ticket_panel::outage_panel(state, row).await?,
        risk_panel: crate::web::risks::ticket_panel::risk_panel(state, id).await?,
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

/// The facts panel, description and solution.
fn facts(loaded: &Loaded, zone: chrono_tz::Tz) -> AppResult<Facts> {
    let detail = &loaded.detail;
    let row = &detail.row;
    let priority = row.priority;
    let identity = row.identity_check;
    let kind = row.kind;
    let name = |id: Option<i64>| detail.names.of(id).map(str::to_string);
    let category_name = |id: Option<i64>| detail.categories.of(id).map(str::to_string);
    let category = match (
        category_name(row.category_id),
        category_name(row.subcategory_id),
    ) {
        (Some(m), Some(s)) => format!("{m} › {s}"),
        (Some(m), None) => m,
        _ => "not triaged".into(),
    };
    Ok(Facts {
        subject: row.subject.clone(),
        description: row.description.clone(),
        kind,
        kind_label: kind.label(),
        status_label: row.status_label(),
        priority: priority.as_str().into(),
        priority_label: priority.label(),
        impact: row.impact.as_str().into(),
        urgency: row.urgency.as_str().into(),
        client_id: detail.client.id,
        client_name: detail.client.name.clone(),
        client_code: detail.client.code.clone(),
        contact_name: detail.contact.name.clone(),
        contact_email: detail.contact.email.clone(),
        contact_phone: detail.contact.phone.clone(),
        channel: row.channel.label(),
        identity: identity.label(),
        identity_ok: identity.is_validated(),
        identity_checked: loaded.identity.as_ref().map(|check| {
            let who = check.checked_by.as_deref().unwrap_or("the system");
            let when = format_time(check.checked_at, zone);
            if check.detail.is_empty() {
                format!("by {who}, {when}")
            } else {
                format!("by {who}, {when}: {}", check.detail)
            }
        }),
        owner: name(row.owner_id).unwrap_or_else(|| "nobody yet".into()),
        worker: name(row.worker_id).unwrap_or_else(|| "nobody yet".into()),
        tier: row.tier.map(Tier::label).unwrap_or("not assigned"),
        category,
        affected_service: row.affected_service.clone(),
        created: format!(
            "{} by {}",
            format_time(row.created_at, zone),
            name(row.created_by).unwrap_or_else(|| "the system".into())
        ),
        solution: row.solution.clone(),
        reopen_count: row.reopen_count,
        duplicate_of: row.duplicate_of,
        survey: loaded.survey.as_ref().map(|s| SurveyView {
            answer: match (s.rating(), s.answered_at) {
                (Some(r), _) => format!("{r} of 5 · {}", crate::domain::survey::label(r)),
                (None, Some(_)) => "commented without a rating".into(),
                (None, None) => format!("sent {}, not answered yet", format_time(s.sent_at, zone)),
            },
            needs_follow_up: s.flagged && s.followed_up_at.is_none(),
            comment: s.comment.clone(),
        }),
    })
}

/// The tier the ticket wants and the staff ranked for it, best first.
fn assignment_section(loaded: &Loaded, now: DateTime<Utc>) -> AppResult<(Tier, Vec<CandidateRow>)> {
    let detail = &loaded.detail;
    let row = &detail.row;
    let priority = row.priority;
    let common = loaded
        .categories
        .iter()
        .find(|c| Some(c.id) == row.subcategory_id.or(row.category_id))
        .is_some_and(|c| c.common_low_complexity);
    let wanted_tier = row
        .tier
        .unwrap_or_else(|| assignment::default_tier(priority, common));
    let category = detail.categories.of(row.category_id).map(str::to_string);
    let ranked = assignment::rank(
        people::candidates(
            &loaded.candidates,
            &loaded.client_systems,
            &row.affected_service,
            now,
        ),
        wanted_tier,
        category.as_deref(),
    );
    let candidates = ranked
        .into_iter()
        .map(|r| CandidateRow {
            id: r.candidate.user.0,
            name: r.candidate.name,
            eligible: r.eligible,
            reasons: r.reasons.join("; "),
        })
        .collect();
    Ok((wanted_tier, candidates))
}

/// The forms as the ticket stands: each starts from the row's values and version.
fn forms_from_row(
    row: &TicketRow,
    user: &CurrentUser,
    wanted_tier: Tier,
    standing: &escalation::Standing,
) -> PageForms {
    let version = row.version.to_string();
    let owner_or_me = row
        .owner_id
        .map(|o| o.to_string())
        .unwrap_or_else(|| user.row.id.to_string());
    let category = row.category_id.map(|c| c.to_string()).unwrap_or_default();
    PageForms {
        triage: TriageForm {
            version: version.clone(),
            impact: row.impact.as_str().into(),
            urgency: row.urgency.as_str().into(),
            category_id: category.clone(),
            subcategory_id: row
                .subcategory_id
                .map(|c| c.to_string())
                .unwrap_or_default(),
            affected_service: row.affected_service.clone(),
        },
        assign: AssignForm {
            version: version.clone(),
            tier: wanted_tier.as_str().into(),
            owner_id: owner_or_me.clone(),
            worker_id: row
                .worker_id
                .map(|o| o.to_string())
                .unwrap_or_else(|| user.row.id.to_string()),
        },
        work: WorkForm {
            version: version.clone(),
            entry: WorkEntry::Note.as_str().into(),
            category_id: category,
            ..WorkForm::default()
        },
        solve: SolveForm {
            version: version.clone(),
            kb_title: row.subject.clone(),
            ..SolveForm::default()
        },
        cancel: CancelForm {
            version: version.clone(),
            ..CancelForm::default()
        },
        reopen: ReopenForm {
            version: version.clone(),
            ..ReopenForm::default()
        },
        escalate: EscalateForm {
            version: version.clone(),
            to_level_id: standing
                .ladder
                .above(&standing.level)
                .first()
                .map(|l| l.id.to_string())
                .unwrap_or_default(),
            owner_id: owner_or_me,
            ..EscalateForm::default()
        },
        change: ChangeForm {
            version: version.clone(),
            ..ChangeForm::default()
        },
        decision: DecisionForm {
            version: version.clone(),
            ..DecisionForm::default()
        },
        approve: ApproveForm {
            version: version.clone(),
            ..ApproveForm::default()
        },
        acknowledge: AcknowledgeForm {
            version: version.clone(),
            ..AcknowledgeForm::default()
        },
        identity: IdentityForm {
            version,
            ..IdentityForm::default()
        },
        dismissal: None,
    }
}

/// The ladder: where the ticket is, where it may go, what happened and what waits.
fn escalation_section(
    loaded: &Loaded,
    user: &CurrentUser,
    status: Status,
    now: DateTime<Utc>,
    zone: chrono_tz::Tz,
) -> AppResult<EscalationSection> {
    let standing = &loaded.standing;
    let (awaiting_owner, may_take) = awaiting_owner(&loaded.detail.row, standing, user);
    Ok(EscalationSection {
        awaiting_owner,
        may_take,
        suggestions: loaded
            .suggestions
            .iter()
            .map(|s| SuggestionItem::of(s, zone))
            .collect(),
        level_name: standing.level.name.clone(),
        budget_note: budget_note(&loaded.detail, standing, status, now)?,
        targets: standing
            .ladder
            .levels()
            .iter()
            .filter_map(|l| {
                let label = match manual_target(&standing.level, l)? {
                    TargetKind::ExternalVendorOnly => {
                        format!("{} (stays here: external vendor only)", l.name)
                    }
                    TargetKind::NeedsApproval => format!("{} (needs a manager's approval)", l.name),
                    TargetKind::Open => l.name.clone(),
                };
                Some((l.id.to_string(), label))
            })
            .collect(),
        reasons: Reason::ALL
            .into_iter()
            .map(|r| (r.as_str().to_string(), r.label().to_string()))
            .collect(),
        history: loaded
            .history
            .iter()
            .map(|e| EscalationItem {
                when: format_time(e.at, zone),
                from: e.from.clone(),
                to: e.to.clone(),
                reason: e.reason.clone(),
                trigger: e.trigger.clone(),
                who: e.actor.clone().unwrap_or_else(|| "the system".into()),
                owner: e.owner.clone().unwrap_or_else(|| "nobody".into()),
                explanation: e.explanation.clone(),
                vendor: if e.vendor.is_empty() {
                    String::new()
                } else {
                    format!("{} (reference {})", e.vendor, e.vendor_reference)
                },
            })
            .collect(),
        approvals: loaded
            .requests
            .iter()
            .map(|a| ApprovalItem {
                kind: a.row.kind.label(),
                state: match &a.decider {
                    Some(decider) => format!("{} by {decider}", a.row.status.as_str()),
                    None => "awaiting approval".into(),
                },
                what: a.row.what.clone(),
                requester: a.requester.clone(),
                when: format_time(a.row.requested_at, zone),
                decision: a.row.decision_comment.clone(),
                acknowledged: match (&a.acknowledger, a.row.acknowledged_at) {
                    (Some(who), Some(at)) => format!(
                        "acknowledged by {who}, {}: {}",
                        format_time(at, zone),
                        a.row.acknowledgement
                    ),
                    _ => String::new(),
                },
            })
            .collect(),
        awaiting_approval: loaded
            .requests
            .iter()
            .any(|r| r.row.status == ApprovalStatus::Pending),
        decisions: loaded
            .decisions
            .iter()
            .map(|(d, offered_by)| DecisionItem {
                offered_by: offered_by.clone(),
                offered_at: format_time(d.offered_at, zone),
                offered: d.offered.clone(),
                answer: d.answer.clone(),
                answered_on: d.answered_on.map(|on| on.to_string()).unwrap_or_default(),
            })
            .collect(),
        open_offer: loaded
            .decisions
            .iter()
            .any(|(d, _)| d.answered_on.is_none()),
    })
}

fn attachment_items(attachments: &[AttachmentInfo], zone: chrono_tz::Tz) -> Vec<AttachmentItem> {
    attachments
        .iter()
        .map(|a| AttachmentItem {
            id: a.id.0,
            size: human_size(usize::try_from(a.size_bytes).unwrap_or(0)),
            when: format_time(a.created_at, zone),
            who: a.uploaded_by.clone().unwrap_or_else(|| "the system".into()),
            filename: a.filename.clone(),
        })
        .collect()
}

/// The ticket's events, oldest first, as the timeline shows them.
fn timeline(events: &[EventView], zone: chrono_tz::Tz) -> Vec<EventItem> {
    events
        .iter()
        .map(|e| EventItem {
            when: format_time(e.created_at, zone),
            when_iso: iso_time(e.created_at),
            who: e.actor_name.clone().unwrap_or_else(|| "the system".into()),
            kind: event_label(e.kind).into(),
            css: event_css(e.kind),
            client_visible: e.client_visible,
            body: e.body.clone(),
            detail: e.detail.clone(),
        })
        .collect()
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
