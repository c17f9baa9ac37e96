//! Plan vs actual, read from the store: what `/plan show` and the weekly digest say.

use chrono::{DateTime, Duration, Utc};

use super::plan::{behind, midnight_ms, period_end, period_start, weeks_on_target};
use super::store;
use crate::config::{Config, Per, PlanItem};
use crate::db::Db;
use crate::i18n::Locale;
use crate::t;

/// One kind's line: this week, month and quarter against its target.
pub async fn line(
    db: &Db,
    config: &Config,
    item: &PlanItem,
    now: DateTime<Utc>,
    locale: Locale,
) -> anyhow::Result<String> {
    let tz = config.community.timezone;
    let local = now.with_timezone(&tz).naive_local();
    let today = local.date();
    let mut counts = Vec::new();
    for per in [Per::Week, Per::Month, Per::Quarter] {
        let from = midnight_ms(tz, period_start(per, today));
        let to = midnight_ms(tz, period_end(per, today));
        counts.push(store::content_between(db, &item.kind, from, to).await?);
    }
    let actual = match item.per {
        Per::Week => counts[0],
        Per::Month => counts[1],
        Per::Quarter => counts[2],
    };
    let mark = if behind(item.target, item.per, local, actual) {
        "⚠️"
    } else {
        "✅"
    };
    let mut text = t!(
        locale,
        "plan-line",
        mark = mark,
        kind = item.label(locale),
        actual = i64::from(actual),
        target = i64::from(item.target),
        per = per_label(locale, item.per),
        week = i64::from(counts[0]),
        month = i64::from(counts[1]),
        quarter = i64::from(counts[2])
    );
    if item.per == Per::Week {
        let mut weeks = Vec::new();
        let this_week = period_start(Per::Week, today);
        for back in 1..=52 {
            let start = this_week - Duration::days(7 * back);
            let from = midnight_ms(tz, start);
            let to = midnight_ms(tz, start + Duration::days(7));
            weeks.push(store::content_between(db, &item.kind, from, to).await?);
            if weeks.last().is_some_and(|n| *n < item.target) {
                break;
            }
        }
        let streak = weeks_on_target(&weeks, item.target) as i64;
        // Fluent trims a value's leading space, so the separator is added here.
        text.push_str(" · ");
        text.push_str(&t!(locale, "plan-streak", weeks = streak));
    }
    Ok(text)
}

pub fn per_label(locale: Locale, per: Per) -> String {
    match per {
        Per::Week => t!(locale, "plan-per-week"),
        Per::Month => t!(locale, "plan-per-month"),
        Per::Quarter => t!(locale, "plan-per-quarter"),
    }
}

/// Every kind's line, or the message that nothing is planned.
pub async fn report(
    db: &Db,
    config: &Config,
    now: DateTime<Utc>,
    locale: Locale,
) -> anyhow::Result<String> {
    if config.plan.items.is_empty() {
        return Ok(t!(locale, "plan-empty"));
    }
    let mut lines = vec![t!(locale, "plan-header")];
    for item in &config.plan.items {
        lines.push(line(db, config, item, now, locale).await?);
    }
    Ok(lines.join("\n"))
}
