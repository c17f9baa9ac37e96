//! The weekly report: new and active members, challenge completion, highlights added,
//! questions answered, revenue, renewals due and the renewal rate — this week beside the week
//! before, as a PNG card with labels in both languages. Every Monday at `[report] time` to
//! `channels.staff` (once per week, also after downtime), and `/report week` on demand.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use sqlx::SqliteConnection;

use super::percent;
use super::store::{self, WeekCounts};
use crate::clock::to_millis;
use crate::config::Config;
use crate::i18n::Locale;
use crate::recurrence::resolve;
use crate::t;

/// A week: `from` (inclusive) to `to` (exclusive), and its first and last local days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Week {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
}

/// The Monday of the local week `at` falls in.
pub fn monday_of(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    let day = at.with_timezone(&tz).date_naive();
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The whole local week (Monday to Sunday) before the one `at` falls in.
pub fn week_before(at: DateTime<Utc>, tz: Tz) -> Week {
    let this_monday = monday_of(at, tz);
    let monday = this_monday - Duration::days(7);
    Week {
        from: resolve(tz, monday.and_time(NaiveTime::MIN)),
        to: resolve(tz, this_monday.and_time(NaiveTime::MIN)),
        first_day: monday,
        last_day: this_monday - Duration::days(1),
    }
}

/// The 7 days up to `now` (today included), for `/report week`.
pub fn last_seven_days(now: DateTime<Utc>, tz: Tz) -> Week {
    let today = now.with_timezone(&tz).date_naive();
    let first = today - Duration::days(6);
    Week {
        from: resolve(tz, first.and_time(NaiveTime::MIN)),
        to: now,
        first_day: first,
        last_day: today,
    }
}

impl Week {
    /// The same span, one week earlier.
    pub fn before(&self) -> Week {
        Week {
            from: self.from - Duration::days(7),
            to: self.to - Duration::days(7),
            first_day: self.first_day - Duration::days(7),
            last_day: self.last_day - Duration::days(7),
        }
    }
}

/// One week's numbers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Numbers {
    pub counts: WeekCounts,
    /// Net, by currency, largest first.
    pub revenue: Vec<(String, i64)>,
    /// Paid ends in the 7 days after the week that do not renew by themselves.
    pub due_next: i64,
    /// Renewed of due in the week.
    pub renewed: i64,
    pub due: i64,
}

impl Numbers {
    pub fn completion(&self) -> Option<f64> {
        (self.counts.expected_checkins > 0)
            .then(|| self.counts.checkins as f64 / self.counts.expected_checkins as f64)
    }

    pub fn renewal_rate(&self) -> Option<f64> {
        (self.due > 0).then(|| self.renewed as f64 / self.due as f64)
    }
}

pub struct Report {
    pub week: Week,
    pub this: Numbers,
    pub last: Numbers,
}

async fn numbers(
    conn: &mut SqliteConnection,
    week: &Week,
    dues: &[super::renewal_rate::Due],
) -> sqlx::Result<Numbers> {
    let (from, to) = (to_millis(week.from), to_millis(week.to));
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let end_day = day(week.last_day + Duration::days(1));
    let counts = store::week_counts(conn, (from, to), (&day(week.first_day), &end_day)).await?;
    let in_week: Vec<_> = dues.iter().filter(|d| d.at >= from && d.at < to).collect();
    Ok(Numbers {
        counts,
        revenue: store::revenue_between(conn, from, to).await?,
        due_next: store::renewals_due(conn, to, to + Duration::days(7).num_milliseconds())
            .await?
            .len() as i64,
        renewed: in_week.iter().filter(|d| d.renewed).count() as i64,
        due: in_week.len() as i64,
    })
}

/// The report of `week` beside the week before.
pub async fn gather(
    conn: &mut SqliteConnection,
    config: &Config,
    week: Week,
    now: DateTime<Utc>,
) -> sqlx::Result<Report> {
    let (terms, renewals) = store::paid_history(conn, config).await?;
    let dues = super::renewal_rate::dues(&terms, &renewals, to_millis(now));
    let this = numbers(conn, &week, &dues).await?;
    let last = numbers(conn, &week.before(), &dues).await?;
    Ok(Report { week, this, last })
}

/// Money as `58.00 USD` (the largest currency first).
fn money(revenue: &[(String, i64)]) -> String {
    if revenue.is_empty() {
        return "0".to_string();
    }
    revenue
        .iter()
        .map(|(currency, minor)| crate::i18n::money(*minor, currency))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The report's rows: the label key, this week's value, last week's.
pub fn rows(report: &Report) -> Vec<(&'static str, String, String)> {
    let (a, b) = (&report.this, &report.last);
    vec![
        (
            "chart-report-new",
            a.counts.new_members.to_string(),
            b.counts.new_members.to_string(),
        ),
        (
            "chart-report-active",
            a.counts.active_members.to_string(),
            b.counts.active_members.to_string(),
        ),
        (
            "chart-report-challenge",
            percent(a.completion()),
            percent(b.completion()),
        ),
        (
            "chart-report-highlights",
            a.counts.highlights.to_string(),
            b.counts.highlights.to_string(),
        ),
        (
            "chart-report-answered",
            a.counts.answered.to_string(),
            b.counts.answered.to_string(),
        ),
        ("chart-report-revenue", money(&a.revenue), money(&b.revenue)),
        (
            "chart-report-due",
            a.due_next.to_string(),
            b.due_next.to_string(),
        ),
        (
            "chart-report-rate",
            format!("{} ({}/{})", percent(a.renewal_rate()), a.renewed, a.due),
            format!("{} ({}/{})", percent(b.renewal_rate()), b.renewed, b.due),
        ),
    ]
}

/// The title's dates, `MM-DD`.
pub fn span(week: &Week) -> (String, String) {
    (
        week.first_day.format("%m-%d").to_string(),
        week.last_day.format("%m-%d").to_string(),
    )
}

/// The report as text in `locale` (the `/report week` reply, and the post's caption).
pub fn text(report: &Report, locale: Locale) -> String {
    let (from, to) = span(&report.week);
    let mut lines = vec![format!(
        "📊 **{}**",
        t!(locale, "chart-report-title", from = from, to = to)
    )];
    for (key, this, last) in rows(report) {
        lines.push(t!(
            locale,
            "report-line",
            label = t!(locale, key),
            value = this,
            previous = last
        ));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn the_week_before_is_monday_to_monday_local_even_across_a_clock_change() {
        let tz: Tz = "America/New_York".parse().unwrap();
        // Monday 2026-11-02, the day after clocks went back.
        let week = week_before(at("2026-11-02T15:00:00Z"), tz);
        assert_eq!(week.from, at("2026-10-26T04:00:00Z"));
        assert_eq!(week.to, at("2026-11-02T05:00:00Z"));
        assert_eq!(week.last_day.to_string(), "2026-11-01");
        assert_eq!(
            monday_of(at("2026-11-02T03:00:00Z"), tz).to_string(),
            "2026-10-26",
            "still Sunday evening in New York"
        );
        let seven = last_seven_days(at("2026-11-04T12:00:00Z"), tz);
        assert_eq!(seven.first_day.to_string(), "2026-10-29");
        assert_eq!(seven.before().last_day.to_string(), "2026-10-28");
    }

    #[test]
    fn the_card_is_a_png_with_both_languages_and_money_reads_as_money() {
        let week = week_before(at("2026-11-30T01:00:00Z"), Tz::Asia__Shanghai);
        let report = Report {
            week,
            this: Numbers {
                revenue: vec![("USD".into(), 2900), ("CNY".into(), -1050)],
                renewed: 1,
                due: 4,
                ..Numbers::default()
            },
            last: Numbers::default(),
        };
        let rows = rows(&report);
        assert_eq!(rows[5].1, "29.00 USD · -10.50 CNY");
        assert_eq!(rows[7].1, "25% (1/4)");
        assert_eq!(rows[2].1, "–", "no challenge days: no rate");
        let png = super::super::charts::weekly(&report).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert!(text(&report, Locale::ZhCn).contains("周报 · 11-23 – 11-29"));
    }
}
