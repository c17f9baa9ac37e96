//! The challenge poster: a `jobs::Job` that posts each due day's prompt once (the day's row
//! and the outbox item in one transaction) and ends challenges whose last deadline passed. It
//! sleeps until the next day or ending (one indexed query) and wakes when a challenge is made.

use chrono::{DateTime, Utc};

use super::{ops, store};
use crate::clock::{from_millis, to_millis};
use crate::jobs::Job;
use crate::state::AppState;

/// Days posted per run.
const BATCH: i64 = 100;

pub struct Poster {
    pub state: AppState,
}

impl Poster {
    /// Posts what is due and ends what is over at `now`. Returns the prompts queued.
    pub async fn run_due(&self, now: DateTime<Utc>) -> anyhow::Result<usize> {
        let config = self.state.config.snapshot();
        let (due, ended) = {
            let mut conn = self.state.db.read.acquire().await?;
            (
                store::due_days(&mut conn, to_millis(now), BATCH).await?,
                store::ended(&mut conn, to_millis(now)).await?,
            )
        };
        let mut posted = 0;
        for (challenge, day) in due {
            let mut tx = self.state.db.write.begin().await?;
            if ops::post_day(&mut tx, &config, challenge, day, now)
                .await
                .map_err(|e| anyhow::anyhow!("challenge {challenge} day {day}: {e:?}"))?
            {
                posted += 1;
            }
            self.state.commit(tx).await?;
        }
        for challenge in ended {
            let mut tx = self.state.db.write.begin().await?;
            let outcome = ops::end(&mut tx, &config, challenge, now)
                .await
                .map_err(|e| anyhow::anyhow!("ending challenge {challenge}: {e:?}"))?;
            self.state.commit(tx).await?;
            if let Some((finishers, participants)) = outcome {
                tracing::info!(challenge, finishers, participants, "challenge ended");
            }
        }
        Ok(posted)
    }
}

#[async_trait::async_trait]
impl Job for Poster {
    fn name(&self) -> &'static str {
        "challenges"
    }

    async fn run_once(&self, now: DateTime<Utc>) -> anyhow::Result<Option<DateTime<Utc>>> {
        self.run_due(now).await?;
        Ok(store::next_due(&self.state.db).await?.map(from_millis))
    }
}
