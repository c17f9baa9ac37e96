//! The message menu **Add to highlights** (加入精华) and `/highlights [topic] [search]`.

use poise::serenity_prelude as serenity;

use super::{actions, ops, render, rules, store};
use crate::access::Level;
use crate::discord::invocation::invocation;
use crate::discord::reply::{self, paginate};
use crate::discord::{Command, Context};
use crate::error::Error;
use crate::t;

pub fn commands() -> Vec<Command> {
    vec![highlight_message(), highlights()]
}

/// Add this message to the curated 精华 index, under a topic
#[poise::command(
    context_menu_command = "Add to highlights",
    guild_only,
    custom_data = "Level::Moderator"
)]
async fn highlight_message(ctx: Context<'_>, message: serenity::Message) -> Result<(), Error> {
    let poise::Context::Application(app) = ctx else {
        return Ok(());
    };
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let config = &inv.config;
    let picked = ops::Picked {
        message: message.id.get() as i64,
        channel: message.channel_id.get() as i64,
        author: message.author.id.get() as i64,
        content: &message.content,
    };
    let (topic, title) = actions::pick(ctx.data(), config, &picked, ctx.author().id).await?;
    let modal = render::modal(
        picked.message,
        &config.highlights.topics,
        topic.as_deref(),
        &title,
        locale,
    );
    ctx.serenity_context()
        .http
        .create_interaction_response(
            app.interaction.id,
            &app.interaction.token,
            &modal,
            Vec::new(),
        )
        .await?;
    Ok(())
}

/// The curated highlights (精华): by topic, or search in Chinese or English
#[poise::command(slash_command, guild_only, custom_data = "Level::Member")]
async fn highlights(
    ctx: Context<'_>,
    #[max_length = 40] topic: Option<String>,
    #[max_length = 100] search: Option<String>,
    #[min = 1] page: Option<u32>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let config = &inv.config;
    let topic = match topic.as_deref() {
        None => None,
        Some(input) => Some(
            rules::topic_of(&config.highlights.topics, input).ok_or_else(|| {
                super::HighlightError::UnknownTopic {
                    input: input.trim().to_string(),
                    known: config
                        .highlights
                        .topics
                        .iter()
                        .map(|t| t.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                }
            })?,
        ),
    };
    let rows = {
        let mut conn = ctx.data().db.read.acquire().await?;
        store::published(&mut conn).await?
    };
    let guild = config.discord.guild_id.get();
    let lines: Vec<String> = rows
        .iter()
        .filter(|r| topic.is_none_or(|t| r.topic.as_deref() == Some(t.id.as_str())))
        .filter(|r| {
            search
                .as_deref()
                .is_none_or(|q| rules::matches(&format!("{}\n{}", r.title, r.excerpt), q))
        })
        .map(|r| {
            let name = r
                .topic
                .as_deref()
                .and_then(|t| config.highlights.topic(t))
                .map_or("-", |t| t.name.get(locale));
            format!(
                "• [{}]({}) — {name} · <@{}>",
                r.title.replace(['[', ']'], ""),
                render::link(guild, r),
                r.author_id
            )
        })
        .collect();
    let header = t!(locale, "highlights-header", count = lines.len() as i64);
    let text = if lines.is_empty() {
        t!(locale, "highlights-none")
    } else {
        paginate(&header, &lines, page.unwrap_or(1) as usize, locale)
    };
    reply::ephemeral(ctx, text).await?;
    Ok(())
}
