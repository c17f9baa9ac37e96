//! Paid questions in SQLite.

use serenity::all::UserId;
use sqlx::{FromRow, SqliteConnection};

use crate::db::Db;

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Question {
    pub id: i64,
    pub asker_id: i64,
    pub expert_id: i64,
    pub question: String,
    pub price: i64,
    pub status: super::Status,
    pub answer: Option<String>,
    pub deadline: i64,
}

const COLUMNS: &str = "id, asker_id, expert_id, question, price, status, answer, deadline";

pub async fn get(conn: &mut SqliteConnection, id: i64) -> sqlx::Result<Option<Question>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM questions WHERE id = ?"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// A new open question. Returns its id.
pub async fn insert(
    tx: &mut SqliteConnection,
    asker: UserId,
    expert: UserId,
    question: &str,
    price: i64,
    deadline: i64,
    at: i64,
) -> sqlx::Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO questions (asker_id, expert_id, question, price, deadline, created_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(asker.get() as i64)
    .bind(expert.get() as i64)
    .bind(question)
    .bind(price)
    .bind(deadline)
    .bind(at)
    .fetch_one(&mut *tx)
    .await?;
    Ok(id)
}

/// Moves question `id` out of `open` (once). False when it had already left.
pub async fn close(
    tx: &mut SqliteConnection,
    id: i64,
    status: super::Status,
    answer: Option<&str>,
    at: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE questions SET status = ?, answer = ?, resolved_at = ? WHERE id = ? AND status = 'open'",
    )
    .bind(status)
    .bind(answer)
    .bind(at)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Open questions past their deadline at `at` (ms), oldest deadline first, at most 200.
pub async fn due(tx: &mut SqliteConnection, at: i64) -> sqlx::Result<Vec<Question>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM questions WHERE status = 'open' AND deadline <= ?
          ORDER BY deadline LIMIT 200"
    ))
    .bind(at)
    .fetch_all(&mut *tx)
    .await
}

/// The soonest deadline of an open question.
pub async fn next_deadline(db: &Db) -> sqlx::Result<Option<i64>> {
    let (next,): (Option<i64>,) =
        sqlx::query_as("SELECT MIN(deadline) FROM questions WHERE status = 'open'")
            .fetch_one(&db.read)
            .await?;
    Ok(next)
}

/// The member's questions, asked or to answer, newest first.
pub async fn of_member(db: &Db, member: u64, limit: i64) -> sqlx::Result<Vec<Question>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM questions WHERE asker_id = ?1 OR expert_id = ?1
         ORDER BY id DESC LIMIT ?2"
    ))
    .bind(member as i64)
    .bind(limit)
    .fetch_all(&db.read)
    .await
}

/// Whether `member` already paid to read answer `id`.
pub async fn listened(conn: &mut SqliteConnection, id: i64, member: UserId) -> sqlx::Result<bool> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT 1 FROM question_listens WHERE question_id = ? AND member_id = ?")
            .bind(id)
            .bind(member.get() as i64)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.is_some())
}

/// Records a paid listen. False when the member had listened before.
pub async fn add_listen(
    tx: &mut SqliteConnection,
    id: i64,
    member: UserId,
    price: i64,
    at: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO question_listens (question_id, member_id, price, at) VALUES (?, ?, ?, ?)
         ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(member.get() as i64)
    .bind(price)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn listen_count(conn: &mut SqliteConnection, id: i64) -> sqlx::Result<i64> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM question_listens WHERE question_id = ?")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    Ok(n)
}

/// The answer's public post (the outbox item), when it was posted for 围观.
pub async fn answer_post(conn: &mut SqliteConnection, id: i64) -> sqlx::Result<Option<i64>> {
    let row: Option<(Option<i64>,)> =
        sqlx::query_as("SELECT answer_post FROM questions WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.and_then(|(p,)| p))
}

pub async fn set_answer_post(
    tx: &mut SqliteConnection,
    id: i64,
    outbox_id: Option<i64>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE questions SET answer_post = ? WHERE id = ?")
        .bind(outbox_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Every balance (the community pool's included) plus the points held in open escrow: what
/// paid Q&A must never change.
pub async fn points_in_play(conn: &mut SqliteConnection) -> sqlx::Result<i64> {
    let (total,): (i64,) = sqlx::query_as(
        "SELECT (SELECT COALESCE(SUM(balance), 0) FROM points_members)
              + (SELECT COALESCE(SUM(price), 0) FROM questions WHERE status = 'open')",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(total)
}

/// Paid listens, all answers together.
pub async fn listens_total(conn: &mut SqliteConnection) -> sqlx::Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM question_listens")
        .fetch_one(&mut *conn)
        .await?;
    Ok(n)
}
