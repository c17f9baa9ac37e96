//! Stripe objects as Stripe's API reference documents them, trimmed to the fields a webhook
//! consumer reads but kept in their real places and types — built from the documented shapes
//! of each API version, not from what our parser expects. `Version` picks 2024-06-20
//! ("acacia") or 2025-03-31 ("basil") rendering.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    Acacia,
    Basil,
}

pub const BOTH: [Version; 2] = [Version::Acacia, Version::Basil];

/// A `checkout.session` from a Payment Link: `client_reference_id` from the link's query,
/// `metadata` copied from the link. `payment` mode has a PaymentIntent and, for a link that
/// creates no Customer, no customer.
pub fn checkout_session(
    session: &str,
    member: Option<u64>,
    product: Option<&str>,
    payment_status: &str,
    payment_intent: Option<&str>,
    subscription: Option<&str>,
    amount_total: i64,
) -> Value {
    json!({
        "id": session,
        "object": "checkout.session",
        "mode": if subscription.is_some() { "subscription" } else { "payment" },
        "status": "complete",
        "payment_status": payment_status,
        "client_reference_id": member.map(|m| m.to_string()),
        "customer": if subscription.is_some() { Some("cus_1") } else { None },
        "customer_details": { "email": "member@example.com" },
        "payment_intent": payment_intent,
        "subscription": subscription,
        "payment_link": "plink_1",
        "metadata": product.map_or(json!({}), |p| json!({ "product": p })),
        "amount_subtotal": amount_total,
        "amount_total": amount_total,
        "currency": "usd",
        "livemode": false,
    })
}

/// A paid subscription `invoice`: acacia names the subscription, PaymentIntent and charge on
/// the invoice; basil names the subscription under `parent` and no payment at all.
pub fn invoice(
    version: Version,
    id: &str,
    subscription: &str,
    payment_intent: &str,
    period_end: DateTime<Utc>,
    billing_reason: &str,
) -> Value {
    let start = (period_end - chrono::Duration::days(30)).timestamp();
    let end = period_end.timestamp();
    match version {
        Version::Acacia => json!({
            "id": id, "object": "invoice", "status": "paid", "paid": true,
            "customer": "cus_1", "subscription": subscription,
            "payment_intent": payment_intent, "charge": format!("ch_{payment_intent}"),
            "amount_paid": 2900, "amount_due": 2900, "currency": "usd",
            "billing_reason": billing_reason,
            "lines": { "object": "list", "data": [{
                "id": "il_1", "object": "line_item", "type": "subscription",
                "subscription": subscription, "amount": 2900,
                "period": { "start": start, "end": end }
            }]}
        }),
        Version::Basil => json!({
            "id": id, "object": "invoice", "status": "paid",
            "customer": "cus_1",
            "parent": { "type": "subscription_details", "quote_details": null,
                        "subscription_details": { "metadata": {}, "subscription": subscription } },
            "amount_paid": 2900, "amount_due": 2900, "currency": "usd",
            "billing_reason": billing_reason,
            "lines": { "object": "list", "data": [{
                "id": "il_1", "object": "line_item", "amount": 2900,
                "parent": { "type": "subscription_item_details",
                            "subscription_item_details": { "subscription": subscription, "subscription_item": "si_1", "proration": false } },
                "period": { "start": start, "end": end }
            }]}
        }),
    }
}

/// Basil's `invoice_payment` (event `invoice_payment.paid`): which PaymentIntent paid an invoice.
pub fn invoice_payment(invoice: &str, payment_intent: &str) -> Value {
    json!({
        "id": format!("inpay_{invoice}"), "object": "invoice_payment",
        "invoice": invoice, "amount_paid": 2900, "amount_requested": 2900,
        "currency": "usd", "is_default": true, "status": "paid",
        "payment": { "type": "payment_intent", "payment_intent": payment_intent }
    })
}

/// A `subscription`: acacia dates the period on the subscription, basil on its items.
pub fn subscription(
    version: Version,
    id: &str,
    status: &str,
    cancel_at_period_end: bool,
    period_end: DateTime<Utc>,
) -> Value {
    let end = period_end.timestamp();
    let start = (period_end - chrono::Duration::days(30)).timestamp();
    let mut sub = json!({
        "id": id, "object": "subscription", "customer": "cus_1", "status": status,
        "cancel_at_period_end": cancel_at_period_end,
        "canceled_at": if status == "canceled" { Some(end) } else { None },
        "items": { "object": "list", "data": [{
            "id": "si_1", "object": "subscription_item", "price": { "id": "price_1" }
        }]}
    });
    match version {
        Version::Acacia => {
            sub["current_period_start"] = json!(start);
            sub["current_period_end"] = json!(end);
        }
        Version::Basil => {
            sub["items"]["data"][0]["current_period_start"] = json!(start);
            sub["items"]["data"][0]["current_period_end"] = json!(end);
        }
    }
    sub
}

/// A `charge` after refunds: `amount_refunded` is cumulative, `refunded` true only when all of
/// it is. Acacia names the invoice on the charge; basil removed that field.
pub fn refunded_charge(
    version: Version,
    charge: &str,
    payment_intent: &str,
    amount: i64,
    amount_refunded: i64,
    customer: Option<&str>,
) -> Value {
    let mut c = json!({
        "id": charge, "object": "charge", "amount": amount, "amount_captured": amount,
        "amount_refunded": amount_refunded, "refunded": amount_refunded >= amount,
        "captured": true, "paid": true, "status": "succeeded", "currency": "usd",
        "customer": customer, "payment_intent": payment_intent,
    });
    if version == Version::Acacia {
        c["invoice"] = Value::Null;
    }
    c
}

/// A `dispute` (`charge.dispute.*`).
pub fn dispute(id: &str, charge: &str, payment_intent: &str, amount: i64, status: &str) -> Value {
    json!({
        "id": id, "object": "dispute", "amount": amount, "currency": "usd",
        "charge": charge, "payment_intent": payment_intent,
        "reason": "fraudulent", "status": status, "is_charge_refundable": false,
    })
}
