//! Permission levels: owner > admin > moderator > member. Each command carries the level it
//! needs as data (`Command::custom_data`), and [`check`] — the one function poise runs before
//! every command — enforces it on the server side. Discord's `default_member_permissions` is
//! only a hint for who sees a command; it is never trusted.

use serenity::all::{RoleId, UserId};

use crate::discord::Context;
use crate::error::{Error, UserError};
use crate::features::admin::store as grants_store;
use crate::i18n::Locale;
use crate::t;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Member,
    Moderator,
    Admin,
    Owner,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Member => "member",
            Level::Moderator => "moderator",
            Level::Admin => "admin",
            Level::Owner => "owner",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "member" => Some(Level::Member),
            "moderator" => Some(Level::Moderator),
            "admin" => Some(Level::Admin),
            "owner" => Some(Level::Owner),
            _ => None,
        }
    }

    pub fn label(self, locale: Locale) -> String {
        t!(locale, &format!("level-{}", self.as_str()))
    }
}

/// Who a staff level is granted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    User(UserId),
    Role(RoleId),
}

impl Target {
    pub fn kind(self) -> &'static str {
        match self {
            Target::User(_) => "user",
            Target::Role(_) => "role",
        }
    }

    pub fn id(self) -> u64 {
        match self {
            Target::User(u) => u.get(),
            Target::Role(r) => r.get(),
        }
    }

    pub fn from_parts(kind: &str, id: u64) -> Option<Target> {
        match kind {
            "user" => Some(Target::User(UserId::new(id))),
            "role" => Some(Target::Role(RoleId::new(id))),
            _ => None,
        }
    }

    /// How Discord renders a mention of the target.
    pub fn mention(self) -> String {
        match self {
            Target::User(u) => format!("<@{u}>"),
            Target::Role(r) => format!("<@&{r}>"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub target: Target,
    pub level: Level,
    pub granted_by: UserId,
    pub granted_at: i64,
}

/// The highest level a member holds: owner, or the best of their own grant and their roles'.
pub fn effective_level(is_owner: bool, user: UserId, roles: &[RoleId], grants: &[Grant]) -> Level {
    if is_owner {
        return Level::Owner;
    }
    grants
        .iter()
        .filter(|g| match g.target {
            Target::User(u) => u == user,
            Target::Role(r) => roles.contains(&r),
        })
        .map(|g| g.level)
        .max()
        .unwrap_or(Level::Member)
}

/// May someone at `actor` level grant or revoke `level`? Admins manage moderators; only owners
/// manage admins; nobody hands out ownership (it comes from config and the guild).
pub fn may_manage(actor: Level, level: Level) -> Result<(), UserError> {
    match level {
        Level::Owner | Level::Member => Err(UserError::BadArgument {
            input: level.as_str().into(),
        }),
        Level::Admin if actor < Level::Owner => Err(UserError::OwnerOnlyForAdmin),
        Level::Moderator if actor < Level::Admin => Err(UserError::NotPermitted {
            needed: Level::Admin,
        }),
        _ => Ok(()),
    }
}

/// The level a command declares in its `custom_data` (member when it declares none).
pub fn required_level<U, E>(command: &poise::Command<U, E>) -> Level {
    command
        .custom_data
        .downcast_ref::<Level>()
        .copied()
        .unwrap_or(Level::Member)
}

/// Owners are the configured `owner_ids` and the server owner; no grant can change that.
pub fn is_owner(ctx: Context<'_>, user: UserId) -> bool {
    let configured = ctx
        .data()
        .config
        .snapshot()
        .discord
        .owner_ids
        .contains(&user);
    configured || ctx.guild().is_some_and(|g| g.owner_id == user)
}

/// The invoker's level in the configured guild, computed once per invocation (the check and
/// the command body share it through poise's invocation data).
pub async fn invoker_level(ctx: Context<'_>) -> Result<Level, Error> {
    if let Some(level) = ctx.invocation_data::<Level>().await {
        return Ok(*level);
    }
    let config = ctx.data().config.snapshot();
    let guild_id = ctx.guild_id().ok_or(UserError::GuildOnly)?;
    if guild_id != config.discord.guild_id {
        return Err(UserError::GuildOnly.into());
    }
    let user = ctx.author().id;
    let owner = is_owner(ctx, user);
    let roles = match ctx.author_member().await {
        Some(member) => member.roles.clone(),
        None => Vec::new(),
    };
    let grants = grants_store::grants(&ctx.data().db, guild_id).await?;
    let level = effective_level(owner, user, &roles, &grants);
    ctx.set_invocation_data(level).await;
    Ok(level)
}

/// poise's `command_check`: refuses, with a specific localized message, anyone below the
/// command's level. Runs for the command and each parent, so a group cannot be bypassed.
pub async fn check(ctx: Context<'_>) -> Result<bool, Error> {
    let needed = required_level(ctx.command());
    if needed == Level::Member {
        return Ok(true);
    }
    let actual = invoker_level(ctx).await?;
    if actual >= needed {
        Ok(true)
    } else {
        Err(UserError::NotPermitted { needed }.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(target: Target, level: Level) -> Grant {
        Grant {
            target,
            level,
            granted_by: UserId::new(1),
            granted_at: 0,
        }
    }

    #[test]
    fn levels_order_from_member_to_owner() {
        assert!(Level::Owner > Level::Admin);
        assert!(Level::Admin > Level::Moderator);
        assert!(Level::Moderator > Level::Member);
    }

    #[test]
    fn effective_level_takes_the_best_of_user_and_role_grants() {
        let user = UserId::new(10);
        let mods = RoleId::new(20);
        let grants = vec![
            grant(Target::Role(mods), Level::Moderator),
            grant(Target::User(UserId::new(11)), Level::Admin),
        ];
        assert_eq!(effective_level(false, user, &[], &grants), Level::Member);
        assert_eq!(
            effective_level(false, user, &[mods], &grants),
            Level::Moderator
        );
        assert_eq!(
            effective_level(false, UserId::new(11), &[mods], &grants),
            Level::Admin
        );
        assert_eq!(effective_level(true, user, &[], &[]), Level::Owner);
    }

    #[test]
    fn only_owners_manage_admins_and_admins_manage_moderators() {
        use Level::*;
        let cases = [
            (Owner, Admin, true),
            (Owner, Moderator, true),
            (Admin, Moderator, true),
            (Admin, Admin, false),
            (Moderator, Moderator, false),
            (Member, Moderator, false),
            (Owner, Owner, false),
        ];
        for (actor, level, allowed) in cases {
            assert_eq!(
                may_manage(actor, level).is_ok(),
                allowed,
                "{actor:?} -> {level:?}"
            );
        }
        assert_eq!(may_manage(Admin, Admin), Err(UserError::OwnerOnlyForAdmin));
    }
}
