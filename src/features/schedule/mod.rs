//! Scheduled activity announcements: recurring events in the community's time zone, announced
//! on time with RSVP buttons and reminders, exactly once across restarts, with catch-up after
//! downtime, and a calendar feed.
//!
//! `recurrence.rs` reads `when` and `repeat` and computes occurrences (pure); `ops.rs` posts
//! what is due with its run record; `job.rs` is the scheduler; `store.rs` the SQL;
//! `commands.rs` `/event …`; `feed.rs` the iCalendar feed.

pub mod actions;
pub mod commands;
pub mod digest;
pub mod doors;
pub mod engine;
pub mod error;
pub mod feed;
pub mod job;
pub mod mirror;
pub mod ops;
pub mod plan;
pub mod progress;
pub mod store;
pub mod sync;

pub use crate::recurrence;
pub use commands::commands;
pub use engine::Engine;
pub use error::ScheduleError;

/// Events were created or changed: the scheduler re-plans.
pub const EVENTS: crate::state::Topic = crate::state::Topic("events");

/// The scheduler moved an event on to its next occurrence: the Events tab follows.
pub const OCCURRENCES: crate::state::Topic = crate::state::Topic("occurrences");

/// The events on right now (automatic attendance), as `app::start` added them to the state.
pub fn engine(app: &crate::state::AppState) -> &Engine {
    app.part()
}

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use crate::config::Config;
use crate::error::Error;

/// The custom-id prefix of RSVP buttons: `lyceum:rsvp:<event>:<occurrence ms>:<answer>`.
pub const RSVP_PREFIX: &str = "lyceum:rsvp:";

/// An RSVP button press: records the answer and returns the announcement with new counts.
pub async fn rsvp(
    tx: &mut SqliteConnection,
    config: &Config,
    custom_id: &str,
    member: u64,
    now: DateTime<Utc>,
) -> Result<Option<crate::outbox::MessageBody>, Error> {
    let mut parts = custom_id.trim_start_matches(RSVP_PREFIX).split(':');
    let (Some(event), Some(occ), Some(answer)) = (parts.next(), parts.next(), parts.next()) else {
        return Ok(None);
    };
    let (Ok(event), Ok(occ)) = (event.parse::<i64>(), occ.parse::<i64>()) else {
        return Ok(None);
    };
    if !matches!(answer, "going" | "maybe" | "no") {
        return Ok(None);
    }
    let Some(row) = store::get(tx, event).await? else {
        return Ok(None);
    };
    // Only a real occurrence: the one coming up, or one that was announced (its post has the
    // buttons). Any other instant would be a row per number anyone can send.
    if row.next_at != Some(occ) && !store::has_run(tx, event, occ, "announce").await? {
        return Ok(None);
    }
    store::set_rsvp(tx, event, occ, member, answer, now).await?;
    let counts = store::rsvp_counts(tx, event, occ).await?;
    Ok(Some(ops::announcement(
        config.community.default_locale,
        &row,
        occ,
        counts,
        false,
    )))
}

/// Policy that is mirrored into state (standing `[[schedule]]`s), applied on start and after
/// every `/admin reload`, inside the caller's transaction. The caller wakes the jobs.
pub async fn apply_config(
    tx: &mut sqlx::SqliteConnection,
    config: &crate::config::Config,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<sync::SyncReport, crate::error::Error> {
    sync::sync(tx, config, now).await
}
