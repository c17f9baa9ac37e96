//! Enforcing levels on commands. Each command declares the level it needs as data
//! (`custom_data = "Level::…"` on `#[poise::command]`), and [`check`] — the one function poise
//! runs before every command — enforces the highest level along the path from the top-level
//! group to the leaf, on the server side. Discord's `default_member_permissions` (set by
//! [`apply_permission_hints`]) only decides who *sees* a command; it is never trusted.

use poise::serenity_prelude as serenity;

use crate::access::Level;
use crate::discord::invocation::invocation;
use crate::discord::{Command, Context};
use crate::error::{Error, UserError};

/// The level a command declares in its `custom_data`, if it declares one.
pub fn declared_level<U, E>(command: &poise::Command<U, E>) -> Option<Level> {
    command.custom_data.downcast_ref::<Level>().copied()
}

/// The level a command needs by itself (member when it declares none).
pub fn required_level<U, E>(command: &poise::Command<U, E>) -> Level {
    declared_level(command).unwrap_or(Level::Member)
}

/// The level needed to run the invoked command: the highest along its path, so a group marked
/// admin guards every leaf under it, whatever the leaf declares.
pub fn required_on_path(ctx: Context<'_>) -> Level {
    level_along(ctx.parent_commands(), ctx.command())
}

/// The highest level declared by `leaf` or any of its `parents`.
fn level_along(parents: &[&Command], leaf: &Command) -> Level {
    parents
        .iter()
        .map(|c| required_level(c))
        .chain(std::iter::once(required_level(leaf)))
        .max()
        .unwrap_or(Level::Member)
}

/// poise's `command_check`: refuses, with a specific localized message, anyone below the
/// level the invoked path needs. poise runs it once per entry of the command tree; each run
/// checks the whole path and the level is computed once per invocation.
pub async fn check(ctx: Context<'_>) -> Result<bool, Error> {
    // Every command tells the member's language: every later message to them speaks it.
    crate::member_locale::note(
        ctx.data(),
        ctx.author().id,
        ctx.locale().and_then(crate::i18n::Locale::from_discord),
    );
    let needed = required_on_path(ctx);
    if needed == Level::Member {
        return Ok(true);
    }
    let actual = invocation(ctx).await.level(ctx).await?;
    if actual >= needed {
        Ok(true)
    } else {
        Err(UserError::NotPermitted { needed }.into())
    }
}

/// Sets each top-level command's `default_member_permissions` from the lowest level any of its
/// leaves needs: Discord then hides staff commands from members. A hint only ([`check`] is the
/// rule), and server admins can change it in Server Settings → Integrations.
pub fn apply_permission_hints(commands: &mut [Command]) {
    for command in commands {
        let lowest = lowest_leaf_level(command, Level::Member);
        let hint = match lowest {
            Level::Member => None,
            Level::Moderator => Some(serenity::Permissions::MANAGE_MESSAGES),
            Level::Admin | Level::Owner => Some(serenity::Permissions::MANAGE_GUILD),
        };
        if let Some(hint) = hint {
            command.default_member_permissions = hint;
        }
    }
}

/// The lowest level among the runnable leaves under `command`, each taken along its path.
fn lowest_leaf_level(command: &Command, above: Level) -> Level {
    let here = above.max(required_level(command));
    if command.subcommands.is_empty() {
        return here;
    }
    command
        .subcommands
        .iter()
        .map(|sub| lowest_leaf_level(sub, here))
        .min()
        .unwrap_or(here)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(name: &str, level: Option<Level>, subcommands: Vec<Command>) -> Command {
        let mut command = Command {
            name: name.to_string().into(),
            subcommands,
            ..Default::default()
        };
        if let Some(level) = level {
            command.custom_data = Box::new(level);
        }
        command
    }

    /// poise calls the check once per entry of the command tree, always with the leaf as
    /// `ctx.command()`: the leaf's level alone would leave an admin group open.
    #[test]
    fn a_group_level_guards_every_leaf_under_it() {
        let group = command("guarded", Some(Level::Admin), vec![]);
        let open_leaf = command("open", Some(Level::Member), vec![]);
        assert_eq!(level_along(&[&group], &open_leaf), Level::Admin);
        let moderated = command("m", Some(Level::Moderator), vec![]);
        let owner_leaf = command("o", Some(Level::Owner), vec![]);
        assert_eq!(level_along(&[&moderated], &owner_leaf), Level::Owner);
        assert_eq!(level_along(&[], &open_leaf), Level::Member);
    }

    #[test]
    fn hints_follow_the_lowest_leaf_along_its_path() {
        let mut commands = vec![
            command(
                "mixed",
                None,
                vec![
                    command("a", Some(Level::Admin), vec![]),
                    command("m", Some(Level::Moderator), vec![]),
                ],
            ),
            command(
                "guarded",
                Some(Level::Admin),
                vec![command("open", Some(Level::Member), vec![])],
            ),
            command("public", Some(Level::Member), vec![]),
        ];
        apply_permission_hints(&mut commands);
        assert_eq!(
            commands[0].default_member_permissions,
            serenity::Permissions::MANAGE_MESSAGES
        );
        assert_eq!(
            commands[1].default_member_permissions,
            serenity::Permissions::MANAGE_GUILD,
            "a member leaf under an admin group is still admin"
        );
        assert_eq!(
            commands[2].default_member_permissions,
            serenity::Permissions::empty()
        );
    }
}
