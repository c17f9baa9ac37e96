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

crate::vocabulary! {
    /// Where an event stands.
    pub enum Status {
        Active = ("active", "event-status-active"),
        Paused = ("paused", "event-status-paused"),
        Cancelled = ("cancelled", "event-status-cancelled"),
        /// Its series has no more dates.
        Finished = ("finished", "event-status-finished"),
    }
}
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

crate::vocabulary! {
    /// A member's answer to an occurrence.
    pub enum Answer {
        Going = ("going", "event-going"),
        Maybe = ("maybe", "event-maybe"),
        No = ("no", "event-not-going"),
    }
}

/// One RSVP: which event, which occurrence (its start, UTC ms), which answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rsvp {
    pub event: i64,
    pub occurrence: i64,
    pub answer: Answer,
}

impl Rsvp {
    /// The RSVP a button's custom id (`lyceum:rsvp:<event>:<occurrence>:<answer>`) stands for.
    pub fn from_custom_id(custom_id: &str) -> Option<Rsvp> {
        let mut parts = custom_id.strip_prefix(RSVP_PREFIX)?.split(':');
        Some(Rsvp {
            event: parts.next()?.parse().ok()?,
            occurrence: parts.next()?.parse().ok()?,
            answer: Answer::parse(parts.next()?)?,
        })
    }

    /// The custom id of its button.
    pub fn custom_id(&self) -> String {
        format!(
            "{RSVP_PREFIX}{}:{}:{}",
            self.event,
            self.occurrence,
            self.answer.as_str()
        )
    }
}

/// Records `rsvp` for `member` and returns the announcement with its new counts (`None`: no
/// such event, or not one of its real occurrences).
pub async fn rsvp(
    tx: &mut SqliteConnection,
    config: &Config,
    rsvp: &Rsvp,
    member: u64,
    now: DateTime<Utc>,
) -> Result<Option<crate::outbox::MessageBody>, Error> {
    let (event, occ) = (rsvp.event, rsvp.occurrence);
    let Some(row) = store::get(tx, event).await? else {
        return Ok(None);
    };
    // Only a real occurrence: the one coming up, or one that was announced (its post has the
    // buttons). Any other instant would be a row per number anyone can send.
    if row.next_at != Some(occ) && !store::has_run(tx, event, occ, "announce").await? {
        return Ok(None);
    }
    store::set_rsvp(tx, event, occ, member, rsvp.answer.as_str(), now).await?;
    crate::member_actions::record(tx, config, serenity::all::UserId::new(member), now).await?;
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

#[cfg(test)]
mod rsvp_tests {
    use super::{Answer, Rsvp};

    #[test]
    fn an_rsvp_travels_in_a_custom_id_and_nothing_else_parses() {
        let rsvp = Rsvp {
            event: 7,
            occurrence: 1_796_356_800_000,
            answer: Answer::Maybe,
        };
        assert_eq!(rsvp.custom_id(), "lyceum:rsvp:7:1796356800000:maybe");
        assert_eq!(Rsvp::from_custom_id(&rsvp.custom_id()), Some(rsvp));
        for bad in [
            "lyceum:rsvp:7:1:perhaps",
            "lyceum:rsvp:x:1:going",
            "lyceum:rsvp:7",
            "lyceum:fb:7:1:going",
        ] {
            assert_eq!(Rsvp::from_custom_id(bad), None, "{bad}");
        }
    }
}
