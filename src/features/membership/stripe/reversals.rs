//! Money back out: refunds and disputes. Each is matched to the payment it reverses (by
//! PaymentIntent, charge, or the invoice older API versions name on the charge), and ends only
//! the access that payment bought.

use chrono::{DateTime, Utc};
use serenity::all::UserId;
use sqlx::SqliteConnection;

use super::shapes::{id_of, int, text};
use super::unmatched::{self, Reason};
use super::{store, stripe_income, Applied, Event};
use crate::clock::from_millis;
use crate::config::{Config, PartialRefund};
use crate::error::Error;
use crate::features::membership::ops::{self, SYSTEM_ACTOR};
use crate::features::membership::referrals;
use crate::i18n::money;
use crate::i18n::LocalizedText;
use crate::t;
use crate::{audit, modlog};

/// `charge.refunded`: sent for every refund, full or partial; `amount_refunded` is cumulative.
/// Each refund of one charge is recorded once (10 then 20 is 30 refunded); a full refund (or
/// any refund with `membership.partial_refund = "end"`) ends the access that payment bought.
pub async fn charge_refunded(
    tx: &mut SqliteConnection,
    config: &Config,
    event: &Event,
    now: DateTime<Utc>,
) -> Result<Applied, Error> {
    let o = &event.data.object;
    let charge = text(o, "id").unwrap_or_default();
    let payment = store::payment_of(
        tx,
        id_of(o, "payment_intent"),
        Some(charge),
        id_of(o, "invoice"),
    )
    .await?;
    let cumulative = int(o, "amount_refunded").unwrap_or(0);
    let already = store::refunded_so_far(tx, charge).await?;
    let new = (cumulative - already).max(0);
    let reference = format!("refund:{charge}:{cumulative}");
    let Some(payment) = payment else {
        if store::was_unmatched(tx, id_of(o, "payment_intent")).await? {
            // Money nobody could match went back: counted against the unmatched income.
            if new > 0 {
                let currency = text(o, "currency").unwrap_or("usd");
                stripe_income(tx, None, None, "unmatched", -new, currency, &reference, now).await?;
            }
            return unmatched::report(tx, config, event, Reason::UnknownRefund, now).await;
        }
        // A refund of a payment not seen yet (Stripe sends in any order, and retries a
        // checkout for days after downtime): kept, and applied when that payment arrives.
        return Ok(waits_for_payment(o, "charge.refunded"));
    };
    let member = UserId::new(payment.member_id as u64);
    if new > 0 {
        stripe_income(
            tx,
            Some(&payment.product),
            Some(member),
            "refund",
            -new,
            &payment.currency,
            &reference,
            now,
        )
        .await?;
    }
    let full = o.get("refunded").and_then(|r| r.as_bool()).unwrap_or(false)
        || cumulative >= payment.amount_minor;
    let ends = full || config.membership.partial_refund == PartialRefund::End;
    let ended = if ends {
        store::set_refunded(tx, payment.id, now).await?;
        end_what_it_bought(tx, config, &payment, now).await?
    } else {
        Vec::new()
    };
    if full || ends {
        // The money (or the access it bought) went back: a referral it earned goes too.
        referrals::on_reversal(tx, config, payment.id, now).await?;
    }
    record(
        tx,
        config,
        "membership.stripe.refunded",
        &payment,
        serde_json::json!({
            "charge": charge,
            "amount_refunded": cumulative,
            "this_refund": new,
            "full": full,
            "access_ended": !ended.is_empty(),
        }),
        now,
    )
    .await?;
    Ok(Applied::Done)
}

/// `charge.dispute.created`: the mod log hears of it at once, with the amount and what to do;
/// with `membership.end_on_dispute` the access that payment bought ends now.
pub async fn dispute_created(
    tx: &mut SqliteConnection,
    config: &Config,
    event: &Event,
    now: DateTime<Utc>,
) -> Result<Applied, Error> {
    let o = &event.data.object;
    let Some(payment) = disputed_payment(tx, o).await? else {
        if store::was_unmatched(tx, id_of(o, "payment_intent")).await? {
            return unmatched::report(tx, config, event, Reason::UnknownDispute, now).await;
        }
        return Ok(waits_for_payment(o, "charge.dispute.created"));
    };
    let dispute = text(o, "id").unwrap_or_default();
    let ended = if config.membership.end_on_dispute {
        ops::end_reference(tx, config, &format!("stripe:{}", payment.purchase), now).await?
    } else {
        Vec::new()
    };
    let ended_at = (!ended.is_empty()).then(|| crate::clock::to_millis(now));
    let status = text(o, "status").unwrap_or("needs_response");
    store::set_dispute(tx, payment.id, dispute, status, ended_at).await?;
    let amount = money(
        int(o, "amount").unwrap_or(payment.amount_minor),
        &currency(o, &payment),
    );
    let reason = text(o, "reason").unwrap_or("general").to_string();
    let charge = id_of(o, "charge").unwrap_or_default().to_string();
    let product = product_name(config, &payment.product);
    let member = format!("<@{}>", payment.member_id);
    let access_ended = !ended.is_empty();
    modlog::post(tx, config, now, |l| {
        let line = t!(
            l,
            "modlog-dispute-opened",
            member = member.clone(),
            product = product.get(l).to_string(),
            amount = amount.clone(),
            reason = reason.clone(),
            dispute = dispute.to_string(),
            charge = charge.clone()
        );
        if access_ended {
            format!("{line} {}", t!(l, "modlog-dispute-access-ended"))
        } else {
            line
        }
    })
    .await?;
    audit_only(
        tx,
        config,
        "membership.stripe.dispute_opened",
        &payment,
        o,
        now,
    )
    .await?;
    Ok(Applied::Done)
}

/// `charge.dispute.closed`: `lost` ends the access that payment bought (if it still runs) and
/// records the money as gone; `won` gives back only what the dispute itself ended.
pub async fn dispute_closed(
    tx: &mut SqliteConnection,
    config: &Config,
    event: &Event,
    now: DateTime<Utc>,
) -> Result<Applied, Error> {
    let o = &event.data.object;
    let Some(payment) = disputed_payment(tx, o).await? else {
        if store::was_unmatched(tx, id_of(o, "payment_intent")).await? {
            return unmatched::report(tx, config, event, Reason::UnknownDispute, now).await;
        }
        return Ok(waits_for_payment(o, "charge.dispute.closed"));
    };
    let dispute = text(o, "id").unwrap_or_default();
    let status = text(o, "status").unwrap_or_default();
    let reference = format!("stripe:{}", payment.purchase);
    let member = UserId::new(payment.member_id as u64);
    let amount_minor = int(o, "amount").unwrap_or(payment.amount_minor);
    let currency = currency(o, &payment);
    match status {
        "lost" => {
            store::set_refunded(tx, payment.id, now).await?;
            end_what_it_bought(tx, config, &payment, now).await?;
            referrals::on_reversal(tx, config, payment.id, now).await?;
            let income = format!("dispute:{dispute}");
            stripe_income(
                tx,
                Some(&payment.product),
                Some(member),
                "dispute",
                -amount_minor,
                &currency,
                &income,
                now,
            )
            .await?;
        }
        "won" => {
            if let Some(ended_at) = payment.dispute_ended_at {
                ops::reopen_reference(tx, config, &reference, from_millis(ended_at), now).await?;
            }
        }
        _ => {}
    }
    store::set_dispute(tx, payment.id, dispute, status, None).await?;
    let amount = money(amount_minor, &currency);
    let product = product_name(config, &payment.product);
    let who = format!("<@{member}>");
    let status_text = status.to_string();
    modlog::post(tx, config, now, |l| {
        t!(
            l,
            "modlog-dispute-closed",
            member = who.clone(),
            product = product.get(l).to_string(),
            amount = amount.clone(),
            status = status_text.clone(),
            dispute = dispute.to_string()
        )
    })
    .await?;
    audit_only(
        tx,
        config,
        "membership.stripe.dispute_closed",
        &payment,
        o,
        now,
    )
    .await?;
    Ok(Applied::Done)
}

/// A refund or dispute of a payment not seen yet is kept until that payment is known: by its
/// PaymentIntent (what a checkout and an invoice's payment name), else the invoice an older
/// API version names on the charge, else the charge itself.
fn waits_for_payment(o: &serde_json::Value, kind: &str) -> Applied {
    let key = id_of(o, "payment_intent")
        .or_else(|| id_of(o, "invoice"))
        .or_else(|| {
            id_of(
                o,
                if kind == "charge.refunded" {
                    "id"
                } else {
                    "charge"
                },
            )
        })
        .unwrap_or_default();
    Applied::Deferred(key.to_string())
}

/// Ends the access `payment` bought, and nothing later: a one-time purchase's grant (its days
/// taken out of any purchases stacked after it); a subscription's current period only when
/// this payment paid for it — a refunded old invoice leaves a later paid period standing, and
/// a refunded renewal paid ahead falls back to the period before it.
async fn end_what_it_bought(
    tx: &mut SqliteConnection,
    config: &Config,
    payment: &store::Payment,
    now: DateTime<Utc>,
) -> Result<Vec<(UserId, String)>, Error> {
    let reference = format!("stripe:{}", payment.purchase);
    let Some(bought) = payment.period_end else {
        return ops::refund_reference(tx, config, &reference, now).await;
    };
    let paid = store::paid_periods(tx, &payment.purchase).await?;
    if paid.iter().any(|end| *end > bought) {
        return Ok(Vec::new());
    }
    let before = paid.iter().copied().filter(|end| *end < bought).max();
    match (
        before,
        crate::grants::store::by_reference(tx, &reference).await?,
    ) {
        (Some(before), Some(grant)) if before > crate::clock::to_millis(now) => {
            let grace = config
                .product(&payment.product)
                .map(|p| p.grace_span())
                .unwrap_or_default();
            let ends = crate::clock::to_millis(from_millis(before) + grace);
            crate::grants::store::set_ends(tx, grant.id, Some(before), Some(ends)).await?;
            store::set_period_end(tx, &payment.purchase, before).await?;
            Ok(Vec::new())
        }
        _ => ops::refund_reference(tx, config, &reference, now).await,
    }
}

async fn disputed_payment(
    tx: &mut SqliteConnection,
    o: &serde_json::Value,
) -> sqlx::Result<Option<store::Payment>> {
    store::payment_of(tx, id_of(o, "payment_intent"), id_of(o, "charge"), None).await
}

fn currency(o: &serde_json::Value, payment: &store::Payment) -> String {
    text(o, "currency").unwrap_or(&payment.currency).to_string()
}

/// The product's name in each language (its id when it left the config).
fn product_name(config: &Config, id: &str) -> LocalizedText {
    config
        .product(id)
        .map(|p| p.name.clone())
        .unwrap_or_else(|| LocalizedText::plain(id.to_string()))
}

/// The audit row and the membership mod-log line.
async fn record(
    tx: &mut SqliteConnection,
    config: &Config,
    action: &str,
    payment: &store::Payment,
    detail: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let member = UserId::new(payment.member_id as u64);
    match config.product(&payment.product) {
        Some(product) => {
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
        None => audit_row(tx, config, action, payment, detail, now).await,
    }
}

/// The audit row alone (the mod log had its own line).
async fn audit_only(
    tx: &mut SqliteConnection,
    config: &Config,
    action: &str,
    payment: &store::Payment,
    o: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let detail = serde_json::json!({
        "dispute": text(o, "id"),
        "charge": id_of(o, "charge"),
        "status": text(o, "status"),
        "amount": int(o, "amount"),
    });
    audit_row(tx, config, action, payment, detail, now).await
}

async fn audit_row(
    tx: &mut SqliteConnection,
    config: &Config,
    action: &str,
    payment: &store::Payment,
    detail: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let entry = audit::Action {
        guild_id: config.discord.guild_id,
        actor: SYSTEM_ACTOR,
        action,
        target_kind: Some("user"),
        target_id: Some(payment.member_id as u64),
        arguments: serde_json::json!({ "product": payment.product, "detail": detail }),
    };
    audit::record(tx, &entry, now).await?;
    Ok(())
}
