//! `GET /calendar.ics`: the community's public events as iCalendar (RFC 5545), so members
//! subscribe from Google Calendar, Apple Calendar or Outlook. A one-off event is one VEVENT at
//! its planned instant; a recurring series is one VEVENT with an RRULE in the community's time
//! zone (with its VTIMEZONE), and EXDATEs for occurrences skipped with `/event skip`. A cron
//! series, which RRULE cannot always say, is listed occurrence by occurrence for a year.
//! Only events in channels @everyone can view are listed: the feed is public.

use std::collections::HashSet;

use chrono::{DateTime, Duration, NaiveDateTime, Offset, TimeZone, Utc, Weekday};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

use super::{ops, recurrence, store};
use crate::clock::from_millis;
use crate::config::Config;
use crate::db::Db;
use crate::recurrence::Repeat;

/// How far ahead a cron series is listed occurrence by occurrence.
const CRON_HORIZON_DAYS: i64 = 366;

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

fn local_stamp(at: NaiveDateTime) -> String {
    at.format("%Y%m%dT%H%M%S").to_string()
}

/// Text values escape backslash, semicolon, comma and newlines (RFC 5545 §3.3.11).
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// Lines longer than 75 octets are folded (RFC 5545 §3.1), never inside a character.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out
}

fn byday(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

/// The RRULE that says `repeat` for a series whose first local date is `first` (None for a
/// one-off event and for cron, which RRULE cannot always say).
pub fn rrule(repeat: &Repeat, first: NaiveDateTime) -> Option<String> {
    use chrono::Datelike;
    Some(match repeat {
        Repeat::Once | Repeat::Cron(_) => return None,
        Repeat::Daily => "FREQ=DAILY".to_string(),
        Repeat::Weekly { every, days } => {
            let days: Vec<&str> = days.iter().map(|d| byday(*d)).collect();
            format!(
                "FREQ=WEEKLY;INTERVAL={every};WKST=MO;BYDAY={}",
                days.join(",")
            )
        }
        Repeat::MonthlyDay(day) => format!("FREQ=MONTHLY;BYMONTHDAY={day}"),
        Repeat::MonthlyNth { nth, weekday } => {
            format!("FREQ=MONTHLY;BYDAY={nth}{}", byday(*weekday))
        }
        Repeat::Quarterly => format!("FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY={}", first.day()),
    })
}

fn utc_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    format!("{sign}{:02}{:02}", s / 3600, (s % 3600) / 60)
}

/// The zone's offset, whether it is daylight time, and its abbreviation at `at`.
fn zone_at(tz: Tz, at: DateTime<Utc>) -> (i32, bool, String) {
    let offset = tz.offset_from_utc_datetime(&at.naive_utc());
    let dst = !offset.dst_offset().is_zero();
    let name = offset.abbreviation().unwrap_or("").to_string();
    (offset.fix().local_minus_utc(), dst, name)
}

/// A VTIMEZONE for `tz` with every offset change between `from` and `to` (found by scanning
/// the zone's rules from chrono-tz, to the minute), so calendar apps place local times right.
pub fn vtimezone(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<String> {
    let component = |kind: &str, start: NaiveDateTime, before: i32, after: i32, name: &str| {
        let mut lines = vec![
            format!("BEGIN:{kind}"),
            format!("DTSTART:{}", local_stamp(start)),
            format!("TZOFFSETFROM:{}", utc_offset(before)),
            format!("TZOFFSETTO:{}", utc_offset(after)),
        ];
        if !name.is_empty() && !name.starts_with(['+', '-']) {
            lines.push(format!("TZNAME:{name}"));
        }
        lines.push(format!("END:{kind}"));
        lines
    };
    let kind = |dst: bool| if dst { "DAYLIGHT" } else { "STANDARD" };
    let mut lines = vec!["BEGIN:VTIMEZONE".to_string(), format!("TZID:{}", tz.name())];
    let (mut offset, dst, name) = zone_at(tz, from);
    let epoch = NaiveDateTime::parse_from_str("19700101T000000", "%Y%m%dT%H%M%S").expect("a date");
    lines.extend(component(kind(dst), epoch, offset, offset, &name));
    let step = Duration::hours(6);
    let mut t = from;
    while t < to {
        let next = t + step;
        if zone_at(tz, next).0 != offset {
            // The change lies in (t, next]: find its minute (zones change on whole minutes).
            let minute = |m: i64| DateTime::<Utc>::from_timestamp(m * 60, 0).expect("in range");
            let (mut lo, mut hi) = (t.timestamp() / 60, (next.timestamp() + 59) / 60);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if zone_at(tz, minute(mid)).0 == offset {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let hi = minute(hi);
            let (after, dst, name) = zone_at(tz, hi);
            let local_before = hi.naive_utc() + Duration::seconds(i64::from(offset));
            lines.extend(component(kind(dst), local_before, offset, after, &name));
            offset = after;
        }
        t = next;
    }
    lines.push("END:VTIMEZONE".into());
    lines
}

/// The feed. `public` is the set of channels @everyone can view (None before the gateway has
/// reported the server: then no event is listed rather than a private one).
pub async fn calendar(
    db: &Db,
    config: &Config,
    now: DateTime<Utc>,
    public: Option<&HashSet<u64>>,
) -> anyhow::Result<String> {
    let tz = config.community.timezone;
    let name = config
        .community
        .name
        .get(config.community.default_locale)
        .to_string();
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        "PRODID:-//Lyceum//Events//EN".to_string(),
        "CALSCALE:GREGORIAN".to_string(),
        format!("X-WR-CALNAME:{}", escape(&name)),
        format!("X-WR-TIMEZONE:{}", tz.name()),
    ];
    let mut events = Vec::new();
    let mut earliest = now;
    let rows = store::list(db, 10_000).await?;
    for row in rows
        .into_iter()
        .filter(|r| r.status == super::Status::Active)
    {
        if !public.is_some_and(|p| p.contains(&(row.channel_id as u64))) {
            continue;
        }
        let (Some(series), Some(next)) = (ops::series(&row), row.next_at.map(from_millis)) else {
            continue;
        };
        if let Some(first) = vevents(db, &row, &series, next, tz, now, &mut events).await? {
            earliest = earliest.min(first);
        }
    }
    lines.extend(vtimezone(
        tz,
        earliest - Duration::days(366),
        now + Duration::days(5 * 366),
    ));
    lines.extend(events);
    lines.push("END:VCALENDAR".into());
    Ok(lines
        .iter()
        .map(|l| fold(l))
        .collect::<Vec<_>>()
        .join("\r\n")
        + "\r\n")
}

/// One event's VEVENTs, added to `events`: a repeating rule with its skipped dates, or each
/// occurrence for a one-off or a cron. Returns the rule's first occurrence (for the zone's
/// history).
async fn vevents(
    db: &Db,
    row: &store::EventRow,
    series: &ops::Series,
    next: DateTime<Utc>,
    tz: Tz,
    now: DateTime<Utc>,
    events: &mut Vec<String>,
) -> anyhow::Result<Option<DateTime<Utc>>> {
    let mut shown = None;
    let length = Duration::seconds(row.duration_s);
    let head = |uid: String, lines: &mut Vec<String>| {
        lines.push("BEGIN:VEVENT".into());
        lines.push(format!("UID:{uid}"));
        lines.push(format!("DTSTAMP:{}", stamp(now)));
        lines.push(format!("SUMMARY:{}", escape(&row.title)));
        if !row.description.is_empty() {
            lines.push(format!("DESCRIPTION:{}", escape(&row.description)));
        }
    };
    let first = recurrence::resolve(tz, series.start);
    let first = recurrence::next_after(
        &series.repeat,
        series.start,
        tz,
        first - Duration::seconds(1),
    );
    match (rrule(&series.repeat, series.start), first) {
        (Some(rule), Some(first)) => {
            shown = Some(first);
            let local = |at: DateTime<Utc>| local_stamp(at.with_timezone(&tz).naive_local());
            head(format!("event-{}@lyceum", row.id), events);
            events.push(format!("DTSTART;TZID={}:{}", tz.name(), local(first)));
            events.push(format!("DURATION:PT{}S", length.num_seconds()));
            events.push(format!("RRULE:{rule}"));
            let skipped = store::skipped_on_purpose(db, row.id).await?;
            if !skipped.is_empty() {
                let dates: Vec<String> = skipped
                    .into_iter()
                    .map(|at| local(from_millis(at)))
                    .collect();
                events.push(format!("EXDATE;TZID={}:{}", tz.name(), dates.join(",")));
            }
            events.push("END:VEVENT".into());
        }
        _ => {
            // One-off: its planned instant (kept to the second, as the scheduler has it).
            // Cron: each occurrence for a year.
            let until = next + Duration::days(CRON_HORIZON_DAYS);
            let mut at = Some(next);
            while let Some(occ) = at.filter(|o| *o <= until) {
                head(
                    format!("event-{}-{}@lyceum", row.id, occ.timestamp()),
                    events,
                );
                events.push(format!("DTSTART:{}", stamp(occ)));
                events.push(format!("DTEND:{}", stamp(occ + length)));
                events.push("END:VEVENT".into());
                at = match series.repeat {
                    Repeat::Cron(_) => {
                        recurrence::next_after(&series.repeat, series.start, tz, occ)
                    }
                    _ => None,
                };
            }
        }
    }

    Ok(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_on_character_boundaries_and_text_is_escaped() {
        let line = format!("SUMMARY:{}", "直播".repeat(40));
        let folded = fold(&line);
        assert!(folded.split("\r\n").all(|l| l.len() <= 75), "{folded}");
        assert_eq!(folded.replace("\r\n ", ""), line);
        assert_eq!(escape("a,b;c\nd"), "a\\,b\\;c\\nd");
    }

    #[test]
    fn repeat_rules_are_said_as_rrules() {
        let start = NaiveDateTime::parse_from_str("2026-12-01 20:00", "%Y-%m-%d %H:%M").unwrap();
        let cases = [
            ("daily", Some("FREQ=DAILY")),
            (
                "weekly on tue,thu",
                Some("FREQ=WEEKLY;INTERVAL=1;WKST=MO;BYDAY=TU,TH"),
            ),
            (
                "every 2 weeks",
                Some("FREQ=WEEKLY;INTERVAL=2;WKST=MO;BYDAY=TU"),
            ),
            ("monthly on day 15", Some("FREQ=MONTHLY;BYMONTHDAY=15")),
            (
                "monthly on the first friday",
                Some("FREQ=MONTHLY;BYDAY=1FR"),
            ),
            ("quarterly", Some("FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1")),
            ("0 20 * * 2,4", None),
        ];
        for (text, expected) in cases {
            let repeat = recurrence::parse_repeat(text, start).unwrap();
            assert_eq!(rrule(&repeat, start).as_deref(), expected, "{text}");
        }
    }

    #[test]
    fn a_zone_with_daylight_time_lists_its_changes_and_one_without_lists_none() {
        let from: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
        let to: DateTime<Utc> = "2027-01-01T00:00:00Z".parse().unwrap();
        let berlin = vtimezone(chrono_tz::Europe::Berlin, from, to).join("\n");
        assert!(berlin.contains("BEGIN:DAYLIGHT\nDTSTART:20260329T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nTZNAME:CEST"), "{berlin}");
        assert!(berlin.contains("BEGIN:STANDARD\nDTSTART:20261025T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nTZNAME:CET"), "{berlin}");
        let shanghai = vtimezone(chrono_tz::Asia::Shanghai, from, to);
        assert_eq!(
            shanghai.iter().filter(|l| l.starts_with("BEGIN:")).count(),
            2,
            "{shanghai:?}"
        );
        assert!(shanghai.contains(&"TZOFFSETTO:+0800".to_string()));
    }
}
