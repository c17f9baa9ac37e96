//! Core: what every handler and job shares — the database, the live config, the clock, the
//! wake-ups, the gateway status and role truth — and the features' engines as opaque parts.
//! poise hands it to commands as `ctx.data()`. Imports no feature and no shell.

use std::any::{Any, TypeId};
use std::collections::{HashMap, HashSet};
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
    /// Who to wake after a commit: the outbox worker and every job that plans from a topic.
    pub wakes: Wakes,
    pub gateway: GatewayStatus,
    /// Jobs' liveness and Discord's view of the token, for `/healthz`.
    pub health: Health,
    /// Who should hold which managed role: the delivery worker converges on it.
    pub roles: crate::roles::RoleTruth,
    /// Channels @everyone can view (for the public calendar feed), from the gateway.
    pub public_channels: PublicChannels,
    /// The features' in-memory engines, by type; core never names them (see [`Parts`]).
    pub parts: Parts,
}

impl AppState {
    /// A state over `db` and `config` with no parts and no jobs: for unit tests of jobs and
    /// operations that need the whole state (add what they use with [`AppState::with_part`]).
    /// No role sources are registered (every role change is sent as queued); `app::start`
    /// registers the features'.
    pub fn detached(db: Db, config: crate::config::Config, clock: Arc<dyn Clock>) -> AppState {
        AppState {
            db,
            config: SharedConfig::new(config, None),
            clock,
            wakes: Default::default(),
            gateway: Default::default(),
            health: Default::default(),
            roles: Default::default(),
            public_channels: Default::default(),
            parts: Default::default(),
        }
    }

    /// This state with `part` added (at assembly, before the state is shared).
    pub fn with_part<T: Send + Sync + 'static>(mut self, part: T) -> AppState {
        self.parts = self.parts.with(part);
        self
    }

    /// The part of type `T` if it was added (for parts only `app::start` adds).
    pub fn try_part<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.parts.get::<T>()
    }

    /// The part of type `T`; every feature reaches its engine through this.
    ///
    /// # Panics
    /// When `T` was never added: a wiring bug in `app::start` (or a test's state), not
    /// something input can cause.
    pub fn part<T: Send + Sync + 'static>(&self) -> &T {
        self.parts.get::<T>().unwrap_or_else(|| {
            panic!(
                "{} is not part of this state: app::start adds every feature's engine",
                std::any::type_name::<T>()
            )
        })
    }

    /// After grants were created or changed outside a commit here: whoever plans from grants
    /// (the expiry job, renewal reminders) looks again.
    pub fn grants_changed(&self) {
        self.wakes.fire(Topic::GRANTS);
    }

    /// Commits a write and wakes the outbox worker, so the effects it queued go out at once.
    /// Every write ends here or in [`AppState::commit_with`]: nobody notifies by hand.
    pub async fn commit(&self, tx: sqlx::Transaction<'_, sqlx::Sqlite>) -> sqlx::Result<()> {
        self.commit_with(tx, &[]).await
    }

    /// Commits a write that changed `topics` (besides the outbox): the outbox worker and every
    /// job listening to one of them wake at once.
    pub async fn commit_with(
        &self,
        tx: sqlx::Transaction<'_, sqlx::Sqlite>,
        topics: &[Topic],
    ) -> sqlx::Result<()> {
        tx.commit().await?;
        self.wakes.fire(Topic::OUTBOX);
        for topic in topics {
            self.wakes.fire(*topic);
        }
        Ok(())
    }
}

/// What a write changed that some job plans from. Core knows three (the outbox, grants, a config reload); a
/// feature declares its own as a constant (e.g. `schedule::EVENTS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Topic(pub &'static str);

impl Topic {
    pub const OUTBOX: Topic = Topic("outbox");
    pub const GRANTS: Topic = Topic("grants");
    /// The config was reloaded: jobs that plan from policy look again.
    pub const CONFIG: Topic = Topic("config");
}

/// Wake-ups by topic: a job [`listen`](Wakes::listen)s once at start, a commit
/// [`fire`](Wakes::fire)s. Each listener keeps one pending permit, so a wake-up that comes
/// while its job is busy is not lost.
#[derive(Clone, Default)]
pub struct Wakes(Arc<Mutex<HashMap<Topic, Vec<Arc<Notify>>>>>);

impl Wakes {
    /// A new wake-up that fires with `topic`.
    pub fn listen(&self, topic: Topic) -> Arc<Notify> {
        self.listen_any(&[topic])
    }

    /// A new wake-up that fires with any of `topics` (none: only its job's own timer).
    pub fn listen_any(&self, topics: &[Topic]) -> Arc<Notify> {
        let notify = Arc::new(Notify::new());
        let mut listeners = self.0.lock().expect("wakes lock");
        for topic in topics {
            listeners.entry(*topic).or_default().push(notify.clone());
        }
        notify
    }

    pub fn fire(&self, topic: Topic) {
        let listeners = self.0.lock().expect("wakes lock");
        for notify in listeners.get(&topic).into_iter().flatten() {
            notify.notify_one();
        }
    }
}

/// A type map of the features' engines (the points hot path, automod's filters, the events on
/// now…), built once at start. It lets the shell hand every feature its engine through one
/// state without the state — core — importing any feature.
#[derive(Clone, Default)]
pub struct Parts(Arc<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>);

impl Parts {
    fn with<T: Send + Sync + 'static>(self, part: T) -> Parts {
        let mut map = Arc::unwrap_or_clone(self.0);
        map.insert(TypeId::of::<T>(), Arc::new(part));
        Parts(Arc::new(map))
    }

    fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.0.get(&TypeId::of::<T>())?.downcast_ref::<T>()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_found_by_type() {
        let parts = Parts::default().with(7u32).with(String::from("engine"));
        assert_eq!(parts.get::<u32>(), Some(&7));
        assert_eq!(parts.get::<String>().map(String::as_str), Some("engine"));
        assert!(parts.get::<u64>().is_none());
    }

    #[tokio::test]
    async fn a_fired_topic_wakes_every_listener_once_and_no_other() {
        let wakes = Wakes::default();
        let (a, b) = (wakes.listen(Topic::GRANTS), wakes.listen(Topic::GRANTS));
        let outbox = wakes.listen(Topic::OUTBOX);
        wakes.fire(Topic::GRANTS);
        // Each grants listener holds a permit; the outbox's does not.
        a.notified().await;
        b.notified().await;
        let woke = tokio::time::timeout(std::time::Duration::from_millis(20), outbox.notified());
        assert!(woke.await.is_err());
    }
}
