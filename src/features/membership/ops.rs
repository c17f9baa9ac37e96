//! The membership writes. Each takes the caller's transaction: the grant row, the role change
//! through the outbox, the revenue row, the audit row and the mod-log line commit together, so
//! a crash never leaves a paid member without their role or a role without its record.

use chrono::{DateTime, Duration, Utc};
use serenity::all::UserId;
use sqlx::SqliteConnection;

use super::error::MembershipError;
use super::{rules, store};
use crate::clock::to_millis;
use crate::config::{Config, Product};
use crate::error::Error;
use crate::grants::end::{end, Which};
use crate::grants::give::{Give, Policy};
pub use crate::grants::give::{Granted, Length};
use crate::grants::{self, rules::Held};
use crate::t;
use crate::{audit, modlog};

/// The audit actor for changes no person made (a payment provider, Discord's store).
pub const SYSTEM_ACTOR: UserId = UserId::new(1);

pub struct GrantRequest<'a> {
    pub member: UserId,
    pub product: &'a Product,
    /// `manual`, `code`, `stripe`, `discord`.
    pub source: &'a str,
    pub length: Length,
    pub reference: Option<&'a str>,
    pub note: Option<&'a str>,
    pub actor: Option<UserId>,
}

/// Gives `req.member` the product: one grant through [`grants::give`] with the product's
/// policy (its duration, grace and grace role) supplied as data.
pub async fn grant(
    tx: &mut SqliteConnection,
    config: &Config,
    req: &GrantRequest<'_>,
    now: DateTime<Utc>,
) -> Result<Granted, Error> {
    let product = req.product;
    let reason = role_reason(product);
    let give = Give {
        member: req.member,
        role: product.role,
        product: &product.id,
        source: req.source,
        length: req.length,
        reference: req.reference,
        note: req.note,
        actor: req.actor,
        reason: &reason,
    };
    Ok(grants::give::give(tx, config, &give, &policy_of(product), now).await?)
}

/// A product's policy for [`grants::give`].
pub fn policy_of(product: &Product) -> Policy {
    Policy {
        duration: product.duration,
        grace: product.grace_span(),
        grace_role: product.grace_role,
    }
}

/// What `member` holds of `product` at `now`, from their open grants.
pub async fn held(
    conn: &mut SqliteConnection,
    member: UserId,
    product: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Held> {
    grants::give::held(conn, member, product, false, now).await
}

fn role_reason(product: &Product) -> String {
    format!("Lyceum: {}", product.id)
}

/// Gives back the access [`end_reference`] ended at `ended_at` (a dispute the creator won),
/// where its time has not run out. Returns the (member, product) of each grant reopened.
pub async fn reopen_reference(
    tx: &mut SqliteConnection,
    config: &Config,
    reference: &str,
    ended_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<(UserId, String)>, Error> {
    let reason = |product: &str| format!("Lyceum: {product}");
    Ok(grants::give::reopen(tx, config, reference, ended_at, reason, now).await?)
}

/// Ends `member`'s access to `product` now: every open grant of it ends, and the role goes
/// unless another product's open grant gives the same role. Returns how many grants ended.
pub async fn end_now(
    tx: &mut SqliteConnection,
    config: &Config,
    member: UserId,
    product: &Product,
    now: DateTime<Utc>,
) -> Result<u64, Error> {
    let which = Which::MemberProduct(member, &product.id);
    Ok(end(tx, config, which, now).await?.len() as u64)
}

/// Ends only the access one payment bought (grants referenced `reference`): a manual, code,
/// lifetime or other purchase's grant of the same product stays, and so does its role.
/// Returns the (member, product) of each grant ended.
pub async fn end_reference(
    tx: &mut SqliteConnection,
    config: &Config,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<Vec<(UserId, String)>, Error> {
    let ended = end(tx, config, Which::Reference(reference), now).await?;
    Ok(ended.into_iter().map(|e| (e.member(), e.product)).collect())
}

/// The money a purchase brought went back (a full refund, a lost dispute): its access ends
/// now, and the days it added to a chain of stacked purchases come out of the ones after it
/// (bought while it ran, they were dated from its end).
pub async fn refund_reference(
    tx: &mut SqliteConnection,
    config: &Config,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<Vec<(UserId, String)>, Error> {
    let refunded = grants::store::by_reference(tx, reference).await?;
    let ended = end_reference(tx, config, reference, now).await?;
    if let Some(grant) = refunded {
        grants::end::take_out_of_chain(tx, grant.id).await?;
    }
    Ok(ended)
}

/// Records what a manual grant or a redeemed code was paid: `amount` (minor unit, in the
/// product's currency) as income, new or renewal. `None` or zero: complimentary, no income (the
/// revenue report counts those apart).
pub async fn record_paid(
    tx: &mut SqliteConnection,
    product: &Product,
    source: &str,
    granted: &Granted,
    member: UserId,
    amount: Option<i64>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let Some(amount) = amount.filter(|a| *a > 0) else {
        return Ok(());
    };
    let reference = format!("grant:{}", granted.grant_id);
    store::record_income(
        tx,
        &store::Income {
            product: Some(&product.id),
            source,
            kind: if granted.renewal { "renewal" } else { "new" },
            amount_minor: amount,
            currency: &product.currency,
            member: Some(member.get()),
            note: None,
            reference: Some(&reference),
        },
        now,
    )
    .await
}

/// Whether `actor` may give `member` paid time by hand: staff may not give it to themselves
/// unless they are an owner. A refused attempt is audited in `tx` (commit it).
#[allow(clippy::too_many_arguments)]
pub async fn may_grant_by_hand(
    tx: &mut SqliteConnection,
    config: &Config,
    actor: UserId,
    actor_is_owner: bool,
    member: UserId,
    action: &str,
    product: &Product,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    if actor != member || actor_is_owner {
        return Ok(true);
    }
    let entry = audit::Action {
        guild_id: config.discord.guild_id,
        actor,
        action: &format!("{action}.refused_self"),
        target_kind: Some("user"),
        target_id: Some(member.get()),
        arguments: serde_json::json!({ "product": product.id }),
    };
    audit::record(tx, &entry, now).await?;
    Ok(false)
}

/// The audit row and mod-log line of a membership change.
#[allow(clippy::too_many_arguments)]
pub async fn record(
    tx: &mut SqliteConnection,
    config: &Config,
    actor: UserId,
    action: &str,
    member: UserId,
    product: &Product,
    detail: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let entry = audit::Action {
        guild_id: config.discord.guild_id,
        actor,
        action,
        target_kind: Some("user"),
        target_id: Some(member.get()),
        arguments: serde_json::json!({ "product": product.id, "detail": detail }),
    };
    audit::record(tx, &entry, now).await?;
    let by = if actor == SYSTEM_ACTOR {
        "Lyceum".to_string()
    } else {
        format!("<@{actor}>")
    };
    modlog::post(tx, config, now, |l| {
        t!(
            l,
            "modlog-membership",
            action = action.to_string(),
            member = format!("<@{member}>"),
            product = product.name.get(l).to_string(),
            by = by.clone()
        )
    })
    .await?;
    Ok(())
}

/// What a redeemed code gave.
#[derive(Debug, Clone, PartialEq)]
pub struct Redeemed {
    pub product: String,
    pub paid_until: Option<DateTime<Utc>>,
}

/// `/redeem`: throttled per member; a live code grants its product in the same transaction
/// that takes its use. Every failure looks the same to the member (no oracle for "used" vs
/// "never existed") and is counted.
pub async fn redeem(
    tx: &mut SqliteConnection,
    config: &Config,
    member: UserId,
    typed: &str,
    now: DateTime<Utc>,
) -> Result<Result<Redeemed, MembershipError>, Error> {
    let window = Duration::from_std(config.membership.redeem_window).unwrap_or_default();
    let failures = store::failures_since(tx, member.get(), to_millis(now - window)).await?;
    if failures >= config.membership.redeem_failures as i64 {
        return Ok(Err(MembershipError::Throttled));
    }
    let taken = match rules::normalize(typed) {
        Some(canonical) => {
            let hash = rules::hash(&canonical);
            store::take_use(tx, &hash, member.get(), now)
                .await?
                .map(|t| (hash, t))
        }
        None => None,
    };
    let Some((hash, (product_id, duration_s, price_minor))) = taken else {
        store::record_failure(tx, member.get(), now).await?;
        return Ok(Err(MembershipError::BadCode));
    };
    let Some(product) = config.product(&product_id) else {
        // The product left the config after the code was made: nothing to give.
        return Ok(Err(MembershipError::ProductGone));
    };
    let before = held(tx, member, &product.id, now).await?;
    if before != Held::None && config.membership.redeem_when_held == crate::config::WhenHeld::Refuse
    {
        return Ok(Err(MembershipError::AlreadyHeld {
            product: product.id.clone(),
        }));
    }
    let length = match duration_s {
        Some(s) => Length::Span(Duration::seconds(s)),
        None => Length::Product,
    };
    let reference = format!("code:{}", &hash[..16]);
    let granted = grant(
        tx,
        config,
        &GrantRequest {
            member,
            product,
            source: "code",
            length,
            reference: Some(&reference),
            note: None,
            actor: Some(member),
        },
        now,
    )
    .await?;
    store::record_redemption(tx, &hash, member.get(), Some(granted.grant_id), now).await?;
    record_paid(tx, product, "code", &granted, member, price_minor, now).await?;
    record(
        tx,
        config,
        member,
        "membership.redeem",
        member,
        product,
        serde_json::json!({ "code": &hash[..8] }),
        now,
    )
    .await?;
    Ok(Ok(Redeemed {
        product: product.id.clone(),
        paid_until: granted.paid_until,
    }))
}
