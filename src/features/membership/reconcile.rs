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
use reqwest::Method;

use crate::discord::rate_limits::RateLimiter;
use crate::grants::reconcile::{self, Change};
use crate::jobs::Job;
use crate::modlog;
use crate::outbox::{self, Effect};
use crate::state::AppState;
use crate::t;

pub struct Reconcile {
    pub state: AppState,
    pub http: Arc<serenity::Http>,
    /// The bot's one rate limiter: a pass's pages count against Discord's global limit
    /// like the outbox's deliveries.
    limiter: Arc<RateLimiter>,
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
    pub fn new(state: AppState, http: Arc<serenity::Http>, limiter: Arc<RateLimiter>) -> Reconcile {
        Reconcile {
            state,
            http,
            limiter,
            reported: Mutex::new(HashSet::new()),
        }
    }

    async fn all_members(&self, guild: serenity::GuildId) -> anyhow::Result<Vec<serenity::Member>> {
        let mut out = Vec::new();
        let mut after = None;
        let path = format!("/guilds/{guild}/members");
        loop {
            let page = self
                .limiter
                .around(
                    Method::GET,
                    &path,
                    self.http.get_guild_members(guild, Some(1000), after),
                )
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
        // Every entitlement of the application, unfiltered: a user subscription's names no
        // guild, so a `guild_id` filter would hide it (and its grant would look vanished).
        // A grant made after the listing began (ENTITLEMENT_CREATE meanwhile) is not judged.
        let started = now;
        let mut listed = Vec::new();
        let mut after = None;
        let Some(application) = self.http.application_id() else {
            // Known from READY; `run_once` waits for it before a pass.
            return Ok(0);
        };
        let path = format!("/applications/{application}/entitlements");
        loop {
            let page = self
                .limiter
                .around(
                    Method::GET,
                    &path,
                    self.http
                        .get_entitlements(None, None, None, after, Some(100), None, None),
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
            if super::entitlements::apply_polled(&mut tx, &config, entitlement, started, now)
                .await
                .map_err(|e| anyhow::anyhow!("entitlement {}: {e:?}", entitlement.id))?
            {
                changed += 1;
            }
        }
        changed += super::entitlements::end_unlisted(&mut tx, &config, &listed, started, now)
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
        let truth = reconcile::Truth::at(&self.state.db, now).await?;
        let names: HashMap<u64, String> = config
            .products
            .iter()
            .map(|p| (p.role.get(), p.id.clone()))
            .collect();
        let held: Vec<(u64, Vec<u64>)> = members
            .iter()
            .filter(|m| !m.user.bot)
            .map(|m| (m.user.id.get(), m.roles.iter().map(|r| r.get()).collect()))
            .collect();
        let mut tx = self.state.db.write.begin().await?;
        let mut unexplained: Vec<String> = Vec::new();
        for change in truth.diff(&held, &roles) {
            let (id, role) = match change {
                Change::Add(id, role) | Change::Unexplained(id, role) => (id, role),
            };
            let add = matches!(change, Change::Add(..));
            if add || config.membership.strict {
                let effect = Effect::role_change(
                    add,
                    config.discord.guild_id,
                    serenity::UserId::new(id),
                    serenity::RoleId::new(role),
                    format!("Lyceum: reconcile {}", names[&role]),
                );
                outbox::enqueue(&mut tx, &effect, now, None).await?;
                if add {
                    pass.added += 1;
                    continue;
                }
                pass.removed += 1;
            }
            let first = self
                .reported
                .lock()
                .expect("reported lock")
                .insert((id, role));
            if first {
                unexplained.push(format!("<@{id}> · `{}`", names[&role]));
                pass.reported += 1;
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
        let config = self.state.config.snapshot();
        let polls = config
            .products
            .iter()
            .any(|p| !p.discord_sku_ids.is_empty());
        if polls && self.http.application_id().is_none() {
            // Before READY the application id is unknown and the entitlement list cannot be
            // asked for: the first pass waits for the gateway instead of failing.
            return Ok(Some(now + Duration::milliseconds(250)));
        }
        self.pass(now).await?;
        let every = self.state.config.snapshot().membership.reconcile_every;
        Ok(Some(
            now + Duration::from_std(every).unwrap_or(Duration::minutes(10)),
        ))
    }
}
