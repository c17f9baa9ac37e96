//! The `grants` table.

use chrono::{DateTime, Utc};
use serenity::all::{RoleId, UserId};
use sqlx::{FromRow, SqliteConnection};

use crate::clock::to_millis;
use crate::db::Db;

#[derive(Debug, Clone)]
pub struct NewGrant<'a> {
    pub member: UserId,
    pub role: RoleId,
    /// What the grant is for: a product id or a shop item id.
    pub product: &'a str,
    /// Where it came from: `points`, `manual`, `code`, `stripe`, `discord`.
    pub source: &'a str,
    pub reference: Option<&'a str>,
    pub starts_at: DateTime<Utc>,
    /// `None`: no end.
    pub ends_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Grant {
    pub id: i64,
    pub member_id: i64,
    pub role_id: i64,
    pub product: String,
    pub source: String,
    pub starts_at: i64,
    pub ends_at: Option<i64>,
    pub ended_at: Option<i64>,
}

const COLUMNS: &str = "id, member_id, role_id, product, source, starts_at, ends_at, ended_at";

/// Records a grant in the caller's transaction. Returns its id.
pub async fn create(
    tx: &mut SqliteConnection,
    grant: &NewGrant<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO grants (member_id, role_id, product, source, reference, starts_at, ends_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(grant.member.get() as i64)
    .bind(grant.role.get() as i64)
    .bind(grant.product)
    .bind(grant.source)
    .bind(grant.reference)
    .bind(to_millis(grant.starts_at))
    .bind(grant.ends_at.map(to_millis))
    .bind(to_millis(now))
    .fetch_one(&mut *tx)
    .await?;
    Ok(id)
}

/// Open grants whose end has come by `now`, oldest end first.
pub async fn due(
    tx: &mut SqliteConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<Grant>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM grants WHERE ended_at IS NULL AND ends_at <= ? ORDER BY ends_at, id LIMIT ?"
    ))
    .bind(to_millis(now))
    .bind(limit)
    .fetch_all(&mut *tx)
    .await
}

/// Marks the open grants `which` names ended at `now` (their dated ends stay, so a won dispute
/// can reopen them). Returns what ended.
pub async fn end_where(
    tx: &mut SqliteConnection,
    which: super::end::Which<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<super::end::Ended>> {
    use super::end::Which;
    let condition = match which {
        Which::Id(_) => "id = ?2",
        Which::Reference(_) => "reference = ?2",
        Which::MemberProduct(..) => "member_id = ?2 AND product = ?3 AND source != 'points'",
    };
    let sql = format!(
        "UPDATE grants SET ended_at = ?1 WHERE ended_at IS NULL AND {condition}
         RETURNING member_id, role_id, product"
    );
    let query = sqlx::query_as(&sql).bind(to_millis(now));
    let query = match which {
        Which::Id(id) => query.bind(id),
        Which::Reference(reference) => query.bind(reference),
        Which::MemberProduct(member, product) => query.bind(member.get() as i64).bind(product),
    };
    query.fetch_all(&mut *tx).await
}

/// Whether any open grant still gives `member` the `role` at `now`.
pub async fn covered(
    tx: &mut SqliteConnection,
    member: i64,
    role: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM grants WHERE member_id = ? AND role_id = ? AND ended_at IS NULL
           AND starts_at <= ?3 AND (ends_at IS NULL OR ends_at > ?3)",
    )
    .bind(member)
    .bind(role)
    .bind(to_millis(now))
    .fetch_one(&mut *tx)
    .await?;
    Ok(n > 0)
}

/// Whether `member` ever held `role` through a grant (open or ended).
pub async fn ever_granted(tx: &mut SqliteConnection, member: i64, role: i64) -> sqlx::Result<bool> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT EXISTS (SELECT 1 FROM grants WHERE member_id = ? AND role_id = ?)")
            .bind(member)
            .bind(role)
            .fetch_one(&mut *tx)
            .await?;
    Ok(n > 0)
}

/// When the next open grant ends.
pub async fn next_end(db: &Db) -> sqlx::Result<Option<i64>> {
    let (next,): (Option<i64>,) =
        sqlx::query_as("SELECT MIN(ends_at) FROM grants WHERE ended_at IS NULL")
            .fetch_one(&db.read)
            .await?;
    Ok(next)
}

/// A member's open grants (to restore their roles when they rejoin).
pub async fn open_for(
    tx: &mut SqliteConnection,
    member: UserId,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Grant>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM grants WHERE member_id = ?1 AND ended_at IS NULL
           AND (ends_at IS NULL OR ends_at > ?2) ORDER BY id"
    ))
    .bind(member.get() as i64)
    .bind(to_millis(now))
    .fetch_all(&mut *tx)
    .await
}

/// (member, role) pairs some grant covers at `at` (ms): what reconciliation holds Discord to.
pub async fn held_at(db: &Db, at: i64) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT DISTINCT member_id, role_id FROM grants WHERE ended_at IS NULL AND starts_at <= ?1
           AND (ends_at IS NULL OR ends_at > ?1)",
    )
    .bind(at)
    .fetch_all(&db.read)
    .await
}

/// (member, role) pairs whose grant ended or ran out in [since, until] (ms): still settling
/// (their removal may be in flight), so reconciliation leaves them alone.
pub async fn settling(db: &Db, since: i64, until: i64) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT member_id, role_id FROM grants WHERE ended_at > ?1 OR ends_at BETWEEN ?1 AND ?2",
    )
    .bind(since)
    .bind(until)
    .fetch_all(&db.read)
    .await
}
