//! Delivers the outbox: claims due messages in small batches (a short transaction), sends each
//! outside any transaction, and records the result. Two workers never hold the same message:
//! PostgreSQL claims with `FOR UPDATE SKIP LOCKED`, SQLite with BEGIN IMMEDIATE, and the lease
//! fences a worker that stalled past it. A worker that dies mid-batch leaves leases that the
//! reaper releases once they expire.

use super::Tally;
use crate::db;
use crate::domain::delivery::AfterFailure;
use crate::mail::outbox::{self, LEASE_SECONDS, OutboxRow};
use crate::mail::transport::{Mailer, SEND_LIMIT_SECONDS, SendError};
use crate::state::AppState;

pub const NAME: &str = "deliver_mail";

/// Counts in this sweep's `Tally`.
pub const CLAIMED: &str = "claimed";
pub const SENT: &str = "sent";
pub const RETRYING: &str = "retrying";
pub const FAILED: &str = "failed";
pub const REAPED: &str = "reaped";
/// Results a worker could not record because its lease had expired and another worker had
/// taken the message over.
pub const SUPERSEDED: &str = "superseded";

const BATCH: i64 = 10;

/// A pass ends after this many batches, so a long queue does not keep the other sweeps waiting.
const MAX_BATCHES: usize = 50;

// A whole batch must be sent well within its lease, or a slow batch would be claimed twice.
const _: () = assert!(BATCH * SEND_LIMIT_SECONDS * 2 <= LEASE_SECONDS);

#[tracing::instrument(skip_all, name = "deliver_mail")]
pub async fn run(state: &AppState, mailer: &Mailer) -> anyhow::Result<Tally> {
    let mut tally = Tally::default();
    let now = state.clock.now();
    let reaped = db::run(&state.pool, move |conn| {
        outbox::reap_expired_leases(conn, now)
    })
    .await?;
    if reaped > 0 {
        tracing::warn!(
            reaped,
            "released the claims of a worker that stopped mid-batch"
        );
    }
    tally.add(REAPED, reaped);

    for _ in 0..MAX_BATCHES {
        let now = state.clock.now();
        let batch = db::run(&state.pool, move |conn| outbox::claim_due(conn, now, BATCH)).await?;
        if batch.is_empty() {
            break;
        }
        tally.add(CLAIMED, batch.len());
        let mut server_down: Option<String> = None;
        for row in batch {
            let result = match &server_down {
                // The rest of the batch would wait for the same dead server, one timeout each.
                Some(message) => Err(SendError {
                    message: message.clone(),
                    permanent: false,
                    server_down: true,
                }),
                None => mailer.send(&row, state.clock.now()).await,
            };
            if let Err(e) = &result
                && e.server_down
            {
                server_down = Some(e.message.clone());
            }
            record(state, &row, result, &mut tally).await?;
        }
        if server_down.is_some() {
            break;
        }
    }
    Ok(tally)
}

async fn record(
    state: &AppState,
    row: &OutboxRow,
    result: Result<(), SendError>,
    tally: &mut Tally,
) -> anyhow::Result<()> {
    let (id, attempt) = (row.id(), row.attempts);
    let now = state.clock.now();
    match result {
        Ok(()) => {
            let recorded = db::run(&state.pool, move |conn| {
                outbox::mark_sent(conn, id, attempt, now)
            })
            .await?;
            if recorded {
                tracing::debug!(outbox_id = %id, attempt, "mail sent");
                tally.add(SENT, 1);
            } else {
                tracing::warn!(outbox_id = %id, attempt, "mail sent after its claim expired");
                tally.add(SUPERSEDED, 1);
            }
        }
        Err(e) => {
            let error = e.message.clone();
            let next = db::run(&state.pool, move |conn| {
                outbox::mark_attempt_failed(conn, id, attempt, &error, e.permanent, now)
            })
            .await?;
            match next {
                Some(AfterFailure::RetryAt(when)) => {
                    tracing::warn!(outbox_id = %id, attempt, retry_at = %when, error = %e.message, "mail not sent; will retry");
                    tally.add(RETRYING, 1);
                }
                Some(AfterFailure::GiveUp) => {
                    tracing::error!(outbox_id = %id, attempt, error = %e.message, to = %row.to_address, "mail failed for good; an admin can retry it from the outbox page");
                    tally.add(FAILED, 1);
                }
                None => {
                    tracing::warn!(outbox_id = %id, attempt, "mail attempt ended after its claim expired");
                    tally.add(SUPERSEDED, 1);
                }
            }
        }
    }
    Ok(())
}
