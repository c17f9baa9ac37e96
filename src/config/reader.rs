//! A lenient TOML walker that records *every* problem with its key path instead of stopping
//! at the first one, which is what `serde(deny_unknown_fields)` would do. Each typed section of
//! [`super::Config`] is read through a [`Section`]; unknown keys are reported when it finishes.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt;
use std::time::Duration;

use toml::{Table, Value};

use crate::i18n::{Locale, LocalizedText};

/// One thing wrong with a config file, always pointing at the key it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Dotted key path, e.g. `community.timezone`.
    pub path: String,
    /// The offending value as written (TOML syntax), if there was one.
    pub value: Option<String>,
    /// Why it is wrong, and what would be right.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(value) => write!(f, "{} = {}: {}", self.path, value, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// Collects problems while sections are read.
#[derive(Default)]
pub struct Reader {
    problems: RefCell<Vec<Problem>>,
}

impl Reader {
    pub fn problem(
        &self,
        path: impl Into<String>,
        value: Option<&Value>,
        message: impl Into<String>,
    ) {
        self.problems.borrow_mut().push(Problem {
            path: path.into(),
            value: value.map(render),
            message: message.into(),
        });
    }

    pub fn into_problems(self) -> Vec<Problem> {
        self.problems.into_inner()
    }

    /// Opens the top-level table `name`; a missing section reads as empty (all defaults).
    /// Reads section `name` with `read`, then reports its keys nobody asked for.
    pub fn read<'a, T>(
        &'a self,
        root: &'a Table,
        name: &str,
        read: impl FnOnce(&mut Section<'a>) -> T,
    ) -> T {
        let mut section = self.section(root, name);
        let out = read(&mut section);
        section.finish();
        out
    }

    pub fn section<'a>(&'a self, root: &'a Table, name: &str) -> Section<'a> {
        let table = match root.get(name) {
            None => None,
            Some(Value::Table(table)) => Some(table),
            Some(other) => {
                self.problem(name, Some(other), "expected a table (a [section])");
                None
            }
        };
        Section {
            reader: self,
            path: name.to_string(),
            table,
            seen: BTreeSet::new(),
        }
    }

    /// A top-level array of tables (`[[rules]]`), each read as a section (`rules[0]`).
    pub fn array<'a>(&'a self, root: &'a Table, name: &str) -> Vec<Section<'a>> {
        match root.get(name) {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| match item {
                    Value::Table(table) => Some(Section {
                        reader: self,
                        path: format!("{name}[{i}]"),
                        table: Some(table),
                        seen: BTreeSet::new(),
                    }),
                    other => {
                        self.problem(format!("{name}[{i}]"), Some(other), "expected a table");
                        None
                    }
                })
                .collect(),
            Some(other) => {
                self.problem(name, Some(other), "expected an array of tables ([[…]])");
                Vec::new()
            }
        }
    }

    /// Reports top-level keys that are not one of `known` sections.
    pub fn unknown_sections(&self, root: &Table, known: &[&str]) {
        for (key, value) in root {
            if !known.contains(&key.as_str()) {
                let hint = suggest(key, known.iter().copied())
                    .map(|s| format!(", did you mean [{s}]?"))
                    .unwrap_or_default();
                self.problem(key.clone(), Some(value), format!("unknown section{hint}"));
            }
        }
    }
}

/// A view of one `[section]` that remembers which keys were read.
pub struct Section<'a> {
    reader: &'a Reader,
    path: String,
    table: Option<&'a Table>,
    seen: BTreeSet<String>,
}

impl<'a> Section<'a> {
    fn key_path(&self, key: &str) -> String {
        format!("{}.{}", self.path, key)
    }

    /// The raw value, marking the key as known.
    pub fn raw(&mut self, key: &str) -> Option<&'a Value> {
        self.seen.insert(key.to_string());
        self.table.and_then(|t| t.get(key))
    }

    pub fn problem(&self, key: &str, value: Option<&Value>, message: impl Into<String>) {
        self.reader.problem(self.key_path(key), value, message);
    }

    pub fn missing(&self, key: &str) {
        self.problem(key, None, "is required");
    }

    pub fn string(&mut self, key: &str) -> Option<String> {
        match self.raw(key)? {
            Value::String(s) => Some(s.clone()),
            other => {
                self.problem(key, Some(other), "expected a string");
                None
            }
        }
    }

    /// A required, stable id for an item of an array of tables (`[[products]]`,
    /// `[[schedule]]`): letters, digits, '-' and '_', unique among `seen` (which it joins).
    pub fn stable_id(
        &mut self,
        key: &str,
        example: &str,
        seen: &mut Vec<String>,
    ) -> Option<String> {
        let id = self.string(key).map(|s| s.trim().to_string());
        match &id {
            None if self.raw(key).is_none() => self.missing(key),
            Some(id)
                if id.is_empty()
                    || !id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
            {
                self.problem(
                    key,
                    None,
                    format!("use letters, digits, '-' and '_' only (e.g. \"{example}\")"),
                )
            }
            Some(id) if seen.contains(id) => {
                self.problem(key, None, format!("\"{id}\" is used twice"))
            }
            _ => {}
        }
        seen.extend(id.clone());
        id
    }

    /// A Discord snowflake: a positive integer, or a string of digits (some tools quote them).
    pub fn id(&mut self, key: &str) -> Option<u64> {
        let value = self.raw(key)?;
        match parse_id(value) {
            Ok(id) => Some(id),
            Err(message) => {
                self.problem(key, Some(value), message);
                None
            }
        }
    }

    pub fn ids(&mut self, key: &str) -> Vec<u64> {
        let Some(value) = self.raw(key) else {
            return Vec::new();
        };
        let Value::Array(items) = value else {
            self.problem(key, Some(value), "expected an array of Discord ids");
            return Vec::new();
        };
        let mut ids = Vec::new();
        for (index, item) in items.iter().enumerate() {
            match parse_id(item) {
                Ok(id) => ids.push(id),
                Err(message) => self.reader.problem(
                    format!("{}[{index}]", self.key_path(key)),
                    Some(item),
                    message,
                ),
            }
        }
        ids
    }

    /// An integer within `range` (inclusive).
    pub fn int(&mut self, key: &str, range: std::ops::RangeInclusive<i64>) -> Option<i64> {
        let value = self.raw(key)?;
        self.within(
            key,
            value,
            value.as_integer(),
            range,
            "expected a whole number",
        )
    }

    /// A number (integer or decimal) within `range`.
    pub fn float(&mut self, key: &str, range: std::ops::RangeInclusive<f64>) -> Option<f64> {
        let value = self.raw(key)?;
        let number = value
            .as_float()
            .or_else(|| value.as_integer().map(|n| n as f64));
        self.within(key, value, number, range, "expected a number")
    }

    /// `number` if it was read and lies in `range`; otherwise the problem, named after `key`.
    fn within<T: PartialOrd + std::fmt::Display>(
        &self,
        key: &str,
        value: &Value,
        number: Option<T>,
        range: std::ops::RangeInclusive<T>,
        not_a_number: &str,
    ) -> Option<T> {
        match number {
            Some(n) if range.contains(&n) => Some(n),
            Some(_) => {
                self.problem(
                    key,
                    Some(value),
                    format!("must be between {} and {}", range.start(), range.end()),
                );
                None
            }
            None => {
                self.problem(key, Some(value), not_a_number);
                None
            }
        }
    }

    pub fn boolean(&mut self, key: &str) -> Option<bool> {
        let value = self.raw(key)?;
        let parsed = value.as_bool();
        if parsed.is_none() {
            self.problem(key, Some(value), "expected true or false");
        }
        parsed
    }

    /// An array of tables (`[[section.key]]` or `key = [{ … }, …]`), each read as a section
    /// whose problems name its index (`shop.items[2].price`).
    pub fn tables(&mut self, key: &str) -> Vec<Section<'a>> {
        let Some(value) = self.raw(key) else {
            return Vec::new();
        };
        let Value::Array(items) = value else {
            self.problem(key, Some(value), "expected an array of tables");
            return Vec::new();
        };
        let mut sections = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let path = format!("{}[{index}]", self.key_path(key));
            match item {
                Value::Table(table) => sections.push(Section {
                    reader: self.reader,
                    path,
                    table: Some(table),
                    seen: BTreeSet::new(),
                }),
                other => self.reader.problem(path, Some(other), "expected a table"),
            }
        }
        sections
    }

    /// A nested table (`[automod.banned_words]`) as a section: none when absent.
    pub fn tables_or_table(&mut self, key: &str) -> Vec<Section<'a>> {
        let Some(value) = self.raw(key) else {
            return Vec::new();
        };
        match value {
            Value::Table(table) => vec![Section {
                reader: self.reader,
                path: self.key_path(key),
                table: Some(table),
                seen: BTreeSet::new(),
            }],
            other => {
                self.problem(key, Some(other), "expected a table");
                Vec::new()
            }
        }
    }

    /// The key path of this section, for problems that span several keys.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// A human duration such as `"60s"`, `"10m"`, `"30d"` or `"1h 30m"`.
    pub fn duration(&mut self, key: &str) -> Option<Duration> {
        let value = self.raw(key)?;
        match value {
            Value::String(s) => match humantime::parse_duration(s) {
                Ok(d) => Some(d),
                Err(e) => {
                    self.problem(
                        key,
                        Some(value),
                        format!("not a duration ({e}); write e.g. \"60s\", \"10m\" or \"30d\""),
                    );
                    None
                }
            },
            other => {
                self.problem(
                    key,
                    Some(other),
                    "expected a duration string such as \"10m\"",
                );
                None
            }
        }
    }

    pub fn locale(&mut self, key: &str) -> Option<Locale> {
        let value = self.raw(key)?;
        let parsed = value.as_str().and_then(Locale::from_config);
        if parsed.is_none() {
            self.problem(
                key,
                Some(value),
                "unknown locale; expected \"en\" or \"zh-CN\"",
            );
        }
        parsed
    }

    /// Member-facing text: a plain string, or a table keyed by locale
    /// (`{ en = "…", "zh-CN" = "…" }`).
    pub fn text(&mut self, key: &str) -> Option<LocalizedText> {
        let value = self.raw(key)?;
        match value {
            Value::String(s) => Some(LocalizedText::plain(s.clone())),
            Value::Table(table) => {
                let mut text = LocalizedText::default();
                for (tag, item) in table {
                    let path = format!("{}.{}", self.key_path(key), quote_key(tag));
                    match (Locale::from_config(tag), item.as_str()) {
                        (Some(locale), Some(s)) => text.set(locale, s.to_string()),
                        (None, _) => self.reader.problem(
                            path,
                            Some(item),
                            "unknown locale; expected \"en\" or \"zh-CN\"",
                        ),
                        (_, None) => self.reader.problem(path, Some(item), "expected a string"),
                    }
                }
                if text.is_empty() {
                    self.problem(key, Some(value), "needs at least one locale");
                    return None;
                }
                Some(text)
            }
            other => {
                self.problem(
                    key,
                    Some(other),
                    "expected a string or a table keyed by locale (en, zh-CN)",
                );
                None
            }
        }
    }

    /// Reports every key that no reader asked for.
    pub fn finish(self) {
        let Some(table) = self.table else { return };
        for (key, value) in table {
            if !self.seen.contains(key) {
                let hint = suggest(key, self.seen.iter().map(String::as_str))
                    .map(|s| format!(", did you mean \"{s}\"?"))
                    .unwrap_or_default();
                self.problem(key, Some(value), format!("unknown key{hint}"));
            }
        }
    }
}

fn parse_id(value: &Value) -> Result<u64, &'static str> {
    let id = match value {
        Value::Integer(i) if *i > 0 => Some(*i as u64),
        Value::String(s) => s.parse::<u64>().ok().filter(|id| *id > 0),
        _ => None,
    };
    id.ok_or("expected a Discord id (a positive integer, e.g. 123456789012345678)")
}

fn quote_key(key: &str) -> String {
    if key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}

/// Renders a value as it would be written in TOML, shortened so one problem stays one line.
fn render(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(80).collect::<String>())
    } else {
        text
    }
}

/// The closest candidate, if it is close enough to be a likely typo.
pub fn suggest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lowered = input.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(&lowered, &c.to_lowercase()), c))
        .filter(|(distance, c)| *distance <= 3.max(c.len() / 5) && *distance < c.len())
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}
