//! Nothing paid is invisible: money Stripe moved that Lyceum cannot tie to a member and a
//! configured product (no `client_reference_id`, an unknown product, a refund or dispute of a
//! payment it never matched) is recorded, counted in revenue as "unmatched", posted to the mod
//! log with the Stripe ids and what to do, and listed by `/membership unmatched`.

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use super::shapes::{id_of, int, text};
use super::{store, stripe_income, Applied, Event};
use crate::config::Config;
use crate::error::Error;
use crate::i18n::money;
use crate::i18n::Locale;
use crate::modlog;
use crate::t;

/// Why a payment could not be matched. Stored by its code; shown in the reader's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// No Discord member in `client_reference_id` (the link was not opened from `/membership buy`).
    NoMember,
    /// No `metadata.product` on the Payment Link.
    NoProduct,
    /// `metadata.product` names no configured product.
    UnknownProduct,
    /// The subscription's product left the config.
    ProductGone,
    /// A refund of a payment nobody could match.
    UnknownRefund,
    /// A dispute of a payment nobody could match.
    UnknownDispute,
    /// Matched and granted, but the member has left the server (access waits for their return).
    MemberLeft,
}

impl Reason {
    pub fn code(self) -> &'static str {
        match self {
            Reason::NoMember => "no_member",
            Reason::NoProduct => "no_product",
            Reason::UnknownProduct => "unknown_product",
            Reason::ProductGone => "product_gone",
            Reason::UnknownRefund => "unknown_refund",
            Reason::UnknownDispute => "unknown_dispute",
            Reason::MemberLeft => "member_left",
        }
    }

    /// The stored `code`, as a sentence in `locale` (an unknown code as it is).
    pub fn describe(code: &str, locale: Locale) -> String {
        match code {
            "no_member" => t!(locale, "stripe-unmatched-no-member"),
            "no_product" => t!(locale, "stripe-unmatched-no-product"),
            "unknown_product" => t!(locale, "stripe-unmatched-unknown-product"),
            "product_gone" => t!(locale, "stripe-unmatched-product-gone"),
            "unknown_refund" => t!(locale, "stripe-unmatched-unknown-refund"),
            "unknown_dispute" => t!(locale, "stripe-unmatched-unknown-dispute"),
            "member_left" => t!(locale, "stripe-unmatched-member-left"),
            other => other.to_string(),
        }
    }
}

/// The amount an unmatched object is about, and whether it is money in that revenue should
/// count here (refunds are counted by their handler, once per refund; disputes when lost).
fn amount(kind: &str, o: &serde_json::Value) -> (i64, bool) {
    match kind {
        k if k.starts_with("checkout.session.") => (int(o, "amount_total").unwrap_or(0), true),
        k if k.starts_with("invoice.") => (int(o, "amount_paid").unwrap_or(0), true),
        "charge.refunded" => (-int(o, "amount_refunded").unwrap_or(0), false),
        _ => (int(o, "amount").unwrap_or(0), false),
    }
}

/// What an unmatched event is about, as stored and shown.
struct Noted<'e> {
    /// False when this event was recorded before (a redelivery).
    first: bool,
    object_id: &'e str,
    amount_minor: i64,
    currency: String,
    /// Money in that revenue counts here (see [`amount`]).
    income: bool,
}

/// Records `event` in the unmatched list (once per event).
async fn note<'e>(
    tx: &mut SqliteConnection,
    event: &'e Event,
    member: Option<u64>,
    why: Reason,
    now: DateTime<Utc>,
) -> sqlx::Result<Noted<'e>> {
    let o = &event.data.object;
    let object_id = text(o, "id").unwrap_or_default();
    let currency = text(o, "currency").unwrap_or("usd").to_ascii_uppercase();
    let (amount_minor, income) = amount(&event.kind, o);
    let first = store::record_unmatched(
        tx,
        &store::NewUnmatched {
            event_id: &event.id,
            kind: &event.kind,
            object_id,
            payment_intent: id_of(o, "payment_intent"),
            customer: id_of(o, "customer"),
            member,
            amount_minor,
            currency: &currency,
            reason: why.code(),
        },
        now,
    )
    .await?;
    Ok(Noted {
        first,
        object_id,
        amount_minor,
        currency,
        income,
    })
}

/// Records `event` as unmatched (`why`), once per event.
pub async fn report(
    tx: &mut SqliteConnection,
    config: &Config,
    event: &Event,
    why: Reason,
    now: DateTime<Utc>,
) -> Result<Applied, Error> {
    let o = &event.data.object;
    let member = text(o, "client_reference_id")
        .and_then(|m| crate::features::membership::rules::client_reference(m).0);
    let Noted {
        first,
        object_id,
        amount_minor,
        currency,
        income,
    } = note(tx, event, member, why, now).await?;
    let (payment_intent, customer) = (id_of(o, "payment_intent"), id_of(o, "customer"));
    if !first {
        return Ok(Applied::Unmatched(why.code()));
    }
    if income && amount_minor != 0 {
        let reference = format!("stripe:{object_id}");
        stripe_income(
            tx,
            None,
            None,
            "unmatched",
            amount_minor,
            &currency,
            &reference,
            now,
        )
        .await?;
    }
    let amount = money(amount_minor, &currency);
    let ids = [
        Some(format!("`{}` `{object_id}`", event.kind)),
        payment_intent.map(|pi| format!("PaymentIntent `{pi}`")),
        customer.map(|c| format!("customer `{c}`")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    modlog::post(tx, config, now, |l| {
        t!(
            l,
            "modlog-stripe-unmatched",
            amount = amount.clone(),
            reason = Reason::describe(why.code(), l),
            ids = ids.clone(),
            object = object_id.to_string()
        )
    })
    .await?;
    tracing::warn!(
        event = event.id,
        kind = event.kind,
        why = why.code(),
        "a Stripe payment could not be matched"
    );
    Ok(Applied::Unmatched(why.code()))
}

/// A payment from a member who has left the server: it is granted (a rejoin restores the role)
/// and counted as theirs, and staff are told, since the member cannot use what they paid for.
pub async fn member_left(
    tx: &mut SqliteConnection,
    config: &Config,
    event: &Event,
    member: serenity::all::UserId,
    product: &crate::config::Product,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let Noted {
        first,
        object_id,
        amount_minor,
        currency,
        ..
    } = note(tx, event, Some(member.get()), Reason::MemberLeft, now).await?;
    if first {
        let amount = money(amount_minor, &currency);
        modlog::post(tx, config, now, |l| {
            t!(
                l,
                "modlog-stripe-member-left",
                member = format!("<@{member}>"),
                product = product.name.get(l).to_string(),
                amount = amount.clone(),
                object = object_id.to_string()
            )
        })
        .await?;
    }
    Ok(())
}
