//! What standing work costs: the scheduler holding 10,000 active schedules while nothing is
//! due, and a membership reconcile's diff over 100,000 members.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::fresh_db;
use crate::clock::{to_millis, SystemClock};
use crate::features::schedule::job::Scheduler;
use crate::grants::reconcile::{diff, Change};
use crate::state::AppState;

/// CPU seconds this process has used (user + system), from /proc (0 where there is none).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line; 11 and 12 after the ')'.
    (ticks(11) + ticks(12)) / 100.0
}

/// Percent of one core the scheduler job uses over `window` with `schedules` active weekly
/// events, none due in the window.
pub async fn scheduler_idle(
    dir: &std::path::Path,
    schedules: usize,
    window: Duration,
) -> anyhow::Result<f64> {
    let db = fresh_db(dir, "schedules.db").await?;
    let tomorrow = to_millis(Utc::now()) + 86_400_000;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
         INSERT INTO events (title, channel_id, starts_local, repeat, next_at, due_at, prev_at, created_by, created_at)
         SELECT 'Weekly session ' || i, 1000 + i % 50, '2026-12-01 20:00', 'weekly',
                ?2 + i * 60000, ?2 + i * 60000, ?2 - 604800000, 1, ?2 FROM n",
    )
    .bind(schedules as i64)
    .bind(tomorrow)
    .execute(&db.write)
    .await?;
    let state = AppState::detached(db, super::config(), Arc::new(SystemClock))
        .with_part(crate::features::schedule::Engine::default());
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    let scheduler = Scheduler {
        state: state.clone(),
    };
    let name = crate::jobs::Job::name(&scheduler);
    let job = crate::jobs::spawn(
        scheduler,
        state.clock.clone(),
        state.wakes.listen(crate::features::schedule::EVENTS),
        stop_rx,
        state.health.clone(),
    );
    // Past its start (the first run plans and refreshes), then the idle window.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let cpu = cpu_seconds();
    let began = Instant::now();
    tokio::time::sleep(window).await;
    let used = cpu_seconds() - cpu;
    let elapsed = began.elapsed().as_secs_f64();
    let _ = stop.send(true);
    let _ = job.await;
    // A job that panics is retried after a pause and would measure as idle.
    let panics = state.health.panics(name);
    anyhow::ensure!(
        panics == 0,
        "the scheduler panicked {panics} times while measured"
    );
    Ok(100.0 * used / elapsed)
}

/// Milliseconds to compute a reconcile diff: `members` members, 3 product roles, a third of
/// them paying, with a few roles missing and a few held without a grant.
pub fn reconcile_diff_ms(members: usize) -> (f64, usize) {
    let roles: HashSet<u64> = [11, 12, 13].into();
    let mut should = HashSet::new();
    let mut held = Vec::with_capacity(members);
    for i in 0..members as u64 {
        let id = 1_000_000 + i;
        let role = 11 + i % 3;
        let pays = i % 3 == 0;
        if pays {
            should.insert((id, role));
        }
        let mut has = vec![1, 2];
        // 1 in 100 payers lacks the role; 1 in 200 others holds one unpaid.
        if (pays && i % 100 != 0) || (!pays && i % 200 == 1) {
            has.push(role);
        }
        held.push((id, has));
    }
    let settling = HashSet::new();
    let began = Instant::now();
    let changes = diff(&held, &roles, &should, &settling);
    let ms = began.elapsed().as_secs_f64() * 1e3;
    let count = changes
        .iter()
        .filter(|c| matches!(c, Change::Add(..) | Change::Unexplained(..)))
        .count();
    (ms, count)
}
