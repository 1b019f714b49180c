//! Editing the logged problem ticket (subject, description, business impact, client, team,
//! owner, impact and urgency…): version-guarded, the priority recomputed from the matrix, and
//! every changed field written to the problem's trail as before → after.

use chrono::Utc;
use chrono::{DateTime, NaiveDateTime};
use diesel::prelude::*;

use super::row::{ProblemRow, get_at_version, kind, log, require_driver, stale};
use crate::db::outcome::{Outcome, refuse};
use crate::db::schema::{categories, clients, problems};
use crate::db::service_levels::load_matrix;
use crate::db::users::{self, UserRow};
use crate::db::{DbConn, write_tx};
use crate::domain::ids::UserId;
use crate::domain::priority::{Impact, Urgency};
use crate::domain::problem::{self, ProblemId};
use crate::error::AppResult;

/// The problem ticket's own fields as the edit form sends them (parsed).
#[derive(Clone, Debug)]
pub struct ProblemEdit {
    pub subject: String,
    pub description: String,
    pub business_impact: String,
    pub symptoms: String,
    pub service_details: String,
    pub equipment_details: String,
    pub previous_fixes: String,
    pub occurred_at: Option<NaiveDateTime>,
    pub client_id: Option<i64>,
    pub category_id: Option<i64>,
    pub team: String,
    pub owner: UserId,
    pub impact: Impact,
    pub urgency: Urgency,
}

/// One trail line per changed field: short values inline, long text in the line's body.
struct Trail(Vec<(String, String)>);

impl Trail {
    fn value(&mut self, what: &str, before: &str, after: &str) {
        if before != after {
            let show = |v: &str| {
                if v.is_empty() {
                    "(none)".to_string()
                } else {
                    v.to_string()
                }
            };
            self.0.push((
                format!("{what}: {} → {}", show(before), show(after)),
                String::new(),
            ));
        }
    }

    fn text(&mut self, what: &str, before: &str, after: &str) {
        if before != after {
            self.0.push((
                format!("{what} edited"),
                format!("Before:\n{before}\n\nAfter:\n{after}"),
            ));
        }
    }
}

fn client_name(conn: &mut DbConn, id: Option<i64>) -> AppResult<String> {
    Ok(match id {
        Some(c) => clients::table.find(c).select(clients::name).first(conn)?,
        None => String::new(),
    })
}

fn category_name(conn: &mut DbConn, id: Option<i64>) -> AppResult<String> {
    Ok(match id {
        Some(c) => categories::table
            .find(c)
            .select(categories::name)
            .first(conn)?,
        None => String::new(),
    })
}

/// Saves the edit made from `version`; someone having saved the problem since is a conflict.
#[tracing::instrument(skip_all, fields(problem_id = %id))]
pub fn update(
    conn: &mut DbConn,
    actor: &UserRow,
    id: ProblemId,
    version: i64,
    input: &ProblemEdit,
    now: DateTime<Utc>,
) -> Outcome<ProblemRow> {
    require_driver(actor)?;
    write_tx(conn, |conn| {
        let before = get_at_version(conn, id, version)?;
        if !before.status.is_active() {
            return refuse("subject", "A closed problem's record is kept as it was.");
        }
        let Some(owner) = users::find(conn, input.owner)? else {
            return refuse("owner_id", "Choose the problem's owner from the list.");
        };
        if owner.id != before.owner_id
            && let Err(message) = problem::check_owner(owner.role(), owner.tier(), owner.active)
        {
            return refuse("owner_id", message);
        }
        let priority = load_matrix(conn)?.priority(input.impact, input.urgency);
        let at = now.naive_utc();
        let after = diesel::update(
            problems::table
                .find(id.0)
                .filter(problems::version.eq(version)),
        )
        .set((
            problems::subject.eq(&input.subject),
            problems::description.eq(&input.description),
            problems::business_impact.eq(&input.business_impact),
            problems::symptoms.eq(&input.symptoms),
            problems::service_details.eq(&input.service_details),
            problems::equipment_details.eq(&input.equipment_details),
            problems::previous_fixes.eq(&input.previous_fixes),
            problems::occurred_at.eq(input.occurred_at),
            problems::client_id.eq(input.client_id),
            problems::category_id.eq(input.category_id),
            problems::team.eq(&input.team),
            problems::owner_id.eq(owner.id),
            problems::impact.eq(input.impact.as_str()),
            problems::urgency.eq(input.urgency.as_str()),
            problems::priority.eq(priority.as_str()),
            problems::version.eq(version + 1),
            problems::updated_at.eq(at),
        ))
        .returning(problems::all_columns)
        .get_result::<ProblemRow>(conn)
        .optional()?
        .ok_or_else(stale)?;
        let names = users::names(conn, &[Some(before.owner_id), Some(owner.id)])?;
        let name = |u: i64| names.of(Some(u)).unwrap_or_default().to_string();
        let stamp = |t: Option<NaiveDateTime>| {
            t.map(|t| format!("{} UTC", t.format("%Y-%m-%d %H:%M")))
                .unwrap_or_default()
        };
        let mut trail = Trail(Vec::new());
        trail.value("subject", &before.subject, &after.subject);
        trail.text("description", &before.description, &after.description);
        trail.text(
            "impact on the business",
            &before.business_impact,
            &after.business_impact,
        );
        trail.text("symptoms", &before.symptoms, &after.symptoms);
        trail.text(
            "service details",
            &before.service_details,
            &after.service_details,
        );
        trail.text(
            "equipment details",
            &before.equipment_details,
            &after.equipment_details,
        );
        trail.text(
            "previous fixes",
            &before.previous_fixes,
            &after.previous_fixes,
        );
        trail.value(
            "occurred",
            &stamp(before.occurred_at),
            &stamp(after.occurred_at),
        );
        trail.value(
            "client",
            &client_name(conn, before.client_id)?,
            &client_name(conn, after.client_id)?,
        );
        trail.value(
            "category",
            &category_name(conn, before.category_id)?,
            &category_name(conn, after.category_id)?,
        );
        trail.value("IT team", &before.team, &after.team);
        trail.value("owner", &name(before.owner_id), &name(after.owner_id));
        trail.value("impact", before.impact.label(), after.impact.label());
        trail.value("urgency", before.urgency.label(), after.urgency.label());
        trail.value("priority", before.priority.label(), after.priority.label());
        for (detail, body) in trail.0 {
            log(conn, id, Some(actor.id()), kind::EDIT, &body, &detail, at)?;
        }
        Ok(Ok(after))
    })
}
