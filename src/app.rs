//! Wiring and lifecycle: open the database, spawn the background jobs once, start the web
//! server and the gateway, and stop them in order. `lyceum run`, `lyceum demo` and the
//! integration tests all start the bot through [`start`] — there is no test-only path.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use poise::serenity_prelude as serenity;
use tokio::sync::{mpsc, watch, Notify};
use tokio::task::JoinHandle;

use crate::clock::{Clock, SystemClock};
use crate::config::{Config, SharedConfig};
use crate::db::{Db, InstanceLock};
use crate::discord::{self, delivery};
use crate::jobs;
use crate::outbox::prune::Pruner;
use crate::state::{AppState, GatewayStatus};

pub struct Options {
    pub config: Config,
    /// Where `/admin reload` re-reads policy from.
    pub config_path: Option<PathBuf>,
    /// The bot token. Never logged.
    pub token: String,
    pub clock: Arc<dyn Clock>,
}

impl Options {
    pub fn new(config: Config, config_path: Option<PathBuf>, token: String) -> Options {
        Options {
            config,
            config_path,
            token,
            clock: Arc::new(SystemClock),
        }
    }
}

/// A started bot. Drop does not stop it; call [`RunningApp::stop`].
pub struct RunningApp {
    pub state: AppState,
    pub web_addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    shard_manager: Arc<serenity::ShardManager>,
    jobs: Vec<JoinHandle<()>>,
    gateway: JoinHandle<()>,
    /// Released when the app stops, after the database is closed.
    instance: InstanceLock,
    /// Receives a message when the bot cannot get going (refused token, failed registration).
    fatal: mpsc::UnboundedReceiver<String>,
}

pub const INTENTS: serenity::GatewayIntents = serenity::GatewayIntents::non_privileged()
    .union(serenity::GatewayIntents::GUILD_MEMBERS)
    .union(serenity::GatewayIntents::MESSAGE_CONTENT);

pub async fn start(options: Options) -> anyhow::Result<RunningApp> {
    let config = options.config;
    let instance = InstanceLock::acquire(&config.database.path)?;
    let db = Db::open(&config.database.path).await?;
    let state = AppState {
        db,
        config: SharedConfig::new(config.clone(), options.config_path),
        clock: options.clock,
        outbox_wake: Arc::new(Notify::new()),
        gateway: GatewayStatus::default(),
    };

    let http = if config.discord.is_proxied() {
        // serenity's rate limiter ignores the proxy and would call discord.com directly; the
        // outbox honours 429s itself.
        serenity::HttpBuilder::new(&options.token)
            .proxy(config.discord.api_url.clone())
            .ratelimiter_disabled(true)
            .build()
    } else {
        serenity::HttpBuilder::new(&options.token).build()
    };

    let guild_id = config.discord.guild_id;
    let setup_state = state.clone();
    // Startup failures after `start` returns (refused token, failed command registration: the
    // latter leaves poise waiting forever for its data) are reported here so `run` can exit.
    let (fatal_tx, fatal) = mpsc::unbounded_channel::<String>();
    let setup_fatal = fatal_tx.clone();
    let framework = poise::Framework::builder()
        .options(discord::framework_options())
        .setup(move |ctx, _ready, framework| {
            Box::pin(async move {
                // Runs once per process (poise keeps it across reconnects).
                let commands = &framework.options().commands;
                if let Err(e) = poise::builtins::register_in_guild(ctx, commands, guild_id).await {
                    let message = format!(
                        "cannot register slash commands in guild {guild_id}: {e}. Is the bot in that server, invited with the applications.commands scope?"
                    );
                    let _ = setup_fatal.send(message.clone());
                    return Err(anyhow::anyhow!(message).into());
                }
                tracing::info!(commands = framework.options().commands.len(), %guild_id, "slash commands registered");
                setup_state.gateway.set("connected");
                Ok(setup_state)
            })
        })
        .build();

    let mut client = serenity::ClientBuilder::new_with_http(http, INTENTS)
        .framework(framework)
        .await
        .context("building the Discord client")?;

    let (shutdown, shutdown_rx) = watch::channel(false);
    let worker = delivery::Worker::new(
        state.clone(),
        delivery::Rest::new(&config.discord.api_url, &options.token),
        client.cache.clone(),
    );
    let mut jobs = vec![
        jobs::spawn(
            worker,
            state.clock.clone(),
            state.outbox_wake.clone(),
            shutdown_rx.clone(),
        ),
        jobs::spawn(
            Pruner {
                state: state.clone(),
            },
            state.clock.clone(),
            Arc::new(Notify::new()),
            shutdown_rx.clone(),
        ),
    ];

    let (web_addr, web) = crate::web::serve(state.clone(), config.web.bind, shutdown_rx).await?;
    jobs.push(web);
    tracing::info!(%web_addr, "web server listening");

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

impl RunningApp {
    /// Stops intake (gateway, web), lets the outbox worker finish its current item, closes the
    /// database.
    pub async fn stop(self) {
        self.shard_manager.shutdown_all().await;
        let _ = self.shutdown.send(true);
        for job in self.jobs {
            let _ = job.await;
        }
        let _ = self.gateway.await;
        self.state.db.close().await;
        drop(self.instance);
        tracing::info!("stopped");
    }
}

/// `lyceum run`: start, then stop cleanly on SIGINT or SIGTERM — or with an error when the
/// bot cannot finish starting up.
pub async fn run(options: Options) -> anyhow::Result<()> {
    let mut app = start(options).await?;
    let fatal = tokio::select! {
        _ = wait_for_signal() => None,
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
