//! Highlights' writes a door calls, each owning its transaction.

use serenity::all::UserId;

use super::ops::{self, Picked, Published};
use crate::config::Config;
use crate::error::Error;
use crate::state::AppState;

/// The message menu opened on a message: its draft kept; returns the modal's preset.
pub async fn pick(
    app: &AppState,
    config: &Config,
    picked: &Picked<'_>,
    by: UserId,
) -> Result<(Option<String>, String), Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let preset = ops::pick(&mut tx, config, picked, by, now).await?;
    app.commit(tx).await?;
    Ok(preset)
}

/// The topic modal submitted.
pub async fn publish(
    app: &AppState,
    config: &Config,
    message: i64,
    topic: &str,
    title: Option<&str>,
    by: UserId,
) -> Result<Published, Error> {
    crate::features::points::engine(app).flush().await;
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let published = ops::publish(&mut tx, config, message, topic, title, by, now).await?;
    app.commit(tx).await?;
    Ok(published)
}
