//! Gated channels, pure: does each product's channel hide from @everyone and open to the
//! product role, can the bot manage the role, and which overwrites would fix what is wrong.

use serenity::all::{ChannelId, GuildId, RoleId, UserId};

use crate::i18n::Locale;
use crate::outbox::Effect;
use crate::t;

pub const VIEW_CHANNEL: u64 = 0x400;

/// A role's overwrite on a channel: (role id, allow, deny).
pub type RoleOverwrite = (u64, u64, u64);

/// One gated channel as Discord has it (from the cache).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelView {
    pub id: ChannelId,
    /// False when the channel does not exist (or the bot cannot see it at all).
    pub known: bool,
    /// The @everyone overwrite's (allow, deny).
    pub everyone: (u64, u64),
    /// The product role's overwrite (allow, deny).
    pub role: (u64, u64),
    /// The bot's own member overwrite (allow, deny).
    pub bot: (u64, u64),
    /// Every other role overwrite: (role id, allow, deny).
    pub other_roles: Vec<RoleOverwrite>,
    /// Roles that may see it besides the product's: staff roles and the roles of other
    /// products that list this channel.
    pub trusted: Vec<u64>,
    /// The category it sits in, with that category's role overwrites (role id, allow, deny).
    pub category: Option<(ChannelId, Vec<RoleOverwrite>)>,
}

impl ChannelView {
    /// Role overwrites here that let a role other than the product's (and trusted ones) view.
    fn leaking_roles(&self) -> impl Iterator<Item = &RoleOverwrite> {
        self.other_roles
            .iter()
            .filter(|(id, allow, _)| allow & VIEW_CHANNEL != 0 && !self.trusted.contains(id))
    }
}

/// A product's role and channels as Discord has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductView {
    pub product: String,
    pub role: RoleId,
    /// `None` when the role does not exist.
    pub role_position: Option<u16>,
    pub bot_top_position: u16,
    pub bot_manages_roles: bool,
    pub channels: Vec<ChannelView>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    UnknownRole,
    /// The product role is at or above the bot's top role: Discord refuses to assign it.
    RoleNotBelowBot,
    NoManageRoles,
    UnknownChannel(ChannelId),
    /// @everyone can see a gated channel.
    OpenToEveryone(ChannelId),
    /// The product role is not allowed to see its channel.
    ClosedToRole(ChannelId),
    /// Another role's overwrite lets its members see the paid channel.
    OpenToRole(ChannelId, RoleId),
    /// The channel's category lets another role see its channels: syncing the channel's
    /// permissions with it would open it (fixed in the category's settings).
    CategoryOpenToRole {
        channel: ChannelId,
        category: ChannelId,
        role: RoleId,
    },
}

impl Problem {
    pub fn describe(&self, locale: Locale, role: RoleId) -> String {
        match self {
            Problem::UnknownRole => t!(locale, "gate-problem-role", role = format!("<@&{role}>")),
            Problem::RoleNotBelowBot => {
                t!(
                    locale,
                    "gate-problem-position",
                    role = format!("<@&{role}>")
                )
            }
            Problem::NoManageRoles => t!(locale, "gate-problem-manage"),
            Problem::UnknownChannel(c) => {
                t!(locale, "gate-problem-channel", channel = format!("<#{c}>"))
            }
            Problem::OpenToEveryone(c) => {
                t!(locale, "gate-problem-open", channel = format!("<#{c}>"))
            }
            Problem::ClosedToRole(c) => t!(
                locale,
                "gate-problem-closed",
                channel = format!("<#{c}>"),
                role = format!("<@&{role}>")
            ),
            Problem::OpenToRole(c, other) => t!(
                locale,
                "gate-problem-open-role",
                channel = format!("<#{c}>"),
                other = format!("<@&{other}>")
            ),
            Problem::CategoryOpenToRole {
                channel,
                category,
                role: other,
            } => t!(
                locale,
                "gate-problem-category",
                channel = format!("<#{channel}>"),
                category = format!("<#{category}>"),
                other = format!("<@&{other}>")
            ),
        }
    }

    /// Whether `/gate apply` can fix it (role problems need a human in Server Settings, and
    /// a category's overwrites affect its other channels too).
    pub fn fixable(&self) -> bool {
        matches!(
            self,
            Problem::OpenToEveryone(_) | Problem::ClosedToRole(_) | Problem::OpenToRole(..)
        )
    }
}

pub fn check(view: &ProductView) -> Vec<Problem> {
    let mut problems = Vec::new();
    match view.role_position {
        None => problems.push(Problem::UnknownRole),
        Some(p) if p >= view.bot_top_position => problems.push(Problem::RoleNotBelowBot),
        _ => {}
    }
    if !view.bot_manages_roles {
        problems.push(Problem::NoManageRoles);
    }
    for c in &view.channels {
        if !c.known {
            problems.push(Problem::UnknownChannel(c.id));
            continue;
        }
        if c.everyone.1 & VIEW_CHANNEL == 0 {
            problems.push(Problem::OpenToEveryone(c.id));
        }
        if c.role.0 & VIEW_CHANNEL == 0 || c.role.1 & VIEW_CHANNEL != 0 {
            problems.push(Problem::ClosedToRole(c.id));
        }
        for (other, _, _) in c.leaking_roles() {
            problems.push(Problem::OpenToRole(c.id, RoleId::new(*other)));
        }
        if let Some((category, overwrites)) = &c.category {
            let own: Vec<u64> = c.other_roles.iter().map(|(id, _, _)| *id).collect();
            for (other, allow, _) in overwrites {
                let leaks = allow & VIEW_CHANNEL != 0
                    && !c.trusted.contains(other)
                    && *other != view.role.get()
                    && !own.contains(other);
                if leaks {
                    problems.push(Problem::CategoryOpenToRole {
                        channel: c.id,
                        category: *category,
                        role: RoleId::new(*other),
                    });
                }
            }
        }
    }
    problems
}

/// The overwrites that fix the fixable problems: deny @everyone View Channel, allow the role,
/// and allow the bot itself (so closing the channel does not lock the bot out). Other bits of
/// each overwrite are kept.
pub fn fixes(view: &ProductView, guild: GuildId, bot: UserId) -> Vec<Effect> {
    let mut effects = Vec::new();
    let reason = format!("Lyceum: /gate apply for {}", view.product);
    for c in view.channels.iter().filter(|c| c.known) {
        let open = c.everyone.1 & VIEW_CHANNEL == 0;
        let closed = c.role.0 & VIEW_CHANNEL == 0 || c.role.1 & VIEW_CHANNEL != 0;
        let leaking: Vec<&RoleOverwrite> = c.leaking_roles().collect();
        if !open && !closed && leaking.is_empty() {
            continue;
        }
        let set = |id: u64, target_type: u8, allow: u64, deny: u64| Effect::SetChannelPermission {
            channel_id: c.id,
            overwrite_id: id,
            target_type,
            allow,
            deny,
            reason: reason.clone(),
        };
        if c.bot.0 & VIEW_CHANNEL == 0 {
            effects.push(set(
                bot.get(),
                1,
                c.bot.0 | VIEW_CHANNEL,
                c.bot.1 & !VIEW_CHANNEL,
            ));
        }
        if closed {
            effects.push(set(
                view.role.get(),
                0,
                c.role.0 | VIEW_CHANNEL,
                c.role.1 & !VIEW_CHANNEL,
            ));
        }
        if open {
            effects.push(set(
                guild.get(),
                0,
                c.everyone.0 & !VIEW_CHANNEL,
                c.everyone.1 | VIEW_CHANNEL,
            ));
        }
        // Another role's View Channel allow goes (its other bits stay); its members then see
        // the channel only through the product role.
        for (other, allow, deny) in leaking {
            effects.push(set(*other, 0, allow & !VIEW_CHANNEL, *deny));
        }
    }
    effects
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(everyone: (u64, u64), role: (u64, u64)) -> ProductView {
        ProductView {
            product: "pro".into(),
            role: RoleId::new(5),
            role_position: Some(3),
            bot_top_position: 10,
            bot_manages_roles: true,
            channels: vec![ChannelView {
                id: ChannelId::new(7),
                known: true,
                everyone,
                role,
                bot: (0, 0),
                other_roles: Vec::new(),
                trusted: Vec::new(),
                category: None,
            }],
        }
    }

    #[test]
    fn an_open_channel_is_reported_and_fixed_without_locking_the_bot_out() {
        let v = view((0, 0x800), (0, 0));
        let c = ChannelId::new(7);
        assert_eq!(
            check(&v),
            [Problem::OpenToEveryone(c), Problem::ClosedToRole(c)]
        );
        let fixes = fixes(&v, GuildId::new(1), UserId::new(9));
        let set: Vec<(u64, u64, u64)> = fixes
            .iter()
            .map(|e| match e {
                Effect::SetChannelPermission {
                    overwrite_id,
                    allow,
                    deny,
                    ..
                } => (*overwrite_id, *allow, *deny),
                _ => unreachable!(),
            })
            .collect();
        // The bot first, then the role, then @everyone (keeping its Send Messages deny).
        assert_eq!(set, [(9, 0x400, 0), (5, 0x400, 0), (1, 0, 0x800 | 0x400)]);
    }

    #[test]
    fn a_gated_channel_passes_and_a_role_above_the_bot_is_reported() {
        let mut v = view((0, VIEW_CHANNEL), (VIEW_CHANNEL, 0));
        assert!(check(&v).is_empty());
        assert!(fixes(&v, GuildId::new(1), UserId::new(9)).is_empty());
        v.role_position = Some(12);
        assert_eq!(check(&v), [Problem::RoleNotBelowBot]);
        assert!(!Problem::RoleNotBelowBot.fixable());
    }

    #[test]
    fn another_role_that_can_see_a_paid_channel_is_named_and_its_allow_removed() {
        let mut v = view((0, VIEW_CHANNEL), (VIEW_CHANNEL, 0));
        let c = ChannelId::new(7);
        // Role 20 (e.g. "Regulars") may view; 21 (a staff role) may too; 22 only sends.
        v.channels[0].other_roles = vec![
            (20, VIEW_CHANNEL | 0x800, 0),
            (21, VIEW_CHANNEL, 0),
            (22, 0x800, 0),
        ];
        v.channels[0].trusted = vec![21];
        v.channels[0].category = Some((
            ChannelId::new(30),
            vec![(23, VIEW_CHANNEL, 0), (21, VIEW_CHANNEL, 0)],
        ));
        assert_eq!(
            check(&v),
            [
                Problem::OpenToRole(c, RoleId::new(20)),
                Problem::CategoryOpenToRole {
                    channel: c,
                    category: ChannelId::new(30),
                    role: RoleId::new(23)
                },
            ]
        );
        assert!(!check(&v)[1].fixable());
        let fixes = fixes(&v, GuildId::new(1), UserId::new(9));
        assert!(
            matches!(
                fixes.as_slice(),
                [
                    Effect::SetChannelPermission {
                        overwrite_id: 9,
                        ..
                    },
                    Effect::SetChannelPermission {
                        overwrite_id: 20,
                        allow: 0x800,
                        deny: 0,
                        ..
                    }
                ]
            ),
            "{fixes:?}"
        );
    }
}
