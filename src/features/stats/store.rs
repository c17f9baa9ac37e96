//! Analytics for admins, read from what is stored with the time as a parameter: activity
//! (DAU / WAU / MAU, stickiness), cohort retention split by tier, paid conversion and churn per
//! product, and the paid members at risk of not renewing.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use sqlx::SqliteConnection;

use crate::clock::{from_millis, to_millis};
use crate::config::{Config, Per};
use crate::features::community::store as community;
use crate::features::points::store as points;
use crate::features::schedule::store as schedule;

fn day(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

fn text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Members with a message on `from` (a local day) or later: one entry each in
/// `member_last_active`, counted through its index.
async fn active_since(conn: &mut SqliteConnection, from: NaiveDate) -> sqlx::Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM member_last_active WHERE day >= ?")
        .bind(text(from))
        .fetch_one(&mut *conn)
        .await?;
    Ok(n)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Overview {
    pub days: i64,
    /// Average daily active members over the period.
    pub dau: f64,
    /// Distinct active members in the last 7 and 30 days.
    pub wau: i64,
    pub mau: i64,
    /// Average DAU over the last 30 days ÷ MAU.
    pub stickiness: f64,
    pub messages_per_day: f64,
    pub new_members: i64,
    pub top_channels: Vec<(i64, i64)>,
    pub points_issued: i64,
    pub points_spent: i64,
    /// (published, planned pro rata) over the period, when there is a content plan.
    pub plan: Option<(i64, f64)>,
    /// (local day, active members, messages) per day of the period, oldest first.
    pub series: Vec<(NaiveDate, i64, i64)>,
}

pub async fn overview(
    conn: &mut SqliteConnection,
    config: &Config,
    now: DateTime<Utc>,
    days: i64,
) -> sqlx::Result<Overview> {
    let tz = config.community.timezone;
    let today = day(now, tz);
    let from = today - Duration::days(days - 1);
    // Daily totals from the rollups the activity flush keeps (migration 0019), not from a
    // month of per-member rows.
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT day, members, messages FROM activity_days WHERE day BETWEEN ? AND ? AND members > 0",
    )
    .bind(text(from))
    .bind(text(today))
    .fetch_all(&mut *conn)
    .await?;
    let by_day: HashMap<String, (i64, i64)> =
        rows.into_iter().map(|(d, a, m)| (d, (a, m))).collect();
    let series: Vec<(NaiveDate, i64, i64)> = (0..days)
        .map(|i| {
            let d = from + Duration::days(i);
            let (a, m) = by_day.get(&text(d)).copied().unwrap_or((0, 0));
            (d, a, m)
        })
        .collect();
    let member_days: i64 = series.iter().map(|(_, a, _)| a).sum();
    let messages: i64 = series.iter().map(|(_, _, m)| m).sum();
    // Nothing is counted ahead of today, so "active since" is "active in the window".
    let wau = active_since(conn, today - Duration::days(6)).await?;
    let mau = active_since(conn, today - Duration::days(29)).await?;
    let (month_member_days,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(SUM(members), 0) FROM activity_days WHERE day BETWEEN ? AND ?",
    )
    .bind(text(today - Duration::days(29)))
    .bind(text(today))
    .fetch_one(&mut *conn)
    .await?;
    let stickiness = if mau == 0 {
        0.0
    } else {
        month_member_days as f64 / 30.0 / mau as f64
    };
    let start = crate::recurrence::resolve(tz, from.and_hms_opt(0, 0, 0).expect("midnight"));
    let (from_ms, now_ms) = (to_millis(start), to_millis(now));
    let new_members = community::joins_between(conn, from_ms, now_ms).await?;
    let top_channels: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT channel_id, SUM(messages) AS n FROM channel_daily WHERE day BETWEEN ? AND ?
          GROUP BY channel_id ORDER BY n DESC, channel_id LIMIT 5",
    )
    .bind(text(from))
    .bind(text(today))
    .fetch_all(&mut *conn)
    .await?;
    // Escrow moves points between members; it neither issues nor spends them.
    let (issued, spent) = points::issued_and_spent_since(conn, from_ms).await?;
    let plan = if config.plan.items.is_empty() {
        None
    } else {
        let published = schedule::published_between(conn, from_ms, now_ms).await?;
        let planned: f64 = config
            .plan
            .items
            .iter()
            .map(|item| {
                let span = match item.per {
                    Per::Week => 7.0,
                    Per::Month => 30.0,
                    Per::Quarter => 91.0,
                };
                f64::from(item.target) * days as f64 / span
            })
            .sum();
        Some((published, planned))
    };
    Ok(Overview {
        days,
        dau: member_days as f64 / days as f64,
        wau,
        mau,
        stickiness,
        messages_per_day: messages as f64 / days as f64,
        new_members,
        top_channels,
        points_issued: issued,
        points_spent: spent,
        plan,
        series,
    })
}

/// One weekly cohort of one tier: who joined in the week starting `week`, and the share still
/// active in each of the following weeks (`None`: that week has not ended yet).
#[derive(Debug, Clone, PartialEq)]
pub struct Cohort {
    pub week: NaiveDate,
    /// "free", or the first product the members ever paid for.
    pub tier: String,
    pub size: i64,
    pub retained: Vec<Option<f64>>,
}

/// A product's conversion and churn.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductFunnel {
    pub product: String,
    /// Members who joined in the window and paid for the product within `CONVERT_WITHIN`.
    pub converted: i64,
    pub joined: i64,
    /// Holders whose access ended in the window without a renewal, and holders now.
    pub churned: i64,
    pub holders: i64,
}

pub const FOLLOW_WEEKS: usize = 8;
pub const CONVERT_WITHIN: Duration = Duration::days(30);

fn monday(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// Cohorts of the last `weeks` weeks by tier, and each product's funnel over the same window.
pub async fn retention(
    conn: &mut SqliteConnection,
    config: &Config,
    now: DateTime<Utc>,
    weeks: i64,
) -> sqlx::Result<(Vec<Cohort>, Vec<ProductFunnel>)> {
    let tz = config.community.timezone;
    let this_week = monday(day(now, tz));
    let first = this_week - Duration::weeks(weeks - 1);
    let start = crate::recurrence::resolve(tz, first.and_hms_opt(0, 0, 0).expect("midnight"));
    let joins = community::joined_since(conn, to_millis(start)).await?;
    let active: Vec<(i64, String)> = sqlx::query_as(
        "SELECT member_id, day FROM activity_daily WHERE day >= ?1 AND messages > 0
             UNION SELECT member_id, day FROM action_daily WHERE day >= ?1",
    )
    .bind(text(first))
    .fetch_all(&mut *conn)
    .await?;
    let mut active_weeks: HashSet<(i64, NaiveDate)> = HashSet::new();
    for (member, d) in active {
        if let Ok(d) = NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
            active_weeks.insert((member, monday(d)));
        }
    }
    // Paid access only: a comp is neither a tier nor a conversion.
    let paid: Vec<(i64, String, i64)> = sqlx::query_as(&format!(
        "SELECT g.member_id, g.product, MIN(g.starts_at) FROM grants g WHERE {PAID_GRANT}
          GROUP BY g.member_id, g.product"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let mut first_product: HashMap<i64, (i64, String)> = HashMap::new();
    for (member, product, at) in &paid {
        let entry = first_product
            .entry(*member)
            .or_insert((*at, product.clone()));
        if *at < entry.0 {
            *entry = (*at, product.clone());
        }
    }
    let cohorts = cohorts(&joins, &first_product, &active_weeks, this_week, tz);
    let mut funnels = Vec::new();
    for product in &config.products {
        let window = (to_millis(start), to_millis(now));
        funnels.push(funnel(conn, &product.id, &joins, &paid, window).await?);
    }
    Ok((cohorts, funnels))
}

/// Members who joined since the window's start, by join week and tier (their first paid
/// product, or "free"), with the share of each still active in each following week.
fn cohorts(
    joins: &[(i64, i64)],
    first_product: &HashMap<i64, (i64, String)>,
    active_weeks: &HashSet<(i64, NaiveDate)>,
    this_week: NaiveDate,
    tz: chrono_tz::Tz,
) -> Vec<Cohort> {
    let mut cohorts: BTreeMap<(NaiveDate, String), Vec<i64>> = BTreeMap::new();
    for (member, joined) in joins {
        let week = monday(day(from_millis(*joined), tz));
        let tier = first_product
            .get(member)
            .map_or_else(|| "free".to_string(), |(_, p)| p.clone());
        cohorts.entry((week, tier)).or_default().push(*member);
    }
    cohorts
        .into_iter()
        .map(|((week, tier), members)| {
            let retained = (1..=FOLLOW_WEEKS as i64)
                .map(|k| {
                    let w = week + Duration::weeks(k);
                    if w >= this_week {
                        return None;
                    }
                    let kept = members
                        .iter()
                        .filter(|m| active_weeks.contains(&(**m, w)))
                        .count();
                    Some(kept as f64 / members.len() as f64)
                })
                .collect();
            Cohort {
                week,
                tier,
                size: members.len() as i64,
                retained,
            }
        })
        .collect()
}

/// One product's funnel over `window` (ms): joiners who paid for it within
/// [`CONVERT_WITHIN`] of joining, paying holders now, and paying holders who left it.
async fn funnel(
    conn: &mut SqliteConnection,
    product: &str,
    joins: &[(i64, i64)],
    paid: &[(i64, String, i64)],
    (start, now): (i64, i64),
) -> sqlx::Result<ProductFunnel> {
    let joined_at: HashMap<i64, i64> = joins.iter().copied().collect();
    let converted = paid
        .iter()
        .filter(|(m, p, at)| {
            p == product
                && joined_at
                    .get(m)
                    .is_some_and(|j| *at >= *j && *at - *j <= CONVERT_WITHIN.num_milliseconds())
        })
        .count() as i64;
    let (holders,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(DISTINCT g.member_id) FROM grants g WHERE g.product = ?1 AND g.ended_at IS NULL
           AND (g.ends_at IS NULL OR g.ends_at > ?2) AND {PAID_GRANT}"
    ))
    .bind(product)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    let (churned,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(DISTINCT g.member_id) FROM grants g
          WHERE g.product = ?1 AND g.ended_at >= ?2 AND {PAID_GRANT}
            AND NOT EXISTS (SELECT 1 FROM grants o WHERE o.member_id = g.member_id AND o.product = ?1
                             AND o.ended_at IS NULL)"
    ))
    .bind(product)
    .bind(start)
    .fetch_one(&mut *conn)
    .await?;
    Ok(ProductFunnel {
        product: product.to_string(),
        converted,
        joined: joins.len() as i64,
        churned,
        holders,
    })
}

/// One member's day: messages (counted on the hot path) and, from the points ledger, points
/// earned, check-ins and events attended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberDay {
    pub messages: i64,
    pub points: i64,
    pub checkins: i64,
    pub events: i64,
}

/// Activity per (local day, member) from `from` (inclusive) to now.
pub async fn daily_activity(
    conn: &mut SqliteConnection,
    config: &Config,
    from: NaiveDate,
) -> sqlx::Result<BTreeMap<(NaiveDate, i64), MemberDay>> {
    let tz = config.community.timezone;
    let mut out: BTreeMap<(NaiveDate, i64), MemberDay> = BTreeMap::new();
    let messages: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT day, member_id, messages FROM activity_daily WHERE day >= ?")
            .bind(text(from))
            .fetch_all(&mut *conn)
            .await?;
    for (d, member, n) in messages {
        if let Ok(d) = NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
            out.entry((d, member)).or_default().messages += n;
        }
    }
    // The ledger is in UTC instants; local days are cut here (SQLite knows no IANA zones).
    let start = crate::recurrence::resolve(tz, from.and_hms_opt(0, 0, 0).expect("midnight"));
    let earned = points::earned_since(conn, to_millis(start)).await?;
    for (member, delta, kind, at) in earned {
        let entry = out.entry((day(from_millis(at), tz), member)).or_default();
        entry.points += delta;
        entry.checkins += i64::from(kind == "checkin");
        entry.events += i64::from(kind == "attendance");
    }
    Ok(out)
}

/// A paying member whose activity dropped and whose paid time ends soon.
#[derive(Debug, Clone, PartialEq)]
pub struct AtRisk {
    pub member: i64,
    pub product: String,
    pub paid_until: i64,
    /// Messages in the 30 days before the silence.
    pub before: i64,
    pub last_active: Option<String>,
}

/// Silent for `silent_days` after being active in the 30 days before, with paid time ending
/// within `ending_within`: the renewal-care list.
pub async fn at_risk(
    conn: &mut SqliteConnection,
    config: &Config,
    now: DateTime<Utc>,
    silent_days: i64,
    ending_within: Duration,
) -> sqlx::Result<Vec<AtRisk>> {
    let tz = config.community.timezone;
    let today = day(now, tz);
    let silent_from = today - Duration::days(silent_days - 1);
    let before_from = silent_from - Duration::days(30);
    let rows: Vec<(i64, String, i64, i64, Option<String>)> = sqlx::query_as(
        "SELECT g.member_id, g.product, MAX(g.paid_until),
                (SELECT COALESCE(SUM(messages), 0) FROM activity_daily a
                  WHERE a.member_id = g.member_id AND a.day >= ?3 AND a.day < ?4)
                + (SELECT COALESCE(SUM(actions), 0) FROM action_daily a
                  WHERE a.member_id = g.member_id AND a.day >= ?3 AND a.day < ?4),
                (SELECT MAX(day) FROM (
                    SELECT day FROM activity_daily a WHERE a.member_id = g.member_id AND messages > 0
                    UNION ALL SELECT day FROM action_daily a WHERE a.member_id = g.member_id))
           FROM grants g
          WHERE g.ended_at IS NULL AND g.source != 'points' AND g.paid_until IS NOT NULL
            AND g.ends_at > ?1
          GROUP BY g.member_id, g.product
         HAVING MAX(g.paid_until) <= ?2",
    )
    .bind(to_millis(now))
    .bind(to_millis(now + ending_within))
    .bind(text(before_from))
    .bind(text(silent_from))
    .fetch_all(&mut *conn)
    .await?;
    let silent_from = text(silent_from);
    Ok(rows
        .into_iter()
        .filter(|(_, _, _, before, last)| {
            *before > 0 && last.as_deref().is_none_or(|l| l < silent_from.as_str())
        })
        .map(
            |(member, product, paid_until, before, last_active)| AtRisk {
                member,
                product,
                paid_until,
                before,
                last_active,
            },
        )
        .collect())
}

/// Messages per channel per local day from `from` (YYYY-MM-DD): (day, channel, messages).
pub async fn channel_days_since(
    db: &crate::db::Db,
    from: &str,
) -> sqlx::Result<Vec<(String, i64, i64)>> {
    sqlx::query_as(
        "SELECT day, channel_id, messages FROM channel_daily WHERE day >= ? ORDER BY day, channel_id",
    )
    .bind(from)
    .fetch_all(&db.read)
    .await
}

/// Every member seen joining, with when and their messages since `from`: (member, joined at
/// ms, messages).
pub async fn members_since(db: &crate::db::Db, from: &str) -> sqlx::Result<Vec<(i64, i64, i64)>> {
    sqlx::query_as(
        "SELECT j.member_id, j.joined_at,
                COALESCE((SELECT SUM(messages) FROM activity_daily a
                           WHERE a.member_id = j.member_id AND a.day >= ?), 0)
           FROM member_joins j ORDER BY j.member_id",
    )
    .bind(from)
    .fetch_all(&db.read)
    .await
}

/// Adds message counts per (member, local day) and (channel, local day), in the caller's
/// transaction: the activity writer's batch.
pub async fn add_activity(
    tx: &mut SqliteConnection,
    members: &[(u64, NaiveDate, i64)],
    channels: &[(u64, NaiveDate, i64)],
    names: &[(u64, String, Option<String>)],
    at: i64,
) -> sqlx::Result<()> {
    for (member, name, avatar) in names {
        sqlx::query(
            "INSERT INTO member_names (member_id, name, avatar, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (member_id) DO UPDATE SET name = excluded.name, avatar = excluded.avatar,
                 updated_at = excluded.updated_at",
        )
        .bind(*member as i64)
        .bind(name)
        .bind(avatar)
        .bind(at)
        .execute(&mut *tx)
        .await?;
    }
    for (table, key, rows) in [
        ("activity_daily", "member_id", members),
        ("channel_daily", "channel_id", channels),
    ] {
        for chunk in rows.chunks(300) {
            let mut q: sqlx::QueryBuilder<sqlx::Sqlite> =
                sqlx::QueryBuilder::new(format!("INSERT INTO {table} ({key}, day, messages) "));
            q.push_values(chunk, |mut row, (id, day, n)| {
                row.push_bind(*id as i64)
                    .push_bind(day.format("%Y-%m-%d").to_string())
                    .push_bind(*n);
            });
            q.push(format!(
                " ON CONFLICT ({key}, day) DO UPDATE SET messages = messages + excluded.messages"
            ));
            q.build().execute(&mut *tx).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;

    /// A small community by hand: the numbers below are computed on paper.
    #[tokio::test]
    async fn overview_retention_and_at_risk_match_a_hand_computed_case() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("s.db")).await.unwrap();
        let config = Config::parse(
            "[discord]\nguild_id = 1\n[[products]]\nid = \"pro\"\nname = \"Pro\"\nrole = 5\nduration = \"30d\"\n",
        )
        .unwrap();
        // Wednesday 2026-12-16 12:00 UTC.
        let now: DateTime<Utc> = "2026-12-16T12:00:00Z".parse().unwrap();
        let mut conn = db.write.acquire().await.unwrap();
        let at = |s: &str| to_millis(s.parse::<DateTime<Utc>>().unwrap());
        // Members 1 and 2 joined in the week of Nov 30; member 3 in the week of Dec 7.
        for (m, joined) in [
            (1, "2026-12-01T10:00:00Z"),
            (2, "2026-12-02T10:00:00Z"),
            (3, "2026-12-08T10:00:00Z"),
        ] {
            sqlx::query("INSERT INTO member_joins (member_id, joined_at) VALUES (?, ?)")
                .bind(m)
                .bind(at(joined))
                .execute(&mut *conn)
                .await
                .unwrap();
        }
        // Activity: 1 every day Dec 1–16; 2 only Dec 2; 3 on Dec 8 and Dec 10.
        for d in 1..=16 {
            sqlx::query("INSERT INTO activity_daily VALUES (1, ?, 2)")
                .bind(format!("2026-12-{d:02}"))
                .execute(&mut *conn)
                .await
                .unwrap();
        }
        for (m, d) in [(2, "2026-12-02"), (3, "2026-12-08"), (3, "2026-12-10")] {
            sqlx::query("INSERT INTO activity_daily VALUES (?, ?, 1)")
                .bind(m)
                .bind(d)
                .execute(&mut *conn)
                .await
                .unwrap();
        }
        // Member 3 bought Pro two days after joining, ending in five days.
        sqlx::query("INSERT INTO grants (member_id, role_id, product, source, starts_at, paid_until, ends_at, created_at) VALUES (3, 5, 'pro', 'stripe', ?, ?, ?, 0)")
            .bind(at("2026-12-10T10:00:00Z"))
            .bind(at("2026-12-21T00:00:00Z"))
            .bind(at("2026-12-24T00:00:00Z"))
            .execute(&mut *conn)
            .await
            .unwrap();
        // Member 2 was given Pro by staff (a comp): free access, counted nowhere as paid.
        sqlx::query("INSERT INTO grants (member_id, role_id, product, source, starts_at, ends_at, created_at) VALUES (2, 5, 'pro', 'manual', ?, ?, 0)")
            .bind(at("2026-12-03T10:00:00Z"))
            .bind(at("2027-01-03T00:00:00Z"))
            .execute(&mut *conn)
            .await
            .unwrap();

        let o = overview(&mut conn, &config, now, 7).await.unwrap();
        // Dec 10–16: member 1 on 7 days, member 3 on Dec 10 → 8 member-days / 7.
        assert!((o.dau - 8.0 / 7.0).abs() < 1e-9, "{}", o.dau);
        assert_eq!((o.wau, o.mau), (2, 3));
        // Last 30 days: 16 + 1 + 2 = 19 member-days / 30 / 3.
        assert!((o.stickiness - 19.0 / 30.0 / 3.0).abs() < 1e-9);
        assert!((o.messages_per_day - 15.0 / 7.0).abs() < 1e-9);
        assert_eq!(o.series.len(), 7);

        let (cohorts, funnels) = retention(&mut conn, &config, now, 4).await.unwrap();
        let nov30 = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let free = cohorts
            .iter()
            .find(|c| c.week == nov30 && c.tier == "free")
            .unwrap();
        // 2 members; week of Dec 7: only member 1 → 50%; the week of Dec 14 is not over.
        assert_eq!(free.size, 2, "a comp is no tier: {cohorts:?}");
        assert_eq!(free.retained[0], Some(0.5));
        assert_eq!(free.retained[1], None);
        let pro = cohorts.iter().find(|c| c.tier == "pro").unwrap();
        assert_eq!((pro.size, pro.retained[0]), (1, None));
        // Only member 3 paid: the comp is neither a conversion nor a paying holder.
        assert_eq!(funnels[0].converted, 1);
        assert_eq!(funnels[0].holders, 1);

        // Member 3: active before, silent since Dec 10 (< 14 days? no: silent 6 days).
        let risky = at_risk(&mut conn, &config, now, 5, Duration::days(30))
            .await
            .unwrap();
        assert_eq!(risky.len(), 1, "{risky:?}");
        assert_eq!((risky[0].member, risky[0].before), (3, 2));
        let calm = at_risk(&mut conn, &config, now, 14, Duration::days(30))
            .await
            .unwrap();
        assert!(calm.is_empty(), "active within 14 days: {calm:?}");
    }
}

#[cfg(test)]
mod rollups {
    use super::*;
    use crate::db::Db;

    /// The rollups the triggers keep equal counting `activity_daily` itself, after flushes
    /// that add to rows already there (the upsert's update) as well as new ones.
    #[tokio::test]
    async fn daily_rollups_equal_the_per_member_rows_after_repeated_flushes() {
        use rand::{Rng, SeedableRng};
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("r.db")).await.unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let first = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        for _ in 0..30 {
            let members: Vec<(u64, NaiveDate, i64)> = (0..40)
                .map(|_| {
                    let day = first + Duration::days(rng.gen_range(0..20));
                    (rng.gen_range(1..60), day, rng.gen_range(1..5))
                })
                .collect();
            // One flush's map has each (member, day) once.
            let mut seen = std::collections::HashSet::new();
            let members: Vec<_> = members
                .into_iter()
                .filter(|(m, d, _)| seen.insert((*m, *d)))
                .collect();
            {
                let mut tx = db.write.begin().await.unwrap();
                add_activity(&mut tx, &members, &[], &[], 0).await.unwrap();
                tx.commit().await.unwrap();
            }
        }
        let rolled: Vec<(String, i64, i64)> =
            sqlx::query_as("SELECT day, members, messages FROM activity_days ORDER BY day")
                .fetch_all(&db.read)
                .await
                .unwrap();
        let counted: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT day, COUNT(*), SUM(messages) FROM activity_daily GROUP BY day ORDER BY day",
        )
        .fetch_all(&db.read)
        .await
        .unwrap();
        assert_eq!(rolled, counted);
        let mut conn = db.read.acquire().await.unwrap();
        for back in 0..20 {
            let from = first + Duration::days(back);
            let (distinct,): (i64,) = sqlx::query_as(
                "SELECT COUNT(DISTINCT member_id) FROM activity_daily WHERE day >= ?",
            )
            .bind(text(from))
            .fetch_one(&mut *conn)
            .await
            .unwrap();
            assert_eq!(active_since(&mut conn, from).await.unwrap(), distinct);
        }
    }
}

#[cfg(test)]
mod synthetic {
    use super::*;
    use crate::db::Db;

    /// A synthetic community: 300 members joining over twelve weeks, each active on a
    /// deterministic pattern of days. The expected numbers are computed straight from the
    /// pattern, independently of the SQL.
    #[tokio::test]
    async fn a_synthetic_community_of_hundreds_matches_the_pattern_it_was_built_from() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("s.db")).await.unwrap();
        let config = Config::parse("[discord]\nguild_id = 1\n").unwrap();
        let tz = config.community.timezone;
        // Monday 2027-03-29 12:00 UTC; the community started 12 weeks before.
        let now: DateTime<Utc> = "2027-03-29T12:00:00Z".parse().unwrap();
        let start = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
        let today = day(now, tz);
        let joined = |m: i64| start + Duration::days(m % 84);
        // Member m is active on day d (after joining) when (m + d) % period == 0; a third of
        // the members stop after their first two weeks.
        let active = |m: i64, d: NaiveDate| {
            let since = (d - joined(m)).num_days();
            let period = 1 + m % 5;
            since >= 0 && d <= today && (m + since) % period == 0 && (m % 3 != 0 || since < 14)
        };
        let mut tx = db.write.begin().await.unwrap();
        for m in 1..=300i64 {
            let at = crate::recurrence::resolve(tz, joined(m).and_hms_opt(9, 0, 0).unwrap());
            sqlx::query("INSERT INTO member_joins (member_id, joined_at) VALUES (?, ?)")
                .bind(m)
                .bind(to_millis(at))
                .execute(&mut *tx)
                .await
                .unwrap();
            let mut d = joined(m);
            while d <= today {
                if active(m, d) {
                    sqlx::query("INSERT INTO activity_daily VALUES (?, ?, ?)")
                        .bind(m)
                        .bind(text(d))
                        .bind(1 + m % 4)
                        .execute(&mut *tx)
                        .await
                        .unwrap();
                }
                d += Duration::days(1);
            }
        }
        tx.commit().await.unwrap();
        let mut conn = db.read.acquire().await.unwrap();

        let o = overview(&mut conn, &config, now, 28).await.unwrap();
        let window = |from: NaiveDate| -> i64 {
            (1..=300)
                .filter(|m| {
                    let mut d = from;
                    while d <= today {
                        if active(*m, d) {
                            return true;
                        }
                        d += Duration::days(1);
                    }
                    false
                })
                .count() as i64
        };
        assert_eq!(o.wau, window(today - Duration::days(6)));
        assert_eq!(o.mau, window(today - Duration::days(29)));
        let member_days: i64 = (0..28)
            .map(|i| {
                let d = today - Duration::days(i);
                (1..=300).filter(|m| active(*m, d)).count() as i64
            })
            .sum();
        assert!((o.dau - member_days as f64 / 28.0).abs() < 1e-9);

        // Thirteen weeks back reaches the first join week (2027-01-04).
        let (cohorts, _) = retention(&mut conn, &config, now, 13).await.unwrap();
        assert_eq!(cohorts.iter().map(|c| c.size).sum::<i64>(), 300);
        let this_week = monday(today);
        for c in &cohorts {
            let members: Vec<i64> = (1..=300).filter(|m| monday(joined(*m)) == c.week).collect();
            assert_eq!(c.size, members.len() as i64);
            for (k, share) in c.retained.iter().enumerate() {
                let w = c.week + Duration::weeks(k as i64 + 1);
                if w >= this_week {
                    assert_eq!(*share, None);
                    continue;
                }
                let kept = members
                    .iter()
                    .filter(|m| (0..7).any(|i| active(**m, w + Duration::days(i))))
                    .count();
                assert_eq!(
                    *share,
                    Some(kept as f64 / members.len() as f64),
                    "{} W{}",
                    c.week,
                    k + 1
                );
            }
        }
    }
}

/// Whether 打卡 challenges keep members paying: participants of challenges that ended at least
/// 30 days before `now` who held a paid product when their challenge ended, and of those, who
/// still held one 30 days later — finishers and the others apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChallengeRenewal {
    pub finishers: i64,
    pub finishers_paying: i64,
    pub others: i64,
    pub others_paying: i64,
}

pub async fn challenge_renewal(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
) -> sqlx::Result<ChallengeRenewal> {
    const DAYS_30: i64 = 30 * 86_400_000;
    // A paid (non-points) grant held at instant `t`.
    let rows: Vec<(bool, i64, i64)> = sqlx::query_as(
        "WITH cohort AS (
           SELECT m.member_id, m.finished_at IS NOT NULL AS finished, c.ends_at AS t
           FROM challenge_members m JOIN challenges c ON c.id = m.challenge_id
           WHERE c.status = 'finished' AND c.ends_at + ?2 <= ?1
             AND EXISTS (SELECT 1 FROM grants g WHERE g.member_id = m.member_id
                   AND g.source != 'points' AND g.starts_at <= c.ends_at
                   AND (g.ended_at IS NULL OR g.ended_at > c.ends_at)
                   AND (g.ends_at IS NULL OR g.ends_at > c.ends_at)))
         SELECT finished, COUNT(*),
                SUM(EXISTS (SELECT 1 FROM grants g WHERE g.member_id = cohort.member_id
                   AND g.source != 'points' AND g.starts_at <= cohort.t + ?2
                   AND (g.ended_at IS NULL OR g.ended_at > cohort.t + ?2)
                   AND (g.ends_at IS NULL OR g.ends_at > cohort.t + ?2)))
         FROM cohort GROUP BY finished",
    )
    .bind(crate::clock::to_millis(now))
    .bind(DAYS_30)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = ChallengeRenewal::default();
    for (finished, cohort, paying) in rows {
        if finished {
            (out.finishers, out.finishers_paying) = (cohort, paying);
        } else {
            (out.others, out.others_paying) = (cohort, paying);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod challenge_renewal {
    use super::*;
    use crate::db::Db;

    /// Hand-made: one challenge ended 40 days ago with four paying participants. Two finished
    /// (one still pays 30 days on), two did not (neither pays); a fifth held nothing paid and
    /// is not in the cohort; a challenge that ended 10 days ago is too recent to count.
    #[tokio::test]
    async fn renewal_after_challenges_equals_a_hand_count() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("c.db")).await.unwrap();
        let day = 86_400_000i64;
        let now = 100 * day;
        for (id, ended) in [(1, now - 40 * day), (2, now - 10 * day)] {
            sqlx::query(
                "INSERT INTO challenges (id, title, days, channel_id, status, ends_at, created_by, created_at)
                 VALUES (?, 't', 7, 1, 'finished', ?, 1, 0)",
            )
            .bind(id)
            .bind(ended)
            .execute(&db.write)
            .await
            .unwrap();
        }
        let grant = |member: i64, source: &'static str, until: i64| {
            let db = db.clone();
            async move {
                sqlx::query(
                    "INSERT INTO grants (member_id, role_id, product, source, starts_at, ends_at, created_at)
                     VALUES (?, 9, 'pro', ?, 0, ?, 0)",
                )
                .bind(member)
                .bind(source)
                .bind(until)
                .execute(&db.write)
                .await
                .unwrap();
            }
        };
        // (member, finished, paid until) for both challenges; `None`: never paid.
        let members = [
            (1, true, Some(now)),
            (2, true, Some(now - 20 * day)),
            (3, false, Some(now - 20 * day)),
            (4, false, Some(now - 35 * day)),
            (5, true, None),
        ];
        for (member, finished, paid) in members {
            for challenge in [1, 2] {
                sqlx::query(
                    "INSERT INTO challenge_members (challenge_id, member_id, joined_at, finished_at)
                     VALUES (?, ?, 0, ?)",
                )
                .bind(challenge)
                .bind(member)
                .bind(finished.then_some(1))
                .execute(&db.write)
                .await
                .unwrap();
            }
            if let Some(until) = paid {
                grant(member, "stripe", until).await;
            }
        }
        // A points-shop trial is not paying.
        grant(5, "points", now).await;
        let mut conn = db.read.acquire().await.unwrap();
        let got = challenge_renewal(&mut conn, from_millis(now))
            .await
            .unwrap();
        assert_eq!(
            got,
            ChallengeRenewal {
                finishers: 2,
                finishers_paying: 1,
                others: 2,
                others_paying: 0,
            }
        );
    }
}

/// The one definition of paid access, for every money figure (paid members, churn, renewal
/// rates, win-back eligibility): a grant a payment bought — through Stripe or Discord's store,
/// a code sold at a price or a grant staff recorded as paid (each has its income row), or an
/// import that carried a price. A comp, a free code, referral days or a shop item is not paid.
/// SQL over a `grants` row named `g`.
pub const PAID_GRANT: &str = "(g.source IN ('stripe', 'discord')
     OR EXISTS (SELECT 1 FROM revenue r WHERE r.reference = 'grant:' || g.id AND r.amount_minor > 0)
     OR (g.source = 'import' AND g.note LIKE '% (paid %'))";

/// Every paid term (paid access with a paid end), for renewal rates.
pub async fn paid_terms(
    conn: &mut SqliteConnection,
) -> sqlx::Result<Vec<super::renewal_rate::Term>> {
    sqlx::query_as(&format!(
        "SELECT g.member_id, g.product, g.starts_at, g.paid_until, g.ends_at, g.ended_at FROM grants g
         WHERE g.paid_until IS NOT NULL AND g.ends_at IS NOT NULL AND {PAID_GRANT}"
    ))
    .fetch_all(&mut *conn)
    .await
}

/// Members holding paid access at `now` (ms), and members holding a product only for free
/// (comps): two numbers, never one.
pub async fn paid_and_comp_members_at(
    conn: &mut SqliteConnection,
    now: i64,
) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(&format!(
        "SELECT COUNT(DISTINCT CASE WHEN paid THEN member_id END),
                COUNT(DISTINCT member_id) - COUNT(DISTINCT CASE WHEN paid THEN member_id END)
           FROM (SELECT g.member_id, {PAID_GRANT} AS paid FROM grants g
                  WHERE g.ended_at IS NULL AND g.source NOT IN ('points', 'referral')
                    AND (g.ends_at IS NULL OR g.ends_at > ?))"
    ))
    .bind(now)
    .fetch_one(&mut *conn)
    .await
}

/// Paying members who lost a product in [`from`, `to`) and hold none of it now.
pub async fn churned_between(conn: &mut SqliteConnection, from: i64, to: i64) -> sqlx::Result<i64> {
    let (churned,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(DISTINCT g.member_id) FROM grants g
          WHERE g.ended_at >= ?1 AND g.ended_at < ?2 AND {PAID_GRANT}
            AND NOT EXISTS (SELECT 1 FROM grants o WHERE o.member_id = g.member_id
                             AND o.product = g.product AND o.ended_at IS NULL)"
    ))
    .bind(from)
    .bind(to)
    .fetch_one(&mut *conn)
    .await?;
    Ok(churned)
}

/// Every renewal payment with money in it.
pub async fn renewal_payments(
    conn: &mut SqliteConnection,
) -> sqlx::Result<Vec<super::renewal_rate::Renewal>> {
    sqlx::query_as(
        "SELECT member_id, product, at FROM revenue
         WHERE kind = 'renewal' AND amount_minor > 0 AND product IS NOT NULL
           AND member_id IS NOT NULL",
    )
    .fetch_all(&mut *conn)
    .await
}

/// The paid terms and renewal payments of the products still configured: what renewal rates
/// are counted from.
pub async fn paid_history(
    conn: &mut SqliteConnection,
    config: &Config,
) -> sqlx::Result<(
    Vec<super::renewal_rate::Term>,
    Vec<super::renewal_rate::Renewal>,
)> {
    let configured = |id: &str| config.product(id).is_some();
    let mut terms = paid_terms(conn).await?;
    terms.retain(|t| configured(&t.product));
    let mut renewals = renewal_payments(conn).await?;
    renewals.retain(|r| configured(&r.product));
    Ok((terms, renewals))
}

/// The renewal report of the `months` months up to `now`, for configured paid products.
pub async fn renewal_rates(
    conn: &mut SqliteConnection,
    config: &Config,
    now: DateTime<Utc>,
    months: u32,
) -> sqlx::Result<super::renewal_rate::Report> {
    let products: Vec<String> = config.products.iter().map(|p| p.id.clone()).collect();
    let (terms, renewals) = paid_history(conn, config).await?;
    Ok(super::renewal_rate::report(
        &terms,
        &renewals,
        &products,
        to_millis(now),
        config.community.timezone,
        months,
    ))
}

/// The week's plain counts for the weekly report, between `from` and `to` (ms), and the local
/// days `from_day` ≤ day < `to_day`.
#[derive(Debug, Clone, Default, PartialEq, sqlx::FromRow)]
pub struct WeekCounts {
    pub new_members: i64,
    pub active_members: i64,
    pub highlights: i64,
    pub answered: i64,
    /// Check-ins and the check-ins expected, over challenge days that closed in the week.
    pub checkins: i64,
    pub expected_checkins: i64,
}

pub async fn week_counts(
    conn: &mut SqliteConnection,
    (from, to): (i64, i64),
    (from_day, to_day): (&str, &str),
) -> sqlx::Result<WeekCounts> {
    sqlx::query_as(
        "SELECT
            (SELECT COUNT(*) FROM member_joins WHERE joined_at >= ?1 AND joined_at < ?2) AS new_members,
            (SELECT COUNT(DISTINCT member_id) FROM activity_daily WHERE day >= ?3 AND day < ?4) AS active_members,
            (SELECT COUNT(*) FROM highlights WHERE added_at >= ?1 AND added_at < ?2) AS highlights,
            (SELECT COUNT(*) FROM questions WHERE status = 'answered' AND resolved_at >= ?1 AND resolved_at < ?2) AS answered,
            (SELECT COUNT(*) FROM challenge_checkins c JOIN challenge_days d
                ON d.challenge_id = c.challenge_id AND d.day = c.day
              WHERE c.kind = 'checkin' AND d.skipped = 0 AND d.closes_at >= ?1 AND d.closes_at < ?2) AS checkins,
            (SELECT COUNT(*) FROM challenge_days d JOIN challenge_members m
                ON m.challenge_id = d.challenge_id AND m.joined_at <= d.closes_at
              WHERE d.skipped = 0 AND d.closes_at >= ?1 AND d.closes_at < ?2) AS expected_checkins",
    )
    .bind(from)
    .bind(to)
    .bind(from_day)
    .bind(to_day)
    .fetch_one(&mut *conn)
    .await
}

/// Money in and out between `from` and `to`, by currency (minor units, net of refunds).
pub async fn revenue_between(
    conn: &mut SqliteConnection,
    from: i64,
    to: i64,
) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT currency, SUM(amount_minor) FROM revenue WHERE at >= ? AND at < ?
         GROUP BY currency ORDER BY SUM(amount_minor) DESC",
    )
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await
}

/// The one definition of "due": each member's latest paid end per product, among open timed grants with a paid end in
/// (`from`, `to`] and no lifetime grant of the same product; and whether a Stripe subscription
/// of theirs for it renews by itself (no renewal reminder is due then).
pub async fn paid_ends_between(
    conn: &mut SqliteConnection,
    from: i64,
    to: i64,
) -> sqlx::Result<Vec<(i64, String, i64, bool)>> {
    sqlx::query_as(
        "SELECT g.member_id, g.product, MAX(g.paid_until) AS paid,
                EXISTS (SELECT 1 FROM grants r JOIN stripe_links s
                          ON r.reference = 'stripe:' || s.subscription_id
                         WHERE r.member_id = g.member_id AND r.product = g.product
                           AND r.ended_at IS NULL AND s.renews = 1
                           AND s.subscription_id NOT LIKE 'cs:%') AS renews
           FROM grants g
          WHERE g.ended_at IS NULL AND g.paid_until IS NOT NULL AND g.source != 'points'
            AND NOT EXISTS (SELECT 1 FROM grants l WHERE l.member_id = g.member_id
                             AND l.product = g.product AND l.ended_at IS NULL AND l.ends_at IS NULL)
          GROUP BY g.member_id, g.product
         HAVING paid > ? AND paid <= ?",
    )
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await
}

/// Renewals due in (`from`, `to`]: each member's latest paid end per product that does not
/// renew by itself — what `/renewals upcoming` lists and the weekly report counts (a member who
/// renewed early has a later end and is not due).
pub async fn renewals_due(
    conn: &mut SqliteConnection,
    from: i64,
    to: i64,
) -> sqlx::Result<Vec<(i64, String, i64)>> {
    Ok(paid_ends_between(conn, from, to)
        .await?
        .into_iter()
        .filter(|(_, _, _, renews)| !renews)
        .map(|(member, product, paid_until, _)| (member, product, paid_until))
        .collect())
}

/// Whether the weekly report of `week` (its Monday, `YYYY-MM-DD`) went out.
pub async fn report_sent(db: &crate::db::Db, week: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM weekly_reports WHERE week = ?)")
        .bind(week)
        .fetch_one(&db.read)
        .await
}

/// Marks the weekly report of `week` sent: false when it was before (the write decides).
pub async fn mark_report_sent(
    tx: &mut SqliteConnection,
    week: &str,
    at: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO weekly_reports (week, sent_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(week)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
