//! The feedback writes a door calls, each owning its transaction. Points may move (adopted
//! feedback), so chat points on their way are flushed first.

use serenity::all::UserId;

use super::{ops, store};
use crate::config::Config;
use crate::error::Error;
use crate::state::AppState;

/// `/feedback send`. Returns the feedback's number.
pub async fn send_feedback(
    app: &AppState,
    config: &Config,
    author: UserId,
    kind: super::Kind,
    text: &str,
    anonymous: bool,
) -> Result<i64, Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let id = ops::send(&mut tx, config, author, kind, text, anonymous, now).await?;
    app.commit(tx).await?;
    Ok(id)
}

/// A staff status button under a feedback post. Returns the post as it now reads (`None`:
/// unchanged).
/// `by` is audited with the change (`feedback.status`), from a button or the staff web page.
pub async fn set_feedback_status(
    app: &AppState,
    config: &Config,
    id: i64,
    status: super::Status,
    by: serenity::all::UserId,
) -> Result<Option<store::FeedbackRow>, Error> {
    crate::features::points::engine(app).flush().await;
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let updated = ops::set_status(&mut tx, config, id, status, now).await?;
    if updated.is_some() {
        let entry = crate::audit::Action {
            guild_id: config.discord.guild_id,
            actor: by,
            action: "feedback.status",
            target_kind: Some("feedback"),
            target_id: Some(id as u64),
            arguments: serde_json::json!({ "status": status.as_str() }),
        };
        crate::audit::record(&mut tx, &entry, now).await?;
    }
    app.commit(tx).await?;
    Ok(updated)
}

/// A staff Reply to feedback `id`, by DM to its author, audited (`feedback.reply`).
pub async fn reply_to_feedback(
    app: &AppState,
    config: &Config,
    id: i64,
    text: &str,
    by: UserId,
) -> Result<(), Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    ops::reply(&mut tx, config, id, text, now).await?;
    let entry = crate::audit::Action {
        guild_id: config.discord.guild_id,
        actor: by,
        action: "feedback.reply",
        target_kind: Some("feedback"),
        target_id: Some(id as u64),
        arguments: serde_json::json!({ "chars": text.chars().count() }),
    };
    crate::audit::record(&mut tx, &entry, now).await?;
    app.commit(tx).await?;
    Ok(())
}
