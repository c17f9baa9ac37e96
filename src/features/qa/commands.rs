//! `/ask`, `/answer`, `/withdraw`.

use super::actions;
use poise::serenity_prelude as serenity;

use crate::access::Level;
use crate::discord::invocation::invocation;
use crate::discord::reply::{self};
use crate::discord::{Command, Context};
use crate::error::Error;
use crate::t;

pub fn commands() -> Vec<Command> {
    vec![ask(), answer(), withdraw()]
}

/// Ask an expert a question; the price is held in escrow until they answer
#[poise::command(slash_command, guild_only, custom_data = "Level::Member")]
async fn ask(
    ctx: Context<'_>,
    expert: serenity::User,
    #[min_length = 5]
    #[max_length = 1500]
    question: String,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let config = &inv.config;
    let is_owner = config.discord.owner_ids.contains(&expert.id)
        || ctx.guild().is_some_and(|g| g.owner_id == expert.id);
    let (price, within) = super::ops::terms(config, expert.id, is_owner).ok_or_else(|| {
        super::QaError::NotAnExpert {
            who: format!("<@{}>", expert.id),
        }
    })?;
    let asked = actions::Asked {
        asker: ctx.author().id,
        expert: expert.id,
        price,
        within,
        question: question.trim(),
    };
    let q = actions::ask(ctx.data(), config, &asked).await?;
    let text = t!(
        locale,
        "qa-asked",
        id = q.id,
        expert = format!("<@{}>", expert.id),
        price = price,
        deadline = format!("<t:{0}:F> (<t:{0}:R>)", q.deadline / 1000)
    );
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Answer a question you were asked (the escrowed points are yours)
#[poise::command(slash_command, guild_only, custom_data = "Level::Member")]
async fn answer(
    ctx: Context<'_>,
    #[min = 1] question_id: i64,
    #[min_length = 1]
    #[max_length = 1800]
    text: String,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let author = ctx.author().id;
    let q = actions::answer(ctx.data(), &inv.config, question_id, author, text.trim()).await?;
    let reply_text = if inv.config.qa.payout_to_pool {
        t!(
            inv.locale(ctx),
            "qa-answer-done-pool",
            id = q.id,
            price = q.price
        )
    } else {
        t!(
            inv.locale(ctx),
            "qa-answer-done",
            id = q.id,
            price = q.price
        )
    };
    reply::ephemeral(ctx, reply_text).await?;
    Ok(())
}

/// Withdraw your unanswered question (its points come back)
#[poise::command(slash_command, guild_only, custom_data = "Level::Member")]
async fn withdraw(ctx: Context<'_>, #[min = 1] question_id: i64) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let author = ctx.author().id;
    let q = actions::withdraw(ctx.data(), &inv.config, question_id, author).await?;
    let text = t!(inv.locale(ctx), "qa-withdrawn", id = q.id, price = q.price);
    reply::ephemeral(ctx, text).await?;
    Ok(())
}
