//! The schedule writes a door calls — create, edit, cancel/pause/resume, skip, attendance, a
//! content post counted by hand — each owning its transaction: it opens the write, stores the
//! change with its audit row, commits, and wakes the scheduler so it re-plans.

use super::Status;
use serenity::all::UserId;

use super::error::ScheduleError;
use super::ops::{self, Series};
use super::store::{self, EventRow, NewEvent};
use crate::audit;
use crate::clock::to_millis;
use crate::config::Config;
use crate::error::Error;
use crate::state::AppState;

async fn audited(
    tx: &mut sqlx::SqliteConnection,
    config: &Config,
    actor: UserId,
    action: &str,
    arguments: serde_json::Value,
    now: chrono::DateTime<chrono::Utc>,
) -> sqlx::Result<()> {
    let entry = audit::Action {
        guild_id: config.discord.guild_id,
        actor,
        action,
        target_kind: None,
        target_id: None,
        arguments,
    };
    audit::record(tx, &entry, now).await
}

/// `/event create`, for a series already checked and planned. Returns the event's number.
pub async fn create(
    app: &AppState,
    config: &Config,
    actor: UserId,
    new: &NewEvent<'_>,
) -> Result<i64, Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let id = store::insert(&mut tx, new, now).await?;
    let arguments = serde_json::json!({
        "event": id, "title": new.title, "when": new.starts_local, "repeat": new.repeat
    });
    audited(&mut tx, config, actor, "event.create", arguments, now).await?;
    app.commit_with(tx, &[crate::features::schedule::EVENTS])
        .await?;
    Ok(id)
}

/// `/event edit`: stores the new fields; a new time, rule or reminders (`replan`) re-plans an
/// active series from now.
pub async fn edit(
    app: &AppState,
    config: &Config,
    actor: UserId,
    updated: &EventRow,
    replan: Option<&Series>,
) -> Result<(), Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    store::update_event(&mut tx, updated).await?;
    if let Some(series) = replan.filter(|_| updated.status == super::Status::Active) {
        let tz = config.community.timezone;
        let (next, due) = ops::first_plan(series, tz, now).ok_or(ScheduleError::NeverFires)?;
        store::set_plan(
            &mut tx,
            updated.id,
            Some(next),
            Some(due),
            super::Status::Active,
        )
        .await?;
        store::set_previous(&mut tx, updated.id, Some(to_millis(now))).await?;
    }
    let arguments = serde_json::json!({ "event": updated.id });
    audited(&mut tx, config, actor, "event.edit", arguments, now).await?;
    app.commit_with(tx, &[crate::features::schedule::EVENTS])
        .await?;
    Ok(())
}

/// `/event cancel`, `pause` or `resume`.
pub async fn set_state(
    app: &AppState,
    config: &Config,
    actor: UserId,
    row: &EventRow,
    to: Status,
) -> Result<(), Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    match to {
        Status::Active => {
            let series = ops::series(row).ok_or(ScheduleError::NeverFires)?;
            match ops::first_plan(&series, config.community.timezone, now) {
                Some((next, due)) => {
                    store::set_plan(
                        &mut tx,
                        row.id,
                        Some(next),
                        Some(due),
                        super::Status::Active,
                    )
                    .await?;
                    store::set_previous(&mut tx, row.id, Some(to_millis(now))).await?;
                }
                None => {
                    store::set_plan(&mut tx, row.id, None, None, super::Status::Finished).await?
                }
            }
        }
        other => store::set_status(&mut tx, row.id, other).await?,
    }
    let action = match to {
        Status::Cancelled | Status::Finished => "event.cancel",
        Status::Paused => "event.pause",
        Status::Active => "event.resume",
    };
    let arguments = serde_json::json!({ "event": row.id });
    audited(&mut tx, config, actor, action, arguments, now).await?;
    app.commit_with(tx, &[crate::features::schedule::EVENTS])
        .await?;
    Ok(())
}

/// `/event skip`: the next occurrence (and its reminders) is not held. Returns it (ms).
pub async fn skip(app: &AppState, config: &Config, row: &EventRow) -> Result<Option<i64>, Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let skipped = ops::skip_next(&mut tx, config, row, now).await?;
    app.commit_with(tx, &[crate::features::schedule::EVENTS])
        .await?;
    Ok(skipped)
}

/// `/event attended`: attendance points for the latest occurrence, once. Returns the
/// occurrence (ms) and the member's balance.
pub async fn attended(
    app: &AppState,
    config: &Config,
    event: i64,
    member: UserId,
    by: UserId,
) -> Result<(i64, i64), Error> {
    crate::features::points::engine(app).flush().await;
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let done = ops::attended(&mut tx, config, event, member, by, now).await?;
    app.commit(tx).await?;
    Ok(done)
}

/// `/plan done`: something of `kind` was published outside its channel.
pub async fn content_done(app: &AppState, kind: &str, by: UserId) -> Result<(), Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    store::record_content(&mut tx, kind, by.get(), None, None, now).await?;
    app.commit(tx).await?;
    Ok(())
}

/// How a door shows an RSVP's new counts on the announcement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refresh {
    /// The press's own answer updates the pressed message (no extra edit under a burst of
    /// presses, each of which counts against the channel's edit limit).
    InPlace,
    /// Through the outbox: the web has no interaction to answer.
    Outbox,
}

/// What an RSVP did: the announcement as it now reads and the new (going, maybe, no).
pub struct Answered {
    pub body: crate::outbox::MessageBody,
    pub counts: (i64, i64, i64),
}

/// An RSVP, from a button or the web page alike: the answer recorded, and the announcement's
/// counts refreshed as `refresh` says. `None` for an unknown event or occurrence.
pub async fn rsvp(
    app: &AppState,
    config: &Config,
    rsvp: &super::Rsvp,
    member: UserId,
    refresh: Refresh,
) -> Result<Option<Answered>, Error> {
    let now = app.clock.now();
    let (event, occurrence) = (rsvp.event, rsvp.occurrence);
    let mut tx = app.db.write.begin().await?;
    let Some(body) = super::rsvp(&mut tx, config, rsvp, member.get(), now).await? else {
        return Ok(None);
    };
    let counts = store::rsvp_counts(&mut tx, event, occurrence).await?;
    if refresh == Refresh::Outbox {
        if let (Some(outbox_id), Some(row)) = (
            store::announce_outbox(&mut tx, event, occurrence).await?,
            store::get(&mut tx, event).await?,
        ) {
            let edit = crate::outbox::Effect::EditPost {
                channel_id: serenity::all::ChannelId::new(row.channel_id as u64),
                outbox_id,
                body: body.clone(),
            };
            crate::outbox::enqueue(&mut tx, &edit, now, None).await?;
        }
    }
    app.commit(tx).await?;
    Ok(Some(Answered { body, counts }))
}

/// A staff post in a content-plan channel: `kind` counts as published.
pub async fn record_content(
    app: &AppState,
    kind: &str,
    author: UserId,
    channel: serenity::all::ChannelId,
    message: serenity::all::MessageId,
) -> Result<(), Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let (channel, message) = (Some(channel.get()), Some(message.get()));
    store::record_content(&mut tx, kind, author.get(), channel, message, now).await?;
    app.commit(tx).await?;
    Ok(())
}

/// A member's first post in the channel of events on now: attendance points, once each.
pub async fn attend(
    app: &AppState,
    config: &Config,
    windows: &[super::engine::Window],
    member: UserId,
) -> Result<(), Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    for w in windows {
        ops::credit(&mut tx, config, w.event, w.occurrence, member, None, now).await?;
    }
    app.commit(tx).await?;
    Ok(())
}
