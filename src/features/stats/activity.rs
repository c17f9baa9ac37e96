//! Daily activity, counted in memory on the message hot path (a hash-map increment, no I/O)
//! and written in batches: one transaction of upserts every [`FLUSH_EVERY`], and before any
//! `/stats` read. A crash loses at most the last interval's message counts (never points:
//! those are in the ledger).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::db::Db;
use crate::jobs::Job;
use crate::state::AppState;

pub const FLUSH_EVERY: Duration = Duration::seconds(30);

/// Keyed by local date (formatted only when written: no allocation per message).
#[derive(Default)]
struct Counts {
    members: HashMap<(u64, NaiveDate), i64>,
    channels: HashMap<(u64, NaiveDate), i64>,
    /// Authors' names (and avatar hashes) seen this interval, for the web pages' lists.
    names: HashMap<u64, (String, Option<String>)>,
}

#[derive(Clone, Default)]
pub struct Activity {
    counts: Arc<Mutex<Counts>>,
}

/// The community-local day of `at`, as stored (`YYYY-MM-DD`).
pub fn day_of(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d").to_string()
}

impl Activity {
    /// A member's message counted for the day, and the author's name as Discord shows it (and
    /// avatar hash) copied once per member per interval, the avatar read only then: one lock
    /// per message.
    pub fn on_message(
        &self,
        member: u64,
        channel: u64,
        at: DateTime<Utc>,
        tz: Tz,
        name: &str,
        avatar: impl FnOnce() -> Option<String>,
    ) {
        let day = at.with_timezone(&tz).date_naive();
        let mut counts = self.counts.lock().expect("activity lock");
        *counts.members.entry((member, day)).or_default() += 1;
        *counts.channels.entry((channel, day)).or_default() += 1;
        counts
            .names
            .entry(member)
            .or_insert_with(|| (name.to_string(), avatar()));
    }

    /// Writes what was counted since the last flush (one transaction).
    pub async fn flush(&self, db: &Db) -> sqlx::Result<()> {
        let taken = std::mem::take(&mut *self.counts.lock().expect("activity lock"));
        if taken.members.is_empty() && taken.channels.is_empty() && taken.names.is_empty() {
            return Ok(());
        }
        let result = write(db, &taken).await;
        if result.is_err() {
            // Put the counts back for the next try.
            let mut counts = self.counts.lock().expect("activity lock");
            for (k, v) in taken.members {
                *counts.members.entry(k).or_default() += v;
            }
            for (k, v) in taken.channels {
                *counts.channels.entry(k).or_default() += v;
            }
            for (k, v) in taken.names {
                counts.names.entry(k).or_insert(v);
            }
        }
        result
    }
}

async fn write(db: &Db, counts: &Counts) -> sqlx::Result<()> {
    let flat = |map: &HashMap<(u64, NaiveDate), i64>| -> Vec<(u64, NaiveDate, i64)> {
        map.iter().map(|((id, day), n)| (*id, *day, *n)).collect()
    };
    let names: Vec<(u64, String, Option<String>)> = counts
        .names
        .iter()
        .map(|(id, (name, avatar))| (*id, name.clone(), avatar.clone()))
        .collect();
    let at = crate::clock::to_millis(Utc::now());
    super::store::add_activity(
        db,
        &flat(&counts.members),
        &flat(&counts.channels),
        &names,
        at,
    )
    .await
}

/// The batch writer.
pub struct Flusher {
    pub state: AppState,
}

#[async_trait::async_trait]
impl Job for Flusher {
    fn name(&self) -> &'static str {
        "activity-writer"
    }

    async fn run_once(&self, now: DateTime<Utc>) -> anyhow::Result<Option<DateTime<Utc>>> {
        super::activity(&self.state).flush(&self.state.db).await?;
        Ok(Some(now + FLUSH_EVERY))
    }
}
