//! The priority matrix: impact × urgency → priority, as an admin edits it.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::priority_matrix;
use crate::db::{DbConn, audit, write_tx};
use crate::domain::ids::UserId;
use crate::domain::priority::{Impact, Priority, PriorityMatrix, Urgency};
use crate::error::{AppError, AppResult};

pub fn load_matrix(conn: &mut DbConn) -> AppResult<PriorityMatrix> {
    let rows: Vec<(String, String, String)> = priority_matrix::table
        .select((
            priority_matrix::impact,
            priority_matrix::urgency,
            priority_matrix::priority,
        ))
        .load(conn)?;
    let mut matrix = PriorityMatrix::blueprint_default();
    for (impact, urgency, priority) in rows {
        let (Ok(impact), Ok(urgency), Ok(priority)) = (
            Impact::parse(&impact),
            Urgency::parse(&urgency),
            Priority::parse(&priority),
        ) else {
            return Err(AppError::internal(format!(
                "priority matrix cell {impact}/{urgency} = {priority} is unreadable"
            )));
        };
        matrix = matrix.with(impact, urgency, priority);
    }
    Ok(matrix)
}

pub fn save_matrix(
    conn: &mut DbConn,
    actor: UserId,
    matrix: &PriorityMatrix,
    now: DateTime<Utc>,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let before = load_matrix(conn)?;
        diesel::delete(priority_matrix::table).execute(conn)?;
        let mut changes = Vec::new();
        for (impact, urgency, priority) in matrix.cells() {
            diesel::insert_into(priority_matrix::table)
                .values((
                    priority_matrix::impact.eq(impact.as_str()),
                    priority_matrix::urgency.eq(urgency.as_str()),
                    priority_matrix::priority.eq(priority.as_str()),
                ))
                .execute(conn)?;
            let old = before.priority(impact, urgency);
            if old != priority {
                changes.push(format!(
                    "{} impact × {} urgency: {} → {}",
                    impact.as_str(),
                    urgency.as_str(),
                    old.as_str(),
                    priority.as_str()
                ));
            }
        }
        if !changes.is_empty() {
            audit::record(
                conn,
                Some(actor),
                audit::Entity::PriorityMatrix,
                0,
                "updated",
                &changes.join("; "),
                now.naive_utc(),
            )?;
        }
        Ok(())
    })
}
