//! Highlights, their index posts and the start-here DMs in SQLite.

use sqlx::{FromRow, SqliteConnection};

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct HighlightRow {
    pub id: i64,
    pub message_id: i64,
    pub channel_id: i64,
    pub author_id: i64,
    pub topic: Option<String>,
    pub title: String,
    pub excerpt: String,
}

const COLUMNS: &str = "id, message_id, channel_id, author_id, topic, title, excerpt";

/// A message opened in the topic modal: a draft (no topic) unless it is a highlight already.
pub struct Draft<'a> {
    pub message_id: i64,
    pub channel_id: i64,
    pub author_id: i64,
    pub title: &'a str,
    pub excerpt: &'a str,
    pub added_by: i64,
    pub at: i64,
}

pub async fn draft(tx: &mut SqliteConnection, d: &Draft<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO highlights (message_id, channel_id, author_id, title, excerpt, added_by, added_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (message_id) DO UPDATE SET excerpt = excluded.excerpt",
    )
    .bind(d.message_id)
    .bind(d.channel_id)
    .bind(d.author_id)
    .bind(d.title)
    .bind(d.excerpt)
    .bind(d.added_by)
    .bind(d.at)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

pub async fn by_message(
    conn: &mut SqliteConnection,
    message: i64,
) -> sqlx::Result<Option<HighlightRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM highlights WHERE message_id = ?"
    ))
    .bind(message)
    .fetch_optional(&mut *conn)
    .await
}

pub async fn publish(
    tx: &mut SqliteConnection,
    message: i64,
    topic: &str,
    title: &str,
    by: i64,
    at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE highlights SET topic = ?, title = ?, added_by = ?, added_at = ? WHERE message_id = ?",
    )
    .bind(topic)
    .bind(title)
    .bind(by)
    .bind(at)
    .bind(message)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A topic's highlights in the order they were added.
pub async fn in_topic(conn: &mut SqliteConnection, topic: &str) -> sqlx::Result<Vec<HighlightRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM highlights WHERE topic = ? ORDER BY id"
    ))
    .bind(topic)
    .fetch_all(&mut *conn)
    .await
}

/// Every published highlight, newest first (what `/highlights` searches).
pub async fn published(conn: &mut SqliteConnection) -> sqlx::Result<Vec<HighlightRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM highlights WHERE topic IS NOT NULL ORDER BY id DESC LIMIT 5000"
    ))
    .fetch_all(&mut *conn)
    .await
}

/// The index posts of `topic`: (part, outbox id), in order.
pub async fn index_parts(
    conn: &mut SqliteConnection,
    topic: &str,
) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as("SELECT part, outbox_id FROM highlight_index WHERE topic = ? ORDER BY part")
        .bind(topic)
        .fetch_all(&mut *conn)
        .await
}

pub async fn add_index_part(
    tx: &mut SqliteConnection,
    topic: &str,
    part: i64,
    outbox_id: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO highlight_index (topic, part, outbox_id) VALUES (?, ?, ?)")
        .bind(topic)
        .bind(part)
        .bind(outbox_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Grants made after the cursor: (grant id, member, product), oldest first.
pub async fn grants_after_cursor(
    conn: &mut SqliteConnection,
    limit: i64,
) -> sqlx::Result<Vec<(i64, i64, String)>> {
    sqlx::query_as(
        "SELECT g.id, g.member_id, g.product FROM grants g
         WHERE g.id > (SELECT last_grant_id FROM start_here_cursor WHERE id = 1)
         ORDER BY g.id LIMIT ?",
    )
    .bind(limit)
    .fetch_all(&mut *conn)
    .await
}

pub async fn move_cursor(tx: &mut SqliteConnection, to: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE start_here_cursor SET last_grant_id = MAX(last_grant_id, ?) WHERE id = 1")
        .bind(to)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Marks the start-here DM sent to `member`. Returns false when it was before.
pub async fn mark_start_here(
    tx: &mut SqliteConnection,
    member: i64,
    product: &str,
    items: i64,
    at: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO start_here_sent (member_id, product, items, sent_at) VALUES (?, ?, ?, ?)
         ON CONFLICT DO NOTHING",
    )
    .bind(member)
    .bind(product)
    .bind(items)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
