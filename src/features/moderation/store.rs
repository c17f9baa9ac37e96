//! The rules SQL: warnings, escalations, acceptances, the posted rules message.

use chrono::{DateTime, Utc};
use serenity::all::UserId;
use sqlx::{FromRow, SqliteConnection};

use crate::clock::to_millis;

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct WarningRow {
    pub id: i64,
    pub member_id: i64,
    pub moderator_id: Option<i64>,
    pub reason: String,
    pub points: i64,
    pub source: String,
    pub created_at: i64,
    pub pardoned_at: Option<i64>,
}

impl WarningRow {
    pub fn rule_view(&self) -> super::warnings::Warning {
        super::warnings::Warning {
            points: self.points,
            created_at: self.created_at,
            pardoned: self.pardoned_at.is_some(),
        }
    }
}

const COLUMNS: &str =
    "id, member_id, moderator_id, reason, points, source, created_at, pardoned_at";

pub async fn warnings_of(
    conn: &mut SqliteConnection,
    member: UserId,
) -> sqlx::Result<Vec<WarningRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM warnings WHERE member_id = ? ORDER BY id DESC"
    ))
    .bind(member.get() as i64)
    .fetch_all(&mut *conn)
    .await
}

pub async fn warning(conn: &mut SqliteConnection, id: i64) -> sqlx::Result<Option<WarningRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM warnings WHERE id = ?"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

pub async fn insert_warning(
    tx: &mut SqliteConnection,
    member: UserId,
    moderator: Option<UserId>,
    reason: &str,
    points: i64,
    source: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO warnings (member_id, moderator_id, reason, points, source, created_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(member.get() as i64)
    .bind(moderator.map(|m| m.get() as i64))
    .bind(reason)
    .bind(points)
    .bind(source)
    .bind(to_millis(now))
    .fetch_one(&mut *tx)
    .await?;
    Ok(id)
}

pub async fn pardon(
    tx: &mut SqliteConnection,
    id: i64,
    by: UserId,
    reason: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE warnings SET pardoned_at = ?, pardoned_by = ?, pardon_reason = ?
         WHERE id = ? AND pardoned_at IS NULL",
    )
    .bind(to_millis(now))
    .bind(by.get() as i64)
    .bind(reason)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn record_escalation(
    tx: &mut SqliteConnection,
    member: UserId,
    warning: i64,
    at_points: i64,
    action: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO escalations (member_id, warning_id, at_points, action, created_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(member.get() as i64)
    .bind(warning)
    .bind(at_points)
    .bind(action)
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Records an acceptance; false when the member had accepted before.
pub async fn accept(
    tx: &mut SqliteConnection,
    member: UserId,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO rules_acceptances (member_id, accepted_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(member.get() as i64)
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether `member` has accepted the rules.
pub async fn accepted(conn: &mut SqliteConnection, member: UserId) -> sqlx::Result<bool> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT EXISTS (SELECT 1 FROM rules_acceptances WHERE member_id = ?)")
            .bind(member.get() as i64)
            .fetch_one(&mut *conn)
            .await?;
    Ok(n > 0)
}

/// The outbox item of the rules message posted before, in `channel`.
pub async fn posted_rules(tx: &mut SqliteConnection) -> sqlx::Result<Option<(i64, i64)>> {
    sqlx::query_as("SELECT outbox_id, channel_id FROM rules_message WHERE id = 1")
        .fetch_optional(&mut *tx)
        .await
}

pub async fn set_posted_rules(
    tx: &mut SqliteConnection,
    outbox_id: i64,
    channel: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO rules_message (id, outbox_id, channel_id) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET outbox_id = ?1, channel_id = ?2",
    )
    .bind(outbox_id)
    .bind(channel)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
