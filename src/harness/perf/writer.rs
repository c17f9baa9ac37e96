//! The points writer against a growing ledger: its rate over the first and the second half of
//! a large insert, so a cost that grows with the ledger shows as a ratio below 1. (A per-member
//! index over every chat award did exactly that: each batch dirtied one page per member, and
//! the rate fell from 70k to 29k rows/s between 100k and 500k rows.)

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use serenity::all::{ChannelId, UserId};

use crate::features::points::ops;
use crate::features::points::store::Entry;

/// Rows per transaction: what the writer commits when a flood fills its batch.
const BATCH: usize = 2_000;

#[derive(Debug, Clone, Copy)]
pub struct Growth {
    pub rows: usize,
    pub rows_per_s: f64,
    pub first_half_per_s: f64,
    pub second_half_per_s: f64,
}

impl Growth {
    /// The second half's rate ÷ the first half's: 1 when the ledger's size costs nothing.
    pub fn ratio(&self) -> f64 {
        self.second_half_per_s / self.first_half_per_s
    }
}

/// Chat awards for `members` members, spread evenly, with increasing references and times
/// (as the hot path makes them).
fn awards(rows: usize, members: u64) -> Vec<Entry> {
    let start = Utc::now();
    (0..rows as u64)
        .map(|i| Entry {
            member: UserId::new(1 + (i * 7_919) % members),
            delta: 5,
            lifetime_delta: 5,
            kind: crate::features::points::Kind::Chat,
            reason: None,
            reference: Some(format!("chat:{}", 1_000_000_000_000 + i)),
            actor: None,
            channel: Some(ChannelId::new(1 + i % 50)),
            at: start + chrono::Duration::milliseconds(i as i64),
        })
        .collect()
}

/// Writes `rows` awards through the writer's own transaction function ([`ops::apply`]: ledger,
/// totals, level changes) in [`BATCH`]-row transactions on a fresh file.
pub async fn ledger_growth(dir: &Path, rows: usize, members: u64) -> anyhow::Result<Growth> {
    let db = super::fresh_db(dir, "ledger-growth.db").await?;
    let config = super::config();
    let entries = awards(rows, members);
    let half = rows / 2;
    let mut halves = [Duration::ZERO; 2];
    for (i, batch) in entries.chunks(BATCH).enumerate() {
        let began = Instant::now();
        let mut tx = db.write.begin().await?;
        ops::apply(&mut tx, &config, batch, Utc::now())
            .await
            .map_err(|e| anyhow::anyhow!("points batch: {e}"))?;
        tx.commit().await?;
        halves[usize::from(i * BATCH >= half)] += began.elapsed();
    }
    db.close().await;
    let per_s = |rows: usize, took: Duration| rows as f64 / took.as_secs_f64().max(1e-9);
    Ok(Growth {
        rows,
        rows_per_s: per_s(rows, halves[0] + halves[1]),
        first_half_per_s: per_s(half, halves[0]),
        second_half_per_s: per_s(rows - half, halves[1]),
    })
}
