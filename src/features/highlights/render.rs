//! Highlights as members and staff read them: the topic modal, the index parts, search
//! results and the start-here DM. Pure.

use serde_json::{json, Value};

use super::store::HighlightRow;
use super::MODAL_PREFIX;
use crate::config::highlights::Topic;
use crate::discord::components::{self, Field};
use crate::i18n::Locale;
use crate::outbox::MessageBody;
use crate::t;

/// Discord's embed description holds 4,096 characters; a part stays well inside it.
pub const PART_LIMIT: usize = 3_900;

pub fn link(guild: u64, row: &HighlightRow) -> String {
    format!(
        "https://discord.com/channels/{guild}/{}/{}",
        row.channel_id, row.message_id
    )
}

/// A highlight's title from its message: the first line, at most 80 characters.
pub fn title_from(text: &str) -> String {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("…");
    let mut title: String = first.trim().chars().take(80).collect();
    if first.trim().chars().count() > 80 {
        title.push('…');
    }
    title
}

/// The topic modal (response type 9), filled in with what is known.
pub fn modal(
    message: i64,
    topics: &[Topic],
    topic: Option<&str>,
    title: &str,
    locale: Locale,
) -> Value {
    let names: Vec<&str> = topics.iter().map(|t| t.id.as_str()).collect();
    let label: String = t!(locale, "highlight-modal-topic", topics = names.join(", "))
        .chars()
        .take(45)
        .collect();
    let preset = topic.or_else(|| (topics.len() == 1).then(|| topics[0].id.as_str()));
    let topic = Field::new("topic", &label, 40)
        .min(1)
        .placeholder(names.join(" / "))
        .value(preset.map(str::to_string));
    let name = Field::new("title", &t!(locale, "highlight-modal-name"), 100)
        .optional()
        .value(Some(title.to_string()));
    components::form(
        format!("{MODAL_PREFIX}{message}"),
        &t!(locale, "highlight-modal-title"),
        &[topic, name],
    )
}

/// The index lines of one topic: each highlight as a link with its author.
pub fn index_lines(guild: u64, rows: &[HighlightRow]) -> Vec<String> {
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            format!(
                "{}. [{}]({}) — <@{}>",
                i + 1,
                r.title.replace(['[', ']'], ""),
                link(guild, r),
                r.author_id
            )
        })
        .collect()
}

/// One index message: the topic's name, the part number when there are several, the lines.
pub fn index_part(
    topic: &Topic,
    part: usize,
    parts: usize,
    text: &str,
    locale: Locale,
) -> MessageBody {
    let mut title = t!(
        locale,
        "highlight-index-title",
        topic = topic.name.get(locale).to_string()
    );
    if parts > 1 {
        title.push_str(&format!(" ({}/{parts})", part + 1));
    }
    let description = if text.is_empty() {
        t!(locale, "highlight-index-empty")
    } else {
        text.to_string()
    };
    MessageBody {
        content: String::new(),
        embeds: vec![json!({ "title": title, "description": description, "color": 0xF1C40F })],
        components: Vec::new(),
        ..Default::default()
    }
}

/// The start-here DM: a welcome and the product's highlights as links.
pub fn start_here(product: &str, guild: u64, rows: &[HighlightRow], locale: Locale) -> MessageBody {
    let lines: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "• [{}]({})",
                r.title.replace(['[', ']'], ""),
                link(guild, r)
            )
        })
        .collect();
    MessageBody {
        content: String::new(),
        embeds: vec![json!({
            "title": t!(locale, "start-here-title"),
            "description": format!("{}\n\n{}", t!(locale, "start-here-intro", product = product.to_string()), lines.join("\n")),
            "color": 0x57F287,
        })],
        components: Vec::new(),
        ..Default::default()
    }
}
