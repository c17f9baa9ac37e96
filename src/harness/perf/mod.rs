//! The message-pipeline benchmark (`cargo bench --bench pipeline`), kept in the library so the
//! test suite can run it in `quick` mode and check that both designs decide the same.
//!
//! It generates a seeded synthetic workload, then runs lyceum's real hot path (automod's
//! compiled filters, the points engine deciding from memory, the batch writer committing to a
//! WAL-mode SQLite file) against a naive design written here (per message: lowercase-contains
//! automod, read the member's state from SQLite, decide with the same rule function, write the
//! ledger row and the state back, autocommit). Both run on fresh database files, alternating,
//! and must make the same decisions; the report is ratios measured in the same run.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use serenity::all::{ChannelId, MessageId, UserId};

use crate::clock::ManualClock;
use crate::config::Config;
use crate::db::Db;
use crate::features::moderation::automod::Compiled;
use crate::features::points::engine::{spawn_writer, Committed, Engine, Incoming};
use crate::features::points::rules::{self, ChatMessage, MemberChat};
use crate::state::AppState;

pub mod frames;
pub mod idle;
pub mod outbox;
pub mod process;
pub mod writer;

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    pub messages: usize,
    pub members: usize,
    pub channels: usize,
    /// Messages the naive design (and the decision comparison) runs on.
    pub naive_messages: usize,
    pub rounds: usize,
    pub seed: u64,
    /// Members in the hot-path memory measurement.
    pub state_members: usize,
    /// Queue sizes for the outbox claim-cost measurement (smallest first).
    pub claim_sizes: Vec<usize>,
    /// Messages (from the start of the workload) fed at `paced_rate` a second for the paced
    /// durability lag.
    pub paced_messages: usize,
    pub paced_rate: f64,
    /// Chat awards the points writer takes into one growing ledger (its rate should not fall).
    pub ledger_rows: usize,
    /// Role changes in the outbox storm, and in its one-at-a-time baseline.
    pub storm_items: usize,
    pub storm_serial_items: usize,
    /// The simulated Discord's answer latency in the storm.
    pub storm_latency: Duration,
    /// Active schedules held while the scheduler is timed idle, for how long; members in the
    /// reconcile diff.
    pub schedules: usize,
    pub idle_window: Duration,
    pub reconcile_members: usize,
    /// The whole bot as its own process (needs the `lyceum` binary's path).
    pub process: Option<process::ProcessOptions>,
}

impl Options {
    pub fn full() -> Options {
        Options {
            messages: 1_000_000,
            members: 10_000,
            channels: 50,
            naive_messages: 40_000,
            rounds: 3,
            seed: 42,
            state_members: 100_000,
            claim_sizes: vec![1_000, 100_000, 1_000_000],
            paced_messages: 300_000,
            paced_rate: 50_000.0,
            ledger_rows: 1_000_000,
            storm_items: 5_000,
            storm_serial_items: 200,
            storm_latency: Duration::from_millis(50),
            schedules: 10_000,
            idle_window: Duration::from_secs(10),
            reconcile_members: 100_000,
            process: None,
        }
    }

    /// Small counts for the test suite: checks that both designs decide the same.
    /// The whole-process section at full size, run with the `lyceum` binary at `bin`.
    pub fn with_process(mut self, bin: std::path::PathBuf, quick: bool) -> Options {
        self.process = Some(process::ProcessOptions {
            bin,
            members: if quick { 2_000 } else { 100_000 },
            flood_per_s: if quick { 500 } else { 2_000 },
            // Enough that the p99 is not the second-worst of a handful.
            replies: if quick { 20 } else { 1_000 },
            ingest_messages: if quick { 5_000 } else { 600_000 },
            heavy_flood_per_s: if quick { 2_000 } else { 20_000 },
            cold_starts: if quick { 1 } else { 5 },
            cold_members: if quick { 2_000 } else { 100_000 },
        });
        self
    }

    pub fn quick() -> Options {
        Options {
            messages: 20_000,
            members: 500,
            channels: 10,
            naive_messages: 3_000,
            rounds: 1,
            seed: 7,
            state_members: 1_000,
            claim_sizes: vec![1_000, 10_000],
            paced_messages: 5_000,
            paced_rate: 5_000.0,
            ledger_rows: 20_000,
            storm_items: 120,
            storm_serial_items: 20,
            storm_latency: Duration::from_millis(5),
            schedules: 1_000,
            idle_window: Duration::from_secs(1),
            reconcile_members: 10_000,
            process: None,
        }
    }
}

/// One synthetic message.
#[derive(Debug, Clone)]
pub struct Message {
    pub id: u64,
    pub author: u64,
    pub channel: u64,
    pub text: String,
    pub at: DateTime<Utc>,
}

/// The community's policy in the workload: fixed awards (so both designs roll the same), a
/// short cooldown and a daily cap, and a realistic banned-word list (300 words, English and
/// Chinese: what the naive design's per-word loop pays for).
pub fn config() -> Config {
    let words: Vec<String> = banned_words().iter().map(|w| format!("\"{w}\"")).collect();
    Config::parse(&format!(
        r#"
[discord]
guild_id = 1
[community]
timezone = "Asia/Shanghai"
[points]
message_min = 10
message_max = 10
cooldown = "20s"
daily_cap = 200
min_chars = 5
[automod]
staff_exempt = false
[automod.banned_words]
enabled = true
words = [{}]
action = "delete"
"#,
        words.join(", ")
    ))
    .expect("the bench config parses")
}

/// 240 Latin and 60 Chinese banned words that never occur in ordinary workload text.
pub fn banned_words() -> Vec<String> {
    const ZH_BAD: [&str; 6] = ["垃圾广告", "刷单", "赌博", "代考", "外挂", "诈骗"];
    (0..240)
        .map(|i| format!("zzbad{i:03}"))
        .chain((0..60).map(|i| {
            format!(
                "{}{}",
                ZH_BAD[i % 6],
                ["群", "网", "号", "站", "链", "码", "店", "卡", "券", "币"][i / 6]
            )
        }))
        .collect()
}

const EN: &[&str] = &[
    "how",
    "do",
    "i",
    "pin",
    "a",
    "future",
    "in",
    "rust",
    "thanks",
    "for",
    "the",
    "article",
    "great",
    "livestream",
    "today",
    "question",
    "about",
    "lifetimes",
    "async",
    "traits",
    "when",
    "is",
    "next",
    "session",
    "borrow",
    "checker",
    "helped",
    "me",
    "a",
    "lot",
];
const ZH: &[&str] = &[
    "请问",
    "这个",
    "生命周期",
    "怎么",
    "理解",
    "谢谢",
    "老师",
    "今天",
    "直播",
    "很棒",
    "异步",
    "代码",
    "运行",
    "报错",
    "了",
    "文章",
    "写得",
    "真好",
    "下次",
    "什么时候",
];

/// A seeded workload: Zipf-like authors (a few very active members, a long tail), English,
/// Chinese and mixed text, 3% repeats of the author's previous message, a few percent with a
/// banned word, spanning local midnight (Asia/Shanghai) in the middle.
pub fn workload(opts: &Options) -> Vec<Message> {
    let mut rng = StdRng::seed_from_u64(opts.seed);
    // Cumulative weights ∝ 1/rank.
    let mut cumulative = Vec::with_capacity(opts.members);
    let mut total = 0.0;
    for rank in 1..=opts.members {
        total += 1.0 / rank as f64;
        cumulative.push(total);
    }
    // 23:00 local on 2026-12-01 (15:00 UTC); midnight falls in the middle of the span.
    let start: DateTime<Utc> = "2026-12-01T15:00:00Z".parse().expect("instant");
    let span_ms = 2 * 3_600_000i64;
    let mut last_text: HashMap<u64, String> = HashMap::new();
    let banned = banned_words();
    (0..opts.messages)
        .map(|i| {
            let u: f64 = rng.gen::<f64>() * total;
            let rank = cumulative.partition_point(|c| *c < u);
            let author = 1_000 + rank as u64;
            let channel = 500 + rng.gen_range(0..opts.channels as u64);
            let roll: f64 = rng.gen();
            let text = match last_text.get(&author) {
                Some(previous) if roll < 0.03 => previous.clone(),
                _ => {
                    let words = rng.gen_range(2..12);
                    let style = rng.gen_range(0..3);
                    let mut parts: Vec<&str> = (0..words)
                        .map(|w| match (style, w % 2) {
                            (0, _) | (2, 0) => EN[rng.gen_range(0..EN.len())],
                            _ => ZH[rng.gen_range(0..ZH.len())],
                        })
                        .collect();
                    if rng.gen::<f64>() < 0.04 {
                        let at = rng.gen_range(0..=parts.len());
                        parts.insert(at, banned[rng.gen_range(0..banned.len())].as_str());
                    }
                    let joiner = if style == 1 { "" } else { " " };
                    format!("{} #{}", parts.join(joiner), rng.gen_range(0..1_000))
                }
            };
            last_text.insert(author, text.clone());
            let at =
                start + chrono::Duration::milliseconds(span_ms * i as i64 / opts.messages as i64);
            Message {
                id: 10_000_000 + i as u64,
                author,
                channel,
                text,
                at,
            }
        })
        .collect()
}

/// What a design decided: awards per member, and which messages automod caught.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Decisions {
    pub awards: BTreeMap<u64, i64>,
    pub flagged: BTreeSet<u64>,
    /// SUM(balance) in the design's database afterwards.
    pub balance_sum: i64,
}

/// Timings of one lyceum run.
#[derive(Debug, Clone)]
pub struct PipelineRun {
    pub decisions: Decisions,
    pub elapsed: Duration,
    pub service_ns: Vec<u64>,
    pub lag_ms: Vec<f64>,
}

pub(crate) async fn fresh_db(dir: &std::path::Path, name: &str) -> anyhow::Result<Db> {
    Db::open(&dir.join(name)).await
}

/// lyceum's pipeline over `messages`: automod, then the points engine; the batch writer
/// commits behind it. Durability lag: from an award's decision to the end of the writer's
/// commit that covered it, as the writer reports its commits ([`Engine::committed`]).
pub async fn run_pipeline(
    dir: &std::path::Path,
    name: &str,
    messages: &[Message],
) -> anyhow::Result<PipelineRun> {
    run_pipeline_paced(dir, name, messages, None).await
}

/// [`run_pipeline`], feeding at most `per_second` messages a second when given (a busy
/// community or a raid, rather than a million messages back to back).
pub async fn run_pipeline_paced(
    dir: &std::path::Path,
    name: &str,
    messages: &[Message],
    per_second: Option<f64>,
) -> anyhow::Result<PipelineRun> {
    let config = config();
    let db = fresh_db(dir, name).await?;
    let clock = Arc::new(ManualClock::new(
        messages.first().map_or_else(Utc::now, |m| m.at),
    ));
    let state = AppState::detached(db.clone(), config.clone(), clock);
    let (engine, inbox) = Engine::new();
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    let writer = spawn_writer(state, inbox, stop_rx);
    let compiled = Compiled::new(&config.automod);
    // Every commit the writer reports: how many entries were durable, and from when.
    let commits = Arc::new(std::sync::Mutex::new(Vec::<Committed>::new()));
    let recorder = {
        let mut committed = engine.committed();
        let commits = commits.clone();
        tokio::spawn(async move {
            while committed.changed().await.is_ok() {
                let commit = *committed.borrow_and_update();
                commits.lock().expect("commits").push(commit);
            }
        })
    };
    let mut decisions = Decisions::default();
    let mut service_ns = Vec::with_capacity(messages.len());
    // (when, how many awards were queued before it) for a sample of awards.
    let mut decided_at = Vec::with_capacity(messages.len() / 4);
    let mut awards_queued = 0u64;
    let began = Instant::now();
    for (i, m) in messages.iter().enumerate() {
        let t0 = Instant::now();
        let caught = !compiled.check(&config.automod, &m.text).is_empty();
        let award = if caught {
            None
        } else {
            engine.on_message(
                &config,
                &Incoming {
                    id: MessageId::new(m.id),
                    channel: ChannelId::new(m.channel),
                    author: UserId::new(m.author),
                    roles: &[],
                    bot: false,
                    text: &m.text,
                    at: m.at,
                },
            )
        };
        let t1 = Instant::now();
        service_ns.push((t1 - t0).as_nanos() as u64);
        if caught {
            decisions.flagged.insert(m.id);
        }
        if let Some(points) = award {
            *decisions.awards.entry(m.author).or_default() += points;
            if i % 64 == 0 {
                decided_at.push((t1, awards_queued));
            }
            awards_queued += 1;
        }
        // Let the writer run, as the gateway's awaits would.
        match per_second {
            // Small steps, so decisions spread over time instead of bursting after a sleep.
            Some(rate) if i % 32 == 0 => {
                let due = began + Duration::from_secs_f64(i as f64 / rate);
                tokio::time::sleep_until(due.into()).await;
            }
            None if i % 512 == 0 => tokio::task::yield_now().await,
            _ => {}
        }
    }
    engine.flush().await;
    let elapsed = began.elapsed();
    let last = *engine.committed().borrow();
    let _ = stop.send(true);
    let _ = writer.await;
    recorder.abort();
    let mut commits = commits.lock().expect("commits").clone();
    commits.push(last);
    // An award is durable at the end of the first commit that covered it (a commit the
    // recorder saw late only counts later: the lag is never understated).
    let lag_ms = decided_at
        .iter()
        .map(|(t, queued_before)| {
            let durable = commits
                .iter()
                .find(|c| c.entries > *queued_before)
                .map_or(last.at, |c| c.at);
            (durable - *t).as_secs_f64() * 1e3
        })
        .collect();
    decisions.balance_sum = balance_sum(&db).await?;
    Ok(PipelineRun {
        decisions,
        elapsed,
        service_ns,
        lag_ms,
    })
}

async fn balance_sum(db: &Db) -> anyhow::Result<i64> {
    let (sum,): (Option<i64>,) = sqlx::query_as("SELECT SUM(balance) FROM points_members")
        .fetch_one(&db.read)
        .await?;
    Ok(sum.unwrap_or(0))
}

/// The naive automod: lowercase, then `contains` for every banned word.
pub fn naive_flagged(words: &[String], text: &str) -> bool {
    let lower = text.to_lowercase();
    // The config's words are lower case already.
    words.iter().any(|w| lower.contains(w.as_str()))
}

/// The naive design: per message a read and writes, each its own transaction.
pub async fn run_naive(
    dir: &std::path::Path,
    name: &str,
    messages: &[Message],
) -> anyhow::Result<(Decisions, Duration)> {
    let config = config();
    let db = fresh_db(dir, name).await?;
    sqlx::query(
        "CREATE TABLE naive_state (member_id INTEGER PRIMARY KEY, last_award INTEGER, day TEXT,
                                   today_total INTEGER NOT NULL, recent TEXT NOT NULL)",
    )
    .execute(&db.write)
    .await?;
    let tz = config.community.timezone;
    let policy = &config.points;
    let mut decisions = Decisions::default();
    let began = Instant::now();
    for m in messages {
        if naive_flagged(&config.automod.words, &m.text) {
            decisions.flagged.insert(m.id);
            continue;
        }
        let row: Option<(Option<i64>, Option<String>, i64, String)> = sqlx::query_as(
            "SELECT last_award, day, today_total, recent FROM naive_state WHERE member_id = ?",
        )
        .bind(m.author as i64)
        .fetch_optional(&db.write)
        .await?;
        let mut state = match row {
            None => MemberChat::default(),
            Some((last, day, total, recent)) => MemberChat {
                last_award: last.map(crate::clock::from_millis),
                day: day.and_then(|d| d.parse().ok()),
                today_total: total,
                recent: serde_json::from_str(&recent).unwrap_or_default(),
            },
        };
        let chat = ChatMessage {
            channel: ChannelId::new(m.channel),
            roles: &[],
            bot: false,
            text: &m.text,
            at: m.at,
            local_day: rules::local_day(m.at, tz),
        };
        let award = rules::decide_chat(policy, &mut state, &chat, policy.message_min).ok();
        if let Some(points) = award {
            *decisions.awards.entry(m.author).or_default() += points;
            sqlx::query(
                "INSERT INTO points_ledger (member_id, delta, lifetime_delta, kind, reference, channel_id, created_at)
                 VALUES (?, ?, ?, 'chat', ?, ?, ?)",
            )
            .bind(m.author as i64)
            .bind(points)
            .bind(points)
            .bind(format!("chat:{}", m.id))
            .bind(m.channel as i64)
            .bind(crate::clock::to_millis(m.at))
            .execute(&db.write)
            .await?;
            sqlx::query(
                "INSERT INTO points_members (member_id, balance, lifetime) VALUES (?1, ?2, ?2)
                 ON CONFLICT (member_id) DO UPDATE SET balance = balance + ?2, lifetime = lifetime + ?2",
            )
            .bind(m.author as i64)
            .bind(points)
            .execute(&db.write)
            .await?;
        }
        sqlx::query(
            "INSERT INTO naive_state (member_id, last_award, day, today_total, recent) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (member_id) DO UPDATE SET last_award = ?2, day = ?3, today_total = ?4, recent = ?5",
        )
        .bind(m.author as i64)
        .bind(state.last_award.map(crate::clock::to_millis))
        .bind(state.day.map(|d| d.to_string()))
        .bind(state.today_total)
        .bind(serde_json::to_string(&state.recent)?)
        .execute(&db.write)
        .await?;
    }
    let elapsed = began.elapsed();
    decisions.balance_sum = balance_sum(&db).await?;
    Ok((decisions, elapsed))
}

/// Automod alone: (compiled ns/message, naive ns/message), over `texts`.
pub fn automod_costs(texts: &[&str]) -> (f64, f64) {
    let config = config();
    let compiled = Compiled::new(&config.automod);
    let t = Instant::now();
    let mut caught = 0usize;
    for text in texts {
        caught += usize::from(!compiled.check(&config.automod, text).is_empty());
    }
    let ours = t.elapsed().as_nanos() as f64 / texts.len() as f64;
    let t = Instant::now();
    let mut naive = 0usize;
    for text in texts {
        naive += usize::from(naive_flagged(&config.automod.words, text));
    }
    let theirs = t.elapsed().as_nanos() as f64 / texts.len() as f64;
    std::hint::black_box((caught, naive));
    (ours, theirs)
}

/// Resident memory of this process, in bytes (Linux; 0 elsewhere).
pub fn rss_bytes() -> u64 {
    rss_bytes_of("self")
}

/// Resident memory of process `pid` ("self" for this one), from /proc (0 where there is none).
pub(crate) fn rss_bytes_of(pid: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// Bytes of hot-path state per member, for an engine that has seen `members` distinct
/// members once each (no writer: the queue is dropped unread). Estimated from the engine's own
/// structures: RSS deltas are hidden by the allocator reusing freed memory.
pub fn bytes_per_member(members: usize) -> f64 {
    let config = config();
    let (engine, inbox) = Engine::new();
    drop(inbox);
    let at: DateTime<Utc> = "2026-12-01T15:00:00Z".parse().expect("instant");
    for i in 0..members {
        engine.on_message(
            &config,
            &Incoming {
                id: MessageId::new(1 + i as u64),
                channel: ChannelId::new(9),
                author: UserId::new(1 + i as u64),
                roles: &[],
                bot: false,
                text: "hello there, a perfectly ordinary message",
                at,
            },
        );
    }
    engine.state_bytes_per_member()
}

pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    percentile(values, 0.5)
}

/// The medians, as written to `target/bench/pipeline.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub decisions_match: bool,
    pub messages: usize,
    pub naive_messages: usize,
    pub rounds: usize,
    pub msgs_per_s: f64,
    pub naive_msgs_per_s: f64,
    pub pipeline_ratio: f64,
    pub service_p50_us: f64,
    pub service_p99_us: f64,
    pub durability_lag_p50_ms: f64,
    pub durability_lag_p99_ms: f64,
    /// Durability lag with messages fed at `paced_msgs_per_s` instead of back to back.
    pub paced_msgs_per_s: f64,
    pub durability_lag_p50_ms_paced: f64,
    pub durability_lag_p99_ms_paced: f64,
    /// The points writer taking `ledger_rows` awards into one ledger: rows/s overall, and the
    /// second half's rate ÷ the first half's (1 when the ledger's size costs nothing).
    pub ledger_rows: usize,
    pub writer_rows_per_s: f64,
    pub writer_growth_ratio: f64,
    pub automod_ns_per_msg: f64,
    pub naive_automod_ns_per_msg: f64,
    pub automod_ratio: f64,
    pub bytes_per_member: f64,
    /// CPU (% of one core) of the scheduler idling with `schedules` active schedules.
    pub schedules: usize,
    pub scheduler_idle_cpu_percent: f64,
    /// A membership reconcile's diff over `reconcile_members` members.
    pub reconcile_members: usize,
    pub reconcile_diff_ms: f64,
    /// MESSAGE_CREATE frames through the simulated gateway, decided by the bot's process.
    pub gateway_msgs_per_s: Option<f64>,
    /// The bot's whole process: resident memory at idle with `process_members` members seen,
    /// and slash-command reply times at idle and under the flood (`flood_msgs_per_s`).
    pub process_members: Option<usize>,
    pub rss_mb_100k_members: Option<f64>,
    pub reply_p50_ms_idle: Option<f64>,
    pub reply_p99_ms_idle: Option<f64>,
    pub reply_p50_ms_flood: Option<f64>,
    pub reply_p99_ms_flood: Option<f64>,
    pub flood_msgs_per_s: Option<f64>,
    /// Reply p99 under the heavy flood (20,000 msg/s) and the rate really sent.
    pub reply_p99_ms_flood_20k: Option<f64>,
    pub flood_20k_msgs_per_s: Option<f64>,
    /// The bot's share of the reply p99 (to its answer reaching the simulator), idle and
    /// under the 20,000 msg/s flood: reported beside the targets, not judged.
    pub answer_p99_ms_idle: Option<f64>,
    pub answer_p99_ms_flood_20k: Option<f64>,
    /// Gateway ingest end to end with the gateway front (= `gateway_msgs_per_s`), with
    /// serenity's default decode path in the same run, and the ratio.
    pub ingest_msgs_per_s: Option<f64>,
    pub ingest_msgs_per_s_before: Option<f64>,
    pub ingest_ratio_vs_before: Option<f64>,
    /// Process start to commands registered against a database of `cold_start_members`
    /// (median and slowest of the starts), and resident memory at idle after start.
    pub cold_start_ms: Option<f64>,
    pub cold_start_max_ms: Option<f64>,
    pub cold_start_members: Option<usize>,
    pub idle_rss_mb_after_start: Option<f64>,
    /// One MESSAGE_CREATE frame before it is decided, µs: serenity's decode and cache update
    /// (its default path), the gateway front's envelope read and message decode.
    pub frame_serenity_decode_us: f64,
    pub frame_serenity_cache_us: f64,
    pub frame_front_envelope_us: f64,
    pub frame_front_decode_us: f64,
    /// Microseconds per outbox claim at each queue size, and largest ÷ smallest.
    pub claim_us: Vec<(usize, f64)>,
    pub claim_cost_ratio_1m_vs_1k: f64,
    /// The role storm: items per second through Discord's limits, elapsed ÷ the time the
    /// limits make unavoidable, 429s drawn, and the speed-up over one delivery at a time.
    pub outbox_items_per_s: f64,
    pub outbox_limit_ratio: f64,
    pub outbox_429s: u32,
    pub outbox_serial_items_per_s: f64,
    pub outbox_speedup: f64,
}

/// Runs every round and returns the medians. `log` receives one line per round.
pub async fn run(opts: &Options, mut log: impl FnMut(String)) -> anyhow::Result<Report> {
    let dir = tempfile_dir()?;
    let messages = workload(opts);
    let prefix = &messages[..opts.naive_messages.min(messages.len())];
    let mut rates = Vec::new();
    let mut naive_rates = Vec::new();
    let mut p50s = Vec::new();
    let mut p99s = Vec::new();
    let mut lag50 = Vec::new();
    let mut lag99 = Vec::new();
    let mut automod = Vec::new();
    let mut naive_automod = Vec::new();
    let mut matched = true;
    for round in 0..opts.rounds {
        // Alternate which design goes first, on fresh files each time.
        let (naive, naive_elapsed) = if round % 2 == 0 {
            run_naive(&dir, &format!("naive-{round}.db"), prefix).await?
        } else {
            (Decisions::default(), Duration::ZERO)
        };
        let same = run_pipeline(&dir, &format!("same-{round}.db"), prefix).await?;
        let (naive, naive_elapsed) = if round % 2 == 1 {
            run_naive(&dir, &format!("naive-{round}.db"), prefix).await?
        } else {
            (naive, naive_elapsed)
        };
        let round_matches = same.decisions == naive;
        matched &= round_matches;
        let full = run_pipeline(&dir, &format!("full-{round}.db"), &messages).await?;
        let rate = messages.len() as f64 / full.elapsed.as_secs_f64();
        let naive_rate = prefix.len() as f64 / naive_elapsed.as_secs_f64();
        let mut service: Vec<f64> = full.service_ns.iter().map(|n| *n as f64 / 1e3).collect();
        service.sort_by(f64::total_cmp);
        let mut lag = full.lag_ms.clone();
        lag.sort_by(f64::total_cmp);
        let texts: Vec<&str> = messages.iter().map(|m| m.text.as_str()).collect();
        let (ours, theirs) = automod_costs(&texts);
        log(format!(
            "round {}: lyceum {:>9.0} msg/s · naive {:>7.0} msg/s · ratio {:>6.1}× · service p99 {:>5.2} µs · lag p99 {:>6.1} ms · automod {:>6.0} ns vs {:>6.0} ns · decisions {}",
            round + 1,
            rate,
            naive_rate,
            rate / naive_rate,
            percentile(&service, 0.99),
            percentile(&lag, 0.99),
            ours,
            theirs,
            if round_matches { "match" } else { "DIFFER" },
        ));
        rates.push(rate);
        naive_rates.push(naive_rate);
        p50s.push(percentile(&service, 0.5));
        p99s.push(percentile(&service, 0.99));
        lag50.push(percentile(&lag, 0.5));
        lag99.push(percentile(&lag, 0.99));
        automod.push(ours);
        naive_automod.push(theirs);
    }
    let paced_prefix = &messages[..opts.paced_messages.min(messages.len())];
    let paced = run_pipeline_paced(&dir, "paced.db", paced_prefix, Some(opts.paced_rate)).await?;
    let mut paced_lag = paced.lag_ms.clone();
    paced_lag.sort_by(f64::total_cmp);
    log(format!(
        "paced at {:.0} msg/s: durability lag p50 {:.1} ms · p99 {:.1} ms",
        opts.paced_rate,
        percentile(&paced_lag, 0.5),
        percentile(&paced_lag, 0.99)
    ));
    let growth = writer::ledger_growth(&dir, opts.ledger_rows, opts.members as u64).await?;
    log(format!(
        "points writer into one ledger: {} rows at {:.0} rows/s (first half {:.0}/s, second half {:.0}/s: {:.2}×)",
        growth.rows,
        growth.rows_per_s,
        growth.first_half_per_s,
        growth.second_half_per_s,
        growth.ratio()
    ));
    let bytes = bytes_per_member(opts.state_members);
    let mut claim_us = Vec::new();
    for size in &opts.claim_sizes {
        let us = outbox::claim_cost(&dir, *size).await?;
        log(format!("outbox claim with {size:>9} pending: {us:>8.1} µs"));
        claim_us.push((*size, us));
    }
    let claim_ratio = match (claim_us.first(), claim_us.last()) {
        (Some((_, small)), Some((_, large))) if *small > 0.0 => large / small,
        _ => 0.0,
    };
    let limits = outbox::discord_limits(opts.storm_latency);
    let serial = outbox::role_storm(&dir, limits.clone(), opts.storm_serial_items, 1).await?;
    let storm = outbox::role_storm(&dir, limits.clone(), opts.storm_items, 16).await?;
    let floor = outbox::unavoidable(&limits, opts.storm_items).as_secs_f64();
    log(format!(
        "outbox storm: {} role adds at {:?} latency in {:.1} s ({:.1}/s; the limits allow {:.1} s) · one at a time {:.1}/s · 429s {}",
        storm.items,
        opts.storm_latency,
        storm.elapsed_s,
        storm.items_per_s,
        floor,
        serial.items_per_s,
        storm.rate_limited + serial.rate_limited,
    ));
    let idle_cpu = idle::scheduler_idle(&dir, opts.schedules, opts.idle_window).await?;
    let (diff_ms, changes) = idle::reconcile_diff_ms(opts.reconcile_members);
    log(format!(
        "scheduler idle with {} active schedules: {idle_cpu:.2}% of a core · reconcile diff over {} members: {diff_ms:.1} ms ({changes} changes)",
        opts.schedules, opts.reconcile_members
    ));
    let frames = frames::measure(opts.messages.min(50_000))?;
    log(format!(
        "one MESSAGE_CREATE frame: serenity decode {:.2} µs + cache {:.2} µs; the front's envelope {:.2} µs + message decode {:.2} µs",
        frames.serenity_decode_us,
        frames.serenity_cache_us,
        frames.front_envelope_us,
        frames.front_decode_us
    ));
    let whole = match &opts.process {
        Some(process) => Some(process::run(process, &mut log).await?),
        None => None,
    };
    let _ = std::fs::remove_dir_all(&dir);
    let msgs_per_s = median(&mut rates);
    let naive_msgs_per_s = median(&mut naive_rates);
    let automod_ns = median(&mut automod);
    let naive_automod_ns = median(&mut naive_automod);
    Ok(Report {
        decisions_match: matched,
        messages: messages.len(),
        naive_messages: prefix.len(),
        rounds: opts.rounds,
        msgs_per_s,
        naive_msgs_per_s,
        pipeline_ratio: msgs_per_s / naive_msgs_per_s,
        service_p50_us: median(&mut p50s),
        service_p99_us: median(&mut p99s),
        durability_lag_p50_ms: median(&mut lag50),
        durability_lag_p99_ms: median(&mut lag99),
        paced_msgs_per_s: opts.paced_rate,
        durability_lag_p50_ms_paced: percentile(&paced_lag, 0.5),
        durability_lag_p99_ms_paced: percentile(&paced_lag, 0.99),
        ledger_rows: growth.rows,
        writer_rows_per_s: growth.rows_per_s,
        writer_growth_ratio: growth.ratio(),
        automod_ns_per_msg: automod_ns,
        naive_automod_ns_per_msg: naive_automod_ns,
        automod_ratio: naive_automod_ns / automod_ns,
        bytes_per_member: bytes,
        schedules: opts.schedules,
        scheduler_idle_cpu_percent: idle_cpu,
        reconcile_members: opts.reconcile_members,
        reconcile_diff_ms: diff_ms,
        gateway_msgs_per_s: whole.as_ref().map(|w| w.gateway_msgs_per_s),
        process_members: whole.as_ref().map(|w| w.members),
        rss_mb_100k_members: whole.as_ref().map(|w| w.rss_mb),
        reply_p50_ms_idle: whole.as_ref().map(|w| w.reply_p50_ms_idle),
        reply_p99_ms_idle: whole.as_ref().map(|w| w.reply_p99_ms_idle),
        reply_p50_ms_flood: whole.as_ref().map(|w| w.reply_p50_ms_flood),
        reply_p99_ms_flood: whole.as_ref().map(|w| w.reply_p99_ms_flood),
        flood_msgs_per_s: whole.as_ref().map(|w| w.flood_msgs_per_s),
        reply_p99_ms_flood_20k: whole.as_ref().map(|w| w.reply_p99_ms_heavy_flood),
        flood_20k_msgs_per_s: whole.as_ref().map(|w| w.heavy_flood_msgs_per_s),
        answer_p99_ms_idle: whole.as_ref().map(|w| w.answer_p99_ms_idle),
        answer_p99_ms_flood_20k: whole.as_ref().map(|w| w.answer_p99_ms_heavy_flood),
        ingest_msgs_per_s: whole.as_ref().map(|w| w.gateway_msgs_per_s),
        ingest_msgs_per_s_before: whole.as_ref().map(|w| w.gateway_msgs_per_s_before),
        ingest_ratio_vs_before: whole
            .as_ref()
            .map(|w| w.gateway_msgs_per_s / w.gateway_msgs_per_s_before),
        cold_start_ms: whole.as_ref().map(|w| w.cold_start_ms),
        cold_start_max_ms: whole.as_ref().map(|w| w.cold_start_max_ms),
        cold_start_members: whole.as_ref().map(|w| w.cold_members),
        idle_rss_mb_after_start: whole.as_ref().map(|w| w.idle_rss_mb_after_start),
        frame_serenity_decode_us: frames.serenity_decode_us,
        frame_serenity_cache_us: frames.serenity_cache_us,
        frame_front_envelope_us: frames.front_envelope_us,
        frame_front_decode_us: frames.front_decode_us,
        claim_us,
        claim_cost_ratio_1m_vs_1k: claim_ratio,
        outbox_items_per_s: storm.items_per_s,
        outbox_limit_ratio: storm.elapsed_s / floor,
        outbox_429s: storm.rate_limited + serial.rate_limited,
        outbox_serial_items_per_s: serial.items_per_s,
        outbox_speedup: storm.items_per_s / serial.items_per_s,
    })
}

pub(crate) fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "lyceum-bench-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workload_is_seeded_skewed_and_has_repeats_banned_words_and_a_midnight() {
        let opts = Options::quick();
        let a = workload(&opts);
        let b = workload(&opts);
        assert_eq!(a.len(), opts.messages);
        assert!(a
            .iter()
            .zip(&b)
            .all(|(x, y)| x.text == y.text && x.author == y.author));
        let mut per_author: HashMap<u64, usize> = HashMap::new();
        for m in &a {
            *per_author.entry(m.author).or_default() += 1;
        }
        let top = per_author.values().max().copied().unwrap_or(0);
        assert!(
            top > opts.messages / 50,
            "skewed: the busiest member wrote {top}"
        );
        let words = config().automod.words;
        let banned = a[..2_000]
            .iter()
            .filter(|m| naive_flagged(&words, &m.text))
            .count();
        assert!((1..200).contains(&banned), "{banned} of 2,000 banned");
        let tz: chrono_tz::Tz = "Asia/Shanghai".parse().unwrap();
        let days: BTreeSet<_> = a.iter().map(|m| rules::local_day(m.at, tz)).collect();
        assert_eq!(days.len(), 2, "spans local midnight");
    }
}

/// The issue's targets, each as (what, measured, target, whether larger is better). The bench
/// fails a full run when a measurement misses its target by more than 30% (the machine is that
/// noisy): a measurement that bad means something changed.
fn targets(report: &Report) -> Vec<(&'static str, f64, f64, bool)> {
    let mut all = vec![
        ("messages/s", report.msgs_per_s, 400_000.0, true),
        ("lyceum ÷ naive", report.pipeline_ratio, 50.0, true),
        ("service p99 µs", report.service_p99_us, 10.0, false),
        ("automod ns", report.automod_ns_per_msg, 1_500.0, false),
        ("automod ratio", report.automod_ratio, 4.0, true),
        ("bytes per member", report.bytes_per_member, 200.0, false),
        (
            "claim cost 1M ÷ 1k",
            report.claim_cost_ratio_1m_vs_1k,
            2.0,
            false,
        ),
        ("outbox ÷ limits", report.outbox_limit_ratio, 1.2, false),
        // Flush interval + 20 ms, fed back to back and paced.
        (
            "durability lag p99 ms, back to back",
            report.durability_lag_p99_ms,
            120.0,
            false,
        ),
        (
            "durability lag p99 ms, paced",
            report.durability_lag_p99_ms_paced,
            120.0,
            false,
        ),
        // Not the issue's: the writer's rate must not fall as the ledger grows.
        (
            "writer rate, second half ÷ first",
            report.writer_growth_ratio,
            1.0,
            true,
        ),
    ];
    if let Some(rss) = report.rss_mb_100k_members {
        all.push(("RSS MB, 100k members", rss, 300.0, false));
    }
    if let Some(p99) = report.reply_p99_ms_flood {
        all.push(("reply p99 ms under 2,000 msg/s", p99, 10.0, false));
    }
    if let (Some(heavy), Some(idle)) = (report.reply_p99_ms_flood_20k, report.reply_p99_ms_idle) {
        all.push((
            "reply p99 under 20,000 msg/s ÷ idle",
            heavy / idle.max(0.001),
            3.0,
            false,
        ));
    }
    if let Some(rate) = report.ingest_msgs_per_s {
        all.push(("gateway ingest msg/s", rate, 50_000.0, true));
    }
    if let Some(ratio) = report.ingest_ratio_vs_before {
        all.push(("gateway ingest ÷ serenity's decode path", ratio, 3.0, true));
    }
    if let Some(ms) = report.cold_start_ms {
        all.push(("cold start ms", ms, 1_000.0, false));
    }
    all
}

/// What a full run got wrong: different decisions, any 429, or a measurement worse than 0.7× of
/// its target.
pub fn shortfalls(report: &Report) -> Vec<String> {
    let mut wrong = Vec::new();
    if !report.decisions_match {
        wrong.push("lyceum and the naive design decided differently".to_string());
    }
    if report.outbox_429s > 0 {
        wrong.push(format!("the role storm drew {} 429s", report.outbox_429s));
    }
    for (what, measured, target, larger_is_better) in targets(report) {
        let missed = if larger_is_better {
            measured < target * 0.7
        } else {
            measured > target / 0.7
        };
        if missed {
            wrong.push(format!(
                "{what}: {measured:.2} is more than 30% off the target {target}"
            ));
        }
    }
    wrong
}

#[cfg(test)]
mod target_tests {
    use super::*;

    fn on_target() -> Report {
        Report {
            decisions_match: true,
            messages: 1,
            naive_messages: 1,
            rounds: 1,
            msgs_per_s: 400_000.0,
            naive_msgs_per_s: 8_000.0,
            pipeline_ratio: 50.0,
            service_p50_us: 1.0,
            service_p99_us: 10.0,
            durability_lag_p50_ms: 50.0,
            durability_lag_p99_ms: 120.0,
            paced_msgs_per_s: 50_000.0,
            durability_lag_p50_ms_paced: 50.0,
            durability_lag_p99_ms_paced: 120.0,
            ledger_rows: 1,
            writer_rows_per_s: 100_000.0,
            writer_growth_ratio: 1.0,
            automod_ns_per_msg: 1_500.0,
            naive_automod_ns_per_msg: 6_000.0,
            automod_ratio: 4.0,
            bytes_per_member: 200.0,
            schedules: 10_000,
            scheduler_idle_cpu_percent: 0.0,
            reconcile_members: 100_000,
            reconcile_diff_ms: 10.0,
            gateway_msgs_per_s: Some(20_000.0),
            process_members: Some(100_000),
            rss_mb_100k_members: Some(300.0),
            reply_p50_ms_idle: Some(1.0),
            reply_p99_ms_idle: Some(1.0),
            reply_p50_ms_flood: Some(5.0),
            reply_p99_ms_flood: Some(10.0),
            flood_msgs_per_s: Some(2_000.0),
            reply_p99_ms_flood_20k: Some(3.0),
            flood_20k_msgs_per_s: Some(20_000.0),
            answer_p99_ms_idle: Some(0.8),
            answer_p99_ms_flood_20k: Some(2.0),
            ingest_msgs_per_s: Some(50_000.0),
            ingest_msgs_per_s_before: Some(16_000.0),
            ingest_ratio_vs_before: Some(3.1),
            cold_start_ms: Some(900.0),
            cold_start_max_ms: Some(1_000.0),
            cold_start_members: Some(100_000),
            idle_rss_mb_after_start: Some(60.0),
            frame_serenity_decode_us: 30.0,
            frame_serenity_cache_us: 1.0,
            frame_front_envelope_us: 1.0,
            frame_front_decode_us: 3.0,
            claim_us: Vec::new(),
            claim_cost_ratio_1m_vs_1k: 2.0,
            outbox_items_per_s: 45.0,
            outbox_limit_ratio: 1.2,
            outbox_429s: 0,
            outbox_serial_items_per_s: 20.0,
            outbox_speedup: 2.25,
        }
    }

    #[test]
    fn a_run_on_target_passes_and_one_far_off_or_wrong_fails() {
        assert!(shortfalls(&on_target()).is_empty());
        let slow = Report {
            msgs_per_s: 250_000.0,
            reply_p99_ms_flood: Some(150.0),
            outbox_429s: 3,
            ..on_target()
        };
        let wrong = shortfalls(&slow);
        assert_eq!(wrong.len(), 3, "{wrong:?}");
        assert!(wrong[0].contains("429"));
        assert!(wrong[1].starts_with("messages/s"));
        assert!(wrong[2].starts_with("reply p99"));
    }
}
