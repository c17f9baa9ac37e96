//! Members' chosen roles in SQLite.

use serenity::all::{RoleId, UserId};
use sqlx::SqliteConnection;

/// The roles `member` chose from `menu`.
pub async fn chosen_in(
    conn: &mut SqliteConnection,
    member: UserId,
    menu: &str,
) -> sqlx::Result<Vec<RoleId>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT role_id FROM chosen_roles WHERE member_id = ? AND menu_id = ? ORDER BY chosen_at, role_id",
    )
    .bind(member.get() as i64)
    .bind(menu)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(r,)| RoleId::new(r as u64)).collect())
}

pub async fn is_chosen(
    conn: &mut SqliteConnection,
    member: UserId,
    role: RoleId,
) -> sqlx::Result<bool> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT 1 FROM chosen_roles WHERE member_id = ? AND role_id = ?")
            .bind(member.get() as i64)
            .bind(role.get() as i64)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.is_some())
}

pub async fn choose(
    tx: &mut SqliteConnection,
    member: UserId,
    role: RoleId,
    menu: &str,
    at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO chosen_roles (member_id, role_id, menu_id, chosen_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (member_id, role_id) DO UPDATE SET menu_id = excluded.menu_id",
    )
    .bind(member.get() as i64)
    .bind(role.get() as i64)
    .bind(menu)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

pub async fn unchoose(tx: &mut SqliteConnection, member: UserId, role: RoleId) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM chosen_roles WHERE member_id = ? AND role_id = ?")
        .bind(member.get() as i64)
        .bind(role.get() as i64)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// How many members chose each role of `menu` (for `/roles check`).
pub async fn counts(conn: &mut SqliteConnection, menu: &str) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as("SELECT role_id, COUNT(*) FROM chosen_roles WHERE menu_id = ? GROUP BY role_id")
        .bind(menu)
        .fetch_all(&mut *conn)
        .await
}
