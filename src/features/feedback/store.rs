//! Feedback in SQLite.

use serenity::all::UserId;
use sqlx::{FromRow, SqliteConnection};

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct FeedbackRow {
    pub id: i64,
    pub member_id: i64,
    pub kind: super::Kind,
    pub text: String,
    pub anonymous: bool,
    pub status: super::Status,
    pub outbox_id: Option<i64>,
    pub created_at: i64,
}

const COLUMNS: &str = "id, member_id, kind, text, anonymous, status, outbox_id, created_at";

pub async fn get(conn: &mut SqliteConnection, id: i64) -> sqlx::Result<Option<FeedbackRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM feedback WHERE id = ?"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

pub async fn list(
    conn: &mut SqliteConnection,
    status: Option<super::Status>,
) -> sqlx::Result<Vec<FeedbackRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM feedback WHERE (?1 IS NULL OR status = ?1) ORDER BY id DESC LIMIT 200"
    ))
    .bind(status)
    .fetch_all(&mut *conn)
    .await
}

/// A new feedback row (status `new`). Returns its id.
pub async fn insert(
    tx: &mut SqliteConnection,
    member: UserId,
    kind: super::Kind,
    text: &str,
    anonymous: bool,
    at: i64,
) -> sqlx::Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO feedback (member_id, kind, text, anonymous, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(member.get() as i64)
    .bind(kind)
    .bind(text)
    .bind(anonymous)
    .bind(at)
    .bind(at)
    .fetch_one(&mut *tx)
    .await?;
    Ok(id)
}

/// The outbox item that posts feedback `id` for staff (its buttons edit that message).
pub async fn set_outbox_id(
    tx: &mut SqliteConnection,
    id: i64,
    outbox_id: Option<i64>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE feedback SET outbox_id = ? WHERE id = ?")
        .bind(outbox_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

pub async fn set_status(
    tx: &mut SqliteConnection,
    id: i64,
    status: super::Status,
    at: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE feedback SET status = ?, updated_at = ? WHERE id = ?")
        .bind(status)
        .bind(at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}
