//! The one way a grant ends — by the expiry job, a revoke, a refund, a lost dispute or Discord's
//! store: the grants are marked ended now, and each one's role removal is queued unless another
//! open grant still gives that role, together with its product's grace role. Delivery re-checks
//! every removal against the truth (`crate::roles`) when it is sent.

use chrono::{DateTime, Utc};
use serenity::all::RoleId;
use sqlx::SqliteConnection;

use super::store;
use crate::config::Config;
use crate::outbox::{self, Effect};

pub use super::store::{Ended, Which};

/// Ends the open grants `which` names, now, and queues their roles' removal. Returns what
/// ended.
pub async fn end(
    tx: &mut SqliteConnection,
    config: &Config,
    which: Which<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Ended>> {
    let ended = store::end_where(tx, which, now).await?;
    for grant in &ended {
        let reason = format!("Lyceum: {} ended", grant.product);
        let remove = |role: RoleId| Effect::RemoveRole {
            guild_id: config.discord.guild_id,
            user_id: grant.member(),
            role_id: role,
            reason: reason.clone(),
        };
        if !store::covered(tx, grant.member_id, grant.role_id, now).await? {
            outbox::enqueue(tx, &remove(RoleId::new(grant.role_id as u64)), now, None).await?;
        }
        if let Some(grace) = config.product(&grant.product).and_then(|p| p.grace_role) {
            outbox::enqueue(tx, &remove(grace), now, None).await?;
        }
        // The product's lesson roles go with its access (delivery keeps any the member still
        // holds the course for through another grant).
        for role in lesson_roles(config, &grant.product) {
            outbox::enqueue(tx, &remove(role), now, None).await?;
        }
    }
    Ok(ended)
}

/// The roles that open `product`'s lessons.
pub(super) fn lesson_roles(config: &Config, product: &str) -> Vec<RoleId> {
    config
        .product(product)
        .map(|p| p.lessons.iter().filter_map(|l| l.role).collect())
        .unwrap_or_default()
}

/// A refunded purchase's days come out of the chain of purchases stacked after it: each later
/// stacked grant of the same member and product was dated from the chain's end when it was
/// bought, so it moves back by what the refunded one added — never to less than its own span
/// from when it was bought. Call with the refunded grant's id (ended or not). Returns how many
/// grants moved; one whose access end has now passed is ended by the expiry job.
pub async fn take_out_of_chain(tx: &mut SqliteConnection, refunded: i64) -> sqlx::Result<usize> {
    let Some(link) = store::chain_link(tx, refunded).await? else {
        return Ok(0);
    };
    let later = store::chained_after(tx, refunded).await?;
    for grant in &later {
        let paid_until = (grant.paid_until - link.span_ms).max(grant.created_at + grant.span_ms);
        let back = grant.paid_until - paid_until;
        store::set_ends(tx, grant.id, Some(paid_until), Some(grant.ends_at - back)).await?;
    }
    Ok(later.len())
}
