//! The scheduler: a `jobs::Job` that sleeps until the next due instant (one indexed query, no
//! polling of every row), handles what is due, and is woken when an event is created or edited.

use chrono::{DateTime, Utc};

use super::{ops, store};
use crate::clock::from_millis;
use crate::jobs::Job;
use crate::state::AppState;

/// Events handled per run (one transaction each).
const BATCH: i64 = 100;

pub struct Scheduler {
    pub state: AppState,
}

impl Scheduler {
    /// Handles every event due at `now`. Returns how many messages were queued.
    pub async fn run_due(&self, now: DateTime<Utc>) -> anyhow::Result<usize> {
        let config = self.state.config.snapshot();
        let due = {
            let mut conn = self.state.db.read.acquire().await?;
            store::due(&mut conn, now, BATCH).await?
        };
        let mut queued = 0;
        for row in due {
            let mut tx = self.state.db.write.begin().await?;
            // Read again inside the write transaction: an edit or a second runner may have
            // moved the plan meanwhile.
            let Some(current) = store::get(&mut tx, row.id).await? else {
                continue;
            };
            if current.status != super::Status::Active
                || current
                    .due_at
                    .is_none_or(|d| d > crate::clock::to_millis(now))
            {
                continue;
            }
            queued += ops::run_event(&mut tx, &config, &current, now)
                .await
                .map_err(|e| anyhow::anyhow!("event {}: {e:?}", row.id))?;
            self.state.commit_with(tx, &[super::OCCURRENCES]).await?;
        }
        Ok(queued)
    }
}

#[async_trait::async_trait]
impl Job for Scheduler {
    fn name(&self) -> &'static str {
        "scheduler"
    }

    async fn run_once(&self, now: DateTime<Utc>) -> anyhow::Result<Option<DateTime<Utc>>> {
        self.run_due(now).await?;
        super::engine(&self.state)
            .refresh(&self.state.db, now)
            .await?;
        Ok(store::next_due(&self.state.db).await?.map(from_millis))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::ManualClock;
    use crate::config::Config;
    use crate::db::Db;
    use crate::features::schedule::{ops, recurrence, store};

    async fn state(start: DateTime<Utc>) -> (tempfile::TempDir, AppState) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("s.db")).await.unwrap();
        let config = Config::parse(
            "[discord]\nguild_id = 1\n[community]\ntimezone = \"Europe/Berlin\"\n[channels]\nannouncements = 9\n",
        )
        .unwrap();
        let state = AppState::detached(db, config, Arc::new(ManualClock::new(start)))
            .with_part(super::super::Engine::default());
        (dir, state)
    }

    async fn add(state: &AppState, when: &str, repeat: &str, remind: &str, now: DateTime<Utc>) {
        let tz = state.config.snapshot().community.timezone;
        let start = recurrence::parse_when(when, now, tz).unwrap();
        let series = ops::Series {
            repeat: recurrence::parse_repeat(repeat, start).unwrap(),
            reminders: recurrence::parse_reminders(remind).unwrap(),
            start,
        };
        let (next, due) = ops::first_plan(&series, tz, now).unwrap();
        let mut tx = state.db.write.begin().await.unwrap();
        let new = store::NewEvent {
            title: "Weekly",
            description: "",
            channel_id: 9,
            starts_local: start.format(ops::LOCAL_FORMAT).to_string(),
            repeat,
            remind,
            duration_s: 3600,
            catch_up: "post_late",
            next_at: next,
            due_at: due,
            prev_at: crate::clock::to_millis(now),
            created_by: 1,
            translations: None,
            mirror: None,
        };
        store::insert(&mut tx, &new, now).await.unwrap();
        tx.commit().await.unwrap();
    }

    async fn posted(state: &AppState) -> Vec<String> {
        crate::outbox::store::payloads(&state.db).await.unwrap()
    }

    /// Stepping the clock from due instant to due instant, as the job loop does.
    #[tokio::test]
    async fn a_year_of_weekly_events_fires_52_times_with_their_reminders() {
        let start: DateTime<Utc> = "2027-01-01T00:00:00Z".parse().unwrap();
        let (_dir, state) = state(start).await;
        add(&state, "2027-01-05 20:00", "weekly", "1h", start).await;
        let job = Scheduler {
            state: state.clone(),
        };
        let end: DateTime<Utc> = "2028-01-01T00:00:00Z".parse().unwrap();
        let mut now = start;
        let mut runs = 0;
        while let Some(next) = job.run_once(now).await.unwrap() {
            if next >= end {
                break;
            }
            assert!(next > now || runs == 0, "the plan moves forward");
            now = next;
            runs += 1;
            assert!(runs < 1_000, "runaway");
        }
        let payloads = posted(&state).await;
        let announcements = payloads.iter().filter(|p| p.contains("embeds")).count();
        let reminders = payloads.iter().filter(|p| p.contains("Reminder")).count();
        // 52 occurrences, each reminded; each announced when the previous one started (the
        // 53rd, in January, was announced when the 52nd began).
        assert_eq!((announcements, reminders), (53, 52));
        // Running again at any instant posts nothing twice.
        job.run_once(now).await.unwrap();
        assert_eq!(posted(&state).await.len(), 105);
    }
}
