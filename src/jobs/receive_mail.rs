//! Client mail in: fetches new messages from the IMAP mailbox when `IMAP_URL` is set (each one
//! stored before it is flagged on the server), then processes every stored message still
//! waiting, whichever way it came (IMAP or `tierdesk mailgate`).

use super::Tally;
use crate::db;
use crate::db::inbound::process::{InboundContext, process_due};
use crate::db::inbound::{Source, Stored};
use crate::mail::inbound::imap::fetch_new;
use crate::state::AppState;

pub const NAME: &str = "receive_mail";
pub const FETCHED: &str = "fetched";
pub const PROCESSED: &str = "processed";

pub async fn run(state: &AppState) -> anyhow::Result<Tally> {
    let mut tally = Tally::default();
    let fetched = match &state.config.imap {
        Some(settings) => {
            fetch_new(settings, |message| {
                let pool = state.pool.clone();
                let now = state.clock.now();
                async move {
                    let stored = db::run(&pool, move |conn| {
                        db::inbound::store(conn, &message.raw, Source::Imap, now)
                    })
                    .await?;
                    if let Stored::Again(id) = stored {
                        tracing::info!(
                            inbound_id = id,
                            uid = message.uid,
                            "IMAP message already held"
                        );
                    }
                    Ok(())
                }
            })
            .await
        }
        None => Ok(0),
    };
    if let Ok(n) = &fetched {
        tally.add(FETCHED, *n);
    }
    // Messages stored earlier (by mailgate, or before a failed fetch) are processed whatever
    // the mailbox did this time.
    let ctx = InboundContext::from_config(&state.config);
    let now = state.clock.now();
    let processed = db::run(&state.pool, move |conn| process_due(conn, &ctx, now)).await?;
    tally.add(PROCESSED, processed);
    fetched.map_err(|e| anyhow::anyhow!("IMAP: {e:#}"))?;
    Ok(tally)
}
