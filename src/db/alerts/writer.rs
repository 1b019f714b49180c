//! The alert writer. A monitoring tool sends alerts in bursts, and one transaction per alert
//! spends most of its time on the transaction itself (on PostgreSQL a WAL flush each, on SQLite
//! a turn each). Here the requests hand their alerts to writer threads, and each writer takes
//! every alert waiting for it, up to `BATCH`, into one transaction.
//!
//! A dedup key always goes to the same writer, so two writers never wait for each other's
//! key locks (a batch holds its keys' locks until it commits) and a key's alerts stay in order.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::{Arrival, Ingested, ingest_all};
use crate::db::Pool;
use crate::error::{AppError, AppResult};
use crate::mail::messages::MailContext;

const WRITERS: usize = 4;
const BATCH: usize = 64;
/// Alerts waiting for one writer beyond this make the requests wait to hand theirs over, so a
/// flood slows its senders instead of growing the queue without bound.
const QUEUE: usize = 256;

struct Job {
    arrival: Arrival,
    reply: oneshot::Sender<AppResult<Ingested>>,
}

/// Hands alerts to the writer threads; cloned into every request. The threads end when the
/// last clone is dropped.
#[derive(Clone)]
pub struct AlertWriter {
    queues: Arc<[mpsc::Sender<Job>]>,
}

impl AlertWriter {
    pub fn start(pool: &Pool, mail: &MailContext) -> AppResult<Self> {
        let mut queues = Vec::with_capacity(WRITERS);
        for n in 0..WRITERS {
            let (queue, receiver) = mpsc::channel(QUEUE);
            let (pool, mail) = (pool.clone(), mail.clone());
            std::thread::Builder::new()
                .name(format!("alert-writer-{n}"))
                .spawn(move || write_batches(&pool, &mail, receiver))
                .map_err(AppError::internal)?;
            queues.push(queue);
        }
        Ok(Self {
            queues: queues.into(),
        })
    }

    /// Stores and applies the alert; answers once its transaction has committed.
    pub async fn write(&self, arrival: Arrival) -> AppResult<Ingested> {
        let mut hasher = DefaultHasher::new();
        arrival.input.dedup_key.hash(&mut hasher);
        let writer = (hasher.finish() % self.queues.len() as u64) as usize;
        let (reply, answer) = oneshot::channel();
        self.queues[writer]
            .send(Job { arrival, reply })
            .await
            .map_err(|_| AppError::internal("the alert writers have stopped"))?;
        answer
            .await
            .map_err(|_| AppError::internal("an alert writer stopped before answering"))?
    }
}

fn write_batches(pool: &Pool, mail: &MailContext, mut receiver: mpsc::Receiver<Job>) {
    while let Some(jobs) = next_batch(&mut receiver) {
        let (arrivals, replies): (Vec<Arrival>, Vec<_>) =
            jobs.into_iter().map(|j| (j.arrival, j.reply)).unzip();
        let answers = match pool.get() {
            Ok(mut conn) => ingest_all(&mut conn, &arrivals, mail),
            Err(e) => {
                let why = format!("database connection: {e}");
                arrivals
                    .iter()
                    .map(|_| Err(AppError::Unavailable(why.clone())))
                    .collect()
            }
        };
        for (reply, answer) in replies.into_iter().zip(answers) {
            // A request that went away (its client hung up) no longer waits for the answer;
            // its alert is stored all the same.
            let _ = reply.send(answer);
        }
    }
}

/// Waits for one alert, then takes those already waiting behind it. `None` once every
/// sender is gone.
fn next_batch(receiver: &mut mpsc::Receiver<Job>) -> Option<Vec<Job>> {
    let mut jobs = vec![receiver.blocking_recv()?];
    while jobs.len() < BATCH {
        match receiver.try_recv() {
            Ok(job) => jobs.push(job),
            Err(_) => break,
        }
    }
    Some(jobs)
}
