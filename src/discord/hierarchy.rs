//! Discord's role hierarchy, from serenity's cache: the bot can only act on members whose top
//! role is below its own, and never on the server owner.

use poise::serenity_prelude as serenity;

/// The highest position among `roles` (0 for none: @everyone).
fn top_position(guild: &serenity::Guild, roles: &[serenity::RoleId]) -> u16 {
    roles
        .iter()
        .filter_map(|r| guild.roles.get(r))
        .map(|r| r.position)
        .max()
        .unwrap_or(0)
}

/// Whether the bot may act on `user` with `roles` (false for the owner or a member whose top
/// role is at or above the bot's). `None` when the guild is not cached.
pub fn bot_outranks(
    cache: &serenity::Cache,
    guild_id: serenity::GuildId,
    user: serenity::UserId,
    roles: &[serenity::RoleId],
) -> Option<bool> {
    let guild = cache.guild(guild_id)?;
    if guild.owner_id == user {
        return Some(false);
    }
    let bot = cache.current_user().id;
    let bot_roles = guild
        .members
        .get(&bot)
        .map(|m| m.roles.clone())
        .unwrap_or_default();
    Some(top_position(&guild, &bot_roles) > top_position(&guild, roles))
}

/// A member's roles as the cache knows them.
pub fn roles_of(
    cache: &serenity::Cache,
    guild_id: serenity::GuildId,
    user: serenity::UserId,
) -> Vec<serenity::RoleId> {
    cache
        .guild(guild_id)
        .and_then(|g| g.members.get(&user).map(|m| m.roles.clone()))
        .unwrap_or_default()
}

/// The permissions the bot lacks to post in `channel` (View Channel, Send Messages, Embed
/// Links), by name; empty when it can post. `None` when the cache does not know the channel.
pub fn missing_to_post(
    cache: &serenity::Cache,
    guild_id: serenity::GuildId,
    channel: serenity::ChannelId,
) -> Option<Vec<&'static str>> {
    let guild = cache.guild(guild_id)?;
    let channel = guild.channels.get(&channel)?;
    let bot = guild.members.get(&cache.current_user().id)?;
    let have = guild.user_permissions_in(channel, bot);
    let needed = [
        (serenity::Permissions::VIEW_CHANNEL, "View Channel"),
        (serenity::Permissions::SEND_MESSAGES, "Send Messages"),
    ];
    Some(
        needed
            .iter()
            .filter(|(p, _)| !have.contains(*p))
            .map(|(_, name)| *name)
            .collect(),
    )
}
