//! The audit log: one row per privileged action, written in the action's own transaction
//! (the mod-log line, if any, is the caller's: `modlog::post`).

use chrono::{DateTime, Utc};
use serenity::all::{GuildId, UserId};
use sqlx::{FromRow, SqliteConnection};

use crate::clock::to_millis;
use crate::db::Db;

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

/// Records `action` as part of `tx`.
pub async fn record(
    tx: &mut SqliteConnection,
    action: &Action<'_>,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::from_millis;

    fn action(actor: u64, target: Option<u64>, name: &'static str) -> Action<'static> {
        Action {
            guild_id: GuildId::new(1),
            actor: UserId::new(actor),
            action: name,
            target_kind: target.map(|_| "user"),
            target_id: target,
            arguments: serde_json::json!({ "n": actor }),
        }
    }

    #[tokio::test]
    async fn rows_list_newest_first_and_filter_by_actor_or_target() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("a.db")).await.unwrap();
        let mut tx = db.write.begin().await.unwrap();
        record(&mut tx, &action(10, Some(20), "first"), from_millis(1_000))
            .await
            .unwrap();
        record(&mut tx, &action(30, None, "second"), from_millis(2_000))
            .await
            .unwrap();
        record(&mut tx, &action(20, Some(40), "third"), from_millis(3_000))
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let all = list(&db, GuildId::new(1), None, 10, 0).await.unwrap();
        let names: Vec<&str> = all.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(names, ["third", "second", "first"]);
        assert_eq!(all[2].arguments, r#"{"n":10}"#);

        let involving = list(&db, GuildId::new(1), Some(20), 10, 0).await.unwrap();
        let names: Vec<&str> = involving.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(names, ["third", "first"], "as actor and as target");

        let paged = list(&db, GuildId::new(1), None, 1, 1).await.unwrap();
        assert_eq!(paged[0].action, "second");
        assert!(list(&db, GuildId::new(2), None, 10, 0)
            .await
            .unwrap()
            .is_empty());
    }

    #[tokio::test]
    async fn a_rolled_back_action_leaves_no_row() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("a.db")).await.unwrap();
        let mut tx = db.write.begin().await.unwrap();
        record(&mut tx, &action(1, None, "x"), from_millis(1))
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        assert!(list(&db, GuildId::new(1), None, 10, 0)
            .await
            .unwrap()
            .is_empty());
    }
}
