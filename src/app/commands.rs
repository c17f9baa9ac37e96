//! The command list and poise's options: every feature's `commands()`, localized and checked,
//! with the kit's error answers and `events.rs`'s routing. The one place that knows them all.

use crate::discord::{self, Command, Data};
use crate::error::Error;
use crate::features;

/// Every command Lyceum registers, each carrying its required level, localized in en and zh-CN,
/// with Discord's visibility hint derived from the levels. The same list feeds registration,
/// the level test and the localization test.
pub fn all_commands() -> Vec<Command> {
    discord::prepare(raw_commands())
}

/// Each feature's `commands()`, before localization.
pub fn raw_commands() -> Vec<Command> {
    let mut commands = features::admin::commands();
    commands.extend(features::points::commands());
    commands.extend(features::moderation::commands());
    commands.extend(features::schedule::commands());
    commands.extend(features::membership::commands());
    commands.extend(features::community::commands());
    commands.extend(features::feedback::commands());
    commands.extend(features::qa::commands());
    commands.extend(features::stats::commands());
    commands.extend(features::role_menus::commands());
    commands.extend(features::challenge::commands());
    commands.extend(features::homework::commands());
    commands.extend(features::highlights::commands());
    commands.extend(features::course::commands());
    commands
}

pub fn framework_options() -> poise::FrameworkOptions<Data, Error> {
    poise::FrameworkOptions {
        commands: all_commands(),
        command_check: Some(|ctx| Box::pin(discord::checks::check(ctx))),
        on_error: |error| Box::pin(discord::on_error(error)),
        // A member with closed DMs hears, after their next command, what could not reach them.
        post_command: |ctx| Box::pin(discord::undelivered::after_command(ctx)),
        event_handler: |ctx, event| Box::pin(super::events::handle(ctx, event)),
        initialize_owners: false,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discord::checks;

    use crate::access::Level;

    /// Every command with its path and the levels declared along it (group first).
    fn paths(
        commands: &[Command],
        above: &[Option<Level>],
        out: &mut Vec<(String, Vec<Option<Level>>, bool)>,
    ) {
        for command in commands {
            let mut levels = above.to_vec();
            levels.push(checks::declared_level(command));
            let leaf = command.subcommands.is_empty();
            out.push((command.name.to_string(), levels.clone(), leaf));
            paths(&command.subcommands, &levels, out);
        }
    }

    /// A command that forgets to declare its level would default to "member": every command,
    /// group or leaf, must declare one, so a new privileged subcommand cannot ship open and a
    /// group's level is never an accident.
    #[test]
    fn every_command_and_group_declares_its_level() {
        let mut found = Vec::new();
        paths(&all_commands(), &[], &mut found);
        assert!(
            found.iter().filter(|(_, _, leaf)| *leaf).count() >= 7,
            "{found:?}"
        );
        let undeclared: Vec<_> = found
            .iter()
            .filter(|(_, levels, _)| levels.last().copied().flatten().is_none())
            .map(|(name, _, _)| name)
            .collect();
        assert!(
            undeclared.is_empty(),
            "commands without a level: {undeclared:?}"
        );
    }

    /// A leaf that declares less than its group would still be guarded by the group (the check
    /// takes the highest along the path); declaring it so is misleading, so it is refused here.
    #[test]
    fn no_leaf_declares_less_than_its_group() {
        let mut found = Vec::new();
        paths(&all_commands(), &[], &mut found);
        for (name, levels, _) in found {
            let levels: Vec<Level> = levels.into_iter().flatten().collect();
            for pair in levels.windows(2) {
                assert!(pair[1] >= pair[0], "{name}: {levels:?}");
            }
        }
    }
}
