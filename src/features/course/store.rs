//! Course holders and lesson unlocks in SQLite.

use sqlx::SqliteConnection;

/// Members holding `product` at `now` (an open grant), each with their first grant's start.
pub async fn holders(
    conn: &mut SqliteConnection,
    product: &str,
    now: i64,
) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT member_id, MIN(starts_at) FROM grants WHERE product = ?1 AND source != 'points'
         GROUP BY member_id
         HAVING SUM(ended_at IS NULL AND (ends_at IS NULL OR ends_at > ?2)) > 0",
    )
    .bind(product)
    .bind(now)
    .fetch_all(&mut *conn)
    .await
}

/// Whether `member` holds `product` at `now` (ms): an open grant, not the points shop's.
pub async fn holds(
    conn: &mut SqliteConnection,
    member: i64,
    product: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM grants WHERE member_id = ?1 AND product = ?2
            AND source != 'points' AND ended_at IS NULL AND (ends_at IS NULL OR ends_at > ?3))",
    )
    .bind(member)
    .bind(product)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}

/// A member's first grant of `product` (any state), in ms.
pub async fn first_start(
    conn: &mut SqliteConnection,
    member: i64,
    product: &str,
) -> sqlx::Result<Option<i64>> {
    let (start,): (Option<i64>,) = sqlx::query_as(
        "SELECT MIN(starts_at) FROM grants WHERE member_id = ? AND product = ? AND source != 'points'",
    )
    .bind(member)
    .bind(product)
    .fetch_one(&mut *conn)
    .await?;
    Ok(start)
}

/// Every unlock of `product`: (member, lesson).
pub async fn unlocked(conn: &mut SqliteConnection, product: &str) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as("SELECT member_id, lesson FROM lesson_unlocks WHERE product = ?")
        .bind(product)
        .fetch_all(&mut *conn)
        .await
}

/// A member's unlocks of `product`: (lesson, when).
pub async fn unlocked_by(
    conn: &mut SqliteConnection,
    member: i64,
    product: &str,
) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT lesson, unlocked_at FROM lesson_unlocks WHERE member_id = ? AND product = ? ORDER BY lesson",
    )
    .bind(member)
    .bind(product)
    .fetch_all(&mut *conn)
    .await
}

/// Records an unlock once. Returns whether this call did.
pub async fn unlock(
    tx: &mut SqliteConnection,
    member: i64,
    product: &str,
    lesson: i64,
    at: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO lesson_unlocks (member_id, product, lesson, unlocked_at) VALUES (?, ?, ?, ?)
         ON CONFLICT DO NOTHING",
    )
    .bind(member)
    .bind(product)
    .bind(lesson)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether `member` unlocked a lesson whose role is `role` (the lesson positions given).
pub async fn has_any(
    conn: &mut SqliteConnection,
    member: i64,
    product: &str,
    lessons: &[i64],
) -> sqlx::Result<bool> {
    for lesson in lessons {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT 1 FROM lesson_unlocks WHERE member_id = ? AND product = ? AND lesson = ?",
        )
        .bind(member)
        .bind(product)
        .bind(lesson)
        .fetch_optional(&mut *conn)
        .await?;
        if row.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}
