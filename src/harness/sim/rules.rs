//! Discord's validation rules that real bots trip over, enforced by the simulator so a test
//! fails where Discord would answer 400: message and embed limits, and the shape of command
//! registrations (names, descriptions, option order, locale keys).

use serde_json::Value;

/// Every locale Discord accepts as a localization key.
pub const DISCORD_LOCALES: &[&str] = &[
    "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl",
    "no", "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th",
    "zh-CN", "ja", "zh-TW", "ko",
];

fn chars(value: Option<&Value>) -> usize {
    value
        .and_then(Value::as_str)
        .map_or(0, |s| s.chars().count())
}

/// Records a problem when the text at `path` is longer than `max` characters; returns its length.
fn text_limit(problems: &mut Vec<String>, path: &str, value: Option<&Value>, max: usize) -> usize {
    let length = chars(value);
    if length > max {
        problems.push(format!(
            "{path}: must be {max} or fewer in length (got {length})"
        ));
    }
    length
}

/// Problems with a message body (create, edit, interaction response or followup).
pub fn check_message(body: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let content = text_limit(&mut problems, "content", body.get("content"), 2000);
    let embeds = body.get("embeds").and_then(Value::as_array);
    if let Some(embeds) = embeds {
        if embeds.len() > 10 {
            problems.push(format!(
                "embeds: must be 10 or fewer (got {})",
                embeds.len()
            ));
        }
        let mut total = 0;
        for (i, embed) in embeds.iter().enumerate() {
            let mut limit = |path: &str, value: Option<&Value>, max| {
                text_limit(&mut problems, &format!("embeds.{i}.{path}"), value, max)
            };
            total += limit("title", embed.get("title"), 256);
            total += limit("description", embed.get("description"), 4096);
            total += limit("footer.text", embed.pointer("/footer/text"), 2048);
            total += limit("author.name", embed.pointer("/author/name"), 256);
            let fields = embed.get("fields").and_then(Value::as_array);
            for (j, field) in fields.into_iter().flatten().enumerate() {
                total += limit(&format!("fields.{j}.name"), field.get("name"), 256);
                total += limit(&format!("fields.{j}.value"), field.get("value"), 1024);
            }
            if fields.is_some_and(|f| f.len() > 25) {
                problems.push(format!("embeds.{i}.fields: must be 25 or fewer"));
            }
        }
        if total > 6000 {
            problems.push(format!(
                "embeds: total size must be 6000 or fewer (got {total})"
            ));
        }
    }
    if content == 0 && embeds.is_none_or(Vec::is_empty) && body.get("components").is_none() {
        problems.push("Cannot send an empty message".into());
    }
    problems
}

/// A modal (interaction response type 9): a custom id (at most 100 characters), a title (1–45),
/// and 1–5 action rows each holding one text input (type 4) with a custom id, a label (1–45),
/// style 1 (short) or 2 (paragraph), and lengths within 0–4000 (`max_length` at least 1).
pub fn check_modal(data: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if !(1..=100).contains(&chars(data.get("custom_id"))) {
        problems.push("data.custom_id: must be between 1 and 100 in length".into());
    }
    if !(1..=45).contains(&chars(data.get("title"))) {
        problems.push("data.title: must be between 1 and 45 in length".into());
    }
    let rows = data
        .get("components")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if !(1..=5).contains(&rows.len()) {
        problems.push("data.components: must be between 1 and 5 in length".into());
    }
    for (i, row) in rows.iter().enumerate() {
        let inputs = row
            .get("components")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if row.get("type").and_then(Value::as_u64) != Some(1) || inputs.len() != 1 {
            problems.push(format!(
                "data.components.{i}: an action row with one text input"
            ));
            continue;
        }
        let input = &inputs[0];
        let path = format!("data.components.{i}.components.0");
        if input.get("type").and_then(Value::as_u64) != Some(4) {
            problems.push(format!("{path}.type: must be a text input (4)"));
        }
        if !(1..=100).contains(&chars(input.get("custom_id"))) {
            problems.push(format!(
                "{path}.custom_id: must be between 1 and 100 in length"
            ));
        }
        if !(1..=45).contains(&chars(input.get("label"))) {
            problems.push(format!("{path}.label: must be between 1 and 45 in length"));
        }
        if !matches!(input.get("style").and_then(Value::as_u64), Some(1 | 2)) {
            problems.push(format!("{path}.style: must be 1 or 2"));
        }
        let min = input.get("min_length").and_then(Value::as_u64).unwrap_or(0);
        let max = input
            .get("max_length")
            .and_then(Value::as_u64)
            .unwrap_or(4000);
        if min > 4000 || !(1..=4000).contains(&max) || min > max {
            problems.push(format!(
                "{path}: lengths must be within 0-4000, min at most max"
            ));
        }
    }
    problems
}

/// Discord's name rule: 1–32 characters of letters, numbers, `-` and `_`, lowercase where the
/// script has case.
fn valid_name(name: &str) -> bool {
    let count = name.chars().count();
    (1..=32).contains(&count)
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        && name.to_lowercase() == name
}

fn check_localizations(
    path: &str,
    value: Option<&Value>,
    is_name: bool,
    problems: &mut Vec<String>,
) {
    let Some(map) = value.and_then(Value::as_object) else {
        return;
    };
    for (locale, text) in map {
        if !DISCORD_LOCALES.contains(&locale.as_str()) {
            problems.push(format!("{path}.{locale}: Invalid locale key"));
        }
        let text = text.as_str().unwrap_or_default();
        if is_name && !valid_name(text) {
            problems.push(format!("{path}.{locale}: Invalid name \"{text}\""));
        }
        if !is_name && !(1..=100).contains(&text.chars().count()) {
            problems.push(format!(
                "{path}.{locale}: must be between 1 and 100 in length"
            ));
        }
    }
}

fn check_named(path: &str, item: &Value, problems: &mut Vec<String>) {
    let name = item.get("name").and_then(Value::as_str).unwrap_or_default();
    if !valid_name(name) {
        problems.push(format!("{path}.name: Invalid name \"{name}\""));
    }
    let description = chars(item.get("description"));
    if !(1..=100).contains(&description) {
        problems.push(format!(
            "{path}.description: must be between 1 and 100 in length"
        ));
    }
    check_localizations(
        &format!("{path}.name_localizations"),
        item.get("name_localizations"),
        true,
        problems,
    );
    check_localizations(
        &format!("{path}.description_localizations"),
        item.get("description_localizations"),
        false,
        problems,
    );
}

fn check_options(path: &str, options: Option<&Value>, problems: &mut Vec<String>) {
    let Some(options) = options.and_then(Value::as_array) else {
        return;
    };
    if options.len() > 25 {
        problems.push(format!("{path}: must be 25 or fewer"));
    }
    let mut seen_optional = false;
    let mut names = std::collections::HashSet::new();
    for (i, option) in options.iter().enumerate() {
        let here = format!("{path}.{i}");
        check_named(&here, option, problems);
        let name = option
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !names.insert(name.to_string()) {
            problems.push(format!("{here}.name: duplicate option name \"{name}\""));
        }
        let kind = option.get("type").and_then(Value::as_u64).unwrap_or(0);
        if !(1..=11).contains(&kind) {
            problems.push(format!("{here}.type: invalid option type {kind}"));
        }
        if kind == 1 || kind == 2 {
            check_options(&format!("{here}.options"), option.get("options"), problems);
            continue;
        }
        let required = option
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if required && seen_optional {
            problems.push(format!(
                "{here}.required: Required options must be placed before non-required options"
            ));
        }
        seen_optional |= !required;
        if let Some(choices) = option.get("choices").and_then(Value::as_array) {
            if choices.len() > 25 {
                problems.push(format!("{here}.choices: must be 25 or fewer"));
            }
            for (j, choice) in choices.iter().enumerate() {
                check_localizations(
                    &format!("{here}.choices.{j}.name_localizations"),
                    choice.get("name_localizations"),
                    false,
                    problems,
                );
            }
        }
    }
}

/// Problems with a bulk-overwrite of guild commands.
/// A user or message menu command (type 2 or 3): a name of 1–32 characters (spaces and
/// capitals allowed), localized names alike, no description and no options.
fn check_menu(path: &str, command: &Value, problems: &mut Vec<String>) {
    let name_ok = |v: Option<&Value>| (1..=32).contains(&chars(v));
    if !name_ok(command.get("name")) {
        problems.push(format!("{path}.name: must be between 1 and 32 in length"));
    }
    if let Some(map) = command.get("name_localizations").and_then(Value::as_object) {
        for (locale, name) in map {
            if !DISCORD_LOCALES.contains(&locale.as_str()) {
                problems.push(format!(
                    "{path}.name_localizations.{locale}: Invalid locale key"
                ));
            }
            if !name_ok(Some(name)) {
                problems.push(format!(
                    "{path}.name_localizations.{locale}: must be between 1 and 32 in length"
                ));
            }
        }
    }
    if chars(command.get("description")) > 0 {
        problems.push(format!(
            "{path}.description: context menu commands cannot have a description"
        ));
    }
    if command
        .get("options")
        .and_then(Value::as_array)
        .is_some_and(|o| !o.is_empty())
    {
        problems.push(format!(
            "{path}.options: context menu commands cannot have options"
        ));
    }
}

pub fn check_commands(body: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(commands) = body.as_array() else {
        return vec!["body: expected an array of commands".into()];
    };
    if commands.len() > 100 {
        problems.push("body: at most 100 commands".into());
    }
    let mut names = std::collections::HashSet::new();
    for (i, command) in commands.iter().enumerate() {
        let path = i.to_string();
        let kind = command.get("type").and_then(Value::as_u64).unwrap_or(1);
        if kind == 1 {
            check_named(&path, command, &mut problems);
        } else {
            check_menu(&path, command, &mut problems);
        }
        let name = command
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !names.insert((kind, name.to_string())) {
            problems.push(format!(
                "{path}.name: Application command names must be unique"
            ));
        }
        check_options(
            &format!("{path}.options"),
            command.get("options"),
            &mut problems,
        );
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn message_limits() {
        assert!(check_message(&json!({"content": "hi"})).is_empty());
        assert_eq!(
            check_message(&json!({"content": "x".repeat(2001)})).len(),
            1
        );
        assert_eq!(
            check_message(&json!({"content": ""})).len(),
            1,
            "empty message"
        );
        let embeds: Vec<Value> = (0..11).map(|_| json!({"title": "t"})).collect();
        assert!(!check_message(&json!({"embeds": embeds})).is_empty());
        let big = json!({"embeds": [{"description": "x".repeat(4000)}, {"description": "y".repeat(2500)}]});
        assert!(check_message(&big).iter().any(|p| p.contains("6000")));
    }

    #[test]
    fn embed_part_limits_name_their_path() {
        let embed = json!({"embeds": [{
            "title": "t".repeat(257),
            "footer": { "text": "f".repeat(2049) },
            "fields": [{ "name": "n", "value": "v".repeat(1025) }],
        }]});
        let problems = check_message(&embed);
        assert_eq!(
            problems,
            vec![
                "embeds.0.title: must be 256 or fewer in length (got 257)",
                "embeds.0.footer.text: must be 2048 or fewer in length (got 2049)",
                "embeds.0.fields.0.value: must be 1024 or fewer in length (got 1025)",
            ]
        );
        let fields: Vec<Value> = (0..26)
            .map(|_| json!({"name": "n", "value": "v"}))
            .collect();
        assert_eq!(
            check_message(&json!({"embeds": [{ "fields": fields }]})),
            vec!["embeds.0.fields: must be 25 or fewer"]
        );
    }

    #[test]
    fn command_rules() {
        let ok = json!([{ "name": "admin", "description": "Admin", "type": 1,
        "name_localizations": {"zh-CN": "管理"},
        "options": [{ "type": 1, "name": "grant", "description": "Grant", "options": [
            { "type": 9, "name": "target", "description": "Who", "required": true },
            { "type": 3, "name": "level", "description": "What", "required": false }
        ]}]}]);
        assert!(check_commands(&ok).is_empty(), "{:?}", check_commands(&ok));

        let bad_locale =
            json!([{ "name": "admin", "description": "d", "name_localizations": {"zh": "管理"} }]);
        assert_eq!(
            check_commands(&bad_locale),
            vec!["0.name_localizations.zh: Invalid locale key"]
        );
        let upper = json!([{ "name": "Admin", "description": "d" }]);
        assert_eq!(check_commands(&upper).len(), 1);
        let no_description = json!([{ "name": "admin", "description": "" }]);
        assert_eq!(check_commands(&no_description).len(), 1);
        let order = json!([{ "name": "a", "description": "d", "options": [
            { "type": 3, "name": "x", "description": "d", "required": false },
            { "type": 3, "name": "y", "description": "d", "required": true }]}]);
        assert_eq!(check_commands(&order).len(), 1);
    }
}
