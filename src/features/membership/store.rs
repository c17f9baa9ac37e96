//! The membership SQL: redeem codes, Stripe events and links, revenue, reminder records, and
//! the paid-member counts its reports read from the grants table (grants are written only
//! through `grants/`).

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use crate::clock::to_millis;

// --- redeem codes ---

pub struct NewCode<'a> {
    pub hash: &'a str,
    pub product: &'a str,
    pub duration_s: Option<i64>,
    pub max_uses: i64,
    pub expires_at: Option<i64>,
    pub batch: i64,
    pub created_by: u64,
    /// What each code was sold for (minor unit); `None`: complimentary.
    pub price_minor: Option<i64>,
}

pub async fn insert_code(
    tx: &mut SqliteConnection,
    c: &NewCode<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO redeem_codes (hash, product, duration_s, max_uses, expires_at, batch, created_by, created_at, price_minor)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(c.hash)
    .bind(c.product)
    .bind(c.duration_s)
    .bind(c.max_uses)
    .bind(c.expires_at)
    .bind(c.batch)
    .bind(c.created_by as i64)
    .bind(to_millis(now))
    .bind(c.price_minor)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

pub async fn next_batch(tx: &mut SqliteConnection) -> sqlx::Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(batch), 0) + 1 FROM redeem_codes")
        .fetch_one(&mut *tx)
        .await?;
    Ok(n)
}

/// Takes one use of a live code for `member`, atomically: of two members redeeming a
/// single-use code at once, exactly one gets `Some`. Returns (product, duration_s, price).
pub async fn take_use(
    tx: &mut SqliteConnection,
    hash: &str,
    member: u64,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<(String, Option<i64>, Option<i64>)>> {
    let taken: Option<(String, Option<i64>, Option<i64>)> = sqlx::query_as(
        "UPDATE redeem_codes SET uses = uses + 1
          WHERE hash = ?1 AND uses < max_uses AND revoked_at IS NULL
            AND (expires_at IS NULL OR expires_at > ?2)
            AND NOT EXISTS (SELECT 1 FROM code_redemptions WHERE code_hash = ?1 AND member_id = ?3)
          RETURNING product, duration_s, price_minor",
    )
    .bind(hash)
    .bind(to_millis(now))
    .bind(member as i64)
    .fetch_optional(&mut *tx)
    .await?;
    Ok(taken)
}

pub async fn record_redemption(
    tx: &mut SqliteConnection,
    hash: &str,
    member: u64,
    grant: Option<i64>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO code_redemptions (code_hash, member_id, grant_id, at) VALUES (?, ?, ?, ?)",
    )
    .bind(hash)
    .bind(member as i64)
    .bind(grant)
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Wrong codes by `member` since `since`.
pub async fn failures_since(
    conn: &mut SqliteConnection,
    member: u64,
    since: i64,
) -> sqlx::Result<i64> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM redeem_failures WHERE member_id = ? AND at > ?")
            .bind(member as i64)
            .bind(since)
            .fetch_one(&mut *conn)
            .await?;
    Ok(n)
}

pub async fn record_failure(
    tx: &mut SqliteConnection,
    member: u64,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO redeem_failures (member_id, at) VALUES (?, ?)")
        .bind(member as i64)
        .bind(to_millis(now))
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Code counts per product: (product, live, used up, expired, revoked).
pub async fn code_counts(
    conn: &mut SqliteConnection,
    product: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<(String, i64, i64, i64, i64)>> {
    sqlx::query_as(
        "SELECT product,
                SUM(revoked_at IS NULL AND uses < max_uses AND (expires_at IS NULL OR expires_at > ?1)),
                SUM(revoked_at IS NULL AND uses >= max_uses),
                SUM(revoked_at IS NULL AND uses < max_uses AND expires_at IS NOT NULL AND expires_at <= ?1),
                SUM(revoked_at IS NOT NULL)
           FROM redeem_codes WHERE (?2 IS NULL OR product = ?2)
          GROUP BY product ORDER BY product",
    )
    .bind(to_millis(now))
    .bind(product)
    .fetch_all(&mut *conn)
    .await
}

/// Revokes one code (by hash) or a whole batch. Returns how many codes it revoked.
pub async fn revoke_codes(
    tx: &mut SqliteConnection,
    hash: Option<&str>,
    batch: Option<i64>,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE redeem_codes SET revoked_at = ?1
          WHERE revoked_at IS NULL AND ((?2 IS NOT NULL AND hash = ?2) OR (?3 IS NOT NULL AND batch = ?3))",
    )
    .bind(to_millis(now))
    .bind(hash)
    .bind(batch)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected())
}

// --- revenue ---

pub struct Income<'a> {
    pub product: Option<&'a str>,
    pub source: &'a str,
    pub kind: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub member: Option<u64>,
    pub note: Option<&'a str>,
    /// Makes a recording happen once (a Stripe invoice id, a grant id).
    pub reference: Option<&'a str>,
}

pub async fn record_income(
    tx: &mut SqliteConnection,
    i: &Income<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO revenue (at, product, source, kind, amount_minor, currency, member_id, note, reference)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (reference) DO NOTHING",
    )
    .bind(to_millis(now))
    .bind(i.product)
    .bind(i.source)
    .bind(i.kind)
    .bind(i.amount_minor)
    .bind(i.currency.to_uppercase())
    .bind(i.member.map(|m| m as i64))
    .bind(i.note)
    .bind(i.reference)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Income in [from, to): (product or "—", source, currency, total minor, count).
pub async fn income_between(
    conn: &mut SqliteConnection,
    from: i64,
    to: i64,
) -> sqlx::Result<Vec<(String, String, String, i64, i64)>> {
    sqlx::query_as(
        "SELECT COALESCE(product, CASE kind WHEN 'unmatched' THEN 'unmatched' ELSE '—' END),
                source, currency, SUM(amount_minor), COUNT(*)
           FROM revenue WHERE at >= ? AND at < ?
          GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
    )
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await
}

/// All income ever recorded, by kind and currency: (kind, currency, total minor).
pub async fn totals_by_kind(db: &crate::db::Db) -> sqlx::Result<Vec<(String, String, i64)>> {
    sqlx::query_as(
        "SELECT kind, currency, SUM(amount_minor) FROM revenue GROUP BY 1, 2 ORDER BY 1, 2",
    )
    .fetch_all(&db.read)
    .await
}

/// Grants made by hand or by code in [`from`, `to`) that brought no income (complimentary).
pub async fn complimentary_between(
    conn: &mut SqliteConnection,
    from: i64,
    to: i64,
) -> sqlx::Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM grants g
          WHERE g.source IN ('manual', 'code') AND g.created_at >= ? AND g.created_at < ?
            AND NOT EXISTS (SELECT 1 FROM revenue r WHERE r.reference = 'grant:' || g.id)",
    )
    .bind(from)
    .bind(to)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n)
}

/// Stripe payments in the period that could not be matched to a member.
pub async fn unmatched_between(
    conn: &mut SqliteConnection,
    from: i64,
    to: i64,
) -> sqlx::Result<i64> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM stripe_unmatched WHERE at >= ? AND at < ?")
            .bind(from)
            .bind(to)
            .fetch_one(&mut *conn)
            .await?;
    Ok(n)
}

/// Counts of `kind` rows in the period (new, renewal).
pub async fn income_kinds(
    conn: &mut SqliteConnection,
    from: i64,
    to: i64,
) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT kind, COUNT(DISTINCT COALESCE(member_id, id)) FROM revenue
          WHERE at >= ? AND at < ? GROUP BY kind",
    )
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await
}

// --- reminders ---

/// Records a reminder (or grace notice, offset 0) for a paid end. False if already sent.
pub async fn record_reminder(
    tx: &mut SqliteConnection,
    member: i64,
    product: &str,
    paid_until: i64,
    offset_s: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO grant_reminders (member_id, product, paid_until, offset_s, sent_at)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(member)
    .bind(product)
    .bind(paid_until)
    .bind(offset_s)
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The earliest paid end after `after` (for the reminder job's next wake-up).
pub async fn next_paid_end_after(
    conn: &mut SqliteConnection,
    after: i64,
) -> sqlx::Result<Option<i64>> {
    let (next,): (Option<i64>,) = sqlx::query_as(
        "SELECT MIN(paid_until) FROM grants WHERE ended_at IS NULL AND paid_until > ? AND source != 'points'",
    )
    .bind(after)
    .fetch_one(&mut *conn)
    .await?;
    Ok(next)
}

/// The newest income row's id (rows are only ever added): whether income changed since.
pub async fn last_income_id(db: &crate::db::Db) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM revenue")
        .fetch_one(&db.read)
        .await
}

/// Income per month, source and currency: `months` are (label, first instant) in order, the
/// last month ending at `end`. Summed by SQLite (a year of a large community's payments is
/// tens of thousands of rows; reading them out cost the staff page more than the rest of it).
pub async fn income_by_month(
    db: &crate::db::Db,
    months: &[(String, i64)],
    end: i64,
) -> sqlx::Result<Vec<(String, String, String, i64)>> {
    let (Some(first), Some(last)) = (months.first(), months.last()) else {
        return Ok(Vec::new());
    };
    let mut query: sqlx::QueryBuilder<sqlx::Sqlite> = sqlx::QueryBuilder::new("SELECT CASE");
    for pair in months.windows(2) {
        query
            .push(" WHEN at < ")
            .push_bind(pair[1].1)
            .push(" THEN ")
            .push_bind(pair[0].0.clone());
    }
    query
        .push(" ELSE ")
        .push_bind(last.0.clone())
        .push(" END AS month, source, currency, SUM(amount_minor) FROM revenue WHERE at >= ")
        .push_bind(first.1)
        .push(" AND at < ")
        .push_bind(end)
        .push(" GROUP BY month, source, currency");
    query.build_query_as().fetch_all(&db.read).await
}

/// Local days since `since` (`YYYY-MM-DD`) on which each member did something: wrote a
/// message or acted (a check-in, homework, an RSVP, … — `crate::member_actions`).
pub async fn active_days(
    conn: &mut SqliteConnection,
    since: &str,
) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT member_id, COUNT(*) FROM (
             SELECT member_id, day FROM activity_daily WHERE day >= ?1 AND messages > 0
             UNION SELECT member_id, day FROM action_daily WHERE day >= ?1)
         GROUP BY member_id",
    )
    .bind(since)
    .fetch_all(&mut *conn)
    .await
}

/// Records a renewal draft sent. False when it was sent before for that period.
pub async fn mark_draft_sent(
    tx: &mut SqliteConnection,
    member: i64,
    product: &str,
    paid_until: i64,
    by: i64,
    at: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO renewal_drafts_sent (member_id, product, paid_until, sent_by, sent_at)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(member)
    .bind(product)
    .bind(paid_until)
    .bind(by)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The drafts sent for periods ending after `after` (ms): (member, product, paid end).
pub async fn drafts_sent(
    conn: &mut SqliteConnection,
    after: i64,
) -> sqlx::Result<Vec<(i64, String, i64)>> {
    sqlx::query_as(
        "SELECT member_id, product, paid_until FROM renewal_drafts_sent WHERE paid_until > ?",
    )
    .bind(after)
    .fetch_all(&mut *conn)
    .await
}

/// Records a win-back offer for (member, product, lapse) once: false when one went before.
pub async fn mark_winback_sent(
    tx: &mut SqliteConnection,
    (member, product, lapsed_at): (i64, &str, i64),
    batch: i64,
    by: i64,
    at: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO winbacks_sent (member_id, product, lapsed_at, batch, sent_by, sent_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(member)
    .bind(product)
    .bind(lapsed_at)
    .bind(batch)
    .bind(by)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The lapses of `product` a win-back went out for.
pub async fn winbacks_sent(
    conn: &mut SqliteConnection,
    product: &str,
) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as("SELECT member_id, lapsed_at FROM winbacks_sent WHERE product = ?")
        .bind(product)
        .fetch_all(&mut *conn)
        .await
}
