//! Money in: Payment Link checkouts (paid now, or later by a delayed method), subscription
//! invoices, and subscription changes. Access follows Stripe's own dates.

use chrono::{DateTime, Utc};
use serde_json::Value;
use serenity::all::UserId;
use sqlx::SqliteConnection;

use super::shapes::{id_of, int, text};
use super::unmatched::{self, Reason};
use super::{configured, instant, shapes, store, stripe_income, Applied, Event};
use crate::clock::{from_millis, to_millis};
use crate::config::{Config, Product};
use crate::error::Error;
use crate::features::membership::ops::{self, GrantRequest, Length, SYSTEM_ACTOR};
use crate::features::membership::referrals;
use crate::features::membership::rules::client_reference;
use crate::grants::store as grants;

/// The member (`client_reference_id`, set by `/membership buy`) and product
/// (`metadata.product`, copied from the Payment Link's metadata) a checkout is for.
fn buyer<'c>(config: &'c Config, o: &Value) -> Result<(UserId, &'c Product), Reason> {
    let member = text(o, "client_reference_id")
        .and_then(|id| client_reference(id).0)
        .ok_or(Reason::NoMember)?;
    let product = o
        .get("metadata")
        .and_then(|m| text(m, "product"))
        .ok_or(Reason::NoProduct)?;
    let product = config.product(product).ok_or(Reason::UnknownProduct)?;
    Ok((UserId::new(member), product))
}

/// A Payment Link checkout finished (`checkout.session.completed`) or its delayed payment
/// went through (`checkout.session.async_payment_succeeded`). Access is granted only once the
/// money is there: `payment_status` `paid` or `no_payment_required`; an `unpaid` session (a
/// bank debit, a voucher) waits for its async outcome.
pub async fn checkout_completed(
    tx: &mut SqliteConnection,
    config: &Config,
    event: &Event,
    now: DateTime<Utc>,
) -> Result<Applied, Error> {
    let o = &event.data.object;
    let paid = matches!(
        text(o, "payment_status"),
        Some("paid" | "no_payment_required")
    );
    let (member, product) = match buyer(config, o) {
        Ok(found) => found,
        Err(_) if !paid => return Ok(Applied::Ignored("unpaid checkout of no known member")),
        Err(why) => return unmatched::report(tx, config, event, why, now).await,
    };
    let session = text(o, "id").unwrap_or_default();
    let customer = id_of(o, "customer");
    let subscription = id_of(o, "subscription");
    // One purchase: a subscription by its id, a one-time payment by its session.
    let purchase = subscription.map_or_else(|| format!("cs:{session}"), str::to_string);
    store::link(tx, &purchase, customer, member.get(), &product.id, now).await?;
    // The referral `/membership buy referral:` put in the link (recorded then too; this is
    // for a link opened before that was saved, and changes nothing when it was).
    if let Some(code) = text(o, "client_reference_id").and_then(|id| client_reference(id).1) {
        if let Err(refused) = referrals::claim(tx, config, member, &code, now).await? {
            tracing::info!(%member, ?refused, "a checkout's referral was not recorded");
        }
    }
    if !paid {
        store::set_awaiting_payment(tx, &purchase, true).await?;
        record(
            tx,
            config,
            "membership.stripe.awaiting_payment",
            member,
            product,
            o,
            now,
        )
        .await?;
        return Ok(Applied::Done);
    }
    store::set_awaiting_payment(tx, &purchase, false).await?;
    let reference = format!("stripe:{purchase}");
    if subscription.is_some() {
        // The paid period comes with the subscription's invoice; until then the product's own
        // duration stands in (replaced by Stripe's date, never kept over it).
        if grants::by_reference(tx, &reference).await?.is_none() {
            grant(
                tx,
                config,
                member,
                product,
                Length::Product,
                &reference,
                now,
            )
            .await?;
        }
    } else if !one_time_paid(tx, config, o, &purchase, member, product, now).await? {
        // Completed and async-succeeded both say "paid" for one session: one grant.
        return Ok(Applied::Done);
    }
    if crate::features::community::has_left(tx, member).await? {
        unmatched::member_left(tx, config, event, member, product, now).await?;
    }
    record(
        tx,
        config,
        "membership.stripe.checkout",
        member,
        product,
        o,
        now,
    )
    .await?;
    Ok(Applied::Done)
}

/// A one-time payment's checkout, paid: the payment recorded, the product's length granted,
/// the income and the referral's reward booked. False when the session was already paid for.
async fn one_time_paid(
    tx: &mut SqliteConnection,
    config: &Config,
    o: &Value,
    purchase: &str,
    member: UserId,
    product: &Product,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    let session = text(o, "id").unwrap_or_default();
    let reference = format!("stripe:{purchase}");
    let amount = int(o, "amount_total").unwrap_or(product.price_minor);
    let currency = text(o, "currency").unwrap_or(&product.currency);
    let recorded = store::record_payment(
        tx,
        &store::NewPayment {
            source_id: session,
            purchase,
            payment_intent: id_of(o, "payment_intent"),
            charge: None,
            member: member.get(),
            product: &product.id,
            amount_minor: amount,
            currency,
            period_end: None,
        },
        now,
    )
    .await?;
    let Some(payment_id) = recorded else {
        return Ok(false);
    };
    let granted = grant(
        tx,
        config,
        member,
        product,
        Length::Product,
        &reference,
        now,
    )
    .await?;
    let paid = Paid {
        amount,
        currency,
        renewal: granted.renewal,
        source: session,
    };
    book(tx, product, member, &paid, now).await?;
    referrals::on_payment(tx, config, member, payment_id, amount, now).await?;
    Ok(true)
}

/// One Stripe payment as income: how much, in what, whether it renewed, and the Stripe object
/// (session or invoice) it came from.
struct Paid<'a> {
    amount: i64,
    currency: &'a str,
    renewal: bool,
    source: &'a str,
}

/// Books `paid` as `product`'s income from `member` (new or renewal), once per Stripe object.
async fn book(
    tx: &mut SqliteConnection,
    product: &Product,
    member: UserId,
    paid: &Paid<'_>,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let kind = if paid.renewal { "renewal" } else { "new" };
    let income = format!("stripe:{}", paid.source);
    stripe_income(
        tx,
        Some(&product.id),
        Some(member),
        kind,
        paid.amount,
        paid.currency,
        &income,
        now,
    )
    .await?;
    Ok(())
}

/// A delayed payment failed: nothing is granted; staff see it (the member may try again).
pub async fn checkout_failed(
    tx: &mut SqliteConnection,
    config: &Config,
    o: &Value,
    now: DateTime<Utc>,
) -> Result<Applied, Error> {
    let Ok((member, product)) = buyer(config, o) else {
        return Ok(Applied::Ignored("failed checkout of no known member"));
    };
    let session = text(o, "id").unwrap_or_default();
    let purchase = id_of(o, "subscription").map_or_else(|| format!("cs:{session}"), str::to_string);
    store::set_awaiting_payment(tx, &purchase, false).await?;
    record(
        tx,
        config,
        "membership.stripe.payment_failed",
        member,
        product,
        o,
        now,
    )
    .await?;
    Ok(Applied::Done)
}

async fn grant(
    tx: &mut SqliteConnection,
    config: &Config,
    member: UserId,
    product: &Product,
    length: Length,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<ops::Granted, Error> {
    ops::grant(
        tx,
        config,
        &GrantRequest {
            member,
            product,
            source: "stripe",
            length,
            reference: Some(reference),
            note: None,
            actor: None,
        },
        now,
    )
    .await
}

async fn record(
    tx: &mut SqliteConnection,
    config: &Config,
    action: &str,
    member: UserId,
    product: &Product,
    o: &Value,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let detail = serde_json::json!({
        "session": text(o, "id"),
        "customer": id_of(o, "customer"),
        "subscription": id_of(o, "subscription"),
        "payment_status": text(o, "payment_status"),
    });
    ops::record(
        tx,
        config,
        SYSTEM_ACTOR,
        action,
        member,
        product,
        detail,
        now,
    )
    .await
}

/// A paid invoice of a subscription: access until Stripe's period end plus grace — Stripe's
/// date, not our arithmetic, even when it is earlier than the stand-in set at checkout. An
/// invoice of a subscription not yet known (its checkout has not arrived) is kept until it is.
pub async fn invoice_paid(
    tx: &mut SqliteConnection,
    config: &Config,
    event: &Event,
    now: DateTime<Utc>,
) -> Result<Applied, Error> {
    let o = &event.data.object;
    let Some(subscription) = shapes::invoice_subscription(o) else {
        return Ok(Applied::Ignored("not a subscription invoice"));
    };
    let Some(link) = store::linked(tx, subscription).await? else {
        return Ok(Applied::Deferred(subscription.to_string()));
    };
    let Some((member, product)) = configured(config, &link) else {
        return unmatched::report(tx, config, event, Reason::ProductGone, now).await;
    };
    let Some(period_end) = shapes::invoice_period_end(o).map(|s| to_millis(instant(s))) else {
        return Ok(Applied::Ignored("invoice without a period"));
    };
    // An older invoice arriving late never moves the end back.
    let paid_end = link
        .period_end
        .map_or(period_end, |known| known.max(period_end));
    store::set_period_end(tx, subscription, paid_end).await?;
    let grace = product.grace_span();
    let reference = format!("stripe:{subscription}");
    let renewal = match grants::by_reference(tx, &reference).await? {
        Some(grant) => {
            if grant.paid_until != Some(paid_end) {
                let ends = to_millis(from_millis(paid_end) + grace);
                grants::set_ends(tx, grant.id, Some(paid_end), Some(ends)).await?;
            }
            o.get("billing_reason").and_then(Value::as_str) == Some("subscription_cycle")
        }
        None => {
            // Lapsed, refunded before, or reactivated: a fresh grant to the paid end.
            let until = Length::Until(from_millis(paid_end));
            grant(tx, config, member, product, until, &reference, now)
                .await?
                .renewal
        }
    };
    let invoice = text(o, "id").unwrap_or_default();
    let amount = int(o, "amount_paid").unwrap_or(0);
    let currency = text(o, "currency").unwrap_or(&product.currency);
    let (payment_intent, charge) = shapes::invoice_payment(o);
    let recorded = store::record_payment(
        tx,
        &store::NewPayment {
            source_id: invoice,
            purchase: subscription,
            payment_intent,
            charge,
            member: member.get(),
            product: &product.id,
            amount_minor: amount,
            currency,
            period_end: Some(period_end),
        },
        now,
    )
    .await?;
    let paid = Paid {
        amount,
        currency,
        renewal,
        source: invoice,
    };
    book(tx, product, member, &paid, now).await?;
    if let Some(payment_id) = recorded {
        referrals::on_payment(tx, config, member, payment_id, amount, now).await?;
    }
    if amount > 0 && crate::features::community::has_left(tx, member).await? {
        // A subscription still charging someone who left: staff may want to cancel it.
        unmatched::member_left(tx, config, event, member, product, now).await?;
    }
    Ok(Applied::Done)
}

/// API versions since 2025-03-31 name an invoice's PaymentIntent here, not on the invoice:
/// remembered on the invoice's payment so a refund or dispute of it finds its purchase.
pub async fn invoice_payment_paid(tx: &mut SqliteConnection, o: &Value) -> Result<Applied, Error> {
    let Some(invoice) = id_of(o, "invoice") else {
        return Ok(Applied::Ignored("invoice payment without an invoice"));
    };
    let (payment_intent, charge) = o
        .get("payment")
        .map(shapes::invoice_payment_refs)
        .unwrap_or((None, None));
    if store::set_payment_refs(tx, invoice, payment_intent, charge).await? {
        Ok(Applied::Done)
    } else {
        Ok(Applied::Deferred(invoice.to_string()))
    }
}

/// A subscription set to end (or set to go on again): renewal reminders follow it.
pub async fn subscription_updated(tx: &mut SqliteConnection, o: &Value) -> Result<Applied, Error> {
    let Some(subscription) = id_of(o, "id") else {
        return Ok(Applied::Ignored("no subscription id"));
    };
    if store::linked(tx, subscription).await?.is_none() {
        return Ok(Applied::Deferred(subscription.to_string()));
    }
    store::set_renews(tx, subscription, shapes::subscription_renews(o)).await?;
    Ok(Applied::Done)
}

/// Cancelled: access ends at the last paid period's end (plus grace) — never later. The
/// earliest of what the grant says, what Stripe's invoices said and what this event says wins.
pub async fn subscription_deleted(
    tx: &mut SqliteConnection,
    config: &Config,
    o: &Value,
    now: DateTime<Utc>,
) -> Result<Applied, Error> {
    let Some(subscription) = id_of(o, "id") else {
        return Ok(Applied::Ignored("no subscription id"));
    };
    let Some(link) = store::linked(tx, subscription).await? else {
        return Ok(Applied::Deferred(subscription.to_string()));
    };
    store::set_renews(tx, subscription, false).await?;
    let Some((member, product)) = configured(config, &link) else {
        return Ok(Applied::Ignored("product no longer configured"));
    };
    let reference = format!("stripe:{subscription}");
    if let Some(grant) = grants::by_reference(tx, &reference).await? {
        let stated = shapes::subscription_period_end(o).map(|s| to_millis(instant(s)));
        let paid_end = [grant.paid_until, link.period_end, stated]
            .into_iter()
            .flatten()
            .min();
        if let Some(paid_end) = paid_end.filter(|end| grant.paid_until.is_none_or(|p| *end < p)) {
            let ends = to_millis(from_millis(paid_end) + product.grace_span());
            grants::set_ends(tx, grant.id, Some(paid_end), Some(ends)).await?;
        }
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
