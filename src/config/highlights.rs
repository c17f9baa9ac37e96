//! `[highlights]`: the 精华 index's topics, and the "start here" DM a new paid member gets.

use super::reader::Section;
use crate::i18n::LocalizedText;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct HighlightsConfig {
    /// `[[highlights.topics]]`, in the order the index and the modal list them.
    pub topics: Vec<Topic>,
    /// `[[highlights.start_here]]`, one per product.
    pub start_here: Vec<StartHere>,
}

impl HighlightsConfig {
    pub fn topic(&self, id: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.id == id)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Topic {
    pub id: String,
    pub name: LocalizedText,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StartHere {
    /// A `[[products]]` id: a new grant of it sends the DM.
    pub product: String,
    /// Topics to draw from, in this order (empty: every topic).
    pub topics: Vec<String>,
    /// How many highlights the DM lists.
    pub count: usize,
}

pub fn read_highlights(s: &mut Section<'_>) -> HighlightsConfig {
    let mut ids = Vec::new();
    let mut topics = Vec::new();
    for mut t in s.tables("topics") {
        let id = t.stable_id("id", "basics", &mut ids);
        let name = t.text("name");
        if name.is_none() && t.raw("name").is_none() {
            t.missing("name");
        }
        t.finish();
        if let (Some(id), Some(name)) = (id, name) {
            topics.push(Topic { id, name });
        }
    }
    let mut start_here = Vec::new();
    for mut h in s.tables("start_here") {
        let product = h.string("product");
        if product.is_none() && h.raw("product").is_none() {
            h.missing("product");
        }
        let wanted: Vec<String> = match h.raw("topics") {
            None => Vec::new(),
            Some(toml::Value::Array(items)) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect(),
            Some(other) => {
                h.problem("topics", Some(other), "expected an array of topic ids");
                Vec::new()
            }
        };
        for topic in &wanted {
            if !topics.iter().any(|t: &Topic| &t.id == topic) {
                h.problem(
                    "topics",
                    Some(&toml::Value::String(topic.clone())),
                    "no [[highlights.topics]] has this id",
                );
            }
        }
        let count = h.int("count", 1..=20).unwrap_or(5) as usize;
        h.finish();
        if let Some(product) = product {
            start_here.push(StartHere {
                product,
                topics: wanted,
                count,
            });
        }
    }
    HighlightsConfig { topics, start_here }
}
