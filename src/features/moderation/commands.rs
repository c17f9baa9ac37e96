//! `/rules`, `/automod test`, `/warn`, `/warnings`, `/pardon`, `/timeout`, `/untimeout`:
//! parse, check who may act on whom, call an operation, render.

use poise::serenity_prelude as serenity;

use super::error::ModerationError;
use super::warnings::{self, DurationError};
use super::{actions, ops, store};
use crate::access::store as staff_store;
use crate::access::{effective_level, Level};
use crate::clock::to_millis;
use crate::discord::hierarchy;
use crate::discord::invocation::{invocation, Invocation};
use crate::discord::reply::{self, paginate};
use crate::discord::{Command, Context};
use crate::error::Error;
use crate::t;

pub fn commands() -> Vec<Command> {
    vec![
        rules(),
        automod(),
        warn(),
        warnings(),
        pardon(),
        timeout(),
        untimeout(),
    ]
}

#[poise::command(
    slash_command,
    guild_only,
    subcommands("show", "post"),
    subcommand_required,
    custom_data = "Level::Member"
)]
async fn rules(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Show the community's rules
#[poise::command(slash_command, custom_data = "Level::Member")]
async fn show(ctx: Context<'_>) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let config = &inv.config;
    if config.rules.is_empty() {
        return Err(ModerationError::NoRules.into());
    }
    let embed = serenity::CreateEmbed::new()
        .title(t!(
            locale,
            "rules-title",
            community = config.community.name.get(locale).to_string()
        ))
        .color(0x5865F2)
        .fields(config.rules.iter().enumerate().map(|(i, r)| {
            (
                format!("{}. {}", i + 1, r.title.get(locale)),
                r.text.get(locale).to_string(),
                false,
            )
        }));
    ctx.send(poise::CreateReply::default().embed(embed).ephemeral(true))
        .await?;
    Ok(())
}

/// Post the rules in the rules channel (or update the message posted before)
#[poise::command(slash_command, custom_data = "Level::Admin")]
async fn post(ctx: Context<'_>) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let edited = actions::post_rules(ctx.data(), &inv.config, ctx.author().id).await?;
    let channel = format!("<#{}>", inv.config.channels.rules.map_or(0, |c| c.get()));
    let text = if edited {
        t!(inv.locale(ctx), "rules-updated", channel = channel)
    } else {
        t!(inv.locale(ctx), "rules-posted", channel = channel)
    };
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

#[poise::command(
    slash_command,
    guild_only,
    subcommands("test"),
    subcommand_required,
    custom_data = "Level::Moderator"
)]
async fn automod(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Which automod filters would fire on a text, and why (nothing changes)
#[poise::command(slash_command, custom_data = "Level::Moderator")]
async fn test(ctx: Context<'_>, #[max_length = 4000] text: String) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let compiled = super::engine(ctx.data()).compiled(&inv.config);
    let hits = compiled.check(&inv.config.automod, &text);
    let reply_text = if hits.is_empty() {
        t!(locale, "automod-test-clean")
    } else {
        let lines: Vec<String> = hits
            .iter()
            .map(|h| {
                let action = super::engine::policy_of(&inv.config, h.filter).action;
                t!(
                    locale,
                    "automod-test-line",
                    rule = ops::filter_name(locale, h.filter),
                    detail = h.detail.clone(),
                    action = action.as_str()
                )
            })
            .collect();
        format!(
            "{}\n{}",
            t!(locale, "automod-test-header", count = hits.len() as i64),
            lines.join("\n")
        )
    };
    reply::ephemeral(ctx, reply_text).await?;
    Ok(())
}

/// Who may act on whom: not on bots, the owner or oneself; not on staff at or above one's own
/// level; and the bot's role must be above the member's.
async fn check_target(
    ctx: Context<'_>,
    inv: &Invocation,
    target: &serenity::User,
) -> Result<(), Error> {
    if target.bot {
        return Err(ModerationError::NotABot.into());
    }
    if target.id == ctx.author().id {
        return Err(ModerationError::NotYourself.into());
    }
    let owners = inv.owners(ctx);
    if owners.contains(target.id) {
        return Err(ModerationError::NotTheOwner.into());
    }
    let guild = inv.config.discord.guild_id;
    let roles = hierarchy::roles_of(ctx.cache(), guild, target.id);
    let grants = staff_store::grants(&ctx.data().db, guild).await?;
    let target_level = effective_level(false, target.id, &roles, &grants);
    let actor = inv.level(ctx).await?;
    if target_level >= Level::Moderator && target_level >= actor {
        return Err(ModerationError::TargetOutranks.into());
    }
    if hierarchy::bot_outranks(ctx.cache(), guild, target.id, &roles) == Some(false) {
        return Err(ModerationError::AboveTheBot.into());
    }
    Ok(())
}

/// Warn a member
#[poise::command(slash_command, guild_only, custom_data = "Level::Moderator")]
async fn warn(
    ctx: Context<'_>,
    member: serenity::User,
    #[max_length = 300] reason: String,
    #[min = 1]
    #[max = 10]
    points: Option<i64>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    check_target(ctx, &inv, &member).await?;
    let points = points.unwrap_or(1).clamp(1, 10);
    let warned = actions::warn(
        ctx.data(),
        &inv.config,
        ctx.author().id,
        member.id,
        points,
        reason.trim(),
    )
    .await?;
    let locale = inv.locale(ctx);
    let mut text = t!(
        locale,
        "warned",
        member = format!("<@{}>", member.id),
        id = warned.id,
        points = points,
        total = warned.total
    );
    for rung in &warned.escalated {
        text.push('\n');
        text.push_str(&ops::escalation_label(locale, rung));
    }
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Warnings of a member (your own; moderators: anyone's)
#[poise::command(slash_command, guild_only, custom_data = "Level::Member")]
async fn warnings(
    ctx: Context<'_>,
    member: Option<serenity::User>,
    #[min = 1] page: Option<u32>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let who = member.as_ref().map_or(ctx.author().id, |m| m.id);
    if who != ctx.author().id && inv.level(ctx).await? < Level::Moderator {
        return Err(ModerationError::OthersWarnings.into());
    }
    let mut conn = ctx.data().db.read.acquire().await?;
    let rows = store::warnings_of(&mut conn, who).await?;
    let now = to_millis(ctx.data().clock.now());
    let policy = &inv.config.warnings;
    let views: Vec<_> = rows.iter().map(store::WarningRow::rule_view).collect();
    let total = warnings::active_total(policy, &views, now);
    let lines: Vec<String> = rows
        .iter()
        .map(|w| {
            let active = warnings::active_points(policy, &w.rule_view(), now);
            let status = if w.pardoned_at.is_some() {
                t!(locale, "warning-status-pardoned")
            } else if active == 0 {
                t!(locale, "warning-status-expired")
            } else {
                t!(locale, "warning-status-active", points = active)
            };
            // Automod's warnings are stored with the filter's key; the reader sees its name.
            let reason = w
                .reason
                .strip_prefix("automod: ")
                .and_then(super::automod::Filter::parse)
                .map_or_else(
                    || w.reason.clone(),
                    |f| format!("automod: {}", super::ops::filter_name(locale, f)),
                );
            format!(
                "`#{}` <t:{}:d> · {status} · {reason}",
                w.id,
                w.created_at / 1000
            )
        })
        .collect();
    let header = t!(
        locale,
        "warnings-header",
        member = format!("<@{who}>"),
        total = total,
        count = lines.len() as i64
    );
    reply::ephemeral(
        ctx,
        paginate(&header, &lines, page.unwrap_or(1) as usize, locale),
    )
    .await?;
    Ok(())
}

/// Pardon a warning (it stays on the record and stops counting)
#[poise::command(slash_command, guild_only, custom_data = "Level::Moderator")]
async fn pardon(
    ctx: Context<'_>,
    #[min = 1] warning: i64,
    #[max_length = 300] reason: String,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let author = ctx.author().id;
    let member = actions::pardon(ctx.data(), &inv.config, author, warning, reason.trim()).await?;
    let text = t!(
        inv.locale(ctx),
        "pardoned",
        id = warning,
        member = format!("<@{member}>")
    );
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Time a member out (e.g. 10m, 2h, 7d, 2w; 10分钟, 2小时, 7天, 两周)
#[poise::command(slash_command, guild_only, custom_data = "Level::Moderator")]
async fn timeout(
    ctx: Context<'_>,
    member: serenity::User,
    #[max_length = 40] duration: String,
    #[max_length = 300] reason: String,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let length = warnings::parse_duration(&duration).map_err(|e| match e {
        DurationError::Unreadable => ModerationError::BadDuration {
            input: duration.clone(),
        },
        DurationError::TooLong => ModerationError::TooLong {
            input: duration.clone(),
        },
    })?;
    check_target(ctx, &inv, &member).await?;
    let until = ctx.data().clock.now() + chrono::Duration::from_std(length).unwrap_or_default();
    actions::timeout(
        ctx.data(),
        &inv.config,
        ctx.author().id,
        member.id,
        Some(until),
        reason.trim(),
    )
    .await?;
    let text = t!(
        inv.locale(ctx),
        "timed-out",
        member = format!("<@{}>", member.id),
        until = format!("<t:{}:F>", until.timestamp())
    );
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Lift a member's timeout
#[poise::command(slash_command, guild_only, custom_data = "Level::Moderator")]
async fn untimeout(ctx: Context<'_>, member: serenity::User) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    check_target(ctx, &inv, &member).await?;
    let author = ctx.author().id;
    actions::timeout(ctx.data(), &inv.config, author, member.id, None, "lifted").await?;
    let text = t!(
        inv.locale(ctx),
        "untimed-out",
        member = format!("<@{}>", member.id)
    );
    reply::ephemeral(ctx, text).await?;
    Ok(())
}
