//! `/about` and the welcome, pure: the community's positioning, its products and the rhythm
//! of its content plan, in the reader's language.

use serde_json::{json, Value};

use crate::config::{Config, Per};
use crate::i18n::{money, Locale};
use crate::t;

/// "3 articles a week · 1 livestream a month".
pub fn rhythm(config: &Config, locale: Locale) -> Option<String> {
    let parts: Vec<String> = config
        .plan
        .items
        .iter()
        .map(|item| {
            let per = match item.per {
                Per::Week => t!(locale, "about-per-week"),
                Per::Month => t!(locale, "about-per-month"),
                Per::Quarter => t!(locale, "about-per-quarter"),
            };
            t!(
                locale,
                "about-rhythm-item",
                count = i64::from(item.target),
                kind = item.label(locale),
                per = per
            )
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// The `/about` embed.
pub fn embed(config: &Config, locale: Locale) -> Value {
    let p = &config.community.positioning;
    let mut fields = Vec::new();
    let mut field = |name: String, value: String| {
        if !value.trim().is_empty() {
            fields.push(json!({ "name": name, "value": value, "inline": false }));
        }
    };
    if let Some(value) = &p.value {
        field(t!(locale, "about-value"), value.get(locale).to_string());
    }
    if let Some(audience) = &p.audience {
        field(
            t!(locale, "about-audience"),
            audience.get(locale).to_string(),
        );
    }
    if !p.differentiators.is_empty() {
        let list: Vec<String> = p
            .differentiators
            .iter()
            .map(|d| format!("• {}", d.get(locale)))
            .collect();
        field(t!(locale, "about-different"), list.join("\n"));
    }
    if let Some(rhythm) = rhythm(config, locale) {
        field(t!(locale, "about-rhythm"), rhythm);
    }
    if !config.products.is_empty() {
        let list: Vec<String> = config
            .products
            .iter()
            .map(|product| {
                let length = match product.duration {
                    None => t!(locale, "membership-lifetime"),
                    Some(d) => t!(locale, "about-days", days = (d.as_secs() / 86_400) as i64),
                };
                format!(
                    "• **{}** — {} / {length} · `/membership buy product:{}`",
                    product.name.get(locale),
                    money(product.price_minor, &product.currency),
                    product.id
                )
            })
            .collect();
        field(t!(locale, "about-products"), list.join("\n"));
    }
    if !p.links.is_empty() {
        let list: Vec<String> = p
            .links
            .iter()
            .map(|(label, url)| format!("[{}]({url})", label.get(locale)))
            .collect();
        field(t!(locale, "about-links"), list.join(" · "));
    }
    json!({
        "title": config.community.name.get(locale),
        "description": p.tagline.as_ref().map(|t| t.get(locale).to_string()).unwrap_or_default(),
        "color": 0x5865F2,
        "fields": fields,
    })
}

/// A new member's welcome: the configured template (`{member}`, `{community}`) or the
/// built-in one, plus where to start.
pub fn welcome(config: &Config, locale: Locale, member: u64) -> String {
    welcome_lines(
        config,
        locale,
        member,
        config.onboarding.accepted_role.is_some(),
    )
}

/// The welcome shown right after "I accept" (`welcome = "after_rules"`): no pointer to the
/// rules the member just accepted.
pub fn welcome_after_rules(config: &Config, locale: Locale, member: u64) -> String {
    welcome_lines(config, locale, member, false)
}

fn welcome_lines(config: &Config, locale: Locale, member: u64, point_to_rules: bool) -> String {
    let community = config.community.name.get(locale).to_string();
    let mention = format!("<@{member}>");
    let head = match &config.onboarding.welcome_message {
        Some(template) => template
            .get(locale)
            .replace("{member}", &mention)
            .replace("{community}", &community),
        None => t!(
            locale,
            "welcome-default",
            member = mention,
            community = community
        ),
    };
    let mut lines = vec![head];
    if point_to_rules {
        lines.push(t!(locale, "welcome-rules"));
    }
    lines.push(t!(locale, "welcome-about"));
    lines.push(t!(locale, "welcome-points"));
    if !config.products.is_empty() {
        lines.push(t!(locale, "welcome-paid"));
    }
    lines.join("\n")
}
