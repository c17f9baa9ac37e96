//! `[community]` positioning (what `/about` shows), `[onboarding]` welcome, `[qa]` paid Q&A.

use std::time::Duration;

use serenity::all::UserId;
use toml::Value;

use super::reader::Section;
use crate::i18n::LocalizedText;

/// What the community is, for `/about` (each text plain or per locale).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Positioning {
    pub tagline: Option<LocalizedText>,
    /// The core value: what members get.
    pub value: Option<LocalizedText>,
    /// Who it is for.
    pub audience: Option<LocalizedText>,
    pub differentiators: Vec<LocalizedText>,
    /// (label, https URL).
    pub links: Vec<(LocalizedText, String)>,
}

pub fn read_positioning(s: &mut Section<'_>) -> Positioning {
    let tagline = s.text("tagline");
    let value = s.text("value");
    let audience = s.text("audience");
    let differentiators = match s.raw("differentiators") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| match item {
                Value::String(text) => Some(LocalizedText::plain(text.clone())),
                Value::Table(_) => localized(item),
                _ => None,
            })
            .collect(),
        Some(other) => {
            s.problem(
                "differentiators",
                Some(other),
                "expected an array of texts (plain or { en = …, \"zh-CN\" = … })",
            );
            Vec::new()
        }
    };
    let mut links = Vec::new();
    for link in s.tables("links") {
        let mut link = link;
        let label = link.text("label");
        let url = link.string("url");
        if let Some(u) = &url {
            if !u.starts_with("https://") {
                link.problem(
                    "url",
                    Some(&Value::String(u.clone())),
                    "expected an https:// URL",
                );
            }
        }
        if label.is_none() {
            link.missing("label");
        }
        if url.is_none() {
            link.missing("url");
        }
        link.finish();
        if let (Some(label), Some(url)) = (label, url) {
            links.push((label, url));
        }
    }
    Positioning {
        tagline,
        value,
        audience,
        differentiators,
        links,
    }
}

fn localized(value: &Value) -> Option<LocalizedText> {
    let table = value.as_table()?;
    let mut text = LocalizedText::default();
    for (tag, item) in table {
        let locale = crate::i18n::Locale::from_config(tag)?;
        text.set(locale, item.as_str()?.to_string());
    }
    (!text.is_empty()).then_some(text)
}

/// Where the welcome goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WelcomeTo {
    Channel,
    Dm,
    Both,
    /// In the answer to "I accept" under the rules, in the member's language (with the
    /// `onboarding.menu` role menu after it when there is one): nothing at join.
    AfterRules,
    Off,
}

pub fn read_welcome(s: &mut Section<'_>) -> (WelcomeTo, Option<LocalizedText>) {
    let to = match s.string("welcome").as_deref() {
        None | Some("channel") => WelcomeTo::Channel,
        Some("dm") => WelcomeTo::Dm,
        Some("both") => WelcomeTo::Both,
        Some("off") => WelcomeTo::Off,
        Some("after_rules") => WelcomeTo::AfterRules,
        Some(other) => {
            s.problem(
                "welcome",
                Some(&Value::String(other.into())),
                "expected \"channel\", \"dm\", \"both\", \"after_rules\" or \"off\"",
            );
            WelcomeTo::Channel
        }
    };
    (to, s.text("welcome_message"))
}

/// A paid-Q&A expert.
#[derive(Debug, Clone, PartialEq)]
pub struct Expert {
    pub user: UserId,
    pub price_points: i64,
    pub answer_within: Duration,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct QaConfig {
    /// Empty: the owners answer, at `default_price` within `default_within`.
    pub experts: Vec<Expert>,
    pub default_price: i64,
    pub default_within: Duration,
    /// Where an answered question's escrow goes: the expert (default) or the community pool.
    pub payout_to_pool: bool,
    /// 围观: points a member pays to read an answer (0: answers are posted openly).
    pub listen_price: i64,
    /// How a listen's price is split: (asker's part, expert's part), e.g. `"50:50"`.
    pub listen_split: (i64, i64),
}

pub fn read_qa(s: &mut Section<'_>) -> QaConfig {
    let default_price = s.int("default_price", 1..=1_000_000).unwrap_or(100);
    let default_within = s
        .duration("default_within")
        .unwrap_or(Duration::from_secs(72 * 3_600));
    let payout_to_pool = match s.string("payout").as_deref() {
        None | Some("expert") => false,
        Some("pool") => true,
        Some(other) => {
            s.problem(
                "payout",
                Some(&Value::String(other.into())),
                "expected \"expert\" or \"pool\"",
            );
            false
        }
    };
    let mut experts = Vec::new();
    for mut e in s.tables("experts") {
        let user = e.id("user").map(UserId::new);
        if user.is_none() && e.raw("user").is_none() {
            e.missing("user");
        }
        let price = e
            .int("price_points", 1..=1_000_000)
            .unwrap_or(default_price);
        let within = e.duration("answer_within").unwrap_or(default_within);
        if within < Duration::from_secs(60) {
            e.problem("answer_within", None, "must be at least 1m");
        }
        e.finish();
        if let Some(user) = user {
            experts.push(Expert {
                user,
                price_points: price,
                answer_within: within,
            });
        }
    }
    let listen_price = s.int("listen_price", 0..=1_000_000).unwrap_or(0);
    let listen_split = match s.string("listen_split") {
        None => (50, 50),
        Some(text) => match parse_split(&text) {
            Some(split) => split,
            None => {
                s.problem(
                    "listen_split",
                    Some(&Value::String(text)),
                    "expected two whole numbers like \"50:50\" (asker:expert), not both 0",
                );
                (50, 50)
            }
        },
    };
    QaConfig {
        experts,
        default_price,
        default_within,
        payout_to_pool,
        listen_price,
        listen_split,
    }
}

/// `"50:50"` (or `"70：30"`): the asker's and the expert's parts.
fn parse_split(text: &str) -> Option<(i64, i64)> {
    let (a, b) = text
        .replace('：', ":")
        .split_once(':')
        .map(|(a, b)| (a.trim().parse::<i64>(), b.trim().parse::<i64>()))?;
    match (a.ok()?, b.ok()?) {
        (a, b) if a >= 0 && b >= 0 && a + b > 0 => Some((a, b)),
        _ => None,
    }
}
