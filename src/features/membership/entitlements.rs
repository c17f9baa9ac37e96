//! Discord's App Subscriptions: an entitlement's `sku_id` maps to a product and its `ends_at`
//! is the paid end (`null` while a subscription is active: "until further notice", kept honest
//! by polling, since Discord sends no event on cancel).

use chrono::{DateTime, Utc};
use serenity::all::Entitlement;
use sqlx::SqliteConnection;

use super::ops::{self, GrantRequest, Length, SYSTEM_ACTOR};
use crate::clock::to_millis;
use crate::config::Config;
use crate::error::Error;
use crate::grants::end::{end, Which};

fn reference(entitlement: &Entitlement) -> String {
    format!("discord:{}", entitlement.id)
}

/// An entitlement event from the gateway, applied in its own transaction; whoever plans from
/// grants wakes when something changed.
pub async fn receive(
    app: &crate::state::AppState,
    config: &Config,
    entitlement: &Entitlement,
) -> Result<bool, Error> {
    let mut tx = app.db.write.begin().await?;
    let changed = apply(&mut tx, config, entitlement, app.clock.now()).await?;
    let topics: &[crate::state::Topic] = if changed {
        &[crate::state::Topic::GRANTS]
    } else {
        &[]
    };
    app.commit_with(tx, topics).await?;
    Ok(changed)
}

/// Applies one entitlement as Discord reports it (event or poll). Returns true when something
/// changed.
pub async fn apply(
    tx: &mut SqliteConnection,
    config: &Config,
    entitlement: &Entitlement,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    let Some(member) = entitlement.user_id else {
        return Ok(false);
    };
    let sku = entitlement.sku_id.get();
    let Some(product) = config
        .products
        .iter()
        .find(|p| p.discord_sku_ids.contains(&sku))
    else {
        return Ok(false);
    };
    let reference = reference(entitlement);
    let ends = entitlement
        .ends_at
        .map(|t| DateTime::<Utc>::from_timestamp(t.unix_timestamp(), 0).unwrap_or(now));
    let existing = crate::grants::store::by_reference(tx, &reference).await?;
    let grace = product.grace_span();
    // One rule for every end: access runs to Discord's end plus the product's grace, whether
    // the end was dated in advance or had already passed when it arrived.
    if entitlement.deleted || ends.is_some_and(|e| e + grace <= now) {
        let Some(grant) = existing else {
            return Ok(false);
        };
        end(tx, config, Which::Id(grant.id), now).await?;
        ops::record(
            tx,
            config,
            SYSTEM_ACTOR,
            "membership.discord.ended",
            member,
            product,
            serde_json::json!({ "entitlement": entitlement.id.get().to_string() }),
            now,
        )
        .await?;
        return Ok(true);
    }
    match existing {
        Some(grant) => {
            let paid = ends.map(to_millis);
            if grant.paid_until == paid {
                return Ok(false);
            }
            let access = ends.map(|e| to_millis(e + grace));
            crate::grants::store::set_ends(tx, grant.id, paid, access).await?;
            Ok(true)
        }
        None => {
            ops::grant(
                tx,
                config,
                &GrantRequest {
                    member,
                    product,
                    source: "discord",
                    length: ends.map_or(Length::Lifetime, Length::Until),
                    reference: Some(&reference),
                    note: None,
                    actor: None,
                },
                now,
            )
            .await?;
            ops::record(
                tx,
                config,
                SYSTEM_ACTOR,
                "membership.discord.granted",
                member,
                product,
                serde_json::json!({ "entitlement": entitlement.id.get().to_string() }),
                now,
            )
            .await?;
            Ok(true)
        }
    }
}

/// One entitlement as a poll listed it, applied only if nothing changed it since the listing
/// began (`listing_started`): an ENTITLEMENT_DELETE or CREATE that arrived meanwhile is newer
/// than the list, and a stale list must not bring back what Discord just deleted.
pub async fn apply_polled(
    tx: &mut SqliteConnection,
    config: &Config,
    entitlement: &Entitlement,
    listing_started: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    let changed = crate::grants::store::last_change_of(tx, &reference(entitlement)).await?;
    if changed.is_some_and(|at| at >= to_millis(listing_started)) {
        return Ok(false);
    }
    apply(tx, config, entitlement, now).await
}

/// After a full, unfiltered poll: open Discord grants whose entitlement Discord no longer
/// lists (it leaves out deleted ones) end now — only grants made before the listing began
/// (`listing_started`): one made by an ENTITLEMENT_CREATE during the poll was not missed.
pub async fn end_unlisted(
    tx: &mut SqliteConnection,
    config: &Config,
    listed: &[Entitlement],
    listing_started: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<usize, Error> {
    let open =
        crate::grants::store::open_discord_grants_before(tx, to_millis(listing_started)).await?;
    let mut ended = 0;
    for grant in open {
        let known = listed
            .iter()
            .any(|e| Some(reference(e)) == grant.reference && !e.deleted);
        if known {
            continue;
        }
        end(tx, config, Which::Id(grant.id), now).await?;
        ended += 1;
    }
    Ok(ended)
}
