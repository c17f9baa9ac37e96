//! What every handler and job shares: the database, the live config, the clock, the outbox
//! wake-up and the gateway status. poise hands it to commands as `ctx.data()`.

use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use crate::clock::Clock;
use crate::config::SharedConfig;
use crate::db::Db;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: SharedConfig,
    pub clock: Arc<dyn Clock>,
    /// Poked after a transaction enqueued outbox items, so delivery starts at once.
    pub outbox_wake: Arc<Notify>,
    pub gateway: GatewayStatus,
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
