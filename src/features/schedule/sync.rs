//! Standing schedules from config (`[[schedule]]`) kept in step with their `events` rows, on
//! start and on `/admin reload`. The file is policy; the row carries the state (the plan and,
//! through its id, the run records), so a reload never re-announces what was posted.

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use super::ops::{self, LOCAL_FORMAT};
use super::store::{self, EventRow};
use crate::clock::to_millis;
use crate::config::{Config, ScheduleItem};
use crate::error::Error;

/// What a sync changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    /// Rows whose id left the file: cancelled (their history stays).
    pub removed: Vec<String>,
}

impl SyncReport {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

/// The row's copy of an item's fields, to compare.
fn differs(row: &EventRow, item: &ScheduleItem) -> (bool, bool) {
    let timing = row.starts_local != item.when.format(LOCAL_FORMAT).to_string()
        || row.repeat != item.repeat
        || row.remind != item.remind;
    let other = row.title != item.title
        || row.description != item.description
        || row.translations != item.translations
        || row.channel_id != item.channel.get() as i64
        || row.duration_s != item.duration_s
        || row.catch_up != item.catch_up;
    (timing, other)
}

/// `row` with the fields `item` sets, as the config has them now.
fn as_configured(row: &EventRow, item: &ScheduleItem) -> EventRow {
    EventRow {
        title: item.title.clone(),
        description: item.description.clone(),
        translations: item.translations.clone(),
        channel_id: item.channel.get() as i64,
        starts_local: item.when.format(LOCAL_FORMAT).to_string(),
        repeat: item.repeat.clone(),
        remind: item.remind.clone(),
        duration_s: item.duration_s,
        catch_up: item.catch_up.clone(),
        ..row.clone()
    }
}

/// Plans `row` afresh from `now` (active, or finished when nothing is left).
async fn replan(
    tx: &mut SqliteConnection,
    config: &Config,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let Some(row) = store::get(tx, id).await? else {
        return Ok(());
    };
    let plan = ops::series(&row)
        .and_then(|series| ops::first_plan(&series, config.community.timezone, now));
    match plan {
        Some((next, due)) => {
            store::set_plan(tx, id, Some(next), Some(due), super::Status::Active).await?;
            store::set_previous(tx, id, Some(to_millis(now))).await?;
        }
        None => store::set_plan(tx, id, None, None, super::Status::Finished).await?,
    }
    Ok(())
}

/// Brings the config-made events in line with `config.schedules`.
pub async fn sync(
    tx: &mut SqliteConnection,
    config: &Config,
    now: DateTime<Utc>,
) -> Result<SyncReport, Error> {
    let rows = store::from_config(tx).await?;
    let mut report = SyncReport::default();
    for item in &config.schedules {
        match rows
            .iter()
            .find(|r| r.config_id.as_deref() == Some(&item.id))
        {
            None => {
                let new = store::NewEvent {
                    title: &item.title,
                    description: &item.description,
                    channel_id: item.channel.get(),
                    starts_local: item.when.format(LOCAL_FORMAT).to_string(),
                    repeat: &item.repeat,
                    remind: &item.remind,
                    duration_s: item.duration_s,
                    catch_up: &item.catch_up,
                    next_at: 0,
                    due_at: 0,
                    prev_at: to_millis(now),
                    created_by: 0,
                    translations: item.translations.as_deref(),
                    mirror: item.mirror,
                };
                let id = store::insert(tx, &new, now).await?;
                store::set_config_id(tx, id, &item.id).await?;
                replan(tx, config, id, now).await?;
                report.added.push(item.id.clone());
            }
            Some(row) => {
                let (timing, other) = differs(row, item);
                let revived = row.status == super::Status::Cancelled;
                if timing || other || revived {
                    store::update_event(tx, &as_configured(row, item)).await?;
                    if timing || revived {
                        replan(tx, config, row.id, now).await?;
                    }
                    report.changed.push(item.id.clone());
                }
                store::set_mirror(tx, row.id, item.mirror).await?;
            }
        }
    }
    for row in &rows {
        let id = row.config_id.as_deref().unwrap_or_default();
        if row.status != super::Status::Cancelled && !config.schedules.iter().any(|i| i.id == id) {
            store::set_plan(tx, row.id, None, None, super::Status::Cancelled).await?;
            report.removed.push(id.to_string());
        }
    }
    Ok(report)
}
