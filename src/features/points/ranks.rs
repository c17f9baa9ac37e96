//! A member's rank for `/points show`. `1 + how many have more lifetime points` is a
//! `COUNT(*)` over the lifetime index that grows with the community: on 100,000 members with
//! points, most of a reply's time under a heavy flood (docs/performance.md). From
//! [`FROM_MEMBERS`] members with points the rank is read from a sorted snapshot of everyone's
//! lifetime points instead — rebuilt in the background when it is more than [`FRESH`] old, the
//! member's own points always current — as MEE6's and the web leaderboard's ranks are a little
//! behind. Smaller communities keep the exact count.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::store;
use crate::db::Db;

/// How old a snapshot may be before it is rebuilt (in the background; the old one serves
/// meanwhile).
pub const FRESH: Duration = Duration::from_secs(10);

/// How old a snapshot too small to answer may be before it is read again.
pub const RETRY_SMALL: Duration = Duration::from_secs(1);

/// From how many members with points the snapshot answers. Below, the exact count is cheap
/// (tens of µs); at 10,000 — the first threshold — it took 0.5 ms at the median and 2 ms at
/// p99 of a reply under a 20,000 msg/s flood, most of the reply's time.
pub const FROM_MEMBERS: usize = 1_000;

/// Everyone's lifetime points, highest first, and when they were read.
type Snapshot = (Instant, Arc<Vec<i64>>);

#[derive(Clone, Default)]
pub struct Ranks {
    snapshot: Arc<Mutex<Option<Snapshot>>>,
    rebuilding: Arc<AtomicBool>,
}

/// 1 + how many of `lifetimes` (descending) are above `lifetime`.
pub fn rank_in(lifetimes: &[i64], lifetime: i64) -> i64 {
    lifetimes.partition_point(|v| *v > lifetime) as i64 + 1
}

impl Ranks {
    /// The rank of a member with `lifetime` points.
    pub async fn rank(&self, db: &Db, lifetime: i64) -> sqlx::Result<i64> {
        let kept = self.snapshot.lock().expect("ranks lock").clone();
        // One too small to answer is read again sooner: a community gaining members with
        // points (a launch, a fresh install) crosses the threshold within seconds.
        let stale = kept.as_ref().is_none_or(|(at, lifetimes)| {
            let fresh = if lifetimes.len() >= FROM_MEMBERS {
                FRESH
            } else {
                RETRY_SMALL
            };
            at.elapsed() > fresh
        });
        if stale && !self.rebuilding.swap(true, Ordering::AcqRel) {
            let (ranks, db) = (self.clone(), db.clone());
            tokio::spawn(async move {
                if let Ok(lifetimes) = store::lifetimes_desc(&db).await {
                    *ranks.snapshot.lock().expect("ranks lock") =
                        Some((Instant::now(), Arc::new(lifetimes)));
                }
                ranks.rebuilding.store(false, Ordering::Release);
            });
        }
        match kept {
            Some((_, lifetimes)) if lifetimes.len() >= FROM_MEMBERS => {
                Ok(rank_in(&lifetimes, lifetime))
            }
            _ => store::rank(db, lifetime).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rank_counts_those_strictly_above() {
        let lifetimes = [900, 500, 500, 120, 0];
        assert_eq!(rank_in(&lifetimes, 1_000), 1);
        assert_eq!(rank_in(&lifetimes, 900), 1);
        assert_eq!(rank_in(&lifetimes, 500), 2, "ties share a rank");
        assert_eq!(rank_in(&lifetimes, 499), 4);
        assert_eq!(rank_in(&lifetimes, 0), 5);
        assert_eq!(rank_in(&[], 10), 1);
    }

    /// The snapshot's rank equals the exact count on a large community (checked at the
    /// threshold, where the snapshot starts answering).
    #[tokio::test]
    async fn on_a_large_community_the_snapshot_answers_as_the_count_would() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("r.db")).await.unwrap();
        // The bench's community: lifetimes spread over 0..20,000 with many ties.
        let mut tx = db.write.begin().await.unwrap();
        crate::harness::perf::process::seed_members(&mut tx, FROM_MEMBERS as i64, 1_000, 0)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let ranks = Ranks::default();
        // The first read counts (and starts the snapshot); later ones read the snapshot.
        assert_eq!(
            ranks.rank(&db, 500).await.unwrap(),
            store::rank(&db, 500).await.unwrap()
        );
        for _ in 0..200 {
            if ranks.snapshot.lock().unwrap().is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(ranks.snapshot.lock().unwrap().is_some());
        for lifetime in [0, 1, 500, 7_919, 19_999, 25_000] {
            assert_eq!(
                ranks.rank(&db, lifetime).await.unwrap(),
                store::rank(&db, lifetime).await.unwrap(),
                "{lifetime}"
            );
        }
    }
}
