//! Redeem codes and income by hand, as operations that own their transaction: making a batch
//! of codes, revoking codes, redeeming one, and recording income staff received elsewhere.

use chrono::{DateTime, Utc};
use serenity::all::UserId;

use super::error::MembershipError;
use super::ops::{self, Redeemed};
use super::{rules, store};
use crate::audit;
use crate::clock::to_millis;
use crate::config::{Config, Product};
use crate::error::Error;
use crate::state::AppState;

/// A batch to make: `count` codes of `product`.
pub struct NewBatch<'a> {
    pub product: &'a Product,
    pub count: i64,
    /// `None`: the product's own duration.
    pub duration_s: Option<i64>,
    pub max_uses: i64,
    pub expires_at: Option<DateTime<Utc>>,
    /// What each code sells for (minor unit); `None`: complimentary codes.
    pub price_minor: Option<i64>,
}

/// `/code create`: stores only the codes' hashes; returns the batch number and the codes (the
/// only copy, for the CSV file).
pub async fn create(
    app: &AppState,
    config: &Config,
    actor: UserId,
    batch: &NewBatch<'_>,
) -> Result<(i64, Vec<String>), Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let number = store::next_batch(&mut tx).await?;
    let mut codes = Vec::with_capacity(batch.count as usize);
    for _ in 0..batch.count {
        codes.push(make_code(&mut tx, batch, number, actor, now).await?);
    }
    let entry = audit::Action {
        guild_id: config.discord.guild_id,
        actor,
        action: "code.create",
        target_kind: None,
        target_id: None,
        // Never the codes themselves.
        arguments: serde_json::json!({
            "product": batch.product.id, "count": batch.count, "batch": number,
            "max_uses": batch.max_uses, "price": batch.price_minor
        }),
    };
    audit::record(&mut tx, &entry, now).await?;
    app.commit(tx).await?;
    Ok((number, codes))
}

/// One new code of `batch` (numbered `number`) in `tx`: only its hash is stored; the code is
/// returned (the only copy).
pub async fn make_code(
    tx: &mut sqlx::SqliteConnection,
    batch: &NewBatch<'_>,
    number: i64,
    actor: UserId,
    now: DateTime<Utc>,
) -> sqlx::Result<String> {
    let code = rules::new_code();
    let canonical = rules::normalize(&code).expect("generated codes are canonical");
    let row = store::NewCode {
        hash: &rules::hash(&canonical),
        product: &batch.product.id,
        duration_s: batch.duration_s,
        max_uses: batch.max_uses,
        expires_at: batch.expires_at.map(to_millis),
        batch: number,
        created_by: actor.get(),
        price_minor: batch.price_minor,
    };
    store::insert_code(tx, &row, now).await?;
    Ok(code)
}

/// `/code revoke`: one code (by its hash) or a whole batch. Returns how many were revoked.
pub async fn revoke(
    app: &AppState,
    config: &Config,
    actor: UserId,
    hash: Option<&str>,
    batch: Option<i64>,
) -> Result<u64, Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let revoked = store::revoke_codes(&mut tx, hash, batch, now).await?;
    if revoked == 0 {
        return Err(MembershipError::NothingToRevoke.into());
    }
    let entry = audit::Action {
        guild_id: config.discord.guild_id,
        actor,
        action: "code.revoke",
        target_kind: None,
        target_id: None,
        arguments: serde_json::json!({
            "batch": batch, "code": hash.map(|h| &h[..8]), "revoked": revoked
        }),
    };
    audit::record(&mut tx, &entry, now).await?;
    app.commit(tx).await?;
    Ok(revoked)
}

/// `/redeem`: a wrong code is counted (throttling) and committed before it is refused; the
/// code typed is never logged.
pub async fn redeem(
    app: &AppState,
    config: &Config,
    member: UserId,
    typed: &str,
) -> Result<Redeemed, Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    match ops::redeem(&mut tx, config, member, typed, now).await? {
        Ok(redeemed) => {
            app.commit_with(tx, &[crate::state::Topic::GRANTS]).await?;
            Ok(redeemed)
        }
        Err(MembershipError::BadCode) => {
            app.commit(tx).await?;
            tracing::info!(%member, "wrong redeem code");
            Err(MembershipError::BadCode.into())
        }
        Err(other) => Err(other.into()),
    }
}

/// Income received outside Lyceum (ads, sponsors, revenue share), as `/revenue add` records it.
pub struct Income<'a> {
    pub amount_minor: i64,
    /// Three letters, upper case.
    pub currency: &'a str,
    pub source: &'a str,
    pub note: Option<&'a str>,
}

/// `/revenue add`: records income by hand, audited.
pub async fn add_income(
    app: &AppState,
    config: &Config,
    actor: UserId,
    income: &Income<'_>,
) -> Result<(), Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let row = store::Income {
        product: None,
        source: income.source,
        kind: "other",
        amount_minor: income.amount_minor,
        currency: income.currency,
        member: None,
        note: income.note,
        reference: None,
    };
    store::record_income(&mut tx, &row, now).await?;
    let entry = audit::Action {
        guild_id: config.discord.guild_id,
        actor,
        action: "revenue.add",
        target_kind: None,
        target_id: None,
        arguments: serde_json::json!({
            "amount_minor": income.amount_minor, "currency": income.currency,
            "source": income.source, "note": income.note
        }),
    };
    audit::record(&mut tx, &entry, now).await?;
    app.commit(tx).await?;
    Ok(())
}
