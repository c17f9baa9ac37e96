//! What admins and members read: status lines, lists, CSV files, the revenue report.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serenity::all::UserId;

use super::error::MembershipError;
use super::store;
use crate::clock::{from_millis, to_millis};
use crate::config::Config;
use crate::db::Db;
use crate::error::Error;
use crate::grants::ProductGrant;
use crate::i18n::Locale;
use crate::t;

pub use crate::i18n::money;

/// An end as members read it: their own local time and how far off.
pub fn when(at: Option<DateTime<Utc>>, locale: crate::i18n::Locale) -> String {
    match at {
        Some(at) => format!("<t:{0}:F> (<t:{0}:R>)", at.timestamp()),
        None => t!(locale, "membership-lifetime"),
    }
}

/// How a grant's source reads to members (`granted by staff`, `redeem code`, `imported`…).
pub fn source_label(locale: Locale, source: &str) -> String {
    match source {
        "manual" => t!(locale, "membership-source-manual"),
        "code" => t!(locale, "membership-source-code"),
        "import" => t!(locale, "membership-source-import"),
        "stripe" => t!(locale, "membership-source-stripe"),
        "discord" => t!(locale, "membership-source-discord"),
        other => other.to_string(),
    }
}

/// `/membership status`: one line per product, the latest end of its open grants.
pub fn status(
    config: &Config,
    grants: &[ProductGrant],
    who: UserId,
    now: DateTime<Utc>,
    locale: Locale,
) -> String {
    let mut products: Vec<&str> = grants.iter().map(|g| g.product.as_str()).collect();
    products.sort();
    products.dedup();
    if products.is_empty() {
        return t!(
            locale,
            "membership-status-none",
            member = format!("<@{who}>")
        );
    }
    let mut lines = vec![t!(
        locale,
        "membership-status-header",
        member = format!("<@{who}>")
    )];
    for id in products {
        let mine: Vec<&ProductGrant> = grants.iter().filter(|g| g.product == id).collect();
        let held = crate::grants::rules::combine(mine.iter().map(|g| {
            if g.ends_at.is_none() {
                None
            } else {
                g.paid_until.map(from_millis)
            }
        }));
        let name = config
            .product(id)
            .map_or(id.to_string(), |p| p.name.get(locale).to_string());
        let mut sources: Vec<String> = mine
            .iter()
            .map(|g| source_label(locale, &g.source))
            .collect();
        sources.dedup();
        let until = match held {
            crate::grants::rules::Held::Until(at) if at <= now => {
                let ends = mine.iter().filter_map(|g| g.ends_at).max().map(from_millis);
                t!(locale, "membership-in-grace", until = when(ends, locale))
            }
            crate::grants::rules::Held::Until(at) => when(Some(at), locale),
            _ => t!(locale, "membership-lifetime"),
        };
        lines.push(format!("• **{name}** — {until} · {}", sources.join(", ")));
    }
    lines.join("\n")
}

pub fn list_lines(rows: &[ProductGrant], locale: Locale) -> Vec<String> {
    rows.iter()
        .map(|g| {
            format!(
                "<@{}> · `{}` · {} · {}",
                g.member_id,
                g.product,
                when(g.paid_until.map(from_millis), locale),
                source_label(locale, &g.source)
            )
        })
        .collect()
}

fn iso(ms: Option<i64>) -> String {
    ms.map(|m| from_millis(m).to_rfc3339()).unwrap_or_default()
}

/// Every open grant, one row each (spreadsheet-ready).
pub fn export_csv(rows: &[ProductGrant]) -> Result<Vec<u8>, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "member_id",
        "product",
        "source",
        "starts_at",
        "paid_until",
        "access_ends_at",
        "note",
    ])
    .map_err(csv_error)?;
    for g in rows {
        w.write_record([
            g.member_id.to_string(),
            g.product.clone(),
            g.source.clone(),
            iso(Some(g.starts_at)),
            iso(g.paid_until),
            iso(g.ends_at),
            g.note.clone().unwrap_or_default(),
        ])
        .map_err(csv_error)?;
    }
    w.into_inner()
        .map_err(|e| Error::Internal(anyhow::anyhow!("csv: {e}")))
}

fn csv_error(e: csv::Error) -> Error {
    Error::Internal(anyhow::anyhow!("csv: {e}"))
}

/// New codes, shown once: the only place their plaintext ever exists.
pub fn codes_csv(
    codes: &[String],
    product: &str,
    expires: Option<DateTime<Utc>>,
) -> Result<Vec<u8>, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["code", "product", "expires_at"])
        .map_err(csv_error)?;
    let expires = expires.map(|e| e.to_rfc3339()).unwrap_or_default();
    for code in codes {
        w.write_record([code.as_str(), product, expires.as_str()])
            .map_err(csv_error)?;
    }
    w.into_inner()
        .map_err(|e| Error::Internal(anyhow::anyhow!("csv: {e}")))
}

/// `2026-12-31` (end of that local day) or `2026-12-31 18:00` local; must be in the future.
pub fn parse_date(
    text: &str,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, MembershipError> {
    let bad = || MembershipError::BadDate {
        text: text.to_string(),
    };
    let text = text.trim();
    let local = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(23, 59, 59))
        })
        .ok_or_else(bad)?;
    let at = crate::recurrence::resolve(tz, local);
    if at <= now {
        return Err(bad());
    }
    Ok(at)
}

/// The period `text` names, in the community's zone: `month` (default), `last-month`,
/// `year`, or `YYYY-MM`. Returns [from, to) and a label.
fn period(
    text: Option<&str>,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>, String), MembershipError> {
    let local = now.with_timezone(&tz).date_naive();
    let month_start = |y: i32, m: u32| NaiveDate::from_ymd_opt(y, m, 1);
    let next = |y: i32, m: u32| if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    let (start, end) = match text.map(str::trim).unwrap_or("month") {
        "month" | "本月" => {
            let (y, m) = (local.year(), local.month());
            let (ny, nm) = next(y, m);
            (month_start(y, m), month_start(ny, nm))
        }
        "last-month" | "上月" => {
            let (y, m) = if local.month() == 1 {
                (local.year() - 1, 12)
            } else {
                (local.year(), local.month() - 1)
            };
            (month_start(y, m), month_start(local.year(), local.month()))
        }
        "year" | "今年" => (
            NaiveDate::from_ymd_opt(local.year(), 1, 1),
            NaiveDate::from_ymd_opt(local.year() + 1, 1, 1),
        ),
        other => {
            let parsed = NaiveDate::parse_from_str(&format!("{other}-01"), "%Y-%m-%d").ok();
            match parsed {
                Some(d) => {
                    let (ny, nm) = next(d.year(), d.month());
                    (Some(d), month_start(ny, nm))
                }
                None => (None, None),
            }
        }
    };
    let (Some(start), Some(end)) = (start, end) else {
        return Err(MembershipError::BadDate {
            text: text.unwrap_or_default().to_string(),
        });
    };
    let at = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
            .earliest()
            .map_or_else(
                || Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight")),
                |t| t.with_timezone(&Utc),
            )
    };
    let label = if end.signed_duration_since(start).num_days() > 31 {
        start.format("%Y").to_string()
    } else {
        start.format("%Y-%m").to_string()
    };
    Ok((at(start), at(end), label))
}

/// How many of `/membership unmatched`'s lines are shown.
const UNMATCHED_SHOWN: i64 = 25;

/// `/membership unmatched`: Stripe money nobody could tie to a member and product (newest
/// first), then events kept until their checkout arrives.
pub async fn unmatched(db: &Db, locale: Locale) -> Result<String, Error> {
    use super::stripe::store as stripe;
    let mut conn = db.read.acquire().await?;
    let rows = stripe::unmatched(&mut conn, UNMATCHED_SHOWN).await?;
    let waiting = stripe::waiting(&mut conn, UNMATCHED_SHOWN).await?;
    if rows.is_empty() && waiting.is_empty() {
        return Ok(t!(locale, "membership-unmatched-none"));
    }
    let mut lines = vec![t!(locale, "membership-unmatched-header")];
    for row in &rows {
        let extra: String = [
            row.payment_intent.as_ref().map(|pi| format!(" · `{pi}`")),
            row.customer.as_ref().map(|c| format!(" · `{c}`")),
            row.member_id.map(|m| format!(" · <@{m}>")),
        ]
        .into_iter()
        .flatten()
        .collect();
        lines.push(t!(
            locale,
            "membership-unmatched-line",
            at = row.at / 1000,
            amount = money(row.amount_minor, &row.currency),
            reason = super::stripe::unmatched::Reason::describe(&row.reason, locale),
            kind = row.kind.clone(),
            object = row.object_id.clone(),
            extra = extra
        ));
    }
    if !waiting.is_empty() {
        lines.push(t!(locale, "membership-unmatched-waiting-header"));
        for row in &waiting {
            let amount = match (row.amount_minor, row.currency.as_deref()) {
                (Some(minor), Some(currency)) => {
                    format!(" · {}", money(minor, &currency.to_ascii_uppercase()))
                }
                _ => String::new(),
            };
            lines.push(t!(
                locale,
                "membership-unmatched-waiting-line",
                at = row.received_at / 1000,
                kind = row.kind.clone(),
                waits_for = row.waits_for.clone(),
                amount = amount
            ));
        }
    }
    lines.push(t!(locale, "membership-unmatched-hint"));
    Ok(lines.join("\n"))
}

/// `/revenue show`: income by product and source, then paid members now and the period's new,
/// renewed and churned.
pub async fn revenue(
    db: &Db,
    config: &Config,
    period_text: Option<&str>,
    now: DateTime<Utc>,
    locale: Locale,
) -> Result<String, Error> {
    let (from, to, label) = period(period_text, config.community.timezone, now)?;
    let (from, to) = (to_millis(from), to_millis(to));
    let mut conn = db.read.acquire().await?;
    let rows = store::income_between(&mut conn, from, to).await?;
    let mut lines = vec![t!(locale, "revenue-header", period = label)];
    if rows.is_empty() {
        lines.push(t!(locale, "revenue-none"));
    }
    let mut totals: std::collections::BTreeMap<String, i64> = Default::default();
    for (product, source, currency, total, count) in &rows {
        *totals.entry(currency.clone()).or_default() += total;
        lines.push(format!(
            "• `{product}` · {} — {} ({count})",
            source_label(locale, source),
            money(*total, currency)
        ));
    }
    if !totals.is_empty() {
        let sum: Vec<String> = totals.iter().map(|(c, t)| money(*t, c)).collect();
        lines.push(t!(locale, "revenue-total", total = sum.join(" + ")));
    }
    let complimentary = store::complimentary_between(&mut conn, from, to).await?;
    if complimentary > 0 {
        lines.push(t!(locale, "revenue-complimentary", count = complimentary));
    }
    let unmatched = store::unmatched_between(&mut conn, from, to).await?;
    if unmatched > 0 {
        lines.push(t!(locale, "revenue-unmatched", count = unmatched));
    }
    let kinds = store::income_kinds(&mut conn, from, to).await?;
    let count = |k: &str| {
        kinds
            .iter()
            .find(|(kind, _)| kind == k)
            .map_or(0, |(_, n)| *n)
    };
    use crate::features::stats::store as stats;
    let (active, comps) = stats::paid_and_comp_members_at(&mut conn, to_millis(now)).await?;
    let churned = stats::churned_between(&mut conn, from, to).await?;
    lines.push(t!(
        locale,
        "revenue-members",
        active = active,
        comps = comps,
        new = count("new"),
        renewed = count("renewal"),
        churned = churned
    ));
    Ok(lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_in_major_units() {
        assert_eq!(money(1990, "CNY"), "19.90 CNY");
        assert_eq!(money(-500, "USD"), "-5.00 USD");
    }

    #[test]
    fn periods_are_local_months() {
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        // 2026-11-30 20:00 UTC is already December in Shanghai.
        let now: DateTime<Utc> = "2026-11-30T20:00:00Z".parse().unwrap();
        let (from, to, label) = period(None, tz, now).unwrap();
        assert_eq!(label, "2026-12");
        assert_eq!(from.to_rfc3339(), "2026-11-30T16:00:00+00:00");
        assert_eq!(to.to_rfc3339(), "2026-12-31T16:00:00+00:00");
        assert_eq!(period(Some("2026-02"), tz, now).unwrap().2, "2026-02");
        assert!(period(Some("soon"), tz, now).is_err());
    }
}
