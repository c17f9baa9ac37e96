//! What the kit keeps from the gateway for everyone: the connection's state (for `/healthz`),
//! which channels are public, the server in serenity's cache kept current, and the member
//! directory fed (`crate::members`).

use poise::serenity_prelude as serenity;
use serenity::FullEvent;

use super::Data;
use crate::members::{
    self,
    SeenAs::{Listed, Present},
};

/// Notes what `event` says about the connection and the server.
pub fn observe(ctx: &serenity::Context, data: &Data, event: &FullEvent) {
    match event {
        FullEvent::Ready { .. } | FullEvent::Resume { .. } | FullEvent::ShardStageUpdate { .. } => {
            gateway_status(data, event);
        }
        FullEvent::GuildCreate { .. }
        | FullEvent::ChannelCreate { .. }
        | FullEvent::ChannelUpdate { .. }
        | FullEvent::ChannelDelete { .. }
        | FullEvent::GuildRoleUpdate { .. } => public_channels(ctx, data),
        FullEvent::GuildUpdate { new_data, .. } => apply_guild_update(&ctx.cache, new_data),
        _ => {}
    }
    member_directory(data, event);
}

/// What the gateway says about members, for the member directory: the server's list at
/// connect and in chunks, joins, updates and leaves, and the member on every interaction.
fn member_directory(data: &Data, event: &FullEvent) {
    let guild = data.config.snapshot().discord.guild_id;
    let seen: Vec<members::Seen> = match event {
        FullEvent::GuildCreate { guild: g, .. } if g.id == guild => {
            return members::note(data, g.members.values().map(seen).collect(), Listed);
        }
        FullEvent::GuildMembersChunk { chunk } if chunk.guild_id == guild => {
            return members::note(data, chunk.members.values().map(seen).collect(), Listed);
        }
        FullEvent::GuildMemberAddition { new_member } if new_member.guild_id == guild => {
            vec![seen(new_member)]
        }
        FullEvent::GuildMemberUpdate { event, .. } if event.guild_id == guild => {
            vec![members::Seen {
                member: event.user.id.get(),
                name: event
                    .nick
                    .clone()
                    .unwrap_or_else(|| event.user.display_name().to_string()),
                avatar: event
                    .avatar
                    .or(event.user.avatar)
                    .map(|hash| hash.to_string()),
            }]
        }
        FullEvent::GuildMemberRemoval { guild_id, user, .. } if *guild_id == guild => {
            let gone = members::Seen {
                member: user.id.get(),
                name: user.display_name().to_string(),
                avatar: user.avatar.map(|hash| hash.to_string()),
            };
            let app = data.clone();
            tokio::spawn(async move {
                let at = crate::clock::to_millis(app.clock.now());
                if let Err(e) = members::left(&app.db, &gone, at).await {
                    tracing::warn!(member = gone.member, error = %e, "could not mark a member as gone");
                }
            });
            return;
        }
        FullEvent::InteractionCreate { interaction } => {
            let member = match interaction {
                serenity::Interaction::Command(c) | serenity::Interaction::Autocomplete(c) => {
                    c.member.as_deref()
                }
                serenity::Interaction::Component(c) => c.member.as_ref(),
                serenity::Interaction::Modal(m) => m.member.as_ref(),
                _ => None,
            };
            member
                .filter(|m| m.guild_id == guild)
                .map(seen)
                .into_iter()
                .collect()
        }
        _ => return,
    };
    members::note(data, seen, Present);
}

/// A member as the directory keeps them: the name the server shows, and the avatar.
fn seen(member: &serenity::Member) -> members::Seen {
    members::Seen {
        member: member.user.id.get(),
        name: member.display_name().to_string(),
        avatar: member
            .avatar
            .or(member.user.avatar)
            .map(|hash| hash.to_string()),
    }
}

/// The channels everyone can see (the public calendar and pages list only their events).
fn public_channels(ctx: &serenity::Context, data: &Data) {
    let config = data.config.snapshot();
    if let Some(guild) = ctx.cache.guild(config.discord.guild_id) {
        data.public_channels
            .set(super::visibility::public_channels(&guild));
    }
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
