//! Stripe webhooks: the signature is checked before anything is parsed (HMAC-SHA256 over
//! `timestamp.payload`, constant-time compare, 5-minute tolerance, any of several `v1`
//! signatures), then each event is applied once by its id — and only once it has been applied:
//! an event about something not yet known (an `invoice.paid` before its checkout) is kept and
//! applied when that becomes known.
//!
//! Supported API versions: 2024-06-20 and 2025-03-31 and later ([`shapes`] reads both).
//! `purchases.rs` checkouts, invoices and subscriptions; `reversals.rs` refunds and disputes;
//! `unmatched.rs` payments nobody could match; `store.rs` the Stripe tables.

pub mod purchases;
pub mod reversals;
pub mod shapes;
pub mod store;
pub mod unmatched;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::Value;
use serenity::all::UserId;
use sha2::Sha256;
use sqlx::SqliteConnection;

use crate::clock::from_millis;
use crate::config::{Config, Product};
use crate::error::Error;

/// How far a signature's timestamp may be from now (Stripe's own default).
pub const TOLERANCE_S: i64 = 300;

/// `STRIPE_WEBHOOK_SECRET`, a part of the state; the webhook answers 503 without it. Never
/// logged.
#[derive(Clone, Default)]
pub struct WebhookSecret(pub Option<std::sync::Arc<str>>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    Missing,
    Malformed,
    /// The timestamp is more than [`TOLERANCE_S`] away from now (a replay of an old delivery).
    Stale,
    /// No `v1` signature matches.
    Mismatch,
}

fn mac(secret: &str, timestamp: &str, payload: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(payload);
    mac
}

/// Checks a `Stripe-Signature` header (`t=…,v1=…[,v1=…][,v0=…]`) against `payload`.
pub fn verify(
    header: Option<&str>,
    payload: &[u8],
    secret: &str,
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut signatures: Vec<Vec<u8>> = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = Some(t),
            Some(("v1", sig)) => {
                // An undecodable signature simply cannot match; others may.
                if let Ok(bytes) = hex::decode(sig) {
                    signatures.push(bytes);
                }
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    let seconds: i64 = timestamp.parse().map_err(|_| SignatureError::Malformed)?;
    if (now.timestamp() - seconds).abs() > TOLERANCE_S {
        return Err(SignatureError::Stale);
    }
    let expected = mac(secret, timestamp, payload);
    // `verify_slice` compares in constant time.
    if signatures
        .iter()
        .any(|sig| expected.clone().verify_slice(sig).is_ok())
    {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The header Stripe would send for `payload` at `timestamp` (for tests, the demo and the sim).
pub fn sign(payload: &[u8], secret: &str, timestamp: i64) -> String {
    let t = timestamp.to_string();
    let sig = hex::encode(mac(secret, &t, payload).finalize().into_bytes());
    format!("t={t},v1={sig}")
}

#[derive(Debug, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub data: EventData,
}

#[derive(Debug, Deserialize)]
pub struct EventData {
    pub object: Value,
}

/// What applying an event did, for the log and the HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    Done,
    Replay,
    Ignored(&'static str),
    /// Kept until the subscription or invoice it names is known (not marked done).
    Deferred(String),
    /// Money that could not be matched to a member and product (why, as a reason code):
    /// listed for admins.
    Unmatched(&'static str),
}

fn instant(seconds: i64) -> DateTime<Utc> {
    from_millis(seconds * 1000)
}

/// Applies `event` once (a replayed id changes nothing), then every kept event that was
/// waiting for what this one made known.
pub async fn apply(
    tx: &mut SqliteConnection,
    config: &Config,
    event: &Event,
    now: DateTime<Utc>,
) -> Result<Applied, Error> {
    let applied = apply_one(tx, config, event, now).await?;
    let mut known = unlocks(event, &applied);
    while let Some(key) = known.pop() {
        for payload in store::take_deferred(tx, &key).await? {
            let Ok(waiting) = serde_json::from_str::<Event>(&payload) else {
                continue;
            };
            let result = apply_one(tx, config, &waiting, now).await?;
            tracing::info!(
                event = waiting.id,
                kind = waiting.kind,
                ?result,
                "applied a kept Stripe event"
            );
            known.extend(unlocks(&waiting, &result));
        }
    }
    Ok(applied)
}

/// What an applied event made known, for kept events waiting on it.
fn unlocks(event: &Event, applied: &Applied) -> Vec<String> {
    let checkout = event.kind.starts_with("checkout.session.");
    // A checkout nobody could match is known too: a refund kept for it is reported with it.
    let known = *applied == Applied::Done || (checkout && matches!(applied, Applied::Unmatched(_)));
    if !known {
        return Vec::new();
    }
    let o = &event.data.object;
    let keys: Vec<Option<&str>> = match event.kind.as_str() {
        // A subscription's kept invoices; a one-time payment's kept refunds and disputes.
        k if k.starts_with("checkout.session.") => {
            vec![
                shapes::id_of(o, "subscription"),
                shapes::id_of(o, "payment_intent"),
            ]
        }
        "invoice.paid" | "invoice.payment_succeeded" => {
            let (payment_intent, charge) = shapes::invoice_payment(o);
            vec![shapes::id_of(o, "id"), payment_intent, charge]
        }
        "invoice_payment.paid" => {
            let (payment_intent, charge) = o
                .get("payment")
                .map(shapes::invoice_payment_refs)
                .unwrap_or((None, None));
            vec![payment_intent, charge]
        }
        _ => Vec::new(),
    };
    keys.into_iter().flatten().map(str::to_string).collect()
}

async fn apply_one(
    tx: &mut SqliteConnection,
    config: &Config,
    event: &Event,
    now: DateTime<Utc>,
) -> Result<Applied, Error> {
    if !store::first_sight(tx, &event.id, &event.kind, now).await? {
        return Ok(Applied::Replay);
    }
    let o = &event.data.object;
    let applied = match event.kind.as_str() {
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
            purchases::checkout_completed(tx, config, event, now).await?
        }
        "checkout.session.async_payment_failed" => {
            purchases::checkout_failed(tx, config, o, now).await?
        }
        // Both are sent for a paid invoice; the second changes nothing (the payment is recorded
        // once per invoice).
        "invoice.paid" | "invoice.payment_succeeded" => {
            purchases::invoice_paid(tx, config, event, now).await?
        }
        "invoice_payment.paid" => purchases::invoice_payment_paid(tx, o).await?,
        "customer.subscription.updated" => purchases::subscription_updated(tx, o).await?,
        "customer.subscription.deleted" => {
            purchases::subscription_deleted(tx, config, o, now).await?
        }
        "charge.refunded" => reversals::charge_refunded(tx, config, event, now).await?,
        "charge.dispute.created" => reversals::dispute_created(tx, config, event, now).await?,
        "charge.dispute.closed" => reversals::dispute_closed(tx, config, event, now).await?,
        _ => Applied::Ignored("event type not handled"),
    };
    if let Applied::Deferred(key) = &applied {
        // Not done: kept, and applied when `key` is known.
        store::unsee(tx, &event.id).await?;
        let payload = serde_json::to_string(&serde_json::json!({
            "id": event.id, "type": event.kind, "data": { "object": o }
        }))
        .expect("JSON serializes");
        store::defer(
            tx,
            &store::Deferred {
                event_id: &event.id,
                kind: &event.kind,
                waits_for: key,
                payload: &payload,
                // Money waiting (an invoice, or a refund of a payment not seen yet), as opposed
                // to news about it.
                amount_minor: match event.kind.as_str() {
                    k if k.starts_with("invoice.") => shapes::int(o, "amount_paid"),
                    "charge.refunded" => shapes::int(o, "amount_refunded").map(|a| -a),
                    _ => None,
                },
                currency: shapes::text(o, "currency"),
            },
            now,
        )
        .await?;
    }
    Ok(applied)
}

/// Records money Stripe moved for `product` (once per `reference`: a redelivered event adds
/// nothing).
#[allow(clippy::too_many_arguments)]
async fn stripe_income(
    tx: &mut SqliteConnection,
    product: Option<&str>,
    member: Option<UserId>,
    kind: &str,
    amount_minor: i64,
    currency: &str,
    reference: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    // Stripe writes currencies in lower case; the config and `/revenue add` in upper case.
    let currency = currency.to_ascii_uppercase();
    super::store::record_income(
        tx,
        &super::store::Income {
            product,
            source: "stripe",
            kind,
            amount_minor,
            currency: &currency,
            member: member.map(UserId::get),
            note: None,
            reference: Some(reference),
        },
        now,
    )
    .await
}

/// The configured product a purchase link names, if it is still configured.
fn configured<'c>(config: &'c Config, link: &store::Link) -> Option<(UserId, &'c Product)> {
    let product = config.product(&link.product)?;
    Some((UserId::new(link.member_id as u64), product))
}

/// A verified Stripe event, applied in its own transaction (the webhook's one operation);
/// whoever plans from grants wakes.
pub async fn receive(app: &crate::state::AppState, event: &Event) -> Result<Applied, Error> {
    let config = app.config.snapshot();
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let applied = apply(&mut tx, &config, event, now).await?;
    app.commit_with(tx, &[crate::state::Topic::GRANTS]).await?;
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test";

    fn now() -> DateTime<Utc> {
        "2026-12-01T00:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_signed_payload_verifies_and_any_change_fails() {
        let body = br#"{"id":"evt_1"}"#;
        let header = sign(body, SECRET, now().timestamp());
        assert_eq!(verify(Some(&header), body, SECRET, now()), Ok(()));
        assert_eq!(
            verify(Some(&header), br#"{"id":"evt_2"}"#, SECRET, now()),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some(&header), body, "whsec_other", now()),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(None, body, SECRET, now()),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(Some("v1=abc"), body, SECRET, now()),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn old_timestamps_are_refused_and_any_of_several_v1_signatures_counts() {
        let body = b"{}";
        let old = sign(body, SECRET, now().timestamp() - 301);
        assert_eq!(
            verify(Some(&old), body, SECRET, now()),
            Err(SignatureError::Stale)
        );
        // During a secret roll Stripe signs with both secrets.
        let t = now().timestamp();
        let good = sign(body, SECRET, t);
        let other = sign(body, "whsec_old", t);
        let both = format!(
            "{},v1={},v0=deadbeef",
            other,
            good.split("v1=").nth(1).unwrap()
        );
        assert_eq!(verify(Some(&both), body, SECRET, now()), Ok(()));
    }
    /// What a bookkeeper would write for each sequence of Stripe events: money in by product,
    /// refunds (each counted once), disputes lost, and money nobody could match.
    #[tokio::test]
    async fn revenue_totals_are_what_a_bookkeeper_would_write() {
        use serde_json::json;
        let checkout = |session: &str, member: Option<u64>| {
            json!({ "id": session, "object": "checkout.session", "mode": "payment",
                    "payment_status": "paid", "client_reference_id": member.map(|m| m.to_string()),
                    "payment_intent": format!("pi_{session}"), "customer": null,
                    "metadata": { "product": "pro" }, "amount_total": 2900, "currency": "usd" })
        };
        let refund = |session: &str, cumulative: i64| {
            json!({ "id": format!("ch_{session}"), "object": "charge", "amount": 2900,
                    "amount_refunded": cumulative, "refunded": cumulative >= 2900,
                    "payment_intent": format!("pi_{session}"), "currency": "usd" })
        };
        let dispute = |session: &str, amount: i64, status: &str| {
            json!({ "id": format!("dp_{session}"), "object": "dispute", "amount": amount,
                    "currency": "usd", "charge": format!("ch_{session}"),
                    "payment_intent": format!("pi_{session}"), "reason": "fraudulent", "status": status })
        };
        type Case = (
            &'static str,
            Vec<(&'static str, serde_json::Value)>,
            [(&'static str, i64); 4],
        );
        let cases: Vec<Case> = vec![
            (
                "a payment",
                vec![("checkout.session.completed", checkout("a", Some(7)))],
                [
                    ("new", 2900),
                    ("refund", 0),
                    ("dispute", 0),
                    ("unmatched", 0),
                ],
            ),
            (
                "two partial refunds, one delivered twice",
                vec![
                    ("checkout.session.completed", checkout("b", Some(7))),
                    ("charge.refunded", refund("b", 1000)),
                    ("charge.refunded", refund("b", 1000)),
                    ("charge.refunded", refund("b", 2500)),
                ],
                [
                    ("new", 2900),
                    ("refund", -2500),
                    ("dispute", 0),
                    ("unmatched", 0),
                ],
            ),
            (
                "a full refund",
                vec![
                    ("checkout.session.completed", checkout("c", Some(7))),
                    ("charge.refunded", refund("c", 2900)),
                ],
                [
                    ("new", 2900),
                    ("refund", -2900),
                    ("dispute", 0),
                    ("unmatched", 0),
                ],
            ),
            (
                "a partial refund, then the rest disputed and lost",
                vec![
                    ("checkout.session.completed", checkout("d", Some(7))),
                    ("charge.refunded", refund("d", 1000)),
                    (
                        "charge.dispute.created",
                        dispute("d", 1900, "needs_response"),
                    ),
                    ("charge.dispute.closed", dispute("d", 1900, "lost")),
                ],
                [
                    ("new", 2900),
                    ("refund", -1000),
                    ("dispute", -1900),
                    ("unmatched", 0),
                ],
            ),
            (
                "a dispute won",
                vec![
                    ("checkout.session.completed", checkout("e", Some(7))),
                    ("charge.dispute.closed", dispute("e", 2900, "won")),
                ],
                [
                    ("new", 2900),
                    ("refund", 0),
                    ("dispute", 0),
                    ("unmatched", 0),
                ],
            ),
            (
                "a payment nobody can match, then refunded",
                vec![
                    ("checkout.session.completed", checkout("f", None)),
                    ("charge.refunded", refund("f", 2900)),
                ],
                [("new", 0), ("refund", 0), ("dispute", 0), ("unmatched", 0)],
            ),
            (
                "a refund first, then the payment nobody can match",
                vec![
                    ("charge.refunded", refund("h", 2900)),
                    ("checkout.session.completed", checkout("h", None)),
                ],
                [("new", 0), ("refund", 0), ("dispute", 0), ("unmatched", 0)],
            ),
            (
                "a refund first, then its payment",
                vec![
                    ("charge.refunded", refund("i", 2900)),
                    ("checkout.session.completed", checkout("i", Some(7))),
                ],
                [
                    ("new", 2900),
                    ("refund", -2900),
                    ("dispute", 0),
                    ("unmatched", 0),
                ],
            ),
            (
                "a payment nobody can match",
                vec![("checkout.session.completed", checkout("g", None))],
                [
                    ("new", 0),
                    ("refund", 0),
                    ("dispute", 0),
                    ("unmatched", 2900),
                ],
            ),
        ];
        let config = Config::parse(
            "[discord]\nguild_id = 1\n[[products]]\nid = \"pro\"\nname = \"Pro\"\nrole = 5\nduration = \"30d\"\nprice = 29\ncurrency = \"USD\"\n",
        )
        .unwrap();
        for (name, events, expected) in cases {
            let dir = tempfile::tempdir().unwrap();
            let db = crate::db::Db::open(&dir.path().join("r.db")).await.unwrap();
            for (i, (kind, object)) in events.into_iter().enumerate() {
                let event = Event {
                    id: format!("evt_{i}"),
                    kind: kind.to_string(),
                    data: EventData { object },
                };
                let mut tx = db.write.begin().await.unwrap();
                apply(&mut tx, &config, &event, now()).await.unwrap();
                tx.commit().await.unwrap();
            }
            let totals = super::super::store::totals_by_kind(&db).await.unwrap();
            for (kind, amount) in expected {
                let sum: i64 = totals.iter().filter(|t| t.0 == *kind).map(|t| t.2).sum();
                assert_eq!(sum, amount, "{name}: {kind}");
            }
            assert!(
                totals.iter().all(|(_, currency, _)| currency == "USD"),
                "{name}: {totals:?}"
            );
        }
    }
}
