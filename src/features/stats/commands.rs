//! `/stats overview|retention|at-risk|export`.

use super::error::StatsError;
use super::store;
use poise::serenity_prelude as serenity;

use crate::access::Level;
use crate::discord::invocation::invocation;
use crate::discord::reply::{self, paginate};
use crate::discord::{Command, Context};
use crate::error::Error;
use crate::i18n::Locale;
use crate::t;

pub fn commands() -> Vec<Command> {
    vec![stats(), report()]
}

#[poise::command(
    slash_command,
    guild_only,
    subcommands(
        "stats_overview",
        "stats_retention",
        "stats_renewals",
        "stats_at_risk",
        "stats_export"
    ),
    subcommand_required,
    custom_data = "Level::Admin"
)]
async fn stats(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// `7d`, `30d` (default), `90d`.
fn period_days(text: Option<&str>) -> Result<i64, StatsError> {
    let Some(text) = text else {
        return Ok(30);
    };
    crate::span::parse(text)
        .map(|d| (d.as_secs() / 86_400) as i64)
        .filter(|d| (1..=366).contains(d))
        .ok_or_else(|| StatsError::BadPeriod {
            text: text.to_string(),
        })
}

fn percent(x: f64) -> String {
    super::percent(Some(x))
}

/// The overview as text.
pub fn overview_text(o: &store::Overview, locale: Locale) -> String {
    let mut lines = vec![
        t!(locale, "stats-overview-header", days = o.days),
        t!(
            locale,
            "stats-active",
            dau = format!("{:.1}", o.dau),
            wau = o.wau,
            mau = o.mau,
            stickiness = percent(o.stickiness)
        ),
        t!(
            locale,
            "stats-messages",
            per_day = format!("{:.1}", o.messages_per_day),
            new = o.new_members
        ),
        t!(
            locale,
            "stats-points",
            issued = o.points_issued,
            spent = o.points_spent
        ),
    ];
    if !o.top_channels.is_empty() {
        let top: Vec<String> = o
            .top_channels
            .iter()
            .map(|(c, n)| format!("<#{c}> {n}"))
            .collect();
        lines.push(t!(locale, "stats-top-channels", list = top.join(" · ")));
    }
    if let Some((done, planned)) = o.plan {
        let share = if planned > 0.0 {
            done as f64 / planned
        } else {
            0.0
        };
        lines.push(t!(
            locale,
            "stats-plan",
            done = done,
            // Whole counts read as such (`3`, not `3.0`); a monthly target over a week is not.
            planned = if planned.fract() == 0.0 {
                format!("{planned:.0}")
            } else {
                format!("{planned:.1}")
            },
            share = percent(share)
        ));
    }
    lines.join("\n")
}

/// Activity, stickiness, messages, new members, top channels, points and the content plan
#[poise::command(slash_command, rename = "overview", custom_data = "Level::Admin")]
async fn stats_overview(
    ctx: Context<'_>,
    #[max_length = 10] period: Option<String>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let days = period_days(period.as_deref())?;
    let data = ctx.data();
    super::activity(data).flush(&data.db).await?;
    crate::features::points::engine(data).flush().await;
    let mut conn = data.db.read.acquire().await?;
    let o = store::overview(&mut conn, &inv.config, data.clock.now(), days).await?;
    let locale = inv.locale(ctx);
    let chart = super::charts::activity(&o.series, locale)?;
    send_with_chart(ctx, overview_text(&o, locale), chart, "activity.png").await
}

/// An ephemeral reply with a PNG chart attached.
async fn send_with_chart(
    ctx: Context<'_>,
    text: String,
    png: Vec<u8>,
    name: &str,
) -> Result<(), Error> {
    ctx.send(
        poise::CreateReply::default()
            .content(reply::fit(text))
            .ephemeral(true)
            .attachment(serenity::CreateAttachment::bytes(png, name)),
    )
    .await?;
    Ok(())
}

/// Weekly cohort retention by tier, paid conversion and churn per product
#[poise::command(slash_command, rename = "retention", custom_data = "Level::Admin")]
async fn stats_retention(ctx: Context<'_>) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let data = ctx.data();
    super::activity(data).flush(&data.db).await?;
    let mut conn = data.db.read.acquire().await?;
    let (cohorts, funnels) = store::retention(&mut conn, &inv.config, data.clock.now(), 8).await?;
    let mut lines = vec![t!(locale, "stats-retention-header")];
    lines.push(format!(
        "`{:<10} {:<12} {:>4} │ {}`",
        t!(locale, "stats-week"),
        t!(locale, "stats-tier"),
        "n",
        (1..=store::FOLLOW_WEEKS)
            .map(|k| format!("{:>4}", format!("W{k}")))
            .collect::<String>()
    ));
    for c in &cohorts {
        let cells: String = c
            .retained
            .iter()
            .map(|r| match r {
                Some(r) => format!("{:>4}", percent(*r)),
                None => format!("{:>4}", "·"),
            })
            .collect();
        let tier: String = c.tier.chars().take(12).collect();
        lines.push(format!(
            "`{:<10} {:<12} {:>4} │ {cells}`",
            c.week.format("%Y-%m-%d"),
            tier,
            c.size
        ));
    }
    for f in &funnels {
        let conversion = if f.joined > 0 {
            f.converted as f64 / f.joined as f64
        } else {
            0.0
        };
        let churn = if f.holders + f.churned > 0 {
            f.churned as f64 / (f.holders + f.churned) as f64
        } else {
            0.0
        };
        lines.push(t!(
            locale,
            "stats-funnel",
            product = f.product.clone(),
            converted = f.converted,
            joined = f.joined,
            conversion = percent(conversion),
            churned = f.churned,
            churn = percent(churn),
            holders = f.holders
        ));
    }
    let renewal = store::challenge_renewal(&mut conn, data.clock.now()).await?;
    if renewal.finishers + renewal.others > 0 {
        let share = |paying: i64, of: i64| {
            if of > 0 {
                percent(paying as f64 / of as f64)
            } else {
                "–".to_string()
            }
        };
        lines.push(t!(
            locale,
            "stats-challenge-renewal",
            finishers = format!("{}/{}", renewal.finishers_paying, renewal.finishers),
            finishers_share = share(renewal.finishers_paying, renewal.finishers),
            others = format!("{}/{}", renewal.others_paying, renewal.others),
            others_share = share(renewal.others_paying, renewal.others)
        ));
    }
    let chart = super::charts::retention(&cohorts, locale)?;
    send_with_chart(ctx, lines.join("\n"), chart, "retention.png").await
}

/// Renewal rate (renewed ÷ due) per product, per month due and per monthly cohort
#[poise::command(slash_command, rename = "renewals", custom_data = "Level::Admin")]
async fn stats_renewals(
    ctx: Context<'_>,
    #[min = 1]
    #[max = 24]
    months: Option<i64>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let data = ctx.data();
    let months = months.unwrap_or(6) as u32;
    let report = {
        let mut conn = data.db.read.acquire().await?;
        store::renewal_rates(&mut conn, &inv.config, data.clock.now(), months).await?
    };
    let text = renewals_text(&inv.config, &report, months, locale);
    let chart = super::charts::renewals(&report.months, locale)?;
    send_with_chart(ctx, text, chart, "renewals.png").await
}

/// `/stats renewals` as text (also the web staff page's).
pub fn renewals_text(
    config: &crate::config::Config,
    report: &super::renewal_rate::Report,
    months: u32,
    locale: Locale,
) -> String {
    let rate = |r: &super::renewal_rate::Rate| super::percent(r.share());
    let mut lines = vec![t!(locale, "stats-renewals-header", months = months as i64)];
    if report.products.is_empty() {
        lines.push(t!(locale, "stats-renewals-none"));
        return lines.join("\n");
    }
    for p in &report.products {
        let name = config.product(&p.key).map_or(p.key.clone(), |product| {
            product.name.get(locale).to_string()
        });
        lines.push(t!(
            locale,
            "stats-renewals-product",
            product = name,
            renewed = p.renewed,
            due = p.due,
            rate = rate(p)
        ));
    }
    let row = |r: &super::renewal_rate::Rate| {
        format!(
            "`{:<8} {:>4}/{:<4} {:>5}`",
            r.key,
            r.renewed,
            r.due,
            rate(r)
        )
    };
    lines.push(t!(locale, "stats-renewals-by-month"));
    lines.extend(report.months.iter().map(row));
    lines.push(t!(locale, "stats-renewals-by-cohort"));
    lines.extend(report.cohorts.iter().map(row));
    lines.join("\n")
}

#[poise::command(
    slash_command,
    guild_only,
    subcommands("report_week"),
    subcommand_required,
    custom_data = "Level::Admin"
)]
async fn report(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// The weekly report now: the last 7 days beside the 7 before, with its image
#[poise::command(slash_command, rename = "week", custom_data = "Level::Admin")]
async fn report_week(ctx: Context<'_>) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let data = ctx.data();
    super::activity(data).flush(&data.db).await?;
    let now = data.clock.now();
    let week = super::report::last_seven_days(now, inv.config.community.timezone);
    let gathered = {
        let mut conn = data.db.read.acquire().await?;
        super::report::gather(&mut conn, &inv.config, week, now).await?
    };
    let chart = super::charts::weekly(&gathered)?;
    let text = super::report::text(&gathered, locale);
    send_with_chart(ctx, text, chart, "weekly-report.png").await
}

/// Paying members who went quiet and whose paid time ends soon
#[poise::command(slash_command, rename = "at-risk", custom_data = "Level::Admin")]
async fn stats_at_risk(ctx: Context<'_>) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let data = ctx.data();
    super::activity(data).flush(&data.db).await?;
    let mut conn = data.db.read.acquire().await?;
    let rows = store::at_risk(
        &mut conn,
        &inv.config,
        data.clock.now(),
        14,
        chrono::Duration::days(30),
    )
    .await?;
    let lines: Vec<String> = rows
        .iter()
        .map(|r| {
            t!(
                locale,
                "stats-at-risk-line",
                member = format!("<@{}>", r.member),
                product = r.product.clone(),
                until = format!("<t:{}:R>", r.paid_until / 1000),
                before = r.before,
                last = r.last_active.clone().unwrap_or_else(|| "—".into())
            )
        })
        .collect();
    let header = t!(locale, "stats-at-risk-header", count = lines.len() as i64);
    reply::ephemeral(ctx, paginate(&header, &lines, 1, locale)).await?;
    Ok(())
}

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
enum ExportTable {
    #[name = "activity"]
    Activity,
    #[name = "channels"]
    Channels,
    #[name = "members"]
    Members,
}

/// The export's rows with each member's name (from the member directory) beside their id, so
/// a spreadsheet reads as people; a member who left is marked, one never named stays blank.
async fn with_member_names(
    data: &crate::state::AppState,
    table: ExportTable,
    mut rows: Vec<Vec<String>>,
) -> Result<Vec<Vec<String>>, Error> {
    let id_column = match table {
        ExportTable::Activity => 1,
        ExportTable::Members => 0,
        ExportTable::Channels => return Ok(rows),
    };
    let ids: Vec<i64> = rows
        .iter()
        .filter_map(|r| r[id_column].parse().ok())
        .collect();
    let names = crate::members::known(&data.db, &ids).await?;
    for row in &mut rows {
        let name = row[id_column]
            .parse::<i64>()
            .ok()
            .and_then(|id| names.get(&id))
            .map_or_else(String::new, |k| {
                if k.left {
                    format!("{} (left)", k.name)
                } else {
                    k.name.clone()
                }
            });
        row.insert(id_column + 1, name);
    }
    Ok(rows)
}

/// Raw numbers as a CSV file: daily activity per member, per channel, or members
#[poise::command(slash_command, rename = "export", custom_data = "Level::Admin")]
async fn stats_export(
    ctx: Context<'_>,
    table: Option<ExportTable>,
    #[max_length = 10] period: Option<String>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let days = period_days(period.as_deref())?;
    let data = ctx.data();
    super::activity(data).flush(&data.db).await?;
    let now = data.clock.now();
    let tz = inv.config.community.timezone;
    let from = super::activity::day_of(now - chrono::Duration::days(days - 1), tz);
    let table = table.unwrap_or(ExportTable::Activity);
    let (name, header, rows): (&str, &[&str], Vec<Vec<String>>) = match table {
        ExportTable::Activity => {
            let from_day = chrono::NaiveDate::parse_from_str(&from, "%Y-%m-%d")
                .map_err(|e| Error::Internal(anyhow::anyhow!("day: {e}")))?;
            let mut conn = data.db.read.acquire().await?;
            let days = store::daily_activity(&mut conn, &inv.config, from_day).await?;
            (
                "activity",
                &[
                    "day",
                    "member_id",
                    "member",
                    "messages",
                    "points_earned",
                    "checkins",
                    "events_attended",
                ],
                days.into_iter()
                    .map(|((d, member), a)| {
                        vec![
                            d.format("%Y-%m-%d").to_string(),
                            member.to_string(),
                            a.messages.to_string(),
                            a.points.to_string(),
                            a.checkins.to_string(),
                            a.events.to_string(),
                        ]
                    })
                    .collect(),
            )
        }
        ExportTable::Channels => {
            let rows = super::store::channel_days_since(&data.db, &from).await?;
            (
                "channels",
                &["day", "channel_id", "messages"],
                rows.into_iter()
                    .map(|(d, c, n)| vec![d, c.to_string(), n.to_string()])
                    .collect(),
            )
        }
        ExportTable::Members => {
            let rows = super::store::members_since(&data.db, &from).await?;
            (
                "members",
                &["member_id", "member", "joined_at", "messages"],
                rows.into_iter()
                    .map(|(m, j, n)| {
                        vec![
                            m.to_string(),
                            crate::clock::from_millis(j).to_rfc3339(),
                            n.to_string(),
                        ]
                    })
                    .collect(),
            )
        }
    };
    let rows = with_member_names(data, table, rows).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let csv_err = |e: csv::Error| Error::Internal(anyhow::anyhow!("csv: {e}"));
    w.write_record(header).map_err(csv_err)?;
    for row in &rows {
        w.write_record(row).map_err(csv_err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::Internal(anyhow::anyhow!("csv: {e}")))?;
    let text = t!(inv.locale(ctx), "stats-exported", rows = rows.len() as i64);
    ctx.send(
        poise::CreateReply::default()
            .content(text)
            .ephemeral(true)
            .attachment(serenity::CreateAttachment::bytes(
                bytes,
                format!("{name}-{days}d.csv"),
            )),
    )
    .await?;
    Ok(())
}
