//! The chat-points hot path: decides from memory (per-member cooldown, today's total, recent
//! fingerprints) without touching the database, and hands awards to one batch writer that
//! writes the ledger with multi-row statements every [`FLUSH_EVERY`] or [`FLUSH_ROWS`] rows, in
//! one transaction with any level changes they cause. A crash loses at most the last unflushed
//! batch of chat points; purchases, check-ins and staff changes never go through here.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rand::Rng;
use serenity::all::{ChannelId, MessageId, RoleId, UserId};
use tokio::sync::{mpsc, oneshot, watch, Notify};

use super::ops;
use super::rules::{self, ChatMessage, MemberChat};
use super::store::{self, Entry, MemberRow};
use crate::clock::{from_millis, to_millis};
use crate::config::Config;
use crate::state::AppState;

pub const FLUSH_EVERY: Duration = Duration::from_millis(100);
pub const FLUSH_ROWS: usize = 1_000;
/// The most rows one transaction takes when the writer has fallen behind.
const MAX_BATCH_ROWS: usize = 50_000;
/// Message authors remembered for helpful reactions (the reaction event does not say whose
/// message it is).
const AUTHORS_KEPT: usize = 50_000;

enum Command {
    Write(Entry),
    /// Answered once everything sent before it is committed.
    Flush(oneshot::Sender<()>),
}

/// When the writer looks at its queue before its tick: a message does not wake it (at 20,000
/// messages a second that was a wake-up of a runtime thread per burst, which an interaction's
/// reply then waited behind), a full batch or a flush does.
#[derive(Clone, Default)]
struct Doorbell {
    rung: Arc<Notify>,
    /// Entries sent since the writer last looked (approximate: it only decides when to ring).
    unread: Arc<AtomicUsize>,
}

impl Doorbell {
    fn sent_entry(&self) {
        if self.unread.fetch_add(1, Ordering::Relaxed) + 1 == FLUSH_ROWS {
            self.rung.notify_one();
        }
    }

    fn sent_flush(&self) {
        self.rung.notify_one();
    }

    /// The writer is about to read its queue: count from nothing again.
    fn answered(&self) {
        self.unread.store(0, Ordering::Relaxed);
    }
}

#[derive(Default)]
struct Memory {
    members: HashMap<UserId, MemberChat>,
    /// Chat awards still inside the delete window: message → (author, points, when).
    recent_awards: HashMap<MessageId, (UserId, i64, DateTime<Utc>)>,
    /// The same awards in the order they were made, so expired ones are dropped from the
    /// front in O(1) per award instead of scanning the map on every message.
    award_order: std::collections::VecDeque<(DateTime<Utc>, MessageId)>,
    /// Recent message authors, for helpful reactions.
    authors: HashMap<MessageId, (UserId, ChannelId)>,
}

/// How far the batch writer has got: entries (awards and revocations, in the order they were
/// queued) committed so far, and when the latest commit ended.
#[derive(Debug, Clone, Copy)]
pub struct Committed {
    pub entries: u64,
    pub at: Instant,
}

/// Shared by the gateway handler, the commands and the writer.
#[derive(Clone)]
pub struct Engine {
    memory: Arc<Mutex<Memory>>,
    writer: mpsc::UnboundedSender<Command>,
    doorbell: Doorbell,
    /// Entries handed to the writer since start (what `committed` catches up with).
    queued: Arc<AtomicU64>,
    committed: watch::Receiver<Committed>,
    /// Set while the writer's last attempt to commit failed (it keeps the batch and retries).
    failing: Arc<AtomicBool>,
    pending: Pending,
    /// Ranks for `/points show` (a snapshot on large communities).
    pub ranks: super::ranks::Ranks,
}

/// Per member, the (balance, lifetime) points queued and not yet committed, so a read adds
/// them to the committed row instead of waiting for the writer (a reply under a flood would
/// otherwise wait for the next commit). Points are kept by the writer's batch number; each
/// batch's transaction records its number (`points_writer`), so a read knows, from its own
/// snapshot, which batches its row already includes — no lock is held across a commit.
#[derive(Clone, Default)]
struct Pending(Arc<Mutex<PendingPoints>>);

#[derive(Default)]
struct PendingPoints {
    /// Queued, not yet in a batch.
    unbatched: HashMap<UserId, (i64, i64)>,
    /// Batch number → its points; kept for [`BATCHES_KEPT`] batches after its commit, for
    /// reads whose snapshot is older.
    batches: std::collections::BTreeMap<i64, HashMap<UserId, (i64, i64)>>,
}

/// Committed batches whose points are still remembered (a read's snapshot is never this many
/// commits old: they are at least milliseconds apart and a read takes microseconds).
const BATCHES_KEPT: i64 = 64;

fn add(points: &mut HashMap<UserId, (i64, i64)>, entry: &Entry, sign: i64) {
    let queued = points.entry(entry.member).or_default();
    queued.0 += sign * entry.delta;
    queued.1 += sign * entry.lifetime_delta;
    if *queued == (0, 0) {
        points.remove(&entry.member);
    }
}

impl Pending {
    fn queued(&self, entry: &Entry) {
        add(
            &mut self.0.lock().expect("points pending").unbatched,
            entry,
            1,
        );
    }

    /// `entries` are written in batch `number`.
    fn assign(&self, entries: &[Entry], number: i64) {
        let mut pending = self.0.lock().expect("points pending");
        let PendingPoints { unbatched, batches } = &mut *pending;
        let batch = batches.entry(number).or_default();
        for entry in entries {
            add(unbatched, entry, -1);
            add(batch, entry, 1);
        }
    }

    /// Batch `number` is committed: older ones are forgotten.
    fn committed(&self, number: i64) {
        let mut pending = self.0.lock().expect("points pending");
        pending.batches.retain(|n, _| *n > number - BATCHES_KEPT);
    }

    /// `member`'s points not in a snapshot that includes batches up to `last_batch`.
    fn beyond(&self, member: UserId, last_batch: i64) -> (i64, i64) {
        let pending = self.0.lock().expect("points pending");
        let unbatched = pending.unbatched.get(&member).copied().unwrap_or_default();
        pending
            .batches
            .range(last_batch + 1..)
            .filter_map(|(_, points)| points.get(&member))
            .fold(unbatched, |sum, p| (sum.0 + p.0, sum.1 + p.1))
    }
}

/// A guild message as the hot path needs it.
pub struct Incoming<'a> {
    pub id: MessageId,
    pub channel: ChannelId,
    pub author: UserId,
    pub roles: &'a [RoleId],
    pub bot: bool,
    pub text: &'a str,
    pub at: DateTime<Utc>,
}

impl Engine {
    /// An engine and the receiving end its writer drains ([`spawn_writer`]).
    pub fn new() -> (Engine, WriterInbox) {
        let (writer, inbox) = mpsc::unbounded_channel();
        let (progress, committed) = watch::channel(Committed {
            entries: 0,
            at: Instant::now(),
        });
        let failing = Arc::new(AtomicBool::new(false));
        let pending = Pending::default();
        let doorbell = Doorbell::default();
        let engine = Engine {
            memory: Arc::default(),
            writer,
            doorbell: doorbell.clone(),
            queued: Arc::default(),
            committed,
            failing: failing.clone(),
            pending: pending.clone(),
            ranks: Default::default(),
        };
        (
            engine,
            WriterInbox {
                inbox,
                doorbell,
                progress,
                failing,
                pending,
            },
        )
    }

    /// Follows the writer's commits: the durability lag, measured where it happens.
    pub fn committed(&self) -> watch::Receiver<Committed> {
        self.committed.clone()
    }

    /// Whether the writer's last commit failed (it retries every tick; `/healthz` reports it).
    pub fn writer_failing(&self) -> bool {
        self.failing.load(Ordering::Relaxed)
    }

    /// Entries committed since start (`/metrics`).
    pub fn committed_entries(&self) -> u64 {
        self.committed.borrow().entries
    }

    /// Entries queued but not yet committed: what a crash right now would lose (`/metrics`).
    pub fn uncommitted(&self) -> u64 {
        self.queued
            .load(Ordering::Relaxed)
            .saturating_sub(self.committed_entries())
    }

    fn queue(&self, entry: Entry) {
        // Counted as pending before the writer can see it.
        self.pending.queued(&entry);
        self.queued.fetch_add(1, Ordering::Relaxed);
        if self.writer.send(Command::Write(entry)).is_ok() {
            self.doorbell.sent_entry();
        }
    }

    /// `member`'s committed row with the points queued for them and not yet in it: what the
    /// member has, without waiting for the writer.
    pub async fn current(&self, db: &crate::db::Db, member: UserId) -> sqlx::Result<MemberRow> {
        let (mut row, last_batch) = store::member_with_batch(db, member).await?;
        let (balance, lifetime) = self.pending.beyond(member, last_batch);
        row.balance += balance;
        row.lifetime += lifetime;
        Ok(row)
    }

    /// Rebuilds today's totals and last awards from the ledger, so a restart neither forgets a
    /// cooldown nor resets the daily cap.
    pub async fn load(&self, state: &AppState, now: DateTime<Utc>) -> anyhow::Result<()> {
        let config = state.config.snapshot();
        let tz = config.community.timezone;
        let today = now.with_timezone(&tz).date_naive();
        let midnight = today
            .and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(tz).earliest())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(now);
        let rows = store::chat_since(&state.db, to_millis(midnight)).await?;
        let mut memory = self.memory.lock().expect("points memory");
        for (member, total, last) in rows {
            let chat = memory
                .members
                .entry(UserId::new(member as u64))
                .or_default();
            chat.day = Some(today);
            chat.today_total = total;
            chat.last_award = Some(from_millis(last));
        }
        Ok(())
    }

    /// The hot path: decides a chat award for `message` and queues it. Returns the points.
    pub fn on_message(&self, config: &Config, message: &Incoming<'_>) -> Option<i64> {
        let policy = &config.points;
        let local_day = rules::local_day(message.at, config.community.timezone);
        let chat = ChatMessage {
            channel: message.channel,
            roles: message.roles,
            bot: message.bot,
            text: message.text,
            at: message.at,
            local_day,
        };
        let (low, high) = (
            policy.message_min,
            policy.message_max.max(policy.message_min),
        );
        let roll = rand::thread_rng().gen_range(low..=high);
        let awarded = {
            let mut memory = self.memory.lock().expect("points memory");
            if memory.authors.len() >= AUTHORS_KEPT {
                memory.authors.clear();
            }
            memory
                .authors
                .insert(message.id, (message.author, message.channel));
            let state = memory.members.entry(message.author).or_default();
            let points = rules::decide_chat(policy, state, &chat, roll).ok()?;
            let window = chrono::Duration::from_std(policy.delete_window).unwrap_or_default();
            while let Some((at, id)) = memory.award_order.front().copied() {
                if at + window > message.at {
                    break;
                }
                memory.award_order.pop_front();
                memory.recent_awards.remove(&id);
            }
            memory
                .recent_awards
                .insert(message.id, (message.author, points, message.at));
            memory.award_order.push_back((message.at, message.id));
            points
        };
        self.queue(Entry {
            member: message.author,
            delta: awarded,
            lifetime_delta: awarded,
            kind: crate::features::points::Kind::Chat,
            reason: None,
            reference: Some(format!("chat:{}", message.id)),
            actor: None,
            channel: Some(message.channel),
            at: message.at,
        });
        Some(awarded)
    }

    /// A message was deleted: an award still inside the delete window is given back.
    pub fn on_delete(
        &self,
        message: MessageId,
        now: DateTime<Utc>,
        config: &Config,
    ) -> Option<i64> {
        let window = chrono::Duration::from_std(config.points.delete_window).unwrap_or_default();
        let (member, points, _) = {
            let mut memory = self.memory.lock().expect("points memory");
            let award = memory.recent_awards.remove(&message)?;
            if award.2 + window < now {
                return None;
            }
            if let Some(chat) = memory.members.get_mut(&award.0) {
                chat.today_total = (chat.today_total - award.1).max(0);
            }
            award
        };
        self.queue(Entry {
            member,
            delta: -points,
            lifetime_delta: -points,
            kind: crate::features::points::Kind::ChatRevoked,
            reason: None,
            reference: Some(format!("chat-revoked:{message}")),
            actor: None,
            channel: None,
            at: now,
        });
        Some(points)
    }

    /// Who wrote `message`, if it was seen recently.
    pub fn author_of(&self, message: MessageId) -> Option<(UserId, ChannelId)> {
        self.memory
            .lock()
            .expect("points memory")
            .authors
            .get(&message)
            .copied()
    }

    /// Chat points `member` earned today (as the hot path counts them).
    pub fn chat_today(&self, member: UserId, config: &Config, now: DateTime<Utc>) -> i64 {
        let today = now.with_timezone(&config.community.timezone).date_naive();
        let memory = self.memory.lock().expect("points memory");
        memory
            .members
            .get(&member)
            .filter(|m| m.day == Some(today))
            .map_or(0, |m| m.today_total)
    }

    /// Bytes of per-member hot-path state, estimated from the structures themselves (map slots
    /// with their control byte, each member's recent-fingerprint ring), per member.
    pub fn state_bytes_per_member(&self) -> f64 {
        let memory = self.memory.lock().expect("points memory");
        let members = memory.members.len().max(1);
        let slots = memory.members.capacity()
            * (std::mem::size_of::<UserId>() + std::mem::size_of::<MemberChat>() + 1);
        let rings: usize = memory
            .members
            .values()
            .map(|m| m.recent.capacity() * std::mem::size_of::<u64>())
            .sum();
        (slots + rings) as f64 / members as f64
    }

    /// Waits until every award queued before this call is committed, so what a member is shown
    /// is always current.
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.writer.send(Command::Flush(done)).is_ok() {
            self.doorbell.sent_flush();
            let _ = wait.await;
        }
    }
}

/// The receiving end of the writer's queue, and where it reports its commits.
pub struct WriterInbox {
    inbox: mpsc::UnboundedReceiver<Command>,
    doorbell: Doorbell,
    progress: watch::Sender<Committed>,
    failing: Arc<AtomicBool>,
    pending: Pending,
}

/// The batch writer: one transaction per batch. On shutdown it writes what is queued and
/// stops; the handle finishes when it has.
///
/// It runs on a thread of its own, at bulk priority (see [`crate::priority`]), not on the
/// runtime that answers members' commands: building a 1,000-row batch's statements takes a
/// runtime worker for a while every 50 ms of a 20,000 msg/s flood, and a command's task
/// waited behind it.
pub fn spawn_writer(
    state: AppState,
    inbox: WriterInbox,
    shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let (finished, done) = oneshot::channel::<()>();
    std::thread::Builder::new()
        .name("lyceum-points".into())
        .spawn(move || {
            crate::priority::lower_this_thread();
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the points writer");
            runtime.block_on(write_until_stopped(state, inbox, shutdown));
            let _ = finished.send(());
        })
        .expect("a thread for the points writer");
    tokio::spawn(async move {
        let _ = done.await;
    })
}

async fn write_until_stopped(
    state: AppState,
    inbox: WriterInbox,
    mut shutdown: watch::Receiver<bool>,
) {
    let WriterInbox {
        mut inbox,
        doorbell,
        progress,
        failing,
        pending,
    } = inbox;
    let mut batch: Vec<Entry> = Vec::new();
    // The batch's number, and how many of its entries are assigned to it (a failed write
    // keeps the batch, and entries arriving meanwhile join it).
    let mut number = match state.db.read.acquire().await {
        Ok(mut conn) => store::last_batch(&mut conn).await.unwrap_or(0) + 1,
        Err(_) => 1,
    };
    let mut assigned = 0;
    let mut waiting: Vec<oneshot::Sender<()>> = Vec::new();
    let mut tick = tokio::time::interval(FLUSH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // More was queued than one transaction takes: look again without waiting.
    let mut behind = false;
    loop {
        let (mut stop, ticked) = if behind {
            (false, false)
        } else {
            tokio::select! {
                _ = doorbell.rung.notified() => (false, false),
                _ = tick.tick() => (false, true),
                _ = shutdown.changed() => (true, false),
            }
        };
        doorbell.answered();
        // Whatever is queued, up to one transaction's worth (all of it on shutdown).
        let room = if stop { usize::MAX } else { MAX_BATCH_ROWS };
        stop |= take_queued(&mut inbox, &mut batch, &mut waiting, room);
        behind = !stop && batch.len() >= room;
        // After a failed commit only the tick retries: a failing disk is not hammered once
        // per arriving message.
        let retrying = failing.load(Ordering::Relaxed);
        // Behind (a raid, or a slow disk), everything queued joined this transaction above,
        // so the commit's fsync is paid once per backlog, not per 1,000.
        let due =
            stop || ticked || (!retrying && (!waiting.is_empty() || batch.len() >= FLUSH_ROWS));
        behind &= !retrying;
        if due && !batch.is_empty() {
            pending.assign(&batch[assigned..], number);
            assigned = batch.len();
            if let Err(e) = write_batch(&state, &batch, number).await {
                // Kept and tried again on the next tick: nothing is dropped on a busy disk.
                if !failing.swap(true, Ordering::Relaxed) {
                    tracing::error!(error = ?e, rows = batch.len(), "points batch write failed; retrying every tick");
                } else {
                    tracing::debug!(error = ?e, rows = batch.len(), "points batch write failed again");
                }
                // Whoever waits for the batch (a member's `/points show`) gets what is
                // committed rather than no answer at all; /healthz reports the rest.
                for done in waiting.drain(..) {
                    let _ = done.send(());
                }
                if !stop {
                    continue;
                }
            } else {
                if failing.swap(false, Ordering::Relaxed) {
                    tracing::info!(rows = batch.len(), "points batch committed again");
                }
                let entries = batch.len() as u64;
                progress.send_modify(|c| {
                    c.entries += entries;
                    c.at = Instant::now();
                });
                pending.committed(number);
                number += 1;
            }
            batch.clear();
            assigned = 0;
        }
        if batch.is_empty() {
            for done in waiting.drain(..) {
                let _ = done.send(());
            }
        }
        if stop {
            break;
        }
    }
}

/// Moves what the inbox holds into `batch` (entries) and `waiting` (flush requests) until the
/// batch has `room` entries or the inbox is empty. True when every sender is gone.
fn take_queued(
    inbox: &mut mpsc::UnboundedReceiver<Command>,
    batch: &mut Vec<Entry>,
    waiting: &mut Vec<oneshot::Sender<()>>,
    room: usize,
) -> bool {
    while batch.len() < room {
        match inbox.try_recv() {
            Ok(Command::Write(entry)) => batch.push(entry),
            Ok(Command::Flush(done)) => waiting.push(done),
            Err(mpsc::error::TryRecvError::Empty) => return false,
            Err(mpsc::error::TryRecvError::Disconnected) => return true,
        }
    }
    false
}

async fn write_batch(state: &AppState, batch: &[Entry], number: i64) -> anyhow::Result<()> {
    let config = state.config.snapshot();
    let now = state.clock.now();
    let mut tx = state.db.write.begin().await?;
    ops::apply(&mut tx, &config, batch, now).await?;
    store::mark_batch(&mut tx, number).await?;
    state.commit(tx).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(member: u64, delta: i64) -> Entry {
        Entry {
            member: UserId::new(member),
            delta,
            lifetime_delta: delta,
            kind: crate::features::points::Kind::Chat,
            reason: None,
            reference: None,
            actor: None,
            channel: None,
            at: Utc::now(),
        }
    }

    /// A read adds exactly the points its snapshot does not include, whenever the writer's
    /// batching and commits happen around it.
    #[test]
    fn pending_points_are_counted_once_whatever_the_snapshot() {
        let pending = Pending::default();
        let ada = UserId::new(1);
        let (a, b, c) = (entry(1, 10), entry(1, 5), entry(2, 7));
        for e in [&a, &b, &c] {
            pending.queued(e);
        }
        // Nothing batched yet: everything queued counts, whatever the snapshot.
        assert_eq!(pending.beyond(ada, 0), (15, 15));
        pending.assign(&[a.clone(), c.clone()], 1);
        // Batch 1 written but not in the snapshot (0): still counted, once.
        assert_eq!(pending.beyond(ada, 0), (15, 15));
        pending.committed(1);
        // A snapshot taken before the commit still counts it; one after does not.
        assert_eq!(pending.beyond(ada, 0), (15, 15));
        assert_eq!(pending.beyond(ada, 1), (5, 5));
        assert_eq!(pending.beyond(UserId::new(2), 1), (0, 0));
        // A revocation queued later nets out.
        let revoked = entry(1, -5);
        pending.queued(&revoked);
        assert_eq!(pending.beyond(ada, 1), (0, 0));
        // Old batches are forgotten once no read can be that far behind.
        pending.committed(1 + BATCHES_KEPT);
        assert!(pending.0.lock().unwrap().batches.is_empty());
    }
}
