//! The audit log: one row per privileged action, written in the action's own transaction, and
//! a mirrored line in the mod-log channel (through the outbox) when one is configured.

use chrono::{DateTime, Utc};
use serenity::all::{ChannelId, GuildId, UserId};
use sqlx::{FromRow, SqliteConnection};

use crate::clock::to_millis;
use crate::db::Db;
use crate::outbox::{self, Effect, MessageBody};

/// What happened, for the audit row.
#[derive(Debug, Clone)]
pub struct Action<'a> {
    pub guild_id: GuildId,
    pub actor: UserId,
    pub action: &'a str,
    pub target_kind: Option<&'a str>,
    pub target_id: Option<u64>,
    pub arguments: serde_json::Value,
}

/// Records `action`, and queues `mod_log_line` for the mod-log channel if there is one.
pub async fn record(
    tx: &mut SqliteConnection,
    action: &Action<'_>,
    mod_log: Option<(ChannelId, String)>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (guild_id, actor_id, action, target_kind, target_id, arguments, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(action.guild_id.get() as i64)
    .bind(action.actor.get() as i64)
    .bind(action.action)
    .bind(action.target_kind)
    .bind(action.target_id.map(|id| id as i64))
    .bind(action.arguments.to_string())
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?;
    if let Some((channel_id, line)) = mod_log {
        let effect = Effect::SendMessage {
            channel_id,
            body: MessageBody::text(line),
        };
        outbox::enqueue(tx, &effect, now, None).await?;
    }
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub actor_id: i64,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<i64>,
    pub arguments: String,
    pub created_at: i64,
}

/// Newest first; `involving` keeps rows where that id is the actor or the target.
pub async fn list(
    db: &Db,
    guild: GuildId,
    involving: Option<u64>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<AuditRow>> {
    sqlx::query_as(
        "SELECT id, actor_id, action, target_kind, target_id, arguments, created_at FROM audit_log
         WHERE guild_id = ?1 AND (?2 IS NULL OR actor_id = ?2 OR target_id = ?2)
         ORDER BY created_at DESC, id DESC LIMIT ?3 OFFSET ?4",
    )
    .bind(guild.get() as i64)
    .bind(involving.map(|id| id as i64))
    .bind(limit)
    .bind(offset)
    .fetch_all(&db.read)
    .await
}
