//! What every handler and job shares: the database, the live config, the clock, the outbox
//! wake-up and the gateway status. poise hands it to commands as `ctx.data()`.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use crate::clock::Clock;
use crate::config::SharedConfig;
use crate::db::Db;
use crate::health::Health;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: SharedConfig,
    pub clock: Arc<dyn Clock>,
    /// Poked after a transaction enqueued outbox items, so delivery starts at once.
    pub outbox_wake: Arc<Notify>,
    pub gateway: GatewayStatus,
    /// Jobs' liveness and Discord's view of the token, for `/healthz`.
    pub health: Health,
    /// The chat-points hot path (in-memory state, batch writer queue).
    pub points: crate::features::points::Engine,
    /// Automod's compiled filters and per-member windows.
    pub rules: crate::features::rules::Engine,
    /// The events on right now, per channel (automatic attendance).
    pub events: crate::features::schedule::Live,
    /// Poked after an event was created or changed, so the scheduler re-plans.
    pub schedule_wake: Arc<Notify>,
    /// Poked after a grant was created or changed, so the expiry job re-plans.
    pub grants_wake: Arc<Notify>,
    /// Poked with `grants_wake` (see [`AppState::grants_changed`]): renewal reminders re-plan.
    pub notices_wake: Arc<Notify>,
    /// Runs a membership reconciliation pass now (after a config reload, or from tests).
    pub reconcile_wake: Arc<Notify>,
    /// Daily activity counters (community analytics), written in batches.
    pub activity: crate::features::community::Activity,
    /// Poked after a paid question was asked, so the deadline job re-plans.
    pub qa_wake: Arc<Notify>,
    /// Who should hold which managed role: the delivery worker converges on it.
    pub roles: crate::roles::RoleTruth,
    /// Channels @everyone can view (for the public calendar feed), from the gateway.
    pub public_channels: PublicChannels,
    /// `STRIPE_WEBHOOK_SECRET`; the webhook answers 503 without it. Never logged.
    pub stripe_secret: Option<Arc<str>>,
}

impl AppState {
    /// A state over `db` and `config` with fresh engines and no jobs: for unit tests of jobs
    /// and operations that need the whole state. No role sources are registered (every role
    /// change is sent as queued); `app::start` registers the features'.
    pub fn detached(db: Db, config: crate::config::Config, clock: Arc<dyn Clock>) -> AppState {
        AppState {
            db,
            config: SharedConfig::new(config, None),
            clock,
            outbox_wake: Default::default(),
            gateway: Default::default(),
            health: Default::default(),
            points: crate::features::points::Engine::new().0,
            rules: Default::default(),
            events: Default::default(),
            schedule_wake: Default::default(),
            grants_wake: Default::default(),
            notices_wake: Default::default(),
            reconcile_wake: Default::default(),
            activity: Default::default(),
            qa_wake: Default::default(),
            roles: Default::default(),
            public_channels: Default::default(),
            stripe_secret: None,
        }
    }

    /// After grants were created or changed: the expiry job and the reminders re-plan.
    pub fn grants_changed(&self) {
        self.grants_wake.notify_one();
        self.notices_wake.notify_one();
    }

    /// Commits a write and wakes the outbox worker, so the effects it queued go out at once.
    /// Every write ends here: nobody has to remember the wake-up.
    pub async fn commit(&self, tx: sqlx::Transaction<'_, sqlx::Sqlite>) -> sqlx::Result<()> {
        tx.commit().await?;
        self.outbox_wake.notify_one();
        Ok(())
    }
}

/// The channels @everyone can view, as the gateway last reported the server; `None` until it
/// has (then nothing is treated as public).
#[derive(Clone, Default)]
pub struct PublicChannels(Arc<Mutex<Option<Arc<HashSet<u64>>>>>);

impl PublicChannels {
    pub fn set(&self, channels: HashSet<u64>) {
        *self.0.lock().expect("public channels lock") = Some(Arc::new(channels));
    }

    pub fn get(&self) -> Option<Arc<HashSet<u64>>> {
        self.0.lock().expect("public channels lock").clone()
    }
}

/// The gateway connection as last reported by serenity, for `/healthz`.
#[derive(Clone, Default)]
pub struct GatewayStatus(Arc<Mutex<String>>);

impl GatewayStatus {
    pub fn set(&self, status: impl Into<String>) {
        *self.0.lock().expect("gateway status lock") = status.into();
    }

    pub fn get(&self) -> String {
        let status = self.0.lock().expect("gateway status lock").clone();
        if status.is_empty() {
            "connecting".into()
        } else {
            status
        }
    }
}
