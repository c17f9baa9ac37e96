//! The outbox under load: what a claim costs as the queue grows, and how fast a storm of role
//! changes goes out through the simulated Discord's rate limits.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use serde::Serialize;
use serenity::all::{GuildId, RoleId, UserId};

use super::fresh_db;
use crate::clock::SystemClock;
use crate::config::Config;
use crate::discord::delivery::{Rest, Worker};
use crate::harness::sim::limits::RateLimits;
use crate::harness::sim::{ids, Sim};
use crate::outbox::Effect;
use crate::state::AppState;

/// Microseconds per claim (claim, then hand back) with `pending` role changes queued, each
/// heading its own member: the case that used to sort the whole queue per claim.
pub async fn claim_cost(dir: &std::path::Path, pending: usize) -> anyhow::Result<f64> {
    let db = fresh_db(dir, &format!("claims-{pending}.db")).await?;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
         INSERT INTO outbox (ordering_key, kind, payload, next_attempt_at, created_at, priority)
         SELECT 'member:1:' || i, 'add_role', '{}', 1000, 1000, 2 FROM n",
    )
    .bind(pending as i64)
    .execute(&db.write)
    .await?;
    let now = crate::clock::from_millis(2_000);
    let rounds = 300;
    let began = Instant::now();
    for _ in 0..rounds {
        let claimed = crate::outbox::store::claim_next(&db, now)
            .await?
            .ok_or_else(|| anyhow::anyhow!("nothing to claim"))?;
        crate::outbox::store::release(&db, claimed.id, now, "bench").await?;
    }
    Ok(began.elapsed().as_secs_f64() * 1e6 / rounds as f64)
}

/// A role storm's result.
#[derive(Debug, Clone, Serialize)]
pub struct Storm {
    pub items: usize,
    pub concurrency: usize,
    pub elapsed_s: f64,
    pub items_per_s: f64,
    /// 429s the simulated Discord answered.
    pub rate_limited: u32,
}

/// The least time `items` requests of one bucket can take under `limits`: the first window's
/// burst goes at once, the rest at the tighter of the bucket's rate and the global rate, and
/// the last answer takes one latency.
pub fn unavoidable(limits: &RateLimits, items: usize) -> Duration {
    let bucket = limits
        .routes
        .iter()
        .find(|r| r.bucket == "role-add")
        .expect("the role-add bucket");
    let bucket_rate = f64::from(bucket.limit) / bucket.window.as_secs_f64();
    let global = f64::from(limits.global_per_second);
    let rate = if global > 0.0 {
        bucket_rate.min(global)
    } else {
        bucket_rate
    };
    let burst = bucket.limit.min(if global > 0.0 {
        limits.global_per_second
    } else {
        u32::MAX
    });
    let after_burst = items.saturating_sub(burst as usize) as f64 / rate;
    Duration::from_secs_f64(after_burst) + limits.latency
}

/// Adds a role to `items` members through the real outbox worker against a simulator that
/// enforces `limits`, `concurrency` deliveries at a time; returns when all are delivered.
pub async fn role_storm(
    dir: &std::path::Path,
    limits: RateLimits,
    items: usize,
    concurrency: usize,
) -> anyhow::Result<Storm> {
    let sim = Sim::start().await?;
    sim.set_rate_limits(limits);
    let members = sim.add_quiet_members(600_000_000_000_000_000, items);
    let db_path = dir.join(format!("storm-{concurrency}-{items}.db"));
    let text = crate::harness::sim::harness::config_text(
        &sim,
        &db_path,
        &format!("concurrency = {concurrency}\n"),
    );
    let config = Config::parse(&text).map_err(|p| anyhow::anyhow!("bench config: {p:?}"))?;
    let db = fresh_db(dir, &format!("storm-{concurrency}-{items}.db")).await?;
    let state = AppState::detached(db.clone(), config.clone(), Arc::new(SystemClock));
    let mut tx = db.write.begin().await?;
    let now = Utc::now();
    for member in &members {
        let effect = Effect::AddRole {
            guild_id: GuildId::new(ids::GUILD),
            user_id: UserId::new(*member),
            role_id: RoleId::new(ids::ROLE_PRO),
            reason: "bench".into(),
        };
        crate::outbox::enqueue(&mut tx, &effect, now, None).await?;
    }
    tx.commit().await?;
    let worker = Worker::new(state.clone(), Rest::new(&sim.api_url(), sim.token()));
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    let began = Instant::now();
    let job = crate::jobs::spawn(
        worker,
        state.clock.clone(),
        state.wakes.listen(crate::state::Topic::OUTBOX),
        stop_rx,
        state.health.clone(),
    );
    loop {
        let (pending,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
                .fetch_one(&db.read)
                .await?;
        if pending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = began.elapsed();
    let _ = stop.send(true);
    let _ = job.await;
    let (delivered,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE status = 'delivered'")
            .fetch_one(&db.read)
            .await?;
    anyhow::ensure!(
        delivered as usize == items,
        "only {delivered} of {items} role changes were delivered"
    );
    Ok(Storm {
        items,
        concurrency,
        elapsed_s: elapsed.as_secs_f64(),
        items_per_s: items as f64 / elapsed.as_secs_f64(),
        rate_limited: sim.rate_limited(),
    })
}

/// Discord's limits (50/s global, 50 role changes per second per guild) at `latency`.
pub fn discord_limits(latency: Duration) -> RateLimits {
    RateLimits {
        latency,
        ..RateLimits::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_floor_is_the_tighter_limit_after_the_first_burst() {
        let limits = discord_limits(Duration::from_millis(50));
        // 5,000 at 50/s after a burst of 50: 99 s, plus one answer's latency.
        assert_eq!(unavoidable(&limits, 5_000), Duration::from_millis(99_050));
        assert_eq!(unavoidable(&limits, 10), Duration::from_millis(50));
    }
}
