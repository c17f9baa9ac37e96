//! `/checkin`, `/points …`, `/leaderboard` and `/shop …`: parse, call an operation or a read,
//! render. What a member is shown is always current: `/points show` adds the points still
//! queued for the batch writer to the committed row; other reads wait for the writer first.

use chrono::{Datelike, TimeZone, Utc};
use poise::serenity_prelude as serenity;

use super::error::PointsError;
use super::{actions, ops, rules, store};
use crate::access::Level;
use crate::clock::to_millis;
use crate::config::ItemKind;
use crate::discord::invocation::invocation;
use crate::discord::reply::{self, paginate};
use crate::discord::{Command, Context};
use crate::error::Error;
use crate::t;

pub fn commands() -> Vec<Command> {
    vec![checkin(), points(), leaderboard(), shop()]
}

/// Daily check-in: points once per local calendar day, with streak bonuses
#[poise::command(slash_command, guild_only, custom_data = "Level::Member")]
async fn checkin(ctx: Context<'_>) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let done = actions::check_in(ctx.data(), &inv.config, ctx.author().id, locale).await?;
    let c = done.check_in;
    let mut text = t!(
        locale,
        "points-checked-in",
        points = c.points,
        streak = i64::from(c.streak.days),
        balance = done.balance
    );
    if c.bonus > 0 {
        text.push('\n');
        text.push_str(&t!(
            locale,
            "points-streak-bonus",
            bonus = c.bonus,
            streak = i64::from(c.streak.days)
        ));
    }
    if c.freezes_used > 0 {
        text.push('\n');
        text.push_str(&t!(
            locale,
            "points-freeze-used",
            count = i64::from(c.freezes_used)
        ));
    }
    if c.freeze_earned {
        text.push('\n');
        text.push_str(&t!(
            locale,
            "points-freeze-earned",
            freezes = i64::from(c.streak.freezes)
        ));
    }
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

#[poise::command(
    slash_command,
    guild_only,
    subcommands("show", "history", "give", "take"),
    subcommand_required,
    custom_data = "Level::Member"
)]
async fn points(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Balance, lifetime points, level, rank and streak
#[poise::command(slash_command, custom_data = "Level::Member")]
async fn show(ctx: Context<'_>, member: Option<serenity::User>) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let data = ctx.data();
    let who = member.as_ref().map_or(ctx.author().id, |m| m.id);
    // Committed points plus those still queued: current without waiting for the writer.
    let row = super::engine(data).current(&data.db, who).await?;
    let (level, into, need) = rules::level_of(row.lifetime);
    let rank = super::engine(data)
        .ranks
        .rank(&data.db, row.lifetime)
        .await?;
    let today = super::engine(data).chat_today(who, &inv.config, data.clock.now());
    let text = t!(
        locale,
        "points-show",
        member = format!("<@{who}>"),
        balance = row.balance,
        lifetime = row.lifetime,
        level = i64::from(level),
        into = into,
        need = need,
        rank = rank,
        streak = row.streak,
        today = today,
        cap = inv.config.points.daily_cap
    );
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// The latest changes to a member's points
#[poise::command(slash_command, custom_data = "Level::Member")]
async fn history(
    ctx: Context<'_>,
    member: Option<serenity::User>,
    #[min = 1] page: Option<u32>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let data = ctx.data();
    super::engine(data).flush().await;
    let who = member.as_ref().map_or(ctx.author().id, |m| m.id);
    let rows = store::history(&data.db, who, 200).await?;
    let chat_all = store::chat_lifetime(&data.db, who).await?;
    let chat = (chat_all > 0).then(|| t!(locale, "points-history-chat", all = chat_all));
    let lines: Vec<String> = chat
        .into_iter()
        .chain(rows.iter().map(|r| {
            format!(
                "`{:+}` {} <t:{}:R>",
                r.delta,
                super::kind::describe(r, &inv.config, locale),
                r.created_at / 1000
            )
        }))
        .collect();
    let header = t!(
        locale,
        "points-history-header",
        member = format!("<@{who}>"),
        // What it lists: the chat summary line counts too.
        count = lines.len() as i64
    );
    reply::ephemeral(
        ctx,
        paginate(&header, &lines, page.unwrap_or(1) as usize, locale),
    )
    .await?;
    Ok(())
}

/// Give points to a member (with a reason)
#[poise::command(slash_command, custom_data = "Level::Moderator")]
async fn give(
    ctx: Context<'_>,
    member: serenity::User,
    #[min = 1]
    #[max = 100000]
    amount: i64,
    #[max_length = 200] reason: String,
) -> Result<(), Error> {
    adjust(ctx, member, amount, reason, true).await
}

/// Take points from a member (a correction, with a reason)
#[poise::command(slash_command, custom_data = "Level::Moderator")]
async fn take(
    ctx: Context<'_>,
    member: serenity::User,
    #[min = 1]
    #[max = 100000]
    amount: i64,
    #[max_length = 200] reason: String,
) -> Result<(), Error> {
    adjust(ctx, member, amount, reason, false).await
}

async fn adjust(
    ctx: Context<'_>,
    member: serenity::User,
    amount: i64,
    reason: String,
    give: bool,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let staff = ops::Staff {
        id: ctx.author().id,
        is_owner: inv.level(ctx).await? == Level::Owner,
    };
    let change = ops::Adjustment {
        member: member.id,
        member_is_bot: member.bot,
        amount,
        give,
        reason: reason.trim(),
    };
    let adjusted = actions::adjust(ctx.data(), &inv.config, &staff, &change).await?;
    let ops::Adjusted::Balance(balance) = adjusted else {
        return Err(PointsError::SelfAward.into());
    };
    let (m, r) = (format!("<@{}>", member.id), reason.trim().to_string());
    let text = if give {
        t!(
            locale,
            "points-given",
            member = m,
            amount = amount,
            balance = balance,
            reason = r
        )
    } else {
        t!(
            locale,
            "points-taken",
            member = m,
            amount = amount,
            balance = balance,
            reason = r
        )
    };
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
enum Period {
    #[name = "all"]
    All,
    #[name = "month"]
    Month,
    #[name = "week"]
    Week,
}

/// Who earned the most points
#[poise::command(slash_command, guild_only, custom_data = "Level::Member")]
async fn leaderboard(
    ctx: Context<'_>,
    period: Option<Period>,
    #[min = 1] page: Option<u32>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let data = ctx.data();
    super::engine(data).flush().await;
    let tz = inv.config.community.timezone;
    let local = data.clock.now().with_timezone(&tz);
    let today = local.date_naive();
    let start = match period.unwrap_or(Period::All) {
        Period::All => None,
        Period::Month => today.with_day(1),
        Period::Week => {
            Some(today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday())))
        }
    };
    let since = start
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|t| tz.from_local_datetime(&t).earliest())
        .map(|t| to_millis(t.with_timezone(&Utc)));
    let rows = store::leaderboard(&data.db, since, 100).await?;
    let lines: Vec<String> = rows
        .iter()
        .enumerate()
        .map(|(i, (member, points))| format!("**{}.** <@{member}> — {points}", i + 1))
        .collect();
    let header = match period.unwrap_or(Period::All) {
        Period::All => t!(locale, "leaderboard-all"),
        Period::Month => t!(locale, "leaderboard-month"),
        Period::Week => t!(locale, "leaderboard-week"),
    };
    let text = if lines.is_empty() {
        format!("{header}\n{}", t!(locale, "leaderboard-empty"))
    } else {
        paginate(&header, &lines, page.unwrap_or(1) as usize, locale)
    };
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

#[poise::command(
    slash_command,
    guild_only,
    subcommands("list", "buy", "orders", "fulfil", "refund"),
    subcommand_required,
    custom_data = "Level::Member"
)]
async fn shop(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// What points can buy
#[poise::command(slash_command, custom_data = "Level::Member")]
async fn list(ctx: Context<'_>) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let lines: Vec<String> = inv
        .config
        .shop
        .items
        .iter()
        .map(|item| {
            let what = match item.kind {
                ItemKind::Role => t!(
                    locale,
                    "shop-kind-role",
                    role = format!("<@&{}>", item.role.map_or(0, |r| r.get()))
                ),
                ItemKind::TimedRole => t!(
                    locale,
                    "shop-kind-timed-role",
                    role = format!("<@&{}>", item.role.map_or(0, |r| r.get())),
                    days = item.duration.map_or(0, |d| (d.as_secs() / 86_400) as i64)
                ),
                ItemKind::Manual => t!(locale, "shop-kind-manual"),
            };
            format!(
                "• `{}` **{}** — {} · {what}",
                item.id,
                item.name.get(locale),
                item.price
            )
        })
        .collect();
    let text = if lines.is_empty() {
        t!(locale, "shop-empty")
    } else {
        format!("{}\n{}", t!(locale, "shop-header"), lines.join("\n"))
    };
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Buy an item with points
#[poise::command(slash_command, custom_data = "Level::Member")]
async fn buy(ctx: Context<'_>, #[max_length = 64] item: String) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let author = ctx.author().id;
    let bought = actions::buy(ctx.data(), &inv.config, author, item.trim(), locale).await?;
    let name = inv
        .config
        .shop
        .item(item.trim())
        .map(|i| i.name.get(locale).to_string())
        .unwrap_or_default();
    let mut text = t!(
        locale,
        "shop-bought",
        item = name,
        order = bought.order,
        balance = bought.balance
    );
    if let Some(ends) = bought.ends_at {
        text.push('\n');
        text.push_str(&t!(
            locale,
            "shop-bought-until",
            until = format!("<t:{}:F>", ends.timestamp())
        ));
    }
    if bought.awaiting {
        text.push('\n');
        text.push_str(&t!(locale, "shop-bought-awaiting"));
    }
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Shop orders (your own; admins: anyone's)
#[poise::command(slash_command, custom_data = "Level::Member")]
async fn orders(ctx: Context<'_>, member: Option<serenity::User>) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let who = member.as_ref().map_or(ctx.author().id, |m| m.id);
    if who != ctx.author().id && inv.level(ctx).await? < Level::Admin {
        return Err(PointsError::OthersOrders.into());
    }
    let rows = store::orders_of(&ctx.data().db, who, 50).await?;
    let lines: Vec<String> = rows
        .iter()
        .map(|(id, item, price, status, at)| {
            let item = inv
                .config
                .shop
                .item(item)
                .map_or(item.as_str(), |i| i.name.get(locale));
            format!(
                "`#{id}` {item} — {price} · {} · <t:{}:d>",
                status.label(locale),
                at / 1000
            )
        })
        .collect();
    let header = t!(
        locale,
        "shop-orders-header",
        member = format!("<@{who}>"),
        count = lines.len() as i64
    );
    reply::ephemeral(ctx, paginate(&header, &lines, 1, locale)).await?;
    Ok(())
}

/// Mark a gift order as handed over
#[poise::command(slash_command, custom_data = "Level::Admin")]
async fn fulfil(ctx: Context<'_>, #[min = 1] order: i64) -> Result<(), Error> {
    finish(ctx, order, false).await
}

/// Refund an order (its points go back; a role bought is removed)
#[poise::command(slash_command, custom_data = "Level::Admin")]
async fn refund(ctx: Context<'_>, #[min = 1] order: i64) -> Result<(), Error> {
    finish(ctx, order, true).await
}

async fn finish(ctx: Context<'_>, order: i64, refund: bool) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let author = ctx.author().id;
    let (member, _) = actions::finish_order(ctx.data(), &inv.config, author, order, refund).await?;
    let m = format!("<@{member}>");
    let text = if refund {
        t!(locale, "shop-refunded", order = order, member = m)
    } else {
        t!(locale, "shop-fulfilled", order = order, member = m)
    };
    reply::ephemeral(ctx, text).await?;
    Ok(())
}
