//! A simulated Discord on 127.0.0.1: a websocket gateway and a REST API under `/api/v10` that
//! record everything, inject faults, and enforce the rules real bots trip over (the 3-second
//! interaction deadline and a single initial response, message limits, valid command
//! registrations, role hierarchy). The real bot connects to it through serenity's
//! `HttpBuilder::proxy`; `lyceum demo`, the integration tests and the benchmarks use it.

pub mod calls;
mod events_tab;
mod gateway;
mod interactions;
pub mod limits;
pub mod oauth;
mod rest;
pub mod rules;
pub mod world;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::anyhow;
use serde_json::{json, Value};
use tokio::sync::{mpsc, watch};

pub use interactions::{Reply, SlashCall};
pub use world::{ids, World};

/// The token the simulator accepts.
pub const SIM_TOKEN: &str = "sim-token";

/// One REST request as the simulator saw it, with the status it answered.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// Path below `/api/v10`, e.g. `/channels/4/messages`.
    pub path: String,
    pub body: Value,
    pub status: u16,
    pub response: Value,
    pub audit_reason: Option<String>,
    pub at: Instant,
}

/// A canned answer used instead of the normal one.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this status and a Discord-style error body.
    Status(u16),
    /// 429 with `retry_after` seconds, for this route.
    RateLimited(f64),
    /// 429 with `retry_after` seconds and `global: true`: every route of the bot is limited.
    GlobalRateLimited(f64),
    /// Do the request's work, then answer with this status anyway (a 5xx from Discord's edge
    /// after the message was created: the caller cannot know it landed).
    AfterApplying(u16),
    /// Hold the request this long before handling it (a slow Discord).
    Delay(Duration),
    /// 403 "Missing Permissions" (code 50013), as when the bot's role was moved down.
    MissingPermissions,
    /// This status and body instead of the real answer (e.g. a 200 missing a field).
    Answer(u16, Value),
}

struct FaultRule {
    method: String,
    path_contains: String,
    remaining: Vec<Fault>,
}

/// A gateway frame serialized once: the replay buffer, the record of what was sent and the
/// socket share it (the ingest bench sends hundreds of thousands).
#[derive(Clone)]
pub(crate) struct Frame {
    /// `gateway:<EVENT>` or `gateway:op<N>`.
    kind: Arc<str>,
    text: Arc<str>,
}

/// The text of dispatch `seq` of event `t` whose data is the JSON text `d`, as the simulated
/// gateway writes it (`t` is an event name: nothing to escape).
pub fn dispatch_text(t: &str, seq: u64, d: &str) -> String {
    dispatch_text_with(t, seq, |out| out.push_str(d)).0
}

/// [`dispatch_text`] with the data written in place by `data` (no copy of it made first), and
/// where the data is in the frame.
pub fn dispatch_text_with(
    t: &str,
    seq: u64,
    data: impl FnOnce(&mut String),
) -> (String, std::ops::Range<usize>) {
    let mut text = String::with_capacity(1_024);
    text.push_str(r#"{"op":0,"t":""#);
    text.push_str(t);
    text.push_str(r#"","s":"#);
    text.push_str(&seq.to_string());
    text.push_str(r#","d":"#);
    let start = text.len();
    data(&mut text);
    let end = text.len();
    text.push('}');
    (text, start..end)
}

impl Frame {
    /// A dispatch whose data is already JSON text.
    fn dispatch(t: &str, seq: u64, d: &str) -> Frame {
        Frame {
            kind: format!("gateway:{t}").into(),
            text: dispatch_text(t, seq, d).into(),
        }
    }

    pub(crate) fn new(value: &Value) -> Frame {
        let kind = match value.get("t").and_then(Value::as_str) {
            Some(t) => format!("gateway:{t}"),
            None => format!(
                "gateway:op{}",
                value.get("op").and_then(Value::as_u64).unwrap_or(0)
            ),
        };
        Frame {
            kind: kind.into(),
            text: value.to_string().into(),
        }
    }
}

pub(crate) enum Outgoing {
    Frame(Frame),
    /// A close frame with this code and reason, then the end of the connection.
    Close(u16, &'static str),
    Drop,
}

pub(crate) struct InteractionState {
    id: u64,
    /// 2 command, 3 component, 5 modal submit.
    kind: u8,
    /// For a button press: the (channel, message) the button is on.
    message: Option<(u64, u64)>,
    token: String,
    created: Instant,
    /// When the first answer (callback) reached the simulator's REST handler.
    answered: Option<Instant>,
    response: Option<Value>,
    followups: Vec<Value>,
}

#[derive(Default)]
struct GatewaySession {
    session_id: Option<String>,
    seq: u64,
    /// Dispatches of the current session, for RESUME replay.
    buffer: Vec<(u64, Frame)>,
    connection: Option<(u64, mpsc::UnboundedSender<Outgoing>)>,
    identifies: u32,
    resumes: u32,
}

pub(crate) struct SimState {
    world: World,
    next_id: u64,
    requests: Vec<Recorded>,
    faults: Vec<FaultRule>,
    commands: Vec<Value>,
    interactions: HashMap<u64, InteractionState>,
    /// Channel id → messages, oldest first.
    messages: BTreeMap<u64, Vec<Value>>,
    /// Members' messages as sent (channel, the MESSAGE_CREATE frame, where the message is in
    /// it), not yet parsed into `messages`: parsed when something reads messages (the ingest
    /// bench creates hundreds of thousands).
    unparsed: Vec<(u64, Arc<str>, std::ops::Range<usize>)>,
    /// DM channel id → recipient.
    dm_channels: HashMap<u64, u64>,
    gateway: GatewaySession,
    /// Every gateway frame and REST response body sent, with what kind it is, for the
    /// decoding test.
    sent: Vec<(Arc<str>, Arc<str>)>,
    /// Gateway events caused by the REST request being handled (GUILD_MEMBER_UPDATE after a
    /// role change), sent after `event_lag` like Discord's, which trail the REST answer.
    trailing: Vec<(String, Value)>,
    event_lag: Duration,
    /// How long a repeated `enforce_nonce` nonce returns the first message ("a few minutes").
    nonce_window: Duration,
    /// (channel, nonce) → (message, when it was created). Discord does not store nonces on
    /// messages: reading messages never returns them.
    nonces: HashMap<(u64, String), (Value, Instant)>,
    /// ("kick" | "ban", member) in the order they happened.
    bans_and_kicks: Vec<(String, u64)>,
    /// The application's entitlements (Discord's store), served by the entitlements route.
    entitlements: Vec<Value>,
    /// Discord's global and per-route rate limits, and the answer latency.
    limiter: limits::Limiter,
    /// The OAuth2 login side: who is signed in to Discord in the browser, codes and tokens.
    oauth: oauth::OAuth,
    /// Guild scheduled events (the Events tab), in any status.
    scheduled_events: Vec<Value>,
    /// Discord's clock when a test sets it (see `events_tab`); else the wall clock.
    discord_now: Option<chrono::DateTime<chrono::Utc>>,
    /// A forum's tags (id, name), and the tags each forum post (thread) carries.
    forum_tags: HashMap<u64, Vec<(u64, String)>>,
    thread_tags: HashMap<u64, Vec<u64>>,
    /// Who opened each thread.
    thread_owner: HashMap<u64, u64>,
    /// Who was added to each private thread (its creator first).
    thread_members: HashMap<u64, Vec<u64>>,
}

impl SimState {
    /// Every channel's messages, oldest first.
    fn messages(&mut self) -> &mut BTreeMap<u64, Vec<Value>> {
        for (channel, frame, message) in self.unparsed.drain(..) {
            let message = serde_json::from_str(&frame[message]).expect("the sim wrote valid JSON");
            self.messages.entry(channel).or_default().push(message);
        }
        &mut self.messages
    }
}

/// A channel as Discord shows it, with what only the state knows: a forum's tags, a thread's
/// applied tags, owner and thread metadata.
pub(crate) fn channel_json_of(state: &SimState, index: usize) -> Value {
    let channel = &state.world.channels[index];
    let mut value = world::World::channel_json(channel, index, Some(state.world.guild_id));
    if channel.kind == 15 {
        let tags: Vec<Value> = state
            .forum_tags
            .get(&channel.id)
            .into_iter()
            .flatten()
            .map(|(id, name)| {
                json!({ "id": id.to_string(), "name": name, "moderated": false,
                        "emoji_id": null, "emoji_name": null })
            })
            .collect();
        value["available_tags"] = Value::Array(tags);
    }
    if channel.kind == 11 {
        let tags: Vec<String> = state
            .thread_tags
            .get(&channel.id)
            .into_iter()
            .flatten()
            .map(u64::to_string)
            .collect();
        value["applied_tags"] = json!(tags);
        let owner = state
            .thread_owner
            .get(&channel.id)
            .copied()
            .unwrap_or(ids::BOT);
        value["owner_id"] = json!(owner.to_string());
        value["thread_metadata"] = json!({
            "archived": false, "auto_archive_duration": 10080, "locked": false,
            "archive_timestamp": chrono::Utc::now().to_rfc3339(),
        });
        value["message_count"] = json!(0);
        value["member_count"] = json!(1);
    }
    value
}

pub(crate) struct Inner {
    state: Mutex<SimState>,
    changed: watch::Sender<u64>,
    /// Bumped by REST requests only: an interaction's answer arrives through REST, and a
    /// waiter for it should not wake on every gateway flush of a message flood (the reply
    /// bench timed the simulator waking ~1,000 times a second for nothing).
    rest_changed: watch::Sender<u64>,
    token: String,
    addr: SocketAddr,
    /// Discord's 3 s to answer an interaction (shortened by tests of the rule itself).
    interaction_deadline_ms: std::sync::atomic::AtomicU64,
    /// REST requests being handled now, and the most there ever were at once.
    in_flight: std::sync::atomic::AtomicU32,
    max_in_flight: std::sync::atomic::AtomicU32,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, SimState> {
        self.state.lock().expect("sim state lock")
    }

    fn bump(&self) {
        self.changed.send_modify(|n| *n += 1);
    }

    /// A REST request changed the state.
    fn bump_rest(&self) {
        self.rest_changed.send_modify(|n| *n += 1);
        self.bump();
    }

    fn attach(&self, tx: mpsc::UnboundedSender<Outgoing>) -> u64 {
        let mut state = self.lock();
        state.next_id += 1;
        let id = state.next_id;
        if let Some((_, old)) = state.gateway.connection.replace((id, tx)) {
            let _ = old.send(Outgoing::Drop);
        }
        id
    }

    fn detach(&self, conn_id: u64) {
        let mut state = self.lock();
        if state
            .gateway
            .connection
            .as_ref()
            .is_some_and(|(id, _)| *id == conn_id)
        {
            state.gateway.connection = None;
        }
        drop(state);
        self.bump();
    }

    fn record_frames(&self, frames: &[Frame]) {
        self.lock()
            .sent
            .extend(frames.iter().map(|f| (f.kind.clone(), f.text.clone())));
        self.bump();
    }

    /// Queues a dispatch for the current session (replayed on RESUME if the socket is down).
    fn dispatch_locked(state: &mut SimState, t: &str, d: Value) {
        Inner::dispatch_text_locked(state, t, &d.to_string());
    }

    /// [`Inner::dispatch_locked`] with the data already JSON text.
    fn dispatch_text_locked(state: &mut SimState, t: &str, d: &str) {
        state.gateway.seq += 1;
        let seq = state.gateway.seq;
        Inner::queue_locked(state, seq, Frame::dispatch(t, seq, d));
    }

    /// Keeps dispatch `seq` for RESUME and sends it on the open socket, if any.
    fn queue_locked(state: &mut SimState, seq: u64, frame: Frame) {
        state.gateway.buffer.push((seq, frame.clone()));
        if let Some((_, tx)) = &state.gateway.connection {
            let _ = tx.send(Outgoing::Frame(frame));
        }
    }

    fn identify(&self) {
        let mut state = self.lock();
        state.next_id += 1;
        let session = format!("sim-session-{}", state.next_id);
        state.gateway.session_id = Some(session.clone());
        state.gateway.seq = 0;
        state.gateway.buffer.clear();
        state.gateway.identifies += 1;
        let resume_url = format!("ws://{}/gateway", self.addr);
        let ready = state.world.ready(&session, &resume_url);
        let guild = state.world.guild_create();
        Inner::dispatch_locked(&mut state, "READY", ready);
        Inner::dispatch_locked(&mut state, "GUILD_CREATE", guild);
    }

    /// Replays what the client missed and confirms; false when the session is unknown.
    fn resume(&self, session_id: &str, seq: u64) -> bool {
        let mut state = self.lock();
        if state.gateway.session_id.as_deref() != Some(session_id) {
            return false;
        }
        state.gateway.resumes += 1;
        let missed: Vec<Frame> = state
            .gateway
            .buffer
            .iter()
            .filter(|(s, _)| *s > seq)
            .map(|(_, f)| f.clone())
            .collect();
        if let Some((_, tx)) = &state.gateway.connection {
            for frame in missed {
                let _ = tx.send(Outgoing::Frame(frame));
            }
        }
        Inner::dispatch_locked(&mut state, "RESUMED", json!({}));
        true
    }
}

/// A running simulated Discord.
#[derive(Clone)]
pub struct Sim {
    inner: Arc<Inner>,
}

impl Sim {
    /// Starts with the default [`World`] on a free port of 127.0.0.1.
    pub async fn start() -> anyhow::Result<Sim> {
        Sim::start_with(World::default()).await
    }

    pub async fn start_with(world: World) -> anyhow::Result<Sim> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (changed, _) = watch::channel(0);
        let (rest_changed, _) = watch::channel(0);
        let inner = Arc::new(Inner {
            state: Mutex::new(SimState {
                world,
                next_id: 1_000,
                requests: Vec::new(),
                faults: Vec::new(),
                commands: Vec::new(),
                interactions: HashMap::new(),
                messages: BTreeMap::new(),
                unparsed: Vec::new(),
                dm_channels: HashMap::new(),
                gateway: GatewaySession::default(),
                sent: Vec::new(),
                trailing: Vec::new(),
                event_lag: Duration::ZERO,
                nonce_window: Duration::from_secs(180),
                nonces: HashMap::new(),
                bans_and_kicks: Vec::new(),
                entitlements: Vec::new(),
                limiter: limits::Limiter::new(limits::RateLimits::default()),
                oauth: oauth::OAuth::default(),
                scheduled_events: Vec::new(),
                discord_now: None,
                forum_tags: HashMap::new(),
                thread_tags: HashMap::new(),
                thread_owner: HashMap::new(),
                thread_members: HashMap::new(),
            }),
            changed,
            rest_changed,
            token: SIM_TOKEN.into(),
            addr,
            interaction_deadline_ms: std::sync::atomic::AtomicU64::new(3_000),
            in_flight: Default::default(),
            max_in_flight: Default::default(),
        });
        let app = axum::Router::new()
            .route("/gateway", axum::routing::get(gateway::upgrade))
            .fallback(rest::handle)
            .with_state(inner.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).tcp_nodelay(true).await {
                tracing::error!(error = %e, "simulator stopped");
            }
        });
        Ok(Sim { inner })
    }

    /// The base URL to put in `discord.api_url`.
    pub fn api_url(&self) -> String {
        format!("http://{}", self.inner.addr)
    }

    pub fn token(&self) -> &str {
        &self.inner.token
    }

    /// Signs `user` in to Discord in the test's browser: the OAuth2 authorize page consents as
    /// them from now on.
    pub fn sign_in(&self, user: u64) {
        self.inner.lock().oauth.signed_in = Some(user);
    }

    /// Discord's authorize page, on the simulator.
    pub fn oauth_authorize_url(&self) -> String {
        format!("{}/oauth2/authorize", self.api_url())
    }

    pub fn world(&self) -> World {
        self.inner.lock().world.clone()
    }

    /// Waits (up to `timeout`) until `check` finds something in the state.
    pub(crate) async fn wait_until<T>(
        &self,
        timeout: Duration,
        check: impl FnMut(&SimState) -> Option<T>,
    ) -> Option<T> {
        self.wait_on(&self.inner.changed, timeout, check).await
    }

    /// [`Sim::wait_until`] for what only a REST request can bring (an interaction's answer).
    pub(crate) async fn wait_for_rest<T>(
        &self,
        timeout: Duration,
        check: impl FnMut(&SimState) -> Option<T>,
    ) -> Option<T> {
        self.wait_on(&self.inner.rest_changed, timeout, check).await
    }

    async fn wait_on<T>(
        &self,
        changes: &watch::Sender<u64>,
        timeout: Duration,
        mut check: impl FnMut(&SimState) -> Option<T>,
    ) -> Option<T> {
        let mut rx = changes.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(found) = check(&self.inner.lock()) {
                return Some(found);
            }
            if tokio::time::timeout_at(deadline, rx.changed())
                .await
                .is_err()
            {
                return check(&self.inner.lock());
            }
        }
    }

    /// Waits until the bot has identified and registered its commands.
    pub async fn wait_ready(&self, timeout: Duration) -> anyhow::Result<()> {
        self.wait_until(timeout, |s| (!s.commands.is_empty()).then_some(()))
            .await
            .ok_or_else(|| anyhow!("the bot did not register its commands within {timeout:?}"))
    }

    /// Every REST request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.inner.lock().requests.clone()
    }

    /// Waits for the `n`th (1-based) request matching `method` and a path fragment.
    pub async fn wait_request(
        &self,
        method: &str,
        path_contains: &str,
        n: usize,
        timeout: Duration,
    ) -> Option<Recorded> {
        self.wait_until(timeout, |s| {
            s.requests
                .iter()
                .filter(|r| r.method == method && r.path.contains(path_contains))
                .nth(n.saturating_sub(1))
                .cloned()
        })
        .await
    }

    /// Makes the next matching requests fail, one fault per request, in order.
    pub fn inject_faults(&self, method: &str, path_contains: &str, faults: Vec<Fault>) {
        self.inner.lock().faults.push(FaultRule {
            method: method.into(),
            path_contains: path_contains.into(),
            remaining: faults,
        });
    }

    /// How many times the bot has bulk-registered its commands.
    pub fn command_registrations(&self) -> usize {
        self.inner
            .lock()
            .requests
            .iter()
            .filter(|r| r.method == "PUT" && r.path.ends_with("/commands"))
            .count()
    }

    /// Changes how long an interaction may go unanswered (Discord: 3 s).
    pub fn set_interaction_deadline(&self, deadline: Duration) {
        self.inner.interaction_deadline_ms.store(
            deadline.as_millis() as u64,
            std::sync::atomic::Ordering::Relaxed,
        );
    }

    /// Delays the gateway events that follow a REST change (GUILD_MEMBER_UPDATE after a role
    /// PUT/DELETE) by `lag`, as under load on Discord: the cache is stale meanwhile.
    pub fn set_event_lag(&self, lag: Duration) {
        self.inner.lock().event_lag = lag;
    }

    /// Replaces the rate limits and latency the simulated REST API enforces (Discord's, by
    /// default) and forgets what it had counted.
    pub fn set_rate_limits(&self, limits: limits::RateLimits) {
        self.inner.lock().limiter = limits::Limiter::new(limits);
    }

    /// The most REST requests the bot had in flight at once (excluding interaction answers).
    pub fn max_in_flight(&self) -> u32 {
        self.inner
            .max_in_flight
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// How many requests were answered 429 by the rate limits (injected faults not counted).
    pub fn rate_limited(&self) -> u32 {
        self.inner.lock().limiter.refused
    }

    /// Sets how long Discord drops a repeated message nonce.
    pub fn set_nonce_window(&self, window: Duration) {
        self.inner.lock().nonce_window = window;
    }

    /// Kicks and bans, in order: ("kick" | "ban", member).
    pub fn removals(&self) -> Vec<(String, u64)> {
        self.inner.lock().bans_and_kicks.clone()
    }

    /// Forgets faults not yet used.
    /// How many injected faults (delays included) are still to be taken.
    pub fn faults_left(&self) -> usize {
        self.inner
            .lock()
            .faults
            .iter()
            .map(|r| r.remaining.len())
            .sum()
    }

    pub fn clear_faults(&self) {
        self.inner.lock().faults.clear();
    }

    /// Commands as registered by the bot (the last bulk overwrite).
    pub fn registered_commands(&self) -> Vec<Value> {
        self.inner.lock().commands.clone()
    }

    /// The text of every DM `user` received, in order.
    pub fn dms_to(&self, user: u64) -> Vec<String> {
        let mut state = self.inner.lock();
        let channels: Vec<u64> = state
            .dm_channels
            .iter()
            .filter(|(_, recipient)| **recipient == user)
            .map(|(channel, _)| *channel)
            .collect();
        let messages = state.messages();
        channels
            .iter()
            .flat_map(|c| messages.get(c).cloned().unwrap_or_default())
            .filter_map(|m| m["content"].as_str().map(str::to_string))
            .collect()
    }

    pub fn messages_in(&self, channel: u64) -> Vec<Value> {
        self.inner
            .lock()
            .messages()
            .get(&channel)
            .cloned()
            .unwrap_or_default()
    }

    /// A staff member edits a channel's overwrite for a role (`kind` 0) or member (1) in
    /// Server Settings: CHANNEL_UPDATE follows.
    pub fn set_channel_overwrite(
        &self,
        channel: u64,
        target: u64,
        kind: u8,
        allow: u64,
        deny: u64,
    ) {
        let guild = self.inner.lock().world.guild_id;
        self.edit_channel(channel, |c| {
            if target == guild {
                c.allow_everyone = allow;
                c.deny_everyone = deny;
            } else {
                c.overwrites.retain(|(id, _, _, _)| *id != target);
                c.overwrites.push((target, kind, allow, deny));
            }
        });
    }

    /// A category (channel type 4) with these overwrites: CHANNEL_CREATE follows.
    pub fn add_category(&self, id: u64, name: &str, overwrites: Vec<(u64, u8, u64, u64)>) {
        let mut state = self.inner.lock();
        state.world.channels.push(world::SimChannel {
            id,
            name: name.into(),
            deny_everyone: 0,
            allow_everyone: 0,
            overwrites,
            kind: 4,
            parent_id: None,
        });
        let guild = state.world.guild_id;
        let index = state.world.channels.len() - 1;
        let value = world::World::channel_json(&state.world.channels[index], index, Some(guild));
        Inner::dispatch_locked(&mut state, "CHANNEL_CREATE", value);
    }

    /// A forum channel (type 15) with these tags `(id, name)`: posts are threads made with
    /// `POST /channels/{id}/threads`; CHANNEL_CREATE follows.
    pub fn add_forum(&self, id: u64, name: &str, tags: &[(u64, &str)]) {
        let mut state = self.inner.lock();
        state
            .forum_tags
            .insert(id, tags.iter().map(|(t, n)| (*t, n.to_string())).collect());
        state.world.channels.push(world::SimChannel {
            id,
            name: name.into(),
            deny_everyone: 0,
            allow_everyone: 0,
            overwrites: Vec::new(),
            kind: 15,
            parent_id: None,
        });
        let index = state.world.channels.len() - 1;
        let value = channel_json_of(&state, index);
        Inner::dispatch_locked(&mut state, "CHANNEL_CREATE", value);
    }

    /// A member opens a post in `forum` with `tags`: THREAD_CREATE, then MESSAGE_CREATE of
    /// its starter message (whose id is the thread's). Returns the thread id.
    pub fn member_forum_post(
        &self,
        user: u64,
        forum: u64,
        name: &str,
        content: &str,
        tags: &[u64],
    ) -> u64 {
        let id = self.next_id();
        let mut state = self.inner.lock();
        state.world.channels.push(world::SimChannel {
            id,
            name: name.into(),
            deny_everyone: 0,
            allow_everyone: 0,
            overwrites: Vec::new(),
            kind: 11,
            parent_id: Some(forum),
        });
        state.thread_tags.insert(id, tags.to_vec());
        state.thread_owner.insert(id, user);
        let index = state.world.channels.len() - 1;
        let thread = channel_json_of(&state, index);
        Inner::dispatch_locked(&mut state, "THREAD_CREATE", thread);
        let message = state.world.message_json(id, id, user, content, &json!({}));
        state
            .messages()
            .entry(id)
            .or_default()
            .push(message.clone());
        Inner::dispatch_locked(&mut state, "MESSAGE_CREATE", message);
        id
    }

    /// The private threads opened under the text channel `parent`, oldest first: (thread id,
    /// name, members).
    pub fn private_threads(&self, parent: u64) -> Vec<(u64, String, Vec<u64>)> {
        let state = self.inner.lock();
        state
            .world
            .channels
            .iter()
            .filter(|c| c.kind == 12 && c.parent_id == Some(parent))
            .map(|c| {
                let members = state.thread_members.get(&c.id).cloned().unwrap_or_default();
                (c.id, c.name.clone(), members)
            })
            .collect()
    }

    /// The threads (forum posts) made in `forum`, oldest first: (thread id, name).
    pub fn forum_posts(&self, forum: u64) -> Vec<(u64, String)> {
        let state = self.inner.lock();
        state
            .world
            .channels
            .iter()
            .filter(|c| c.kind == 11 && c.parent_id == Some(forum))
            .map(|c| (c.id, c.name.clone()))
            .collect()
    }

    /// Moves `channel` into `category` without syncing its permissions (its own overwrites
    /// stay, as Discord does when "Sync Permissions" is not chosen): CHANNEL_UPDATE follows.
    pub fn set_channel_parent(&self, channel: u64, category: u64) {
        self.edit_channel(channel, |c| c.parent_id = Some(category));
    }

    fn edit_channel(&self, channel: u64, edit: impl FnOnce(&mut world::SimChannel)) {
        let mut state = self.inner.lock();
        let guild = state.world.guild_id;
        let Some(index) = state.world.channels.iter().position(|c| c.id == channel) else {
            return;
        };
        edit(&mut state.world.channels[index]);
        let value = world::World::channel_json(&state.world.channels[index], index, Some(guild));
        Inner::dispatch_locked(&mut state, "CHANNEL_UPDATE", value);
    }

    /// Whether `member` can see `channel` now (overwrites applied, as Discord computes it).
    pub fn can_view(&self, channel: u64, member: u64) -> bool {
        let state = self.inner.lock();
        state
            .world
            .channels
            .iter()
            .find(|c| c.id == channel)
            .is_some_and(|c| state.world.can_view(c, member))
    }

    pub fn member_roles(&self, user: u64) -> Vec<u64> {
        self.inner
            .lock()
            .world
            .members
            .get(&user)
            .cloned()
            .unwrap_or_default()
    }

    /// Number of IDENTIFYs and RESUMEs the gateway has seen.
    pub fn gateway_counts(&self) -> (u32, u32) {
        let state = self.inner.lock();
        (state.gateway.identifies, state.gateway.resumes)
    }

    /// Every gateway frame and REST response body sent so far, tagged with its kind.
    pub fn sent_payloads(&self) -> Vec<(String, Value)> {
        let sent = self.inner.lock().sent.clone();
        sent.iter()
            .map(|(kind, text)| {
                let value = serde_json::from_str(text).expect("the sim sent valid JSON");
                (kind.to_string(), value)
            })
            .collect()
    }

    /// Closes the bot's gateway socket abruptly, as a network failure would.
    pub fn drop_gateway(&self) {
        if let Some((_, tx)) = self.inner.lock().gateway.connection.take() {
            let _ = tx.send(Outgoing::Drop);
        }
    }

    pub async fn wait_connected(&self, timeout: Duration) -> bool {
        self.wait_until(timeout, |s| s.gateway.connection.is_some().then_some(()))
            .await
            .is_some()
    }

    /// Sends any dispatch event to the bot.
    pub fn dispatch(&self, t: &str, d: Value) {
        let mut state = self.inner.lock();
        Inner::dispatch_locked(&mut state, t, d);
    }

    pub(crate) fn next_id(&self) -> u64 {
        let mut state = self.inner.lock();
        state.next_id += 1;
        state.next_id
    }

    /// A member posts a message; returns its id.
    pub fn message_create(&self, channel: u64, author: u64, content: &str) -> u64 {
        static KIND: std::sync::OnceLock<Arc<str>> = std::sync::OnceLock::new();
        let mut state = self.inner.lock();
        state.next_id += 1;
        let id = state.next_id;
        state.gateway.seq += 1;
        let seq = state.gateway.seq;
        // The frame written in one go, the message straight to text inside it (as
        // `World::message_json` would serialize), and kept once: the sim is the load generator
        // of the ingest bench and shares its cores with the bot.
        let (text, message) = dispatch_text_with("MESSAGE_CREATE", seq, |out| {
            state
                .world
                .write_message_text(out, id, channel, author, content)
        });
        let frame = Frame {
            kind: KIND.get_or_init(|| "gateway:MESSAGE_CREATE".into()).clone(),
            text: text.into(),
        };
        state.unparsed.push((channel, frame.text.clone(), message));
        Inner::queue_locked(&mut state, seq, frame);
        id
    }

    /// A member edits a message.
    pub fn message_update(&self, channel: u64, author: u64, id: u64, content: &str) {
        let mut state = self.inner.lock();
        let mut message = state
            .world
            .message_json(id, channel, author, content, &json!({}));
        message["edited_timestamp"] = json!("2026-11-25T12:01:00.000000+00:00");
        Inner::dispatch_locked(&mut state, "MESSAGE_UPDATE", message);
    }

    pub fn reaction_add(&self, channel: u64, message: u64, user: u64, emoji: &str) {
        let mut state = self.inner.lock();
        let member = state.world.member_json(user, true);
        let d = json!({
            "user_id": user.to_string(),
            "channel_id": channel.to_string(),
            "message_id": message.to_string(),
            "guild_id": state.world.guild_id.to_string(),
            "member": member,
            "emoji": { "id": null, "name": emoji },
            "burst": false,
            "type": 0,
        });
        Inner::dispatch_locked(&mut state, "MESSAGE_REACTION_ADD", d);
    }

    /// Changes a member's roles as a server admin would in Discord's UI.
    pub fn set_member_roles(&self, user: u64, roles: &[u64]) {
        let mut state = self.inner.lock();
        state.world.members.insert(user, roles.to_vec());
        let mut update = state.world.member_json(user, true);
        update["guild_id"] = json!(state.world.guild_id.to_string());
        Inner::dispatch_locked(&mut state, "GUILD_MEMBER_UPDATE", update);
    }

    /// Adds `count` members who were in the guild before the bot connected (no events), with
    /// ids from `first_id` up; returns their ids.
    pub fn add_quiet_members(&self, first_id: u64, count: usize) -> Vec<u64> {
        let mut state = self.inner.lock();
        let ids: Vec<u64> = (0..count as u64).map(|i| first_id + i).collect();
        for id in &ids {
            state.world.add_member(*id);
        }
        ids
    }

    /// Sends every member as GUILD_MEMBERS_CHUNK events of `size` (what a bot that asked for
    /// the member list receives). Returns how many chunks were sent.
    pub fn send_member_chunks(&self, size: usize) -> usize {
        let mut state = self.inner.lock();
        let ids = state.world.member_ids(0, usize::MAX);
        let count = ids.len().div_ceil(size.max(1));
        for (index, chunk) in ids.chunks(size.max(1)).enumerate() {
            let members: Vec<Value> = chunk
                .iter()
                .map(|id| state.world.member_json(*id, true))
                .collect();
            let d = json!({
                "guild_id": state.world.guild_id.to_string(),
                "members": members,
                "chunk_index": index,
                "chunk_count": count,
                "not_found": [],
            });
            Inner::dispatch_locked(&mut state, "GUILD_MEMBERS_CHUNK", d);
        }
        count
    }

    /// A new member joins.
    pub fn member_add(&self, user: u64, name: &str, locale: &str) {
        let mut state = self.inner.lock();
        state.world.users.insert(
            user,
            world::SimUser {
                id: user,
                name: name.into(),
                bot: false,
                locale: locale.into(),
                dms_open: true,
            },
        );
        state.world.members.insert(user, Vec::new());
        let mut member = state.world.member_json(user, true);
        member["guild_id"] = json!(state.world.guild_id.to_string());
        Inner::dispatch_locked(&mut state, "GUILD_MEMBER_ADD", member);
    }

    pub fn member_remove(&self, user: u64) {
        let mut state = self.inner.lock();
        state.world.members.remove(&user);
        let d = member_removed_json(&state, user);
        Inner::dispatch_locked(&mut state, "GUILD_MEMBER_REMOVE", d);
    }

    /// `user` left while the bot was not connected: no event ever tells it (Discord does not
    /// replay a missed GUILD_MEMBER_REMOVE); the user still exists (`GET /users/{id}`).
    pub fn member_left_unseen(&self, user: u64) {
        self.inner.lock().world.members.remove(&user);
    }

    /// The server's owner hands it to `user` (Discord's Transfer Ownership): GUILD_UPDATE.
    pub fn transfer_ownership(&self, user: u64) {
        let mut state = self.inner.lock();
        state.world.owner_id = user;
        let mut guild = state.world.guild_create();
        if let Some(map) = guild.as_object_mut() {
            // GUILD_UPDATE carries the guild object, not GUILD_CREATE's extra fields.
            for extra in [
                "members",
                "channels",
                "threads",
                "presences",
                "voice_states",
            ] {
                map.remove(extra);
            }
        }
        Inner::dispatch_locked(&mut state, "GUILD_UPDATE", guild);
    }

    /// Someone on staff bans `user` from Discord's own client: GUILD_BAN_ADD, then
    /// GUILD_MEMBER_REMOVE (as Discord sends them).
    pub fn ban(&self, user: u64) {
        let mut state = self.inner.lock();
        state.world.members.remove(&user);
        let d = member_removed_json(&state, user);
        Inner::dispatch_locked(&mut state, "GUILD_BAN_ADD", d.clone());
        Inner::dispatch_locked(&mut state, "GUILD_MEMBER_REMOVE", d);
    }
}

/// The data of GUILD_MEMBER_REMOVE and GUILD_BAN_ADD: the guild and the user.
fn member_removed_json(state: &SimState, user: u64) -> Value {
    json!({ "guild_id": state.world.guild_id.to_string(), "user": state.world.user_json(user) })
}

pub mod harness;
