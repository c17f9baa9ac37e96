//! Which channels @everyone can view, from serenity's cache: what the public calendar feed
//! may list. Recomputed when the server, a channel or a role changes.

use std::collections::HashSet;

use poise::serenity_prelude as serenity;

const VIEW_CHANNEL: u64 = 0x400;
const ADMINISTRATOR: u64 = 0x8;

/// Whether @everyone, with guild-wide permissions `base`, can view a channel whose @everyone
/// overwrite is `overwrite` (allow, deny). Only @everyone's own overwrite counts: a role's
/// allow opens a channel to that role's members, not to the public.
pub fn everyone_can_view(base: u64, overwrite: Option<(u64, u64)>) -> bool {
    if base & ADMINISTRATOR != 0 {
        return true;
    }
    let perms = overwrite.map_or(base, |(allow, deny)| (base & !deny) | allow);
    perms & VIEW_CHANNEL != 0
}

/// The channels of `guild` that @everyone can view.
pub fn public_channels(guild: &serenity::Guild) -> HashSet<u64> {
    let everyone = serenity::RoleId::new(guild.id.get());
    let base = guild
        .roles
        .get(&everyone)
        .map_or(0, |r| r.permissions.bits());
    guild
        .channels
        .values()
        .filter(|c| {
            let overwrite = c
                .permission_overwrites
                .iter()
                .find(|o| o.kind == serenity::PermissionOverwriteType::Role(everyone))
                .map(|o| (o.allow.bits(), o.deny.bits()));
            everyone_can_view(base, overwrite)
        })
        .map(|c| c.id.get())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_everyone_deny_hides_an_allow_opens_and_administrator_sees_all() {
        assert!(everyone_can_view(VIEW_CHANNEL, None));
        assert!(!everyone_can_view(VIEW_CHANNEL, Some((0, VIEW_CHANNEL))));
        assert!(everyone_can_view(0, Some((VIEW_CHANNEL, 0))));
        assert!(!everyone_can_view(0, None));
        assert!(everyone_can_view(ADMINISTRATOR, Some((0, VIEW_CHANNEL))));
    }
}
