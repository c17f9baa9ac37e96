//! The points rules, pure: levels from lifetime points, whether a chat message earns, and how a
//! check-in moves a streak. No I/O, no clock: "now" and the local date are arguments.

use std::collections::VecDeque;

use chrono::{DateTime, NaiveDate, Utc};
use serenity::all::RoleId;

use crate::config::{LevelRole, PointsConfig};

/// The calendar day at `now` in the community's time zone: check-ins and the daily cap turn
/// over at local midnight, not every 24 hours.
pub fn local_day(now: DateTime<Utc>, tz: chrono_tz::Tz) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

/// Points needed to go from level `n` to `n + 1` (MEE6's curve): 5n² + 50n + 100.
pub fn points_for_next(level: u32) -> i64 {
    let n = i64::from(level);
    5 * n * n + 50 * n + 100
}

/// Lifetime points at which `level` is reached: the sum of [`points_for_next`] below it, in
/// closed form so SQL can say it too ([`level_start_sql`]).
pub fn level_start(level: u32) -> i64 {
    let l = i64::from(level);
    5 * (l - 1) * l * (2 * l - 1) / 6 + 25 * l * (l - 1) + 100 * l
}

/// [`level_start`] as an SQL expression over the integer expression `level`, so the batch
/// writer finds members whose stored level is stale without reading every member back.
pub fn level_start_sql(level: &str) -> String {
    format!("(5 * (({level}) - 1) * ({level}) * (2 * ({level}) - 1) / 6 + 25 * ({level}) * (({level}) - 1) + 100 * ({level}))")
}

/// The level reached with `lifetime` points, and the points into it and needed for the next.
pub fn level_of(lifetime: i64) -> (u32, i64, i64) {
    let mut level = 0;
    let mut left = lifetime.max(0);
    loop {
        let need = points_for_next(level);
        if left < need {
            return (level, left, need);
        }
        left -= need;
        level += 1;
    }
}

/// Characters that count toward `min_chars`: text left after removing mentions, custom emoji,
/// links and emoji; counted as characters, so Chinese counts one per character.
pub fn meaningful_chars(text: &str) -> usize {
    let mut count = 0;
    for word in text.split_whitespace() {
        let is_token = (word.starts_with('<') && word.ends_with('>'))
            || word.starts_with("http://")
            || word.starts_with("https://");
        if is_token {
            continue;
        }
        count += word
            .chars()
            .filter(|c| c.is_alphanumeric() || is_cjk(*c) || c.is_ascii_punctuation())
            .count();
    }
    count
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x3040..=0x30FF | 0xAC00..=0xD7AF)
}

/// A fingerprint of a message for near-duplicate detection: case, spacing, punctuation and
/// repeated characters do not make a message new. FNV-1a (a character per step) over the kept characters (it only
/// tells a member's last few messages apart, so SipHash's flood resistance buys nothing here),
/// with ASCII handled without Unicode tables: it runs on every message.
pub fn fingerprint(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut last = None;
    let mut keep = |c: char| {
        if Some(c) == last {
            return;
        }
        last = Some(c);
        // A whole character per step: a quarter of the multiplies of byte-wise FNV.
        hash ^= u64::from(c as u32);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    };
    for c in text.chars() {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                keep(c.to_ascii_lowercase());
            }
        } else {
            for l in c.to_lowercase() {
                if l.is_alphanumeric() || is_cjk(l) {
                    keep(l);
                }
            }
        }
    }
    hash
}

/// How many recent fingerprints per member are remembered.
pub const RECENT: usize = 5;

/// What the hot path remembers about one member (in memory only).
#[derive(Debug, Clone, Default)]
pub struct MemberChat {
    pub last_award: Option<DateTime<Utc>>,
    /// The local day `today_total` counts, and the chat points awarded on it.
    pub day: Option<NaiveDate>,
    pub today_total: i64,
    pub recent: VecDeque<u64>,
}

/// A chat message as the hot path sees it.
#[derive(Debug, Clone)]
pub struct ChatMessage<'a> {
    pub channel: serenity::all::ChannelId,
    pub roles: &'a [RoleId],
    pub bot: bool,
    pub text: &'a str,
    pub at: DateTime<Utc>,
    pub local_day: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoAward {
    Bot,
    ExcludedChannel,
    ExcludedRole,
    TooShort,
    Duplicate,
    Cooldown,
    DailyCap,
}

/// Decides a chat award and updates the member's state. `roll` is a random amount in
/// `[message_min, message_max]`, drawn by the caller (so tests choose it).
pub fn decide_chat(
    policy: &PointsConfig,
    state: &mut MemberChat,
    message: &ChatMessage<'_>,
    roll: i64,
) -> Result<i64, NoAward> {
    if message.bot {
        return Err(NoAward::Bot);
    }
    if policy.excluded_channels.contains(&message.channel) {
        return Err(NoAward::ExcludedChannel);
    }
    if message
        .roles
        .iter()
        .any(|r| policy.excluded_roles.contains(r))
    {
        return Err(NoAward::ExcludedRole);
    }
    if state.day != Some(message.local_day) {
        state.day = Some(message.local_day);
        state.today_total = 0;
    }
    if meaningful_chars(message.text) < policy.min_chars.max(1) {
        return Err(NoAward::TooShort);
    }
    let print = fingerprint(message.text);
    let duplicate = state.recent.contains(&print);
    if !duplicate {
        state.recent.push_back(print);
        if state.recent.len() > RECENT {
            state.recent.pop_front();
        }
    }
    if duplicate {
        return Err(NoAward::Duplicate);
    }
    let cooldown = chrono::Duration::from_std(policy.cooldown).unwrap_or_default();
    if state
        .last_award
        .is_some_and(|last| message.at < last + cooldown)
    {
        return Err(NoAward::Cooldown);
    }
    let left = policy.daily_cap - state.today_total;
    if left <= 0 {
        return Err(NoAward::DailyCap);
    }
    let factor = policy
        .multipliers
        .iter()
        .find(|(c, _)| *c == message.channel)
        .map_or(1.0, |(_, f)| *f);
    let amount = ((roll as f64) * factor).round() as i64;
    let amount = amount.min(left).max(0);
    if amount == 0 {
        return Err(NoAward::DailyCap);
    }
    state.last_award = Some(message.at);
    state.today_total += amount;
    Ok(amount)
}

/// A member's check-in state before today's check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Streak {
    pub last: Option<NaiveDate>,
    pub days: u32,
    pub freezes: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckIn {
    pub streak: Streak,
    pub points: i64,
    pub bonus: i64,
    pub freezes_used: u32,
    pub freeze_earned: bool,
}

/// Today's check-in, or `None` when the member already checked in on `today` (local date).
pub fn check_in(policy: &PointsConfig, before: Streak, today: NaiveDate) -> Option<CheckIn> {
    let gap = match before.last {
        Some(last) if last >= today => return None,
        Some(last) => (today - last).num_days() as u32,
        None => u32::MAX,
    };
    let missed = gap.saturating_sub(1);
    let (days, freezes, used) = if gap == 1 {
        (before.days + 1, before.freezes, 0)
    } else if missed <= before.freezes && before.last.is_some() {
        // Each missed day is covered by one freeze; the streak goes on.
        (before.days + 1, before.freezes - missed, missed)
    } else {
        (1, before.freezes, 0)
    };
    let earned = policy.streak_freeze_every > 0
        && days % policy.streak_freeze_every == 0
        && freezes < policy.max_freezes;
    let bonus: i64 = policy
        .streak_bonus
        .iter()
        .filter(|(day, _)| *day == days)
        .map(|(_, p)| *p)
        .sum();
    Some(CheckIn {
        streak: Streak {
            last: Some(today),
            days,
            freezes: freezes + u32::from(earned),
        },
        points: policy.checkin_points + bonus,
        bonus,
        freezes_used: used,
        freeze_earned: earned,
    })
}

/// The level roles a member at `level` should hold: every reached role marked
/// `keep_previous`, and the highest reached role.
pub fn level_roles_for(roles: &[LevelRole], level: u32) -> Vec<RoleId> {
    let reached: Vec<&LevelRole> = roles.iter().filter(|r| r.level <= level).collect();
    let top = reached.iter().map(|r| r.level).max();
    let mut held: Vec<RoleId> = reached
        .iter()
        .filter(|r| r.keep_previous || Some(r.level) == top)
        .map(|r| r.role)
        .collect();
    held.sort();
    held.dedup();
    held
}

#[cfg(test)]
mod tests {
    use super::*;
    use serenity::all::ChannelId;

    fn day(d: &str) -> NaiveDate {
        NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_day_turns_at_local_midnight_also_on_a_dst_change_day() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let shanghai = chrono_tz::Asia::Shanghai;
        assert_eq!(
            local_day(at("2026-12-01T15:59:00Z"), shanghai),
            day("2026-12-01")
        );
        assert_eq!(
            local_day(at("2026-12-01T16:01:00Z"), shanghai),
            day("2026-12-02")
        );
        // New York leaves daylight time on 2026-11-01: midnight is 04:00Z before, 05:00Z after.
        let ny = chrono_tz::America::New_York;
        assert_eq!(local_day(at("2026-11-01T03:59:00Z"), ny), day("2026-10-31"));
        assert_eq!(local_day(at("2026-11-01T04:01:00Z"), ny), day("2026-11-01"));
        assert_eq!(
            local_day(at("2026-11-02T04:59:00Z"), ny),
            day("2026-11-01"),
            "25-hour day"
        );
        assert_eq!(local_day(at("2026-11-02T05:01:00Z"), ny), day("2026-11-02"));
        let policy = PointsConfig::default();
        let first = check_in(
            &policy,
            Streak::default(),
            local_day(at("2026-11-01T04:01:00Z"), ny),
        )
        .unwrap();
        assert!(check_in(
            &policy,
            first.streak,
            local_day(at("2026-11-02T04:59:00Z"), ny)
        )
        .is_none());
        let next = check_in(
            &policy,
            first.streak,
            local_day(at("2026-11-02T05:01:00Z"), ny),
        )
        .unwrap();
        assert_eq!(next.streak.days, 2);
    }

    #[test]
    fn levels_follow_the_mee6_curve() {
        assert_eq!(level_of(0), (0, 0, 100));
        assert_eq!(level_of(99), (0, 99, 100));
        assert_eq!(level_of(100), (1, 0, 155));
        assert_eq!(level_of(255), (2, 0, 220));
        assert_eq!(level_of(-5), (0, 0, 100));
    }

    #[test]
    fn chinese_counts_by_character_and_links_mentions_and_emoji_count_nothing() {
        assert_eq!(meaningful_chars("你好世界啊"), 5);
        assert_eq!(meaningful_chars("hi"), 2);
        assert_eq!(
            meaningful_chars("<@123> <:wave:456> https://x.example/abc"),
            0
        );
        assert_eq!(meaningful_chars("😀😀😀😀😀😀"), 0);
        assert_eq!(meaningful_chars("see <@1> 你好"), 5);
    }

    #[test]
    fn near_duplicates_share_a_fingerprint() {
        assert_eq!(fingerprint("Hello world!"), fingerprint("hello   WORLD"));
        assert_eq!(fingerprint("hellooooo"), fingerprint("hello"));
        assert_ne!(fingerprint("hello world"), fingerprint("hello there"));
    }

    fn message<'a>(text: &'a str, at_s: i64) -> ChatMessage<'a> {
        ChatMessage {
            channel: ChannelId::new(1),
            roles: &[],
            bot: false,
            text,
            at: crate::clock::from_millis(at_s * 1000),
            local_day: day("2026-12-01"),
        }
    }

    #[test]
    fn chat_awards_respect_cooldown_length_duplicates_and_the_daily_cap() {
        let policy = PointsConfig {
            daily_cap: 45,
            ..PointsConfig::default()
        };
        let mut state = MemberChat::default();
        assert_eq!(
            decide_chat(&policy, &mut state, &message("hello there", 0), 20),
            Ok(20)
        );
        assert_eq!(
            decide_chat(&policy, &mut state, &message("something new", 30), 20),
            Err(NoAward::Cooldown)
        );
        assert_eq!(
            decide_chat(&policy, &mut state, &message("Hello there!", 90), 20),
            Err(NoAward::Duplicate)
        );
        assert_eq!(
            decide_chat(&policy, &mut state, &message("hi", 120), 20),
            Err(NoAward::TooShort)
        );
        assert_eq!(
            decide_chat(&policy, &mut state, &message("今天学到很多", 130), 20),
            Ok(20)
        );
        assert_eq!(
            decide_chat(&policy, &mut state, &message("a third message", 200), 20),
            Ok(5),
            "capped at the daily limit"
        );
        assert_eq!(
            decide_chat(&policy, &mut state, &message("a fourth message", 300), 20),
            Err(NoAward::DailyCap)
        );
        let mut next_day = message("a new day begins", 400);
        next_day.local_day = day("2026-12-02");
        assert_eq!(decide_chat(&policy, &mut state, &next_day, 20), Ok(20));
    }

    #[test]
    fn multipliers_bots_and_exclusions() {
        let policy = PointsConfig {
            multipliers: vec![(ChannelId::new(1), 2.0)],
            excluded_roles: vec![RoleId::new(9)],
            ..PointsConfig::default()
        };
        let mut state = MemberChat::default();
        assert_eq!(
            decide_chat(&policy, &mut state, &message("double points", 0), 15),
            Ok(30)
        );
        let mut bot = message("beep boop beep", 100);
        bot.bot = true;
        assert_eq!(
            decide_chat(&policy, &mut state, &bot, 15),
            Err(NoAward::Bot)
        );
        let roles = [RoleId::new(9)];
        let mut excluded = message("excluded member", 200);
        excluded.roles = &roles;
        assert_eq!(
            decide_chat(&policy, &mut state, &excluded, 15),
            Err(NoAward::ExcludedRole)
        );
    }

    #[test]
    fn check_in_streaks_freezes_and_bonuses() {
        let policy = PointsConfig {
            checkin_points: 10,
            streak_bonus: vec![(3, 50)],
            streak_freeze_every: 2,
            max_freezes: 1,
            ..PointsConfig::default()
        };
        let first = check_in(&policy, Streak::default(), day("2026-12-01")).unwrap();
        assert_eq!((first.streak.days, first.points), (1, 10));
        assert!(
            check_in(&policy, first.streak, day("2026-12-01")).is_none(),
            "once a day"
        );
        let second = check_in(&policy, first.streak, day("2026-12-02")).unwrap();
        assert_eq!(
            (second.streak.days, second.streak.freezes),
            (2, 1),
            "freeze earned"
        );
        // Missed 12-03; the freeze covers it and the bonus for day 3 is paid.
        let third = check_in(&policy, second.streak, day("2026-12-04")).unwrap();
        assert_eq!(
            (third.streak.days, third.freezes_used, third.points),
            (3, 1, 60)
        );
        // Missed two days with no freeze left: the streak starts over.
        let reset = check_in(&policy, third.streak, day("2026-12-07")).unwrap();
        assert_eq!(reset.streak.days, 1);
    }

    #[test]
    fn level_roles_swap_unless_kept() {
        let roles = vec![
            LevelRole {
                level: 5,
                role: RoleId::new(5),
                keep_previous: false,
            },
            LevelRole {
                level: 10,
                role: RoleId::new(10),
                keep_previous: true,
            },
            LevelRole {
                level: 20,
                role: RoleId::new(20),
                keep_previous: false,
            },
        ];
        assert!(level_roles_for(&roles, 4).is_empty());
        assert_eq!(level_roles_for(&roles, 7), vec![RoleId::new(5)]);
        assert_eq!(level_roles_for(&roles, 12), vec![RoleId::new(10)]);
        assert_eq!(
            level_roles_for(&roles, 25),
            vec![RoleId::new(10), RoleId::new(20)]
        );
    }
}
