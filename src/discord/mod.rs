//! The Discord kit: poise's context and data types, permission checks, localization, replies,
//! error answers and the outbox's delivery worker. It imports no feature: the command list and
//! the event routing are assembled above it, in `app/`.

pub mod answer;
pub mod args;
pub mod chat;
pub mod checks;
pub mod components;
pub mod delivery;
pub mod doors;
pub mod gateway;
pub mod hierarchy;
pub mod invite;
pub mod invocation;
pub mod localize;
pub mod rate_limits;
pub mod reply;
pub mod undelivered;
pub mod visibility;

use poise::FrameworkError;

use crate::error::{reference_id, Error, UserError};
use crate::i18n::Locale;
pub use crate::state::AppState as Data;
use crate::t;
pub use invocation::invocation;

pub type Context<'a> = poise::Context<'a, Data, Error>;
pub type Command = poise::Command<Data, Error>;

/// The locale to answer in: the member's Discord locale if we speak it, else the community's
/// (from this invocation's config snapshot).
pub async fn locale_of(ctx: Context<'_>) -> Locale {
    invocation(ctx).await.locale(ctx)
}

/// Localizes `commands` in en and zh-CN and derives Discord's visibility hint from each
/// command's level: what every command list goes through before it is registered.
pub fn prepare(mut commands: Vec<Command>) -> Vec<Command> {
    let missing = localize::apply(&mut commands);
    for key in missing {
        tracing::warn!(key, "missing command localization");
    }
    checks::apply_permission_hints(&mut commands);
    commands
}

/// What Discord is told about `commands`: poise's slash commands, and message menus with the
/// names localized too (poise 0.7 registers a context menu under its English name only).
pub fn application_commands(commands: &[Command]) -> Vec<poise::serenity_prelude::CreateCommand> {
    let mut out = Vec::new();
    for command in commands {
        if let Some(slash) = command.create_as_slash_command() {
            out.push(slash);
        }
        if let Some(mut menu) = command.create_as_context_menu_command() {
            for (locale, name) in command.name_localizations.iter() {
                menu = menu.name_localized(locale.as_ref(), name.as_ref());
            }
            out.push(menu);
        }
    }
    out
}

/// Shows user errors as they are and internal errors as a reference id; never raw error text.
pub async fn on_error(error: FrameworkError<'_, Data, Error>) {
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
                    needed: checks::required_on_path(ctx),
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
