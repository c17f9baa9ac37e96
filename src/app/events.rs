//! Gateway events routed to whoever cares. No business rules here: features get plain data.

use poise::serenity_prelude as serenity;
use serenity::FullEvent;

use super::chat::ChatMessage;
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
    if let Some(shared) = data.try_part::<super::front::SharedContext>() {
        shared.set(framework.serenity_context);
    }
    match event {
        FullEvent::Ready { .. } | FullEvent::Resume { .. } | FullEvent::ShardStageUpdate { .. } => {
            gateway_status(data, event);
        }
        FullEvent::GuildCreate { .. }
        | FullEvent::ChannelCreate { .. }
        | FullEvent::ChannelUpdate { .. }
        | FullEvent::ChannelDelete { .. }
        | FullEvent::GuildRoleUpdate { .. } => {
            let config = data.config.snapshot();
            let cache = &framework.serenity_context.cache;
            if let Some(guild) = cache.guild(config.discord.guild_id) {
                let public = crate::discord::visibility::public_channels(&guild);
                data.public_channels.set(public);
            }
        }
        FullEvent::GuildUpdate { new_data, .. } => {
            apply_guild_update(&framework.serenity_context.cache, new_data);
        }
        FullEvent::EntitlementCreate { entitlement }
        | FullEvent::EntitlementUpdate { entitlement } => {
            entitlement_changed(data, entitlement, false).await?;
        }
        FullEvent::EntitlementDelete { entitlement } => {
            entitlement_changed(data, entitlement, true).await?;
        }
        FullEvent::GuildMemberAddition { new_member } => {
            member_joined(data, new_member.guild_id, new_member.user.id).await?;
        }
        FullEvent::GuildMemberRemoval { guild_id, user, .. }
            if *guild_id == data.config.snapshot().discord.guild_id =>
        {
            crate::features::community::actions::on_leave(data, user.id).await?;
            left_the_server(data, user.id).await?;
        }
        FullEvent::GuildBanAddition {
            guild_id,
            banned_user,
        } if *guild_id == data.config.snapshot().discord.guild_id => {
            left_the_server(data, banned_user.id).await?;
        }
        FullEvent::Message { new_message } => {
            on_message(framework.serenity_context, data, &new_message.into()).await?;
        }
        FullEvent::MessageUpdate {
            event,
            new: Some(new_message),
            ..
        } if event.content.is_some() => {
            moderate(framework.serenity_context, data, &new_message.into(), true).await?;
        }
        FullEvent::MessageUpdate {
            new: None, event, ..
        } if event.content.is_some() => {
            // Not cached: automod reads the edit from the event itself.
            if let Some(edited) = ChatMessage::from_update(event) {
                moderate(framework.serenity_context, data, &edited, true).await?;
            }
        }
        FullEvent::InteractionCreate {
            interaction: serenity::Interaction::Component(press),
        } => {
            super::interactions::button(framework.serenity_context, data, press).await?;
        }
        FullEvent::InteractionCreate {
            interaction: serenity::Interaction::Modal(submit),
        } => {
            super::interactions::modal(framework.serenity_context, data, submit).await?;
        }
        FullEvent::MessageDelete {
            deleted_message_id,
            guild_id,
            ..
        } => {
            let config = data.config.snapshot();
            if *guild_id == Some(config.discord.guild_id) {
                crate::features::points::engine(data).on_delete(
                    *deleted_message_id,
                    data.clock.now(),
                    &config,
                );
            }
        }
        FullEvent::ReactionAdd { add_reaction } => {
            reaction(framework.serenity_context, data, add_reaction).await?;
        }
        _ => {}
    }
    Ok(())
}

/// A new message, from serenity's events or the gateway front's fast path: automod, then (if
/// it passed) points, attendance and the content plan.
pub async fn on_message(
    ctx: &serenity::Context,
    data: &Data,
    new_message: &ChatMessage,
) -> Result<(), Error> {
    let caught = moderate(ctx, data, new_message, false).await?;
    if !caught {
        message(data, new_message);
        attendance(data, new_message).await?;
        content_post(ctx, data, new_message).await?;
        // A forum post's starter message has the thread's id.
        if new_message.id.get() == new_message.channel_id.get() {
            homework_post(ctx, data, new_message).await?;
        }
    }
    // Counted once decided (the gateway ingest bench reads it from /metrics).
    data.health.message_seen();
    Ok(())
}

/// Owners of the community: the configured ones and the server owner (from the cache).
fn owners(ctx: &serenity::Context, config: &crate::config::Config) -> Owners {
    let guild = config.discord.guild_id;
    Owners::new(
        &config.discord.owner_ids,
        ctx.cache.guild(guild).map(|g| g.owner_id),
    )
}

/// A member's staff level for gateway events, from memory: staff grants are cached (and
/// dropped whenever a grant changes), so a message costs no database read.
pub(super) async fn level_of(
    ctx: &serenity::Context,
    data: &Data,
    config: &crate::config::Config,
    user: serenity::UserId,
    roles: &[serenity::RoleId],
) -> Result<Level, Error> {
    let staff = match crate::features::moderation::engine(data).staff() {
        Some(staff) => staff,
        None => crate::features::moderation::engine(data)
            .set_staff(crate::access::store::grants(&data.db, config.discord.guild_id).await?),
    };
    Ok(effective_level(
        owners(ctx, config).contains(user),
        user,
        roles,
        &staff,
    ))
}

/// The gateway connection as serenity reports it, for `/healthz`.
fn gateway_status(data: &Data, event: &FullEvent) {
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
            data.gateway.set(event.new.to_string().to_lowercase());
        }
        _ => {}
    }
}

/// Automod on a new or edited message. Decides from memory; only a hit writes (the action,
/// its outbox items and mod-log embed, in one transaction). Returns whether it caught the
/// message (then it earns no points).
async fn moderate(
    ctx: &serenity::Context,
    data: &Data,
    message: &ChatMessage,
    edited: bool,
) -> Result<bool, Error> {
    use crate::features::moderation::{engine::Seen, ops};
    let config = data.config.snapshot();
    let guild = config.discord.guild_id;
    if message.guild_id != Some(guild) || message.author.bot || message.webhook_id.is_some() {
        return Ok(false);
    }
    let roles: Vec<serenity::RoleId> = match &message.member {
        Some(member) => member.roles.clone(),
        None => crate::discord::hierarchy::roles_of(&ctx.cache, guild, message.author.id),
    };
    let owners = owners(ctx, &config);
    if config.automod.staff_exempt
        && level_of(ctx, data, &config, message.author.id, &roles).await? >= Level::Moderator
    {
        return Ok(false);
    }
    let now = data.clock.now();
    let seen = Seen {
        author: message.author.id,
        channel: message.channel_id,
        roles: &roles,
        text: &message.content,
        at: now,
        edited,
    };
    let hits = crate::features::moderation::engine(data).check(&config, &seen);
    let Some(hit) = hits.first() else {
        return Ok(false);
    };
    let protected = if owners.contains(message.author.id) {
        Some(ops::Protected::Owner)
    } else if crate::discord::hierarchy::bot_outranks(&ctx.cache, guild, message.author.id, &roles)
        == Some(false)
    {
        Some(ops::Protected::AboveBot)
    } else {
        None
    };
    let dm = crate::features::moderation::engine(data).first_of_incident(
        message.author.id,
        hit.filter,
        now,
    );
    let incident = ops::Incident {
        member: message.author.id,
        channel: message.channel_id,
        message: message.id,
        text: &message.content,
        hit,
        protected,
        dm,
        // A message does not carry its author's Discord language: the DM uses the
        // community's.
        locale: None,
    };
    crate::features::moderation::actions::act(data, &config, &incident).await?;
    if edited {
        // An edit that breaks a rule takes back the points the message earned.
        crate::features::points::engine(data).on_delete(message.id, now, &config);
    }
    tracing::info!(filter = hit.filter.as_str(), member = %message.author.id, "automod caught a message");
    Ok(protected.is_none())
}

/// A member's forum post: the thread's forum and tags from the cache (or Discord, when the
/// thread event has not reached the cache yet), then homework decides whether it is a hand-in.
async fn homework_post(
    ctx: &serenity::Context,
    data: &Data,
    message: &ChatMessage,
) -> Result<(), Error> {
    let config = data.config.snapshot();
    if message.guild_id != Some(config.discord.guild_id) || message.author.bot {
        return Ok(());
    }
    let cached = ctx.cache.guild(config.discord.guild_id).and_then(|g| {
        g.threads
            .iter()
            .find(|t| t.id == message.channel_id)
            .map(|t| (t.parent_id, t.applied_tags.clone(), t.name.clone()))
    });
    let (parent, tags, name) = match cached {
        Some(found) => found,
        None => match message.channel_id.to_channel(&ctx.http).await {
            Ok(serenity::Channel::Guild(t)) => {
                (t.parent_id, t.applied_tags.clone(), t.name.clone())
            }
            _ => return Ok(()),
        },
    };
    let Some(forum) = parent else {
        return Ok(());
    };
    let tags: Vec<u64> = tags.iter().map(|t| t.get()).collect();
    let post = crate::features::homework::ops::ForumPost {
        forum,
        thread: message.channel_id,
        tags: &tags,
        author: message.author.id,
        name: &name,
        content: &message.content,
    };
    crate::features::homework::actions::submit_post(data, &config, &post).await?;
    Ok(())
}

/// A staff post in a content-plan channel (with the plan's tag, if it has one) counts as
/// published. Only messages in plan channels reach the database.
async fn content_post(
    ctx: &serenity::Context,
    data: &Data,
    message: &ChatMessage,
) -> Result<(), Error> {
    let config = data.config.snapshot();
    let guild = config.discord.guild_id;
    let item = config.plan.items.iter().find(|i| {
        i.channel == Some(message.channel_id)
            && i.tag
                .as_deref()
                .is_none_or(|tag| message.content.contains(tag))
    });
    let Some(item) = item else {
        return Ok(());
    };
    if message.guild_id != Some(guild) || message.author.bot {
        return Ok(());
    }
    let roles = message.roles().to_vec();
    if level_of(ctx, data, &config, message.author.id, &roles).await? < Level::Moderator {
        return Ok(());
    }
    crate::features::schedule::actions::record_content(
        data,
        &item.kind,
        message.author.id,
        message.channel_id,
        message.id,
    )
    .await?;
    Ok(())
}

/// A member's first post in an event's channel while the event is on counts as attending it
/// (attendance points, once). Memory decides; only that first post writes.
async fn attendance(data: &Data, message: &ChatMessage) -> Result<(), Error> {
    if message.author.bot || message.webhook_id.is_some() {
        return Ok(());
    }
    let now = data.clock.now();
    let windows = crate::features::schedule::engine(data).first_posts(
        message.channel_id.get(),
        message.author.id.get(),
        now,
    );
    if windows.is_empty() {
        return Ok(());
    }
    let config = data.config.snapshot();
    if message.guild_id != Some(config.discord.guild_id) || config.points.attendance_points == 0 {
        return Ok(());
    }
    let member = message.author.id;
    crate::features::schedule::actions::attend(data, &config, &windows, member).await?;
    Ok(())
}

/// The message hot path: plain data to the points engine (decides from memory, no I/O).
fn message(data: &Data, message: &ChatMessage) {
    let config = data.config.snapshot();
    if message.guild_id != Some(config.discord.guild_id) {
        return;
    }
    let roles = message.roles();
    let incoming = points::engine::Incoming {
        id: message.id,
        channel: message.channel_id,
        author: message.author.id,
        roles,
        bot: message.author.bot || message.webhook_id.is_some(),
        text: &message.content,
        at: data.clock.now(),
    };
    crate::features::points::engine(data).on_message(&config, &incoming);
    if !incoming.bot {
        let shown = message.shown_name();
        crate::features::stats::activity(data).on_message(
            message.author.id.get(),
            message.channel_id.get(),
            incoming.at,
            config.community.timezone,
            shown,
            || message.author.avatar.map(|a| a.to_string()),
        );
    }
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
    let author = match crate::features::points::engine(data).author_of(reaction.message_id) {
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
    let level = level_of(ctx, data, &config, voter, &roles).await?;
    let awarded = points::actions::helpful_vote(
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

/// A member joined (or rejoined): features restore what is theirs, through the outbox.
/// Discord's store: a purchase, a renewal date, an end. DELETE means refunded or removed.
async fn entitlement_changed(
    data: &Data,
    entitlement: &serenity::Entitlement,
    deleted: bool,
) -> Result<(), Error> {
    let config = data.config.snapshot();
    if entitlement
        .guild_id
        .is_some_and(|g| g != config.discord.guild_id)
    {
        return Ok(());
    }
    let mut entitlement = entitlement.clone();
    entitlement.deleted |= deleted;
    crate::features::membership::entitlements::receive(data, &config, &entitlement).await?;
    Ok(())
}

/// serenity 0.12.5 hands GUILD_UPDATE to handlers without applying it to its cache (its
/// `client/dispatch.rs` has no cache update for it), so an ownership transfer never reached
/// anything that reads the server's owner from the cache — the bot's levels and the web's
/// alike. Applied here, through the cache's own update for that event.
fn apply_guild_update(cache: &serenity::Cache, guild: &serenity::PartialGuild) {
    use serenity::CacheUpdate as _;
    let event =
        serde_json::to_value(guild).and_then(serde_json::from_value::<serenity::GuildUpdateEvent>);
    match event {
        Ok(mut event) => {
            event.update(cache);
        }
        Err(e) => tracing::warn!(error = %e, "could not apply GUILD_UPDATE to the cache"),
    }
}

/// Gone from the server (left, kicked or banned): no web session keeps them inside.
async fn left_the_server(data: &Data, user: serenity::UserId) -> Result<(), Error> {
    let ended = crate::web::store::end_sessions_of(&data.db, user.get()).await?;
    if ended > 0 {
        tracing::info!(%user, ended, "web sessions ended: no longer in the server");
    }
    Ok(())
}

async fn member_joined(
    data: &Data,
    guild: serenity::GuildId,
    user: serenity::UserId,
) -> Result<(), Error> {
    let config = data.config.snapshot();
    if guild != config.discord.guild_id {
        return Ok(());
    }
    // Each feature restores its own, in its own write.
    crate::features::moderation::actions::on_join(data, &config).await?;
    crate::features::community::actions::on_join(data, &config, user).await?;
    let staff = admin::ops::on_join(data, &config, user).await?;
    let earned = points::actions::on_join(data, &config, user).await?;
    let granted = crate::grants::give::restore_on_join(data, &config, user).await?;
    if staff + earned + granted > 0 {
        tracing::info!(%user, staff, earned, granted, "restored roles on join");
    }
    Ok(())
}
