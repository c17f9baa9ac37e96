//! Which events are happening right now, per channel, in memory: the message hot path asks
//! "is there an event on in this channel?" without touching the database. The scheduler
//! refreshes it whenever it runs (it runs at every occurrence's start); the database is only
//! written for a member's first message in an event, which earns attendance once.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Utc};

use crate::clock::to_millis;
use crate::db::Db;

/// One occurrence in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub event: i64,
    pub occurrence: i64,
    pub ends: i64,
}

#[derive(Clone, Default)]
pub struct Engine {
    by_channel: Arc<RwLock<HashMap<u64, Vec<Window>>>>,
    /// (event, occurrence, member) already credited by this process: later messages of the
    /// same member during the event skip the database.
    credited: Arc<Mutex<HashSet<(i64, i64, u64)>>>,
}

impl Engine {
    /// Re-reads the occurrences in progress at `now` (one indexed query).
    pub async fn refresh(&self, db: &Db, now: DateTime<Utc>) -> sqlx::Result<()> {
        let now_ms = to_millis(now);
        let rows = super::store::on_at(db, now_ms).await?;
        let mut map: HashMap<u64, Vec<Window>> = HashMap::new();
        for (event, channel, occurrence, ends) in rows {
            map.entry(channel as u64).or_default().push(Window {
                event,
                occurrence,
                ends,
            });
        }
        let mut credited = self.credited.lock().expect("credited lock");
        credited.retain(|(event, occ, _)| {
            map.values()
                .flatten()
                .any(|w| w.event == *event && w.occurrence == *occ)
        });
        *self.by_channel.write().expect("live lock") = map;
        Ok(())
    }

    /// The events on in `channel` at `now` that `member` has not been credited for yet; marks
    /// them credited. Memory only.
    pub fn first_posts(&self, channel: u64, member: u64, now: DateTime<Utc>) -> Vec<Window> {
        let now_ms = to_millis(now);
        let on: Vec<Window> = {
            let map = self.by_channel.read().expect("live lock");
            match map.get(&channel) {
                None => return Vec::new(),
                Some(windows) => windows
                    .iter()
                    .filter(|w| w.occurrence <= now_ms && now_ms < w.ends)
                    .copied()
                    .collect(),
            }
        };
        let mut credited = self.credited.lock().expect("credited lock");
        on.into_iter()
            .filter(|w| credited.insert((w.event, w.occurrence, member)))
            .collect()
    }
}
