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
use crate::jobs::Job;
use crate::modlog;
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

/// One difference between who should hold a product role and who does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// (member, role): a grant is open but the member lacks the role.
    Add(u64, u64),
    /// (member, role): held with no open grant and no removal settling.
    Unexplained(u64, u64),
}

/// The differences between `members` (id, roles held) and the open grants (`should`), over
/// the product `roles`. Pure and linear in members × product roles: 100,000 members take
/// milliseconds (`cargo bench --bench pipeline` measures it).
pub fn diff(
    members: &[(u64, Vec<u64>)],
    roles: &HashSet<u64>,
    should: &HashSet<(u64, u64)>,
    settling: &HashSet<(u64, u64)>,
) -> Vec<Change> {
    let mut changes = Vec::new();
    for (id, has) in members {
        for role in roles {
            let wanted = should.contains(&(*id, *role));
            let held = has.contains(role);
            if wanted && !held {
                changes.push(Change::Add(*id, *role));
            } else if held && !wanted && !settling.contains(&(*id, *role)) {
                changes.push(Change::Unexplained(*id, *role));
            }
        }
    }
    changes
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
        // Every entitlement of the application, unfiltered: a user subscription's names no
        // guild, so a `guild_id` filter would hide it (and its grant would look vanished).
        // A grant made after the listing began (ENTITLEMENT_CREATE meanwhile) is not judged.
        let started = now;
        let mut listed = Vec::new();
        let mut after = None;
        loop {
            let page = self
                .http
                .get_entitlements(None, None, None, after, Some(100), None, None)
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
        let now_ms = to_millis(now);
        let should = crate::grants::store::held_at(&self.state.db, now_ms).await?;
        let should: HashSet<(u64, u64)> = should
            .into_iter()
            .map(|(m, r)| (m as u64, r as u64))
            .collect();
        let since = to_millis(now - SETTLING);
        let settling = crate::grants::store::settling(&self.state.db, since, now_ms).await?;
        let settling: HashSet<(u64, u64)> = settling
            .into_iter()
            .map(|(m, r)| (m as u64, r as u64))
            .collect();
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
        for change in diff(&held, &roles, &should, &settling) {
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
        self.pass(now).await?;
        let every = self.state.config.snapshot().membership.reconcile_every;
        Ok(Some(
            now + Duration::from_std(every).unwrap_or(Duration::minutes(10)),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_diff_adds_missing_roles_and_reports_unexplained_ones_but_not_settling_ones() {
        let roles: HashSet<u64> = [10, 20].into();
        let should: HashSet<(u64, u64)> = [(1, 10), (2, 10), (3, 20)].into();
        let settling: HashSet<(u64, u64)> = [(4, 20)].into();
        let members = vec![
            (1, vec![10]),     // has what they paid for
            (2, vec![]),       // paid, role missing
            (3, vec![10, 20]), // 10 without a grant
            (4, vec![20]),     // removal still in the outbox
            (5, vec![99]),     // no product roles at all
        ];
        let mut changes = diff(&members, &roles, &should, &settling);
        changes.sort_by_key(|c| match c {
            Change::Add(m, r) | Change::Unexplained(m, r) => (*m, *r),
        });
        assert_eq!(
            changes,
            vec![Change::Add(2, 10), Change::Unexplained(3, 10)]
        );
    }
}
