//! What points brings to the Discord door beside its commands: chat points, helpful-answer reactions.

use poise::serenity_prelude as serenity;

use crate::access::Level;
use crate::discord::answer;
use crate::discord::chat::ChatMessage;
use crate::discord::doors::Doors;
use crate::discord::Data;
use crate::error::Error;

/// This feature's member hook: a member who rejoins gets back the level roles they earned.
pub fn doors() -> Doors {
    Doors::new().on_join("level roles", |data, config, user| {
        Box::pin(super::actions::on_join(data, config, user))
    })
}

/// A message was deleted: the points it earned (if still within the window) are taken back.
pub fn on_delete(data: &Data, message: serenity::MessageId, guild: Option<serenity::GuildId>) {
    let config = data.config.snapshot();
    if guild == Some(config.discord.guild_id) {
        super::engine(data).on_delete(message, data.clock.now(), &config);
    }
}

/// The message hot path: plain data to the points engine (decides from memory, no I/O).
pub fn on_message(data: &Data, message: &ChatMessage) {
    let config = data.config.snapshot();
    if message.guild_id != Some(config.discord.guild_id) {
        return;
    }
    let roles = message.roles();
    let incoming = super::engine::Incoming {
        id: message.id,
        channel: message.channel_id,
        author: message.author.id,
        roles,
        bot: message.author.bot || message.webhook_id.is_some(),
        text: &message.content,
        at: data.clock.now(),
    };
    super::engine(data).on_message(&config, &incoming);
}

/// A helpful-answer reaction: counts toward the author's helpful award.
pub async fn on_reaction(
    ctx: &serenity::Context,
    data: &Data,
    reaction: &serenity::Reaction,
) -> Result<(), Error> {
    let config = data.config.snapshot();
    if reaction.guild_id != Some(config.discord.guild_id) {
        return Ok(());
    }
    let serenity::ReactionType::Unicode(emoji) = &reaction.emoji else {
        return Ok(());
    };
    if *emoji != config.points.helpful_emoji {
        return Ok(());
    }
    let Some(voter) = reaction.user_id else {
        return Ok(());
    };
    let author = match super::engine(data).author_of(reaction.message_id) {
        Some((author, _)) => author,
        None => {
            ctx.http
                .get_message(reaction.channel_id, reaction.message_id)
                .await?
                .author
                .id
        }
    };
    let roles = reaction
        .member
        .as_ref()
        .map(|m| m.roles.clone())
        .unwrap_or_default();
    let level = answer::level_of(ctx, data, &config, voter, &roles).await?;
    let awarded = super::actions::helpful_vote(
        data,
        &config,
        reaction.message_id,
        reaction.channel_id,
        author,
        voter,
        level >= Level::Moderator,
    )
    .await?;
    if awarded {
        tracing::info!(message = %reaction.message_id, %author, "helpful answer awarded");
    }
    Ok(())
}
