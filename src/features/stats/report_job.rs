//! The Monday report: at `[report] time` (the community's zone) each Monday, last week's report
//! goes to `channels.staff` — once per week (the `weekly_reports` row and the outbox item commit
//! together), and late after downtime, up to [`LATE`]: a report older than that is stale (and a
//! fresh install does not open with last week's).

use chrono::{DateTime, Duration, Utc};

use super::report;
use crate::clock::to_millis;
use crate::jobs::Job;
use crate::outbox::{self, Effect, FileAttachment, MessageBody};
use crate::state::AppState;

pub struct WeeklyReport {
    pub state: AppState,
}

/// How often a job with no `[report] time` looks again (a config reload may set one).
const IDLE: Duration = Duration::hours(1);

/// How late a report may still go out after downtime.
pub const LATE: Duration = Duration::days(2);

impl WeeklyReport {
    /// Sends last week's report if this week's time has come and it was not sent. Returns
    /// whether it sent, and when to look again.
    pub async fn run_due(&self, now: DateTime<Utc>) -> anyhow::Result<(bool, DateTime<Utc>)> {
        let config = self.state.config.snapshot();
        let (Some(time), Some(channel_id)) = (config.report.time, config.channels.staff) else {
            return Ok((false, now + IDLE));
        };
        let tz = config.community.timezone;
        let monday = report::monday_of(now, tz);
        let due = crate::recurrence::resolve(tz, monday.and_time(time));
        let next_week = crate::recurrence::resolve(tz, (monday + Duration::days(7)).and_time(time));
        if now < due {
            return Ok((false, due));
        }
        let key = monday.format("%Y-%m-%d").to_string();
        if now >= due + LATE || super::store::report_sent(&self.state.db, &key).await? {
            return Ok((false, next_week));
        }
        let week = report::week_before(now, tz);
        super::activity(&self.state).flush(&self.state.db).await?;
        let gathered = {
            let mut conn = self.state.db.read.acquire().await?;
            report::gather(&mut conn, &config, week, now).await?
        };
        let png = super::charts::weekly(&gathered).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let caption = [crate::i18n::Locale::En, crate::i18n::Locale::ZhCn]
            .map(|l| report::text(&gathered, l))
            .join("\n\n");
        let body = MessageBody {
            content: caption,
            files: vec![FileAttachment {
                filename: format!("weekly-report-{}.png", week.first_day),
                data: png,
            }],
            ..Default::default()
        };
        let mut tx = self.state.db.write.begin().await?;
        let sent = super::store::mark_report_sent(&mut tx, &key, to_millis(now)).await?;
        if sent {
            let effect = Effect::SendMessage { channel_id, body };
            outbox::enqueue(&mut tx, &effect, now, Some(&format!("weekly-report:{key}"))).await?;
            self.state.commit(tx).await?;
            tracing::info!(week = key, "weekly report sent to staff");
        }
        Ok((sent, next_week))
    }
}

#[async_trait::async_trait]
impl Job for WeeklyReport {
    fn name(&self) -> &'static str {
        "weekly-report"
    }

    async fn run_once(&self, now: DateTime<Utc>) -> anyhow::Result<Option<DateTime<Utc>>> {
        Ok(Some(self.run_due(now).await?.1))
    }
}
