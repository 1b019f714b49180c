//! The ticket page: facts, clocks, timeline, escalation section and every form, read in one
//! go and shown to one viewer.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::forms::{
    AssignForm, CancelForm, ChangeForm, DecisionForm, EscalateForm, FormKey, PageForms, ReopenForm,
    SolveForm, TriageForm, WorkForm,
};
use super::queue::category_options;
use super::sla::{ClockView, budget_note, clocks};
use crate::db::escalation;
use crate::db::tickets::{self, Entry};
use crate::db::{self};
use crate::domain::account::Tier;
use crate::domain::assignment::{self, Candidate};
use crate::domain::escalation::{Reason, TargetKind, manual_target};
use crate::domain::ids::{CategoryId, TicketId};
use crate::domain::inputs::FieldErrors;
use crate::domain::priority::{Impact, Priority, Urgency};
use crate::domain::ticket::{self, Action, Channel};
use crate::error::AppResult;
use crate::web::AppState;
use crate::web::extract::CurrentUser;
use crate::web::page::{Ctx, format_time, render};

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
}

#[derive(Template)]
#[template(path = "tickets/show.html")]
pub(super) struct TicketPage {
    ctx: Ctx,
    id: i64,
    subject: String,
    description: String,
    kind: &'static str,
    status_label: &'static str,
    priority: String,
    priority_label: &'static str,
    impact: String,
    urgency: String,
    client_id: i64,
    client_name: String,
    client_code: String,
    contact_name: String,
    contact_email: String,
    contact_phone: String,
    channel: &'static str,
    identity: &'static str,
    identity_ok: bool,
    owner: String,
    worker: String,
    tier: &'static str,
    category: String,
    affected_service: String,
    created: String,
    solution: Option<String>,
    reopen_count: i32,
    duplicate_of: Option<i64>,
    survey: Option<SurveyView>,
    viewer_is_manager: bool,
    attachments: Vec<AttachmentItem>,
    clocks: [ClockView; 2],
    events: Vec<EventItem>,
    priorities: [Priority; 3],
    is_owner: bool,
    is_open: bool,
    can_reopen: bool,
    next_options: Vec<(String, String)>,
    entries: [Entry; 3],
    impacts: [Impact; 3],
    urgencies: [Urgency; 3],
    tiers: [Tier; 4],
    categories: Vec<(String, String)>,
    top_categories: Vec<(String, String)>,
    candidates: Vec<CandidateRow>,
    suggested_tier: String,
    errors: FieldErrors,
    no_errors: FieldErrors,
    form_with_errors: FormKey,
    triage: TriageForm,
    assign: AssignForm,
    work: WorkForm,
    solve: SolveForm,
    cancel: CancelForm,
    reopen: ReopenForm,
    escalate: EscalateForm,
    change: ChangeForm,
    decision: DecisionForm,
    decisions: Vec<DecisionItem>,
    open_offer: bool,
    level_name: String,
    budget_note: Option<String>,
    escalation_targets: Vec<(String, String)>,
    reasons: Vec<(String, String)>,
    escalations: Vec<EscalationItem>,
    approvals: Vec<ApprovalItem>,
    awaiting_approval: bool,
}

impl TicketPage {
    /// The errors of one form of the page (the others show none).
    fn errors_for(&self, form: &str) -> &FieldErrors {
        let key = match form {
            "triage" => FormKey::Triage,
            "assign" => FormKey::Assign,
            "work" => FormKey::Work,
            "solve" => FormKey::Solve,
            "cancel" => FormKey::Cancel,
            "reopen" => FormKey::Reopen,
            "attach" => FormKey::Attach,
            "escalate" => FormKey::Escalate,
            "change" => FormKey::Change,
            "decision" => FormKey::Decision,
            _ => FormKey::None,
        };
        if key == self.form_with_errors {
            &self.errors
        } else {
            &self.no_errors
        }
    }
}

fn event_css(kind: &str) -> &'static str {
    match kind {
        "reply" | "call" => "event event-client",
        "note" => "event event-note",
        "solution" => "event event-solution",
        _ => "event event-system",
    }
}

fn event_label(kind: &str) -> String {
    match kind {
        "created" => "Recorded".into(),
        "note" => "Internal note".into(),
        "reply" => "Reply to the client".into(),
        "call" => "Call with the client".into(),
        "triage" => "Triage".into(),
        "assignment" => "Assignment".into(),
        "status" => "Status".into(),
        "solution" => "Solution".into(),
        "reopen" => "Reopened".into(),
        "closed" => "Closed".into(),
        "attachment" => "Attachment".into(),
        "survey" => "Survey".into(),
        "escalation" => "Escalation".into(),
        "approval" => "Approval".into(),
        "decision" => "Decision point".into(),
        other => other.to_string(),
    }
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
    let (
        detail,
        categories,
        facts,
        (survey, attachments),
        (standing, history, requests, decisions),
    ) = db::run(&state.pool, move |conn| {
        let detail = tickets::detail(conn, id)?;
        let category = detail.row.category_id.map(CategoryId);
        let standing = escalation::standing(conn, &detail.row)?;
        let history = escalation::history(conn, &standing.ladder, id)?;
        let requests = escalation::of_ticket(conn, id)?;
        let decisions = escalation::decisions_of(conn, id)?;
        Ok((
            detail,
            tickets::list_categories(conn)?,
            tickets::assignment_candidates(conn, category, now)?,
            (
                db::surveys::for_ticket(conn, id)?,
                tickets::attachments_of(conn, id)?,
            ),
            (standing, history, requests, decisions),
        ))
    })
    .await?;
    let zone = user.zone();
    let row = &detail.row;
    let status = row.status()?;
    let priority = row.priority()?;
    let identity = row.identity()?;
    let name = |id: Option<i64>| id.and_then(|i| detail.names.get(&i).cloned());
    let category_name = |id: Option<i64>| id.and_then(|i| detail.categories.get(&i).cloned());
    let category = match (
        category_name(row.category_id),
        category_name(row.subcategory_id),
    ) {
        (Some(m), Some(s)) => format!("{m} › {s}"),
        (Some(m), None) => m,
        _ => "not triaged".into(),
    };
    let (response, resolution) = clocks(&detail, now, zone)?;
    let common = categories
        .iter()
        .find(|c| Some(c.id) == row.subcategory_id.or(row.category_id))
        .is_some_and(|c| c.common_low_complexity);
    let wanted_tier = row
        .tier
        .as_deref()
        .and_then(|t| Tier::parse(t).ok())
        .unwrap_or_else(|| assignment::default_tier(priority, common));
    let ranked = assignment::rank(
        facts
            .into_iter()
            .map(|f| Candidate {
                user: f.user.id(),
                name: f.user.display_name.clone(),
                tier: f.user.tier(),
                is_manager: f.user.role().is_manager(),
                solved_in_category: u32::try_from(f.solved_in_category).unwrap_or(u32::MAX),
                open_tickets: u32::try_from(f.open_tickets).unwrap_or(u32::MAX),
                away: f.user.away,
                may_work_for_client: true,
            })
            .collect(),
        wanted_tier,
        category_name(row.category_id).as_deref(),
    );
    let next_options = ticket::available_actions(status)
        .into_iter()
        .filter(|a| matches!(a, Action::StartWork | Action::Pend(_) | Action::Resume))
        .map(|a| (a.as_str().to_string(), a.label().to_string()))
        .collect();
    let version = row.version;
    let defaults = PageForms {
        triage: TriageForm {
            version: version.to_string(),
            impact: row.impact.clone(),
            urgency: row.urgency.clone(),
            category_id: row.category_id.map(|c| c.to_string()).unwrap_or_default(),
            subcategory_id: row
                .subcategory_id
                .map(|c| c.to_string())
                .unwrap_or_default(),
            affected_service: row.affected_service.clone(),
        },
        assign: AssignForm {
            version: version.to_string(),
            tier: wanted_tier.as_str().into(),
            owner_id: row
                .owner_id
                .map(|o| o.to_string())
                .unwrap_or_else(|| user.row.id.to_string()),
            worker_id: row
                .worker_id
                .map(|o| o.to_string())
                .unwrap_or_else(|| user.row.id.to_string()),
        },
        work: WorkForm {
            version: version.to_string(),
            entry: Entry::Note.as_str().into(),
            category_id: row.category_id.map(|c| c.to_string()).unwrap_or_default(),
            ..WorkForm::default()
        },
        solve: SolveForm {
            version: version.to_string(),
            kb_title: row.subject.clone(),
            ..SolveForm::default()
        },
        cancel: CancelForm {
            version: version.to_string(),
            ..CancelForm::default()
        },
        reopen: ReopenForm {
            version: version.to_string(),
            ..ReopenForm::default()
        },
        escalate: EscalateForm {
            version: version.to_string(),
            to_level_id: standing
                .ladder
                .above(&standing.level)
                .first()
                .map(|l| l.id.to_string())
                .unwrap_or_default(),
            owner_id: row
                .owner_id
                .map(|o| o.to_string())
                .unwrap_or_else(|| user.row.id.to_string()),
            ..EscalateForm::default()
        },
        change: ChangeForm {
            version: version.to_string(),
            ..ChangeForm::default()
        },
        decision: DecisionForm {
            version: version.to_string(),
            ..DecisionForm::default()
        },
    };
    let open_offer = decisions.iter().any(|(d, _)| d.answered_on.is_none());
    let budget_note = budget_note(&detail, &standing, status, now)?;
    let awaiting_approval = requests
        .iter()
        .any(|r| r.row.status == escalation::Decision::Pending.as_str());
    let forms = forms.merged_over(defaults, form_with_errors);
    Ok(TicketPage {
        ctx: user.ctx(),
        id: row.id,
        subject: row.subject.clone(),
        description: row.description.clone(),
        kind: row.kind()?.label(),
        status_label: status.label(),
        priority: priority.as_str().into(),
        priority_label: priority.label(),
        impact: row.impact.clone(),
        urgency: row.urgency.clone(),
        client_id: detail.client.id,
        client_name: detail.client.name.clone(),
        client_code: detail.client.code.clone(),
        contact_name: detail.contact.name.clone(),
        contact_email: detail.contact.email.clone(),
        contact_phone: detail.contact.phone.clone(),
        channel: Channel::parse(&row.channel)
            .map(Channel::label)
            .unwrap_or(""),
        identity: identity.label(),
        identity_ok: identity.is_validated(),
        owner: name(row.owner_id).unwrap_or_else(|| "nobody yet".into()),
        worker: name(row.worker_id).unwrap_or_else(|| "nobody yet".into()),
        tier: row
            .tier
            .as_deref()
            .and_then(|t| Tier::parse(t).ok())
            .map(Tier::label)
            .unwrap_or("not assigned"),
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
        viewer_is_manager: user.row.role().is_manager(),
        attachments: attachments
            .into_iter()
            .map(|a| AttachmentItem {
                id: a.id,
                size: tickets::human_size(usize::try_from(a.size_bytes).unwrap_or(0)),
                when: format_time(a.created_at, zone),
                who: a.uploaded_by.unwrap_or_else(|| "the system".into()),
                filename: a.filename,
            })
            .collect(),
        survey: survey.map(|s| SurveyView {
            answer: match (s.rating(), s.answered_at) {
                (Some(r), _) => format!("{r} of 5 · {}", crate::domain::survey::label(r)),
                (None, Some(_)) => "commented without a rating".into(),
                (None, None) => format!("sent {}, not answered yet", format_time(s.sent_at, zone)),
            },
            needs_follow_up: s.flagged && s.followed_up_at.is_none(),
            comment: s.comment,
        }),
        clocks: [response, resolution],
        priorities: Priority::ALL,
        events: detail
            .events
            .iter()
            .map(|e| EventItem {
                when: format_time(e.created_at, zone),
                who: e.actor_name.clone().unwrap_or_else(|| "the system".into()),
                kind: event_label(&e.kind),
                css: event_css(&e.kind),
                client_visible: e.client_visible,
                body: e.body.clone(),
                detail: e.detail.clone(),
            })
            .collect(),
        is_owner: row.owner_id == Some(user.row.id),
        is_open: status.is_open(),
        can_reopen: ticket::next_status(status, Action::Reopen).is_ok(),
        next_options,
        entries: Entry::ALL,
        impacts: Impact::ALL,
        urgencies: Urgency::ALL,
        tiers: Tier::ALL,
        top_categories: categories
            .iter()
            .filter(|c| c.parent_id.is_none() && c.active)
            .map(|c| (c.id.to_string(), c.name.clone()))
            .collect(),
        categories: category_options(&categories),
        candidates: ranked
            .into_iter()
            .map(|r| CandidateRow {
                id: r.candidate.user.0,
                name: r.candidate.name,
                eligible: r.eligible,
                reasons: r.reasons.join("; "),
            })
            .collect(),
        suggested_tier: wanted_tier.label().into(),
        errors,
        no_errors: FieldErrors::new(),
        form_with_errors,
        triage: forms.triage,
        assign: forms.assign,
        work: forms.work,
        solve: forms.solve,
        cancel: forms.cancel,
        reopen: forms.reopen,
        escalate: forms.escalate,
        change: forms.change,
        decision: forms.decision,
        decisions: decisions
            .into_iter()
            .map(|(d, offered_by)| DecisionItem {
                offered_by,
                offered_at: format_time(d.offered_at, zone),
                offered: d.offered,
                answer: d.answer,
                answered_on: d.answered_on.map(|on| on.to_string()).unwrap_or_default(),
            })
            .collect(),
        open_offer,
        level_name: standing.level.name.clone(),
        budget_note,
        escalation_targets: standing
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
        escalations: history
            .into_iter()
            .map(|e| EscalationItem {
                when: format_time(e.at, zone),
                from: e.from,
                to: e.to,
                reason: e.reason,
                trigger: e.trigger,
                who: e.actor.unwrap_or_else(|| "the system".into()),
                owner: e.owner.unwrap_or_else(|| "nobody".into()),
                explanation: e.explanation,
                vendor: if e.vendor.is_empty() {
                    String::new()
                } else {
                    format!("{} (reference {})", e.vendor, e.vendor_reference)
                },
            })
            .collect(),
        approvals: requests
            .into_iter()
            .map(|a| ApprovalItem {
                kind: a.row.kind().map(|k| k.label()).unwrap_or("Request"),
                state: match a.decider {
                    Some(decider) => format!("{} by {decider}", a.row.status),
                    None => "awaiting approval".into(),
                },
                what: a.row.what.clone(),
                requester: a.requester,
                when: format_time(a.row.requested_at, zone),
                decision: a.row.decision_comment.clone(),
            })
            .collect(),
        awaiting_approval,
    })
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
