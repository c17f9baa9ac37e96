//! The weekly digest to `channels.staff` (day and local time from `[plan]`): what was
//! published, what is behind, and the events of the coming week. Once per week, whatever
//! restarts happen; a digest more than a day late is skipped.

use chrono::{DateTime, Datelike, Duration, Utc};

use super::{plan, progress, store};
use crate::clock::to_millis;
use crate::jobs::Job;
use crate::outbox::{self, Effect, MessageBody};
use crate::state::AppState;
use crate::t;

pub struct Digest {
    pub state: AppState,
}

impl Digest {
    /// Posts the digest due at or before `now`, if it has not been posted. Returns whether it
    /// posted.
    pub async fn post_due(&self, now: DateTime<Utc>) -> anyhow::Result<bool> {
        let config = self.state.config.snapshot();
        let Some(staff) = config.channels.staff else {
            return Ok(false);
        };
        let tz = config.community.timezone;
        // The most recent digest instant at or before now.
        let last = plan::next_digest(
            tz,
            config.plan.digest_day,
            config.plan.digest_time,
            now - Duration::days(7),
        );
        let last = if last > now {
            last - Duration::days(7)
        } else {
            last
        };
        if now - last > Duration::days(1) || last > now {
            return Ok(false);
        }
        let local = last.with_timezone(&tz).date_naive();
        let week = format!(
            "{}-W{:02}",
            local.iso_week().year(),
            local.iso_week().week()
        );
        let locale = config.community.default_locale;
        let mut text = t!(locale, "digest-title", week = week.clone());
        text.push('\n');
        text.push_str(&progress::report(&self.state.db, &config, now, locale).await?);
        let upcoming: Vec<String> = store::list(&self.state.db, 50)
            .await?
            .into_iter()
            .filter(|e| {
                e.status == super::Status::Active
                    && e.next_at
                        .is_some_and(|n| n < to_millis(now + Duration::days(7)))
            })
            .map(|e| format!("• **{}** <t:{}:F>", e.title, e.next_at.unwrap_or(0) / 1000))
            .collect();
        text.push_str("\n\n");
        if upcoming.is_empty() {
            text.push_str(&t!(locale, "digest-no-events"));
        } else {
            text.push_str(&t!(locale, "digest-events"));
            text.push('\n');
            text.push_str(&upcoming.join("\n"));
        }
        if let Some(homework) =
            crate::features::homework::waiting_report(&self.state.db, now, locale).await?
        {
            text.push_str("\n\n");
            text.push_str(&homework);
        }
        let mut tx = self.state.db.write.begin().await?;
        if !store::claim_digest(&mut tx, &week, now).await? {
            return Ok(false);
        }
        let effect = Effect::SendMessage {
            channel_id: staff,
            // Discord's 2,000-character limit; the digest is a summary, so a cut is fine.
            body: MessageBody::text(text.chars().take(2_000).collect::<String>()),
        };
        outbox::enqueue(&mut tx, &effect, now, None).await?;
        self.state.commit(tx).await?;
        Ok(true)
    }
}

#[async_trait::async_trait]
impl Job for Digest {
    fn name(&self) -> &'static str {
        "weekly-digest"
    }

    async fn run_once(&self, now: DateTime<Utc>) -> anyhow::Result<Option<DateTime<Utc>>> {
        self.post_due(now).await?;
        let config = self.state.config.snapshot();
        Ok(Some(plan::next_digest(
            config.community.timezone,
            config.plan.digest_day,
            config.plan.digest_time,
            now,
        )))
    }
}
