//! What `lyceum check-config` tells a creator beyond "ok": every section it understood, the
//! values still left as the example's placeholders, and the secrets the config needs from the
//! environment that are not set. Pure (the environment is a parameter).

use toml::{Table, Value};

use super::Config;

/// One line per section the config uses, with what is in it.
pub fn understood(config: &Config) -> Vec<String> {
    let list = |items: Vec<String>| {
        if items.is_empty() {
            "none".to_string()
        } else {
            format!("{} ({})", items.len(), items.join(", "))
        }
    };
    let automod = &config.automod;
    let filters = [
        ("banned_words", &automod.banned_words),
        ("regex", &automod.regex),
        ("links", &automod.links),
        ("mentions", &automod.mentions),
        ("flood", &automod.flood),
        ("duplicates", &automod.duplicates),
        ("caps", &automod.caps),
    ];
    let on: Vec<String> = filters
        .iter()
        .filter(|(_, f)| f.enabled)
        .map(|(name, f)| format!("{name}: {}", f.action.as_str()))
        .collect();
    let ladder: Vec<String> = config
        .warnings
        .escalation
        .iter()
        .map(|r| format!("{} at {}", r.action.as_str(), r.at_points))
        .collect();
    vec![
        format!("rules      {}", config.rules.len()),
        format!("automod    {}", list(on)),
        format!("warnings   {}", list(ladder)),
        format!(
            "products   {}",
            list(config.products.iter().map(|p| p.id.clone()).collect())
        ),
        format!(
            "schedules  {}",
            list(config.schedules.iter().map(|s| s.id.clone()).collect())
        ),
        format!(
            "plan       {}",
            list(config.plan.items.iter().map(|i| i.kind.clone()).collect())
        ),
        format!(
            "shop       {}",
            list(config.shop.items.iter().map(|i| i.id.clone()).collect())
        ),
        format!(
            "experts    {}",
            list(
                config
                    .qa
                    .experts
                    .iter()
                    .map(|e| e.user.to_string())
                    .collect()
            )
        ),
        format!(
            "referrals  {}",
            match config.referrals.credit {
                Some(super::Credit::Points(n)) => format!("{n} points a first payment"),
                Some(super::Credit::Days(n)) => format!("{n} days a first payment"),
                None => "off".to_string(),
            }
        ),
        format!(
            "report     {}",
            config
                .report
                .time
                .map_or("on demand only".to_string(), |t| format!(
                    "Mondays {}",
                    t.format("%H:%M")
                ))
        ),
    ]
}

/// Key paths whose value is still one of the example's placeholders: an id made of ascending
/// digits (`123456789012345678`) or an `example.com` address.
pub fn placeholders(text: &str) -> Vec<String> {
    let Ok(root) = text.parse::<Table>() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    walk(&root, "", &mut found);
    found
}

fn walk(table: &Table, prefix: &str, found: &mut Vec<String>) {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        visit(value, &path, found);
    }
}

fn visit(value: &Value, path: &str, found: &mut Vec<String>) {
    match value {
        Value::Integer(n) if is_placeholder_id(&n.to_string()) => found.push(path.to_string()),
        Value::String(s) if is_placeholder_id(s) || is_example_address(s) => {
            found.push(path.to_string())
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                visit(item, &format!("{path}[{i}]"), found);
            }
        }
        Value::Table(table) => walk(table, path, found),
        _ => {}
    }
}

/// A snowflake-sized id whose first 15 digits ascend (each one more than the last, 9 then 0):
/// the example's ids, including those that vary only in their last digits
/// (`789012345678901235`). A real snowflake that does so is not to be expected.
fn is_placeholder_id(text: &str) -> bool {
    let digits: Vec<u32> = text.chars().filter_map(|c| c.to_digit(10)).collect();
    digits.len() >= 15
        && digits.len() == text.len()
        && digits[..15].windows(2).all(|w| w[1] == (w[0] + 1) % 10)
}

/// An `example.com` address, or one of the example's "your-…" stand-ins
/// (`https://buy.stripe.com/your-link`).
fn is_example_address(text: &str) -> bool {
    let lowered = text.to_lowercase();
    lowered.contains("example.com")
        || lowered.contains(".example/")
        || lowered.ends_with(".example")
        || lowered.contains("/your-")
}

/// Secrets the config needs that `env` does not have, each with what it is for.
pub fn missing_secrets(config: &Config, env: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let set = |name: &str| env(name).is_some_and(|v| !v.trim().is_empty());
    let mut missing = Vec::new();
    if !set("DISCORD_TOKEN") {
        missing.push("DISCORD_TOKEN is not set: `lyceum run` needs the bot token".to_string());
    }
    let sells = config.products.iter().any(|p| p.payment_link.is_some());
    if sells && !set("STRIPE_WEBHOOK_SECRET") {
        missing.push(
            "STRIPE_WEBHOOK_SECRET is not set: a product has a payment link, and Stripe's \
             webhook is refused (503) without it"
                .to_string(),
        );
    }
    if config.web.public_url.is_some() && !set("DISCORD_CLIENT_SECRET") {
        missing.push(
            "DISCORD_CLIENT_SECRET is not set: web.public_url turns the Discord login on, and /login answers 404 without the application's OAuth2 secret"
                .to_string(),
        );
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_examples_ascending_ids_and_example_addresses_are_placeholders() {
        let text = "[discord]\nguild_id = 123456789012345678\nowner_ids = [890123456789012345, 1041234567890123]\n\
                    [channels]\nmod_log = 1041234567890123456\n[x]\nurl = \"https://example.com/a\"\n\
                    [[products]]\nrole = 789012345678901235\npayment_link = \"https://buy.stripe.com/your-link\"\n\
                    real_role = 1187654321098765432\n";
        assert_eq!(
            placeholders(text),
            vec![
                "discord.guild_id",
                "discord.owner_ids[0]",
                "products[0].payment_link",
                "products[0].role",
                "x.url",
            ]
        );
    }

    #[test]
    fn secrets_are_asked_for_when_the_config_needs_them() {
        let config = Config::parse("[discord]\nguild_id = 1\n").unwrap();
        let none = |_: &str| None;
        assert_eq!(missing_secrets(&config, none).len(), 1);
        let token = |name: &str| (name == "DISCORD_TOKEN").then(|| "t".to_string());
        assert!(missing_secrets(&config, token).is_empty());
    }
}
