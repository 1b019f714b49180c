//! The ticket page's assignment section: the tier the ticket wants and the staff ranked for it.

use chrono::{DateTime, Utc};

use super::Loaded;
use crate::domain::account::Tier;
use crate::domain::assignment;
use crate::error::AppResult;
use crate::web::tickets::people;

pub struct CandidateRow {
    pub id: i64,
    pub name: String,
    pub eligible: bool,
    pub reasons: String,
}

/// The tier the ticket wants and the staff ranked for it, best first.
pub(super) fn assignment_section(
    loaded: &Loaded,
    now: DateTime<Utc>,
) -> AppResult<(Tier, Vec<CandidateRow>)> {
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
