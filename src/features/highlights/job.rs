//! The start-here job: reads the grants made since it last looked (a cursor, so none is missed
//! across restarts) and queues each new paid member's start-here DM, once per member. Woken
//! when grants change; looks every minute anyway.

use chrono::{DateTime, Duration, Utc};

use super::{ops, store};
use crate::jobs::Job;
use crate::state::AppState;

const BATCH: i64 = 200;

pub struct StartHere {
    pub state: AppState,
}

impl StartHere {
    /// Handles the grants after the cursor. Returns the DMs queued.
    pub async fn run_due(&self, now: DateTime<Utc>) -> anyhow::Result<usize> {
        let config = self.state.config.snapshot();
        let mut sent = 0;
        loop {
            let grants = {
                let mut conn = self.state.db.read.acquire().await?;
                store::grants_after_cursor(&mut conn, BATCH).await?
            };
            let Some(last) = grants.last().map(|g| g.0) else {
                return Ok(sent);
            };
            let mut tx = self.state.db.write.begin().await?;
            for (_, member, product) in &grants {
                if ops::start_here(&mut tx, &config, *member, product, now)
                    .await
                    .map_err(|e| anyhow::anyhow!("start here for {member}: {e:?}"))?
                {
                    sent += 1;
                }
            }
            store::move_cursor(&mut tx, last).await?;
            self.state.commit(tx).await?;
            if (grants.len() as i64) < BATCH {
                return Ok(sent);
            }
        }
    }
}

#[async_trait::async_trait]
impl Job for StartHere {
    fn name(&self) -> &'static str {
        "start-here"
    }

    async fn run_once(&self, now: DateTime<Utc>) -> anyhow::Result<Option<DateTime<Utc>>> {
        self.run_due(now).await?;
        Ok(Some(now + Duration::minutes(1)))
    }
}
