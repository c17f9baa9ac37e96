//! `cargo bench --bench web` (`-- --quick` for 10,000 members): how fast the web pages render
//! for a big community — 100,000 members with a year of points and activity, 20,000 of them paid — served
//! by the real bot (against the simulated Discord) over HTTP, as a logged-in owner.
//!
//! Baselines measured in the same run: the naive way to build the same pages (every member
//! read and sorted in memory for the leaderboard; every paid member rendered at once for the
//! staff list). Reports p95 render times and the ratios in `target/bench/web.json`
//! (`leaderboard_p95_ms`, `staff_members_p95_ms`, …). Not a test: nothing here asserts a time.

use std::time::{Duration, Instant};

use lyceum::harness::sim::harness::{config_text, SimBot};
use lyceum::harness::sim::{ids, Sim};

const ROUNDS: usize = 40;
/// Member ids of the seeded community start here.
const BASE: i64 = 500_000_000_000_000_000;

fn p95(mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    let at = ((samples.len() as f64) * 0.95).ceil() as usize - 1;
    samples[at.min(samples.len() - 1)].as_secs_f64() * 1000.0
}

/// `members` point holders (a ledger entry a fortnight each for a year), names for all, a
/// year of daily activity, `members / 5` paid grants; straight into SQLite before the bot starts.
async fn seed(db: &lyceum::db::Db, members: i64) -> anyhow::Result<()> {
    let now = lyceum::clock::to_millis(chrono::Utc::now());
    let year = 365 * 86_400_000i64;
    let base = BASE;
    let mut tx = db.write.begin().await?;
    lyceum::harness::perf::process::seed_members(&mut tx, members, base, now).await?;
    // 26 entries per member over the year, one of them this week (every member is on the
    // weekly board: its worst case): 2.6 M ledger rows at 100,000 members.
    sqlx::query(
        "WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ?1 * 26 - 1)
         INSERT INTO points_ledger (member_id, delta, lifetime_delta, kind, created_at)
         SELECT ?2 + i / 26, 10 + i % 13, 10 + i % 13, 'chat', ?3 - (i % 26) * (?4 / 26) - (i % 1000) * 1000
           FROM seq",
    )
    .bind(members)
    .bind(base)
    .bind(now)
    .bind(year)
    .execute(&mut *tx)
    .await?;
    // A year of chat: a tenth of the members active each day, each member every tenth day
    // (3.65 M member-days at 100,000 members; the staff page's 30-day overview reads them).
    sqlx::query(
        "WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ?1 * 365 / 10 - 1)
         INSERT INTO activity_daily (member_id, day, messages)
         SELECT ?2 + i % ?1, date(?3 / 1000, 'unixepoch', '-' || (i / (?1 / 10)) || ' days'), 1 + i % 7
           FROM seq",
    )
    .bind(members)
    .bind(base)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ?1 / 5 - 1)
         INSERT INTO grants (member_id, role_id, product, source, starts_at, paid_until, ends_at, created_at)
         SELECT ?2 + i * 5, ?3, 'pro', 'stripe', ?4, ?4 + (i % 60) * 86400000, ?4 + (i % 60 + 3) * 86400000, ?4 FROM seq",
    )
    .bind(members)
    .bind(base)
    .bind(ids::ROLE_PRO as i64)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    // Their payments over the year: each paid member's first, and a renewal for every other one
    // (the weekly report and the renewal rate read them).
    sqlx::query(
        "WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ?1 / 5 - 1)
         INSERT INTO revenue (at, product, source, kind, amount_minor, currency, member_id)
         SELECT ?3 - (i % 365) * 86400000, 'pro', 'stripe', CASE WHEN i % 2 = 0 THEN 'renewal' ELSE 'new' END,
                2900, 'USD', ?2 + i * 5 FROM seq",
    )
    .bind(members)
    .bind(base)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn time_get(
    client: &reqwest::Client,
    url: &str,
    cookie: &str,
    rounds: usize,
) -> anyhow::Result<Vec<Duration>> {
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        let response = client.get(url).header("cookie", cookie).send().await?;
        anyhow::ensure!(response.status() == 200, "{url}: {}", response.status());
        let _ = response.bytes().await?;
        samples.push(started.elapsed());
    }
    Ok(samples)
}

fn main() -> anyhow::Result<()> {
    let quick = std::env::args().any(|a| a == "--quick");
    let members: i64 = if quick { 10_000 } else { 100_000 };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let sim = Sim::start().await?;
        let dir = tempfile::tempdir()?;
        let db_path = dir.path().join("lyceum.db");
        let extra = format!(
            "\n[[products]]\nid = \"pro\"\nname = \"Pro\"\nrole = {}\nduration = \"30d\"\n",
            ids::ROLE_PRO
        );
        let config = config_text(&sim, &db_path, &extra)
            .replace("[web]\n", "[web]\nleaderboard = \"public\"\n");
        std::fs::write(dir.path().join("config.toml"), config)?;
        println!("lyceum web bench: {members} members, a year of points and activity, {} paid; {ROUNDS} requests a page", members / 5);
        let started = Instant::now();
        {
            let db = lyceum::db::Db::open(&db_path).await?;
            seed(&db, members).await?;
        }
        println!("  seeded in {:.1} s", started.elapsed().as_secs_f64());
        let bot = SimBot::start(sim.clone(), dir.path(), "").await?;
        let web = format!("http://{}", bot.app.web_addr);
        // A logged-in owner: a session row as the login writes it.
        let token = "b".repeat(64);
        {
            let db = lyceum::db::Db::open(&db_path).await?;
            let now = lyceum::clock::to_millis(chrono::Utc::now());
            let session = lyceum::web::store::NewSession {
                id_hash: &lyceum::web::login::hash(&token),
                member: ids::OWNER,
                locale: Some("en-US"),
                in_guild: true,
                csrf: &"c".repeat(64),
                at: now,
                expires_at: now + 86_400_000,
            };
            lyceum::web::store::insert_session(&db, &session).await?;
        }
        let cookie = format!("lyceum_session={token}");
        let client = reqwest::Client::new();
        // Warm-up: first reads fill SQLite's page cache.
        time_get(&client, &format!("{web}/leaderboard"), &cookie, 3).await?;
        time_get(&client, &format!("{web}/staff"), &cookie, 3).await?;

        let mut report = serde_json::Map::new();
        let mut line = |name: &str, ms: f64| {
            println!("  {name:<34} {ms:>8.2} ms");
            report.insert(name.to_string(), ms.into());
        };
        let leaderboard = p95(time_get(&client, &format!("{web}/leaderboard"), &cookie, ROUNDS).await?);
        line("leaderboard_p95_ms", leaderboard);
        let deep = p95(
            time_get(&client, &format!("{web}/leaderboard?page={}", members / 100), &cookie, ROUNDS)
                .await?,
        );
        line("leaderboard_deep_page_p95_ms", deep);
        // The first request computes the week's ranking (reused for a minute): its cost is the
        // slowest sample, reported apart from the p95.
        let week = time_get(&client, &format!("{web}/leaderboard?period=week"), &cookie, ROUNDS).await?;
        let cold = week.iter().max().copied().unwrap_or_default().as_secs_f64() * 1000.0;
        line("leaderboard_week_p95_ms", p95(week));
        line("leaderboard_week_cold_ms", cold);
        let staff = p95(time_get(&client, &format!("{web}/staff"), &cookie, ROUNDS).await?);
        line("staff_members_p95_ms", staff);
        let staff_filtered = p95(
            time_get(&client, &format!("{web}/staff?product=pro&expiring=7"), &cookie, ROUNDS).await?,
        );
        line("staff_members_filtered_p95_ms", staff_filtered);

        // The same two pages while members chat at 2,000 msg/s (the bot deciding every
        // message, its writer committing): p95 under the flood ÷ idle.
        let (stop, flooder) =
            lyceum::harness::perf::process::flood(&sim, 2_000, BASE as u64, members as usize);
        tokio::time::sleep(Duration::from_millis(300)).await;
        let leaderboard_flood =
            p95(time_get(&client, &format!("{web}/leaderboard"), &cookie, ROUNDS).await?);
        let staff_flood = p95(time_get(&client, &format!("{web}/staff"), &cookie, ROUNDS).await?);
        let _ = stop.send(true);
        let (sent, _) = flooder.await?;
        line("leaderboard_p95_ms_flood", leaderboard_flood);
        line("staff_members_p95_ms_flood", staff_flood);
        let flood_ratio = (leaderboard_flood / leaderboard).max(staff_flood / staff);
        println!("  under a 2,000 msg/s flood ({sent} messages): p95 ÷ idle {flood_ratio:.2}× (the worse of the two pages)");

        // The weekly report for this community: gathered from the database and drawn, as the
        // Monday job and `/report week` do (the renewal rate reads every paid term).
        let db = lyceum::db::Db::open(&db_path).await?;
        let config = bot.app.state.config.snapshot();
        let mut weekly = Vec::new();
        for _ in 0..ROUNDS / 4 {
            let started = Instant::now();
            let now = chrono::Utc::now();
            let week = lyceum::features::stats::report::last_seven_days(now, config.community.timezone);
            let mut conn = db.read.acquire().await?;
            let gathered = lyceum::features::stats::report::gather(&mut conn, &config, week, now).await?;
            let png = lyceum::features::stats::charts::weekly(&gathered)
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            std::hint::black_box(png);
            weekly.push(started.elapsed());
        }
        let weekly = p95(weekly);
        line("weekly_report_p95_ms", weekly);

        // The naive designs, same data, same run.
        let mut naive_board = Vec::new();
        for _ in 0..ROUNDS / 4 {
            let started = Instant::now();
            let mut all: Vec<(i64, i64)> =
                sqlx::query_as("SELECT member_id, lifetime FROM points_members")
                    .fetch_all(&db.read)
                    .await?;
            all.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let page: Vec<_> = all.into_iter().take(50).collect();
            std::hint::black_box(page);
            naive_board.push(started.elapsed());
        }
        let naive_board = p95(naive_board);
        line("naive_leaderboard_p95_ms", naive_board);
        let mut naive_staff = Vec::new();
        for _ in 0..ROUNDS / 8 {
            let started = Instant::now();
            let rows: Vec<(i64, String, Option<i64>, String)> = sqlx::query_as(
                "SELECT g.member_id, g.product, g.paid_until, COALESCE(n.name, '')
                   FROM grants g LEFT JOIN member_names n ON n.member_id = g.member_id
                  WHERE g.ended_at IS NULL ORDER BY g.member_id",
            )
            .fetch_all(&db.read)
            .await?;
            let html: String = rows
                .iter()
                .map(|(m, p, u, n)| format!("<tr><td>{n} {m}</td><td>{p}</td><td>{u:?}</td></tr>"))
                .collect();
            std::hint::black_box(html);
            naive_staff.push(started.elapsed());
        }
        let naive_staff = p95(naive_staff);
        line("naive_staff_all_rows_p95_ms", naive_staff);
        // The 30-day activity overview counted from the per-member rows (as before the
        // rollups): the series, weekly and monthly distinct members, member-days.
        let mut naive_overview = Vec::new();
        let today = chrono::Utc::now().date_naive();
        let since = |days: i64| (today - chrono::Duration::days(days)).to_string();
        for _ in 0..ROUNDS / 8 {
            let started = Instant::now();
            let series: Vec<(String, i64, i64)> = sqlx::query_as(
                "SELECT day, COUNT(*), SUM(messages) FROM activity_daily
                  WHERE day >= ? AND messages > 0 GROUP BY day",
            )
            .bind(since(29))
            .fetch_all(&db.read)
            .await?;
            for days in [6, 29] {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(DISTINCT member_id) FROM activity_daily WHERE day >= ? AND messages > 0",
                )
                .bind(since(days))
                .fetch_one(&db.read)
                .await?;
                std::hint::black_box(n);
            }
            let (member_days,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM activity_daily WHERE day >= ? AND messages > 0",
            )
            .bind(since(29))
            .fetch_one(&db.read)
            .await?;
            std::hint::black_box((series, member_days));
            naive_overview.push(started.elapsed());
        }
        let naive_overview = p95(naive_overview);
        line("naive_overview_from_rows_p95_ms", naive_overview);
        report.insert("members".into(), members.into());
        // Discord wants an interaction answered within 3 s: the report's share of that.
        report.insert("weekly_report_share_of_3s".into(), (weekly / 3000.0).into());
        report.insert("web_p95_flood_ratio".into(), flood_ratio.into());
        report.insert(
            "leaderboard_speedup_vs_naive".into(),
            (naive_board / leaderboard).into(),
        );
        report.insert("staff_speedup_vs_naive".into(), (naive_staff / staff).into());
        report.insert(
            "staff_speedup_vs_overview_from_rows".into(),
            (naive_overview / staff).into(),
        );
        println!(
            "  weekly report (gather + draw): {:.1}% of Discord's 3 s interaction window",
            weekly / 30.0
        );
        println!(
            "  ratios: leaderboard {:.1}× faster than reading and sorting every member; staff list {:.1}× faster than rendering every paid member; the whole staff page {:.1}× faster than its old overview's queries alone",
            naive_board / leaderboard,
            naive_staff / staff,
            naive_overview / staff
        );
        std::fs::create_dir_all("target/bench")?;
        std::fs::write(
            "target/bench/web.json",
            serde_json::to_string_pretty(&serde_json::Value::Object(report))?,
        )?;
        println!("  written to target/bench/web.json");
        bot.stop().await;
        Ok::<(), anyhow::Error>(())
    })
}
