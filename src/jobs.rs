//! Background jobs. Each job is a [`Job`]: `run_once(now)` does what is due at `now` and says
//! when it next wants to run, so tests step it with any clock. [`spawn`] runs it in a loop that
//! sleeps until that instant, wakes early on a notify (new work was committed), and stops on
//! shutdown without abandoning work in progress. Jobs are spawned once at start, never from the
//! READY handler (which fires again on every reconnect).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

use futures::FutureExt;

use crate::clock::Clock;
use crate::health::Health;

/// The longest a job sleeps without looking again (a safety net for a missed wake-up).
pub const IDLE_POLL: Duration = Duration::from_secs(30);

#[async_trait::async_trait]
pub trait Job: Send + Sync + 'static {
    fn name(&self) -> &'static str;

    /// Called once before the first run (e.g. to release work claimed by a crashed process).
    async fn recover(&self) -> anyhow::Result<()> {
        Ok(())
    }

    /// Does one unit of due work. Returns the next instant it wants to run: `Some(now)` or
    /// earlier means "again right away", `None` means "nothing scheduled, wait for a wake-up".
    async fn run_once(&self, now: DateTime<Utc>) -> anyhow::Result<Option<DateTime<Utc>>>;

    /// Called once when the loop ends for a shutdown: lets work the job started in the
    /// background finish (the app bounds how long a stop may take).
    async fn finish(&self) {}
}

/// A boxed job is a job: the app keeps its jobs in one list.
#[async_trait::async_trait]
impl Job for Box<dyn Job> {
    fn name(&self) -> &'static str {
        self.as_ref().name()
    }

    async fn recover(&self) -> anyhow::Result<()> {
        self.as_ref().recover().await
    }

    async fn run_once(&self, now: DateTime<Utc>) -> anyhow::Result<Option<DateTime<Utc>>> {
        self.as_ref().run_once(now).await
    }

    async fn finish(&self) {
        self.as_ref().finish().await
    }
}

/// How long to sleep before `next` (clamped to [0, IDLE_POLL]).
pub fn sleep_for(now: DateTime<Utc>, next: Option<DateTime<Utc>>) -> Duration {
    match next {
        Some(at) => (at - now).to_std().unwrap_or(Duration::ZERO).min(IDLE_POLL),
        None => IDLE_POLL,
    }
}

/// After a panic, the first pause before the job runs again; it doubles per panic in a row.
const PANIC_BACKOFF: Duration = Duration::from_secs(1);
const PANIC_BACKOFF_MAX: Duration = Duration::from_secs(60);

/// The text of a panic payload.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-text panic".into())
}

/// Runs `job` until `shutdown` becomes true. A run that panics is logged, counted in `health`,
/// and the job runs again after a backoff: a bug in one run never silently ends the job.
pub fn spawn(
    job: impl Job,
    clock: Arc<dyn Clock>,
    wake: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
    health: Health,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let name = job.name();
        health.job_started(name);
        if let Err(e) = job.recover().await {
            tracing::error!(job = name, error = ?e, "job recovery failed");
        }
        let mut panics_in_a_row = 0u32;
        loop {
            if *shutdown.borrow() {
                break;
            }
            let now = clock.now();
            health.run_began(name);
            let run = std::panic::AssertUnwindSafe(job.run_once(now))
                .catch_unwind()
                .await;
            let wait = match run {
                Ok(Ok(next)) => {
                    panics_in_a_row = 0;
                    health.run_ended(name, None);
                    sleep_for(clock.now(), next)
                }
                Ok(Err(e)) => {
                    panics_in_a_row = 0;
                    tracing::error!(job = name, error = ?e, "job run failed");
                    health.run_ended(name, Some(format!("{e:#}")));
                    Duration::from_secs(1)
                }
                Err(payload) => {
                    let message = panic_text(payload.as_ref());
                    panics_in_a_row += 1;
                    let backoff = PANIC_BACKOFF
                        .saturating_mul(2u32.saturating_pow(panics_in_a_row - 1))
                        .min(PANIC_BACKOFF_MAX);
                    tracing::error!(job = name, panic = message, restart_in = ?backoff, "job panicked; restarting it");
                    health.panicked(name, message);
                    backoff
                }
            };
            if wait.is_zero() {
                tokio::task::yield_now().await;
                continue;
            }
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = wake.notified() => {}
                // A dropped sender (the app was abandoned mid-start) means stop too; looping
                // on the closed channel would spin.
                changed = shutdown.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
            }
        }
        job.finish().await;
        health.job_stopped(name);
        tracing::info!(job = name, "job stopped");
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use std::sync::atomic::{AtomicU32, Ordering};

    struct Counter {
        runs: Arc<AtomicU32>,
        recovered: Arc<AtomicU32>,
    }

    #[async_trait::async_trait]
    impl Job for Counter {
        fn name(&self) -> &'static str {
            "counter"
        }

        async fn recover(&self) -> anyhow::Result<()> {
            self.recovered.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }

        async fn run_once(&self, _now: DateTime<Utc>) -> anyhow::Result<Option<DateTime<Utc>>> {
            self.runs.fetch_add(1, Ordering::SeqCst);
            Ok(None)
        }
    }

    #[test]
    fn sleeps_until_the_next_instant_within_bounds() {
        let now = crate::clock::from_millis(1_000_000);
        assert_eq!(
            sleep_for(now, Some(now + chrono::Duration::seconds(5))),
            Duration::from_secs(5)
        );
        assert_eq!(
            sleep_for(now, Some(now - chrono::Duration::seconds(5))),
            Duration::ZERO
        );
        assert_eq!(
            sleep_for(now, Some(now + chrono::Duration::days(1))),
            IDLE_POLL
        );
        assert_eq!(sleep_for(now, None), IDLE_POLL);
    }

    #[tokio::test]
    async fn a_job_runs_at_start_on_wake_and_stops_on_shutdown() {
        let runs = Arc::new(AtomicU32::new(0));
        let recovered = Arc::new(AtomicU32::new(0));
        let wake = Arc::new(Notify::new());
        let (stop, stopped) = watch::channel(false);
        let job = Counter {
            runs: runs.clone(),
            recovered: recovered.clone(),
        };
        let handle = spawn(
            job,
            Arc::new(SystemClock),
            wake.clone(),
            stopped,
            Health::default(),
        );

        let until = |n: u32| {
            let runs = runs.clone();
            async move {
                while runs.load(Ordering::SeqCst) < n {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(5), until(1))
            .await
            .expect("first run");
        wake.notify_one();
        tokio::time::timeout(Duration::from_secs(5), until(2))
            .await
            .expect("woken run");
        stop.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(5), handle)
            .await
            .expect("stops")
            .unwrap();
        assert_eq!(recovered.load(Ordering::SeqCst), 1);
    }

    /// Panics on its first two runs, then counts.
    struct Flaky {
        runs: Arc<AtomicU32>,
    }

    #[async_trait::async_trait]
    impl Job for Flaky {
        fn name(&self) -> &'static str {
            "flaky"
        }

        async fn run_once(&self, now: DateTime<Utc>) -> anyhow::Result<Option<DateTime<Utc>>> {
            let run = self.runs.fetch_add(1, Ordering::SeqCst);
            if run < 2 {
                panic!("bug in run {run}");
            }
            Ok(Some(now + chrono::Duration::hours(1)))
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_panicking_job_is_restarted_with_backoff_and_counted() {
        let runs = Arc::new(AtomicU32::new(0));
        let health = Health::default();
        let (stop, stopped) = watch::channel(false);
        let job = Flaky { runs: runs.clone() };
        let handle = spawn(
            job,
            Arc::new(SystemClock),
            Arc::new(Notify::new()),
            stopped,
            health.clone(),
        );
        // Paused time: sleeps advance instantly once every task is idle.
        while runs.load(Ordering::SeqCst) < 3 {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(health.panics("flaky"), 2);
        assert_eq!(health.job_problem("flaky", Duration::from_secs(60)), None);
        stop.send(true).unwrap();
        handle.await.unwrap();
        assert!(health
            .job_problem("flaky", Duration::from_secs(60))
            .is_some());
    }

    #[tokio::test]
    async fn a_job_stops_when_its_shutdown_sender_is_dropped() {
        let job = Counter {
            runs: Arc::new(AtomicU32::new(0)),
            recovered: Arc::new(AtomicU32::new(0)),
        };
        let (stop, stopped) = watch::channel(false);
        let handle = spawn(
            job,
            Arc::new(SystemClock),
            Arc::new(Notify::new()),
            stopped,
            Health::default(),
        );
        drop(stop);
        tokio::time::timeout(Duration::from_secs(5), handle)
            .await
            .expect("stops")
            .unwrap();
    }
}
