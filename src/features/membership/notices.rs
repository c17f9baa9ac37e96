//! Renewal reminders and the grace notice, by DM: at each `renew_reminders` offset before the
//! paid time ends, and when it has ended (grace starts: the optional `grace_role` is added).
//! Each is a run record (member, product, paid end, offset) written with its outbox message,
//! so it is sent once whatever restarts happen; after downtime only the nearest is sent.

use chrono::{DateTime, Duration, Utc};
use serenity::all::UserId;

use super::rules;
use super::store;
use crate::clock::{from_millis, to_millis};
use crate::jobs::Job;
use crate::outbox::{self, Effect, MessageBody};
use crate::state::AppState;
use crate::t;

/// Re-plans at least this often (a grant made meanwhile may need an earlier reminder).
const RECHECK: Duration = Duration::hours(1);

pub struct Notices {
    pub state: AppState,
}

impl Notices {
    /// Sends what is due at `now`. Returns how many DMs were queued.
    pub async fn run_due(&self, now: DateTime<Utc>) -> anyhow::Result<usize> {
        let config = self.state.config.snapshot();
        let longest = config
            .products
            .iter()
            .flat_map(|p| p.renew_reminders.iter().copied().chain([p.grace]))
            .max()
            .unwrap_or_default();
        let longest = Duration::from_std(longest).unwrap_or_default();
        let mut tx = self.state.db.write.begin().await?;
        let candidates = crate::features::stats::store::paid_ends_between(
            &mut tx,
            to_millis(now - longest),
            to_millis(now + longest),
        )
        .await?;
        let mut queued = 0;
        for (member, product_id, paid, renews) in candidates {
            let Some(product) = config.product(&product_id) else {
                continue;
            };
            let paid_at = from_millis(paid);
            let grace = product.grace_span();
            let user = UserId::new(member as u64);
            let default = config.community.default_locale;
            let locale = crate::member_locale::of(&mut tx, user, default).await?;
            let name = product.name.get(locale).to_string();
            let text = if paid_at <= now {
                if now >= paid_at + grace
                    || !store::record_reminder(&mut tx, member, &product.id, paid, 0, now).await?
                {
                    continue;
                }
                if let Some(role) = product.grace_role {
                    let effect = Effect::AddRole {
                        guild_id: config.discord.guild_id,
                        user_id: user,
                        role_id: role,
                        reason: format!("Lyceum: {} grace", product.id),
                    };
                    outbox::enqueue(&mut tx, &effect, now, None).await?;
                }
                t!(
                    locale,
                    "membership-grace-dm",
                    product = name,
                    until = format!("<t:{}:F>", (paid_at + grace).timestamp()),
                    id = product.id.clone()
                )
            } else {
                // A Stripe subscription that renews by itself needs no reminder to renew.
                let Some(offset) =
                    rules::due_reminder(&product.renew_reminders, paid_at, now).filter(|_| !renews)
                else {
                    continue;
                };
                if !store::record_reminder(
                    &mut tx,
                    member,
                    &product.id,
                    paid,
                    offset.as_secs() as i64,
                    now,
                )
                .await?
                {
                    continue;
                }
                t!(
                    locale,
                    "membership-reminder-dm",
                    product = name,
                    until = format!("<t:{0}:F> (<t:{0}:R>)", paid_at.timestamp()),
                    id = product.id.clone()
                )
            };
            let dm = Effect::SendDm {
                user_id: user,
                body: MessageBody::text(text),
            };
            outbox::enqueue(&mut tx, &dm, now, None).await?;
            queued += 1;
        }
        self.state.commit(tx).await?;
        Ok(queued)
    }

    /// The next instant something could be due: each offset before the next paid end.
    async fn next(&self, now: DateTime<Utc>) -> anyhow::Result<DateTime<Utc>> {
        let config = self.state.config.snapshot();
        let mut offsets: Vec<std::time::Duration> = config
            .products
            .iter()
            .flat_map(|p| p.renew_reminders.iter().copied())
            .collect();
        offsets.push(std::time::Duration::ZERO);
        offsets.sort();
        offsets.dedup();
        let mut next = now + RECHECK;
        let mut conn = self.state.db.read.acquire().await?;
        for offset in offsets {
            let offset = Duration::from_std(offset).unwrap_or_default();
            if let Some(end) =
                store::next_paid_end_after(&mut conn, to_millis(now + offset)).await?
            {
                next = next.min(from_millis(end) - offset);
            }
        }
        Ok(next.max(now + Duration::seconds(1)))
    }
}

#[async_trait::async_trait]
impl Job for Notices {
    fn name(&self) -> &'static str {
        "membership-notices"
    }

    async fn run_once(&self, now: DateTime<Utc>) -> anyhow::Result<Option<DateTime<Utc>>> {
        self.run_due(now).await?;
        Ok(Some(self.next(now).await?))
    }
}
