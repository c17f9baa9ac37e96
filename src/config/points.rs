//! `[points]` and `[shop]`: how members earn points and what they can buy. Policy only; the
//! ledger and orders are state in SQLite.

use std::time::Duration;

use serenity::all::{ChannelId, RoleId};

use super::reader::Section;
use crate::i18n::LocalizedText;

#[derive(Debug, Clone, PartialEq)]
pub struct PointsConfig {
    /// A chat award is a random amount in `[message_min, message_max]`.
    pub message_min: i64,
    pub message_max: i64,
    /// At most one chat award per member per cooldown.
    pub cooldown: Duration,
    /// Shorter messages (in characters, not bytes) earn nothing.
    pub min_chars: usize,
    /// Chat points per member per local day, at most.
    pub daily_cap: i64,
    pub excluded_channels: Vec<ChannelId>,
    pub excluded_roles: Vec<RoleId>,
    /// Per-channel factors (e.g. 2× in #study).
    pub multipliers: Vec<(ChannelId, f64)>,
    /// A message deleted this soon after its award gives the points back.
    pub delete_window: Duration,
    /// `/checkin`: base points, and bonuses on streak days.
    pub checkin_points: i64,
    pub streak_bonus: Vec<(u32, i64)>,
    /// A streak freeze is earned every this many days of streak (0: never); at most `max_freezes`.
    pub streak_freeze_every: u32,
    pub max_freezes: u32,
    /// Helpful answers: this reaction, by a moderator or by `helpful_threshold` members.
    pub helpful_emoji: String,
    pub helpful_threshold: u32,
    pub helpful_points: i64,
    /// Points for attending an event (`/event attended`).
    pub attendance_points: i64,
    /// Earned once when staff mark a member's feedback done (adopted).
    pub feedback_adopted: i64,
    /// Points per check-in in a 打卡 challenge (`/challenge`).
    pub challenge_checkin: i64,
    /// Points for finishing a challenge (every day checked in or excused).
    pub challenge_completion: i64,
    /// Points for handing in homework (once per assignment).
    pub homework_submit: i64,
    /// Points when staff feature a submission (⭐, once per submission).
    pub homework_featured: i64,
    /// Points for the author of a message added to 精华 (once per message).
    pub highlight: i64,
    /// Where level-ups are announced (none: not announced).
    pub level_up_channel: Option<ChannelId>,
    pub level_roles: Vec<LevelRole>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LevelRole {
    pub level: u32,
    pub role: RoleId,
    /// Keep this role after reaching a higher level role (otherwise it is swapped).
    pub keep_previous: bool,
}

impl Default for PointsConfig {
    fn default() -> Self {
        PointsConfig {
            message_min: 15,
            message_max: 25,
            cooldown: Duration::from_secs(60),
            min_chars: 5,
            daily_cap: 500,
            excluded_channels: Vec::new(),
            excluded_roles: Vec::new(),
            multipliers: Vec::new(),
            delete_window: Duration::from_secs(300),
            checkin_points: 10,
            streak_bonus: vec![(7, 50), (30, 200)],
            streak_freeze_every: 7,
            max_freezes: 2,
            helpful_emoji: "✅".into(),
            helpful_threshold: 3,
            helpful_points: 50,
            attendance_points: 20,
            feedback_adopted: 50,
            challenge_checkin: 10,
            challenge_completion: 100,
            homework_submit: 10,
            homework_featured: 50,
            highlight: 30,
            level_up_channel: None,
            level_roles: Vec::new(),
        }
    }
}

const MAX_AWARD: i64 = 100_000;

pub fn read_points(s: &mut Section<'_>) -> PointsConfig {
    let d = PointsConfig::default();
    let message_min = s.int("message_min", 0..=MAX_AWARD).unwrap_or(d.message_min);
    let message_max = s.int("message_max", 0..=MAX_AWARD).unwrap_or(d.message_max);
    if message_min > message_max {
        s.problem(
            "message_min",
            None,
            format!("must not be more than points.message_max ({message_max})"),
        );
    }
    let multipliers = read_multipliers(s);
    let streak_bonus = read_streak_bonus(s);
    let level_roles = read_level_roles(s);
    let helpful_emoji = read_helpful_emoji(s, d.helpful_emoji.clone());
    PointsConfig {
        message_min,
        message_max,
        cooldown: s.duration("cooldown").unwrap_or(d.cooldown),
        min_chars: s
            .int("min_chars", 0..=2_000)
            .map_or(d.min_chars, |n| n as usize),
        daily_cap: s.int("daily_cap", 0..=10_000_000).unwrap_or(d.daily_cap),
        excluded_channels: s
            .ids("excluded_channels")
            .into_iter()
            .map(ChannelId::new)
            .collect(),
        excluded_roles: s
            .ids("excluded_roles")
            .into_iter()
            .map(RoleId::new)
            .collect(),
        multipliers,
        delete_window: s.duration("delete_window").unwrap_or(d.delete_window),
        checkin_points: s
            .int("checkin_points", 0..=MAX_AWARD)
            .unwrap_or(d.checkin_points),
        streak_bonus: if s.raw("streak_bonus").is_some() {
            streak_bonus
        } else {
            d.streak_bonus
        },
        streak_freeze_every: s
            .int("streak_freeze_every", 0..=365)
            .map_or(d.streak_freeze_every, |n| n as u32),
        max_freezes: s
            .int("max_freezes", 0..=30)
            .map_or(d.max_freezes, |n| n as u32),
        helpful_emoji,
        helpful_threshold: s
            .int("helpful_threshold", 1..=1_000)
            .map_or(d.helpful_threshold, |n| n as u32),
        helpful_points: s
            .int("helpful_points", 0..=MAX_AWARD)
            .unwrap_or(d.helpful_points),
        attendance_points: s
            .int("attendance_points", 0..=MAX_AWARD)
            .unwrap_or(d.attendance_points),
        feedback_adopted: s
            .int("feedback_adopted", 0..=MAX_AWARD)
            .unwrap_or(d.feedback_adopted),
        challenge_checkin: s
            .int("challenge_checkin", 0..=MAX_AWARD)
            .unwrap_or(d.challenge_checkin),
        challenge_completion: s
            .int("challenge_completion", 0..=MAX_AWARD)
            .unwrap_or(d.challenge_completion),
        homework_submit: s
            .int("homework_submit", 0..=MAX_AWARD)
            .unwrap_or(d.homework_submit),
        homework_featured: s
            .int("homework_featured", 0..=MAX_AWARD)
            .unwrap_or(d.homework_featured),
        highlight: s.int("highlight", 0..=MAX_AWARD).unwrap_or(d.highlight),
        level_up_channel: s.id("level_up_channel").map(ChannelId::new),
        level_roles,
    }
}

/// `[[points.multipliers]]`: a channel and its factor.
fn read_multipliers(s: &mut Section<'_>) -> Vec<(ChannelId, f64)> {
    s.tables("multipliers")
        .into_iter()
        .filter_map(|mut m| {
            let channel = m.id("channel");
            let factor = m.float("factor", 0.0..=100.0);
            if channel.is_none() {
                m.missing("channel");
            }
            if factor.is_none() && m.raw("factor").is_none() {
                m.missing("factor");
            }
            m.finish();
            Some((ChannelId::new(channel?), factor?))
        })
        .collect()
}

/// `[[points.streak_bonus]]`: extra points on a given streak day.
fn read_streak_bonus(s: &mut Section<'_>) -> Vec<(u32, i64)> {
    s.tables("streak_bonus")
        .into_iter()
        .filter_map(|mut b| {
            let day = b.int("day", 1..=10_000);
            let points = b.int("points", 0..=MAX_AWARD);
            if b.raw("day").is_none() {
                b.missing("day");
            }
            if b.raw("points").is_none() {
                b.missing("points");
            }
            b.finish();
            Some((day? as u32, points?))
        })
        .collect()
}

/// `[[points.level_roles]]`: the role a level gives.
fn read_level_roles(s: &mut Section<'_>) -> Vec<LevelRole> {
    s.tables("level_roles")
        .into_iter()
        .filter_map(|mut r| {
            let level = r.int("level", 1..=1_000);
            let role = r.id("role");
            let keep_previous = r.boolean("keep_previous").unwrap_or(false);
            if r.raw("level").is_none() {
                r.missing("level");
            }
            if role.is_none() {
                r.missing("role");
            }
            r.finish();
            Some(LevelRole {
                level: level? as u32,
                role: RoleId::new(role?),
                keep_previous,
            })
        })
        .collect()
}

/// `helpful_emoji`: one emoji Discord can react with.
fn read_helpful_emoji(s: &mut Section<'_>, default: String) -> String {
    let helpful_emoji = s.string("helpful_emoji").unwrap_or(default);
    if helpful_emoji.trim().is_empty() {
        s.problem("helpful_emoji", None, "must not be empty");
    } else if let Some(problem) = super::mistakes::emoji_problem(&helpful_emoji) {
        let value = toml::Value::String(helpful_emoji.clone());
        s.problem("helpful_emoji", Some(&value), problem);
    }
    helpful_emoji
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    /// A permanent role.
    Role,
    /// A role for `duration`, removed on time (one grants table with paid products).
    TimedRole,
    /// A gift staff hand over: the order waits in `channels.staff` for fulfil or refund.
    Manual,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ShopItem {
    pub id: String,
    pub name: LocalizedText,
    pub price: i64,
    pub stock: Option<i64>,
    pub per_member_limit: Option<i64>,
    pub kind: ItemKind,
    pub role: Option<RoleId>,
    pub duration: Option<Duration>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ShopConfig {
    pub items: Vec<ShopItem>,
}

impl ShopConfig {
    pub fn item(&self, id: &str) -> Option<&ShopItem> {
        self.items.iter().find(|i| i.id == id)
    }
}

pub fn read_shop(s: &mut Section<'_>) -> ShopConfig {
    let mut items: Vec<ShopItem> = Vec::new();
    for mut t in s.tables("items") {
        let id = t.string("id");
        let name = t.text("name");
        let price = t.int("price", 1..=10_000_000);
        let stock = t.int("stock", 0..=10_000_000);
        let per_member_limit = t.int("per_member_limit", 1..=10_000);
        let role = t.id("role").map(RoleId::new);
        let duration = t.duration("duration");
        let kind = match t.raw("kind").and_then(|k| k.as_str()) {
            Some("role") => Some(ItemKind::Role),
            Some("timed_role") => Some(ItemKind::TimedRole),
            Some("manual") => Some(ItemKind::Manual),
            other => {
                let value = t.raw("kind").cloned();
                let message = match other {
                    None if value.is_none() => {
                        "is required: \"role\", \"timed_role\" or \"manual\""
                    }
                    _ => "expected \"role\", \"timed_role\" or \"manual\"",
                };
                t.problem("kind", value.as_ref(), message);
                None
            }
        };
        for (key, present) in [("id", id.is_some()), ("name", name.is_some())] {
            if !present && t.raw(key).is_none() {
                t.missing(key);
            }
        }
        if price.is_none() && t.raw("price").is_none() {
            t.missing("price");
        }
        if matches!(kind, Some(ItemKind::Role | ItemKind::TimedRole)) && role.is_none() {
            t.problem("role", None, "is required for a role or timed_role item");
        }
        if kind == Some(ItemKind::TimedRole) && duration.is_none() {
            t.problem(
                "duration",
                None,
                "is required for a timed_role item, e.g. \"7d\"",
            );
        }
        if let Some(id) = &id {
            if items.iter().any(|i| &i.id == id) {
                t.problem("id", None, format!("\"{id}\" is used by another item"));
            }
        }
        t.finish();
        if let (Some(id), Some(name), Some(price), Some(kind)) = (id, name, price, kind) {
            items.push(ShopItem {
                id,
                name,
                price,
                stock,
                per_member_limit,
                kind,
                role,
                duration,
            });
        }
    }
    ShopConfig { items }
}
