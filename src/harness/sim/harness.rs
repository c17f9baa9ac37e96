//! The real bot wired to a simulator: what `lyceum demo` and the integration tests share.
//! Same `app::start` as production; only the config points `api_url` at the simulator.

use std::path::{Path, PathBuf};
use std::time::Duration;

use std::sync::Arc;

use anyhow::Context as _;

use super::{ids, Sim};
use crate::app::{self, Options, RunningApp};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;

/// A config for the default simulated world: mod log, staff roles, fast retries.
pub fn config_text(sim: &Sim, db_path: &Path, extra: &str) -> String {
    format!(
        r#"[discord]
guild_id = {guild}
api_url = "{api}"
client_id = {application}
oauth_authorize_url = "{api}/oauth2/authorize"

[database]
path = "{db}"

[community]
name = {{ en = "Lyceum Academy", "zh-CN" = "学园" }}
timezone = "Asia/Shanghai"

[web]
bind = "127.0.0.1:0"

[channels]
mod_log = {mod_log}
announcements = {announcements}
welcome = {welcome}

[staff]
admin_role = {admin_role}
moderator_role = {moderator_role}

[outbox]
retry_base = "100ms"
retry_max = "2s"
{extra}"#,
        guild = ids::GUILD,
        api = sim.api_url(),
        application = ids::APPLICATION,
        db = db_path.display(),
        mod_log = ids::CHANNEL_MOD_LOG,
        announcements = ids::CHANNEL_ANNOUNCEMENTS,
        welcome = ids::CHANNEL_WELCOME,
        admin_role = ids::ROLE_ADMIN,
        moderator_role = ids::ROLE_MODERATOR,
    )
}

/// The Stripe webhook secret a simulated bot verifies with (tests and the demo sign with it).
pub const STRIPE_SECRET: &str = "whsec_lyceum_simulated";

/// A bot running against a simulator, with its config file on disk (for `/admin reload`).
pub struct SimBot {
    pub sim: Sim,
    pub app: RunningApp,
    pub config_path: PathBuf,
    /// The bot's clock (a `ManualClock` in tests that step time).
    pub clock: Arc<dyn Clock>,
}

impl SimBot {
    /// Writes `config_text` to `dir/config.toml`, starts the bot, waits until it registered
    /// its commands.
    pub async fn start(sim: Sim, dir: &Path, extra: &str) -> anyhow::Result<SimBot> {
        SimBot::start_clocked(sim, dir, extra, Arc::new(SystemClock)).await
    }

    /// [`SimBot::start`] with the bot reading time from `clock`.
    pub async fn start_clocked(
        sim: Sim,
        dir: &Path,
        extra: &str,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<SimBot> {
        let config_path = dir.join("config.toml");
        if !config_path.exists() {
            std::fs::write(
                &config_path,
                config_text(&sim, &dir.join("lyceum.db"), extra),
            )?;
        }
        let app = SimBot::boot(&sim, &config_path, clock.clone()).await?;
        Ok(SimBot {
            sim,
            app,
            config_path,
            clock,
        })
    }

    async fn boot(
        sim: &Sim,
        config_path: &Path,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<RunningApp> {
        let config = Config::load(config_path).context("simulator config")?;
        let registrations = sim.command_registrations();
        let mut options = Options::new(
            config,
            Some(config_path.to_path_buf()),
            sim.token().to_string(),
        );
        options.clock = clock;
        options.stripe_webhook_secret = Some(STRIPE_SECRET.to_string());
        options.discord_client_secret = Some(super::oauth::CLIENT_SECRET.to_string());
        let app = app::start(options).await?;
        // Ready when this boot has registered its commands (poise does it after READY).
        sim.wait_request(
            "PUT",
            "/commands",
            registrations + 1,
            Duration::from_secs(30),
        )
        .await
        .context("the bot did not connect to the simulator and register its commands")?;
        Ok(app)
    }

    /// Stops the bot and starts a fresh process-equivalent on the same database and simulator.
    pub async fn restart(self) -> anyhow::Result<SimBot> {
        let SimBot {
            sim,
            app,
            config_path,
            clock,
        } = self;
        app.stop().await;
        let app = SimBot::boot(&sim, &config_path, clock.clone()).await?;
        Ok(SimBot {
            sim,
            app,
            config_path,
            clock,
        })
    }

    pub async fn stop(self) {
        self.app.stop().await;
    }
}
