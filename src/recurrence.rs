//! When events happen, pure: reading `when` and `repeat` as creators type them (English and
//! Chinese), and computing occurrences in the community's time zone, stored as UTC instants.
//! A local time that does not exist (spring forward) fires at the next valid instant; an
//! ambiguous one (fall back) fires once, at the first of the two.

use std::str::FromStr;

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
    Weekday,
};
use chrono_tz::Tz;

/// How an event repeats.
#[derive(Debug, Clone, PartialEq)]
pub enum Repeat {
    Once,
    Daily,
    /// Every `every` weeks on `days` (the weekday of the start when written `weekly`).
    Weekly {
        every: u32,
        days: Vec<Weekday>,
    },
    /// Monthly on a day of the month (skipping months without it).
    MonthlyDay(u32),
    /// Monthly on the nth (1..=4, or -1 for last) weekday.
    MonthlyNth {
        nth: i32,
        weekday: Weekday,
    },
    /// Every three months from the start, on the start's day of the month.
    Quarterly,
    /// A 5-field cron expression, evaluated in the community's time zone.
    Cron(String),
}

/// Why a `when` or `repeat` could not be read: the part that was not understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable(pub String);

fn weekday_of(word: &str) -> Option<Weekday> {
    let w = word.trim().trim_end_matches(',').to_lowercase();
    Some(match w.as_str() {
        "mon" | "monday" | "周一" | "星期一" | "礼拜一" => Weekday::Mon,
        "tue" | "tues" | "tuesday" | "周二" | "星期二" | "礼拜二" => Weekday::Tue,
        "wed" | "wednesday" | "周三" | "星期三" | "礼拜三" => Weekday::Wed,
        "thu" | "thur" | "thurs" | "thursday" | "周四" | "星期四" | "礼拜四" => {
            Weekday::Thu
        }
        "fri" | "friday" | "周五" | "星期五" | "礼拜五" => Weekday::Fri,
        "sat" | "saturday" | "周六" | "星期六" | "礼拜六" => Weekday::Sat,
        "sun" | "sunday" | "周日" | "周天" | "星期日" | "星期天" | "礼拜天" => {
            Weekday::Sun
        }
        _ => return None,
    })
}

fn time_of(text: &str) -> Option<NaiveTime> {
    let t = text.trim();
    NaiveTime::parse_from_str(t, "%H:%M")
        .ok()
        .or_else(|| NaiveTime::parse_from_str(t, "%H：%M").ok())
        .or_else(|| {
            let hour = t.strip_suffix('点')?.parse::<u32>().ok()?;
            NaiveTime::from_hms_opt(hour, 0, 0)
        })
}

/// Reads `when` relative to `now` in `tz`: `2026-12-01 20:00`, `tomorrow 20:00`,
/// `friday 20:00`, `in 2h`, `明天 20:00`, `周五 20:00`, `下周三 19:30`. Returns the local
/// date-time.
pub fn parse_when(text: &str, now: DateTime<Utc>, tz: Tz) -> Result<NaiveDateTime, Unreadable> {
    let text = text.trim();
    let local_now = now.with_timezone(&tz).naive_local();
    let today = local_now.date();
    let lower = text.to_lowercase();
    if let Some(rest) = lower.strip_prefix("in ") {
        let d = crate::span::parse(rest)
            .or_else(|| humantime::parse_duration(rest).ok())
            .ok_or_else(|| Unreadable(rest.to_string()))?;
        let instant = now + Duration::from_std(d).map_err(|_| Unreadable(rest.to_string()))?;
        return Ok(instant.with_timezone(&tz).naive_local());
    }
    if let Ok(at) = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M") {
        return Ok(at);
    }
    // "<day> <time>" in English or Chinese (a space is optional in Chinese).
    let (day, time) = match text.rsplit_once(char::is_whitespace) {
        Some((day, time)) => (day.trim().to_string(), time.trim().to_string()),
        None => {
            let split = text
                .char_indices()
                .find(|(_, c)| c.is_ascii_digit())
                .map(|(i, _)| i)
                .ok_or_else(|| Unreadable(text.to_string()))?;
            (text[..split].to_string(), text[split..].to_string())
        }
    };
    let time = time_of(&time).ok_or_else(|| Unreadable(time.clone()))?;
    let day_lower = day.to_lowercase();
    let date = match day_lower.as_str() {
        "today" | "今天" => today,
        "tomorrow" | "明天" => today + Duration::days(1),
        "后天" => today + Duration::days(2),
        other => {
            let (next_week, name) = if let Some(name) = other.strip_prefix("下") {
                (true, name)
            } else if let Some(name) = other.strip_prefix("next ") {
                (true, name)
            } else {
                (false, other)
            };
            if let Ok(date) = NaiveDate::parse_from_str(name, "%Y-%m-%d") {
                date
            } else {
                let weekday = weekday_of(name).ok_or_else(|| Unreadable(day.clone()))?;
                if next_week {
                    // 下周三: Wednesday of next week (weeks start on Monday).
                    let monday =
                        today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
                    monday + Duration::days(7 + i64::from(weekday.num_days_from_monday()))
                } else {
                    let ahead = (7 + i64::from(weekday.num_days_from_monday())
                        - i64::from(today.weekday().num_days_from_monday()))
                        % 7;
                    let candidate = today + Duration::days(ahead);
                    if ahead == 0 && candidate.and_time(time) <= local_now {
                        candidate + Duration::days(7)
                    } else {
                        candidate
                    }
                }
            }
        }
    };
    Ok(date.and_time(time))
}

/// A Chinese number word or digits up to 99 (`两`, `二`, `十五`, `15`).
fn chinese_number(text: &str) -> Option<u32> {
    if let Ok(n) = text.parse() {
        return Some(n);
    }
    let digit = |c: char| "零一二三四五六七八九".find(c).map(|i| (i / 3) as u32);
    let chars: Vec<char> = text.chars().collect();
    match chars.as_slice() {
        ['两'] => Some(2),
        ['十'] => Some(10),
        [d] => digit(*d),
        ['十', d] => Some(10 + digit(*d)?),
        [d, '十'] => Some(digit(*d)? * 10),
        [d, '十', e] => Some(digit(*d)? * 10 + digit(*e)?),
        _ => None,
    }
}

/// The weekdays of `每周…` after the prefix: `二、四`, `周二和周四`, `一三五`.
fn chinese_weekdays(text: &str) -> Option<Vec<Weekday>> {
    let mut days = Vec::new();
    for part in text.split(['、', '，', ',', '和', '及', '与', ' ']) {
        let part = part
            .trim_start_matches("星期")
            .trim_start_matches("礼拜")
            .trim_start_matches('周');
        for c in part.chars() {
            let day = match c {
                '一' => Weekday::Mon,
                '二' => Weekday::Tue,
                '三' => Weekday::Wed,
                '四' => Weekday::Thu,
                '五' => Weekday::Fri,
                '六' => Weekday::Sat,
                '日' | '天' => Weekday::Sun,
                '周' => continue,
                _ => return None,
            };
            days.push(day);
        }
    }
    days.sort_by_key(|d| d.num_days_from_monday());
    days.dedup();
    (!days.is_empty()).then_some(days)
}

/// Repeats as Chinese speakers write them, after `每`: `天`, `周二、四`, `两周`, `月15号`,
/// `月第一个周五`, `月最后一个周五`, `季度`.
fn chinese_repeat(rest: &str, start: NaiveDateTime) -> Option<Repeat> {
    let rest = rest.trim();
    if matches!(rest, "天" | "日") {
        return Some(Repeat::Daily);
    }
    if matches!(rest, "季度" | "季") {
        return Some(Repeat::Quarterly);
    }
    for week in ["周", "星期", "礼拜"] {
        if let Some(days) = rest.strip_prefix(week) {
            if days.is_empty() {
                return None; // `每周` alone: the table below.
            }
            let days = chinese_weekdays(days)?;
            return Some(Repeat::Weekly { every: 1, days });
        }
    }
    for week in ["个星期", "星期", "周"] {
        if let Some(n) = rest.strip_suffix(week) {
            let every = chinese_number(n.trim_start_matches("隔"))?;
            let every = if n.starts_with('隔') {
                every + 1
            } else {
                every
            };
            return (1..=52).contains(&every).then(|| Repeat::Weekly {
                every,
                days: vec![start.weekday()],
            });
        }
    }
    let month = rest
        .strip_prefix("月")
        .or_else(|| rest.strip_prefix("个月"))?;
    if month.is_empty() {
        return None;
    }
    if let Some(day) = month
        .strip_suffix('号')
        .or_else(|| month.strip_suffix('日'))
    {
        let day = chinese_number(day)?;
        return (1..=31).contains(&day).then_some(Repeat::MonthlyDay(day));
    }
    let (nth, weekday) = if let Some(w) = month.strip_prefix("最后一个") {
        (-1, w)
    } else {
        let after = month.strip_prefix('第')?;
        let (n, w) = after.split_once('个')?;
        let n = chinese_number(n)?;
        if !(1..=4).contains(&n) {
            return None;
        }
        (n as i32, w)
    };
    let days = chinese_weekdays(weekday)?;
    match days.as_slice() {
        [weekday] => Some(Repeat::MonthlyNth {
            nth,
            weekday: *weekday,
        }),
        _ => None,
    }
}

/// Reads `repeat`: `daily`, `weekly`, `weekly on tue,thu`, `every 2 weeks`,
/// `monthly on the first friday`, `monthly on day 15`, `quarterly`, or a 5-field cron
/// expression (`0 20 * * 2,4`). `start` gives `weekly` its weekday.
pub fn parse_repeat(text: &str, start: NaiveDateTime) -> Result<Repeat, Unreadable> {
    let t = text.trim().to_lowercase();
    if let Some(rest) = t.strip_prefix('每') {
        if let Some(repeat) = chinese_repeat(rest, start) {
            return Ok(repeat);
        }
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    Ok(match words.as_slice() {
        [] | ["once"] | ["none"] => Repeat::Once,
        ["daily"] | ["每天"] => Repeat::Daily,
        ["weekly"] | ["每周"] => Repeat::Weekly {
            every: 1,
            days: vec![start.weekday()],
        },
        ["weekly", "on", days @ ..] => {
            let list = days.join("");
            let days: Result<Vec<Weekday>, Unreadable> = list
                .split(',')
                .filter(|d| !d.is_empty())
                .map(|d| weekday_of(d).ok_or_else(|| Unreadable(d.to_string())))
                .collect();
            let mut days = days?;
            if days.is_empty() {
                return Err(Unreadable(text.to_string()));
            }
            days.sort_by_key(|d| d.num_days_from_monday());
            days.dedup();
            Repeat::Weekly { every: 1, days }
        }
        ["every", n, "weeks"] | ["every", n, "week"] => {
            let every: u32 = n.parse().map_err(|_| Unreadable(n.to_string()))?;
            if every == 0 || every > 52 {
                return Err(Unreadable(n.to_string()));
            }
            Repeat::Weekly {
                every,
                days: vec![start.weekday()],
            }
        }
        ["monthly", "on", "day", n] => {
            let day: u32 = n.parse().map_err(|_| Unreadable(n.to_string()))?;
            if !(1..=31).contains(&day) {
                return Err(Unreadable(n.to_string()));
            }
            Repeat::MonthlyDay(day)
        }
        ["monthly", "on", "the", nth, weekday] => {
            let nth = match *nth {
                "first" | "1st" => 1,
                "second" | "2nd" => 2,
                "third" | "3rd" => 3,
                "fourth" | "4th" => 4,
                "last" => -1,
                other => return Err(Unreadable(other.to_string())),
            };
            let weekday = weekday_of(weekday).ok_or_else(|| Unreadable(weekday.to_string()))?;
            Repeat::MonthlyNth { nth, weekday }
        }
        ["monthly"] | ["每月"] => Repeat::MonthlyDay(start.day()),
        ["quarterly"] | ["每季度"] => Repeat::Quarterly,
        fields if fields.len() == 5 => {
            croner::Cron::from_str(&t).map_err(|e| Unreadable(format!("{t} ({e})")))?;
            Repeat::Cron(t)
        }
        _ => return Err(Unreadable(text.to_string())),
    })
}

/// The UTC instant of local `at` in `tz`: a gap moves to the first valid minute after it; an
/// ambiguous time takes the first of the two.
pub fn resolve(tz: Tz, at: NaiveDateTime) -> DateTime<Utc> {
    for minutes in 0..=180 {
        let candidate = at + Duration::minutes(minutes);
        match tz.from_local_datetime(&candidate) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            LocalResult::Ambiguous(first, _) => return first.with_timezone(&Utc),
            LocalResult::None => continue,
        }
    }
    Utc.from_utc_datetime(&at)
}

fn nth_weekday(year: i32, month: u32, nth: i32, weekday: Weekday) -> Option<NaiveDate> {
    if nth > 0 {
        NaiveDate::from_weekday_of_month_opt(year, month, weekday, nth as u8)
    } else {
        let next = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)?
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)?
        };
        let last = next - Duration::days(1);
        let back = (7 + last.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
        Some(last - Duration::days(i64::from(back)))
    }
}

fn months_between(a: NaiveDate, b: NaiveDate) -> i32 {
    (b.year() - a.year()) * 12 + b.month() as i32 - a.month() as i32
}

/// Whether the series starting at `start` has an occurrence on `date` (the local date).
fn occurs_on(repeat: &Repeat, start: NaiveDate, date: NaiveDate) -> bool {
    if date < start {
        return false;
    }
    match repeat {
        Repeat::Once => date == start,
        Repeat::Daily => true,
        Repeat::Weekly { every, days } => {
            let week_of = |d: NaiveDate| {
                (d - Duration::days(i64::from(d.weekday().num_days_from_monday())))
                    .num_days_from_ce()
                    / 7
            };
            let weeks = week_of(date) - week_of(start);
            days.contains(&date.weekday()) && weeks % (*every as i32) == 0
        }
        Repeat::MonthlyDay(day) => date.day() == *day,
        Repeat::MonthlyNth { nth, weekday } => {
            nth_weekday(date.year(), date.month(), *nth, *weekday) == Some(date)
        }
        Repeat::Quarterly => date.day() == start.day() && months_between(start, date) % 3 == 0,
        Repeat::Cron(_) => false,
    }
}

/// The first occurrence strictly after `after`, of the series whose first local date-time is
/// `start`. `None` when there is none within five years.
pub fn next_after(
    repeat: &Repeat,
    start: NaiveDateTime,
    tz: Tz,
    after: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if let Repeat::Cron(pattern) = repeat {
        let cron = croner::Cron::from_str(pattern).ok()?;
        let from = after
            .with_timezone(&tz)
            .max(resolve(tz, start).with_timezone(&tz) - Duration::minutes(1));
        let next = cron.find_next_occurrence(&from, false).ok()?;
        let next = next.with_timezone(&Utc);
        return (next > after && next < after + Duration::days(5 * 366)).then_some(next);
    }
    let time = start.time();
    let local_after = after.with_timezone(&tz).date_naive();
    let mut date = local_after.max(start.date()) - Duration::days(1);
    let limit = local_after.max(start.date()) + Duration::days(5 * 366);
    while date <= limit {
        if occurs_on(repeat, start.date(), date) {
            let at = resolve(tz, date.and_time(time));
            if at > after {
                return Some(at);
            }
        }
        date += Duration::days(1);
    }
    None
}

/// The next `count` occurrences after `after`.
pub fn upcoming(
    repeat: &Repeat,
    start: NaiveDateTime,
    tz: Tz,
    after: DateTime<Utc>,
    count: usize,
) -> Vec<DateTime<Utc>> {
    let mut out = Vec::with_capacity(count);
    let mut cursor = after;
    while out.len() < count {
        match next_after(repeat, start, tz, cursor) {
            Some(next) => {
                out.push(next);
                cursor = next;
            }
            None => break,
        }
    }
    out
}

/// The longest reminder offset.
pub const MAX_REMINDER: std::time::Duration = std::time::Duration::from_secs(28 * 86_400);

/// Reminder offsets such as `1d,1h,10m` (each at most 28 days).
pub fn parse_reminders(text: &str) -> Result<Vec<std::time::Duration>, Unreadable> {
    let mut out = Vec::new();
    for part in text
        .split([',', '，'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let d = crate::span::parse(part)
            .filter(|d| *d <= MAX_REMINDER)
            .ok_or_else(|| Unreadable(part.to_string()))?;
        out.push(d);
    }
    out.sort();
    out.dedup();
    out.reverse();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Chinese repeats mean what their English forms mean.
    #[test]
    fn chinese_repeats_read_like_their_english_forms() {
        let start = NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(20, 0, 0)
            .unwrap();
        for (chinese, english) in [
            ("每天", "daily"),
            ("每周二、四", "weekly on tue, thu"),
            ("每周二和周四", "weekly on tue,thu"),
            ("每周一三五", "weekly on mon,wed,fri"),
            ("每两周", "every 2 weeks"),
            ("每隔一周", "every 2 weeks"),
            ("每2周", "every 2 weeks"),
            ("每月第一个周五", "monthly on the first friday"),
            ("每月最后一个星期五", "monthly on the last friday"),
            ("每月15号", "monthly on day 15"),
            ("每月十五日", "monthly on day 15"),
            ("每季度", "quarterly"),
        ] {
            assert_eq!(
                parse_repeat(chinese, start).unwrap(),
                parse_repeat(english, start).unwrap(),
                "{chinese}"
            );
        }
        assert!(parse_repeat("每月第九个周五", start).is_err());
        assert!(parse_repeat("每周八", start).is_err());
    }

    use chrono_tz::{America::New_York, Asia::Shanghai, Europe::Berlin};

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn when_reads_english_and_chinese() {
        // Sunday 2026-11-29 12:00 in Shanghai.
        let now = utc("2026-11-29T04:00:00Z");
        let cases = [
            ("2026-12-01 20:00", "2026-12-01 20:00"),
            ("tomorrow 20:00", "2026-11-30 20:00"),
            ("friday 20:00", "2026-12-04 20:00"),
            ("in 2h", "2026-11-29 14:00"),
            ("明天 20:00", "2026-11-30 20:00"),
            ("周五 20:00", "2026-12-04 20:00"),
            ("下周三 19:30", "2026-12-02 19:30"),
            ("明天20:00", "2026-11-30 20:00"),
            ("sunday 11:00", "2026-12-06 11:00"),
            ("sunday 13:00", "2026-11-29 13:00"),
        ];
        for (text, expected) in cases {
            assert_eq!(
                parse_when(text, now, Shanghai),
                Ok(local(expected)),
                "{text}"
            );
        }
        assert_eq!(
            parse_when("someday 20:00", now, Shanghai),
            Err(Unreadable("someday".into()))
        );
        assert_eq!(
            parse_when("friday 25:00", now, Shanghai),
            Err(Unreadable("25:00".into()))
        );
    }

    #[test]
    fn repeat_reads_every_form() {
        let start = local("2026-12-01 20:00"); // a Tuesday
        assert_eq!(
            parse_repeat("weekly", start),
            Ok(Repeat::Weekly {
                every: 1,
                days: vec![Weekday::Tue]
            })
        );
        assert_eq!(
            parse_repeat("weekly on tue,thu", start),
            Ok(Repeat::Weekly {
                every: 1,
                days: vec![Weekday::Tue, Weekday::Thu]
            })
        );
        assert_eq!(
            parse_repeat("every 2 weeks", start),
            Ok(Repeat::Weekly {
                every: 2,
                days: vec![Weekday::Tue]
            })
        );
        assert_eq!(
            parse_repeat("monthly on the first friday", start),
            Ok(Repeat::MonthlyNth {
                nth: 1,
                weekday: Weekday::Fri
            })
        );
        assert_eq!(
            parse_repeat("monthly on day 15", start),
            Ok(Repeat::MonthlyDay(15))
        );
        assert_eq!(parse_repeat("quarterly", start), Ok(Repeat::Quarterly));
        assert_eq!(
            parse_repeat("0 20 * * 2,4", start),
            Ok(Repeat::Cron("0 20 * * 2,4".into()))
        );
        assert!(parse_repeat("every blue moon", start).is_err());
        assert!(parse_repeat("61 20 * * *", start).is_err());
    }

    /// A weekly 20:00 stays at 20:00 local across DST in both directions.
    #[test]
    fn weekly_events_keep_their_local_time_across_dst() {
        for (tz, start, dates) in [
            (
                New_York,
                "2026-10-27 20:00",
                ["2026-10-28T00:00:00Z", "2026-11-04T01:00:00Z"],
            ),
            (
                Berlin,
                "2026-10-20 20:00",
                ["2026-10-20T18:00:00Z", "2026-10-27T19:00:00Z"],
            ),
            (
                New_York,
                "2026-03-03 20:00",
                ["2026-03-04T01:00:00Z", "2026-03-11T00:00:00Z"],
            ),
            (
                Shanghai,
                "2026-03-03 20:00",
                ["2026-03-03T12:00:00Z", "2026-03-10T12:00:00Z"],
            ),
        ] {
            let start = local(start);
            let repeat = parse_repeat("weekly", start).unwrap();
            let got = upcoming(
                &repeat,
                start,
                tz,
                resolve(tz, start) - Duration::seconds(1),
                2,
            );
            assert_eq!(got, dates.map(utc).to_vec(), "{tz} {start}");
        }
    }

    #[test]
    fn a_missing_local_time_fires_after_the_gap_and_an_ambiguous_one_fires_once() {
        // 2026-03-08 02:30 does not exist in New York (clocks jump 02:00 → 03:00).
        assert_eq!(
            resolve(New_York, local("2026-03-08 02:30")),
            utc("2026-03-08T07:00:00Z")
        );
        // 2026-11-01 01:30 happens twice; the first is 05:30Z (EDT).
        let start = local("2026-10-31 01:30");
        let daily = upcoming(
            &Repeat::Daily,
            start,
            New_York,
            utc("2026-10-31T00:00:00Z"),
            3,
        );
        assert_eq!(
            daily,
            vec![
                utc("2026-10-31T05:30:00Z"),
                utc("2026-11-01T05:30:00Z"),
                utc("2026-11-02T06:30:00Z")
            ]
        );
    }

    #[test]
    fn monthly_quarterly_and_cron_series() {
        let start = local("2026-12-01 20:00");
        let first_friday = Repeat::MonthlyNth {
            nth: 1,
            weekday: Weekday::Fri,
        };
        let got = upcoming(
            &first_friday,
            start,
            Shanghai,
            utc("2026-11-30T00:00:00Z"),
            2,
        );
        assert_eq!(
            got,
            vec![utc("2026-12-04T12:00:00Z"), utc("2027-01-01T12:00:00Z")]
        );
        let day31 = upcoming(
            &Repeat::MonthlyDay(31),
            start,
            Shanghai,
            utc("2026-12-01T00:00:00Z"),
            3,
        );
        assert_eq!(day31.len(), 3);
        assert_eq!(day31[1], utc("2027-01-31T12:00:00Z"));
        assert_eq!(
            day31[2],
            utc("2027-03-31T12:00:00Z"),
            "February has no 31st"
        );
        let quarterly = upcoming(
            &Repeat::Quarterly,
            start,
            Shanghai,
            utc("2026-11-30T00:00:00Z"),
            3,
        );
        assert_eq!(quarterly[2], utc("2027-06-01T12:00:00Z"));
        let cron = Repeat::Cron("0 20 * * 2,4".into());
        let got = upcoming(&cron, start, Shanghai, utc("2026-11-30T00:00:00Z"), 3);
        assert_eq!(
            got,
            vec![
                utc("2026-12-01T12:00:00Z"),
                utc("2026-12-03T12:00:00Z"),
                utc("2026-12-08T12:00:00Z")
            ]
        );
        let never = Repeat::Cron("0 20 30 2 *".into());
        assert_eq!(
            next_after(&never, start, Shanghai, utc("2026-11-30T00:00:00Z")),
            None
        );
    }

    #[test]
    fn a_year_of_weekly_events_is_52_occurrences() {
        let start = local("2027-01-05 20:00");
        let repeat = parse_repeat("weekly", start).unwrap();
        let year = upcoming(&repeat, start, Berlin, utc("2027-01-01T00:00:00Z"), 60)
            .into_iter()
            .filter(|t| *t < utc("2028-01-01T00:00:00Z"))
            .count();
        assert_eq!(year, 52);
    }

    proptest::proptest! {
        #[test]
        fn occurrences_strictly_increase(day in 0i64..3000, hour in 0u32..24, minute in 0u32..60, form in 0usize..6) {
            let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap().and_hms_opt(hour, minute, 0).unwrap()
                + Duration::days(day);
            let repeat = [
                Repeat::Daily,
                Repeat::Weekly { every: 2, days: vec![Weekday::Mon, Weekday::Sun] },
                Repeat::MonthlyDay(30),
                Repeat::MonthlyNth { nth: -1, weekday: Weekday::Fri },
                Repeat::Quarterly,
                Repeat::Cron("30 2 * * *".into()),
            ][form].clone();
            let got = upcoming(&repeat, start, New_York, resolve(New_York, start) - Duration::days(1), 12);
            for pair in got.windows(2) {
                proptest::prop_assert!(pair[0] < pair[1], "{:?}", got);
            }
        }
    }
}
