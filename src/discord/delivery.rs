//! The outbox worker: claims the next due item, performs its REST call, and records what
//! happened. It talks to Discord with its own HTTP client rather than serenity's `Http`,
//! because serenity turns a 429 into an error without `retry_after` when its rate limiter is off
//! (which it must be behind a proxy) — and honouring `retry_after` is the worker's job.
//!
//! It never decides from serenity's cache: the cache learns of a role change only from a
//! GUILD_MEMBER_UPDATE that trails the REST answer, and role PUT/DELETE are idempotent on
//! Discord, so every role change is sent.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::sync::OnceCell;
use tokio::task::JoinSet;

use crate::clock::{from_millis, to_millis};
use crate::discord::rate_limits::RateLimiter;
use crate::health::DiscordAuth;
use crate::jobs::Job;
use crate::modlog;
use crate::outbox::limits::RateHeaders;
use crate::outbox::policy::{backoff, decide, pause_all, Outcome, Response, MISSING_PERMISSIONS};
use crate::outbox::store::{self, OutboxRow};
use crate::outbox::{Effect, FileAttachment, MessageBody};
use crate::state::AppState;
use crate::t;

/// Discord's documented limit for `X-Audit-Log-Reason`, in characters.
const MAX_REASON_CHARS: usize = 512;
/// This many items failing with "Missing Permissions" within [`PERMISSION_RUN_WINDOW`] mean the server's
/// setup changed: delivery pauses for [`PERMISSION_PAUSE`] instead of burning the queue.
const PERMISSION_RUN: usize = 5;
const PERMISSION_RUN_WINDOW: chrono::Duration = chrono::Duration::seconds(60);
/// How many recent messages to read when checking whether an uncertain post landed.
const RECENT_MESSAGES: u32 = 50;

/// A minimal Discord REST client for side effects.
#[derive(Clone)]
pub struct Rest {
    client: reqwest::Client,
    base: String,
    authorization: String,
}

impl Rest {
    /// The bot's user id, read from its token (`None` when the token does not carry it).
    fn bot_id(&self) -> Option<u64> {
        let token = self.authorization.trim_start_matches("Bot ");
        crate::discord::invite::client_id_of(token)
    }
}

impl std::fmt::Debug for Rest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the token.
        f.debug_struct("Rest")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

/// Percent-encodes an audit-log reason, as Discord requires for the header, after cutting it to
/// Discord's limit on a character boundary (never inside a Chinese character).
fn encode_reason(reason: &str) -> String {
    let cut: String = reason.chars().take(MAX_REASON_CHARS).collect();
    let mut out = String::with_capacity(cut.len());
    for byte in cut.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~ ".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

impl Rest {
    pub fn new(api_url: &str, token: &str) -> Rest {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .user_agent("DiscordBot (https://github.com/lyceum, 0.1) Lyceum")
            .build()
            .expect("the HTTP client builds");
        Rest {
            client,
            base: format!("{}/api/v10", api_url.trim_end_matches('/')),
            authorization: format!("Bot {token}"),
        }
    }

    /// One call; returns the policy's view of the response, the JSON body if any, and what
    /// the answer said about rate limits (None when no answer came). With files, the body goes
    /// as Discord's multipart form (`payload_json` and `files[n]`, each named in the payload's
    /// `attachments`).
    async fn call_with_files(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        files: &[FileAttachment],
        reason: Option<&str>,
    ) -> (Response, Option<Value>, Option<RateHeaders>) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("Authorization", &self.authorization);
        if let Some(reason) = reason.filter(|r| !r.is_empty()) {
            request = request.header("X-Audit-Log-Reason", encode_reason(reason));
        }
        request = with_body(request, body, files);
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => {
                return (
                    Response::Unreachable(e.without_url().to_string()),
                    None,
                    None,
                )
            }
        };
        read_response(response).await
    }
}

/// The request with its body: JSON, multipart with the files beside the JSON, or an explicit
/// empty body.
fn with_body(
    request: reqwest::RequestBuilder,
    body: Option<Value>,
    files: &[FileAttachment],
) -> reqwest::RequestBuilder {
    match body {
        Some(mut body) if !files.is_empty() => {
            body["attachments"] = files
                .iter()
                .enumerate()
                .map(|(i, f)| json!({ "id": i, "filename": f.filename }))
                .collect();
            let mut form = reqwest::multipart::Form::new().text("payload_json", body.to_string());
            for (i, f) in files.iter().enumerate() {
                let mime = if f.filename.ends_with(".png") {
                    "image/png"
                } else {
                    "application/octet-stream"
                };
                let part = reqwest::multipart::Part::bytes(f.data.clone())
                    .file_name(f.filename.clone())
                    .mime_str(mime)
                    .expect("a valid MIME type");
                form = form.part(format!("files[{i}]"), part);
            }
            request.multipart(form)
        }
        Some(body) => request.json(&body),
        // Discord answers 411 to a body-less PUT without `Content-Length: 0`.
        None => request.header("Content-Length", "0").body(""),
    }
}

/// Discord's answer as the outbox reads it: the status with its retry-after and message, the
/// JSON body, and the rate-limit headers.
async fn read_response(
    response: reqwest::Response,
) -> (Response, Option<Value>, Option<RateHeaders>) {
    let status = response.status();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let header_retry = header("retry-after").and_then(|v| v.parse::<f64>().ok());
    let mut limits = RateHeaders {
        status: status.as_u16(),
        bucket: header("x-ratelimit-bucket"),
        remaining: header("x-ratelimit-remaining").and_then(|v| v.parse().ok()),
        reset_after: header("x-ratelimit-reset-after").and_then(|v| v.parse().ok()),
        retry_after: None,
        global: header("x-ratelimit-global").is_some_and(|v| v == "true"),
    };
    let json: Option<Value> = if status == StatusCode::NO_CONTENT {
        None
    } else {
        response.json().await.ok()
    };
    let retry_after = json
        .as_ref()
        .and_then(|j| j.get("retry_after"))
        .and_then(Value::as_f64)
        .or(header_retry);
    let message = json
        .as_ref()
        .map(|j| {
            let text = j.get("message").and_then(Value::as_str).unwrap_or("");
            match j.get("code").and_then(Value::as_i64) {
                Some(code) if code != 0 => format!("{text} (code {code})"),
                _ => text.to_string(),
            }
        })
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("").to_string());
    let global = json
        .as_ref()
        .and_then(|j| j.get("global"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
        || limits.global;
    limits.retry_after = retry_after;
    limits.global = global;
    (
        Response::Status {
            status: status.as_u16(),
            retry_after,
            message,
            global,
        },
        json,
        Some(limits),
    )
}

fn message_json(body: &MessageBody, nonce: &str) -> Value {
    json!({
        "content": body.content,
        "embeds": body.embeds,
        "components": body.components,
        // Mod-log lines and announcements mention people without pinging them.
        "allowed_mentions": { "parse": [] },
        // Discord returns the first message for a repeated nonce for a few minutes, so a quick
        // retry after a lost response cannot post twice; later retries check the channel.
        "nonce": nonce,
        "enforce_nonce": true,
    })
}

/// Whether an earlier attempt at this item may have done its work without us learning so:
/// a 5xx, a 408 or a network error can come after Discord created the message. A 429 or a
/// refused token cannot.
fn outcome_was_uncertain(row: &OutboxRow) -> bool {
    row.attempts > 0
        && row
            .last_error
            .as_deref()
            .is_some_and(|e| !e.starts_with("429") && !e.starts_with("401"))
}

/// Discord's error code for a member who is not in the server.
const UNKNOWN_MEMBER: &str = "(code 10007)";
/// Discord's error code for a role that no longer exists.
const UNKNOWN_ROLE: &str = "(code 10011)";

/// What a role change's answer means beyond the general policy (`general`): a member who left
/// cannot hold or lose a role (a rejoin restores what their grants cover); a deleted role is
/// held by nobody; any other refusal of a removal leaves a member with access they should not
/// have, so it is retried with backoff and reported instead of failed for good.
fn role_outcome(add: bool, response: &Response, general: Outcome, after: Duration) -> Outcome {
    let Response::Status {
        status: status @ (403 | 404),
        message,
        ..
    } = response
    else {
        return general;
    };
    if *status == 404 && message.contains(UNKNOWN_MEMBER) {
        return Outcome::Skipped("the member is not in the server".into());
    }
    if !add && *status == 404 && message.contains(UNKNOWN_ROLE) {
        return Outcome::Skipped("the role no longer exists".into());
    }
    match general {
        Outcome::Failed(error) if !add => Outcome::Refused { after, error },
        other => other,
    }
}

/// The instant a Discord message object says it was created.
fn message_time(message: &Value) -> Option<DateTime<Utc>> {
    let stamp = message.get("timestamp")?.as_str()?;
    DateTime::parse_from_rfc3339(stamp)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// When the outbox worker looks for due items while its slots are busy.
const SLOT_POLL: Duration = Duration::from_millis(250);

/// Where a closed DM goes instead (see [`Effect::InboxThread`]).
struct InboxTo<'a> {
    channel_id: serenity::all::ChannelId,
    user_id: serenity::all::UserId,
    name: &'a str,
}

/// What a forum post is made of (see [`Effect::CreateForumPost`]).
struct ForumPost<'a> {
    guild_id: serenity::all::GuildId,
    channel_id: serenity::all::ChannelId,
    name: &'a str,
    body: &'a MessageBody,
}

/// Whether two RFC 3339 timestamps are the same instant (Discord answers with `+00:00` and
/// microseconds where the bot wrote `Z`).
fn same_instant(a: &Value, b: &Value) -> bool {
    let parse = |v: &Value| {
        v.as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
    };
    matches!((parse(a), parse(b)), (Some(a), Some(b)) if a == b)
}

/// The one REST call a plain effect is: method, path, body, audit-log reason, and what a 404
/// means when it means the work is already done.
struct Request<'a> {
    method: Method,
    path: String,
    body: Option<Value>,
    reason: Option<&'a str>,
    gone: Option<&'static str>,
}

impl<'a> Request<'a> {
    fn of(effect: &'a Effect) -> Option<Request<'a>> {
        let request = |method, path, body, reason: &'a str, gone| Request {
            method,
            path,
            body,
            reason: Some(reason),
            gone,
        };
        Some(match effect {
            Effect::DeleteMessage {
                channel_id,
                message_id,
                reason,
            } => request(
                Method::DELETE,
                format!("/channels/{channel_id}/messages/{message_id}"),
                None,
                reason,
                Some("message was already gone"),
            ),
            Effect::TimeoutMember {
                guild_id,
                user_id,
                until,
                reason,
            } => request(
                Method::PATCH,
                format!("/guilds/{guild_id}/members/{user_id}"),
                Some(json!({ "communication_disabled_until": until.map(|u| u.to_rfc3339()) })),
                reason,
                None,
            ),
            Effect::KickMember {
                guild_id,
                user_id,
                reason,
            } => request(
                Method::DELETE,
                format!("/guilds/{guild_id}/members/{user_id}"),
                None,
                reason,
                Some("the member had already left"),
            ),
            Effect::BanMember {
                guild_id,
                user_id,
                reason,
            } => request(
                Method::PUT,
                format!("/guilds/{guild_id}/bans/{user_id}"),
                Some(json!({ "delete_message_seconds": 0 })),
                reason,
                None,
            ),
            Effect::SetChannelPermission {
                channel_id,
                overwrite_id,
                target_type,
                allow,
                deny,
                reason,
            } => request(
                Method::PUT,
                format!("/channels/{channel_id}/permissions/{overwrite_id}"),
                // Discord takes permission bitsets as strings.
                Some(
                    json!({ "type": target_type, "allow": allow.to_string(), "deny": deny.to_string() }),
                ),
                reason,
                None,
            ),
            _ => return None,
        })
    }
}

/// Delivers outbox items until told to stop: up to `outbox.concurrency` at once, to different
/// targets (a target's items are claimed only when its previous one is finished), each REST
/// call within Discord's limits.
pub struct Worker {
    courier: Arc<Courier>,
    running: tokio::sync::Mutex<JoinSet<()>>,
    /// New items were committed (its own listener: the job loop has another).
    committed: Arc<tokio::sync::Notify>,
}

impl Worker {
    pub fn new(state: AppState, rest: Rest) -> Worker {
        let global = state.config.snapshot().outbox.global_rate_limit;
        let committed = state.wakes.listen(crate::state::Topic::OUTBOX);
        Worker {
            committed,
            courier: Arc::new(Courier {
                state,
                rest,
                limiter: Arc::new(RateLimiter::new(global)),
                bot_id: OnceCell::new(),
                paused_until: Mutex::new(None),
                unrecorded: Mutex::new(Vec::new()),
                auth_failures: AtomicU32::new(0),
                missing_permissions: Mutex::new(VecDeque::new()),
                unreadable_warned: Mutex::new(HashSet::new()),
                created: Mutex::new(HashMap::new()),
                in_flight: Mutex::new(HashSet::new()),
            }),
            running: tokio::sync::Mutex::new(JoinSet::new()),
        }
    }

    /// The rate limiter its deliveries pass, for the bot's other REST calls to share.
    pub fn limiter(&self) -> Arc<RateLimiter> {
        self.courier.limiter.clone()
    }
}

/// What one delivery needs; shared by the deliveries in flight.
struct Courier {
    state: AppState,
    rest: Rest,
    limiter: Arc<RateLimiter>,
    /// The bot's own user id, learned once (for recognising its own messages).
    bot_id: OnceCell<String>,
    /// Set by a global 429, a 401 or a run of permission failures: nothing is claimed before
    /// this instant.
    paused_until: Mutex<Option<DateTime<Utc>>>,
    /// Outcomes whose bookkeeping write failed: recorded before anything else is claimed, so
    /// the worker never loses track of an item it holds.
    unrecorded: Mutex<Vec<(OutboxRow, Outcome)>>,
    /// 401 answers in a row.
    auth_failures: AtomicU32,
    /// Recent "Missing Permissions" failures: when, and which item (its latest only).
    missing_permissions: Mutex<VecDeque<(DateTime<Utc>, i64)>>,
    /// Kinds this build could not read, warned about once each.
    unreadable_warned: Mutex<HashSet<String>>,
    /// Messages posts just created (item id → message id), recorded with their outcome.
    created: Mutex<HashMap<i64, u64>>,
    /// Items whose delivery is running: never claimed again while it runs, even past the lease.
    in_flight: Mutex<HashSet<i64>>,
}

/// Takes an item out of [`Courier::in_flight`] when its delivery ends (recorded, held for a
/// later write, or panicked).
struct InFlight(Arc<Courier>, i64);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0
            .in_flight
            .lock()
            .expect("in-flight lock")
            .remove(&self.1);
    }
}

impl Courier {
    fn pause_until(&self, until: DateTime<Utc>) {
        let mut paused = self.paused_until.lock().expect("pause lock");
        if paused.is_none_or(|p| p < until) {
            *paused = Some(until);
        }
    }

    fn pause_for(&self, pause: Duration) -> DateTime<Utc> {
        let until = self.state.clock.now() + chrono::Duration::from_std(pause).unwrap_or_default();
        self.pause_until(until);
        until
    }

    fn paused_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut paused = self.paused_until.lock().expect("pause lock");
        match *paused {
            Some(until) if until > now => Some(until),
            _ => {
                *paused = None;
                None
            }
        }
    }

    /// What every response teaches, whatever the item: rate-limit pauses and the token's state.
    fn observe(&self, response: &Response) {
        if let Some(pause) = pause_all(response) {
            tracing::warn!(?pause, "Discord asked for a pause; holding every delivery");
            self.pause_for(pause);
        }
        match response {
            Response::Status { status: 401, .. } => {
                // From `outbox.retry_base`, doubling per 401 in a row, up to `retry_max`: a
                // refused token never turns into a burst of 401s (Discord bans an IP that
                // sends 10,000 invalid requests in 10 minutes).
                let failures = self.auth_failures.fetch_add(1, Ordering::SeqCst) + 1;
                let outbox = self.state.config.snapshot().outbox.clone();
                let pause = backoff(failures, outbox.retry_base, outbox.retry_max, 1.0);
                if failures == 1 {
                    tracing::error!(
                        ?pause,
                        "Discord refused the bot token (401); delivery paused, items stay pending. Was the token reset? Set the new DISCORD_TOKEN and restart."
                    );
                } else {
                    tracing::warn!(failures, ?pause, "Discord still refuses the bot token");
                }
                self.state
                    .health
                    .set_discord_auth(DiscordAuth::Unauthorized);
                self.pause_for(pause);
            }
            Response::Status { .. } => {
                if self.auth_failures.swap(0, Ordering::SeqCst) > 0 {
                    tracing::info!("Discord accepts the bot token again; delivery resumes");
                }
                self.state.health.set_discord_auth(DiscordAuth::Ok);
            }
            Response::Unreachable(_) => {}
        }
    }

    /// Turns a response into the item's outcome.
    fn conclude(&self, response: &Response, attempt: u32) -> Outcome {
        let config = self.state.config.snapshot();
        let (base, max) = (config.outbox.retry_base, config.outbox.retry_max);
        decide(response, attempt, base, max, rand::thread_rng().gen())
    }

    /// Performs one effect. `attempt` counts this one (1 for the first try).
    async fn perform(&self, row: &OutboxRow, attempt: u32, effect: &Effect) -> Outcome {
        let priority = effect.priority();
        match effect {
            Effect::AddRole {
                guild_id,
                user_id,
                role_id,
                reason,
            } => {
                self.converge_role(
                    attempt, priority, true, *guild_id, *user_id, *role_id, reason,
                )
                .await
            }
            Effect::RemoveRole {
                guild_id,
                user_id,
                role_id,
                reason,
            } => {
                self.converge_role(
                    attempt, priority, false, *guild_id, *user_id, *role_id, reason,
                )
                .await
            }
            Effect::SendMessage { channel_id, body } => {
                self.post_once(row, attempt, priority, &channel_id.to_string(), body)
                    .await
            }
            Effect::SendDm { user_id, body } => {
                self.send_dm(row, attempt, priority, *user_id, body).await
            }
            Effect::DeleteMessage { .. }
            | Effect::TimeoutMember { .. }
            | Effect::KickMember { .. }
            | Effect::BanMember { .. }
            | Effect::SetChannelPermission { .. } => self.plain(attempt, priority, effect).await,
            Effect::EditPost {
                channel_id,
                outbox_id,
                body,
            } => {
                self.edit_post(attempt, priority, *channel_id, *outbox_id, body)
                    .await
            }
            Effect::PinPost {
                channel_id,
                outbox_id,
            } => {
                self.pin_post(attempt, priority, *channel_id, *outbox_id)
                    .await
            }
            Effect::CreateForumPost {
                guild_id,
                channel_id,
                name,
                body,
            } => {
                let post = ForumPost {
                    guild_id: *guild_id,
                    channel_id: *channel_id,
                    name,
                    body,
                };
                self.create_forum_post(row, attempt, priority, &post).await
            }
            Effect::InboxThread {
                channel_id,
                user_id,
                name,
                body,
            } => {
                let to = InboxTo {
                    channel_id: *channel_id,
                    user_id: *user_id,
                    name,
                };
                self.inbox_thread(row, attempt, priority, &to, body).await
            }
            Effect::CreateScheduledEvent { guild_id, body } => {
                self.create_scheduled_event(row, attempt, priority, *guild_id, body)
                    .await
            }
            Effect::EditScheduledEvent {
                guild_id,
                outbox_id,
                body,
            } => {
                self.edit_scheduled_event(attempt, priority, *guild_id, *outbox_id, body)
                    .await
            }
        }
    }

    /// A closed DM's fallback: the member's private thread under the inbox channel (found
    /// again on a retry, never opened twice), the member added to it, then the message posted
    /// in it once.
    async fn inbox_thread(
        &self,
        row: &OutboxRow,
        attempt: u32,
        priority: i64,
        to: &InboxTo<'_>,
        body: &MessageBody,
    ) -> Outcome {
        let thread = match self.find_thread(attempt, priority, to).await {
            Some(thread) => thread,
            None => {
                let payload = json!({
                    "name": to.name,
                    "type": 12,
                    "invitable": false,
                    "auto_archive_duration": 10080,
                });
                let path = format!("/channels/{}/threads", to.channel_id);
                let (response, created) = self
                    .call(priority, Method::POST, &path, Some(payload), None)
                    .await;
                match created
                    .as_ref()
                    .and_then(|c| c["id"].as_str())
                    .and_then(|id| id.parse::<u64>().ok())
                {
                    Some(id) => id,
                    None => return self.conclude(&response, attempt),
                }
            }
        };
        let path = format!("/channels/{thread}/thread-members/{}", to.user_id);
        let (response, _) = self.call(priority, Method::PUT, &path, None, None).await;
        if !matches!(
            response,
            Response::Status {
                status: 200..=299,
                ..
            }
        ) {
            return self.conclude(&response, attempt);
        }
        self.post_once(row, attempt, priority, &thread.to_string(), body)
            .await
    }

    /// On a retry, the inbox thread an earlier attempt may have opened (by parent and name).
    async fn find_thread(&self, attempt: u32, priority: i64, to: &InboxTo<'_>) -> Option<u64> {
        if attempt == 1 {
            return None;
        }
        let guild = self.state.config.snapshot().discord.guild_id;
        let path = format!("/guilds/{guild}/threads/active");
        let (_, listed) = self.call(priority, Method::GET, &path, None, None).await;
        listed
            .as_ref()
            .and_then(|l| l["threads"].as_array())
            .and_then(|threads| {
                threads.iter().find(|t| {
                    t["parent_id"] == json!(to.channel_id.to_string())
                        && t["name"] == json!(to.name)
                })
            })
            .and_then(|t| t["id"].as_str())
            .and_then(|id| id.parse::<u64>().ok())
    }

    /// A delete, timeout, kick, ban or permission change: one request; a 404 where the target
    /// is gone ends it as skipped.
    async fn plain(&self, attempt: u32, priority: i64, effect: &Effect) -> Outcome {
        let Some(request) = Request::of(effect) else {
            unreachable!("every plain effect has a request");
        };
        let (response, _) = self
            .call(
                priority,
                request.method,
                &request.path,
                request.body,
                request.reason,
            )
            .await;
        if let (Response::Status { status: 404, .. }, Some(gone)) = (&response, request.gone) {
            return Outcome::Skipped(gone.into());
        }
        self.conclude(&response, attempt)
    }

    /// An edit of a scheduled event this outbox created (found by the item that created it).
    async fn edit_scheduled_event(
        &self,
        attempt: u32,
        priority: i64,
        guild_id: serenity::all::GuildId,
        outbox_id: i64,
        body: &serde_json::Value,
    ) -> Outcome {
        let Some(event) = self.created_by(outbox_id).await else {
            return Outcome::Failed("the event was never created in Discord".into());
        };
        let path = format!("/guilds/{guild_id}/scheduled-events/{event}");
        let (response, _) = self
            .call(priority, Method::PATCH, &path, Some(body.clone()), None)
            .await;
        self.conclude(&response, attempt)
    }

    /// A DM: opens (or finds) the DM channel, then posts once in it.
    async fn send_dm(
        &self,
        row: &OutboxRow,
        attempt: u32,
        priority: i64,
        user_id: serenity::all::UserId,
        body: &MessageBody,
    ) -> Outcome {
        let open = json!({ "recipient_id": user_id.to_string() });
        let (response, channel) = self
            .call(
                priority,
                Method::POST,
                "/users/@me/channels",
                Some(open),
                None,
            )
            .await;
        let ok = matches!(response, Response::Status { status, .. } if status < 300);
        if !ok {
            return self.conclude(&response, attempt);
        }
        let channel_id = channel
            .as_ref()
            .and_then(|c| c.get("id"))
            .and_then(Value::as_str);
        let Some(channel_id) = channel_id else {
            // Without a channel nothing was sent: try again, never call it delivered.
            return self.conclude(
                &Response::status(502, "DM channel answer carried no channel id"),
                attempt,
            );
        };
        self.post_once(row, attempt, priority, channel_id, body)
            .await
    }

    /// Edits the message an earlier outbox item posted (a feedback post's status).
    async fn edit_post(
        &self,
        attempt: u32,
        priority: i64,
        channel_id: serenity::all::ChannelId,
        outbox_id: i64,
        body: &MessageBody,
    ) -> Outcome {
        let Some(message) = self.created_by(outbox_id).await else {
            return Outcome::Failed("the earlier post has no message to edit".into());
        };
        let path = format!("/channels/{channel_id}/messages/{message}");
        let payload = json!({
            "content": body.content,
            "embeds": body.embeds,
            "components": body.components,
            "allowed_mentions": { "parse": [] },
        });
        let (response, _) = self
            .call(priority, Method::PATCH, &path, Some(payload), None)
            .await;
        self.conclude(&response, attempt)
    }

    /// The id Discord gave what outbox item `outbox_id` created (a message, a forum post, a
    /// scheduled event); `None` when it was never created.
    async fn created_by(&self, outbox_id: i64) -> Option<u64> {
        store::message_id_of(&self.state.db, outbox_id)
            .await
            .ok()
            .flatten()
    }

    /// Keeps the id of what `row` just created (from Discord's answer), for later edits.
    async fn remember_created(&self, row: &OutboxRow, created: Option<&Value>) {
        if let Some(id) = created
            .and_then(|c| c["id"].as_str())
            .and_then(|id| id.parse::<u64>().ok())
        {
            let _ = store::set_message_id(&self.state.db, row.id, id).await;
        }
    }

    /// Posts in a forum once. Discord takes no nonce for a forum post, so a retry after an
    /// attempt whose outcome is unknown first looks among the guild's active threads for the
    /// bot's post of that name in that forum and adopts it.
    async fn create_forum_post(
        &self,
        row: &OutboxRow,
        attempt: u32,
        priority: i64,
        post: &ForumPost<'_>,
    ) -> Outcome {
        let ForumPost {
            guild_id,
            channel_id,
            name,
            body,
        } = *post;
        if attempt > 1 {
            let path = format!("/guilds/{guild_id}/threads/active");
            let (_, listed) = self.call(priority, Method::GET, &path, None, None).await;
            let bot = self.rest.bot_id().map(|b| b.to_string());
            let found = listed
                .as_ref()
                .and_then(|l| l["threads"].as_array())
                .and_then(|threads| {
                    threads.iter().find(|t| {
                        t["parent_id"] == json!(channel_id.to_string())
                            && t["name"] == json!(name)
                            && bot.as_deref().is_none_or(|b| t["owner_id"] == json!(b))
                    })
                })
                .and_then(|t| t["id"].as_str())
                .and_then(|id| id.parse::<u64>().ok());
            if let Some(id) = found {
                let _ = store::set_message_id(&self.state.db, row.id, id).await;
                return Outcome::Delivered;
            }
        }
        let payload = json!({
            "name": name,
            "message": {
                "content": body.content,
                "embeds": body.embeds,
                "components": body.components,
                "allowed_mentions": { "parse": [] },
            },
        });
        let path = format!("/channels/{channel_id}/threads");
        let (response, created) = self
            .call(priority, Method::POST, &path, Some(payload), None)
            .await;
        self.remember_created(row, created.as_ref()).await;
        self.conclude(&response, attempt)
    }

    /// Creates a scheduled event once. Discord has no nonce for events, so a retry after an
    /// attempt whose outcome is unknown first looks for the event among the guild's (same name
    /// and start) and adopts it instead of creating a second.
    async fn create_scheduled_event(
        &self,
        row: &OutboxRow,
        attempt: u32,
        priority: i64,
        guild_id: serenity::all::GuildId,
        body: &Value,
    ) -> Outcome {
        let path = format!("/guilds/{guild_id}/scheduled-events");
        if attempt > 1 {
            let (_, listed) = self.call(priority, Method::GET, &path, None, None).await;
            let same = |e: &&Value| {
                e["name"] == body["name"]
                    && same_instant(&e["scheduled_start_time"], &body["scheduled_start_time"])
            };
            let found = listed
                .as_ref()
                .and_then(Value::as_array)
                .and_then(|events| events.iter().find(same))
                .and_then(|e| e["id"].as_str())
                .and_then(|id| id.parse::<u64>().ok());
            if let Some(id) = found {
                let _ = store::set_message_id(&self.state.db, row.id, id).await;
                return Outcome::Delivered;
            }
        }
        let (response, created) = self
            .call(priority, Method::POST, &path, Some(body.clone()), None)
            .await;
        self.remember_created(row, created.as_ref()).await;
        self.conclude(&response, attempt)
    }

    /// Pins an earlier outbox post (Discord: `PUT /channels/{c}/pins/{m}`; pinning a pinned
    /// message changes nothing, so a retry is harmless).
    async fn pin_post(
        &self,
        attempt: u32,
        priority: i64,
        channel_id: serenity::all::ChannelId,
        outbox_id: i64,
    ) -> Outcome {
        let Some(message) = self.created_by(outbox_id).await else {
            return Outcome::Failed("the earlier post has no message to pin".into());
        };
        let path = format!("/channels/{channel_id}/pins/{message}");
        let (response, _) = self
            .call(
                priority,
                Method::PUT,
                &path,
                None,
                Some("Lyceum: 精华 index"),
            )
            .await;
        self.conclude(&response, attempt)
    }

    /// Makes (member, role) match the truth as it stands now, not as it stood when the change
    /// was queued: an add or removal that is no longer true is skipped with a note, so a retry
    /// (or `/admin retry`) after a revoke cannot restore access and a stale removal cannot
    /// undo a renewal. A role nobody manages is changed as asked.
    #[allow(clippy::too_many_arguments)]
    async fn converge_role(
        &self,
        attempt: u32,
        priority: i64,
        add: bool,
        guild_id: serenity::all::GuildId,
        user_id: serenity::all::UserId,
        role_id: serenity::all::RoleId,
        reason: &str,
    ) -> Outcome {
        let config = self.state.config.snapshot();
        let now = self.state.clock.now();
        let wanted = self
            .state
            .roles
            .wanted(&self.state.db, &config, user_id, role_id, now)
            .await;
        match wanted {
            Ok(Some(wanted)) if wanted != add => {
                return Outcome::Skipped(if wanted {
                    format!("obsolete: <@{user_id}> should still hold <@&{role_id}>")
                } else {
                    format!("obsolete: <@{user_id}> should no longer hold <@&{role_id}>")
                });
            }
            Ok(_) => {}
            Err(e) => {
                // Without the truth nothing is sent; the database is back soon or /healthz says so.
                return self.conclude(
                    &Response::Unreachable(format!("reading who should hold the role: {e}")),
                    attempt,
                );
            }
        }
        let path = format!("/guilds/{guild_id}/members/{user_id}/roles/{role_id}");
        let method = if add { Method::PUT } else { Method::DELETE };
        let (response, _) = self.call(priority, method, &path, None, Some(reason)).await;
        let (base, max) = (config.outbox.retry_base, config.outbox.retry_max);
        let after = backoff(attempt, base, max, rand::thread_rng().gen());
        role_outcome(add, &response, self.conclude(&response, attempt), after)
    }

    /// One REST call, sent when Discord's limits allow (`priority` orders the wait for the
    /// global limit), observed for pauses and the token's state.
    async fn call(
        &self,
        priority: i64,
        method: Method,
        path: &str,
        body: Option<Value>,
        reason: Option<&str>,
    ) -> (Response, Option<Value>) {
        self.call_with_files(priority, method, path, body, &[], reason)
            .await
    }

    async fn call_with_files(
        &self,
        priority: i64,
        method: Method,
        path: &str,
        body: Option<Value>,
        files: &[FileAttachment],
        reason: Option<&str>,
    ) -> (Response, Option<Value>) {
        let ticket = self.limiter.acquire(&method, path, priority).await;
        let (response, json, limits) = self
            .rest
            .call_with_files(method, path, body, files, reason)
            .await;
        self.limiter.observe(ticket, limits.as_ref());
        self.observe(&response);
        (response, json)
    }

    /// Creates a message in `channel_id` at most once. The item's id is the nonce, so a retry
    /// inside Discord's nonce window cannot post twice; past the window, a retry after an
    /// uncertain attempt first looks for the message among the channel's recent ones.
    async fn post_once(
        &self,
        row: &OutboxRow,
        attempt: u32,
        priority: i64,
        channel_id: &str,
        body: &MessageBody,
    ) -> Outcome {
        let window = self.state.config.snapshot().outbox.nonce_window;
        let now = to_millis(self.state.clock.now());
        let first = row.first_attempt_at.unwrap_or(now);
        let past_window = now - first >= window.as_millis() as i64;
        if outcome_was_uncertain(row) && past_window {
            match self.find_posted(priority, channel_id, body, first).await {
                Ok(Some(id)) => {
                    tracing::info!(
                        item = row.id,
                        message = id,
                        "an earlier attempt had posted the message; not posting it again"
                    );
                    return Outcome::Delivered;
                }
                Ok(None) => {}
                Err(response) => return self.conclude(&response, attempt),
            }
        }
        let path = format!("/channels/{channel_id}/messages");
        let payload = message_json(body, &format!("lyceum-{}", row.id));
        let (response, created) = self
            .call_with_files(
                priority,
                Method::POST,
                &path,
                Some(payload),
                &body.files,
                None,
            )
            .await;
        let message = created
            .as_ref()
            .and_then(|m| m.get("id"))
            .and_then(Value::as_str)
            .and_then(|id| id.parse::<u64>().ok());
        if let Some(message) = message {
            self.created
                .lock()
                .expect("created lock")
                .insert(row.id, message);
        }
        self.conclude(&response, attempt)
    }

    /// The bot's own user id (one `GET /users/@me`, then remembered).
    async fn bot_id(&self, priority: i64) -> Result<&str, Response> {
        self.bot_id
            .get_or_try_init(|| async {
                let (response, me) = self
                    .call(priority, Method::GET, "/users/@me", None, None)
                    .await;
                me.as_ref()
                    .and_then(|m| m.get("id"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or(response)
            })
            .await
            .map(String::as_str)
    }

    /// The id of a message the bot posted in `channel_id` since `since_ms` with this body, if
    /// one is among the recent messages. Discord does not return nonces when reading
    /// messages, so the match is on author, content and embeds; per-channel order means no
    /// other item of ours was posted in this channel after this one was first tried.
    async fn find_posted(
        &self,
        priority: i64,
        channel_id: &str,
        body: &MessageBody,
        since_ms: i64,
    ) -> Result<Option<String>, Response> {
        let bot = self.bot_id(priority).await?.to_string();
        let path = format!("/channels/{channel_id}/messages?limit={RECENT_MESSAGES}");
        let (response, messages) = self.call(priority, Method::GET, &path, None, None).await;
        let Some(Value::Array(messages)) = messages else {
            return Err(response);
        };
        // Allow for clock skew between this machine and Discord.
        let since = from_millis(since_ms) - chrono::Duration::seconds(5);
        let found = messages.iter().find(|m| {
            m["author"]["id"].as_str() == Some(bot.as_str())
                && m["content"].as_str() == Some(body.content.as_str())
                && m["embeds"].as_array().map_or(0, Vec::len) == body.embeds.len()
                && message_time(m).is_some_and(|t| t >= since)
        });
        Ok(found.and_then(|m| m["id"].as_str().map(str::to_string)))
    }

    /// Delivers one claimed item and records the outcome (held for a later write when the
    /// bookkeeping write fails).
    async fn deliver(&self, row: OutboxRow) {
        let effect = match row.effect() {
            Ok(effect) => effect,
            Err(e) => {
                if let Err(error) = self.park_unreadable(&row, &e).await {
                    // Its claim runs out and it is read again then.
                    tracing::error!(id = row.id, error = ?error, "could not park an unreadable outbox item");
                }
                return;
            }
        };
        let attempt = u32::try_from(row.attempts)
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        let outcome = self.perform(&row, attempt, &effect).await;
        if let Err(e) = self.record(&row, outcome.clone()).await {
            tracing::error!(id = row.id, error = ?e, "could not record an outbox outcome; holding it");
            self.unrecorded
                .lock()
                .expect("unrecorded lock")
                .push((row, outcome));
        }
    }

    /// Records outcomes whose first bookkeeping write failed.
    async fn record_held(&self) -> anyhow::Result<()> {
        let held = std::mem::take(&mut *self.unrecorded.lock().expect("unrecorded lock"));
        let mut rest = held.into_iter();
        while let Some((row, outcome)) = rest.next() {
            if let Err(e) = self.record(&row, outcome.clone()).await {
                let mut unrecorded = self.unrecorded.lock().expect("unrecorded lock");
                unrecorded.push((row, outcome));
                unrecorded.extend(rest);
                return Err(e);
            }
            tracing::info!(id = row.id, "recorded an outcome held after a failed write");
        }
        Ok(())
    }

    /// A payload this build cannot read was written by a newer build (a rollback): it stays
    /// pending for a build that knows it, holding its target's place in line.
    async fn park_unreadable(
        &self,
        row: &OutboxRow,
        error: &serde_json::Error,
    ) -> anyhow::Result<()> {
        let first = self
            .unreadable_warned
            .lock()
            .expect("unreadable lock")
            .insert(row.kind.clone());
        if first {
            tracing::warn!(
                kind = row.kind,
                id = row.id,
                error = %error,
                "outbox items of this kind were written by a newer Lyceum; they stay pending until it runs again"
            );
        }
        let why = format!("waiting for a Lyceum build that knows `{}`", row.kind);
        store::park(&self.state.db, row.id, &why).await?;
        Ok(())
    }

    async fn record(&self, row: &OutboxRow, outcome: Outcome) -> anyhow::Result<()> {
        let db = &self.state.db;
        let now = self.state.clock.now();
        match outcome {
            Outcome::Delivered => {
                tracing::info!(id = row.id, kind = row.kind, "outbox item delivered");
                let created = self.created.lock().expect("created lock").remove(&row.id);
                if let Some(message) = created {
                    store::set_message_id(db, row.id, message).await?;
                }
                store::finish(db, row.id, crate::outbox::Status::Delivered, None, now).await?;
            }
            Outcome::Skipped(why) => {
                tracing::info!(id = row.id, kind = row.kind, why, "outbox item skipped");
                store::finish(db, row.id, crate::outbox::Status::Skipped, Some(&why), now).await?;
            }
            Outcome::Failed(why) => {
                tracing::warn!(
                    id = row.id,
                    kind = row.kind,
                    why,
                    "outbox item failed permanently"
                );
                store::finish(db, row.id, crate::outbox::Status::Failed, Some(&why), now).await?;
                self.report_refused_cancel(row, &why, now).await?;
                self.report_closed_dms(row, &why, now).await?;
                if why.contains(&format!("(code {MISSING_PERMISSIONS})")) {
                    self.note_missing_permissions(row.id, now).await?;
                }
            }
            Outcome::Refused { after, error } => {
                tracing::warn!(id = row.id, kind = row.kind, error, retry_in = ?after, "Discord refused a role removal; it will be retried");
                let at = now + chrono::Duration::from_std(after).unwrap_or_default();
                store::retry_at(db, row.id, at, &error).await?;
                self.report_refused(row, &error, now).await?;
                if error.contains(&format!("(code {MISSING_PERMISSIONS})")) {
                    self.note_missing_permissions(row.id, now).await?;
                }
            }
            Outcome::Retry { after, error } => {
                tracing::warn!(id = row.id, kind = row.kind, error, retry_in = ?after, "outbox item will be retried");
                let at = now + chrono::Duration::from_std(after).unwrap_or_default();
                store::retry_at(db, row.id, at, &error).await?;
            }
            Outcome::Unauthorized(why) => {
                let at = self.paused_at(now).unwrap_or(now);
                store::release(db, row.id, at, &why).await?;
            }
        }
        Ok(())
    }

    /// Posts `text` (in the mod log's language) once for `key`, in its own write.
    async fn tell_staff_once(
        &self,
        key: &str,
        now: DateTime<Utc>,
        text: impl FnOnce(crate::i18n::Locale) -> String,
    ) -> anyhow::Result<()> {
        let config = self.state.config.snapshot();
        let mut tx = self.state.db.write.begin().await?;
        modlog::post_once(&mut tx, &config, now, key, text).await?;
        self.state.commit(tx).await?;
        Ok(())
    }

    /// When a member's DMs are closed (Discord's 50007): staff are told what was meant for them
    /// (it waits on their `/me` page and at their next command), and where the community has
    /// an inbox channel, the message goes to a private thread there that only they and staff
    /// see — in the same write, once per message.
    async fn report_closed_dms(
        &self,
        row: &OutboxRow,
        error: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        if !error.contains(&format!("(code {})", crate::outbox::policy::CANNOT_DM)) {
            return Ok(());
        }
        let Ok(Effect::SendDm { user_id, body }) = row.effect() else {
            return Ok(());
        };
        let config = self.state.config.snapshot();
        let sent: String = body.plain_text().chars().take(300).collect();
        let mut tx = self.state.db.write.begin().await?;
        modlog::post_once(
            &mut tx,
            &config,
            now,
            &format!("dm-closed:{}", row.id),
            |l| {
                t!(
                    l,
                    "modlog-dm-closed",
                    member = format!("<@{user_id}>"),
                    sent = sent.replace('\n', " ")
                )
            },
        )
        .await?;
        if let Some(inbox) = config.channels.inbox {
            let default = config.community.default_locale;
            let locale = crate::member_locale::of(&mut tx, user_id, default).await?;
            let name = crate::members::known_in(&mut tx, &[user_id.get() as i64])
                .await?
                .remove(&(user_id.get() as i64))
                .map_or_else(|| t!(locale, "inbox-someone"), |k| k.name);
            let mut body = body.clone();
            body.content = format!("{}\n\n{}", t!(locale, "inbox-intro"), body.content);
            let effect = Effect::InboxThread {
                channel_id: inbox,
                user_id,
                name: t!(locale, "inbox-thread-name", member = name)
                    .chars()
                    .take(100)
                    .collect(),
                body,
            };
            let key = format!("dm-inbox:{}", row.id);
            crate::outbox::enqueue(&mut tx, &effect, now, Some(&key)).await?;
        }
        self.state.commit(tx).await?;
        Ok(())
    }

    /// Tells staff when Discord refused to cancel an event in its Events tab: members would
    /// otherwise keep pressing Interested on an event that will not happen.
    async fn report_refused_cancel(
        &self,
        row: &OutboxRow,
        error: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let Ok(Effect::EditScheduledEvent {
            guild_id,
            outbox_id,
            body,
        }) = row.effect()
        else {
            return Ok(());
        };
        if body["status"] != serde_json::json!(crate::outbox::SCHEDULED_EVENT_CANCELED) {
            return Ok(());
        }
        let link = match self.created_by(outbox_id).await {
            Some(event) => format!("https://discord.com/events/{guild_id}/{event}"),
            None => format!("#{outbox_id}"),
        };
        self.tell_staff_once(&format!("cancel-refused:{}", row.id), now, |l| {
            t!(
                l,
                "modlog-event-cancel-refused",
                event = link.clone(),
                reason = error.to_string(),
                item = row.id
            )
        })
        .await
    }

    /// Tells staff once per item that Discord refused to take a role away: the member keeps
    /// access they should not have until the cause is fixed.
    async fn report_refused(
        &self,
        row: &OutboxRow,
        error: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let Ok(Effect::RemoveRole {
            user_id, role_id, ..
        }) = row.effect()
        else {
            return Ok(());
        };
        self.tell_staff_once(&format!("role-refused:{}", row.id), now, |l| {
            t!(
                l,
                "modlog-role-removal-refused",
                member = format!("<@{user_id}>"),
                role = format!("<@&{role_id}>"),
                reason = error.to_string(),
                item = row.id
            )
        })
        .await
    }

    /// A run of "Missing Permissions" means someone moved the bot's role or changed a
    /// channel: pause, and say so in the mod log, instead of failing the whole queue. The run
    /// counts distinct items: one stubborn item's own retries (a removal Discord keeps
    /// refusing) are one problem, not a run, and must not stop the community's deliveries.
    async fn note_missing_permissions(&self, item: i64, now: DateTime<Utc>) -> anyhow::Result<()> {
        let run = {
            let mut recent = self.missing_permissions.lock().expect("permissions lock");
            recent.retain(|(_, id)| *id != item);
            recent.push_back((now, item));
            while recent
                .front()
                .is_some_and(|(t, _)| now - *t > PERMISSION_RUN_WINDOW)
            {
                recent.pop_front();
            }
            let run = recent.len();
            if run >= PERMISSION_RUN {
                recent.clear();
            }
            run
        };
        if run < PERMISSION_RUN {
            return Ok(());
        }
        // As long as the longest retry delay (`outbox.retry_max`, 10 minutes by default).
        let config = self.state.config.snapshot();
        let pause = config.outbox.retry_max;
        self.pause_until(now + chrono::Duration::from_std(pause).unwrap_or_default());
        tracing::error!(
            failures = run,
            ?pause,
            "Discord refused several deliveries with Missing Permissions; delivery paused"
        );
        let mut tx = self.state.db.write.begin().await?;
        let seconds = pause.as_secs() as i64;
        let count = run as i64;
        modlog::post(&mut tx, &config, now, |l| {
            t!(
                l,
                "modlog-delivery-paused-permissions",
                count = count,
                seconds = seconds
            )
        })
        .await?;
        self.state.commit(tx).await?;
        Ok(())
    }
}

/// Each run fills the free delivery slots with due items, then waits for a slot to free, new
/// work or [`SLOT_POLL`]. A stop lets the deliveries in flight finish and record their outcome
/// (within the app's stop bound); one cut off by a crash keeps its claim, which the next start
/// releases ([`store::release_stale_claims`]) to send it again — role changes are idempotent on
/// Discord, and a post is recognised by its nonce or among recent messages.
#[async_trait::async_trait]
impl Job for Worker {
    fn name(&self) -> &'static str {
        "outbox"
    }

    async fn recover(&self) -> anyhow::Result<()> {
        let db = &self.courier.state.db;
        let released = store::release_stale_claims(db).await?;
        if released > 0 {
            tracing::info!(released, "released outbox items claimed before a restart");
        }
        let unparked = store::unpark(db, self.courier.state.clock.now()).await?;
        if unparked > 0 {
            tracing::info!(
                unparked,
                "outbox items set aside by an older build are due again"
            );
        }
        Ok(())
    }

    async fn finish(&self) {
        let mut running = self.running.lock().await;
        while running.join_next().await.is_some() {}
    }

    async fn run_once(&self, now: DateTime<Utc>) -> anyhow::Result<Option<DateTime<Utc>>> {
        let courier = &self.courier;
        let mut running = self.running.lock().await;
        while let Some(done) = running.try_join_next() {
            if let Err(e) = done {
                // The item's claim runs out and it is claimed again.
                tracing::error!(error = ?e, "an outbox delivery panicked");
            }
        }
        courier.record_held().await?;
        let paused = courier.paused_at(now);
        if paused.is_none() {
            let slots = courier.state.config.snapshot().outbox.concurrency;
            while running.len() < slots {
                let in_flight: Vec<i64> = {
                    let set = courier.in_flight.lock().expect("in-flight lock");
                    set.iter().copied().collect()
                };
                let Some(row) =
                    store::claim_next_except(&courier.state.db, now, &in_flight).await?
                else {
                    break;
                };
                courier
                    .in_flight
                    .lock()
                    .expect("in-flight lock")
                    .insert(row.id);
                let guard = InFlight(courier.clone(), row.id);
                let courier = courier.clone();
                running.spawn(async move {
                    let _guard = guard;
                    courier.deliver(row).await
                });
            }
        }
        if running.is_empty() {
            if let Some(until) = paused {
                return Ok(Some(until));
            }
            return Ok(store::next_due(&courier.state.db).await?.map(from_millis));
        }
        let wake = self.committed.clone();
        tokio::select! {
            _ = running.join_next() => {}
            _ = wake.notified() => {}
            _ = tokio::time::sleep(SLOT_POLL) => {}
        }
        Ok(Some(courier.state.clock.now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_reasons_are_percent_encoded() {
        assert_eq!(encode_reason("granted by Ann"), "granted by Ann");
        assert_eq!(encode_reason("授予"), "%E6%8E%88%E4%BA%88");
        assert_eq!(encode_reason("a\nb"), "a%0Ab");
    }

    /// 600 Chinese characters are 1,800 bytes: a byte cut would split a character.
    #[test]
    fn long_reasons_are_cut_on_a_character_boundary() {
        let reason = "授".repeat(600);
        let encoded = encode_reason(&reason);
        assert_eq!(encoded.len(), MAX_REASON_CHARS * 9, "512 whole characters");
        assert!(encoded.ends_with("%E6%8E%88"));
    }

    #[test]
    fn the_token_is_not_in_debug_output() {
        let rest = Rest::new("http://127.0.0.1:1", "secret-token");
        assert!(!format!("{rest:?}").contains("secret-token"));
    }

    fn row(attempts: i64, last_error: Option<&str>) -> OutboxRow {
        OutboxRow {
            id: 1,
            ordering_key: String::new(),
            kind: "send_message".into(),
            payload: String::new(),
            status: crate::outbox::Status::Pending,
            attempts,
            next_attempt_at: 0,
            last_error: last_error.map(str::to_string),
            created_at: 0,
            first_attempt_at: Some(0),
        }
    }

    #[test]
    fn only_attempts_that_may_have_landed_are_uncertain() {
        assert!(!outcome_was_uncertain(&row(0, None)));
        assert!(outcome_was_uncertain(&row(1, Some("500: simulated 500"))));
        assert!(outcome_was_uncertain(&row(1, Some("network: timed out"))));
        assert!(!outcome_was_uncertain(&row(1, Some("429 rate limited: x"))));
        assert!(!outcome_was_uncertain(&row(1, Some("401: Unauthorized"))));
    }

    #[test]
    fn a_refused_removal_is_retried_and_a_member_who_left_is_done() {
        let after = Duration::from_secs(4);
        let decide = |add: bool, status: u16, message: &str| {
            let response = Response::status(status, message);
            let general = crate::outbox::policy::decide(
                &response,
                1,
                Duration::from_secs(1),
                Duration::from_secs(60),
                1.0,
            );
            role_outcome(add, &response, general, after)
        };
        let missing = "Missing Permissions (code 50013)";
        assert_eq!(
            decide(false, 403, missing),
            Outcome::Refused {
                after,
                error: format!("403: {missing}")
            }
        );
        assert!(matches!(decide(true, 403, missing), Outcome::Failed(_)));
        for add in [true, false] {
            assert!(matches!(
                decide(add, 404, "Unknown Member (code 10007)"),
                Outcome::Skipped(_)
            ));
        }
        assert!(matches!(
            decide(false, 404, "Unknown Role (code 10011)"),
            Outcome::Skipped(_)
        ));
        assert!(matches!(decide(false, 500, "oops"), Outcome::Retry { .. }));
        assert_eq!(decide(false, 204, ""), Outcome::Delivered);
    }
}
