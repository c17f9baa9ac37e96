//! Stripe webhooks: the signature is checked before anything is parsed (HMAC-SHA256 over
//! `timestamp.payload`, constant-time compare, 5-minute tolerance, any of several `v1`
//! signatures), then each event is applied once by its id.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::Value;
use serenity::all::UserId;
use sha2::Sha256;
use sqlx::SqliteConnection;

use super::ops::{self, GrantRequest, Length, SYSTEM_ACTOR};
use super::store;
use crate::clock::{from_millis, to_millis};
use crate::config::{Config, Product};
use crate::error::Error;

/// How far a signature's timestamp may be from now (Stripe's own default).
pub const TOLERANCE_S: i64 = 300;

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
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn int(v: &Value, key: &str) -> Option<i64> {
    v.get(key).and_then(Value::as_i64)
}

/// The member and configured product a purchase link names, or why the event is ignored.
fn purchase<'c>(
    config: &'c Config,
    link: Option<(i64, String)>,
    unlinked: &'static str,
) -> Result<(UserId, &'c Product), Applied> {
    let (member, product) = link.ok_or(Applied::Ignored(unlinked))?;
    let product = config
        .product(&product)
        .ok_or(Applied::Ignored("product no longer configured"))?;
    Ok((UserId::new(member as u64), product))
}

/// The member and product a known Stripe subscription pays for (or why the event is ignored).
async fn subscribed<'c>(
    tx: &mut SqliteConnection,
    config: &'c Config,
    subscription: &str,
) -> sqlx::Result<Result<(UserId, &'c Product), Applied>> {
    let link = store::linked(tx, subscription).await?;
    Ok(purchase(config, link, "unknown subscription"))
}

fn instant(seconds: i64) -> DateTime<Utc> {
    from_millis(seconds * 1000)
}

/// Applies `event` once (a replayed id changes nothing).
pub async fn apply(
    tx: &mut SqliteConnection,
    config: &Config,
    event: &Event,
    now: DateTime<Utc>,
) -> Result<Applied, Error> {
    if !store::first_sight(tx, &event.id, &event.kind, now).await? {
        return Ok(Applied::Replay);
    }
    let o = &event.data.object;
    match event.kind.as_str() {
        "checkout.session.completed" => checkout_completed(tx, config, o, now).await,
        "invoice.paid" => invoice_paid(tx, config, o, now).await,
        "customer.subscription.deleted" => subscription_deleted(tx, config, o, now).await,
        "charge.refunded" => charge_refunded(tx, config, o, now).await,
        _ => Ok(Applied::Ignored("event type not handled")),
    }
}

/// A Payment Link checkout: `client_reference_id` is the Discord user (set by `/membership
/// buy`), `metadata.product` the product (copied from the Payment Link's metadata).
async fn checkout_completed(
    tx: &mut SqliteConnection,
    config: &Config,
    o: &Value,
    now: DateTime<Utc>,
) -> Result<Applied, Error> {
    let Some(member) = text(o, "client_reference_id")
        .and_then(|id| id.parse::<u64>().ok())
        .filter(|id| *id > 0)
    else {
        return Ok(Applied::Ignored("no Discord user in client_reference_id"));
    };
    let Some(product) = o
        .get("metadata")
        .and_then(|m| text(m, "product"))
        .and_then(|p| config.product(p))
    else {
        return Ok(Applied::Ignored(
            "metadata.product names no configured product",
        ));
    };
    let member = UserId::new(member);
    let session = text(o, "id").unwrap_or_default();
    let customer = text(o, "customer");
    let subscription = text(o, "subscription");
    // One link per purchase: a subscription by its id, a one-time payment by its session.
    let key = subscription.map_or_else(|| format!("cs:{session}"), str::to_string);
    store::link(tx, &key, customer, member.get(), &product.id, now).await?;
    let reference = format!("stripe:{key}");
    // A subscription's paid period arrives with its first `invoice.paid`; until then the
    // product's own duration stands in.
    let granted = ops::grant(
        tx,
        config,
        &GrantRequest {
            member,
            product,
            source: "stripe",
            length: Length::Product,
            reference: Some(&reference),
            note: None,
            actor: None,
        },
        now,
    )
    .await?;
    if subscription.is_none() {
        let amount = int(o, "amount_total").unwrap_or(product.price_minor);
        let currency = text(o, "currency").unwrap_or(&product.currency);
        stripe_income(
            tx,
            product,
            member,
            if granted.renewal { "renewal" } else { "new" },
            amount,
            currency,
            &format!("stripe:{session}"),
            now,
        )
        .await?;
    }
    ops::record(
        tx,
        config,
        SYSTEM_ACTOR,
        "membership.stripe.checkout",
        member,
        product,
        serde_json::json!({ "customer": customer, "subscription": subscription }),
        now,
    )
    .await?;
    Ok(Applied::Done)
}

/// Records money Stripe moved for `product` (once per `reference`: a redelivered event adds
/// nothing).
#[allow(clippy::too_many_arguments)]
async fn stripe_income(
    tx: &mut SqliteConnection,
    product: &Product,
    member: UserId,
    kind: &str,
    amount_minor: i64,
    currency: &str,
    reference: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    store::record_income(
        tx,
        &store::Income {
            product: Some(&product.id),
            source: "stripe",
            kind,
            amount_minor,
            currency,
            member: Some(member.get()),
            note: None,
            reference: Some(reference),
        },
        now,
    )
    .await
}

/// A paid invoice of a known subscription: access until the paid line's `period.end` plus
/// grace (Stripe's dates, not our arithmetic).
async fn invoice_paid(
    tx: &mut SqliteConnection,
    config: &Config,
    o: &Value,
    now: DateTime<Utc>,
) -> Result<Applied, Error> {
    let Some(subscription) = text(o, "subscription") else {
        return Ok(Applied::Ignored("not a subscription invoice"));
    };
    let (member, product) = match subscribed(tx, config, subscription).await? {
        Ok(found) => found,
        Err(ignored) => return Ok(ignored),
    };
    let period_end = o
        .pointer("/lines/data")
        .and_then(Value::as_array)
        .and_then(|lines| {
            lines
                .iter()
                .filter_map(|l| l.pointer("/period/end").and_then(Value::as_i64))
                .max()
        });
    let Some(period_end) = period_end.map(instant) else {
        return Ok(Applied::Ignored("invoice without a period"));
    };
    let grace = product.grace_span();
    let reference = format!("stripe:{subscription}");
    let renewal = match store::by_reference(tx, &reference).await? {
        Some(grant) => {
            let paid = grant.paid_until.map(from_millis);
            if paid.is_none_or(|p| p < period_end) {
                store::set_ends(
                    tx,
                    grant.id,
                    Some(to_millis(period_end)),
                    Some(to_millis(period_end + grace)),
                )
                .await?;
            }
            o.get("billing_reason").and_then(Value::as_str) == Some("subscription_cycle")
        }
        None => {
            // Lapsed (or the checkout event never came): a fresh grant to the paid end.
            ops::grant(
                tx,
                config,
                &GrantRequest {
                    member,
                    product,
                    source: "stripe",
                    length: Length::Until(period_end),
                    reference: Some(&reference),
                    note: None,
                    actor: None,
                },
                now,
            )
            .await?
            .renewal
        }
    };
    let amount = int(o, "amount_paid").unwrap_or(0);
    let currency = text(o, "currency").unwrap_or(&product.currency);
    let invoice = text(o, "id").unwrap_or_default();
    stripe_income(
        tx,
        product,
        member,
        if renewal { "renewal" } else { "new" },
        amount,
        currency,
        &format!("stripe:{invoice}"),
        now,
    )
    .await?;
    Ok(Applied::Done)
}

/// Cancelled: access ends at the period already paid (plus grace), not now. The grant already
/// ends there; nothing will extend it any more.
async fn subscription_deleted(
    tx: &mut SqliteConnection,
    config: &Config,
    o: &Value,
    now: DateTime<Utc>,
) -> Result<Applied, Error> {
    let Some(subscription) = text(o, "id") else {
        return Ok(Applied::Ignored("no subscription id"));
    };
    let (member, product) = match subscribed(tx, config, subscription).await? {
        Ok(found) => found,
        Err(ignored) => return Ok(ignored),
    };
    let reference = format!("stripe:{subscription}");
    if let (Some(grant), Some(period_end)) = (
        store::by_reference(tx, &reference).await?,
        int(o, "current_period_end").map(instant),
    ) {
        // Stripe's paid end wins over the provisional one set at checkout.
        let grace = product.grace_span();
        store::set_ends(
            tx,
            grant.id,
            Some(to_millis(period_end)),
            Some(to_millis(period_end + grace)),
        )
        .await?;
    }
    ops::record(
        tx,
        config,
        SYSTEM_ACTOR,
        "membership.stripe.cancelled",
        member,
        product,
        serde_json::json!({ "subscription": subscription }),
        now,
    )
    .await?;
    Ok(Applied::Done)
}

/// Refunded: access ends now, audited, and the refund counts against revenue.
async fn charge_refunded(
    tx: &mut SqliteConnection,
    config: &Config,
    o: &Value,
    now: DateTime<Utc>,
) -> Result<Applied, Error> {
    let key = text(o, "subscription").map(str::to_string).or_else(|| {
        o.pointer("/metadata/checkout_session")
            .and_then(Value::as_str)
            .map(|s| format!("cs:{s}"))
    });
    let link = match (key, text(o, "customer")) {
        (Some(key), _) => store::linked(tx, &key).await?,
        (None, Some(customer)) => store::linked_by_customer(tx, customer).await?,
        (None, None) => None,
    };
    let (member, product) = match purchase(config, link, "no purchase linked to this charge") {
        Ok(found) => found,
        Err(ignored) => return Ok(ignored),
    };
    ops::end_now(tx, config, member, product, now).await?;
    let refunded = int(o, "amount_refunded").unwrap_or(0);
    let currency = text(o, "currency").unwrap_or(&product.currency);
    let charge = text(o, "id").unwrap_or_default();
    stripe_income(
        tx,
        product,
        member,
        "refund",
        -refunded,
        currency,
        &format!("refund:{charge}"),
        now,
    )
    .await?;
    ops::record(
        tx,
        config,
        SYSTEM_ACTOR,
        "membership.stripe.refunded",
        member,
        product,
        serde_json::json!({ "charge": charge, "amount_refunded": refunded }),
        now,
    )
    .await?;
    Ok(Applied::Done)
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
}
