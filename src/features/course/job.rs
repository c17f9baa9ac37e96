//! The lesson unlocker: for each course with lessons, each current holder's due lessons are
//! unlocked once (the row, the lesson role through the outbox, a DM). It sleeps until the next
//! lesson is due (at most an hour) and wakes when grants change (a new student's "0d" lesson).

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use serenity::all::{RoleId, UserId};

use super::{rules, store};
use crate::clock::{from_millis, to_millis};
use crate::config::Config;
use crate::jobs::Job;
use crate::outbox::{self, Effect, MessageBody};
use crate::state::AppState;
use crate::t;

pub struct Unlocker {
    pub state: AppState,
}

impl Unlocker {
    /// Unlocks what is due at `now`. Returns the unlocks made and when the next lesson is due.
    pub async fn run_due(
        &self,
        now: DateTime<Utc>,
    ) -> anyhow::Result<(usize, Option<DateTime<Utc>>)> {
        let config = self.state.config.snapshot();
        let mut made = 0;
        let mut next: Option<DateTime<Utc>> = None;
        for product in config.products.iter().filter(|p| !p.lessons.is_empty()) {
            let (holders, unlocked) = {
                let mut conn = self.state.db.read.acquire().await?;
                (
                    store::holders(&mut conn, &product.id, to_millis(now)).await?,
                    store::unlocked(&mut conn, &product.id).await?,
                )
            };
            let unlocked: HashSet<(i64, i64)> = unlocked.into_iter().collect();
            // What is due and not yet unlocked, decided from the reads: the writer is taken
            // only when there is something to write.
            let mut to_unlock = Vec::new();
            for (member, start) in holders {
                let (due, later) = rules::due(&product.lessons, from_millis(start), now);
                if let Some(later) = later {
                    next = Some(next.map_or(later, |n| n.min(later)));
                }
                to_unlock.extend(
                    due.into_iter()
                        .filter(|l| !unlocked.contains(&(member, *l as i64)))
                        .map(|l| (member, l)),
                );
            }
            if to_unlock.is_empty() {
                continue;
            }
            let mut tx = self.state.db.write.begin().await?;
            for (member, lesson) in to_unlock {
                // The row decides: an unlock written meanwhile is not announced twice.
                let at = to_millis(now);
                if store::unlock(&mut tx, member, &product.id, lesson as i64, at).await? {
                    made += 1;
                    announce(&mut tx, &config, product, lesson, member, now).await?;
                }
            }
            self.state.commit(tx).await?;
        }
        Ok((made, next))
    }
}

/// The lesson role (through the outbox) and the DM for one unlock.
async fn announce(
    tx: &mut sqlx::SqliteConnection,
    config: &Config,
    product: &crate::config::Product,
    lesson: usize,
    member: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let user = UserId::new(member as u64);
    let l = &product.lessons[lesson];
    if let Some(role) = l.role {
        let effect = Effect::AddRole {
            guild_id: config.discord.guild_id,
            user_id: user,
            role_id: RoleId::new(role.get()),
            reason: format!("Lyceum: lesson {} of {} unlocked", lesson + 1, product.id),
        };
        outbox::enqueue(tx, &effect, now, None).await?;
    }
    let locale = crate::member_locale::of(tx, user, config.community.default_locale).await?;
    let text = t!(
        locale,
        "lesson-unlocked-dm",
        course = product.name.get(locale).to_string(),
        title = l.title.get(locale).to_string(),
        link = l.link.clone()
    );
    let dm = Effect::SendDm {
        user_id: user,
        body: MessageBody::text(text),
    };
    outbox::enqueue(tx, &dm, now, None).await?;
    Ok(())
}

#[async_trait::async_trait]
impl Job for Unlocker {
    fn name(&self) -> &'static str {
        "lessons"
    }

    async fn run_once(&self, now: DateTime<Utc>) -> anyhow::Result<Option<DateTime<Utc>>> {
        let (_, next) = self.run_due(now).await?;
        let hour = now + Duration::hours(1);
        Ok(Some(next.map_or(hour, |n| n.min(hour))))
    }
}
