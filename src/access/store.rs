//! Staff grants in SQLite: the access levels every command is checked against (the admin
//! feature writes them through its ops).

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::from_millis;
    use serenity::all::RoleId;

    async fn db() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("s.db")).await.unwrap();
        (dir, db)
    }

    const GUILD: GuildId = GuildId::new(1);

    #[tokio::test]
    async fn a_grant_is_upserted_read_back_and_deleted() {
        let (_dir, db) = db().await;
        let user = Target::User(UserId::new(5));
        let role = Target::Role(RoleId::new(6));
        let mut tx = db.write.begin().await.unwrap();
        assert_eq!(grant_of(&mut tx, GUILD, user).await.unwrap(), None);
        upsert(
            &mut tx,
            GUILD,
            user,
            Level::Moderator,
            UserId::new(1),
            from_millis(1_000),
        )
        .await
        .unwrap();
        upsert(
            &mut tx,
            GUILD,
            role,
            Level::Admin,
            UserId::new(1),
            from_millis(2_000),
        )
        .await
        .unwrap();
        // A second grant to the same target replaces the first.
        upsert(
            &mut tx,
            GUILD,
            user,
            Level::Admin,
            UserId::new(2),
            from_millis(3_000),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let all = grants(&db, GUILD).await.unwrap();
        assert_eq!(all.len(), 2);
        let mina = all.iter().find(|g| g.target == user).unwrap();
        assert_eq!(
            (mina.level, mina.granted_by, mina.granted_at),
            (Level::Admin, UserId::new(2), 3_000)
        );
        assert!(grants(&db, GuildId::new(2)).await.unwrap().is_empty());

        let mut tx = db.write.begin().await.unwrap();
        assert!(delete(&mut tx, GUILD, user).await.unwrap());
        assert!(!delete(&mut tx, GUILD, user).await.unwrap(), "already gone");
        assert_eq!(
            grant_of(&mut tx, GUILD, role).await.unwrap(),
            Some(Level::Admin)
        );
        tx.commit().await.unwrap();
        assert_eq!(grants(&db, GUILD).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn the_schema_refuses_levels_that_are_not_granted() {
        let (_dir, db) = db().await;
        let mut tx = db.write.begin().await.unwrap();
        let owner = upsert(
            &mut tx,
            GUILD,
            Target::User(UserId::new(5)),
            Level::Owner,
            UserId::new(1),
            from_millis(0),
        )
        .await;
        assert!(
            owner.is_err(),
            "owners come from config, never from the table"
        );
    }
}
