//! `[[schedule]]`: standing schedules for creators who prefer a file. Each is policy: synced
//! into an `events` row under its `id` (the run records stay state) and refused by the
//! `/event` commands that would change it. Same fields as `/event create`, checked the same
//! way, except that `when` is an absolute local date-time (a file has no "tomorrow").

use chrono::NaiveDateTime;
use chrono_tz::Tz;
use serenity::all::ChannelId;
use toml::Value;

use super::reader::Section;
use crate::i18n::{Locale, LocalizedText};
use crate::recurrence;

#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleItem {
    /// Stable key: renaming it makes a new event (and ends the old one).
    pub id: String,
    /// In the community's default language (what channel posts show).
    pub title: String,
    pub description: String,
    /// Per-language title and description when the file gives them
    /// (`title = { en = "…", "zh-CN" = "…" }`), as stored beside the event: a JSON object
    /// `{"zh-CN": {"title": "…", "description": "…"}}`.
    pub translations: Option<String>,
    /// The first occurrence, community-local.
    pub when: NaiveDateTime,
    pub repeat: String,
    pub remind: String,
    pub channel: ChannelId,
    pub duration_s: i64,
    pub catch_up: String,
    /// `mirror_to_discord`: also in Discord's Events tab (`None`: as `[events]` says).
    pub mirror: Option<bool>,
}

const WHEN_FORMAT: &str = "%Y-%m-%d %H:%M";
const CATCH_UP: [&str; 3] = ["post_late", "skip", "digest"];

/// Reads every `[[schedule]]` table; `default_channel` is `channels.announcements`.
pub fn read_items(
    items: Vec<Section<'_>>,
    tz: Tz,
    default_locale: Locale,
    default_channel: Option<ChannelId>,
) -> Vec<ScheduleItem> {
    let mut out: Vec<ScheduleItem> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for mut t in items {
        let id = t.stable_id("id", "weekly-live", &mut seen);
        let title = t.text("title");
        if t.raw("title").is_none() {
            t.missing("title");
        }
        let when = match t.raw("when") {
            None => {
                t.missing("when");
                None
            }
            Some(value) => {
                let parsed = value
                    .as_str()
                    .and_then(|w| NaiveDateTime::parse_from_str(w.trim(), WHEN_FORMAT).ok());
                if parsed.is_none() {
                    t.problem(
                        "when",
                        Some(value),
                        "expected the first occurrence as local \"YYYY-MM-DD HH:MM\", e.g. \"2026-12-01 20:00\"",
                    );
                }
                parsed
            }
        };
        let repeat = t.string("repeat").unwrap_or_default();
        let remind = t.string("remind").unwrap_or_default();
        let description = t.text("description").unwrap_or_default();
        let channel = t.id("channel").map(ChannelId::new).or(default_channel);
        if channel.is_none() && t.raw("channel").is_none() {
            t.problem(
                "channel",
                None,
                "is required when channels.announcements is not set",
            );
        }
        let duration_s = duration(&mut t);
        let catch_up = t.string("catch_up").unwrap_or_else(|| "post_late".into());
        if !CATCH_UP.contains(&catch_up.as_str()) {
            t.problem(
                "catch_up",
                Some(&Value::String(catch_up.clone())),
                "expected \"post_late\", \"skip\" or \"digest\"",
            );
        }
        if let Some(when) = when {
            check_series(&t, when, &repeat, &remind, tz);
        }
        let mirror = t.boolean("mirror_to_discord");
        t.finish();
        if let (Some(id), Some(title), Some(when), Some(channel), Some(duration_s)) =
            (id, title, when, channel, duration_s)
        {
            out.push(ScheduleItem {
                id,
                title: title.get(default_locale).trim().to_string(),
                description: description.get(default_locale).trim().to_string(),
                translations: translations(&title, &description),
                when,
                repeat: repeat.trim().to_string(),
                remind: remind.trim().to_string(),
                channel,
                duration_s,
                catch_up,
                mirror,
            });
        }
    }
    out
}

/// The per-language texts of a schedule, or `None` when both are plain text.
fn translations(title: &LocalizedText, description: &LocalizedText) -> Option<String> {
    let mut by_locale = serde_json::Map::new();
    for locale in Locale::ALL {
        let (t, d) = (title.written_for(locale), description.written_for(locale));
        if t.is_none() && d.is_none() {
            continue;
        }
        let mut texts = serde_json::Map::new();
        if let Some(t) = t {
            texts.insert("title".into(), t.trim().into());
        }
        if let Some(d) = d {
            texts.insert("description".into(), d.trim().into());
        }
        by_locale.insert(locale.tag().into(), texts.into());
    }
    (!by_locale.is_empty()).then(|| serde_json::Value::Object(by_locale).to_string())
}

/// `duration` as people type it (`"90m"`, `"2h"`, `"1小时"`), default one hour.
fn duration(t: &mut Section<'_>) -> Option<i64> {
    match t.raw("duration") {
        None => Some(3_600),
        Some(value) => {
            let parsed = value
                .as_str()
                .and_then(crate::span::parse)
                .filter(|d| d.as_secs() <= 28 * 86_400);
            if parsed.is_none() {
                t.problem(
                    "duration",
                    Some(value),
                    "expected a length such as \"90m\" or \"2h\" (at most 28 days)",
                );
            }
            parsed.map(|d| d.as_secs() as i64)
        }
    }
}

/// The checks `/event create` makes: a readable rule and reminders, a schedule that fires, and
/// reminders shorter than the gap between occurrences.
fn check_series(t: &Section<'_>, when: NaiveDateTime, repeat: &str, remind: &str, tz: Tz) {
    let rule = match recurrence::parse_repeat(repeat, when) {
        Ok(rule) => rule,
        Err(e) => {
            t.problem(
                "repeat",
                Some(&Value::String(repeat.into())),
                format!("cannot read \"{}\" (e.g. \"weekly\", \"weekly on tue,thu\", \"monthly on the first friday\", \"0 20 * * 2,4\")", e.0),
            );
            return;
        }
    };
    let reminders = match recurrence::parse_reminders(remind) {
        Ok(r) => r,
        Err(e) => {
            t.problem(
                "remind",
                Some(&Value::String(remind.into())),
                format!("cannot read \"{}\" (e.g. \"1d,1h,10m\")", e.0),
            );
            return;
        }
    };
    let before_first = recurrence::resolve(tz, when) - chrono::Duration::seconds(1);
    let next = recurrence::upcoming(&rule, when, tz, before_first, 2);
    match next.as_slice() {
        [] => t.problem("repeat", Some(&Value::String(repeat.into())), "never fires"),
        [a, b, ..] => {
            let gap = (*b - *a).num_milliseconds();
            if reminders.iter().any(|r| r.as_millis() as i64 >= gap) {
                t.problem(
                    "remind",
                    Some(&Value::String(remind.into())),
                    "a reminder is as long as the time between two occurrences",
                );
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    fn problems(text: &str) -> Vec<String> {
        Config::parse(text)
            .expect_err("rejected")
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    const BASE: &str = "[discord]\nguild_id = 1\n[community]\ntimezone = \"Asia/Shanghai\"\n[channels]\nannouncements = 9\n";

    #[test]
    fn a_standing_schedule_reads_like_event_create() {
        let config = Config::parse(&format!(
            "{BASE}[[schedule]]\nid = \"live\"\ntitle = \"Monthly livestream\"\nwhen = \"2027-01-01 20:00\"\nrepeat = \"monthly on the first friday\"\nremind = \"1d,1h\"\nduration = \"90m\"\n"
        ))
        .unwrap();
        let item = &config.schedules[0];
        assert_eq!(item.id, "live");
        assert_eq!(item.channel.get(), 9);
        assert_eq!(item.duration_s, 5_400);
        assert_eq!(item.catch_up, "post_late");
    }

    #[test]
    fn bad_schedules_name_the_key_and_the_problem() {
        let found = problems(&format!(
            "{BASE}[[schedule]]\nid = \"a\"\ntitle = \"x\"\nwhen = \"tomorrow 20:00\"\n[[schedule]]\nid = \"a\"\ntitle = \"y\"\nwhen = \"2027-01-01 20:00\"\nrepeat = \"sometimes\"\n[[schedule]]\nid = \"c\"\ntitle = \"z\"\nwhen = \"2027-01-01 20:00\"\nrepeat = \"daily\"\nremind = \"2d\"\ncatch_up = \"flood\"\n"
        ));
        let joined = found.join("\n");
        assert!(joined.contains("schedule[0].when"), "{joined}");
        assert!(joined.contains("\"a\" is used twice"), "{joined}");
        assert!(
            joined.contains("schedule[1].repeat") && joined.contains("sometimes"),
            "{joined}"
        );
        assert!(joined.contains("schedule[2].remind"), "{joined}");
        assert!(joined.contains("schedule[2].catch_up"), "{joined}");
    }

    #[test]
    fn a_cron_that_never_fires_is_refused() {
        let found = problems(&format!(
            "{BASE}[[schedule]]\nid = \"feb30\"\ntitle = \"x\"\nwhen = \"2027-01-01 20:00\"\nrepeat = \"0 20 30 2 *\"\n"
        ));
        assert!(found.iter().any(|p| p.contains("never fires")), "{found:?}");
    }
}
