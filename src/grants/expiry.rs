//! The one expiry job: ends grants whose time has come through [`end::end`] (the role goes
//! unless another open grant still covers it: overlapping grants last until the latest end),
//! and tells a paid member how to renew. It sleeps until the next end and is woken when a grant
//! is created.

use chrono::{DateTime, Utc};

use super::end::{self, Which};
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
            for ended in end::end(&mut tx, &config, Which::Id(grant.id), now).await? {
                let Some(product) = config.product(&ended.product) else {
                    continue;
                };
                // A paid product: the member hears how to renew.
                let default = config.community.default_locale;
                let locale = crate::member_locale::of(&mut tx, ended.member(), default).await?;
                let dm = Effect::SendDm {
                    user_id: ended.member(),
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
