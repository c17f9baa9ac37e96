//! What members do besides writing messages — a check-in, a homework hand-in, an RSVP, a
//! question asked or answered, a listen, a challenge check-in, a helpful vote, feedback — counted
//! per member and local day in the same transaction as the action, so "active" means what a
//! member did, not only what they wrote. Messages are counted apart, in memory, in batches
//! (`stats::activity`): one row per message would be the hot path's write.

use chrono::{DateTime, Utc};
use serenity::all::UserId;
use sqlx::SqliteConnection;

use crate::config::Config;

/// Counts one action by `member` on the community's local day of `now`, in the caller's
/// transaction.
pub async fn record(
    tx: &mut SqliteConnection,
    config: &Config,
    member: UserId,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let day = now
        .with_timezone(&config.community.timezone)
        .format("%Y-%m-%d")
        .to_string();
    sqlx::query(
        "INSERT INTO action_daily (member_id, day, actions) VALUES (?, ?, 1)
         ON CONFLICT (member_id, day) DO UPDATE SET actions = actions + 1",
    )
    .bind(member.get() as i64)
    .bind(day)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
