//! One function per points write, each in the caller's transaction: ledger rows, the totals
//! they move, level changes (announcement + level roles through the outbox), audit rows.

use chrono::{DateTime, Utc};
use serde_json::json;
use serenity::all::{ChannelId, MessageId, UserId};
use sqlx::SqliteConnection;

use super::error::PointsError;
use super::rules::{self, Streak};
use super::store::{self, Entry};
use super::{Kind, OrderStatus};
use crate::config::{Config, ItemKind};
use crate::error::Error;
use crate::grants::{
    self,
    give::{Give, Length, Policy},
};
use crate::i18n::Locale;
use crate::outbox::{self, Effect, MessageBody};
use crate::t;
use crate::{audit, modlog};

/// Writes `entries` and applies the level changes they cause, at once: a level-up is
/// announced in `points.level_up_channel` (once per level-up) and level roles are added and
/// Applies `entry` unless an entry with its reference was made before (an award paid once,
/// like attendance). False when it was.
pub async fn award_once(
    tx: &mut SqliteConnection,
    config: &Config,
    entry: Entry,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    if let Some(reference) = &entry.reference {
        if store::reference_used(tx, reference).await? {
            return Ok(false);
        }
    }
    apply(tx, config, &[entry], now).await?;
    Ok(true)
}

/// removed through the outbox; a level-down removes roles too.
pub async fn apply(
    tx: &mut SqliteConnection,
    config: &Config,
    entries: &[Entry],
    now: DateTime<Utc>,
) -> Result<(), Error> {
    apply_with(tx, config, entries, now, true).await
}

/// [`apply`] without level-up announcements (an import moves hundreds of members at once:
/// their level roles follow, the channel is not flooded).
pub async fn apply_quietly(
    tx: &mut SqliteConnection,
    config: &Config,
    entries: &[Entry],
    now: DateTime<Utc>,
) -> Result<(), Error> {
    apply_with(tx, config, entries, now, false).await
}

async fn apply_with(
    tx: &mut SqliteConnection,
    config: &Config,
    entries: &[Entry],
    now: DateTime<Utc>,
    announce: bool,
) -> Result<(), Error> {
    let stale = store::insert_entries(tx, entries).await?;
    let moves: Vec<LevelMove> = stale
        .into_iter()
        .map(|row| LevelMove {
            member: UserId::new(row.member_id as u64),
            before: row.level.max(0) as u32,
            after: rules::level_of(row.lifetime).0,
            locale: row.locale,
        })
        .filter(|m| m.before != m.after)
        .collect();
    let levels: Vec<(UserId, u32)> = moves.iter().map(|m| (m.member, m.after)).collect();
    store::set_levels(tx, &levels).await?;
    for change in &moves {
        level_effects(tx, config, change, announce, now).await?;
    }
    Ok(())
}

/// A member's level moving from the one whose roles were applied to the one their lifetime
/// points reach.
struct LevelMove {
    member: UserId,
    before: u32,
    after: u32,
    locale: Option<String>,
}

/// Brings a member's level roles in line with their new level, and announces a level-up.
async fn level_effects(
    tx: &mut SqliteConnection,
    config: &Config,
    change: &LevelMove,
    announce: bool,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let LevelMove {
        member,
        before,
        after: level,
        ..
    } = *change;
    let guild_id = config.discord.guild_id;
    let old_roles = rules::level_roles_for(&config.points.level_roles, before);
    let new_roles = rules::level_roles_for(&config.points.level_roles, level);
    // Roles of the old level that the new one lacks go first, then the new level's own.
    let removed = old_roles.iter().filter(|r| !new_roles.contains(r));
    let added = new_roles.iter().filter(|r| !old_roles.contains(r));
    let changes = removed.map(|r| (false, r)).chain(added.map(|r| (true, r)));
    for (add, role) in changes {
        let reason = format!("Lyceum: level {level}");
        let effect = Effect::role_change(add, guild_id, member, *role, reason);
        outbox::enqueue(tx, &effect, now, None).await?;
    }
    if announce && level > before {
        if let Some(channel_id) = config.points.level_up_channel {
            let locale = change
                .locale
                .as_deref()
                .and_then(Locale::from_config)
                .unwrap_or(config.community.default_locale);
            let text = t!(
                locale,
                "points-level-up",
                member = format!("<@{member}>"),
                level = i64::from(level)
            );
            let effect = Effect::SendMessage {
                channel_id,
                body: MessageBody::text(text),
            };
            // Once per level reached, even if a level is lost and regained.
            let key = format!("level-up:{member}:{level}");
            outbox::enqueue(tx, &effect, now, Some(&key)).await?;
        }
    }
    Ok(())
}

/// A member's level roles again after they rejoin (Discord drops a leaver's roles); their
/// grants' roles come back through `grants::give::restore_on_join`. Returns how many role adds
/// were queued.
pub async fn restore_on_join(
    tx: &mut SqliteConnection,
    config: &Config,
    member: UserId,
    now: DateTime<Utc>,
) -> Result<usize, Error> {
    let row = store::member(tx, member).await?;
    let mut roles = rules::level_roles_for(&config.points.level_roles, row.level.max(0) as u32);
    roles.sort();
    roles.dedup();
    for role in &roles {
        let effect = Effect::AddRole {
            guild_id: config.discord.guild_id,
            user_id: member,
            role_id: *role,
            reason: "Lyceum: restored on rejoin".into(),
        };
        outbox::enqueue(tx, &effect, now, None).await?;
    }
    Ok(roles.len())
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CheckedIn {
    pub check_in: rules::CheckIn,
    pub balance: i64,
}

/// `/checkin`: once per calendar day in the community's time zone.
pub async fn check_in(
    tx: &mut SqliteConnection,
    config: &Config,
    member: UserId,
    locale: Locale,
    now: DateTime<Utc>,
) -> Result<CheckedIn, Error> {
    crate::member_actions::record(tx, config, member, now).await?;
    let today = rules::local_day(now, config.community.timezone);
    let row = store::member(tx, member).await?;
    let before = Streak {
        last: row.last_checkin_date(),
        days: row.streak.max(0) as u32,
        freezes: row.freezes.max(0) as u32,
    };
    let Some(done) = rules::check_in(&config.points, before, today) else {
        return Err(PointsError::AlreadyCheckedIn { streak: row.streak }.into());
    };
    store::set_streak(tx, member, done.streak.days, today, done.streak.freezes).await?;
    crate::member_locale::set(tx, member, locale, now).await?;
    let entry = Entry {
        member,
        delta: done.points,
        lifetime_delta: done.points,
        kind: crate::features::points::Kind::Checkin,
        reason: None,
        // A double click lands on the same key: awarded once.
        reference: Some(format!("checkin:{member}:{today}")),
        actor: None,
        channel: None,
        at: now,
    };
    apply(tx, config, &[entry], now).await?;
    let balance = store::member(tx, member).await?.balance;
    Ok(CheckedIn {
        check_in: done,
        balance,
    })
}

/// The largest single staff adjustment.
pub const MAX_ADJUST: i64 = 100_000;

/// Who is adjusting points.
#[derive(Debug, Clone)]
pub struct Staff {
    pub id: UserId,
    /// Owners may give points to themselves; other staff may not.
    pub is_owner: bool,
}

/// What a staff adjustment did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adjusted {
    /// The member's balance now.
    Balance(i64),
    /// A staff member tried to give themself points: refused, and the attempt audited.
    RefusedSelf,
}

/// A staff adjustment: `give` adds points; a take is a correction that lowers balance and
/// lifetime.
#[derive(Debug, Clone)]
pub struct Adjustment<'a> {
    pub member: UserId,
    pub member_is_bot: bool,
    pub amount: i64,
    pub give: bool,
    pub reason: &'a str,
}

/// `/points give` and `/points take`. Audited, with a mod-log line. Staff other than owners
/// cannot give points to themselves: the attempt is audited (commit it) and changes nothing.
pub async fn adjust(
    tx: &mut SqliteConnection,
    config: &Config,
    staff: &Staff,
    change: &Adjustment<'_>,
    now: DateTime<Utc>,
) -> Result<Adjusted, Error> {
    let Adjustment {
        member,
        member_is_bot,
        amount,
        give,
        reason,
    } = *change;
    if !(1..=MAX_ADJUST).contains(&amount) {
        return Err(PointsError::BadAmount { max: MAX_ADJUST }.into());
    }
    if member_is_bot {
        return Err(PointsError::Bot.into());
    }
    if give && member == staff.id && !staff.is_owner {
        let action = audit::Action {
            guild_id: config.discord.guild_id,
            actor: staff.id,
            action: "points.give.refused_self",
            target_kind: Some("user"),
            target_id: Some(member.get()),
            arguments: json!({ "amount": amount, "reason": reason }),
        };
        audit::record(tx, &action, now).await?;
        return Ok(Adjusted::RefusedSelf);
    }
    let row = store::member(tx, member).await?;
    if !give && amount > row.balance {
        return Err(PointsError::TakeExceedsBalance {
            balance: row.balance,
        }
        .into());
    }
    let signed = if give { amount } else { -amount };
    let entry = Entry {
        member,
        delta: signed,
        lifetime_delta: signed,
        kind: if give { Kind::Give } else { Kind::Take },
        reason: Some(reason.to_string()),
        reference: None,
        actor: Some(staff.id),
        channel: None,
        at: now,
    };
    apply(tx, config, &[entry], now).await?;
    let action = audit::Action {
        guild_id: config.discord.guild_id,
        actor: staff.id,
        action: if give { "points.give" } else { "points.take" },
        target_kind: Some("user"),
        target_id: Some(member.get()),
        arguments: json!({ "amount": amount, "reason": reason }),
    };
    audit::record(tx, &action, now).await?;
    let (by, whom, why) = (
        format!("<@{}>", staff.id),
        format!("<@{member}>"),
        reason.to_string(),
    );
    modlog::post(tx, config, now, |l| {
        if give {
            t!(
                l,
                "modlog-points-given",
                actor = by,
                member = whom,
                amount = amount,
                reason = why
            )
        } else {
            t!(
                l,
                "modlog-points-taken",
                actor = by,
                member = whom,
                amount = amount,
                reason = why
            )
        }
    })
    .await?;
    Ok(Adjusted::Balance(store::member(tx, member).await?.balance))
}

/// A helpful-answer reaction by `voter` on `author`'s message: awarded once per message when a
/// moderator reacts or `helpful_threshold` distinct members do. Self-reactions never count.
/// Returns whether this vote made the award.
#[allow(clippy::too_many_arguments)]
pub async fn helpful_vote(
    tx: &mut SqliteConnection,
    config: &Config,
    message: MessageId,
    channel: ChannelId,
    author: UserId,
    voter: UserId,
    voter_is_staff: bool,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    if voter == author {
        return Ok(false);
    }
    crate::member_actions::record(tx, config, voter, now).await?;
    let votes = store::helpful_vote(tx, message, channel, author, voter, now).await?;
    if !voter_is_staff && votes < i64::from(config.points.helpful_threshold) {
        return Ok(false);
    }
    let points = config.points.helpful_points;
    let reference = format!("helpful:{message}");
    if store::reference_used(tx, &reference).await? {
        return Ok(false);
    }
    let entry = Entry {
        member: author,
        delta: points,
        lifetime_delta: points,
        kind: crate::features::points::Kind::Helpful,
        reason: None,
        reference: Some(reference),
        actor: Some(voter),
        channel: Some(channel),
        at: now,
    };
    apply(tx, config, &[entry], now).await?;
    Ok(true)
}

/// What a purchase did.
#[derive(Debug, Clone, PartialEq)]
pub struct Purchase {
    pub order: i64,
    pub balance: i64,
    /// The order is waiting for staff (a manual item).
    pub awaiting: bool,
    /// A repeated click within seconds: the earlier order, nothing charged again.
    pub repeated: bool,
    pub ends_at: Option<DateTime<Utc>>,
}

/// A second `/shop buy` of one item by one member within this many seconds is the same click.
const REPEAT_WINDOW_MS: i64 = 10_000;

/// Refuses a purchase the shop's rules forbid: out of stock, the member's limit reached, or
/// not enough points.
async fn may_buy(
    tx: &mut SqliteConnection,
    member: UserId,
    item_id: &str,
    item: &crate::config::ShopItem,
    name: &str,
) -> Result<(), Error> {
    let name = name.to_string();
    if let Some(stock) = item.stock {
        if store::orders_of_item(tx, item_id, None).await? >= stock {
            return Err(PointsError::OutOfStock { item: name }.into());
        }
    }
    if let Some(limit) = item.per_member_limit {
        if store::orders_of_item(tx, item_id, Some(member)).await? >= limit {
            return Err(PointsError::LimitReached { item: name, limit }.into());
        }
    }
    let balance = store::member(tx, member).await?.balance;
    if balance < item.price {
        return Err(PointsError::InsufficientBalance {
            price: item.price,
            balance,
        }
        .into());
    }
    Ok(())
}

/// Delivers what order `order` bought: a role through one grant (timed or for good), or a note
/// to staff for an item they hand over. Returns when a timed role ends.
async fn fulfil(
    tx: &mut SqliteConnection,
    config: &Config,
    member: UserId,
    item_id: &str,
    item: &crate::config::ShopItem,
    order: i64,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, Error> {
    let (ItemKind::Role | ItemKind::TimedRole, Some(role)) = (item.kind, item.role) else {
        if let Some(channel_id) = config.channels.staff {
            let l = config.community.default_locale;
            let text = t!(
                l,
                "shop-staff-order",
                order = order,
                member = format!("<@{member}>"),
                item = item.name.get(l).to_string()
            );
            let effect = Effect::SendMessage {
                channel_id,
                body: MessageBody::text(text),
            };
            outbox::enqueue(tx, &effect, now, None).await?;
        }
        return Ok(None);
    };
    let span = item
        .duration
        .filter(|_| item.kind == ItemKind::TimedRole)
        .and_then(|d| chrono::Duration::from_std(d).ok());
    let reference = format!("order:{order}");
    let reason = format!("Lyceum: shop order #{order}");
    let give = Give {
        member,
        role,
        product: item_id,
        source: "points",
        length: span.map_or(Length::Lifetime, Length::Span),
        reference: Some(&reference),
        note: None,
        actor: None,
        reason: &reason,
    };
    // A shop role has no grace: it goes when its time is up.
    let policy = Policy {
        duration: None,
        grace: chrono::Duration::zero(),
        grace_role: None,
    };
    Ok(grants::give::give(tx, config, &give, &policy, now)
        .await?
        .paid_until)
}

/// `/shop buy`: checks balance, stock and the per-member limit, and commits the deduction, the
/// order and the role grant together.
pub async fn buy(
    tx: &mut SqliteConnection,
    config: &Config,
    member: UserId,
    item_id: &str,
    locale: Locale,
    now: DateTime<Utc>,
) -> Result<Purchase, Error> {
    let item = config
        .shop
        .item(item_id)
        .ok_or_else(|| PointsError::UnknownItem {
            item: item_id.to_string(),
        })?;
    let name = item.name.get(locale).to_string();
    let now_ms = crate::clock::to_millis(now);
    let recent = store::recent_order(tx, member, item_id, now_ms - REPEAT_WINDOW_MS).await?;
    if let Some(order) = recent {
        let balance = store::member(tx, member).await?.balance;
        return Ok(Purchase {
            order,
            balance,
            awaiting: item.kind == ItemKind::Manual,
            repeated: true,
            ends_at: None,
        });
    }
    may_buy(tx, member, item_id, item, &name).await?;
    let awaiting = item.kind == ItemKind::Manual;
    let status = if awaiting {
        OrderStatus::Awaiting
    } else {
        OrderStatus::Completed
    };
    let order = store::insert_order(tx, member, item_id, item.price, status, now).await?;
    let entry = Entry {
        member,
        delta: -item.price,
        lifetime_delta: 0,
        kind: crate::features::points::Kind::Shop,
        reason: Some(item_id.to_string()),
        reference: Some(format!("order:{order}")),
        actor: None,
        channel: None,
        at: now,
    };
    apply(tx, config, &[entry], now).await?;
    let ends_at = fulfil(tx, config, member, item_id, item, order, now).await?;
    let balance = store::member(tx, member).await?.balance;
    Ok(Purchase {
        order,
        balance,
        awaiting,
        repeated: false,
        ends_at,
    })
}

/// `/shop fulfil` and `/shop refund` (admin) of an order waiting for staff; a refund of a
/// completed role order also ends its grant and removes the role.
pub async fn finish_order(
    tx: &mut SqliteConnection,
    config: &Config,
    staff: UserId,
    order: i64,
    refund: bool,
    now: DateTime<Utc>,
) -> Result<(i64, String), Error> {
    let row = store::order(tx, order).await?;
    let (member, item, price, status) = row.ok_or(PointsError::UnknownOrder { order })?;
    let allowed = matches!(
        (refund, status),
        (_, OrderStatus::Awaiting) | (true, OrderStatus::Completed)
    );
    if !allowed {
        return Err(PointsError::OrderNotAwaiting { order }.into());
    }
    let member_id = UserId::new(member as u64);
    let status = if refund {
        OrderStatus::Refunded
    } else {
        OrderStatus::Fulfilled
    };
    store::finish_order(tx, order, status, staff, now).await?;
    if refund {
        let entry = Entry {
            member: member_id,
            delta: price,
            lifetime_delta: 0,
            kind: crate::features::points::Kind::Refund,
            reason: Some(item.clone()),
            reference: Some(format!("refund:{order}")),
            actor: Some(staff),
            channel: None,
            at: now,
        };
        apply(tx, config, &[entry], now).await?;
        // A refunded role order ends its grant now (the role goes unless another grant
        // still gives it), through the one way every grant ends.
        let reference = format!("order:{order}");
        grants::end::end(tx, config, grants::end::Which::Reference(&reference), now).await?;
    }
    let action = audit::Action {
        guild_id: config.discord.guild_id,
        actor: staff,
        action: if refund { "shop.refund" } else { "shop.fulfil" },
        target_kind: Some("user"),
        target_id: Some(member as u64),
        arguments: json!({ "order": order, "item": item }),
    };
    audit::record(tx, &action, now).await?;
    Ok((member, item))
}
