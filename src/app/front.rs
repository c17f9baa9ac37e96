//! The gateway front: Lyceum's own hop, in the same process, between Discord's gateway and
//! serenity's shard. serenity connects to the front (127.0.0.1, a free port); the front
//! connects to Discord with the same query and passes every frame through, both ways — except
//! MESSAGE_CREATE, the one event that arrives by the thousand. The relay reads only a frame's
//! envelope (op, s, t); a message goes to the **message lane**, a thread of its own that
//! decodes just the fields the handlers read into a [`ChatMessage`] and decides it (while the
//! lane is behind, the relay decodes messages before handing them over: see `Lane`).
//!
//! Why: serenity parses every frame into a JSON tree, then into its event enum through serde's
//! buffered `Content`, then into the full model, and updates its cache — all on the shard's one
//! task, before the next frame (an interaction waiting behind a burst of chat included). The
//! only cache effect skipped is the channel's `last_message_id`, which Lyceum never reads.
//! docs/performance.md has the profile and the numbers.
//!
//! Sequence numbers: serenity warns on gaps and heartbeats and resumes with its own count, so
//! the frames it gets are renumbered 1, 2, 3…, and its HEARTBEAT and RESUME go out with
//! Discord's numbers. A RESUME replays from the last frame serenity saw; messages the front had
//! already taken are not taken again.
//!
//! `discord.gateway_front = false` leaves every event to serenity (the bench's "before").

use std::collections::VecDeque;
use std::io::Read as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use futures::{SinkExt, StreamExt};
use poise::serenity_prelude as serenity;
use serde::de::{Deserializer as _, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

use crate::discord::chat::ChatMessage;

/// How many forwarded frames are remembered for translating a RESUME's sequence number.
/// Forwarded frames are the rare ones (not chat), so this spans hours.
const REMEMBERED: usize = 65_536;

/// Where decoded messages go. `ready` is false until the bot can handle them (before the
/// first event reaches the bot, messages go through serenity as usual).
pub trait MessageSink: Send + Sync + 'static {
    fn ready(&self) -> bool;
    fn take(&self, message: ChatMessage);
}

/// The serenity context the fast path hands messages with, set from the first event the bot
/// receives (serenity does not let anyone else build one).
#[derive(Default, Clone)]
pub struct SharedContext(Arc<OnceLock<serenity::Context>>);

impl SharedContext {
    pub fn set(&self, ctx: &serenity::Context) {
        if self.0.get().is_none() {
            let _ = self.0.set(ctx.clone());
        }
    }

    pub fn get(&self) -> Option<&serenity::Context> {
        self.0.get()
    }
}

/// A running front: give serenity [`Front::url`] as its gateway address.
pub struct Front {
    addr: SocketAddr,
}

impl Front {
    /// Listens on 127.0.0.1 and relays each connection serenity makes to `upstream` (Discord's
    /// gateway address, without query), until `shutdown` (a relay ends with its connection).
    pub async fn start(
        upstream: String,
        sink: Arc<dyn MessageSink>,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> std::io::Result<Front> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (lane, frames) = Lane::new();
        message_lane(frames, sink.clone(), tokio::runtime::Handle::current())?;
        let shared = Arc::new(Shared {
            upstream,
            sink,
            seqs: Mutex::new(Seqs::default()),
            lane,
        });
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    accepted = listener.accept() => accepted,
                    _ = shutdown.wait_for(|stop| *stop) => return,
                };
                match accepted {
                    Ok((tcp, _)) => {
                        let shared = shared.clone();
                        tokio::spawn(async move {
                            if let Err(e) = relay(tcp, &shared).await {
                                tracing::warn!(error = %e, "gateway front: connection ended");
                            }
                        });
                    }
                    Err(e) => tracing::warn!(error = %e, "gateway front: accept failed"),
                }
            }
        });
        Ok(Front { addr })
    }

    pub fn url(&self) -> String {
        format!("ws://{}", self.addr)
    }
}

struct Shared {
    upstream: String,
    sink: Arc<dyn MessageSink>,
    seqs: Mutex<Seqs>,
    lane: Lane,
}

/// What the relay hands the message lane: a frame, or the message already decoded.
enum ForLane {
    Frame(String),
    Decoded(ChatMessage),
}

/// The relay's end of the message lane. Decoding is the lane's job; but when the lane is
/// [`SHARE_DECODING_AT`] messages behind (a backlog, not a burst of chat), the relay decodes
/// too, so a flood's two largest costs — reading the JSON and deciding — run on both cores.
/// Below that, the relay (on the runtime that answers members' commands) only sorts frames.
struct Lane {
    to_lane: mpsc::UnboundedSender<ForLane>,
    queued: Arc<AtomicUsize>,
}

/// Messages waiting for the lane before the relay starts decoding them: above a burst (a
/// 20,000 msg/s flood arrives in bursts of ~20), a fraction of a millisecond of the lane's work.
const SHARE_DECODING_AT: usize = 64;

/// The lane's end: what the relay sent, and how many are still waiting.
struct LaneInbox {
    from_relay: mpsc::UnboundedReceiver<ForLane>,
    queued: Arc<AtomicUsize>,
}

impl Lane {
    fn new() -> (Lane, LaneInbox) {
        let (to_lane, from_relay) = mpsc::unbounded_channel();
        let queued = Arc::new(AtomicUsize::new(0));
        (
            Lane {
                to_lane,
                queued: queued.clone(),
            },
            LaneInbox { from_relay, queued },
        )
    }

    fn send(&self, text: String) {
        let item = if self.queued.load(Ordering::Relaxed) >= SHARE_DECODING_AT {
            let Some(message) = decode_or_drop(&text) else {
                return;
            };
            ForLane::Decoded(message)
        } else {
            ForLane::Frame(text)
        };
        self.queued.fetch_add(1, Ordering::Relaxed);
        let _ = self.to_lane.send(item);
    }
}

impl LaneInbox {
    /// The next message, decoded; None when the front has ended.
    fn next_blocking(&mut self) -> Option<ChatMessage> {
        loop {
            let item = self.from_relay.blocking_recv()?;
            self.queued.fetch_sub(1, Ordering::Relaxed);
            let decoded = match item {
                ForLane::Decoded(message) => Some(message),
                ForLane::Frame(text) => decode_or_drop(&text),
            };
            if decoded.is_some() {
                return decoded;
            }
        }
    }
}

/// The message in a MESSAGE_CREATE frame; one that does not read as a message is dropped with
/// a warning (serenity would not read it either: it needs more of the message).
fn decode_or_drop(text: &str) -> Option<ChatMessage> {
    let message = decode_message(text);
    if message.is_none() {
        tracing::warn!("gateway front: dropped a MESSAGE_CREATE that does not read as a message");
    }
    message
}

/// Sequence numbers of the current session, kept across serenity's reconnects.
#[derive(Default, Debug, PartialEq)]
struct Seqs {
    /// Discord's last sequence number received.
    upstream: u64,
    /// The last number given to serenity.
    downstream: u64,
    /// Discord's number of the last message decided here (replays up to it are skipped).
    decided: u64,
    /// (serenity's number, Discord's number) of recent forwarded frames.
    forwarded: VecDeque<(u64, u64)>,
}

impl Seqs {
    /// Discord's number for serenity's `down` (what to RESUME from).
    fn upstream_of(&self, down: u64) -> u64 {
        if down == 0 {
            return 0;
        }
        match self.forwarded.binary_search_by_key(&down, |(d, _)| *d) {
            Ok(i) => self.forwarded[i].1,
            Err(_) => {
                tracing::warn!(
                    down,
                    "gateway front: resuming from a frame no longer remembered"
                );
                self.upstream
            }
        }
    }

    fn forward(&mut self, up: u64) -> u64 {
        self.downstream += 1;
        self.forwarded.push_back((self.downstream, up));
        if self.forwarded.len() > REMEMBERED {
            self.forwarded.pop_front();
        }
        self.downstream
    }
}

/// A gateway payload: a MESSAGE_CREATE's data decoded as it is read (Discord writes `t` before
/// `d`), any other data left unparsed.
struct Envelope<'a> {
    op: u8,
    s: Option<u64>,
    t: Option<&'a str>,
    d: Option<Data<'a>>,
}

enum Data<'a> {
    Message(Box<ChatMessage>),
    Raw(&'a RawValue),
}

/// Reads an [`Envelope`] in one pass; `messages`: decode a MESSAGE_CREATE's data as a message.
struct EnvelopeReader {
    messages: bool,
}

impl<'de> Visitor<'de> for EnvelopeReader {
    type Value = Envelope<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a gateway payload")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope<'de>, A::Error> {
        let mut envelope = Envelope {
            op: u8::MAX,
            s: None,
            t: None,
            d: None,
        };
        while let Some(key) = map.next_key::<&'de str>()? {
            match key {
                "op" => envelope.op = map.next_value()?,
                "s" => envelope.s = map.next_value()?,
                "t" => envelope.t = map.next_value()?,
                "d" if self.messages && envelope.t == Some("MESSAGE_CREATE") => {
                    envelope.d = Some(Data::Message(Box::new(map.next_value()?)));
                }
                "d" => envelope.d = Some(Data::Raw(map.next_value()?)),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(envelope)
    }
}

fn read_envelope(text: &str, messages: bool) -> serde_json::Result<Envelope<'_>> {
    let mut reader = serde_json::Deserializer::from_str(text);
    let envelope = reader.deserialize_map(EnvelopeReader { messages })?;
    reader.end()?;
    Ok(envelope)
}

/// The envelope of a frame whose `op`, `t` and `s` all come before `d` — as Discord and the
/// simulator write them — read by hand up to `d`, without scanning the data (a message's ~900
/// bytes, which the lane reads anyway). None for a frame written any other way, or with an
/// escape in `t`: [`read_envelope`] reads those.
fn read_head(text: &str) -> Option<Envelope<'_>> {
    fn number(text: &str) -> Option<(u64, &str)> {
        let digits = text.bytes().take_while(u8::is_ascii_digit).count();
        Some((text[..digits].parse().ok()?, &text[digits..]))
    }
    fn nullable<'a, T>(
        text: &'a str,
        read: impl FnOnce(&'a str) -> Option<(T, &'a str)>,
    ) -> Option<(Option<T>, &'a str)> {
        match text.strip_prefix("null") {
            Some(rest) => Some((None, rest)),
            None => read(text).map(|(value, rest)| (Some(value), rest)),
        }
    }
    fn plain_string(text: &str) -> Option<(&str, &str)> {
        let inner = text.strip_prefix('"')?;
        let end = inner.find(['"', '\\'])?;
        inner[end..]
            .starts_with('"')
            .then(|| (&inner[..end], &inner[end + 1..]))
    }
    let mut rest = text.trim_start().strip_prefix('{')?;
    let mut envelope = Envelope {
        op: u8::MAX,
        s: None,
        t: None,
        d: None,
    };
    let (mut op, mut s, mut t) = (false, false, false);
    loop {
        let (key, after) = plain_string(rest.trim_start())?;
        rest = after.trim_start().strip_prefix(':')?.trim_start();
        match key {
            "op" if !op => {
                let (value, after) = number(rest)?;
                envelope.op = u8::try_from(value).ok()?;
                (op, rest) = (true, after);
            }
            "s" if !s => {
                let (value, after) = nullable(rest, number)?;
                envelope.s = value;
                (s, rest) = (true, after);
            }
            "t" if !t => {
                let (value, after) = nullable(rest, plain_string)?;
                envelope.t = value;
                (t, rest) = (true, after);
            }
            "d" if op && s && t => return Some(envelope),
            _ => return None,
        }
        rest = rest.trim_start().strip_prefix(',')?;
    }
}

/// The relay's reading of a frame: a message's by [`read_head`]; any other frame's whole
/// envelope, its data kept for renumbering (they are the rare ones).
fn read_frame(text: &str) -> serde_json::Result<Envelope<'_>> {
    match read_head(text) {
        Some(head) if head.op == 0 && head.t == Some("MESSAGE_CREATE") => Ok(head),
        _ => read_envelope(text, false),
    }
}

/// What the relay reads of every frame: its envelope, the data skipped. True for a
/// MESSAGE_CREATE (the bench times this against serenity's decode).
pub fn is_message_frame(text: &str) -> bool {
    read_frame(text).is_ok_and(|e| e.op == 0 && e.t == Some("MESSAGE_CREATE"))
}

/// The message in a MESSAGE_CREATE frame, decoded in one pass when `t` comes before `d` (as
/// Discord writes it), in two otherwise.
pub fn decode_message(text: &str) -> Option<ChatMessage> {
    match read_envelope(text, true).ok()?.d? {
        Data::Message(message) => Some(*message),
        Data::Raw(raw) => serde_json::from_str(raw.get()).ok(),
    }
}

/// The message lane: decodes and decides messages in order on a thread of its own, so that
/// neither the relay nor the runtime's workers (an interaction's reply, a web page) wait
/// behind a burst of chat. It ends when the front does. Handlers that have to wait continue
/// as tasks on the runtime (`handle`).
fn message_lane(
    mut inbox: LaneInbox,
    sink: Arc<dyn MessageSink>,
    handle: tokio::runtime::Handle,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("lyceum-messages".into())
        .spawn(move || {
            let _runtime = handle.enter();
            yield_to_interactions();
            while let Some(message) = inbox.next_blocking() {
                sink.take(message);
            }
        })?;
    Ok(())
}

/// The lane is bulk work: when chat and an interaction want the same core, the interaction's
/// threads go first (see [`crate::priority`]).
fn yield_to_interactions() {
    if !crate::priority::lower_this_thread() {
        tracing::debug!("gateway front: the message lane keeps the default priority");
    }
}

/// What becomes of a frame from Discord.
#[derive(Debug, PartialEq)]
enum FromDiscord {
    /// A new message: to the message lane, where it is decoded and decided. serenity never
    /// sees it.
    Message,
    /// A message decided before a RESUME replayed it: dropped.
    Replayed,
    /// To serenity as it came.
    Unchanged,
    /// To serenity, renumbered.
    Renumbered(String),
}

impl Shared {
    /// Reads only the envelope (the data is skipped, not decoded): cheap, so that whatever
    /// follows a burst of messages — an interaction — reaches serenity without waiting for
    /// them to be decided.
    fn sort_discord_frame(&self, text: &str) -> FromDiscord {
        let Ok(envelope) = read_frame(text) else {
            return FromDiscord::Unchanged;
        };
        if envelope.op != 0 {
            return FromDiscord::Unchanged;
        }
        let up = envelope.s.unwrap_or(0);
        let t = envelope.t.unwrap_or("");
        let mut seqs = self.seqs.lock().expect("front seqs");
        seqs.upstream = seqs.upstream.max(up);
        if t == "MESSAGE_CREATE" && self.sink.ready() {
            if up != 0 && up <= seqs.decided {
                return FromDiscord::Replayed;
            }
            seqs.decided = up;
            return FromDiscord::Message;
        }
        let d = match envelope.d {
            Some(Data::Raw(raw)) => raw.get(),
            _ => "null",
        };
        let down = seqs.forward(up);
        let t = serde_json::to_string(t).unwrap_or_else(|_| "null".into());
        FromDiscord::Renumbered(format!(r#"{{"op":0,"s":{down},"t":{t},"d":{d}}}"#))
    }

    /// A text frame from Discord: to the message lane, dropped, or what serenity gets.
    fn route(&self, text: String) -> Option<Message> {
        match self.sort_discord_frame(&text) {
            FromDiscord::Message => {
                self.lane.send(text);
                None
            }
            FromDiscord::Replayed => None,
            FromDiscord::Unchanged => Some(Message::Text(text)),
            FromDiscord::Renumbered(text) => Some(Message::Text(text)),
        }
    }

    /// serenity's frame with Discord's sequence numbers in HEARTBEAT and RESUME; a new
    /// IDENTIFY starts the numbering over.
    fn translate_serenity_frame(&self, text: String) -> String {
        let Ok(mut frame) = serde_json::from_str::<serde_json::Value>(&text) else {
            return text;
        };
        let mut seqs = self.seqs.lock().expect("front seqs");
        match frame.get("op").and_then(serde_json::Value::as_u64) {
            Some(1) => frame["d"] = seqs.upstream.into(),
            Some(2) => *seqs = Seqs::default(),
            Some(6) => {
                let down = frame["d"]["seq"].as_u64().unwrap_or(0);
                let up = seqs.upstream_of(down);
                frame["d"]["seq"] = up.into();
                // Replayed frames continue serenity's count from where it stopped.
                seqs.downstream = down;
                let keep = seqs.forwarded.partition_point(|(d, _)| *d <= down);
                seqs.forwarded.truncate(keep);
            }
            _ => return text,
        }
        frame.to_string()
    }
}

/// Discord's compressed payloads (serenity identifies with `compress: true`).
fn inflate(bytes: &[u8]) -> Option<String> {
    let mut text = String::with_capacity(bytes.len() * 3);
    flate2::read::ZlibDecoder::new(bytes)
        .read_to_string(&mut text)
        .ok()?;
    Some(text)
}

/// One serenity connection and its Discord connection, until either ends.
async fn relay(tcp: TcpStream, shared: &Shared) -> anyhow::Result<()> {
    let _ = tcp.set_nodelay(true);
    let mut query = None;
    // The handshake callback's error type is tungstenite's own (a whole HTTP response).
    #[allow(clippy::result_large_err)]
    let serenity_side = tokio_tungstenite::accept_hdr_async(tcp, |req: &Request, res: Response| {
        query = req.uri().query().map(str::to_owned);
        Ok(res)
    })
    .await?;
    let url = match query {
        Some(query) => format!("{}?{query}", shared.upstream),
        None => shared.upstream.clone(),
    };
    let (mut to_serenity, mut from_serenity) = serenity_side.split();
    let discord_side =
        match tokio_tungstenite::connect_async_with_config(url.as_str(), None, true).await {
            Ok((socket, _)) => socket,
            Err(e) => {
                // serenity sees a failed connection and retries with its backoff.
                let close = CloseFrame {
                    code: CloseCode::Again,
                    reason: "gateway unreachable".into(),
                };
                let _ = to_serenity.send(Message::Close(Some(close))).await;
                return Err(e.into());
            }
        };
    let (mut to_discord, mut from_discord) = discord_side.split();
    loop {
        tokio::select! {
            incoming = from_discord.next() => {
                let message = match incoming {
                    Some(Ok(message)) => message,
                    Some(Err(e)) => return Err(e.into()),
                    None => return Ok(()),
                };
                let outgoing = match message {
                    Message::Text(text) => shared.route(text),
                    Message::Binary(bytes) => match inflate(&bytes) {
                        Some(text) => shared.route(text),
                        None => Some(Message::Binary(bytes)),
                    },
                    Message::Close(frame) => {
                        let _ = to_serenity.send(Message::Close(frame)).await;
                        return Ok(());
                    }
                    // Pings are answered by the socket itself.
                    _ => None,
                };
                if let Some(outgoing) = outgoing {
                    to_serenity.send(outgoing).await?;
                }
            }
            outgoing = from_serenity.next() => {
                let message = match outgoing {
                    Some(Ok(message)) => message,
                    Some(Err(e)) => return Err(e.into()),
                    None => return Ok(()),
                };
                match message {
                    Message::Text(text) => {
                        to_discord.send(Message::Text(shared.translate_serenity_frame(text))).await?;
                    }
                    Message::Close(frame) => {
                        let _ = to_discord.send(Message::Close(frame)).await;
                        return Ok(());
                    }
                    Message::Binary(bytes) => to_discord.send(Message::Binary(bytes)).await?,
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Ready(bool);

    impl MessageSink for Ready {
        fn ready(&self) -> bool {
            self.0
        }
        fn take(&self, _: ChatMessage) {}
    }

    /// A front's routing, and what it sent to the message lane.
    fn shared(ready: bool) -> (Shared, LaneInbox) {
        let (lane, frames) = Lane::new();
        let shared = Shared {
            upstream: "ws://unused".into(),
            sink: Arc::new(Ready(ready)),
            seqs: Mutex::new(Seqs::default()),
            lane,
        };
        (shared, frames)
    }

    /// Message ids that reached the lane, decoded as the lane decodes them.
    fn lane_ids(inbox: &mut LaneInbox) -> Vec<u64> {
        std::iter::from_fn(|| inbox.from_relay.try_recv().ok())
            .map(|item| match item {
                ForLane::Frame(text) => decode_message(&text).expect("a message").id.get(),
                ForLane::Decoded(message) => message.id.get(),
            })
            .collect()
    }

    fn message(s: u64, id: u64) -> String {
        format!(
            r#"{{"t":"MESSAGE_CREATE","s":{s},"op":0,"d":{{"id":"{id}","channel_id":"2","guild_id":"3","author":{{"id":"4","username":"ada","discriminator":"0","global_name":null,"avatar":null}},"content":"你好 world","timestamp":"2026-12-03T12:00:00.000000+00:00","edited_timestamp":null,"tts":false,"mention_everyone":false,"mentions":[],"mention_roles":[],"attachments":[],"embeds":[],"pinned":false,"type":0,"member":{{"roles":["9"],"nick":"Ada L.","joined_at":"2026-01-01T00:00:00.000000+00:00","deaf":false,"mute":false,"flags":0}}}}}}"#
        )
    }

    fn other(s: u64) -> String {
        format!(r#"{{"t":"GUILD_MEMBER_ADD","s":{s},"op":0,"d":{{"guild_id":"3"}}}}"#)
    }

    #[test]
    fn the_relay_decodes_only_while_the_lane_is_behind_and_the_order_holds() {
        let (lane, mut inbox) = Lane::new();
        let behind = SHARE_DECODING_AT as u64 + 3;
        for i in 0..behind {
            lane.send(message(i + 1, 100 + i));
        }
        let ids: Vec<u64> = (0..behind)
            .map(|_| inbox.next_blocking().expect("a message").id.get())
            .collect();
        assert_eq!(ids, (100..100 + behind).collect::<Vec<_>>());
        // Caught up: the next frame goes to the lane undecoded again.
        lane.send(message(behind + 1, 999));
        assert!(matches!(inbox.from_relay.try_recv(), Ok(ForLane::Frame(_))));
        // While behind, exactly the frames past the threshold were decoded by the relay.
        let (lane, mut inbox) = Lane::new();
        for i in 0..behind {
            lane.send(message(i + 1, 100 + i));
        }
        let decoded = std::iter::from_fn(|| inbox.from_relay.try_recv().ok())
            .filter(|item| matches!(item, ForLane::Decoded(_)))
            .count();
        assert_eq!(decoded, 3);
    }

    #[test]
    fn messages_go_to_the_lane_and_the_rest_renumbered_for_serenity() {
        let (front, mut lane) = shared(true);
        assert_eq!(
            front.route(other(1)),
            Some(Message::Text(
                r#"{"op":0,"s":1,"t":"GUILD_MEMBER_ADD","d":{"guild_id":"3"}}"#.into()
            ))
        );
        assert_eq!(front.route(message(2, 100)), None);
        assert_eq!(front.route(message(3, 101)), None);
        let Some(Message::Text(text)) = front.route(other(4)) else {
            panic!("forwarded");
        };
        assert!(text.starts_with(r#"{"op":0,"s":2,"#), "{text}");
        assert_eq!(lane_ids(&mut lane), vec![100, 101]);
        // A heartbeat carries Discord's number, not serenity's.
        let beat = front.translate_serenity_frame(r#"{"op":1,"d":2}"#.into());
        assert_eq!(beat, r#"{"d":4,"op":1}"#);
        // Not a dispatch: as it came.
        let ack = r#"{"op":11,"d":null,"s":null,"t":null}"#;
        assert_eq!(front.route(ack.into()), Some(Message::Text(ack.into())));
    }

    #[test]
    fn the_lane_decodes_what_the_handlers_read() {
        let message = decode_message(&message(1, 100)).unwrap();
        assert_eq!(message.id.get(), 100);
        assert_eq!(message.channel_id.get(), 2);
        assert_eq!(message.guild_id.map(|g| g.get()), Some(3));
        assert_eq!(message.author.id.get(), 4);
        assert_eq!(message.author.name, "ada");
        assert!(!message.author.bot);
        assert_eq!(message.content, "你好 world");
        assert_eq!(message.webhook_id, None);
        let member = message.member.unwrap();
        assert_eq!(member.roles, vec![serenity::RoleId::new(9)]);
        assert_eq!(member.nick.as_deref(), Some("Ada L."));
    }

    #[test]
    fn a_resume_replays_from_serenitys_last_frame_without_deciding_twice() {
        let (front, mut lane) = shared(true);
        front.route(other(1)); // serenity 1
        front.route(message(2, 100));
        front.route(other(3)); // serenity 2, lost with the connection
        front.route(message(4, 101));
        // serenity saw only its frame 1: Discord replays from its 1.
        let resume = front.translate_serenity_frame(
            r#"{"op":6,"d":{"token":"t","session_id":"s","seq":1}}"#.into(),
        );
        let resume: serde_json::Value = serde_json::from_str(&resume).unwrap();
        assert_eq!(resume["d"]["seq"], 1);
        assert_eq!(
            front.sort_discord_frame(&message(2, 100)),
            FromDiscord::Replayed
        );
        let Some(Message::Text(text)) = front.route(other(3)) else {
            panic!("forwarded again");
        };
        assert!(text.starts_with(r#"{"op":0,"s":2,"#), "{text}");
        front.route(message(4, 101));
        front.route(message(5, 102));
        assert_eq!(lane_ids(&mut lane), vec![100, 101, 102]);
    }

    #[test]
    fn a_message_is_read_whatever_the_order_of_its_fields() {
        let frame = message(1, 100);
        let data = &frame[frame.find(r#""d":"#).unwrap() + 4..frame.len() - 1];
        let reordered = format!(r#"{{"op":0,"d":{data},"s":1,"t":"MESSAGE_CREATE"}}"#);
        assert_eq!(decode_message(&reordered).unwrap().id.get(), 100);
        assert!(decode_message(r#"{"t":"MESSAGE_CREATE","s":2,"op":0,"d":{"id":"x"}}"#).is_none());
    }

    #[test]
    fn the_head_is_read_by_hand_only_when_it_reads_as_the_whole_envelope_would() {
        let frames = [
            r#"{"op":0,"t":"MESSAGE_CREATE","s":42,"d":{"content":"hi"}}"#,
            r#"{"t":"GUILD_CREATE","s":7,"op":0,"d":{}}"#,
            r#" { "t" : null , "s" : null , "op" : 11 , "d" : null } "#,
            r#"{"t":null,"s":null,"op":10,"d":{"heartbeat_interval":41250}}"#,
        ];
        for frame in frames {
            let by_hand = read_head(frame).expect(frame);
            let whole = read_envelope(frame, false).unwrap();
            assert_eq!(
                (by_hand.op, by_hand.s, by_hand.t),
                (whole.op, whole.s, whole.t),
                "{frame}"
            );
        }
        // Written otherwise: left to the whole reader, which still reads them.
        for frame in [
            r#"{"op":0,"d":{},"t":"MESSAGE_CREATE","s":1}"#,
            r#"{"op":0,"t":"MESSAGE\u005fCREATE","s":1,"d":{}}"#,
            r#"{"op":0,"t":"MESSAGE_CREATE","s":1,"x":2,"d":{}}"#,
            r#"{"op":0,"t":"MESSAGE_CREATE","s":1}"#,
        ] {
            assert!(read_head(frame).is_none(), "{frame}");
        }
        assert!(is_message_frame(
            r#"{"op":0,"d":{},"t":"MESSAGE_CREATE","s":1}"#
        ));
        assert!(read_head("not json").is_none());
    }

    #[test]
    fn before_the_bot_is_ready_messages_go_to_serenity() {
        let (front, mut lane) = shared(false);
        assert!(matches!(
            front.sort_discord_frame(&message(1, 100)),
            FromDiscord::Renumbered(_)
        ));
        assert!(lane_ids(&mut lane).is_empty());
    }

    #[test]
    fn an_identify_starts_the_numbering_over() {
        let (front, mut lane) = shared(true);
        front.route(other(1));
        front.route(message(2, 100));
        front.translate_serenity_frame(r#"{"op":2,"d":{"token":"t"}}"#.into());
        assert_eq!(*front.seqs.lock().unwrap(), Seqs::default());
        // The new session's message 2 is a new message, decided.
        assert_eq!(front.route(message(2, 200)), None);
        assert_eq!(lane_ids(&mut lane), vec![100, 200]);
    }

    #[test]
    fn compressed_payloads_are_read() {
        use std::io::Write as _;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(other(1).as_bytes()).unwrap();
        assert_eq!(inflate(&z.finish().unwrap()).unwrap(), other(1));
    }
}
