//! The hourly job that keeps the outbox table small: finished items older than
//! `outbox.keep_finished` are deleted; pending ones never are.

use chrono::{DateTime, Duration, Utc};

use super::store;
use crate::jobs::Job;
use crate::state::AppState;

/// How often the pruner runs.
pub const EVERY: Duration = Duration::hours(1);

pub struct Pruner {
    pub state: AppState,
}

#[async_trait::async_trait]
impl Job for Pruner {
    fn name(&self) -> &'static str {
        "outbox-prune"
    }

    async fn run_once(&self, now: DateTime<Utc>) -> anyhow::Result<Option<DateTime<Utc>>> {
        let keep = self.state.config.snapshot().outbox.keep_finished;
        let cutoff = Duration::from_std(keep)
            .ok()
            .and_then(|keep| now.checked_sub_signed(keep))
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let pruned = store::prune_finished(&self.state.db, cutoff).await?;
        if pruned > 0 {
            tracing::info!(pruned, "pruned finished outbox items");
        }
        Ok(Some(now + EVERY))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::{from_millis, ManualClock};
    use crate::config::Config;
    use crate::db::Db;
    use crate::outbox::{Effect, MessageBody};

    #[tokio::test]
    async fn finished_items_go_after_keep_finished_and_the_job_comes_back_hourly() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("p.db")).await.unwrap();
        let config =
            Config::parse("[discord]\nguild_id = 1\n[outbox]\nkeep_finished = \"7d\"\n").unwrap();
        let start = from_millis(1_700_000_000_000);
        let state = AppState::detached(db.clone(), config, Arc::new(ManualClock::new(start)));
        let effect = Effect::SendMessage {
            channel_id: serenity::all::ChannelId::new(1),
            body: MessageBody::text("hi"),
        };
        let mut tx = db.write.begin().await.unwrap();
        let id = store::enqueue(&mut tx, &effect, start, None)
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        store::finish(&db, id, crate::outbox::Status::Delivered, None, start)
            .await
            .unwrap();

        let pruner = Pruner { state };
        let six_days = start + Duration::days(6);
        assert_eq!(
            pruner.run_once(six_days).await.unwrap(),
            Some(six_days + EVERY)
        );
        assert_eq!(
            store::counts_by_status(&db).await.unwrap().len(),
            1,
            "kept for 7 days"
        );
        pruner.run_once(start + Duration::days(8)).await.unwrap();
        assert!(
            store::counts_by_status(&db).await.unwrap().is_empty(),
            "pruned after 7 days"
        );
    }
}
