//! The Stripe tables: events applied, purchases (links), payments, events kept until what they
//! refer to is known, and payments nobody could match.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, SqliteConnection};

use crate::clock::to_millis;

/// Marks a Stripe event applied. False when it already was (a replay).
pub async fn first_sight(
    tx: &mut SqliteConnection,
    id: &str,
    kind: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO stripe_events (id, type, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(kind)
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes back a [`first_sight`]: the event is kept for later, not done.
pub async fn unsee(tx: &mut SqliteConnection, id: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM stripe_events WHERE id = ?")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Records which member and product a purchase (a subscription id, or `cs:{session}` for a
/// one-time checkout) pays for. The first link of a purchase stands.
pub async fn link(
    tx: &mut SqliteConnection,
    purchase: &str,
    customer: Option<&str>,
    member: u64,
    product: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO stripe_links (subscription_id, customer_id, member_id, product, created_at)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT (subscription_id) DO NOTHING",
    )
    .bind(purchase)
    .bind(customer)
    .bind(member as i64)
    .bind(product)
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct Link {
    pub member_id: i64,
    pub product: String,
    /// Stripe's latest stated paid end (ms), for subscriptions.
    pub period_end: Option<i64>,
    pub renews: bool,
}

pub async fn linked(conn: &mut SqliteConnection, purchase: &str) -> sqlx::Result<Option<Link>> {
    sqlx::query_as(
        "SELECT member_id, product, period_end, renews FROM stripe_links WHERE subscription_id = ?",
    )
    .bind(purchase)
    .fetch_optional(&mut *conn)
    .await
}

pub async fn set_period_end(
    tx: &mut SqliteConnection,
    purchase: &str,
    period_end: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE stripe_links SET period_end = ? WHERE subscription_id = ?")
        .bind(period_end)
        .bind(purchase)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

pub async fn set_renews(
    tx: &mut SqliteConnection,
    purchase: &str,
    renews: bool,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE stripe_links SET renews = ? WHERE subscription_id = ?")
        .bind(renews)
        .bind(purchase)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

pub async fn set_awaiting_payment(
    tx: &mut SqliteConnection,
    purchase: &str,
    awaiting: bool,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE stripe_links SET awaiting_payment = ? WHERE subscription_id = ?")
        .bind(awaiting)
        .bind(purchase)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

pub struct NewPayment<'a> {
    /// The checkout session (`cs_…`) or invoice (`in_…`) that took the money.
    pub source_id: &'a str,
    pub purchase: &'a str,
    pub payment_intent: Option<&'a str>,
    pub charge: Option<&'a str>,
    pub member: u64,
    pub product: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
    /// The paid end a subscription invoice bought.
    pub period_end: Option<i64>,
}

/// Records a payment once per source: its id, or `None` when it was recorded before.
pub async fn record_payment(
    tx: &mut SqliteConnection,
    p: &NewPayment<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "INSERT INTO stripe_payments
            (source_id, purchase, payment_intent, charge_id, member_id, product, amount_minor, currency, at, period_end)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source_id) DO NOTHING RETURNING id",
    )
    .bind(p.source_id)
    .bind(p.purchase)
    .bind(p.payment_intent)
    .bind(p.charge)
    .bind(p.member as i64)
    .bind(p.product)
    .bind(p.amount_minor)
    .bind(p.currency)
    .bind(to_millis(now))
    .bind(p.period_end)
    .fetch_optional(&mut *tx)
    .await
}

/// Fills in the PaymentIntent and charge of a payment recorded without them (API versions
/// since 2025-03-31 name them in `invoice_payment.paid`, not on the invoice). False when no
/// payment has that source yet.
pub async fn set_payment_refs(
    tx: &mut SqliteConnection,
    source_id: &str,
    payment_intent: Option<&str>,
    charge: Option<&str>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE stripe_payments SET payment_intent = COALESCE(payment_intent, ?),
                charge_id = COALESCE(charge_id, ?)
          WHERE source_id = ?",
    )
    .bind(payment_intent)
    .bind(charge)
    .bind(source_id)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, FromRow)]
pub struct Payment {
    pub id: i64,
    pub source_id: String,
    pub purchase: String,
    pub member_id: i64,
    pub product: String,
    pub amount_minor: i64,
    pub currency: String,
    pub dispute_ended_at: Option<i64>,
    /// The paid end a subscription invoice bought (`None`: a one-time purchase, or recorded
    /// before this was kept).
    pub period_end: Option<i64>,
}

/// The payment a charge, refund or dispute is about: by PaymentIntent, else by charge id, else
/// by the invoice it paid (older API versions name it on the charge).
pub async fn payment_of(
    conn: &mut SqliteConnection,
    payment_intent: Option<&str>,
    charge: Option<&str>,
    invoice: Option<&str>,
) -> sqlx::Result<Option<Payment>> {
    sqlx::query_as(
        "SELECT id, source_id, purchase, member_id, product, amount_minor, currency, dispute_ended_at,
                period_end
           FROM stripe_payments
          WHERE (?1 IS NOT NULL AND payment_intent = ?1) OR (?2 IS NOT NULL AND charge_id = ?2)
             OR (?3 IS NOT NULL AND source_id = ?3)
          ORDER BY id LIMIT 1",
    )
    .bind(payment_intent)
    .bind(charge)
    .bind(invoice)
    .fetch_optional(&mut *conn)
    .await
}

/// The payment went back in full (refund or lost dispute).
pub async fn set_refunded(
    tx: &mut SqliteConnection,
    payment: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE stripe_payments SET refunded_at = COALESCE(refunded_at, ?) WHERE id = ?")
        .bind(to_millis(now))
        .bind(payment)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// The paid ends of `purchase`'s invoices that were not refunded.
pub async fn paid_periods(conn: &mut SqliteConnection, purchase: &str) -> sqlx::Result<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT period_end FROM stripe_payments
          WHERE purchase = ? AND period_end IS NOT NULL AND refunded_at IS NULL",
    )
    .bind(purchase)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(end,)| end).collect())
}

pub async fn set_dispute(
    tx: &mut SqliteConnection,
    payment: i64,
    dispute: &str,
    status: &str,
    ended_at: Option<i64>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE stripe_payments SET dispute_id = ?, dispute_status = ?,
                dispute_ended_at = COALESCE(?, dispute_ended_at)
          WHERE id = ?",
    )
    .bind(dispute)
    .bind(status)
    .bind(ended_at)
    .bind(payment)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// How much of `charge` is already recorded as refunded (refund rows are referenced
/// `refund:{charge}:{cumulative}`), so each refund of one charge is counted once.
pub async fn refunded_so_far(conn: &mut SqliteConnection, charge: &str) -> sqlx::Result<i64> {
    let (sum,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(-SUM(amount_minor), 0) FROM revenue WHERE reference LIKE ? ESCAPE '\\'",
    )
    .bind(format!(
        "refund:{}:%",
        charge.replace('%', "\\%").replace('_', "\\_")
    ))
    .fetch_one(&mut *conn)
    .await?;
    Ok(sum)
}

pub struct Deferred<'a> {
    pub event_id: &'a str,
    pub kind: &'a str,
    /// The subscription or invoice id it refers to.
    pub waits_for: &'a str,
    pub payload: &'a str,
    pub amount_minor: Option<i64>,
    pub currency: Option<&'a str>,
}

/// Keeps an event until what it refers to is known (a replay of it is kept once).
pub async fn defer(
    tx: &mut SqliteConnection,
    d: &Deferred<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO stripe_deferred (event_id, type, waits_for, payload, amount_minor, currency, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING",
    )
    .bind(d.event_id)
    .bind(d.kind)
    .bind(d.waits_for)
    .bind(d.payload)
    .bind(d.amount_minor)
    .bind(d.currency)
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Removes and returns the payloads of events waiting for `key`, in the order they came.
pub async fn take_deferred(tx: &mut SqliteConnection, key: &str) -> sqlx::Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT payload FROM stripe_deferred WHERE waits_for = ? ORDER BY received_at, event_id",
    )
    .bind(key)
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM stripe_deferred WHERE waits_for = ?")
        .bind(key)
        .execute(&mut *tx)
        .await?;
    Ok(rows.into_iter().map(|(p,)| p).collect())
}

#[derive(Debug, Clone, FromRow)]
pub struct Waiting {
    pub event_id: String,
    pub kind: String,
    pub waits_for: String,
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    pub received_at: i64,
}

/// Payments still waiting for what they refer to, oldest first (other kept events, such as a
/// subscription update of a subscription sold elsewhere, are not money and not listed).
pub async fn waiting(conn: &mut SqliteConnection, limit: i64) -> sqlx::Result<Vec<Waiting>> {
    sqlx::query_as(
        "SELECT event_id, type AS kind, waits_for, amount_minor, currency, received_at
           FROM stripe_deferred WHERE amount_minor IS NOT NULL
          ORDER BY received_at, event_id LIMIT ?",
    )
    .bind(limit)
    .fetch_all(&mut *conn)
    .await
}

/// Whether a payment (by PaymentIntent) was reported as one nobody could match: a refund or
/// dispute of it is reported too, not kept waiting for a payment that will never be matched.
pub async fn was_unmatched(
    conn: &mut SqliteConnection,
    payment_intent: Option<&str>,
) -> sqlx::Result<bool> {
    let Some(payment_intent) = payment_intent else {
        return Ok(false);
    };
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT 1 FROM stripe_unmatched WHERE payment_intent = ? AND type LIKE 'checkout.%' LIMIT 1",
    )
    .bind(payment_intent)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found.is_some())
}

pub struct NewUnmatched<'a> {
    pub event_id: &'a str,
    pub kind: &'a str,
    pub object_id: &'a str,
    pub payment_intent: Option<&'a str>,
    pub customer: Option<&'a str>,
    pub member: Option<u64>,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub reason: &'a str,
}

pub async fn record_unmatched(
    tx: &mut SqliteConnection,
    u: &NewUnmatched<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO stripe_unmatched
            (event_id, type, object_id, payment_intent, customer, member_id, amount_minor, currency, reason, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING",
    )
    .bind(u.event_id)
    .bind(u.kind)
    .bind(u.object_id)
    .bind(u.payment_intent)
    .bind(u.customer)
    .bind(u.member.map(|m| m as i64))
    .bind(u.amount_minor)
    .bind(u.currency)
    .bind(u.reason)
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, FromRow)]
pub struct Unmatched {
    pub kind: String,
    pub object_id: String,
    pub payment_intent: Option<String>,
    pub customer: Option<String>,
    pub member_id: Option<i64>,
    pub amount_minor: i64,
    pub currency: String,
    pub reason: String,
    pub at: i64,
}

/// Unmatched payments, newest first.
pub async fn unmatched(conn: &mut SqliteConnection, limit: i64) -> sqlx::Result<Vec<Unmatched>> {
    sqlx::query_as(
        "SELECT type AS kind, object_id, payment_intent, customer, member_id, amount_minor, currency, reason, at
           FROM stripe_unmatched ORDER BY at DESC, id DESC LIMIT ?",
    )
    .bind(limit)
    .fetch_all(&mut *conn)
    .await
}
