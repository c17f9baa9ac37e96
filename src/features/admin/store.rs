//! Staff grants in SQLite.

use chrono::{DateTime, Utc};
use serenity::all::{GuildId, UserId};
use sqlx::SqliteConnection;

use crate::access::{Grant, Level, Target};
use crate::clock::to_millis;
use crate::db::Db;

type GrantRow = (String, i64, String, i64, i64);

fn grant_from_row((kind, id, level, by, at): GrantRow) -> Option<Grant> {
    Some(Grant {
        target: Target::from_parts(&kind, id as u64)?,
        level: Level::parse(&level)?,
        granted_by: UserId::new(by as u64),
        granted_at: at,
    })
}

pub async fn grants(db: &Db, guild: GuildId) -> sqlx::Result<Vec<Grant>> {
    let rows: Vec<GrantRow> = sqlx::query_as(
        "SELECT target_kind, target_id, level, granted_by, granted_at FROM staff_grants
         WHERE guild_id = ? ORDER BY level, granted_at",
    )
    .bind(guild.get() as i64)
    .fetch_all(&db.read)
    .await?;
    Ok(rows.into_iter().filter_map(grant_from_row).collect())
}

pub async fn grant_of(
    tx: &mut SqliteConnection,
    guild: GuildId,
    target: Target,
) -> sqlx::Result<Option<Level>> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT level FROM staff_grants WHERE guild_id = ? AND target_kind = ? AND target_id = ?",
    )
    .bind(guild.get() as i64)
    .bind(target.kind())
    .bind(target.id() as i64)
    .fetch_optional(&mut *tx)
    .await?;
    Ok(row.and_then(|(l,)| Level::parse(&l)))
}

pub async fn upsert(
    tx: &mut SqliteConnection,
    guild: GuildId,
    target: Target,
    level: Level,
    actor: UserId,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO staff_grants (guild_id, target_kind, target_id, level, granted_by, granted_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (guild_id, target_kind, target_id)
         DO UPDATE SET level = excluded.level, granted_by = excluded.granted_by, granted_at = excluded.granted_at",
    )
    .bind(guild.get() as i64)
    .bind(target.kind())
    .bind(target.id() as i64)
    .bind(level.as_str())
    .bind(actor.get() as i64)
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

pub async fn delete(
    tx: &mut SqliteConnection,
    guild: GuildId,
    target: Target,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "DELETE FROM staff_grants WHERE guild_id = ? AND target_kind = ? AND target_id = ?",
    )
    .bind(guild.get() as i64)
    .bind(target.kind())
    .bind(target.id() as i64)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() > 0)
}
