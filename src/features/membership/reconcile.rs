//! Reconciliation, on start and every `membership.reconcile_every`: who should hold each
//! product role (open grants) against who does (the guild member list, paged over REST: the
//! gateway's member cache is not complete for large servers), fixing only the differences
//! through the outbox. A product role held without a grant is reported in the mod log (and
//! removed when `membership.strict`). Discord entitlements are polled in the same pass, since
//! Discord sends no event when a subscription is cancelled.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use poise::serenity_prelude as serenity;

use crate::clock::to_millis;
use crate::features::common::modlog;
use crate::jobs::Job;
use crate::outbox::{self, Effect};
use crate::state::AppState;
use crate::t;

/// A removal this recent may still be in the outbox: not a hand-added role.
const SETTLING: Duration = Duration::minutes(10);

pub struct Reconcile {
    pub state: AppState,
    pub http: Arc<serenity::Http>,
    /// (member, role) already reported, so the mod log hears about each once per process.
    reported: Mutex<HashSet<(u64, u64)>>,
}

/// What one pass found and queued.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pass {
    pub added: usize,
    pub removed: usize,
    pub reported: usize,
    pub entitlements_changed: usize,
}

impl Reconcile {
    pub fn new(state: AppState, http: Arc<serenity::Http>) -> Reconcile {
        Reconcile {
            state,
            http,
            reported: Mutex::new(HashSet::new()),
        }
    }

    async fn all_members(&self, guild: serenity::GuildId) -> anyhow::Result<Vec<serenity::Member>> {
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let page = self
                .http
                .get_guild_members(guild, Some(1000), after)
                .await?;
            let last = page.last().map(|m| m.user.id.get());
            let full = page.len() == 1000;
            out.extend(page);
            match (full, last) {
                (true, Some(last)) => after = Some(last),
                _ => return Ok(out),
            }
        }
    }

    async fn poll_entitlements(&self, now: DateTime<Utc>) -> anyhow::Result<usize> {
        let config = self.state.config.snapshot();
        if config.products.iter().all(|p| p.discord_sku_ids.is_empty()) {
            return Ok(0);
        }
        let mut listed = Vec::new();
        let mut after = None;
        loop {
            let page = self
                .http
                .get_entitlements(
                    None,
                    None,
                    None,
                    after,
                    Some(100),
                    Some(config.discord.guild_id),
                    None,
                )
                .await?;
            let last = page.iter().map(|e| e.id).max();
            let full = page.len() == 100;
            listed.extend(page);
            match (full, last) {
                (true, Some(last)) => after = Some(last),
                _ => break,
            }
        }
        let mut tx = self.state.db.write.begin().await?;
        let mut changed = 0;
        for entitlement in &listed {
            if super::entitlements::apply(&mut tx, &config, entitlement, now)
                .await
                .map_err(|e| anyhow::anyhow!("entitlement {}: {e:?}", entitlement.id))?
            {
                changed += 1;
            }
        }
        changed += super::entitlements::end_unlisted(&mut tx, &config, &listed, now)
            .await
            .map_err(|e| anyhow::anyhow!("entitlements: {e:?}"))?;
        self.state.commit(tx).await?;
        Ok(changed)
    }

    /// One pass at `now`.
    pub async fn pass(&self, now: DateTime<Utc>) -> anyhow::Result<Pass> {
        let mut pass = Pass {
            entitlements_changed: self.poll_entitlements(now).await?,
            ..Pass::default()
        };
        let config = self.state.config.snapshot();
        let roles: HashSet<u64> = config.products.iter().map(|p| p.role.get()).collect();
        if roles.is_empty() {
            return Ok(pass);
        }
        let members = self.all_members(config.discord.guild_id).await?;
        let now_ms = to_millis(now);
        let should: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT DISTINCT member_id, role_id FROM grants WHERE ended_at IS NULL AND starts_at <= ?1
               AND (ends_at IS NULL OR ends_at > ?1)",
        )
        .bind(now_ms)
        .fetch_all(&self.state.db.read)
        .await?;
        let should: HashSet<(u64, u64)> = should
            .into_iter()
            .map(|(m, r)| (m as u64, r as u64))
            .collect();
        let settling: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT member_id, role_id FROM grants WHERE ended_at > ? OR ends_at BETWEEN ? AND ?",
        )
        .bind(to_millis(now - SETTLING))
        .bind(to_millis(now - SETTLING))
        .bind(now_ms)
        .fetch_all(&self.state.db.read)
        .await?;
        let settling: HashSet<(u64, u64)> = settling
            .into_iter()
            .map(|(m, r)| (m as u64, r as u64))
            .collect();
        let names: HashMap<u64, String> = config
            .products
            .iter()
            .map(|p| (p.role.get(), p.id.clone()))
            .collect();
        let mut tx = self.state.db.write.begin().await?;
        let mut unexplained: Vec<String> = Vec::new();
        for member in &members {
            if member.user.bot {
                continue;
            }
            let id = member.user.id.get();
            let has: HashSet<u64> = member.roles.iter().map(|r| r.get()).collect();
            for role in &roles {
                let wanted = should.contains(&(id, *role));
                let held = has.contains(role);
                let reason = format!("Lyceum: reconcile {}", names[role]);
                if wanted && !held {
                    let effect = Effect::AddRole {
                        guild_id: config.discord.guild_id,
                        user_id: member.user.id,
                        role_id: serenity::RoleId::new(*role),
                        reason,
                    };
                    outbox::enqueue(&mut tx, &effect, now, None).await?;
                    pass.added += 1;
                } else if held && !wanted && !settling.contains(&(id, *role)) {
                    if config.membership.strict {
                        let effect = Effect::RemoveRole {
                            guild_id: config.discord.guild_id,
                            user_id: member.user.id,
                            role_id: serenity::RoleId::new(*role),
                            reason,
                        };
                        outbox::enqueue(&mut tx, &effect, now, None).await?;
                        pass.removed += 1;
                    }
                    let first = self
                        .reported
                        .lock()
                        .expect("reported lock")
                        .insert((id, *role));
                    if first {
                        unexplained.push(format!("<@{id}> · `{}`", names[role]));
                        pass.reported += 1;
                    }
                }
            }
        }
        if !unexplained.is_empty() {
            let strict = config.membership.strict;
            modlog::post(&mut tx, &config, now, |l| {
                let head = if strict {
                    t!(l, "modlog-unpaid-removed", count = unexplained.len() as i64)
                } else {
                    t!(l, "modlog-unpaid-held", count = unexplained.len() as i64)
                };
                crate::discord::reply::fit(format!("{head}\n{}", unexplained.join("\n")))
            })
            .await?;
        }
        self.state.commit(tx).await?;
        if pass != Pass::default() {
            tracing::info!(?pass, "membership reconciled");
        }
        Ok(pass)
    }
}

#[async_trait::async_trait]
impl Job for Reconcile {
    fn name(&self) -> &'static str {
        "membership-reconcile"
    }

    async fn run_once(&self, now: DateTime<Utc>) -> anyhow::Result<Option<DateTime<Utc>>> {
        self.pass(now).await?;
        let every = self.state.config.snapshot().membership.reconcile_every;
        Ok(Some(
            now + Duration::from_std(every).unwrap_or(Duration::minutes(10)),
        ))
    }
}
