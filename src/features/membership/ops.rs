//! The membership writes. Each takes the caller's transaction: the grant row, the role change
//! through the outbox, the revenue row, the audit row and the mod-log line commit together, so
//! a crash never leaves a paid member without their role or a role without its record.

use chrono::{DateTime, Duration, Utc};
use serenity::all::{RoleId, UserId};
use sqlx::SqliteConnection;

use super::error::MembershipError;
use super::rules::{self, Held};
use super::store::{self, NewProductGrant};
use crate::clock::{from_millis, to_millis};
use crate::config::{Config, Product};
use crate::error::Error;
use crate::grants::end::{end, Which};
use crate::outbox::{self, Effect};
use crate::t;
use crate::{audit, modlog};

/// The audit actor for changes no person made (a payment provider, Discord's store).
pub const SYSTEM_ACTOR: UserId = UserId::new(1);

/// How long a grant lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// The product's own `duration` (lifetime if it has none).
    Product,
    /// This long, from the later of now and the current paid end.
    Span(Duration),
    Lifetime,
    /// Until this instant, as a payment provider dated it.
    Until(DateTime<Utc>),
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Granted {
    pub grant_id: i64,
    /// `None`: lifetime (or until further notice).
    pub paid_until: Option<DateTime<Utc>>,
    /// The member already held the product (or was in grace): this is a renewal.
    pub renewal: bool,
}

/// What `member` holds of `product` at `now`, from their open grants.
pub async fn held(
    conn: &mut SqliteConnection,
    member: UserId,
    product: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Held> {
    let grants = store::open(conn, member.get(), Some(product), now).await?;
    Ok(rules::combine(grants.iter().map(|g| {
        if g.ends_at.is_none() {
            None
        } else {
            g.paid_until.map(from_millis)
        }
    })))
}

fn role_reason(product: &Product) -> String {
    format!("Lyceum: {}", product.id)
}

/// Gives `req.member` the product: a grant row, the role if they lacked it (and out of grace if
/// they were in it). Renewal extends from the later of now and the current paid end.
pub async fn grant(
    tx: &mut SqliteConnection,
    config: &Config,
    req: &GrantRequest<'_>,
    now: DateTime<Utc>,
) -> Result<Granted, Error> {
    let product = req.product;
    let before = held(tx, req.member, &product.id, now).await?;
    let length = match (req.length, product.duration) {
        (Length::Product, Some(d)) => Length::Span(Duration::from_std(d).unwrap_or_default()),
        (Length::Product, None) => Length::Lifetime,
        (other, _) => other,
    };
    let paid_until = match length {
        Length::Lifetime | Length::Product => None,
        Length::Until(at) => Some(at),
        Length::Span(d) => Some(match before {
            Held::Until(end) if end > now => end + d,
            _ => now + d,
        }),
    };
    let grace = product.grace_span();
    let ends_at = rules::access_ends(paid_until, grace);
    let role_held =
        crate::grants::store::covered(tx, req.member.get() as i64, product.role.get() as i64, now)
            .await?;
    let grant_id = store::insert_grant(
        tx,
        &NewProductGrant {
            member: req.member.get(),
            role: product.role.get(),
            product: &product.id,
            source: req.source,
            reference: req.reference,
            paid_until: paid_until.map(to_millis),
            ends_at: ends_at.map(to_millis),
            note: req.note,
            actor: req.actor.map(UserId::get),
        },
        now,
    )
    .await?;
    if !role_held {
        add_role(tx, config, req.member, product.role, product, now).await?;
    }
    let in_grace = matches!(before, Held::Until(end) if end <= now);
    if let (true, Some(grace_role)) = (in_grace, product.grace_role) {
        remove_role(tx, config, req.member, grace_role, product, now).await?;
    }
    Ok(Granted {
        grant_id,
        paid_until,
        renewal: before != Held::None,
    })
}

async fn add_role(
    tx: &mut SqliteConnection,
    config: &Config,
    member: UserId,
    role: RoleId,
    product: &Product,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let effect = Effect::AddRole {
        guild_id: config.discord.guild_id,
        user_id: member,
        role_id: role,
        reason: role_reason(product),
    };
    outbox::enqueue(tx, &effect, now, None).await?;
    Ok(())
}

async fn remove_role(
    tx: &mut SqliteConnection,
    config: &Config,
    member: UserId,
    role: RoleId,
    product: &Product,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let effect = Effect::RemoveRole {
        guild_id: config.discord.guild_id,
        user_id: member,
        role_id: role,
        reason: role_reason(product),
    };
    outbox::enqueue(tx, &effect, now, None).await?;
    Ok(())
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

/// Gives back the access [`end_reference`] ended at `ended_at` (a dispute the creator won),
/// where its time has not run out. Returns the (member, product) of each grant reopened.
pub async fn reopen_reference(
    tx: &mut SqliteConnection,
    config: &Config,
    reference: &str,
    ended_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<(UserId, String)>, Error> {
    let reopened = store::reopen_by_reference(tx, reference, to_millis(ended_at), now).await?;
    let mut out = Vec::with_capacity(reopened.len());
    for (member, product_id) in reopened {
        let member = UserId::new(member as u64);
        if let Some(product) = config.product(&product_id) {
            add_role(tx, config, member, product.role, product, now).await?;
        }
        out.push((member, product_id));
    }
    Ok(out)
}

/// Records income at the product's price for a manual grant or a redeemed code.
pub async fn record_list_price(
    tx: &mut SqliteConnection,
    product: &Product,
    source: &str,
    granted: &Granted,
    member: UserId,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    if product.price_minor == 0 {
        return Ok(());
    }
    let reference = format!("grant:{}", granted.grant_id);
    store::record_income(
        tx,
        &store::Income {
            product: Some(&product.id),
            source,
            kind: if granted.renewal { "renewal" } else { "new" },
            amount_minor: product.price_minor,
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
    let Some((hash, (product_id, duration_s))) = taken else {
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
    record_list_price(tx, product, "code", &granted, member, now).await?;
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
