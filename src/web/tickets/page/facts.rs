//! What the ticket is, as its facts panel shows it: subject, people, category, identity check,
//! survey answer and attachments.

use super::Loaded;
use crate::db::attachments::{AttachmentInfo, human_size};
use crate::domain::account::Tier;
use crate::domain::ticket::Kind;
use crate::error::AppResult;
use crate::format::format_time;

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

/// The facts panel, description and solution.
pub(super) fn facts(loaded: &Loaded, zone: chrono_tz::Tz) -> AppResult<Facts> {
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

pub(super) fn attachment_items(
    attachments: &[AttachmentInfo],
    zone: chrono_tz::Tz,
) -> Vec<AttachmentItem> {
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
