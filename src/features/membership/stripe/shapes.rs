//! Reading Stripe objects as both supported API versions render them: 2024-06-20 ("acacia")
//! and 2025-03-31 ("basil") and later. Events are rendered in the webhook endpoint's version,
//! so one bot can receive either. Pure functions over JSON, tested with Stripe's documented
//! shapes of each version.

use serde_json::Value;

/// A string field, or the `id` of an expanded object in its place; `None` when empty.
pub fn id_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    match v.get(key)? {
        Value::String(s) => Some(s.as_str()),
        Value::Object(o) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
    .filter(|s| !s.is_empty())
}

pub fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

pub fn int(v: &Value, key: &str) -> Option<i64> {
    v.get(key).and_then(Value::as_i64)
}

fn list<'a>(v: &'a Value, pointer: &str) -> impl Iterator<Item = &'a Value> {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// The subscription an invoice bills: `subscription` (acacia), or
/// `parent.subscription_details.subscription` (basil), or a line's subscription.
pub fn invoice_subscription(invoice: &Value) -> Option<&str> {
    id_of(invoice, "subscription")
        .or_else(|| {
            invoice
                .pointer("/parent/subscription_details")
                .and_then(|d| id_of(d, "subscription"))
        })
        .or_else(|| {
            list(invoice, "/lines/data").find_map(|line| {
                id_of(line, "subscription").or_else(|| {
                    line.pointer("/parent/subscription_item_details")
                        .and_then(|d| id_of(d, "subscription"))
                })
            })
        })
}

/// The end of the period an invoice paid for (seconds): the latest line's `period.end`.
pub fn invoice_period_end(invoice: &Value) -> Option<i64> {
    list(invoice, "/lines/data")
        .filter_map(|l| l.pointer("/period/end").and_then(Value::as_i64))
        .max()
}

/// The PaymentIntent and charge that paid an invoice, where the invoice names them
/// (acacia: `payment_intent`, `charge`; basil: an expanded `payments` list).
pub fn invoice_payment(invoice: &Value) -> (Option<&str>, Option<&str>) {
    let direct = (id_of(invoice, "payment_intent"), id_of(invoice, "charge"));
    if direct.0.is_some() || direct.1.is_some() {
        return direct;
    }
    list(invoice, "/payments/data")
        .filter_map(|p| p.get("payment"))
        .map(invoice_payment_refs)
        .find(|(pi, ch)| pi.is_some() || ch.is_some())
        .unwrap_or((None, None))
}

/// An InvoicePayment's `payment` (basil): `{type, payment_intent | charge}`.
pub fn invoice_payment_refs(payment: &Value) -> (Option<&str>, Option<&str>) {
    (id_of(payment, "payment_intent"), id_of(payment, "charge"))
}

/// Stripe's paid end of a subscription (seconds): `current_period_end` (acacia), or the latest
/// of its items' `current_period_end` (basil).
pub fn subscription_period_end(subscription: &Value) -> Option<i64> {
    int(subscription, "current_period_end").or_else(|| {
        list(subscription, "/items/data")
            .filter_map(|i| int(i, "current_period_end"))
            .max()
    })
}

/// Whether a subscription will charge again by itself.
pub fn subscription_renews(subscription: &Value) -> bool {
    let status = text(subscription, "status").unwrap_or("active");
    let ending = subscription
        .get("cancel_at_period_end")
        .and_then(Value::as_bool)
        .unwrap_or(false)
        || int(subscription, "cancel_at").is_some()
        || int(subscription, "canceled_at").is_some() && status == "canceled";
    !ending && matches!(status, "active" | "trialing" | "past_due")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Trimmed from Stripe's reference for an invoice as 2024-06-20 renders it.
    fn acacia_invoice() -> Value {
        json!({
            "id": "in_1", "object": "invoice", "subscription": "sub_1",
            "payment_intent": "pi_1", "charge": "ch_1", "amount_paid": 2900,
            "lines": { "object": "list", "data": [
                { "id": "il_1", "object": "line_item", "subscription": "sub_1",
                  "period": { "start": 1_700_000_000, "end": 1_702_592_000 } }
            ]}
        })
    }

    /// The same invoice as 2025-03-31 renders it: the subscription under `parent`, no
    /// `payment_intent`/`charge`, lines naming their subscription item's parent.
    fn basil_invoice() -> Value {
        json!({
            "id": "in_1", "object": "invoice", "amount_paid": 2900,
            "parent": { "type": "subscription_details", "quote_details": null,
                        "subscription_details": { "metadata": {}, "subscription": "sub_1" } },
            "lines": { "object": "list", "data": [
                { "id": "il_1", "object": "line_item",
                  "parent": { "type": "subscription_item_details",
                              "subscription_item_details": { "subscription": "sub_1", "subscription_item": "si_1" } },
                  "period": { "start": 1_700_000_000, "end": 1_702_592_000 } }
            ]}
        })
    }

    #[test]
    fn an_invoice_names_its_subscription_and_period_in_both_versions() {
        for invoice in [acacia_invoice(), basil_invoice()] {
            assert_eq!(invoice_subscription(&invoice), Some("sub_1"), "{invoice}");
            assert_eq!(invoice_period_end(&invoice), Some(1_702_592_000));
        }
        assert_eq!(
            invoice_payment(&acacia_invoice()),
            (Some("pi_1"), Some("ch_1"))
        );
        assert_eq!(invoice_payment(&basil_invoice()), (None, None));
        let mut expanded = basil_invoice();
        expanded["payments"] = json!({ "object": "list", "data": [
            { "id": "inpay_1", "object": "invoice_payment",
              "payment": { "type": "payment_intent", "payment_intent": "pi_9" } }
        ]});
        assert_eq!(invoice_payment(&expanded), (Some("pi_9"), None));
        // A one-off invoice bills no subscription.
        assert_eq!(
            invoice_subscription(&json!({ "id": "in_2", "lines": { "data": [] } })),
            None
        );
    }

    #[test]
    fn a_subscription_period_end_is_read_from_the_subscription_or_its_items() {
        let acacia =
            json!({ "id": "sub_1", "current_period_end": 1_702_592_000, "status": "active" });
        let basil = json!({ "id": "sub_1", "status": "active", "items": { "data": [
            { "id": "si_1", "current_period_start": 1, "current_period_end": 1_702_592_000 }
        ]}});
        assert_eq!(subscription_period_end(&acacia), Some(1_702_592_000));
        assert_eq!(subscription_period_end(&basil), Some(1_702_592_000));
    }

    #[test]
    fn only_a_live_subscription_without_a_scheduled_end_renews() {
        assert!(subscription_renews(
            &json!({ "status": "active", "cancel_at_period_end": false })
        ));
        assert!(subscription_renews(&json!({ "status": "past_due" })));
        assert!(!subscription_renews(
            &json!({ "status": "active", "cancel_at_period_end": true })
        ));
        assert!(!subscription_renews(
            &json!({ "status": "active", "cancel_at": 1_702_592_000 })
        ));
        assert!(!subscription_renews(
            &json!({ "status": "canceled", "canceled_at": 1 })
        ));
        assert!(!subscription_renews(
            &json!({ "status": "incomplete_expired" })
        ));
    }

    #[test]
    fn expanded_objects_are_read_by_their_id() {
        let charge = json!({ "payment_intent": { "id": "pi_1", "object": "payment_intent" }, "invoice": "" });
        assert_eq!(id_of(&charge, "payment_intent"), Some("pi_1"));
        assert_eq!(id_of(&charge, "invoice"), None);
    }
}
