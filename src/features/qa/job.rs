//! The Q&A deadline job: refunds questions nobody answered in time.

use chrono::{DateTime, Utc};

use super::ops::refund;
use super::store;
use crate::clock::{from_millis, to_millis};
use crate::jobs::Job;
use crate::state::AppState;

/// Refunds questions past their deadline; sleeps until the next deadline.
pub struct Deadlines {
    pub state: AppState,
}

#[async_trait::async_trait]
impl Job for Deadlines {
    fn name(&self) -> &'static str {
        "qa-deadlines"
    }

    async fn run_once(&self, now: DateTime<Utc>) -> anyhow::Result<Option<DateTime<Utc>>> {
        let config = self.state.config.snapshot();
        crate::features::points::engine(&self.state).flush().await;
        let mut tx = self.state.db.write.begin().await?;
        let due = store::due(&mut tx, to_millis(now)).await?;
        for q in &due {
            refund(&mut tx, &config, q, super::Status::Refunded, now)
                .await
                .map_err(|e| anyhow::anyhow!("question {}: {e:?}", q.id))?;
        }
        self.state.commit(tx).await?;
        let next = store::next_deadline(&self.state.db).await?;
        Ok(next.map(from_millis))
    }
}
