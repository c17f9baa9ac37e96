//! `/challenge create|join|excuse|stats`.

use poise::serenity_prelude as serenity;

use super::error::ChallengeError;
use super::{actions, ops, render, rules};
use crate::access::Level;
use crate::discord::invocation::invocation;
use crate::discord::reply;
use crate::discord::{Command, Context};
use crate::error::Error;
use crate::t;

pub fn commands() -> Vec<Command> {
    vec![challenge()]
}

#[poise::command(
    slash_command,
    guild_only,
    subcommands(
        "challenge_create",
        "challenge_join",
        "challenge_excuse",
        "challenge_stats"
    ),
    subcommand_required,
    custom_data = "Level::Member"
)]
async fn challenge(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Start a 打卡 challenge: a daily prompt at a local time for a number of days
#[poise::command(slash_command, rename = "create", custom_data = "Level::Moderator")]
#[allow(clippy::too_many_arguments)]
async fn challenge_create(
    ctx: Context<'_>,
    #[min_length = 1]
    #[max_length = 100]
    title: String,
    #[min = 1]
    #[max = 100]
    days: u32,
    #[max_length = 20] start: String,
    #[max_length = 5] prompt_time: String,
    #[max_length = 1500] prompts: Option<String>,
    #[max_length = 5] deadline: Option<String>,
    #[min = 0]
    #[max = 30]
    excused_days: Option<u32>,
    #[channel_types("Text", "News", "Forum")] channel: Option<serenity::ChannelId>,
    completion_role: Option<serenity::RoleId>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let config = &inv.config;
    let today = actions::today(ctx.data(), config);
    let start_date = rules::parse_date(&start, today).ok_or_else(|| ChallengeError::BadDate {
        input: start.clone(),
    })?;
    let prompt = rules::parse_time(&prompt_time).ok_or_else(|| ChallengeError::BadTime {
        input: prompt_time.clone(),
    })?;
    let deadline = match deadline.as_deref() {
        None => None,
        Some(d) => {
            Some(rules::parse_time(d).ok_or_else(|| ChallengeError::BadTime { input: d.into() })?)
        }
    };
    let channel = channel.unwrap_or(ctx.channel_id());
    let forum = ctx
        .cache()
        .guild(config.discord.guild_id)
        .and_then(|g| g.channels.get(&channel).map(|c| c.kind))
        == Some(serenity::ChannelType::Forum);
    let create = ops::Create {
        title: title.trim(),
        days,
        start: start_date,
        prompt_time: prompt,
        deadline,
        prompts: prompts
            .as_deref()
            .map(rules::parse_prompts)
            .unwrap_or_default(),
        excused_days: excused_days.unwrap_or(0),
        channel,
        forum,
        completion_role,
        by: ctx.author().id,
    };
    let id = actions::create(ctx.data(), config, &create).await?;
    let text = t!(
        locale,
        "challenge-created",
        id = id,
        title = title.trim().to_string(),
        days = days as i64,
        start = start_date.to_string(),
        time = prompt.format("%H:%M").to_string(),
        zone = config.community.timezone.name().to_string(),
        channel = format!("<#{}>", channel.get())
    );
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Join a challenge (the one running if you name none)
#[poise::command(slash_command, rename = "join", custom_data = "Level::Member")]
async fn challenge_join(ctx: Context<'_>, #[min = 1] challenge: Option<i64>) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let (id, title, new) = actions::join(ctx.data(), challenge, ctx.author().id).await?;
    let key = if new {
        "challenge-joined"
    } else {
        "challenge-joined-before"
    };
    reply::ephemeral(ctx, t!(locale, key, id = id, title = title)).await?;
    Ok(())
}

/// Take a day off (请假): spends one of the challenge's excuses and keeps your streak
#[poise::command(slash_command, rename = "excuse", custom_data = "Level::Member")]
async fn challenge_excuse(
    ctx: Context<'_>,
    #[min = 1] challenge: Option<i64>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let excused = actions::excuse(ctx.data(), &inv.config, challenge, ctx.author().id).await?;
    let text = t!(
        locale,
        "challenge-excused",
        day = excused.day,
        left = excused.left,
        streak = excused.streak as i64
    );
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Completion per day, finish rate and the streak leaderboard, with a chart
#[poise::command(slash_command, rename = "stats", custom_data = "Level::Member")]
async fn challenge_stats(ctx: Context<'_>, #[min = 1] challenge: Option<i64>) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let now = ctx.data().clock.now();
    let (row, stats) = {
        let mut conn = ctx.data().db.read.acquire().await?;
        let row = match challenge {
            Some(id) => ops::find(&mut conn, Some(id)).await?,
            None => match ops::find(&mut conn, None).await {
                Ok(row) => row,
                Err(e) => super::store::latest(&mut conn).await?.ok_or(e)?,
            },
        };
        let stats = ops::stats(&mut conn, &row, now).await?;
        (row, stats)
    };
    let text = render::stats(&row, &stats, locale);
    let series: Vec<(i64, f64)> = stats
        .days
        .iter()
        .filter(|d| !d.3)
        .map(|(day, checkins, _, _)| {
            let share = if stats.participants == 0 {
                0.0
            } else {
                *checkins as f64 / stats.participants as f64
            };
            (*day, share)
        })
        .collect();
    let png = crate::features::stats::charts::completion(&series, locale)?;
    let reply = poise::CreateReply::default()
        .content(reply::fit(text))
        .attachment(serenity::CreateAttachment::bytes(png, "challenge.png"))
        .ephemeral(true);
    ctx.send(reply).await?;
    Ok(())
}
