//! The Discord shell: the poise framework, the command list, error replies and event routing.
//! Everything that knows about serenity's client types lives under this folder (plus the
//! features' `commands.rs`).

pub mod access;
pub mod args;
pub mod delivery;
pub mod events;
pub mod hierarchy;
pub mod invocation;
pub mod localize;
pub mod reply;
pub mod visibility;

use poise::FrameworkError;

use crate::error::{reference_id, Error, UserError};
use crate::i18n::Locale;
pub use crate::state::AppState as Data;
use crate::t;
pub use invocation::invocation;

pub type Context<'a> = poise::Context<'a, Data, Error>;
pub type Command = poise::Command<Data, Error>;

/// Every command Lyceum registers, each carrying its required level, localized in en and zh-CN,
/// with Discord's visibility hint derived from the levels. The same list feeds registration,
/// the level test and the localization test.
pub fn all_commands() -> Vec<Command> {
    let mut commands = raw_commands();
    let missing = localize::apply(&mut commands);
    for key in missing {
        tracing::warn!(key, "missing command localization");
    }
    access::apply_permission_hints(&mut commands);
    commands
}

/// Each feature's `commands()`, before localization.
pub fn raw_commands() -> Vec<Command> {
    let mut commands = crate::features::admin::commands();
    commands.extend(crate::features::points::commands());
    commands.extend(crate::features::rules::commands());
    commands.extend(crate::features::schedule::commands());
    commands.extend(crate::features::membership::commands());
    commands.extend(crate::features::community::commands());
    commands
}

/// The locale to answer in: the member's Discord locale if we speak it, else the community's
/// (from this invocation's config snapshot).
pub async fn locale_of(ctx: Context<'_>) -> Locale {
    invocation(ctx).await.locale(ctx)
}

pub fn framework_options() -> poise::FrameworkOptions<Data, Error> {
    poise::FrameworkOptions {
        commands: all_commands(),
        command_check: Some(|ctx| Box::pin(access::check(ctx))),
        on_error: |error| Box::pin(on_error(error)),
        event_handler: |ctx, event| Box::pin(events::handle(ctx, event)),
        initialize_owners: false,
        ..Default::default()
    }
}

/// Shows user errors as they are and internal errors as a reference id; never raw error text.
async fn on_error(error: FrameworkError<'_, Data, Error>) {
    match error {
        FrameworkError::Command { error, ctx, .. } => report(ctx, error).await,
        FrameworkError::CommandPanic { payload, ctx, .. } => {
            // The member still gets an answer, with a reference to the log line.
            let error = anyhow::anyhow!("panic: {}", payload.unwrap_or_default());
            report(ctx, Error::Internal(error)).await
        }
        FrameworkError::CommandCheckFailed { error, ctx, .. } => {
            let error = error.unwrap_or_else(|| {
                UserError::NotPermitted {
                    needed: access::required_on_path(ctx),
                }
                .into()
            });
            report(ctx, error).await
        }
        FrameworkError::ArgumentParse {
            ctx, input, error, ..
        } => {
            tracing::info!(command = %ctx.command().qualified_name, ?input, %error, "bad argument");
            let input = input.unwrap_or_default();
            report(ctx, UserError::BadArgument { input }.into()).await
        }
        FrameworkError::CommandStructureMismatch {
            ctx, description, ..
        } => {
            // Discord still has an older registration of this command; the member re-runs it.
            tracing::warn!(command = %ctx.command().qualified_name, description, "command structure mismatch");
            report(
                poise::Context::Application(ctx),
                UserError::OutdatedCommand.into(),
            )
            .await
        }
        FrameworkError::GuildOnly { ctx, .. } => report(ctx, UserError::GuildOnly.into()).await,
        FrameworkError::EventHandler { error, event, .. } => {
            let reference = reference_id();
            tracing::error!(reference, event = event.snake_case_name(), error = ?error, "event handler failed");
        }
        FrameworkError::Setup { error, .. } => {
            // `app::run` receives the reason and exits; nothing can be answered meanwhile.
            tracing::error!(error = %error, "startup failed");
        }
        other => tracing::warn!(error = %other, "unhandled framework error"),
    }
}

async fn report(ctx: Context<'_>, error: Error) {
    let locale = locale_of(ctx).await;
    let text = match error {
        Error::User(user) => user.message(locale),
        Error::Internal(internal) => {
            let reference = reference_id();
            tracing::error!(
                reference,
                command = %ctx.command().qualified_name,
                error = ?internal,
                request = %failed_request(&internal).unwrap_or_default(),
                "command failed"
            );
            t!(locale, "error-internal", reference = reference)
        }
    };
    if let Err(e) = reply::ephemeral(ctx, text).await {
        let request = failed_request(&anyhow::Error::from(e)).unwrap_or_default();
        tracing::warn!(%request, "could not deliver error reply");
    }
}

/// The Discord request behind an error, for the log: method, URL, status and Discord's code.
/// The URL of an interaction reply carries its token; the log writer redacts it.
fn failed_request(error: &anyhow::Error) -> Option<String> {
    use poise::serenity_prelude::{Error as SerenityError, HttpError};
    error
        .chain()
        .find_map(|cause| match cause.downcast_ref::<SerenityError>() {
            Some(SerenityError::Http(HttpError::UnsuccessfulRequest(response))) => Some(format!(
                "{} {} → {} (code {})",
                response.method, response.url, response.status_code, response.error.code
            )),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::access::Level;

    /// Every command with its path and the levels declared along it (group first).
    fn paths(
        commands: &[Command],
        above: &[Option<Level>],
        out: &mut Vec<(String, Vec<Option<Level>>, bool)>,
    ) {
        for command in commands {
            let mut levels = above.to_vec();
            levels.push(access::declared_level(command));
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
