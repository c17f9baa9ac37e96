//! `GET /calendar.ics`: upcoming events as iCalendar (RFC 5545) with UTC times and stable UIDs,
//! so members subscribe from Google Calendar, Apple Calendar or Outlook.

use chrono::{DateTime, Duration, Utc};

use super::{ops, recurrence, store};
use crate::clock::from_millis;
use crate::config::Config;
use crate::db::Db;

/// How far ahead the feed lists occurrences.
const HORIZON_DAYS: i64 = 90;

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
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

pub async fn calendar(db: &Db, config: &Config, now: DateTime<Utc>) -> anyhow::Result<String> {
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
    ];
    let until = now + Duration::days(HORIZON_DAYS);
    for row in store::list(db, 1_000)
        .await?
        .into_iter()
        .filter(|r| r.status == "active")
    {
        let Some(series) = ops::series(&row) else {
            continue;
        };
        let mut cursor = from_millis(row.next_at.unwrap_or(0)) - Duration::seconds(1);
        while let Some(occ) = recurrence::next_after(&series.repeat, series.start, tz, cursor) {
            if occ > until {
                break;
            }
            let end = occ + Duration::seconds(row.duration_s);
            lines.push("BEGIN:VEVENT".into());
            lines.push(format!("UID:event-{}-{}@lyceum", row.id, occ.timestamp()));
            lines.push(format!("DTSTAMP:{}", stamp(now)));
            lines.push(format!("DTSTART:{}", stamp(occ)));
            lines.push(format!("DTEND:{}", stamp(end)));
            lines.push(format!("SUMMARY:{}", escape(&row.title)));
            if !row.description.is_empty() {
                lines.push(format!("DESCRIPTION:{}", escape(&row.description)));
            }
            lines.push("END:VEVENT".into());
            cursor = occ;
        }
    }
    lines.push("END:VCALENDAR".into());
    Ok(lines
        .iter()
        .map(|l| fold(l))
        .collect::<Vec<_>>()
        .join("\r\n")
        + "\r\n")
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
}
