//! Wiring and lifecycle: open the database, spawn the background jobs once, start the web
//! server and the gateway, and stop them in order. `lyceum run`, `lyceum demo` and the
//! integration tests all start the bot through [`start`] — there is no test-only path.

pub mod commands;
pub mod events;
pub mod front;
pub mod interactions;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use poise::serenity_prelude as serenity;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::clock::{Clock, SystemClock};
use crate::config::{Config, SharedConfig};
use crate::db::{Db, InstanceLock};
use crate::discord::delivery;
use crate::health::Health;
use crate::jobs;
use crate::outbox::prune::Pruner;
use crate::state::{AppState, GatewayStatus, Topic, Wakes};

pub struct Options {
    pub config: Config,
    /// Where `/admin reload` re-reads policy from.
    pub config_path: Option<PathBuf>,
    /// The bot token. Never logged.
    pub token: String,
    pub clock: Arc<dyn Clock>,
    /// Verifies Stripe webhooks (env `STRIPE_WEBHOOK_SECRET`). Never logged.
    pub stripe_webhook_secret: Option<String>,
    /// The application's OAuth2 secret for the web login (env `DISCORD_CLIENT_SECRET`); `None`:
    /// no login. Never logged.
    pub discord_client_secret: Option<String>,
}

impl Options {
    pub fn new(config: Config, config_path: Option<PathBuf>, token: String) -> Options {
        Options {
            config,
            config_path,
            token,
            clock: Arc::new(SystemClock),
            stripe_webhook_secret: None,
            discord_client_secret: None,
        }
    }
}

/// A started bot. Drop does not stop it; call [`RunningApp::stop`].
pub struct RunningApp {
    pub state: AppState,
    pub web_addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    shard_manager: Arc<serenity::ShardManager>,
    jobs: Vec<(&'static str, JoinHandle<()>)>,
    gateway: JoinHandle<()>,
    /// Released when the app stops, after the database is closed.
    instance: InstanceLock,
    /// Receives a message when the bot cannot get going (refused token, failed registration).
    fatal: mpsc::UnboundedReceiver<String>,
}

pub const INTENTS: serenity::GatewayIntents = serenity::GatewayIntents::non_privileged()
    .union(serenity::GatewayIntents::GUILD_MEMBERS)
    .union(serenity::GatewayIntents::MESSAGE_CONTENT);

/// What serenity's cache keeps: only what Lyceum reads. The guild (roles, channels,
/// overwrites, the owner, members' roles for the hierarchy checks) and the bot's own user;
/// no message history (automod reads edits from the event) and no global user map (members
/// carry their user). With 100,000 members seen the whole process went from 167 MB to 107 MB
/// resident (`cargo bench --bench pipeline`, `rss_mb_100k_members`).
pub fn cache_settings() -> serenity::cache::Settings {
    let mut settings = serenity::cache::Settings::default();
    settings.max_messages = 0;
    settings.cache_users = false;
    settings
}

/// Every source of truth about members' managed roles, for the delivery worker to converge on
/// (grants, membership grace, staff levels, level roles, the rules acceptance, role menus, challenge
/// completion). Assembled here, above
/// both core and the features, so core never names a feature.
pub fn role_truth() -> crate::roles::RoleTruth {
    use crate::features::{admin, challenge, course, membership, moderation, points, role_menus};
    crate::roles::RoleTruth::new(vec![
        Arc::new(crate::grants::truth::GrantRoles),
        Arc::new(membership::roles::GraceRoles),
        Arc::new(admin::roles::StaffRoles),
        Arc::new(points::roles::LevelRoles),
        Arc::new(moderation::roles::AcceptedRole),
        Arc::new(role_menus::roles::MenuRoles),
        Arc::new(challenge::roles::CompletionRoles),
        Arc::new(course::roles::LessonRoles),
    ])
}

/// The state with every feature's engine added as a part (core holds them without naming
/// them; each feature finds its own by type).
fn with_engines(
    state: AppState,
    points: crate::features::points::Engine,
    stripe_webhook_secret: Option<String>,
) -> AppState {
    use crate::features::{membership, moderation, schedule, stats};
    let secret = stripe_webhook_secret.as_deref().map(Arc::from);
    state
        .with_part(points)
        .with_part(crate::access::StaffCache::default())
        .with_part(crate::member_locale::Known::default())
        .with_part(crate::members::Written::default())
        .with_part(moderation::Engine::default())
        .with_part(schedule::Engine::default())
        .with_part(stats::Activity::default())
        .with_part(membership::stripe::WebhookSecret(secret))
}

/// Every background job, with the topics that wake it early (none: its own timer only).
/// Spawned once at start, never from the READY handler.
fn background_jobs(
    state: &AppState,
    worker: delivery::Worker,
    client: &serenity::Client,
) -> Vec<(Box<dyn jobs::Job>, &'static [Topic])> {
    use crate::features::{challenge, course, highlights, membership, qa, schedule, stats};
    let state = || state.clone();
    let limiter = worker.limiter();
    vec![
        (Box::new(worker), &[Topic::OUTBOX]),
        (Box::new(Pruner { state: state() }), &[]),
        (
            Box::new(crate::grants::expiry::Expiry { state: state() }),
            &[Topic::GRANTS],
        ),
        (
            Box::new(qa::job::Deadlines { state: state() }),
            &[qa::QUESTIONS],
        ),
        (Box::new(stats::activity::Flusher { state: state() }), &[]),
        (
            Box::new(membership::notices::Notices { state: state() }),
            &[Topic::GRANTS],
        ),
        (
            Box::new(membership::reconcile::Reconcile::new(
                state(),
                client.http.clone(),
                limiter,
            )),
            &[membership::RECONCILE, Topic::CONFIG],
        ),
        (
            Box::new(schedule::job::Scheduler { state: state() }),
            &[schedule::EVENTS, Topic::CONFIG],
        ),
        (Box::new(schedule::digest::Digest { state: state() }), &[]),
        (
            Box::new(schedule::mirror::Mirror { state: state() }),
            &[schedule::EVENTS, schedule::OCCURRENCES, Topic::CONFIG],
        ),
        (
            Box::new(challenge::job::Poster { state: state() }),
            &[challenge::CHALLENGES],
        ),
        (
            Box::new(highlights::job::StartHere { state: state() }),
            &[Topic::GRANTS],
        ),
        (
            Box::new(course::job::Unlocker { state: state() }),
            &[Topic::GRANTS, Topic::CONFIG],
        ),
        (
            Box::new(stats::report_job::WeeklyReport { state: state() }),
            &[Topic::CONFIG],
        ),
    ]
}

/// The standing `[[schedule]]`s of the config, mirrored into the events table at start.
async fn apply_standing_schedules(state: &AppState, config: &Config) -> anyhow::Result<()> {
    let mut tx = state.db.write.begin().await?;
    let synced = crate::features::schedule::apply_config(&mut tx, config, state.clock.now())
        .await
        .map_err(|e| anyhow::anyhow!("applying the config's standing schedules: {e:?}"))?;
    state.commit(tx).await?;
    if !synced.is_empty() {
        tracing::info!(added = ?synced.added, changed = ?synced.changed, removed = ?synced.removed, "standing schedules synced");
    }
    Ok(())
}

/// serenity's HTTP client for `config`. Behind a proxy (the simulator) serenity's own rate
/// limiter is off: it would call discord.com directly, and the outbox honours 429s itself.
fn discord_http(config: &Config, token: &str) -> serenity::Http {
    if config.discord.is_proxied() {
        serenity::HttpBuilder::new(token)
            .proxy(config.discord.api_url.clone())
            .ratelimiter_disabled(true)
            .build()
    } else {
        serenity::HttpBuilder::new(token).build()
    }
}

/// The web door: Discord's REST client, and the login's OAuth2 client when a secret is set
/// (its client id from `discord.client_id`, else from the bot token).
fn web_door(
    config: &Config,
    token: &str,
    client_secret: Option<String>,
    client: &serenity::Client,
) -> crate::web::DiscordAccess {
    let client_id = config
        .discord
        .client_id
        .or_else(|| crate::discord::invite::client_id_of(token));
    let login = match (client_id, client_secret) {
        (Some(client_id), Some(client_secret)) => Some(crate::web::login::Client {
            client_id,
            client_secret,
            http: reqwest::Client::new(),
        }),
        _ => None,
    };
    let api = crate::web::login::Api {
        base: format!("{}/api/v10", config.discord.api_url),
        guild: config.discord.guild_id.get(),
    };
    crate::web::DiscordAccess::new(client.http.clone(), login, api).with_cache(client.cache.clone())
}

/// The state over the database, with every feature's engine, the chat points loaded; and the
/// points writer's inbox (its job starts with the others).
async fn open_state(
    config: &Config,
    config_path: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    stripe_webhook_secret: Option<String>,
) -> anyhow::Result<(AppState, crate::features::points::engine::WriterInbox)> {
    let db = Db::open(&config.database.path).await?;
    tracing::info!(database = %config.database.path.display(), "database open");
    let (points, points_inbox) = crate::features::points::Engine::new();
    let state = AppState {
        db,
        config: SharedConfig::new(config.clone(), config_path),
        clock,
        wakes: Wakes::default(),
        gateway: GatewayStatus::default(),
        health: Health::default(),
        roles: role_truth(),
        public_channels: Default::default(),
        parts: Default::default(),
    };
    let state = with_engines(state, points, stripe_webhook_secret);
    crate::features::points::engine(&state)
        .load(&state, state.clock.now())
        .await?;
    Ok((state, points_inbox))
}

/// poise with every command; its setup registers them in the guild once per process (poise
/// keeps it across reconnects) and reports a refusal on `fatal`.
fn framework(
    state: AppState,
    guild_id: serenity::GuildId,
    fatal: mpsc::UnboundedSender<String>,
) -> poise::Framework<AppState, crate::error::Error> {
    poise::Framework::builder()
        .options(commands::framework_options())
        .setup(move |ctx, _ready, framework| {
            Box::pin(async move {
                let commands = &framework.options().commands;
                let register = guild_id.set_commands(ctx, crate::discord::application_commands(commands));
                if let Err(e) = register.await {
                    let message = format!(
                        "cannot register slash commands in guild {guild_id}: {e}. Is the bot in that server, invited with the applications.commands scope?"
                    );
                    let _ = fatal.send(message.clone());
                    return Err(anyhow::anyhow!(message).into());
                }
                tracing::info!(commands = framework.options().commands.len(), %guild_id, "slash commands registered");
                state.gateway.set("connected");
                Ok(state)
            })
        })
        .build()
}

pub async fn start(options: Options) -> anyhow::Result<RunningApp> {
    let config = options.config;
    crate::logging::register_secret(&options.token);
    if let Some(secret) = &options.stripe_webhook_secret {
        crate::logging::register_secret(secret);
    }
    if let Some(secret) = &options.discord_client_secret {
        crate::logging::register_secret(secret);
    }
    let instance = InstanceLock::acquire(&config.database.path)?;
    let (state, points_inbox) = open_state(
        &config,
        options.config_path,
        options.clock,
        options.stripe_webhook_secret,
    )
    .await?;
    let state = state.with_part(front::SharedContext::default());
    apply_standing_schedules(&state, &config).await?;

    let http = discord_http(&config, &options.token);

    // Startup failures after `start` returns (refused token, failed command registration: the
    // latter leaves poise waiting forever for its data) are reported here so `run` can exit.
    let (fatal_tx, fatal) = mpsc::unbounded_channel::<String>();
    let framework = framework(state.clone(), config.discord.guild_id, fatal_tx.clone());

    let mut client = serenity::ClientBuilder::new_with_http(http, INTENTS)
        .cache_settings(cache_settings())
        .framework(framework)
        .await
        .context("building the Discord client")?;

    let (shutdown, shutdown_rx) = watch::channel(false);
    let rest = delivery::Rest::new(&config.discord.api_url, &options.token);
    let worker = delivery::Worker::new(state.clone(), rest);
    let limiter = worker.limiter();
    let mut jobs: Vec<(&'static str, JoinHandle<()>)> = background_jobs(&state, worker, &client)
        .into_iter()
        .map(|(job, topics)| {
            let name = job.name();
            let wake = state.wakes.listen_any(topics);
            let clock = state.clock.clone();
            let health = state.health.clone();
            (
                name,
                jobs::spawn(job, clock, wake, shutdown_rx.clone(), health),
            )
        })
        .collect();
    jobs.push((
        "points-writer",
        crate::features::points::engine::spawn_writer(
            state.clone(),
            points_inbox,
            shutdown_rx.clone(),
        ),
    ));
    let door = web_door(
        &config,
        &options.token,
        options.discord_client_secret,
        &client,
    )
    .with_rate_limiter(limiter);
    let (web_addr, web) =
        crate::web::serve(state.clone(), config.web.bind, door, shutdown_rx.clone()).await?;
    jobs.push(("web", web));
    tracing::info!(%web_addr, "web server listening");

    if config.discord.gateway_front {
        put_front_before_serenity(&client, &state, shutdown_rx.clone()).await?;
    }
    let shard_manager = client.shard_manager.clone();
    let gateway = tokio::spawn(async move {
        if let Err(e) = client.start().await {
            tracing::error!(error = %e, "gateway client stopped with an error");
            let _ = fatal_tx.send(format!(
                "cannot connect to Discord: {e}. Check DISCORD_TOKEN and discord.api_url."
            ));
        }
    });

    Ok(RunningApp {
        state,
        web_addr,
        shutdown,
        shard_manager,
        jobs,
        gateway,
        instance,
        fatal,
    })
}

/// The gateway front's fast path: a decoded message is handled by the same code as serenity's
/// event.
struct FastMessages {
    ctx: front::SharedContext,
    state: AppState,
    /// Both, once the context is known: one reference count per message instead of a dozen.
    handlers: std::sync::OnceLock<Arc<(serenity::Context, AppState)>>,
}

impl front::MessageSink for FastMessages {
    fn ready(&self) -> bool {
        self.ctx.get().is_some()
    }

    fn take(&self, message: crate::discord::chat::ChatMessage) {
        let Some(ctx) = self.ctx.get() else {
            return;
        };
        let handlers = self
            .handlers
            .get_or_init(|| Arc::new((ctx.clone(), self.state.clone())))
            .clone();
        let mut handling = Box::pin(async move {
            let (ctx, state) = &*handlers;
            if let Err(e) = events::on_message(ctx, state, &message).await {
                tracing::warn!(error = ?e, "handling a message failed");
            }
        });
        // Almost every message is decided from memory without waiting on anything: it is
        // finished right here, in the front's task, with no task spawned and no thread woken.
        // One that waits (automod's write, an attendance row) continues as a task of its own;
        // polled there again, it registers tokio's waker in place of this no-op one.
        use std::future::Future as _;
        let mut here = std::task::Context::from_waker(futures::task::noop_waker_ref());
        if handling.as_mut().poll(&mut here).is_pending() {
            tokio::spawn(handling);
        }
    }
}

/// serenity connects to the front, the front to the gateway address serenity was given.
async fn put_front_before_serenity(
    client: &serenity::Client,
    state: &AppState,
    shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let upstream = client.ws_url.lock().await.clone();
    let sink = Arc::new(FastMessages {
        ctx: state.part::<front::SharedContext>().clone(),
        state: state.clone(),
        handlers: Default::default(),
    });
    let front = front::Front::start(upstream, sink, shutdown)
        .await
        .context("starting the gateway front")?;
    *client.ws_url.lock().await = front.url();
    Ok(())
}

/// The longest `stop` takes, whatever state the bot is in (systemd and Docker kill after 10 s).
pub const STOP_WITHIN: Duration = Duration::from_secs(8);

/// Waits for `task` until `deadline`; aborts it after that. Returns whether it was cut short.
async fn finish_or_abort(task: JoinHandle<()>, deadline: tokio::time::Instant) -> bool {
    let abort = task.abort_handle();
    match tokio::time::timeout_at(deadline, task).await {
        Ok(_) => false,
        Err(_) => {
            abort.abort();
            true
        }
    }
}

impl RunningApp {
    /// Stops intake (gateway, web), lets the outbox worker finish its current item, closes the
    /// database — within [`STOP_WITHIN`] in every state: before the first gateway connection,
    /// during an outage (serenity's `shutdown_all` does nothing without a shard runner), or
    /// mid-delivery. What had to be cut short is logged; an interrupted delivery stays pending
    /// and is retried at the next start.
    pub async fn stop(self) {
        let deadline = tokio::time::Instant::now() + STOP_WITHIN;
        let _ = self.shutdown.send(true);
        let shards = self.shard_manager.clone();
        let shard_stop = tokio::spawn(async move { shards.shutdown_all().await });
        // The gateway gets a short share of the budget; jobs (an item in flight) the rest.
        if finish_or_abort(shard_stop, tokio::time::Instant::now() + STOP_WITHIN / 4).await {
            tracing::warn!("stop: the gateway did not close in time; dropping the connection");
        }
        for (name, job) in self.jobs {
            if finish_or_abort(job, deadline).await {
                tracing::warn!(
                    job = name,
                    "stop: cut short; its work in flight is retried at the next start"
                );
            }
        }
        let grace = tokio::time::Instant::now() + Duration::from_millis(500);
        if finish_or_abort(self.gateway, grace).await {
            tracing::warn!("stop: the gateway client was still connecting; abandoned it");
        }
        if tokio::time::timeout(Duration::from_secs(1), self.state.db.close())
            .await
            .is_err()
        {
            tracing::warn!("stop: the database did not close in time");
        }
        drop(self.instance);
        tracing::info!("stopped");
    }
}

/// `lyceum run`: start, then stop cleanly on SIGINT or SIGTERM — or with an error when the
/// bot cannot finish starting up.
pub async fn run(options: Options) -> anyhow::Result<()> {
    let signal = wait_for_signal();
    tokio::pin!(signal);
    // A signal also ends a start that hangs (Discord not answering before the first
    // connection): nothing has been spawned that needs stopping then.
    let mut app = tokio::select! {
        started = start(options) => started?,
        _ = &mut signal => {
            tracing::warn!("stopped while still connecting to Discord");
            return Ok(());
        }
    };
    let fatal = tokio::select! {
        _ = &mut signal => None,
        Some(message) = app.fatal.recv() => Some(message),
    };
    tracing::info!("shutting down");
    app.stop().await;
    match fatal {
        Some(message) => Err(anyhow::anyhow!(message)),
        None => Ok(()),
    }
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
