//! The whole bot as a self-hoster runs it: `lyceum run` as its own process against the
//! simulated Discord, with a guild of many members. Measures the process's resident memory at
//! idle, slash-command reply latency at idle and under message floods of 2,000 and 20,000
//! msg/s, how fast gateway messages are decided end to end (JSON frames in, automod and points
//! decisions out) with the gateway front and without it (serenity decoding every event, the
//! "before" of the same run), and cold starts against a database of many members.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::percentile;
use crate::harness::sim::{ids, Sim, SlashCall, World};

/// Member ids in the bench's guild start here.
const FIRST_MEMBER: u64 = 700_000_000_000_000_000;

#[derive(Debug, Clone)]
pub struct ProcessOptions {
    /// The `lyceum` binary to run.
    pub bin: PathBuf,
    pub members: usize,
    /// Messages per second during the flood.
    pub flood_per_s: usize,
    /// Slash commands timed at idle and again under the flood.
    pub replies: usize,
    /// Messages sent as fast as possible for the ingest rate.
    pub ingest_messages: usize,
    /// The second, heavier flood replies are timed under.
    pub heavy_flood_per_s: usize,
    /// Starts timed against a database of `cold_members` members.
    pub cold_starts: usize,
    pub cold_members: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProcessReport {
    pub members: usize,
    pub rss_mb: f64,
    pub reply_p50_ms_idle: f64,
    pub reply_p99_ms_idle: f64,
    pub reply_p50_ms_flood: f64,
    pub reply_p99_ms_flood: f64,
    /// Messages per second the flood really sent while replies were timed.
    pub flood_msgs_per_s: f64,
    pub reply_p99_ms_heavy_flood: f64,
    pub heavy_flood_msgs_per_s: f64,
    /// The bot's share of the reply: to its answer reaching the simulator (see `Replies`).
    pub answer_p99_ms_idle: f64,
    pub answer_p99_ms_heavy_flood: f64,
    pub gateway_msgs_per_s: f64,
    /// The same ingest with `discord.gateway_front = false`: serenity's default decode path.
    pub gateway_msgs_per_s_before: f64,
    /// Median and slowest of the cold starts: process start to commands registered.
    pub cold_start_ms: f64,
    pub cold_start_max_ms: f64,
    pub cold_members: usize,
    pub idle_rss_mb_after_start: f64,
}

/// Stops the bot process however the bench ends.
struct Bot(Child);

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

async fn messages_decided(web: &str) -> anyhow::Result<u64> {
    let text = reqwest::get(format!("http://{web}/metrics"))
        .await?
        .text()
        .await?;
    text.lines()
        .find_map(|l| l.strip_prefix("lyceum_gateway_messages_total "))
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no message counter in /metrics"))
}

/// Waits until the bot has decided `count` messages in all.
async fn wait_decided(web: &str, count: u64, timeout: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        if messages_decided(web).await? >= count {
            return Ok(());
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "the bot decided too few messages"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `/points show` timed one after another, sorted, in milliseconds: `whole`, from dispatching
/// it to the simulator seeing the answer (what the bench's targets use); `answered`, to the
/// answer reaching the simulator's REST handler — the bot's share with the sockets, without
/// the simulator's own handling after it (reported beside, to tell the two apart).
struct Replies {
    whole: Vec<f64>,
    answered: Vec<f64>,
}

async fn reply_times(sim: &Sim, count: usize) -> anyhow::Result<Replies> {
    let mut whole = Vec::with_capacity(count);
    let mut answered = Vec::with_capacity(count);
    for i in 0..count {
        let member = FIRST_MEMBER + (i as u64 % 1_000);
        let began = Instant::now();
        let reply = sim
            .slash(SlashCall::new(member, "points").subcommand("show"))
            .await?;
        whole.push(began.elapsed().as_secs_f64() * 1e3);
        if let Some(bot) = sim.answer_time(reply.interaction) {
            answered.push(bot.as_secs_f64() * 1e3);
        }
    }
    whole.sort_by(f64::total_cmp);
    answered.sort_by(f64::total_cmp);
    Ok(Replies { whole, answered })
}

/// A member's message: mixed English and Chinese, varied so few are near-duplicates.
fn chatter(i: usize) -> String {
    const WORDS: [&str; 8] = [
        "async",
        "trait",
        "lifetime",
        "借用",
        "所有权",
        "tokio",
        "迭代器",
        "closure",
    ];
    format!(
        "question {i}: how does {} relate to {} here?",
        WORDS[i % 8],
        WORDS[(i / 8) % 8]
    )
}

/// `lyceum run` against `sim` with the database `db`; `discord` lines go in `[discord]`.
fn spawn_bot(
    bin: &Path,
    dir: &Path,
    db: &Path,
    sim: &Sim,
    web: &str,
    discord: &str,
) -> anyhow::Result<Bot> {
    let text = crate::harness::sim::harness::config_text(sim, db, "")
        .replace("bind = \"127.0.0.1:0\"", &format!("bind = \"{web}\""))
        .replace("[discord]\n", &format!("[discord]\n{discord}"));
    let config = dir.join("config.toml");
    std::fs::write(&config, text)?;
    let log = std::fs::File::create(dir.join("bot.log"))?;
    let child = Command::new(bin)
        .arg("run")
        .arg("--config")
        .arg(&config)
        .env("DISCORD_TOKEN", sim.token())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()?;
    Ok(Bot(child))
}

pub async fn run(
    opts: &ProcessOptions,
    mut log: impl FnMut(String),
) -> anyhow::Result<ProcessReport> {
    let dir = super::tempfile_dir()?;
    let report = measure(opts, &dir, &mut log).await;
    let _ = std::fs::remove_dir_all(&dir);
    report
}

/// Starts a flood of `per_s` messages a second (in 1,000 ticks: spread as members' messages
/// arrive, not in bursts) from `members` members with ids from `first`; stop it with the
/// sender, and its task returns how many it sent over how long.
pub fn flood(
    sim: &Sim,
    per_s: usize,
    first: u64,
    members: usize,
) -> (
    tokio::sync::watch::Sender<bool>,
    tokio::task::JoinHandle<(usize, Duration)>,
) {
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let sim = sim.clone();
    let per_tick = per_s.div_ceil(1_000);
    let members = members.max(1) as u64;
    let task = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        let mut sent = 0usize;
        let began = Instant::now();
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stopped.changed() => break,
            }
            for _ in 0..per_tick {
                let author = first + (sent as u64 * 7_919) % members;
                sim.message_create(ids::CHANNEL_GENERAL, author, &chatter(sent));
                sent += 1;
            }
        }
        (sent, began.elapsed())
    });
    (stop, task)
}

/// Reply times under a flood of `per_s`; returns them and the rate really sent. Waits until
/// the bot has decided everything sent so far before returning.
async fn replies_under_flood(
    sim: &Sim,
    web: &str,
    opts: &ProcessOptions,
    per_s: usize,
) -> anyhow::Result<(Replies, f64)> {
    let before = messages_decided(web).await?;
    let (stop, flooder) = flood(sim, per_s, FIRST_MEMBER, opts.members);
    // The flood at its pace first, then the replies.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let times = reply_times(sim, opts.replies).await?;
    let _ = stop.send(true);
    let (sent, over) = flooder.await?;
    wait_decided(web, before + sent as u64, Duration::from_secs(120)).await?;
    Ok((times, sent as f64 / over.as_secs_f64()))
}

/// `count` MESSAGE_CREATE frames as fast as the simulator writes them, until the bot has
/// decided them all; messages per second.
async fn ingest(sim: &Sim, web: &str, count: usize, members: usize) -> anyhow::Result<f64> {
    let before = messages_decided(web).await?;
    let began = Instant::now();
    for i in 0..count {
        let author = FIRST_MEMBER + (i as u64 * 104_729) % members.max(1) as u64;
        sim.message_create(ids::CHANNEL_GENERAL, author, &chatter(i + 1_000_000));
        if i % 500 == 0 {
            tokio::task::yield_now().await;
        }
    }
    wait_decided(web, before + count as u64, Duration::from_secs(180)).await?;
    Ok(count as f64 / began.elapsed().as_secs_f64())
}

/// The gateway ingest with serenity decoding every event (`discord.gateway_front = false`):
/// the "before" of the same run, same guild, same messages.
async fn ingest_before(opts: &ProcessOptions, dir: &Path) -> anyhow::Result<f64> {
    let sim = Sim::start_with(world(opts.members)).await?;
    let web = format!("127.0.0.1:{}", free_port()?);
    let db = dir.join("before.db");
    let _bot = spawn_bot(&opts.bin, dir, &db, &sim, &web, "gateway_front = false\n")?;
    sim.wait_ready(Duration::from_secs(60)).await?;
    reply_times(&sim, 1).await?;
    ingest(&sim, &web, opts.ingest_messages, opts.members).await
}

fn world(members: usize) -> World {
    let mut world = World::default();
    for i in 0..members as u64 {
        world.add_member(FIRST_MEMBER + i);
    }
    world
}

/// A database as a community of `members` leaves it: every member with points and a name, and
/// a chat award today (the points engine rebuilds today's state at start).
async fn seed_community(path: &Path, members: usize) -> anyhow::Result<()> {
    let db = crate::db::Db::open(path).await?;
    let now = crate::clock::to_millis(chrono::Utc::now());
    let mut tx = db.write.begin().await?;
    seed_members(&mut tx, members as i64, FIRST_MEMBER as i64, now).await?;
    sqlx::query(
        "WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ?1 - 1)
         INSERT INTO points_ledger (member_id, delta, lifetime_delta, kind, created_at)
         SELECT ?2 + i, 5, 5, 'chat', ?3 - (i % 600) * 1000 FROM seq",
    )
    .bind(members as i64)
    .bind(FIRST_MEMBER as i64)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    db.close().await;
    Ok(())
}

/// `members` members with ids from `first`, each with points and a name (`member<i>`).
pub async fn seed_members(
    tx: &mut sqlx::SqliteConnection,
    members: i64,
    first: i64,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ?1 - 1)
         INSERT INTO points_members (member_id, balance, lifetime, level)
         SELECT ?2 + i, (i * 7919) % 5000, (i * 7919) % 20000, 0 FROM seq",
    )
    .bind(members)
    .bind(first)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ?1 - 1)
         INSERT INTO member_names (member_id, name, updated_at)
         SELECT ?2 + i, 'member' || i, ?3 FROM seq",
    )
    .bind(members)
    .bind(first)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Process start to commands registered, `opts.cold_starts` times against one database of
/// `opts.cold_members` members (a fresh simulator each time, as after a host reboot); and the
/// last process's resident memory at idle after start.
async fn cold_starts(opts: &ProcessOptions, dir: &Path) -> anyhow::Result<(Vec<f64>, f64)> {
    let db = dir.join("cold.db");
    seed_community(&db, opts.cold_members).await?;
    let mut times = Vec::new();
    let mut rss_mb = 0.0;
    for i in 0..opts.cold_starts {
        let sim = Sim::start().await?;
        let web = format!("127.0.0.1:{}", free_port()?);
        let began = Instant::now();
        let bot = spawn_bot(&opts.bin, dir, &db, &sim, &web, "")?;
        sim.wait_ready(Duration::from_secs(60)).await?;
        times.push(began.elapsed().as_secs_f64() * 1e3);
        if i + 1 == opts.cold_starts {
            tokio::time::sleep(Duration::from_secs(2)).await;
            rss_mb = super::rss_bytes_of(&bot.0.id().to_string()) as f64 / (1024.0 * 1024.0);
        }
        drop(bot);
    }
    times.sort_by(f64::total_cmp);
    Ok((times, rss_mb))
}

async fn measure(
    opts: &ProcessOptions,
    dir: &Path,
    log: &mut impl FnMut(String),
) -> anyhow::Result<ProcessReport> {
    let sim = Sim::start_with(world(opts.members)).await?;
    let web = format!("127.0.0.1:{}", free_port()?);
    let bot = spawn_bot(&opts.bin, dir, &dir.join("lyceum.db"), &sim, &web, "")?;
    sim.wait_ready(Duration::from_secs(60)).await?;

    // Every member seen once: the cache's worst case for a guild this size.
    let chunks = sim.send_member_chunks(1_000);
    // Events are handled in order: an answer after the chunks means they were taken in.
    reply_times(&sim, 1).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_mb = super::rss_bytes_of(&bot.0.id().to_string()) as f64 / (1024.0 * 1024.0);
    log(format!(
        "whole process: {:.0} MB resident at idle with {} members ({chunks} member chunks taken in)",
        rss_mb, opts.members
    ));

    let idle = reply_times(&sim, opts.replies).await?;
    let (flood, flood_msgs_per_s) = replies_under_flood(&sim, &web, opts, opts.flood_per_s).await?;
    let (heavy, heavy_msgs_per_s) =
        replies_under_flood(&sim, &web, opts, opts.heavy_flood_per_s).await?;
    log(format!(
        "slash reply: idle p50 {:.1} ms · p99 {:.1} ms; under {:.0} msg/s p50 {:.1} ms · p99 {:.1} ms; under {:.0} msg/s p50 {:.1} ms · p99 {:.1} ms",
        percentile(&idle.whole, 0.5),
        percentile(&idle.whole, 0.99),
        flood_msgs_per_s,
        percentile(&flood.whole, 0.5),
        percentile(&flood.whole, 0.99),
        heavy_msgs_per_s,
        percentile(&heavy.whole, 0.5),
        percentile(&heavy.whole, 0.99),
    ));
    log(format!(
        "slash reply, the bot's share (to its answer reaching the simulator): p99 idle {:.2} ms · under {:.0} msg/s {:.2} ms",
        percentile(&idle.answered, 0.99),
        heavy_msgs_per_s,
        percentile(&heavy.answered, 0.99),
    ));

    let gateway_msgs_per_s = ingest(&sim, &web, opts.ingest_messages, opts.members).await?;
    drop(bot);
    let gateway_msgs_per_s_before = ingest_before(opts, dir).await?;
    log(format!(
        "gateway ingest: {} MESSAGE_CREATE frames decided at {:.0} msg/s with the gateway front, {:.0} msg/s with serenity decoding every event ({:.1}×)",
        opts.ingest_messages,
        gateway_msgs_per_s,
        gateway_msgs_per_s_before,
        gateway_msgs_per_s / gateway_msgs_per_s_before
    ));
    let (starts, idle_rss_mb_after_start) = cold_starts(opts, dir).await?;
    log(format!(
        "cold start with {} members in the database: {} (ms, {} starts) · {:.0} MB resident after start",
        opts.cold_members,
        starts.iter().map(|t| format!("{t:.0}")).collect::<Vec<_>>().join(" / "),
        starts.len(),
        idle_rss_mb_after_start
    ));
    Ok(ProcessReport {
        members: opts.members,
        rss_mb,
        reply_p50_ms_idle: percentile(&idle.whole, 0.5),
        reply_p99_ms_idle: percentile(&idle.whole, 0.99),
        reply_p50_ms_flood: percentile(&flood.whole, 0.5),
        reply_p99_ms_flood: percentile(&flood.whole, 0.99),
        flood_msgs_per_s,
        reply_p99_ms_heavy_flood: percentile(&heavy.whole, 0.99),
        answer_p99_ms_idle: percentile(&idle.answered, 0.99),
        answer_p99_ms_heavy_flood: percentile(&heavy.answered, 0.99),
        heavy_flood_msgs_per_s: heavy_msgs_per_s,
        gateway_msgs_per_s,
        gateway_msgs_per_s_before,
        cold_start_ms: percentile(&starts, 0.5),
        cold_start_max_ms: starts.last().copied().unwrap_or(0.0),
        cold_members: opts.cold_members,
        idle_rss_mb_after_start,
    })
}
