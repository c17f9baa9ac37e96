//! What `/healthz` reports beyond the database: whether each background job is alive and not
//! stuck, and whether Discord accepts the bot's token. Jobs and the delivery worker write it;
//! the web server reads it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Whether Discord accepted the bot's token on the worker's last call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DiscordAuth {
    /// No call made yet.
    #[default]
    Unknown,
    Ok,
    /// Discord answered 401: the token was reset or revoked. Delivery is paused.
    Unauthorized,
}

impl DiscordAuth {
    pub fn as_str(self) -> &'static str {
        match self {
            DiscordAuth::Unknown => "unknown",
            DiscordAuth::Ok => "ok",
            DiscordAuth::Unauthorized => "unauthorized",
        }
    }
}

#[derive(Debug, Clone, Default)]
struct JobStatus {
    /// Set while a run is in progress.
    running_since: Option<Instant>,
    /// The loop ended (shutdown, or it could not go on).
    stopped: bool,
    panics: u32,
    last_error: Option<String>,
}

#[derive(Default)]
struct State {
    discord_auth: DiscordAuth,
    jobs: BTreeMap<&'static str, JobStatus>,
}

#[derive(Clone, Default)]
pub struct Health(Arc<Mutex<State>>, Arc<std::sync::atomic::AtomicU64>);

impl Health {
    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.0.lock().expect("health lock"))
    }

    /// Counts a message seen on the gateway (lock-free: it is on the hot path).
    pub fn message_seen(&self) {
        self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Gateway messages seen since start.
    pub fn messages_seen(&self) -> u64 {
        self.1.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn set_discord_auth(&self, auth: DiscordAuth) {
        self.with(|s| s.discord_auth = auth);
    }

    pub fn discord_auth(&self) -> DiscordAuth {
        self.with(|s| s.discord_auth)
    }

    pub fn job_started(&self, job: &'static str) {
        self.with(|s| {
            s.jobs.insert(job, JobStatus::default());
        });
    }

    pub fn run_began(&self, job: &'static str) {
        self.with(|s| s.jobs.entry(job).or_default().running_since = Some(Instant::now()));
    }

    pub fn run_ended(&self, job: &'static str, error: Option<String>) {
        self.with(|s| {
            let status = s.jobs.entry(job).or_default();
            status.running_since = None;
            status.last_error = error;
        });
    }

    pub fn panicked(&self, job: &'static str, message: String) {
        self.with(|s| {
            let status = s.jobs.entry(job).or_default();
            status.running_since = None;
            status.panics += 1;
            status.last_error = Some(message);
        });
    }

    pub fn job_stopped(&self, job: &'static str) {
        self.with(|s| s.jobs.entry(job).or_default().stopped = true);
    }

    /// Why `job` cannot be counted on right now, if it cannot: never started, stopped, or one
    /// run has lasted longer than `stuck_after`.
    pub fn job_problem(&self, job: &'static str, stuck_after: Duration) -> Option<String> {
        self.with(|s| match s.jobs.get(job) {
            None => Some(format!("{job} job is not running")),
            Some(status) if status.stopped => Some(format!("{job} job has stopped")),
            Some(JobStatus {
                running_since: Some(since),
                ..
            }) if since.elapsed() > stuck_after => Some(format!(
                "{job} job is stuck: one run has lasted {}s",
                since.elapsed().as_secs()
            )),
            Some(_) => None,
        })
    }

    /// How many times `job` panicked and was restarted.
    pub fn panics(&self, job: &'static str) -> u32 {
        self.with(|s| s.jobs.get(job).map_or(0, |j| j.panics))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_is_a_problem_until_started_after_it_stops_and_while_stuck() {
        let health = Health::default();
        assert!(health
            .job_problem("outbox", Duration::from_secs(1))
            .is_some());
        health.job_started("outbox");
        assert_eq!(health.job_problem("outbox", Duration::from_secs(1)), None);
        health.run_began("outbox");
        assert_eq!(health.job_problem("outbox", Duration::from_secs(60)), None);
        let stuck = health.job_problem("outbox", Duration::ZERO).unwrap();
        assert!(stuck.contains("stuck"), "{stuck}");
        health.run_ended("outbox", None);
        assert_eq!(health.job_problem("outbox", Duration::ZERO), None);
        health.job_stopped("outbox");
        assert!(health
            .job_problem("outbox", Duration::ZERO)
            .unwrap()
            .contains("stopped"));
    }
}
