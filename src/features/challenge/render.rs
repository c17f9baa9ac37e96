//! Challenges as members read them: the day's prompt with its check-in button, the check-in
//! modal, the closing summary and the stats. Pure.

use serde_json::{json, Value};

use super::store::{ChallengeRow, DayRow};
use super::{rules, BUTTON_PREFIX, MODAL_PREFIX};
use crate::discord::components::{self, Field, Style};
use crate::i18n::Locale;
use crate::outbox::MessageBody;
use crate::t;

/// The day's prompt: the title and day, the prompt (or "Day N"), the deadline as a Discord
/// timestamp (each member reads it in their own zone), and the 打卡 button.
pub fn prompt(challenge: &ChallengeRow, day: &DayRow, locale: Locale) -> MessageBody {
    let prompts = challenge.prompts();
    let text = rules::prompt_of(&prompts, day.day as u32)
        .map(str::to_string)
        .unwrap_or_else(|| t!(locale, "challenge-day-default", day = day.day));
    let embed = json!({
        "title": t!(locale, "challenge-prompt-title", title = challenge.title.clone(), day = day.day, days = challenge.days),
        "description": text,
        "color": 0xF0B232,
        "fields": [{
            "name": t!(locale, "challenge-deadline"),
            "value": format!("<t:{}:f> (<t:{}:R>)", day.closes_at / 1000, day.closes_at / 1000),
            "inline": false,
        }],
    });
    MessageBody {
        content: String::new(),
        embeds: vec![embed],
        components: vec![components::row(vec![components::button(
            format!("{BUTTON_PREFIX}{}:{}", challenge.id, day.day),
            "打卡 Check in",
            Style::Success,
        )])],
        ..Default::default()
    }
}

/// A day's forum post title: "Day N · title" (at most 100 characters).
pub fn post_name(challenge: &ChallengeRow, day: i64, locale: Locale) -> String {
    t!(
        locale,
        "challenge-post-name",
        day = day,
        title = challenge.title.clone()
    )
    .chars()
    .take(100)
    .collect()
}

/// The check-in modal (interaction response type 9): what you did, and an optional link.
pub fn modal(challenge: &ChallengeRow, day: i64, locale: Locale) -> Value {
    let title: String = t!(locale, "challenge-modal-title", day = day)
        .chars()
        .take(45)
        .collect();
    components::form(
        format!("{MODAL_PREFIX}{}:{day}", challenge.id),
        &title,
        &[
            Field::new("text", &t!(locale, "challenge-modal-text"), 1000)
                .paragraph()
                .min(2),
            Field::new("link", &t!(locale, "challenge-modal-link"), 300).optional(),
        ],
    )
}

/// The custom ids of the day's button and modal: (challenge, day).
pub fn parse_ids(custom_id: &str) -> Option<(i64, i64)> {
    let rest = custom_id
        .strip_prefix(MODAL_PREFIX)
        .or_else(|| custom_id.strip_prefix(BUTTON_PREFIX))?;
    let (challenge, day) = rest.split_once(':')?;
    Some((challenge.parse().ok()?, day.parse().ok()?))
}

/// The channel's summary when the challenge ends.
pub fn ended(
    challenge: &ChallengeRow,
    finishers: usize,
    participants: usize,
    locale: Locale,
) -> MessageBody {
    MessageBody::text(t!(
        locale,
        "challenge-ended",
        title = challenge.title.clone(),
        finishers = finishers as i64,
        participants = participants as i64
    ))
}

/// `/challenge stats`: per posted day the check-ins ÷ participants, the finish rate, and the
/// leaderboard by streak.
pub struct Stats {
    pub participants: i64,
    /// (day, check-ins, excuses, skipped)
    pub days: Vec<(i64, i64, i64, bool)>,
    /// Finished (ended) or on track so far (running).
    pub finishing: i64,
    /// (member, streak, days done)
    pub leaders: Vec<(i64, u32, usize)>,
}

pub fn percent(part: i64, whole: i64) -> String {
    if whole == 0 {
        return "0%".into();
    }
    format!("{:.0}%", part as f64 * 100.0 / whole as f64)
}

pub fn stats(challenge: &ChallengeRow, s: &Stats, locale: Locale) -> String {
    let mut out = vec![t!(
        locale,
        "challenge-stats-header",
        id = challenge.id,
        title = challenge.title.clone(),
        participants = s.participants
    )];
    for (day, checkins, excused, skipped) in &s.days {
        out.push(if *skipped {
            t!(locale, "challenge-stats-day-skipped", day = *day)
        } else {
            t!(
                locale,
                "challenge-stats-day",
                day = *day,
                checkins = *checkins,
                participants = s.participants,
                percent = percent(*checkins, s.participants),
                excused = *excused
            )
        });
    }
    let key = if challenge.status == "active" {
        "challenge-stats-on-track"
    } else {
        "challenge-stats-finished"
    };
    out.push(t!(
        locale,
        key,
        count = s.finishing,
        participants = s.participants,
        percent = percent(s.finishing, s.participants)
    ));
    if !s.leaders.is_empty() {
        out.push(t!(locale, "challenge-stats-leaders"));
        for (rank, (member, streak, done)) in s.leaders.iter().enumerate() {
            out.push(t!(
                locale,
                "challenge-stats-leader",
                rank = rank as i64 + 1,
                member = format!("<@{member}>"),
                streak = *streak as i64,
                done = *done as i64
            ));
        }
    }
    out.join("\n")
}
