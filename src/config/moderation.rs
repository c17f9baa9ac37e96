//! `[[rules]]`, `[onboarding]`, `[automod.*]` and `[warnings]`: community rules, the automod
//! filters and what they do, and how warnings decay and escalate. Policy only.

use std::time::Duration;

use serenity::all::{ChannelId, RoleId};

use super::reader::Section;
use crate::i18n::LocalizedText;

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub id: String,
    pub title: LocalizedText,
    pub text: LocalizedText,
}

/// What an automod filter does when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Delete,
    /// Delete, and a warning of `warn_points`.
    DeleteWarn,
    /// A timeout of `duration`.
    Timeout,
    /// Only a mod-log line.
    Log,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Delete => "delete",
            Action::DeleteWarn => "delete_warn",
            Action::Timeout => "timeout",
            Action::Log => "log",
        }
    }
}

/// What every filter has: on/off, its action, its scope and who is exempt.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterPolicy {
    pub enabled: bool,
    pub action: Action,
    pub warn_points: i64,
    /// For `timeout`.
    pub duration: Duration,
    /// Only these channels (empty: every channel).
    pub channels: Vec<ChannelId>,
    pub exempt_roles: Vec<RoleId>,
}

impl FilterPolicy {
    fn off(action: Action) -> FilterPolicy {
        FilterPolicy {
            enabled: false,
            action,
            warn_points: 1,
            duration: Duration::from_secs(600),
            channels: Vec::new(),
            exempt_roles: Vec::new(),
        }
    }

    pub fn applies(&self, channel: ChannelId, roles: &[RoleId]) -> bool {
        self.enabled
            && (self.channels.is_empty() || self.channels.contains(&channel))
            && !roles.iter().any(|r| self.exempt_roles.contains(r))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AutomodConfig {
    /// Staff (moderator and up) are never checked.
    pub staff_exempt: bool,
    pub banned_words: FilterPolicy,
    pub words: Vec<String>,
    pub regex: FilterPolicy,
    pub patterns: Vec<String>,
    pub links: FilterPolicy,
    /// Domains links may point to (and their subdomains).
    pub allowed_domains: Vec<String>,
    /// Invite codes of this server (other invites are blocked).
    pub allowed_invites: Vec<String>,
    pub mentions: FilterPolicy,
    pub max_mentions: usize,
    pub flood: FilterPolicy,
    pub flood_messages: usize,
    pub flood_window: Duration,
    pub duplicates: FilterPolicy,
    pub duplicate_count: usize,
    pub duplicate_window: Duration,
    pub caps: FilterPolicy,
    pub caps_ratio: f64,
    pub caps_min_letters: usize,
    /// Raid alert: more than `raid_joins` joins within `raid_window` posts to the mod log.
    pub raid_joins: usize,
    pub raid_window: Duration,
}

impl Default for AutomodConfig {
    fn default() -> Self {
        AutomodConfig {
            staff_exempt: true,
            banned_words: FilterPolicy::off(Action::DeleteWarn),
            words: Vec::new(),
            regex: FilterPolicy::off(Action::Delete),
            patterns: Vec::new(),
            links: FilterPolicy::off(Action::Delete),
            allowed_domains: Vec::new(),
            allowed_invites: Vec::new(),
            mentions: FilterPolicy::off(Action::Delete),
            max_mentions: 5,
            flood: FilterPolicy::off(Action::Timeout),
            flood_messages: 6,
            flood_window: Duration::from_secs(10),
            duplicates: FilterPolicy::off(Action::Delete),
            duplicate_count: 3,
            duplicate_window: Duration::from_secs(60),
            caps: FilterPolicy::off(Action::Delete),
            caps_ratio: 0.7,
            caps_min_letters: 10,
            raid_joins: 10,
            raid_window: Duration::from_secs(30),
        }
    }
}

/// One rung of the escalation ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escalate {
    Timeout,
    Kick,
    Ban,
}

impl Escalate {
    pub fn as_str(self) -> &'static str {
        match self {
            Escalate::Timeout => "timeout",
            Escalate::Kick => "kick",
            Escalate::Ban => "ban",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rung {
    pub at_points: i64,
    pub action: Escalate,
    pub duration: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WarningsConfig {
    /// A warning stops counting after this long.
    pub expire_after: Duration,
    /// Optional decay: a warning loses `decay_points` every `decay_every` (0: no decay).
    pub decay_points: i64,
    pub decay_every: Duration,
    pub escalation: Vec<Rung>,
}

impl Default for WarningsConfig {
    fn default() -> Self {
        WarningsConfig {
            expire_after: Duration::from_secs(30 * 86_400),
            decay_points: 0,
            decay_every: Duration::from_secs(7 * 86_400),
            escalation: Vec::new(),
        }
    }
}

fn read_action(s: &mut Section<'_>, default: Action) -> Action {
    let Some(value) = s.raw("action") else {
        return default;
    };
    match value.as_str() {
        Some("delete") => Action::Delete,
        Some("delete_warn") => Action::DeleteWarn,
        Some("timeout") => Action::Timeout,
        Some("log") => Action::Log,
        _ => {
            s.problem(
                "action",
                Some(value),
                "expected \"delete\", \"delete_warn\", \"timeout\" or \"log\"",
            );
            default
        }
    }
}

/// Discord's longest timeout.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(28 * 86_400);

fn read_policy(s: &mut Section<'_>, default: Action) -> FilterPolicy {
    let duration = s.duration("duration").unwrap_or(Duration::from_secs(600));
    if duration > MAX_TIMEOUT {
        s.problem(
            "duration",
            None,
            "must be at most 28 days (Discord's limit)",
        );
    }
    FilterPolicy {
        enabled: s.boolean("enabled").unwrap_or(false),
        action: read_action(s, default),
        warn_points: s.int("warn_points", 1..=100).unwrap_or(1),
        duration,
        channels: s.ids("channels").into_iter().map(ChannelId::new).collect(),
        exempt_roles: s.ids("exempt_roles").into_iter().map(RoleId::new).collect(),
    }
}

fn strings(s: &mut Section<'_>, key: &str) -> Vec<String> {
    let Some(value) = s.raw(key) else {
        return Vec::new();
    };
    let Some(items) = value.as_array() else {
        s.problem(key, Some(value), "expected an array of strings");
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item.as_str() {
            Some(text) if text.trim().is_empty() => {
                s.problem(&format!("{key}[{i}]"), Some(item), "must not be empty")
            }
            Some(text) if out.iter().any(|o| o.eq_ignore_ascii_case(text.trim())) => {
                s.problem(&format!("{key}[{i}]"), Some(item), "is listed twice")
            }
            Some(text) => out.push(text.trim().to_string()),
            None => s.problem(&format!("{key}[{i}]"), Some(item), "expected a string"),
        }
    }
    out
}

/// Reads `[automod]` with one sub-table per filter.
pub fn read_automod(s: &mut Section<'_>) -> AutomodConfig {
    let d = AutomodConfig::default();
    let mut config = AutomodConfig {
        staff_exempt: s.boolean("staff_exempt").unwrap_or(true),
        ..d.clone()
    };
    for mut f in s.tables_or_table("banned_words") {
        config.banned_words = read_policy(&mut f, Action::DeleteWarn);
        config.words = strings(&mut f, "words");
        f.finish();
    }
    for mut f in s.tables_or_table("regex") {
        config.regex = read_policy(&mut f, Action::Delete);
        config.patterns = strings(&mut f, "patterns");
        for (i, pattern) in config.patterns.iter().enumerate() {
            if let Err(e) = regex::Regex::new(pattern) {
                let first = e.to_string().lines().last().unwrap_or_default().to_string();
                f.problem(
                    &format!("patterns[{i}]"),
                    None,
                    format!("not a valid regex: {first}"),
                );
            }
        }
        f.finish();
    }
    for mut f in s.tables_or_table("links") {
        config.links = read_policy(&mut f, Action::Delete);
        config.allowed_domains = strings(&mut f, "allowed_domains")
            .into_iter()
            .map(|d| d.to_lowercase())
            .collect();
        config.allowed_invites = strings(&mut f, "allowed_invites");
        f.finish();
    }
    for mut f in s.tables_or_table("mentions") {
        config.mentions = read_policy(&mut f, Action::Delete);
        config.max_mentions = f.int("max", 1..=100).map_or(d.max_mentions, |n| n as usize);
        f.finish();
    }
    for mut f in s.tables_or_table("flood") {
        config.flood = read_policy(&mut f, Action::Timeout);
        config.flood_messages = f
            .int("messages", 2..=100)
            .map_or(d.flood_messages, |n| n as usize);
        config.flood_window = f.duration("window").unwrap_or(d.flood_window);
        f.finish();
    }
    for mut f in s.tables_or_table("duplicates") {
        config.duplicates = read_policy(&mut f, Action::Delete);
        config.duplicate_count = f
            .int("count", 2..=100)
            .map_or(d.duplicate_count, |n| n as usize);
        config.duplicate_window = f.duration("window").unwrap_or(d.duplicate_window);
        f.finish();
    }
    for mut f in s.tables_or_table("caps") {
        config.caps = read_policy(&mut f, Action::Delete);
        config.caps_ratio = f.float("ratio", 0.1..=1.0).unwrap_or(d.caps_ratio);
        config.caps_min_letters = f
            .int("min_letters", 1..=2_000)
            .map_or(d.caps_min_letters, |n| n as usize);
        f.finish();
    }
    for mut f in s.tables_or_table("raid") {
        config.raid_joins = f
            .int("joins", 2..=10_000)
            .map_or(d.raid_joins, |n| n as usize);
        config.raid_window = f.duration("window").unwrap_or(d.raid_window);
        f.finish();
    }
    config
}

pub fn read_warnings(s: &mut Section<'_>) -> WarningsConfig {
    let d = WarningsConfig::default();
    let escalation = s
        .tables("escalation")
        .into_iter()
        .filter_map(|mut r| {
            let at_points = r.int("at_points", 1..=1_000);
            let duration = r.duration("duration").unwrap_or(Duration::from_secs(3_600));
            let action = match r.raw("action").and_then(|a| a.as_str()) {
                Some("timeout") => Some(Escalate::Timeout),
                Some("kick") => Some(Escalate::Kick),
                Some("ban") => Some(Escalate::Ban),
                _ => {
                    let value = r.raw("action").cloned();
                    r.problem(
                        "action",
                        value.as_ref(),
                        "expected \"timeout\", \"kick\" or \"ban\"",
                    );
                    None
                }
            };
            if action == Some(Escalate::Timeout) && duration > MAX_TIMEOUT {
                r.problem(
                    "duration",
                    None,
                    "must be at most 28 days (Discord's limit)",
                );
            }
            if r.raw("at_points").is_none() {
                r.missing("at_points");
            }
            r.finish();
            Some(Rung {
                at_points: at_points?,
                action: action?,
                duration,
            })
        })
        .collect();
    WarningsConfig {
        expire_after: s.duration("expire_after").unwrap_or(d.expire_after),
        decay_points: s.int("decay_points", 0..=100).unwrap_or(d.decay_points),
        decay_every: s.duration("decay_every").unwrap_or(d.decay_every),
        escalation,
    }
}

/// Reads `[[rules]]` (the top-level array).
pub fn read_rules(items: Vec<Section<'_>>) -> Vec<Rule> {
    let mut rules: Vec<Rule> = Vec::new();
    for mut r in items {
        let id = r.string("id");
        let title = r.text("title");
        let text = r.text("text");
        for (key, ok) in [
            ("id", id.is_some()),
            ("title", title.is_some()),
            ("text", text.is_some()),
        ] {
            if !ok && r.raw(key).is_none() {
                r.missing(key);
            }
        }
        if let Some(id) = &id {
            if rules.iter().any(|x| &x.id == id) {
                r.problem("id", None, format!("\"{id}\" is used by another rule"));
            }
        }
        r.finish();
        if let (Some(id), Some(title), Some(text)) = (id, title, text) {
            rules.push(Rule { id, title, text });
        }
    }
    rules
}
