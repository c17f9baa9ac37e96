//! Spawns the real bot against a fresh simulator and a temp database, per test.

use std::time::Duration;

use std::sync::Arc;

use lyceum::clock::{Clock, ManualClock};
use lyceum::db::Db;
use lyceum::harness::sim::harness::SimBot;
use lyceum::harness::sim::{Recorded, Reply, Sim, SlashCall};
use tempfile::TempDir;

pub const WAIT: Duration = Duration::from_secs(10);

pub struct TestApp {
    sim: Sim,
    /// The bot's clock, kept for restarts after a stop.
    clock: Arc<dyn Clock>,
    pub bot: Option<SimBot>,
    pub dir: TempDir,
}

/// Every log line of the test binary (info and up), redacted exactly as the bot's own
/// subscriber redacts, so tests can search what an operator would see.
static CAPTURED: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

#[derive(Clone, Copy)]
struct Capture;

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        CAPTURED
            .lock()
            .expect("capture lock")
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;

    fn make_writer(&'a self) -> Capture {
        Capture
    }
}

/// The captured logs so far (all tests share them: search for something of your own).
pub fn logs() -> String {
    String::from_utf8_lossy(&CAPTURED.lock().expect("capture lock")).into_owned()
}

/// Logs go to the capture always, and to the test output when `TEST_LOG` is set.
pub fn init_logs() {
    use std::sync::Once;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::{fmt, EnvFilter, Layer};
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let capture = fmt::layer()
            .with_ansi(false)
            .with_writer(lyceum::logging::Redacting(Capture))
            .with_filter(EnvFilter::new("info"));
        let shown = std::env::var("TEST_LOG").ok().map(|filter| {
            fmt::layer()
                .with_writer(lyceum::logging::Redacting(fmt::TestWriter::default()))
                .with_filter(EnvFilter::new(filter))
        });
        let _ = tracing_subscriber::registry()
            .with(capture)
            .with(shown)
            .try_init();
    });
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with("").await
    }

    /// `extra` is appended to the config (whole extra sections).
    pub async fn spawn_with(extra: &str) -> TestApp {
        TestApp::spawn_edited(|text| format!("{text}\n{extra}")).await
    }

    /// Starts with the simulator config as rewritten by `edit`.
    pub async fn spawn_edited(edit: impl FnOnce(String) -> String) -> TestApp {
        TestApp::spawn_full(edit, Arc::new(lyceum::clock::SystemClock)).await
    }

    /// Starts with `extra` config and the bot reading time from `clock`.
    pub async fn spawn_clocked(extra: &str, clock: Arc<ManualClock>) -> TestApp {
        TestApp::spawn_full(|text| format!("{text}\n{extra}"), clock).await
    }

    /// Starts with the simulator config as rewritten by `edit`, reading time from `clock`.
    pub async fn spawn_full_clocked(
        edit: impl FnOnce(String) -> String,
        clock: Arc<ManualClock>,
    ) -> TestApp {
        TestApp::spawn_full(edit, clock).await
    }

    async fn spawn_full(edit: impl FnOnce(String) -> String, clock: Arc<dyn Clock>) -> TestApp {
        init_logs();
        let dir = tempfile::tempdir().expect("temp dir");
        let sim = Sim::start().await.expect("simulator starts");
        let text =
            lyceum::harness::sim::harness::config_text(&sim, &dir.path().join("lyceum.db"), "");
        std::fs::write(dir.path().join("config.toml"), edit(text)).expect("config written");
        let bot = SimBot::start_clocked(sim.clone(), dir.path(), "", clock.clone())
            .await
            .expect("bot starts");
        TestApp {
            sim,
            clock,
            bot: Some(bot),
            dir,
        }
    }

    pub fn bot(&self) -> &SimBot {
        self.bot.as_ref().expect("bot is running")
    }

    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    pub fn db(&self) -> &Db {
        &self.bot().app.state.db
    }

    /// A REST client on the simulator, as the bot's own (for running a job's pass directly).
    pub fn http(&self) -> Arc<serenity::all::Http> {
        Arc::new(
            serenity::all::HttpBuilder::new(self.sim.token())
                .proxy(self.sim.api_url())
                .ratelimiter_disabled(true)
                .application_id(lyceum::harness::sim::ids::APPLICATION.into())
                .build(),
        )
    }

    pub async fn slash(&self, call: SlashCall) -> Reply {
        self.sim().slash(call).await.expect("the bot answers")
    }

    pub async fn restart(&mut self) {
        match self.bot.take() {
            Some(bot) => self.bot = Some(bot.restart().await.expect("bot restarts")),
            None => {
                let bot = SimBot::start_clocked(
                    self.sim.clone(),
                    self.dir.path(),
                    "",
                    self.clock.clone(),
                )
                .await
                .expect("bot starts");
                self.bot = Some(bot);
            }
        }
    }

    /// A separate handle on the database file, usable while the bot is stopped.
    pub async fn open_db(&self) -> Db {
        Db::open(&self.dir.path().join("lyceum.db"))
            .await
            .expect("database opens")
    }

    pub async fn stop(&mut self) {
        if let Some(bot) = self.bot.take() {
            bot.stop().await;
        }
    }

    /// REST requests matching a method and path fragment, in order.
    pub fn requests(&self, method: &str, path: &str) -> Vec<Recorded> {
        self.sim()
            .requests()
            .into_iter()
            .filter(|r| r.method == method && r.path.contains(path))
            .collect()
    }

    /// The audit log, newest first.
    pub async fn audit_rows(&self) -> Vec<lyceum::audit::AuditRow> {
        let guild = serenity::all::GuildId::new(lyceum::harness::sim::ids::GUILD);
        lyceum::audit::list(self.db(), guild, None, 10_000, 0)
            .await
            .expect("audit rows")
    }

    /// The audit log's actions, newest first.
    pub async fn audit_actions(&self) -> Vec<String> {
        self.audit_rows()
            .await
            .into_iter()
            .map(|r| r.action)
            .collect()
    }

    /// `GET /healthz` as JSON, with its status.
    pub async fn healthz(&self) -> (u16, serde_json::Value) {
        let url = format!("http://{}/healthz", self.bot().app.web_addr);
        let response = reqwest::get(&url).await.expect("healthz answers");
        let status = response.status().as_u16();
        (status, response.json().await.expect("healthz is JSON"))
    }

    /// Polls `GET /healthz` (up to [`WAIT`]) until `check` accepts its answer; returns it.
    pub async fn healthz_when(
        &self,
        what: &str,
        check: impl Fn(u16, &serde_json::Value) -> bool,
    ) -> (u16, serde_json::Value) {
        let mut seen = None;
        eventually(what, async || {
            let (status, body) = self.healthz().await;
            if check(status, &body) {
                seen = Some((status, body));
            }
            seen.is_some()
        })
        .await;
        seen.expect("eventually returned")
    }

    pub async fn count(&self, sql: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sql)
            .fetch_one(&self.db().read)
            .await
            .expect("count query");
        n
    }
}

/// Waits (up to [`WAIT`]) until the async `check` holds: side effects arrive asynchronously.
pub async fn eventually(what: &str, check: impl AsyncFnMut() -> bool) {
    eventually_within(WAIT, what, check).await
}

/// [`eventually`] with its own patience, for a wait that is long by design (a whole outbox
/// draining after retries, on a loaded 2-core machine).
pub async fn eventually_within(wait: Duration, what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + wait;
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits (up to [`WAIT`]) until `check` holds: side effects arrive asynchronously.
pub async fn eventually_sync(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !check() {
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// One outbox row as a test cares about it.
#[derive(Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxState {
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// Queues `effects` in one transaction, as a feature would, and wakes the worker; returns the
/// item ids in order.
pub async fn enqueue_effects(app: &TestApp, effects: &[lyceum::outbox::Effect]) -> Vec<i64> {
    let state = &app.bot().app.state;
    let mut tx = state.db.write.begin().await.unwrap();
    let mut ids = Vec::with_capacity(effects.len());
    for effect in effects {
        let id = lyceum::outbox::enqueue(&mut tx, effect, chrono::Utc::now(), None)
            .await
            .unwrap()
            .unwrap();
        ids.push(id);
    }
    tx.commit().await.unwrap();
    state.wakes.fire(lyceum::state::Topic::OUTBOX);
    ids
}

/// Waits (up to [`WAIT`]) until outbox item `id` leaves `pending`, and returns it.
pub async fn settled(app: &TestApp, id: i64) -> OutboxState {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let row: OutboxState =
            sqlx::query_as("SELECT status, attempts, last_error FROM outbox WHERE id = ?")
                .bind(id)
                .fetch_one(&app.db().read)
                .await
                .expect("an outbox row");
        if row.status != "pending" || tokio::time::Instant::now() > deadline {
            return row;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The newest outbox item of a kind (`add_role`, `send_message`, …).
pub async fn newest_outbox_id(app: &TestApp, kind: &str) -> i64 {
    let (id,): (i64,) = sqlx::query_as("SELECT MAX(id) FROM outbox WHERE kind = ?")
        .bind(kind)
        .fetch_one(&app.db().read)
        .await
        .expect("an outbox row of that kind");
    id
}
