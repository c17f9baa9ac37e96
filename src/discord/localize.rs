//! Fills every command's names and descriptions from the `.ftl` files: English becomes the
//! default, every other locale becomes a Discord localization. Keys are derived from the
//! command path: `/admin grant` reads `cmd-admin-grant`, its `.description`, its parameter
//! names (`.target`), their descriptions (`.target-description`) and choices
//! (`.level-admin`).

use std::borrow::Cow;

use crate::discord::Command;
use crate::i18n::{lookup, Locale};

/// The attribute holding a parameter's localized name: the parameter's own name, except for a
/// parameter called `description`, whose attribute would be the command's description.
fn name_attribute(parameter: &str) -> String {
    if parameter == "description" {
        "description-name".to_string()
    } else {
        parameter.to_string()
    }
}

/// Applies localizations to `commands` and their subcommands; returns the keys it could not find.
pub fn apply(commands: &mut [Command]) -> Vec<String> {
    let mut missing = Vec::new();
    for command in commands {
        apply_one(command, "cmd", &mut missing);
    }
    missing
}

/// `parent` is the key of the enclosing command (`cmd` at the top): subcommands' qualified
/// names are only filled in by poise later, so the path is built here.
fn apply_one(command: &mut Command, parent: &str, missing: &mut Vec<String>) {
    let key = format!("{parent}-{}", command.name);
    let mut get = |locale: Locale, attr: Option<&str>| -> Option<String> {
        let text = lookup(locale, &key, attr, None);
        if text.is_none() {
            missing.push(match attr {
                Some(attr) => format!("{}:{key}.{attr}", locale.tag()),
                None => format!("{}:{key}", locale.tag()),
            });
        }
        text
    };

    if let Some(description) = get(Locale::En, Some("description")) {
        command.description = Some(description.into());
    }
    // A message menu's parameter is the message it was opened on: Discord shows no option.
    let menu_only = command.slash_action.is_none() && command.context_menu_action.is_some();
    let parameters: &mut [poise::CommandParameter<_, _>] = if menu_only {
        &mut []
    } else {
        &mut command.parameters
    };
    for parameter in parameters.iter_mut() {
        let name = parameter.name.clone();
        if let Some(description) = get(Locale::En, Some(&format!("{name}-description"))) {
            parameter.description = Some(description.into());
        }
    }

    for locale in Locale::ALL {
        for discord_key in locale.discord_keys() {
            let tag: Cow<'static, str> = Cow::Borrowed(discord_key);
            if let Some(name) = get(locale, None) {
                command
                    .name_localizations
                    .to_mut()
                    .push((tag.clone(), name.into()));
            }
            if let Some(description) = get(locale, Some("description")) {
                command
                    .description_localizations
                    .to_mut()
                    .push((tag.clone(), description.into()));
            }
            let parameters: &mut [poise::CommandParameter<_, _>] = if menu_only {
                &mut []
            } else {
                &mut command.parameters
            };
            for parameter in parameters.iter_mut() {
                let name = parameter.name.clone();
                if let Some(localized) = get(locale, Some(&name_attribute(&name))) {
                    parameter
                        .name_localizations
                        .to_mut()
                        .push((tag.clone(), localized.into()));
                }
                if let Some(description) = get(locale, Some(&format!("{name}-description"))) {
                    parameter
                        .description_localizations
                        .to_mut()
                        .push((tag.clone(), description.into()));
                }
                for choice in parameter.choices.to_mut() {
                    if let Some(label) = get(locale, Some(&format!("{name}-{}", choice.name))) {
                        choice
                            .localizations
                            .to_mut()
                            .push((tag.clone(), label.into()));
                    }
                }
            }
        }
    }

    for sub in &mut command.subcommands {
        apply_one(sub, &key, missing);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::commands::all_commands;

    fn each(commands: &[Command], f: &mut impl FnMut(&Command)) {
        for command in commands {
            f(command);
            each(&command.subcommands, f);
        }
    }

    #[test]
    fn every_command_and_option_is_localized() {
        let mut raw = crate::app::commands::raw_commands();
        let missing = apply(&mut raw);
        assert!(missing.is_empty(), "missing localizations: {missing:?}");
        let commands = all_commands();
        let mut seen = 0;
        each(&commands, &mut |c| {
            seen += 1;
            let has =
                |v: &[(Cow<str>, Cow<str>)]| v.iter().any(|(l, s)| l == "zh-CN" && !s.is_empty());
            assert!(
                has(&c.name_localizations),
                "{} has no zh-CN name",
                c.qualified_name
            );
            assert!(
                has(&c.description_localizations),
                "{} has no zh-CN description",
                c.qualified_name
            );
            assert!(c
                .description
                .as_deref()
                .is_some_and(|d| !d.is_empty() && d.chars().count() <= 100));
            let menu_only = c.slash_action.is_none();
            for p in c.parameters.iter().filter(|_| !menu_only) {
                assert!(
                    has(&p.name_localizations),
                    "{} {} has no zh-CN name",
                    c.qualified_name,
                    p.name
                );
                assert!(
                    has(&p.description_localizations),
                    "{} {}",
                    c.qualified_name,
                    p.name
                );
                for choice in p.choices.iter() {
                    assert!(
                        has(&choice.localizations),
                        "{} {} {}",
                        c.qualified_name,
                        p.name,
                        choice.name
                    );
                }
            }
        });
        assert!(seen >= 7, "expected /admin and its subcommands, saw {seen}");
    }
}
