//! The one expiry job: ends grants whose time has come and removes the role through the
//! outbox unless another open grant still covers it (overlapping grants last until the latest
//! end). It sleeps until the next end and is woken when a grant is created.

use chrono::{DateTime, Utc};
use serenity::all::{RoleId, UserId};

use super::store;
use crate::clock::from_millis;
use crate::jobs::Job;
use crate::outbox::{self, Effect, MessageBody};
use crate::state::AppState;

/// Grants ended per run (one transaction), so a large expiry does not hold the writer long.
const BATCH: i64 = 200;

pub struct Expiry {
    pub state: AppState,
}

impl Expiry {
    /// Ends what is due at `now`. Returns how many grants ended.
    pub async fn run_due(&self, now: DateTime<Utc>) -> anyhow::Result<usize> {
        let config = self.state.config.snapshot();
        let mut tx = self.state.db.write.begin().await?;
        let due = store::due(&mut tx, now, BATCH).await?;
        for grant in &due {
            store::end(&mut tx, grant.id, now).await?;
            if store::covered(&mut tx, grant.member_id, grant.role_id, now).await? {
                continue;
            }
            let effect = Effect::RemoveRole {
                guild_id: config.discord.guild_id,
                user_id: UserId::new(grant.member_id as u64),
                role_id: RoleId::new(grant.role_id as u64),
                reason: format!("Lyceum: {} ended", grant.product),
            };
            outbox::enqueue(&mut tx, &effect, now, None).await?;
            if let Some(product) = config.product(&grant.product) {
                // A paid product: its grace role goes too, and the member hears how to renew.
                if let Some(role) = product.grace_role {
                    let effect = Effect::RemoveRole {
                        guild_id: config.discord.guild_id,
                        user_id: UserId::new(grant.member_id as u64),
                        role_id: role,
                        reason: format!("Lyceum: {} ended", grant.product),
                    };
                    outbox::enqueue(&mut tx, &effect, now, None).await?;
                }
                let locale = config.community.default_locale;
                let dm = Effect::SendDm {
                    user_id: UserId::new(grant.member_id as u64),
                    body: MessageBody::text(crate::t!(
                        locale,
                        "membership-ended-dm",
                        product = product.name.get(locale).to_string(),
                        id = product.id.clone()
                    )),
                };
                outbox::enqueue(&mut tx, &dm, now, None).await?;
            }
        }
        self.state.commit(tx).await?;
        if !due.is_empty() {
            tracing::info!(ended = due.len(), "grants ended");
        }
        Ok(due.len())
    }
}

#[async_trait::async_trait]
impl Job for Expiry {
    fn name(&self) -> &'static str {
        "grants-expiry"
    }

    async fn run_once(&self, now: DateTime<Utc>) -> anyhow::Result<Option<DateTime<Utc>>> {
        if self.run_due(now).await? as i64 == BATCH {
            return Ok(Some(now));
        }
        Ok(store::next_end(&self.state.db).await?.map(from_millis))
    }
}
