//! The moderation writes a door calls — posting the rules, a warning, a pardon, a timeout —
//! each owning its transaction: it opens the write, runs the operation (`ops.rs`, which takes
//! a transaction so automod and buttons can compose them) and commits, which wakes delivery.

use chrono::{DateTime, Utc};
use serenity::all::UserId;

use super::ops::{self, Warned};
use crate::config::Config;
use crate::error::Error;
use crate::state::AppState;

/// `/rules post`: true when the earlier rules message was edited instead.
pub async fn post_rules(app: &AppState, config: &Config, by: UserId) -> Result<bool, Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let edited = ops::post_rules(&mut tx, config, by, now).await?;
    app.commit(tx).await?;
    Ok(edited)
}

/// `/warn` by a moderator; the escalation it crosses runs once.
pub async fn warn(
    app: &AppState,
    config: &Config,
    by: UserId,
    member: UserId,
    points: i64,
    reason: &str,
) -> Result<Warned, Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let warned = ops::warn(
        &mut tx,
        config,
        Some(by),
        member,
        points,
        reason,
        "manual",
        now,
    )
    .await?;
    app.commit(tx).await?;
    Ok(warned)
}

/// `/pardon`: the warning stays on record and stops counting. Returns whose it was.
pub async fn pardon(
    app: &AppState,
    config: &Config,
    by: UserId,
    warning: i64,
    reason: &str,
) -> Result<UserId, Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let member = ops::pardon(&mut tx, config, by, warning, reason, now).await?;
    app.commit(tx).await?;
    Ok(member)
}

/// `/timeout` (until an instant) and `/untimeout` (`until` None).
pub async fn timeout(
    app: &AppState,
    config: &Config,
    by: UserId,
    member: UserId,
    until: Option<DateTime<Utc>>,
    reason: &str,
) -> Result<(), Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    ops::timeout(&mut tx, config, by, member, until, reason, now).await?;
    app.commit(tx).await?;
    Ok(())
}

/// Automod caught a message: the action, its outbox items and mod-log embed, in one write.
pub async fn act(
    app: &AppState,
    config: &Config,
    incident: &ops::Incident<'_>,
) -> Result<(), Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    ops::act(&mut tx, config, incident, now).await?;
    app.commit(tx).await?;
    Ok(())
}

/// "I accept" under the rules message. True the first time.
pub async fn accept_rules(app: &AppState, config: &Config, member: UserId) -> Result<bool, Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let first = ops::accept_rules(&mut tx, config, member, now).await?;
    app.commit(tx).await?;
    Ok(first)
}

/// A member joined: counted toward the raid window, and staff told once it trips.
pub async fn on_join(app: &AppState, config: &Config) -> Result<(), Error> {
    let now = app.clock.now();
    let Some(joins) = super::engine(app).join(config, now) else {
        return Ok(());
    };
    let mut tx = app.db.write.begin().await?;
    ops::raid_alert(&mut tx, config, joins, now).await?;
    app.commit(tx).await?;
    Ok(())
}
