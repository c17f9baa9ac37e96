//! Gateway events routed to whoever cares. No business rules here: features get plain data.

use poise::serenity_prelude as serenity;
use serenity::FullEvent;

use crate::access::effective_level;
use crate::access::{Level, Owners};
use crate::discord::Data;
use crate::error::Error;
use crate::features::{admin, points};

pub async fn handle(
    framework: poise::FrameworkContext<'_, Data, Error>,
    event: &FullEvent,
) -> Result<(), Error> {
    let data = framework.user_data;
    match event {
        FullEvent::Ready { data_about_bot } => {
            tracing::info!(user = %data_about_bot.user.name, guilds = data_about_bot.guilds.len(), "gateway ready");
            data.gateway.set("connected");
        }
        FullEvent::Resume { .. } => {
            tracing::info!("gateway session resumed");
            data.gateway.set("connected");
        }
        FullEvent::ShardStageUpdate { event } => {
            tracing::debug!(old = ?event.old, new = ?event.new, "shard stage");
            let stage = event.new.to_string().to_lowercase();
            data.gateway.set(stage);
        }
        FullEvent::GuildMemberAddition { new_member } => {
            member_joined(data, new_member.guild_id, new_member.user.id).await?;
        }
        FullEvent::Message { new_message } => message(data, new_message),
        FullEvent::MessageDelete {
            deleted_message_id,
            guild_id,
            ..
        } => {
            let config = data.config.snapshot();
            if *guild_id == Some(config.discord.guild_id) {
                data.points
                    .on_delete(*deleted_message_id, data.clock.now(), &config);
            }
        }
        FullEvent::ReactionAdd { add_reaction } => {
            reaction(framework.serenity_context, data, add_reaction).await?;
        }
        _ => {}
    }
    Ok(())
}

/// The message hot path: plain data to the points engine (decides from memory, no I/O).
fn message(data: &Data, message: &serenity::Message) {
    let config = data.config.snapshot();
    if message.guild_id != Some(config.discord.guild_id) {
        return;
    }
    let roles: &[serenity::RoleId] = message.member.as_ref().map_or(&[], |m| m.roles.as_slice());
    let incoming = points::engine::Incoming {
        id: message.id,
        channel: message.channel_id,
        author: message.author.id,
        roles,
        bot: message.author.bot || message.webhook_id.is_some(),
        text: &message.content,
        at: data.clock.now(),
    };
    data.points.on_message(&config, &incoming);
}

/// A helpful-answer reaction: counts toward the author's helpful award.
async fn reaction(
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
    let author = match data.points.author_of(reaction.message_id) {
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
    let owners = Owners::new(
        &config.discord.owner_ids,
        ctx.cache.guild(config.discord.guild_id).map(|g| g.owner_id),
    );
    let grants = admin::store::grants(&data.db, config.discord.guild_id).await?;
    let level = effective_level(owners.contains(voter), voter, &roles, &grants);
    let now = data.clock.now();
    let mut tx = data.db.write.begin().await?;
    let awarded = points::ops::helpful_vote(
        &mut tx,
        &config,
        reaction.message_id,
        reaction.channel_id,
        author,
        voter,
        level >= Level::Moderator,
        now,
    )
    .await?;
    data.commit(tx).await?;
    if awarded {
        tracing::info!(message = %reaction.message_id, %author, "helpful answer awarded");
    }
    Ok(())
}

/// A member joined (or rejoined): features restore what is theirs, through the outbox.
async fn member_joined(
    data: &Data,
    guild: serenity::GuildId,
    user: serenity::UserId,
) -> Result<(), Error> {
    let config = data.config.snapshot();
    if guild != config.discord.guild_id {
        return Ok(());
    }
    let now = data.clock.now();
    let mut tx = data.db.write.begin().await?;
    let staff = admin::ops::restore_on_join(&mut tx, &config, user, now).await?;
    let earned = points::ops::restore_on_join(&mut tx, &config, user, now).await?;
    data.commit(tx).await?;
    if staff + earned > 0 {
        tracing::info!(%user, staff, earned, "restored roles on join");
    }
    Ok(())
}
