//! The whole bot as a self-hoster runs it: `lyceum run` as its own process against the
//! simulated Discord, with a guild of many members. Measures the process's resident memory at
//! idle, slash-command reply latency at idle and under a message flood, and how fast gateway
//! messages are decided end to end (JSON frames in, automod and points decisions out).

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
    pub gateway_msgs_per_s: f64,
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

/// Milliseconds from dispatching each slash command to its answer, one after another.
async fn reply_times(sim: &Sim, count: usize) -> anyhow::Result<Vec<f64>> {
    let mut times = Vec::with_capacity(count);
    for i in 0..count {
        let member = FIRST_MEMBER + (i as u64 % 1_000);
        let began = Instant::now();
        sim.slash(SlashCall::new(member, "points").subcommand("show"))
            .await?;
        times.push(began.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    Ok(times)
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

fn spawn_bot(bin: &Path, dir: &Path, sim: &Sim, web: &str) -> anyhow::Result<Bot> {
    let db = dir.join("lyceum.db");
    let text = crate::harness::sim::harness::config_text(sim, &db, "")
        .replace("bind = \"127.0.0.1:0\"", &format!("bind = \"{web}\""));
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

async fn measure(
    opts: &ProcessOptions,
    dir: &Path,
    log: &mut impl FnMut(String),
) -> anyhow::Result<ProcessReport> {
    let mut world = World::default();
    for i in 0..opts.members as u64 {
        world.add_member(FIRST_MEMBER + i);
    }
    let sim = Sim::start_with(world).await?;
    let web = format!("127.0.0.1:{}", free_port()?);
    let bot = spawn_bot(&opts.bin, dir, &sim, &web)?;
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

    // The flood: `flood_per_s` messages a second, in 100 ticks, while replies are timed.
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let flooder = {
        let sim = sim.clone();
        let per_tick = opts.flood_per_s.div_ceil(100);
        let members = opts.members.max(1) as u64;
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(10));
            let mut sent = 0usize;
            let began = Instant::now();
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stopped.changed() => break,
                }
                for _ in 0..per_tick {
                    let author = FIRST_MEMBER + (sent as u64 * 7_919) % members;
                    sim.message_create(ids::CHANNEL_GENERAL, author, &chatter(sent));
                    sent += 1;
                }
            }
            (sent, began.elapsed())
        })
    };
    let flood = reply_times(&sim, opts.replies).await?;
    let _ = stop.send(true);
    let (flood_sent, flood_for) = flooder.await?;
    let flood_msgs_per_s = flood_sent as f64 / flood_for.as_secs_f64();
    let seen = messages_decided(&web).await?;
    wait_decided(&web, flood_sent as u64, Duration::from_secs(60)).await?;
    log(format!(
        "slash reply: idle p50 {:.1} ms · p99 {:.1} ms; under {:.0} msg/s p50 {:.1} ms · p99 {:.1} ms",
        percentile(&idle, 0.5),
        percentile(&idle, 0.99),
        flood_msgs_per_s,
        percentile(&flood, 0.5),
        percentile(&flood, 0.99),
    ));

    // Ingest: frames as fast as the simulator can write them, until the bot has decided all.
    let before = seen.max(flood_sent as u64);
    let began = Instant::now();
    for i in 0..opts.ingest_messages {
        let author = FIRST_MEMBER + (i as u64 * 104_729) % opts.members.max(1) as u64;
        sim.message_create(ids::CHANNEL_GENERAL, author, &chatter(i + 1_000_000));
        if i % 500 == 0 {
            tokio::task::yield_now().await;
        }
    }
    wait_decided(
        &web,
        before + opts.ingest_messages as u64,
        Duration::from_secs(120),
    )
    .await?;
    let gateway_msgs_per_s = opts.ingest_messages as f64 / began.elapsed().as_secs_f64();
    log(format!(
        "gateway ingest: {} MESSAGE_CREATE frames decided at {:.0} msg/s",
        opts.ingest_messages, gateway_msgs_per_s
    ));
    drop(bot);
    Ok(ProcessReport {
        members: opts.members,
        rss_mb,
        reply_p50_ms_idle: percentile(&idle, 0.5),
        reply_p99_ms_idle: percentile(&idle, 0.99),
        reply_p50_ms_flood: percentile(&flood, 0.5),
        reply_p99_ms_flood: percentile(&flood, 0.99),
        flood_msgs_per_s,
        gateway_msgs_per_s,
    })
}
