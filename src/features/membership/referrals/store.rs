//! The referral tables: personal codes and who referred whom, with the credit each referral
//! earned and whether it was reversed.

use sqlx::SqliteConnection;

use crate::db::Db;

pub async fn code_of(conn: &mut SqliteConnection, member: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT code FROM referral_codes WHERE member_id = ?")
        .bind(member)
        .fetch_optional(&mut *conn)
        .await
}

/// False when the code is taken (made again) or the member has one.
pub async fn insert_code(
    conn: &mut SqliteConnection,
    member: i64,
    code: &str,
    at: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO referral_codes (member_id, code, created_at) VALUES (?, ?, ?)
         ON CONFLICT DO NOTHING",
    )
    .bind(member)
    .bind(code)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn owner_of(conn: &mut SqliteConnection, code: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("SELECT member_id FROM referral_codes WHERE code = ?")
        .bind(code)
        .fetch_optional(&mut *conn)
        .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Referral {
    pub referred_id: i64,
    pub referrer_id: i64,
    pub claimed_at: i64,
    pub payment_id: Option<i64>,
    pub credit_kind: Option<String>,
    pub credit_amount: Option<i64>,
    pub credit_given: Option<i64>,
    pub credited_at: Option<i64>,
    pub reversed_at: Option<i64>,
}

const COLUMNS: &str = "referred_id, referrer_id, claimed_at, payment_id, credit_kind, credit_amount, credit_given, credited_at, reversed_at";

pub async fn of_referred(
    conn: &mut SqliteConnection,
    referred: i64,
) -> sqlx::Result<Option<Referral>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM referrals WHERE referred_id = ?"
    ))
    .bind(referred)
    .fetch_optional(&mut *conn)
    .await
}

pub async fn of_payment(
    conn: &mut SqliteConnection,
    payment: i64,
) -> sqlx::Result<Option<Referral>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM referrals WHERE payment_id = ?"
    ))
    .bind(payment)
    .fetch_optional(&mut *conn)
    .await
}

/// One referrer per member: false when the member was already referred.
pub async fn insert_claim(
    conn: &mut SqliteConnection,
    referred: i64,
    referrer: i64,
    at: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO referrals (referred_id, referrer_id, claimed_at) VALUES (?, ?, ?)
         ON CONFLICT (referred_id) DO NOTHING",
    )
    .bind(referred)
    .bind(referrer)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether `member` has paid through Stripe before (referrals count first payments only).
pub async fn has_paid(conn: &mut SqliteConnection, member: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM stripe_payments WHERE member_id = ? AND amount_minor > 0)",
    )
    .bind(member)
    .fetch_one(&mut *conn)
    .await
}

/// Stripe payments of `member` with money in them, the given one included.
pub async fn payments_of(conn: &mut SqliteConnection, member: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM stripe_payments WHERE member_id = ? AND amount_minor > 0",
    )
    .bind(member)
    .fetch_one(&mut *conn)
    .await
}

/// Marks the credit given, once: false when the referral was credited before.
pub struct Credited<'a> {
    pub referred: i64,
    pub payment: i64,
    pub kind: &'a str,
    pub amount: i64,
    pub given: i64,
    pub at: i64,
}

pub async fn set_credited(conn: &mut SqliteConnection, c: &Credited<'_>) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE referrals SET payment_id = ?, credit_kind = ?, credit_amount = ?, credit_given = ?,
                credited_at = ?
         WHERE referred_id = ? AND credited_at IS NULL",
    )
    .bind(c.payment)
    .bind(c.kind)
    .bind(c.amount)
    .bind(c.given)
    .bind(c.at)
    .bind(c.referred)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks the credit reversed, once: false when it was reversed before.
pub async fn set_reversed(
    conn: &mut SqliteConnection,
    referred: i64,
    taken: i64,
    at: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE referrals SET reversed_at = ?, reversed_amount = ?
         WHERE referred_id = ? AND credited_at IS NOT NULL AND reversed_at IS NULL",
    )
    .bind(at)
    .bind(taken)
    .bind(referred)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One referrer's line: members who used their code, how many paid (credit standing), how
/// many were reversed, and the credit standing in points and in days.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Tally {
    pub referrer_id: i64,
    pub claims: i64,
    pub conversions: i64,
    pub reversed: i64,
    pub points: i64,
    pub days: i64,
}

pub async fn tally_of(db: &Db, referrer: i64) -> sqlx::Result<Tally> {
    let row: Option<Tally> = sqlx::query_as(
        "SELECT referrer_id, COUNT(*) AS claims,
            COUNT(credited_at) - COUNT(reversed_at) AS conversions,
            COUNT(reversed_at) AS reversed,
            COALESCE(SUM(CASE WHEN credit_kind = 'points' AND reversed_at IS NULL THEN credit_given END), 0) AS points,
            COALESCE(SUM(CASE WHEN credit_kind = 'days' AND reversed_at IS NULL THEN credit_given END), 0) AS days
         FROM referrals
         WHERE referrer_id = ? GROUP BY referrer_id",
    )
    .bind(referrer)
    .fetch_optional(&db.read)
    .await?;
    Ok(row.unwrap_or(Tally {
        referrer_id: referrer,
        ..Tally::default()
    }))
}

/// The top referrers by conversions, then claims.
pub async fn top(db: &Db, limit: i64) -> sqlx::Result<Vec<Tally>> {
    sqlx::query_as(
        "SELECT referrer_id, COUNT(*) AS claims,
            COUNT(credited_at) - COUNT(reversed_at) AS conversions,
            COUNT(reversed_at) AS reversed,
            COALESCE(SUM(CASE WHEN credit_kind = 'points' AND reversed_at IS NULL THEN credit_given END), 0) AS points,
            COALESCE(SUM(CASE WHEN credit_kind = 'days' AND reversed_at IS NULL THEN credit_given END), 0) AS days
         FROM referrals
         GROUP BY referrer_id ORDER BY conversions DESC, claims DESC, referrer_id LIMIT ?",
    )
    .bind(limit)
    .fetch_all(&db.read)
    .await
}

/// Everyone's lines summed (referrer_id 0).
pub async fn totals(db: &Db) -> sqlx::Result<Tally> {
    sqlx::query_as(
        "SELECT 0 AS referrer_id, COUNT(*) AS claims,
            COUNT(credited_at) - COUNT(reversed_at) AS conversions,
            COUNT(reversed_at) AS reversed,
            COALESCE(SUM(CASE WHEN credit_kind = 'points' AND reversed_at IS NULL THEN credit_given END), 0) AS points,
            COALESCE(SUM(CASE WHEN credit_kind = 'days' AND reversed_at IS NULL THEN credit_given END), 0) AS days
         FROM referrals",
    )
    .fetch_one(&db.read)
    .await
}

/// The ledger's own sum of referral points standing for `referrer` (credits minus reversals),
/// for checking `/refer stats` against it.
pub async fn ledger_points(db: &Db, referrer: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COALESCE(SUM(lifetime_delta), 0) FROM points_ledger
         WHERE member_id = ? AND kind IN ('referral', 'referral_reversal')",
    )
    .bind(referrer)
    .fetch_one(&db.read)
    .await
}
