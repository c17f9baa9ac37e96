//! How timed access begins, is extended and comes back: one [`give`] for paid products, redeem
//! codes, Stripe, Discord's store and the points shop alike. The caller supplies its policy as
//! data ([`Policy`]: a default length, grace and a grace role); ending is [`super::end`]'s.

use chrono::{DateTime, Duration, Utc};
use serenity::all::{RoleId, UserId};
use sqlx::SqliteConnection;

use super::rules::{self, Held};
use super::store::{self, NewGrant};
use crate::clock::{from_millis, to_millis};
use crate::config::Config;
use crate::outbox::{self, Effect};

/// How long a grant lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// The policy's own `duration` (lifetime if it has none).
    Product,
    /// This long, from the later of now and the current paid end.
    Span(Duration),
    Lifetime,
    /// Until this instant, as a payment provider dated it.
    Until(DateTime<Utc>),
}

/// What the caller's product says about its grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// What [`Length::Product`] means; `None`: lifetime.
    pub duration: Option<std::time::Duration>,
    /// How long the role stays after the paid end.
    pub grace: Duration,
    /// Held during grace (and taken away on renewal).
    pub grace_role: Option<RoleId>,
}

/// One grant to give.
pub struct Give<'a> {
    pub member: UserId,
    pub role: RoleId,
    /// A product id or a shop item id.
    pub product: &'a str,
    /// `manual`, `code`, `stripe`, `discord`, `points`.
    pub source: &'a str,
    pub length: Length,
    pub reference: Option<&'a str>,
    pub note: Option<&'a str>,
    pub actor: Option<UserId>,
    /// The audit-log reason on the role change.
    pub reason: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Granted {
    pub grant_id: i64,
    /// `None`: lifetime (or until further notice).
    pub paid_until: Option<DateTime<Utc>>,
    /// The member already held the product (or was in grace): this is a renewal.
    pub renewal: bool,
}

/// What `member` holds of `product` at `now`, from their open grants (of the points shop when
/// `shop`, else of paid products).
pub async fn held(
    conn: &mut SqliteConnection,
    member: UserId,
    product: &str,
    shop: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<Held> {
    let grants = store::open(conn, member.get(), Some(product), shop, now).await?;
    Ok(rules::combine(grants.iter().map(|g| {
        if g.ends_at.is_none() {
            None
        } else {
            g.paid_until.map(from_millis)
        }
    })))
}

/// Gives `give.member` timed access: a grant row, the role if no open grant gives it already
/// (and out of grace, with the grace role gone, if they were in it). A renewal extends from the
/// later of now and the current paid end. The one way a grant begins or is extended.
pub async fn give(
    tx: &mut SqliteConnection,
    config: &Config,
    give: &Give<'_>,
    policy: &Policy,
    now: DateTime<Utc>,
) -> sqlx::Result<Granted> {
    let shop = give.source == "points";
    let before = held(tx, give.member, give.product, shop, now).await?;
    let length = match (give.length, policy.duration) {
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
    let ends_at = rules::access_ends(paid_until, policy.grace);
    let role_held =
        store::covered(tx, give.member.get() as i64, give.role.get() as i64, now).await?;
    let new = NewGrant {
        member: give.member.get(),
        role: give.role.get(),
        product: give.product,
        source: give.source,
        reference: give.reference,
        paid_until: paid_until.map(to_millis),
        ends_at: ends_at.map(to_millis),
        note: give.note,
        actor: give.actor.map(UserId::get),
        span_ms: match length {
            Length::Span(d) => Some(d.num_milliseconds()),
            _ => None,
        },
    };
    let grant_id = store::insert(tx, &new, now).await?;
    if !role_held {
        change_role(tx, config, (give.member, give.role, true), give.reason, now).await?;
        // Access back: lessons the member unlocked before open again (delivery sends only
        // those the truth says they unlocked).
        if !shop {
            for role in super::end::lesson_roles(config, give.product) {
                change_role(tx, config, (give.member, role, true), give.reason, now).await?;
            }
        }
    }
    let in_grace = matches!(before, Held::Until(end) if end <= now);
    if let (true, Some(grace_role)) = (in_grace, policy.grace_role) {
        change_role(
            tx,
            config,
            (give.member, grace_role, false),
            give.reason,
            now,
        )
        .await?;
    }
    Ok(Granted {
        grant_id,
        paid_until,
        renewal: before != Held::None,
    })
}

/// A member rejoined (Discord dropped their roles): every role their open grants give comes
/// back, in its own write. Returns how many.
pub async fn restore_on_join(
    app: &crate::state::AppState,
    config: &Config,
    member: UserId,
) -> sqlx::Result<usize> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let mut roles: Vec<i64> = store::open_for(&mut tx, member, now)
        .await?
        .iter()
        .map(|g| g.role_id)
        .collect();
    roles.sort_unstable();
    roles.dedup();
    for role in &roles {
        let role = RoleId::new(*role as u64);
        let reason = "Lyceum: restored on rejoin";
        change_role(&mut tx, config, (member, role, true), reason, now).await?;
    }
    app.commit(tx).await?;
    Ok(roles.len())
}

/// Gives back the access that ended with `reference` at `ended_at` (a dispute the creator won),
/// where its time has not run out: the grants reopen and their roles come back. Returns the
/// (member, product) of each grant reopened.
pub async fn reopen(
    tx: &mut SqliteConnection,
    config: &Config,
    reference: &str,
    ended_at: DateTime<Utc>,
    reason: impl Fn(&str) -> String,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<(UserId, String)>> {
    let reopened = store::reopen_by_reference(tx, reference, to_millis(ended_at), now).await?;
    let mut out = Vec::with_capacity(reopened.len());
    for (member, role, product) in reopened {
        let member = UserId::new(member as u64);
        let role = RoleId::new(role as u64);
        change_role(tx, config, (member, role, true), &reason(&product), now).await?;
        out.push((member, product));
    }
    Ok(out)
}

/// Queues adding (`add`) or removing `role` for `member`, with `reason` in the audit log.
async fn change_role(
    tx: &mut SqliteConnection,
    config: &Config,
    (member, role, add): (UserId, RoleId, bool),
    reason: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let effect = Effect::role_change(add, config.discord.guild_id, member, role, reason.into());
    outbox::enqueue(tx, &effect, now, None).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop_item(member: u64, reference: &str) -> Give<'_> {
        Give {
            member: UserId::new(member),
            role: RoleId::new(77),
            product: "trial",
            source: "points",
            length: Length::Span(Duration::days(7)),
            reference: Some(reference),
            note: None,
            actor: None,
            reason: "Lyceum: shop",
        }
    }

    const NO_GRACE: Policy = Policy {
        duration: None,
        grace: Duration::zero(),
        grace_role: None,
    };

    /// Buying a timed role again extends it from its current end, and the role is added once
    /// (the second grant finds it covered).
    #[tokio::test]
    async fn a_second_give_extends_from_the_current_end_and_adds_the_role_once() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::Db::open(&dir.path().join("g.db")).await.unwrap();
        let config = Config::parse("[discord]\nguild_id = 1\n").unwrap();
        let now: DateTime<Utc> = "2026-12-01T00:00:00Z".parse().unwrap();
        let mut tx = db.write.begin().await.unwrap();
        let first = give(&mut tx, &config, &shop_item(5, "order:1"), &NO_GRACE, now)
            .await
            .unwrap();
        let later = now + Duration::days(2);
        let second = give(&mut tx, &config, &shop_item(5, "order:2"), &NO_GRACE, later)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(first.paid_until, Some(now + Duration::days(7)));
        assert!(!first.renewal);
        assert_eq!(second.paid_until, Some(now + Duration::days(14)));
        assert!(second.renewal);
        let adds = crate::outbox::store::payloads(&db).await.unwrap();
        assert_eq!(adds.len(), 1, "{adds:?}");
        assert!(adds[0].contains("77"), "{adds:?}");
        // A paid product of the same name is another family: nothing held there.
        let mut conn = db.read.acquire().await.unwrap();
        let paid = held(&mut conn, UserId::new(5), "trial", false, later)
            .await
            .unwrap();
        assert_eq!(paid, Held::None);
    }
}
