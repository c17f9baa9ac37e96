//! The Discord shell: the poise framework, the command list, error replies and event routing.
//! Everything that knows about serenity's client types lives under this folder (plus the
//! features' `commands.rs`).

pub mod access;
pub mod delivery;
pub mod events;
pub mod localize;
pub mod reply;

use poise::FrameworkError;

use crate::error::{reference_id, Error, UserError};
use crate::i18n::Locale;
pub use crate::state::AppState as Data;
use crate::t;

pub type Context<'a> = poise::Context<'a, Data, Error>;
pub type Command = poise::Command<Data, Error>;

/// Every command Lyceum registers, each carrying its required level, localized in en and zh-CN.
/// The same list feeds registration and the localization test.
pub fn all_commands() -> Vec<Command> {
    let mut commands = raw_commands();
    let missing = localize::apply(&mut commands);
    for key in missing {
        tracing::warn!(key, "missing command localization");
    }
    commands
}

/// The command list before localization.
pub fn raw_commands() -> Vec<Command> {
    vec![crate::features::admin::commands::admin()]
}

/// The locale to answer in: the member's Discord locale if we speak it, else the community's.
pub fn locale_of(ctx: Context<'_>) -> Locale {
    let default = ctx.data().config.snapshot().community.default_locale;
    Locale::resolve(ctx.locale(), default)
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
        FrameworkError::CommandCheckFailed { error, ctx, .. } => {
            let error = error.unwrap_or(Error::User(UserError::NotPermitted {
                needed: access::required_level(ctx.command()),
            }));
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
    let locale = locale_of(ctx);
    let text = match error {
        Error::User(user) => user.message(locale),
        Error::Internal(internal) => {
            let reference = reference_id();
            tracing::error!(
                reference,
                command = %ctx.command().qualified_name,
                error = ?internal,
                "command failed"
            );
            t!(locale, "error-internal", reference = reference)
        }
    };
    if let Err(e) = reply::ephemeral(ctx, text).await {
        tracing::warn!(error = %e, "could not deliver error reply");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A command that forgets to declare its level would default to "member": every leaf must
    /// declare one, so a new privileged subcommand cannot ship open.
    #[test]
    fn every_runnable_command_declares_its_level() {
        fn leaves(commands: &[Command], out: &mut Vec<(String, bool)>) {
            for command in commands {
                if command.subcommands.is_empty() {
                    let declared = command
                        .custom_data
                        .downcast_ref::<access::Level>()
                        .is_some();
                    out.push((command.name.to_string(), declared));
                } else {
                    leaves(&command.subcommands, out);
                }
            }
        }
        let mut found = Vec::new();
        leaves(&all_commands(), &mut found);
        assert!(found.len() >= 6, "{found:?}");
        let undeclared: Vec<_> = found.iter().filter(|(_, declared)| !declared).collect();
        assert!(
            undeclared.is_empty(),
            "commands without a level: {undeclared:?}"
        );
    }
}
