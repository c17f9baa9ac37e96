//! Challenges' pure decisions: when each day opens and closes in the community's zone, the
//! prompt of a day, a member's streak, and who finished.

use std::collections::HashSet;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

/// One day of a challenge: the prompt's instant and the check-in deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayPlan {
    pub day: u32,
    pub opens: DateTime<Utc>,
    pub closes: DateTime<Utc>,
}

/// Day `n` (from 1) opens on `start + n - 1` at `prompt` local time. It closes at `deadline`
/// local time that day, or the next day when the deadline is not after the prompt (a 21:00
/// prompt with a 02:00 deadline); without a deadline, at the next local midnight. Each instant
/// is resolved in `tz` on its own date, so a DST change moves nothing members read.
pub fn plan(
    start: NaiveDate,
    days: u32,
    prompt: NaiveTime,
    deadline: Option<NaiveTime>,
    tz: Tz,
) -> Vec<DayPlan> {
    (1..=days)
        .map(|day| {
            let date = start + Duration::days(i64::from(day) - 1);
            let opens = crate::recurrence::resolve(tz, date.and_time(prompt));
            let closes_local = match deadline {
                Some(d) if d > prompt => date.and_time(d),
                Some(d) => (date + Duration::days(1)).and_time(d),
                None => (date + Duration::days(1)).and_time(NaiveTime::MIN),
            };
            DayPlan {
                day,
                opens,
                closes: crate::recurrence::resolve(tz, closes_local),
            }
        })
        .collect()
}

/// "HH:MM" (24 h; a full-width colon is accepted).
pub fn parse_time(text: &str) -> Option<NaiveTime> {
    let text = text.trim().replace('：', ":");
    NaiveTime::parse_from_str(&text, "%H:%M").ok()
}

/// "YYYY-MM-DD", "today"/"今天" or "tomorrow"/"明天" in the community's zone.
pub fn parse_date(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    match text.trim() {
        "today" | "今天" => Some(today),
        "tomorrow" | "明天" => Some(today + Duration::days(1)),
        other => NaiveDate::parse_from_str(other, "%Y-%m-%d").ok(),
    }
}

/// Prompts separated by `|` (or a full-width `｜`), blanks dropped.
pub fn parse_prompts(text: &str) -> Vec<String> {
    text.split(['|', '｜'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// The prompt of `day`: the list's entry (cycling when shorter than the challenge), else none
/// ("Day N" is said by the message itself).
pub fn prompt_of(prompts: &[String], day: u32) -> Option<&str> {
    if prompts.is_empty() {
        return None;
    }
    Some(&prompts[(day as usize - 1) % prompts.len()])
}

/// A member's current streak: consecutive days done (checked in or excused), counting back
/// from the latest posted day. `days` are the posted days in order with whether each still
/// takes check-ins; a day still open and not yet done does not break the streak, and a
/// skipped day (`counted` false) neither breaks nor extends it.
pub fn streak(days: &[(u32, bool, bool)], done: &HashSet<u32>) -> u32 {
    let mut streak = 0;
    for (i, &(day, open, counted)) in days.iter().enumerate().rev() {
        if !counted {
            continue;
        }
        if done.contains(&day) {
            streak += 1;
        } else if open && i + 1 == days.len() {
            continue;
        } else {
            break;
        }
    }
    streak
}

/// Finished: every counted day is done.
pub fn finished(counted_days: &[u32], done: &HashSet<u32>) -> bool {
    counted_days.iter().all(|d| done.contains(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_plan_across_a_dst_change_keeps_the_local_time() {
        let tz: Tz = "America/New_York".parse().unwrap();
        // DST ends on 2026-11-01 in New York: 07:00 local is 11:00 UTC before, 12:00 after.
        let days = plan(
            date("2026-10-30"),
            4,
            parse_time("07:00").unwrap(),
            Some(parse_time("23:00").unwrap()),
            tz,
        );
        let hours: Vec<String> = days
            .iter()
            .map(|d| d.opens.format("%d %H:%M").to_string())
            .collect();
        assert_eq!(hours, ["30 11:00", "31 11:00", "01 12:00", "02 12:00"]);
        assert_eq!(days[0].closes.format("%d %H:%M").to_string(), "31 03:00");
    }

    #[test]
    fn a_deadline_before_the_prompt_is_the_next_morning_and_none_is_midnight() {
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        let late = plan(
            date("2026-12-01"),
            1,
            parse_time("21:00").unwrap(),
            parse_time("02:00"),
            tz,
        );
        assert_eq!(late[0].closes.to_rfc3339(), "2026-12-01T18:00:00+00:00");
        let midnight = plan(
            date("2026-12-01"),
            1,
            parse_time("08:00").unwrap(),
            None,
            tz,
        );
        assert_eq!(midnight[0].closes.to_rfc3339(), "2026-12-01T16:00:00+00:00");
    }

    #[test]
    fn streaks_count_back_from_the_latest_day() {
        let done: HashSet<u32> = [1, 2, 4, 5].into_iter().collect();
        // Day 6 is open and not done yet: the streak is 4-5.
        let days = [
            (1, false, true),
            (2, false, true),
            (3, false, true),
            (4, false, true),
            (5, false, true),
            (6, true, true),
        ];
        assert_eq!(streak(&days, &done), 2);
        // Day 3 skipped (never posted in time): 1-2 and 4-5 join up.
        let skipped = [
            (1, false, true),
            (2, false, true),
            (3, false, false),
            (4, false, true),
            (5, false, true),
        ];
        assert_eq!(streak(&skipped, &done), 4);
        // A closed day missed breaks it.
        let closed = [(4, false, true), (5, false, true), (6, false, true)];
        assert_eq!(streak(&closed, &done), 0);
    }

    #[test]
    fn inputs_parse_as_members_type_them() {
        assert_eq!(parse_time("7：30"), NaiveTime::from_hms_opt(7, 30, 0));
        assert_eq!(parse_time("25:00"), None);
        let today = date("2026-12-04");
        assert_eq!(parse_date("明天", today), Some(date("2026-12-05")));
        assert_eq!(parse_prompts(" a | ｜b|"), vec!["a", "b"]);
        let prompts = parse_prompts("a|b");
        assert_eq!(prompt_of(&prompts, 3), Some("a"));
        assert_eq!(prompt_of(&[], 3), None);
    }
}
