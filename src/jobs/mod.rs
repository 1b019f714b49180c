//! Background work: periodic sweeps that each do what has come due (auto-close solved tickets,
//! escalate on time triggers, deliver queued mail). Every instance runs them; sweeps claim
//! their rows in the database, so several instances never do the same work twice.
//!
//! Adding a sweep: a module with `pub async fn run(state: &AppState) -> anyhow::Result<Tally>`
//! that takes `now` from `state.clock`, and one line in `SWEEPS`.

pub mod auto_close;
pub mod deliver_mail;
pub mod escalate;
pub mod problems;
pub mod receive_mail;
pub mod report_minutes;
pub mod risks;
pub mod statistics;

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::Mutex;
use tokio::time::MissedTickBehavior;

use crate::mail::transport::Mailer;
use crate::state::AppState;

type SweepFuture<'a> = Pin<Box<dyn Future<Output = anyhow::Result<Tally>> + Send + 'a>>;

struct Sweep {
    name: &'static str,
    run: for<'a> fn(&'a Jobs) -> SweepFuture<'a>,
}

/// Every sweep, in the order each pass runs them. Mail delivery stays last, so mail queued by
/// the sweeps before it leaves in the same pass.
const SWEEPS: &[Sweep] = &[
    Sweep {
        name: receive_mail::NAME,
        run: |jobs| Box::pin(receive_mail::run(&jobs.state)),
    },
    Sweep {
        name: auto_close::NAME,
        run: |jobs| Box::pin(auto_close::run(&jobs.state)),
    },
    Sweep {
        name: escalate::NAME,
        run: |jobs| Box::pin(escalate::run(&jobs.state)),
    },
    Sweep {
        name: problems::NAME,
        run: |jobs| Box::pin(problems::run(&jobs.state)),
    },
    Sweep {
        name: risks::NAME,
        run: |jobs| Box::pin(risks::run(&jobs.state)),
    },
    Sweep {
        name: report_minutes::NAME,
        run: |jobs| Box::pin(report_minutes::run(&jobs.state)),
    },
    Sweep {
        name: statistics::NAME,
        run: |jobs| Box::pin(statistics::run(&jobs.state, &jobs.statistics_checked)),
    },
    Sweep {
        name: deliver_mail::NAME,
        run: |jobs| Box::pin(deliver_mail::run(&jobs.state, &jobs.mailer)),
    },
];

/// What the background work of one instance holds: the state it shares with the web handlers,
/// and the mailer, which only the delivery sweep reaches (the handlers never see a `Jobs`, so
/// no request can send mail itself).
pub struct Jobs {
    state: AppState,
    mailer: Mailer,
    /// One pass at a time in this process: the periodic loop and `run_once` callers (tests,
    /// the command line) wait for each other, so a finished `run_once` leaves no work of this
    /// process in flight.
    pass: Mutex<()>,
    /// When this process last checked SQLite's statistics: at start-up, the moment it built
    /// its `Jobs`.
    statistics_checked: std::sync::Mutex<Option<chrono::DateTime<chrono::Utc>>>,
}

impl Jobs {
    pub fn new(state: AppState, mailer: Mailer) -> Self {
        let started = state.clock.now();
        Self {
            state,
            mailer,
            pass: Mutex::new(()),
            statistics_checked: std::sync::Mutex::new(Some(started)),
        }
    }
}

/// Named counts of what a sweep did, e.g. `sent=3 retrying=1`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally(BTreeMap<&'static str, usize>);

impl Tally {
    pub fn add(&mut self, what: &'static str, n: usize) {
        if n > 0 {
            *self.0.entry(what).or_default() += n;
        }
    }

    pub fn get(&self, what: &str) -> usize {
        self.0.get(what).copied().unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (what, n) in &self.0 {
            if !first {
                f.write_str(" ")?;
            }
            write!(f, "{what}={n}")?;
            first = false;
        }
        Ok(())
    }
}

/// What one pass of every sweep did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JobReport {
    pub sweeps: Vec<(&'static str, Tally)>,
}

impl JobReport {
    /// One count of one sweep, e.g. `report.get(deliver_mail::NAME, deliver_mail::SENT)`.
    pub fn get(&self, sweep: &str, what: &str) -> usize {
        self.sweeps
            .iter()
            .filter(|(name, _)| *name == sweep)
            .map(|(_, tally)| tally.get(what))
            .sum()
    }

    pub fn is_idle(&self) -> bool {
        self.sweeps.iter().all(|(_, tally)| tally.is_empty())
    }
}

impl fmt::Display for JobReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (name, tally) in self.sweeps.iter().filter(|(_, t)| !t.is_empty()) {
            if !first {
                f.write_str("; ")?;
            }
            write!(f, "{name}: {tally}")?;
            first = false;
        }
        Ok(())
    }
}

/// Runs every sweep once. A failing sweep does not stop the others; the failures come back
/// together as the error (logged by the caller, once).
#[tracing::instrument(skip_all, name = "jobs")]
pub async fn run_once(jobs: &Jobs) -> anyhow::Result<JobReport> {
    let _pass = jobs.pass.lock().await;
    let mut report = JobReport::default();
    let mut failures = Vec::new();
    for sweep in SWEEPS {
        match (sweep.run)(jobs).await {
            Ok(tally) => report.sweeps.push((sweep.name, tally)),
            Err(e) => failures.push(format!("{}: {e:#}", sweep.name)),
        }
    }
    if failures.is_empty() {
        Ok(report)
    } else {
        Err(anyhow::anyhow!("{}", failures.join("; ")))
    }
}

/// Starts the periodic loop, every JOBS_INTERVAL_SECONDS, unless that is 0 (an instance that
/// serves pages only; tests drain with `run_once` instead).
pub fn spawn(jobs: Arc<Jobs>) {
    let Some(every) = jobs.state.config.jobs_interval else {
        tracing::info!("background jobs are off on this instance (JOBS_INTERVAL_SECONDS=0)");
        return;
    };
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        // A pass that overruns its tick is followed by a full interval, not by a burst.
        ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match run_once(&jobs).await {
                Ok(report) if report.is_idle() => {}
                Ok(report) => tracing::info!(%report, "background jobs"),
                Err(e) => tracing::error!(error = %e, "background jobs failed"),
            }
        }
    });
}
