//! The `grants` table.

use chrono::{DateTime, Utc};
use serenity::all::UserId;
use sqlx::{FromRow, SqliteConnection};

use crate::clock::to_millis;
use crate::db::Db;

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

/// Which open grants to end.
#[derive(Debug, Clone, Copy)]
pub enum Which<'a> {
    /// One grant, by id.
    Id(i64),
    /// Those one purchase paid for (`stripe:…`, `discord:…`, `order:…`).
    Reference(&'a str),
    /// Every grant of a product held by a member (not the points shop's).
    MemberProduct(UserId, &'a str),
}

/// A grant that was ended.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Ended {
    pub member_id: i64,
    pub role_id: i64,
    pub product: String,
}

impl Ended {
    pub fn member(&self) -> UserId {
        UserId::new(self.member_id as u64)
    }
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
    which: Which<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Ended>> {
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

/// An open product grant as the membership views need it.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct ProductGrant {
    pub id: i64,
    pub member_id: i64,
    pub role_id: i64,
    pub product: String,
    pub source: String,
    pub reference: Option<String>,
    pub starts_at: i64,
    pub paid_until: Option<i64>,
    pub ends_at: Option<i64>,
    pub note: Option<String>,
}

const PRODUCT_COLUMNS: &str =
    "id, member_id, role_id, product, source, reference, starts_at, paid_until, ends_at, note";

pub struct NewGrant<'a> {
    pub member: u64,
    pub role: u64,
    pub product: &'a str,
    pub source: &'a str,
    pub reference: Option<&'a str>,
    pub paid_until: Option<i64>,
    pub ends_at: Option<i64>,
    pub note: Option<&'a str>,
    pub actor: Option<u64>,
    /// What this grant added to a chain of stacked purchases (ms), for a refund to take out.
    pub span_ms: Option<i64>,
}

/// Records a grant in the caller's transaction (through [`super::give::give`]). Returns its id.
pub async fn insert(
    tx: &mut SqliteConnection,
    g: &NewGrant<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO grants (member_id, role_id, product, source, reference, starts_at, ends_at, paid_until, note, actor_id, created_at, span_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(g.member as i64)
    .bind(g.role as i64)
    .bind(g.product)
    .bind(g.source)
    .bind(g.reference)
    .bind(to_millis(now))
    .bind(g.ends_at)
    .bind(g.paid_until)
    .bind(g.note)
    .bind(g.actor.map(|a| a as i64))
    .bind(to_millis(now))
    .bind(g.span_ms)
    .fetch_one(&mut *tx)
    .await?;
    Ok(id)
}

/// How many members hold `product` now (open access, paid or given).
pub async fn holders_of(
    conn: &mut SqliteConnection,
    product: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(DISTINCT member_id) FROM grants WHERE product = ?1 AND ended_at IS NULL
           AND (ends_at IS NULL OR ends_at > ?2)",
    )
    .bind(product)
    .bind(to_millis(now))
    .fetch_one(&mut *conn)
    .await
}

/// `member`'s open grants of `product` (of every product when `product` is `None`): paid
/// products (`shop`: false) or points-shop items (`shop`: true).
pub async fn open(
    conn: &mut SqliteConnection,
    member: u64,
    product: Option<&str>,
    shop: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<ProductGrant>> {
    sqlx::query_as(&format!(
        "SELECT {PRODUCT_COLUMNS} FROM grants WHERE member_id = ?1 AND ended_at IS NULL
           AND (source = 'points') = ?4
           AND (ends_at IS NULL OR ends_at > ?2) AND (?3 IS NULL OR product = ?3)
         ORDER BY id"
    ))
    .bind(member as i64)
    .bind(to_millis(now))
    .bind(product)
    .bind(shop)
    .fetch_all(&mut *conn)
    .await
}

/// Open grants from Discord's store made before `before` (ms).
pub async fn open_discord_grants_before(
    conn: &mut SqliteConnection,
    before: i64,
) -> sqlx::Result<Vec<ProductGrant>> {
    sqlx::query_as(&format!(
        "SELECT {PRODUCT_COLUMNS} FROM grants WHERE source = 'discord' AND ended_at IS NULL AND created_at < ?"
    ))
    .bind(before)
    .fetch_all(&mut *conn)
    .await
}

/// Whether any grant, open or ended, was ever made under `reference` (an import runs once).
pub async fn reference_ever_used(
    conn: &mut SqliteConnection,
    reference: &str,
) -> sqlx::Result<bool> {
    let found: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM grants WHERE reference = ? LIMIT 1")
        .bind(reference)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(found.is_some())
}

/// The open grant with `reference` (a Stripe subscription, a Discord entitlement).
pub async fn by_reference(
    conn: &mut SqliteConnection,
    reference: &str,
) -> sqlx::Result<Option<ProductGrant>> {
    sqlx::query_as(&format!(
        "SELECT {PRODUCT_COLUMNS} FROM grants WHERE reference = ? AND ended_at IS NULL ORDER BY id DESC LIMIT 1"
    ))
    .bind(reference)
    .fetch_optional(&mut *conn)
    .await
}

/// When a grant under `reference` last began or ended (ms), if any ever did.
pub async fn last_change_of(
    conn: &mut SqliteConnection,
    reference: &str,
) -> sqlx::Result<Option<i64>> {
    let (at,): (Option<i64>,) = sqlx::query_as(
        "SELECT MAX(MAX(created_at, COALESCE(ended_at, 0))) FROM grants WHERE reference = ?",
    )
    .bind(reference)
    .fetch_one(&mut *conn)
    .await?;
    Ok(at)
}

/// A link of a chain of stacked purchases: when it was bought and what it added.
#[derive(Debug, Clone, FromRow)]
pub struct ChainLink {
    pub id: i64,
    pub created_at: i64,
    pub paid_until: i64,
    pub ends_at: i64,
    pub span_ms: i64,
}

/// The grant `id` as a chain link (`None` when it added no span: a dated or lifetime grant).
pub async fn chain_link(conn: &mut SqliteConnection, id: i64) -> sqlx::Result<Option<ChainLink>> {
    sqlx::query_as(
        "SELECT id, created_at, paid_until, ends_at, span_ms FROM grants
          WHERE id = ? AND span_ms IS NOT NULL AND paid_until IS NOT NULL AND ends_at IS NOT NULL",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
}

/// The open links stacked after grant `id` on the same member and product family.
pub async fn chained_after(conn: &mut SqliteConnection, id: i64) -> sqlx::Result<Vec<ChainLink>> {
    sqlx::query_as(
        "SELECT g.id, g.created_at, g.paid_until, g.ends_at, g.span_ms FROM grants g
           JOIN grants r ON r.id = ?1
          WHERE g.member_id = r.member_id AND g.product = r.product
            AND (g.source = 'points') = (r.source = 'points')
            AND g.id > r.id AND g.ended_at IS NULL AND g.span_ms IS NOT NULL
            AND g.paid_until IS NOT NULL AND g.ends_at IS NOT NULL
          ORDER BY g.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
}

/// Moves a grant's paid end and access end (a renewal by the payment provider's dates).
pub async fn set_ends(
    tx: &mut SqliteConnection,
    id: i64,
    paid_until: Option<i64>,
    ends_at: Option<i64>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE grants SET paid_until = ?, ends_at = ? WHERE id = ?")
        .bind(paid_until)
        .bind(ends_at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Reopens the grants of `reference` that were ended at `ended_at` and whose time has not run
/// out. Returns each reopened grant's (member, role, product).
pub async fn reopen_by_reference(
    tx: &mut SqliteConnection,
    reference: &str,
    ended_at: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<(i64, i64, String)>> {
    sqlx::query_as(
        "UPDATE grants SET ended_at = NULL
          WHERE reference = ?1 AND ended_at = ?2 AND (ends_at IS NULL OR ends_at > ?3)
         RETURNING member_id, role_id, product",
    )
    .bind(reference)
    .bind(ended_at)
    .bind(to_millis(now))
    .fetch_all(&mut *tx)
    .await
}

/// Which open product grants a staff list shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter<'a> {
    pub product: Option<&'a str>,
    /// Paid time ending by then (ms).
    pub ending_by: Option<i64>,
    /// Members with no message on or after this community-local day (`YYYY-MM-DD`).
    pub quiet_since: Option<&'a str>,
}

/// One page of open product grants by `filter` (`limit` rows from `offset`), with how many
/// there are in all.
pub async fn list_page(
    conn: &mut SqliteConnection,
    filter: Filter<'_>,
    now: DateTime<Utc>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<ProductGrant>, i64)> {
    let rows = sqlx::query_as(&format!(
        "SELECT {PRODUCT_COLUMNS} FROM grants WHERE ended_at IS NULL AND source != 'points'
           AND (ends_at IS NULL OR ends_at > ?1) AND (?2 IS NULL OR product = ?2)
           AND (?3 IS NULL OR (paid_until IS NOT NULL AND paid_until <= ?3))
           AND (?4 IS NULL OR (NOT EXISTS (SELECT 1 FROM activity_daily a
                                            WHERE a.member_id = grants.member_id AND a.day >= ?4)
                               AND NOT EXISTS (SELECT 1 FROM action_daily a
                                            WHERE a.member_id = grants.member_id AND a.day >= ?4)))
         ORDER BY member_id, product, id LIMIT ?5 OFFSET ?6"
    ))
    .bind(to_millis(now))
    .bind(filter.product)
    .bind(filter.ending_by)
    .bind(filter.quiet_since)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?;
    // The list's own index holds every column the filters read: the count reads no table row.
    let (total,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM grants INDEXED BY grants_open_list
          WHERE ended_at IS NULL AND source != 'points'
           AND (ends_at IS NULL OR ends_at > ?1) AND (?2 IS NULL OR product = ?2)
           AND (?3 IS NULL OR (paid_until IS NOT NULL AND paid_until <= ?3))
           AND (?4 IS NULL OR (NOT EXISTS (SELECT 1 FROM activity_daily a
                                            WHERE a.member_id = grants.member_id AND a.day >= ?4)
                               AND NOT EXISTS (SELECT 1 FROM action_daily a
                                            WHERE a.member_id = grants.member_id AND a.day >= ?4)))",
    )
    .bind(to_millis(now))
    .bind(filter.product)
    .bind(filter.ending_by)
    .bind(filter.quiet_since)
    .fetch_one(&mut *conn)
    .await?;
    Ok((rows, total))
}

/// Open product grants (any member), optionally of one product and ending before `before`.
pub async fn list(
    conn: &mut SqliteConnection,
    product: Option<&str>,
    before: Option<i64>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<ProductGrant>> {
    sqlx::query_as(&format!(
        "SELECT {PRODUCT_COLUMNS} FROM grants WHERE ended_at IS NULL AND source != 'points'
           AND (ends_at IS NULL OR ends_at > ?1) AND (?2 IS NULL OR product = ?2)
           AND (?3 IS NULL OR (paid_until IS NOT NULL AND paid_until <= ?3))
         ORDER BY member_id, product, id"
    ))
    .bind(to_millis(now))
    .bind(product)
    .bind(before)
    .fetch_all(&mut *conn)
    .await
}
