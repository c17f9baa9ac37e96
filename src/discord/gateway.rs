//! What the kit keeps from the gateway for everyone: the connection's state (for `/healthz`),
//! which channels are public, and the server in serenity's cache kept current.

use poise::serenity_prelude as serenity;
use serenity::FullEvent;

use super::Data;

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
