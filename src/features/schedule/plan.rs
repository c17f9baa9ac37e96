//! The content plan, pure: periods in the community's time zone, how far along a period is,
//! whether a kind is behind, and the streak of weeks on target.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Weekday};
use chrono_tz::Tz;

use crate::config::Per;

/// The first local day of the period containing `day`.
pub fn period_start(per: Per, day: NaiveDate) -> NaiveDate {
    match per {
        Per::Week => day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
        Per::Month => day.with_day(1).unwrap_or(day),
        Per::Quarter => {
            let month = (day.month0() / 3) * 3 + 1;
            NaiveDate::from_ymd_opt(day.year(), month, 1).unwrap_or(day)
        }
    }
}

/// The first local day of the next period.
pub fn period_end(per: Per, day: NaiveDate) -> NaiveDate {
    let start = period_start(per, day);
    match per {
        Per::Week => start + Duration::days(7),
        Per::Month => start
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(start),
        Per::Quarter => start
            .checked_add_months(chrono::Months::new(3))
            .unwrap_or(start),
    }
}

/// Local midnight of `day` as a UTC instant (ms).
pub fn midnight_ms(tz: Tz, day: NaiveDate) -> i64 {
    let local = day.and_time(NaiveTime::MIN);
    tz.from_local_datetime(&local)
        .earliest()
        .map_or(0, |t| t.timestamp_millis())
}

/// Behind when fewer than the share of the target due by now (rounded) are published: 3 a
/// week is behind on Thursday with 1, not on Monday with 0; 1 a month is behind from the
/// middle of the month.
pub fn behind(target: u32, per: Per, now: NaiveDateTime, actual: u32) -> bool {
    let start = period_start(per, now.date()).and_time(NaiveTime::MIN);
    let end = period_end(per, now.date()).and_time(NaiveTime::MIN);
    let elapsed = (now - start).num_seconds() as f64 / (end - start).num_seconds().max(1) as f64;
    let due = (f64::from(target) * elapsed).round() as u32;
    actual < due
}

/// Consecutive full weeks, newest first, that met `target`.
pub fn weeks_on_target(counts_newest_first: &[u32], target: u32) -> usize {
    counts_newest_first
        .iter()
        .take_while(|n| **n >= target)
        .count()
}

/// The next digest instant (local `day` at `time`) strictly after `now`.
pub fn next_digest(
    tz: Tz,
    day: Weekday,
    time: NaiveTime,
    now: chrono::DateTime<chrono::Utc>,
) -> chrono::DateTime<chrono::Utc> {
    let local = now.with_timezone(&tz).date_naive();
    for ahead in 0..=7 {
        let date = local + Duration::days(ahead);
        if date.weekday() != day {
            continue;
        }
        let at = super::recurrence::resolve(tz, date.and_time(time));
        if at > now {
            return at;
        }
    }
    super::recurrence::resolve(tz, (local + Duration::days(7)).and_time(time))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods_start_on_monday_the_first_and_the_quarter() {
        assert_eq!(
            period_start(Per::Week, day("2026-12-03")),
            day("2026-11-30")
        );
        assert_eq!(
            period_start(Per::Month, day("2026-12-03")),
            day("2026-12-01")
        );
        assert_eq!(
            period_start(Per::Quarter, day("2026-12-03")),
            day("2026-10-01")
        );
        assert_eq!(
            period_end(Per::Quarter, day("2026-12-03")),
            day("2027-01-01")
        );
    }

    #[test]
    fn behind_is_pro_rata() {
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        assert!(!behind(3, Per::Week, at("2026-11-30 12:00"), 0), "Monday");
        assert!(behind(3, Per::Week, at("2026-12-03 12:00"), 1), "Thursday");
        assert!(!behind(3, Per::Week, at("2026-12-03 12:00"), 2));
        assert!(!behind(1, Per::Month, at("2026-12-10 12:00"), 0));
        assert!(behind(1, Per::Month, at("2026-12-20 12:00"), 0));
    }

    #[test]
    fn streak_counts_full_weeks_on_target() {
        assert_eq!(weeks_on_target(&[3, 4, 2, 3], 3), 2);
        assert_eq!(weeks_on_target(&[1], 3), 0);
    }
}
