//! A role menu as members see it: an embed and its buttons or select menu, and the answer to
//! a press. Pure.

use serde_json::{json, Value};

use super::rules::Change;
use super::BUTTON_PREFIX;
use crate::config::RoleMenu;
use crate::discord::components::{self, Choice, Style};
use crate::i18n::Locale;
use crate::outbox::MessageBody;
use crate::t;

/// Discord's emoji object for a Unicode emoji or a custom one written `<:name:id>` /
/// `<a:name:id>`.
fn emoji(text: &str) -> Value {
    let custom = text
        .strip_prefix('<')
        .and_then(|t| t.strip_suffix('>'))
        .and_then(|t| {
            let (animated, rest) = match t.strip_prefix("a:") {
                Some(rest) => (true, rest),
                None => (false, t.strip_prefix(':')?),
            };
            let (name, id) = rest.split_once(':')?;
            id.parse::<u64>().ok().map(|id| (animated, name, id))
        });
    match custom {
        Some((animated, name, id)) => {
            json!({ "id": id.to_string(), "name": name, "animated": animated })
        }
        None => json!({ "name": text }),
    }
}

/// The menu's components: up to five rows of five buttons, or one select menu.
pub fn components(menu: &RoleMenu, locale: Locale) -> Vec<Value> {
    if menu.select {
        let choices: Vec<Choice> = menu
            .roles
            .iter()
            .map(|r| Choice {
                value: r.role.get().to_string(),
                label: r.label.get(locale).to_string(),
                emoji: r.emoji.as_deref().map(emoji),
            })
            .collect();
        let max = if menu.single { 1 } else { choices.len() };
        let id = format!("{BUTTON_PREFIX}{}", menu.id);
        let placeholder = t!(locale, "role-menu-placeholder");
        return vec![components::row(vec![components::select(
            id,
            placeholder,
            choices,
            (0, max),
        )])];
    }
    menu.roles
        .chunks(5)
        .map(|row| {
            let buttons: Vec<Value> = row
                .iter()
                .map(|r| {
                    let id = format!("{BUTTON_PREFIX}{}:{}", menu.id, r.role.get());
                    let button = components::button(id, r.label.get(locale), Style::Secondary);
                    match &r.emoji {
                        Some(e) => components::with_emoji(button, emoji(e)),
                        None => button,
                    }
                })
                .collect();
            components::row(buttons)
        })
        .collect()
}

/// The menu's embed: title, description, and what choosing means.
pub fn embed(menu: &RoleMenu, locale: Locale) -> Value {
    let how = if menu.single {
        t!(locale, "role-menu-how-single")
    } else {
        t!(locale, "role-menu-how-multiple")
    };
    let description = match &menu.description {
        Some(d) => format!("{}\n\n{how}", d.get(locale)),
        None => how,
    };
    json!({
        "title": menu.title.get(locale),
        "description": description,
        "color": 0x57F287,
    })
}

pub fn menu_body(menu: &RoleMenu, locale: Locale) -> MessageBody {
    MessageBody {
        content: String::new(),
        embeds: vec![embed(menu, locale)],
        components: components(menu, locale),
        ..Default::default()
    }
}

/// The member's answer to a press: what was added and removed (role mentions do not ping in
/// an ephemeral reply).
pub fn answer(change: &Change, locale: Locale) -> String {
    let mention = |roles: &[serenity::all::RoleId]| {
        roles
            .iter()
            .map(|r| format!("<@&{}>", r.get()))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut lines = Vec::new();
    if !change.added.is_empty() {
        lines.push(t!(
            locale,
            "role-menu-added",
            roles = mention(&change.added)
        ));
    }
    if !change.removed.is_empty() {
        lines.push(t!(
            locale,
            "role-menu-removed",
            roles = mention(&change.removed)
        ));
    }
    if lines.is_empty() {
        lines.push(t!(locale, "role-menu-unchanged"));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_reads_unicode_and_custom() {
        assert_eq!(emoji("🦀"), json!({ "name": "🦀" }));
        assert_eq!(
            emoji("<:ferris:123>"),
            json!({ "id": "123", "name": "ferris", "animated": false })
        );
        assert_eq!(
            emoji("<a:party:9>"),
            json!({ "id": "9", "name": "party", "animated": true })
        );
    }
}
