//! Members' joins and leaves (`member_joins`: the first join decides the cohort and the
//! welcome; a leave is remembered until the member comes back), and the exports' reads.

use chrono::{DateTime, Utc};
use serenity::all::UserId;
use sqlx::SqliteConnection;

use crate::clock::to_millis;

/// Records a join. True on the member's first join (then they are welcomed); on a later one,
/// they are no longer "left".
pub async fn joined(
    tx: &mut SqliteConnection,
    member: UserId,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let first = sqlx::query(
        "INSERT INTO member_joins (member_id, joined_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(member.get() as i64)
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !first {
        sqlx::query("UPDATE member_joins SET left_at = NULL WHERE member_id = ?")
            .bind(member.get() as i64)
            .execute(&mut *tx)
            .await?;
    }
    Ok(first)
}

/// Records a leave of a member whose join is known.
pub async fn left(
    tx: &mut SqliteConnection,
    member: UserId,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE member_joins SET left_at = ? WHERE member_id = ?")
        .bind(to_millis(now))
        .bind(member.get() as i64)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Whether `member` is known to have left the server (and not come back).
pub async fn has_left(conn: &mut SqliteConnection, member: UserId) -> sqlx::Result<bool> {
    let (left,): (i64,) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM member_joins WHERE member_id = ? AND left_at IS NOT NULL)",
    )
    .bind(member.get() as i64)
    .fetch_one(&mut *conn)
    .await?;
    Ok(left > 0)
}

/// How many members first joined in [`from`, `to`] (ms).
pub async fn joins_between(conn: &mut SqliteConnection, from: i64, to: i64) -> sqlx::Result<i64> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM member_joins WHERE joined_at >= ? AND joined_at <= ?")
            .bind(from)
            .bind(to)
            .fetch_one(&mut *conn)
            .await?;
    Ok(n)
}

/// (member, first joined ms) of everyone who first joined since `since` (ms).
pub async fn joined_since(
    conn: &mut SqliteConnection,
    since: i64,
) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as("SELECT member_id, joined_at FROM member_joins WHERE joined_at >= ?")
        .bind(since)
        .fetch_all(&mut *conn)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_leave_is_remembered_until_the_member_comes_back() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::Db::open(&dir.path().join("j.db")).await.unwrap();
        let now = crate::clock::from_millis(1_000);
        let member = UserId::new(7);
        let mut tx = db.write.begin().await.unwrap();
        assert!(joined(&mut tx, member, now).await.unwrap());
        assert!(!has_left(&mut tx, member).await.unwrap());
        left(&mut tx, member, now).await.unwrap();
        assert!(has_left(&mut tx, member).await.unwrap());
        assert!(
            !joined(&mut tx, member, now).await.unwrap(),
            "not a first join"
        );
        assert!(!has_left(&mut tx, member).await.unwrap());
        // A member whose join was never seen is not tracked.
        left(&mut tx, UserId::new(8), now).await.unwrap();
        assert!(!has_left(&mut tx, UserId::new(8)).await.unwrap());
    }
}
