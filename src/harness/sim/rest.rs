//! The simulated REST API under `/api/v10`. Every request is recorded with the status it got.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::world::ids;
use super::{oauth, rules, Fault, Inner, Recorded, SimState};

/// An answer: status and JSON body (`Value::Null` means no body, as for 204).
type Answer = (u16, Value);

fn error(status: u16, code: u64, message: &str) -> Answer {
    (status, json!({ "message": message, "code": code }))
}

fn invalid_form(problems: Vec<String>) -> Answer {
    (
        400,
        json!({ "message": "Invalid Form Body", "code": 50035, "errors": { "_errors": problems } }),
    )
}

/// Extracts the JSON of a request, including multipart's `payload_json` part.
fn parse_body(headers: &HeaderMap, body: &[u8]) -> Value {
    if body.is_empty() {
        return Value::Null;
    }
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let text = String::from_utf8_lossy(body);
    if content_type.starts_with("multipart/") {
        let mut json = Value::Null;
        if let Some(start) = text.find("name=\"payload_json\"") {
            let rest = &text[start..];
            if let Some(json_start) = rest.find("\r\n\r\n") {
                let payload = &rest[json_start + 4..];
                let end = payload.find("\r\n--").unwrap_or(payload.len());
                json = serde_json::from_str(&payload[..end]).unwrap_or(Value::Null);
            }
        }
        // Attached files, kept beside the payload (as `_files`) so tests can read them.
        let files = attached_files(content_type, &text);
        if let (Value::Object(map), false) = (&mut json, files.is_empty()) {
            map.insert("_files".into(), Value::Array(files));
        }
        return json;
    }
    serde_json::from_str(&text).unwrap_or(Value::String(text.into_owned()))
}

/// The `filename=` parts of a multipart body: `[{ "filename", "content" }]`.
fn attached_files(content_type: &str, text: &str) -> Vec<Value> {
    let Some(boundary) = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| format!("--{}", b.trim_matches('"')))
    else {
        return Vec::new();
    };
    text.split(boundary.as_str())
        .filter_map(|part| {
            let (head, body) = part.split_once("\r\n\r\n")?;
            let name = head.split("filename=\"").nth(1)?.split('"').next()?;
            let body = body.strip_suffix("\r\n").unwrap_or(body);
            Some(json!({ "filename": name, "content": body }))
        })
        .collect()
}

pub async fn handle(
    State(sim): State<Arc<Inner>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let full = uri.path().to_string();
    let path = full.strip_prefix("/api/v10").unwrap_or(&full).to_string();
    let query = uri.query().unwrap_or_default().to_string();
    if let Some(answer) = oauth_route(&sim, &method, &full, &path, &query, &headers, &body) {
        sim.bump_rest();
        return answer;
    }
    let body = parse_body(&headers, &body);
    let authorized = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bot {}", sim.token));
    let audit_reason = headers
        .get("x-audit-log-reason")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (delay, latency) = {
        let mut state = sim.lock();
        (
            take_delay(&mut state, method.as_str(), &path),
            state.limiter.limits.latency,
        )
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    let _counted = (!path.starts_with("/interactions/") && !path.starts_with("/webhooks/"))
        .then(|| InFlight::enter(&sim));
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    let mut limit_headers = Vec::new();
    let (status, response) = {
        let mut state = sim.lock();
        let (status, response, kind) = if !full.starts_with("/api/v10/") {
            let (s, r) = error(404, 0, "404: Not Found");
            (s, r, String::new())
        } else if !authorized
            && path != "/gateway"
            && !path.starts_with("/interactions/")
            && !path.starts_with("/webhooks/")
        {
            // Like Discord: everything needs the bot token except the public gateway URL and
            // the interaction endpoints, which the interaction token authorizes.
            let (s, r) = error(401, 0, "401: Unauthorized");
            (s, r, String::new())
        } else if matches!(method.as_str(), "PUT" | "POST" | "PATCH")
            && !headers.contains_key("content-length")
            && !headers.contains_key("transfer-encoding")
        {
            // Discord's edge answers a body-less write without a length with 411.
            let (s, r) = error(411, 0, "411: Length Required");
            (s, r, String::new())
        } else if let Some(refused) = {
            let verdict = state.limiter.check(method.as_str(), &path, Instant::now());
            limit_headers = verdict.headers;
            verdict.refused
        } {
            (429, refused, String::new())
        } else if let Some(fault) = take_fault(&mut state, method.as_str(), &path) {
            let (s, r) = match fault {
                Fault::Status(status) => error(status, 0, &format!("simulated {status}")),
                Fault::RateLimited(after) => (
                    429,
                    json!({ "message": "You are being rate limited.", "retry_after": after, "global": false }),
                ),
                Fault::GlobalRateLimited(after) => (
                    429,
                    json!({ "message": "You are being rate limited.", "retry_after": after, "global": true }),
                ),
                Fault::AfterApplying(status) => {
                    let _ = route(&sim, &mut state, &method, &path, &query, &body);
                    error(status, 0, &format!("simulated {status} after applying"))
                }
                Fault::MissingPermissions => error(403, 50013, "Missing Permissions"),
                Fault::Answer(status, body) => (status, body),
                // Taken before the lock (see `take_delay`); never reaches here.
                Fault::Delay(_) => {
                    let (s, r, _) = route(&sim, &mut state, &method, &path, &query, &body);
                    (s, r)
                }
            };
            (s, r, String::new())
        } else {
            route(&sim, &mut state, &method, &path, &query, &body)
        };
        if !kind.is_empty() && !response.is_null() && status < 300 {
            let kind = format!("rest:{kind}");
            state.sent.push((kind.into(), response.to_string().into()));
        }
        let trailing = std::mem::take(&mut state.trailing);
        let lag = state.event_lag;
        if lag.is_zero() {
            for (t, d) in trailing {
                Inner::dispatch_locked(&mut state, &t, d);
            }
        } else if !trailing.is_empty() {
            let sim = sim.clone();
            tokio::spawn(async move {
                tokio::time::sleep(lag).await;
                let mut state = sim.lock();
                for (t, d) in trailing {
                    Inner::dispatch_locked(&mut state, &t, d);
                }
            });
        }
        state.requests.push(Recorded {
            method: method.to_string(),
            path: path.clone(),
            body: body.clone(),
            status,
            response: response.clone(),
            audit_reason,
            at: Instant::now(),
        });
        (status, response)
    };
    sim.bump_rest();

    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut reply = if response.is_null() {
        status.into_response()
    } else {
        (status, Json(response.clone())).into_response()
    };
    let has_retry_after = limit_headers.iter().any(|(n, _)| *n == "retry-after");
    for (name, value) in limit_headers {
        if let Ok(value) = value.parse() {
            reply.headers_mut().insert(name, value);
        }
    }
    if status == StatusCode::TOO_MANY_REQUESTS && !has_retry_after {
        if let Some(after) = response.get("retry_after").and_then(Value::as_f64) {
            if let Ok(value) = after.to_string().parse() {
                reply.headers_mut().insert("retry-after", value);
            }
        }
    }
    reply
}

/// The OAuth2 side of Discord (the browser's authorize page, the token endpoints, what a
/// bearer token reads), apart from the bot's REST API: no bot token, no rate-limit buckets.
fn oauth_route(
    sim: &Arc<Inner>,
    method: &Method,
    full: &str,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> Option<Response> {
    let mut state = sim.lock();
    let answer = match (method.as_str(), full, path) {
        ("GET", "/oauth2/authorize", _) => oauth::authorize(&mut state, query),
        ("GET", "/demo/sign-in", _) => oauth::demo_sign_in(&mut state, query),
        ("POST", _, "/oauth2/token") if full.starts_with("/api/v10/") => {
            oauth::token(&mut state, headers, body, false)
        }
        ("POST", _, "/oauth2/token/revoke") if full.starts_with("/api/v10/") => {
            oauth::token(&mut state, headers, body, true)
        }
        _ => {
            let bearer = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))?;
            let (status, value) = oauth::bearer(&state, bearer, method.as_str(), path);
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, Json(value)).into_response()
        }
    };
    state.requests.push(Recorded {
        method: method.to_string(),
        path: path.to_string(),
        body: Value::Null,
        status: answer.status().as_u16(),
        response: Value::Null,
        audit_reason: None,
        at: Instant::now(),
    });
    Some(answer)
}

/// Counts a request in flight while it is handled.
struct InFlight(Arc<Inner>);

impl InFlight {
    fn enter(sim: &Arc<Inner>) -> InFlight {
        use std::sync::atomic::Ordering::SeqCst;
        let now = sim.in_flight.fetch_add(1, SeqCst) + 1;
        sim.max_in_flight.fetch_max(now, SeqCst);
        InFlight(sim.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0
            .in_flight
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Takes a [`Fault::Delay`] at the head of the matching rule, if that is what comes next.
fn take_delay(state: &mut SimState, method: &str, path: &str) -> Option<std::time::Duration> {
    let rule = state.faults.iter_mut().find(|r| {
        r.method == method && path.contains(&r.path_contains) && !r.remaining.is_empty()
    })?;
    match rule.remaining.first() {
        Some(Fault::Delay(delay)) => {
            let delay = *delay;
            rule.remaining.remove(0);
            Some(delay)
        }
        _ => None,
    }
}

fn take_fault(state: &mut SimState, method: &str, path: &str) -> Option<Fault> {
    let rule = state.faults.iter_mut().find(|r| {
        r.method == method && path.contains(&r.path_contains) && !r.remaining.is_empty()
    })?;
    Some(rule.remaining.remove(0))
}

fn id_of(segment: &str) -> u64 {
    segment.parse().unwrap_or(0)
}

/// Routes one request. Returns status, body, and the payload kind for the decoding test.
/// The value of `key` in a query string.
fn param<'q>(query: &'q str, key: &str) -> Option<&'q str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

/// Pages of at most `limit` (≤ 1000) members after `after`, by id, as Discord does.
fn list_members(state: &SimState, query: &str) -> Answer {
    let limit = param(query, "limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, 1000);
    let after = param(query, "after")
        .and_then(|a| a.parse::<u64>().ok())
        .unwrap_or(0);
    let page: Vec<Value> = state
        .world
        .member_ids(after, limit)
        .into_iter()
        .map(|id| state.world.member_json(id, true))
        .collect();
    (200, Value::Array(page))
}

/// The application's entitlements, filtered and paged as Discord does.
fn list_entitlements(state: &SimState, query: &str) -> Answer {
    let after = param(query, "after")
        .and_then(|a| a.parse::<u64>().ok())
        .unwrap_or(0);
    let limit = param(query, "limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(100)
        .clamp(1, 100);
    // Discord's filters: `guild_id` keeps only entitlements of that guild (a user
    // subscription names no guild, so it is left out), `user_id` only that user's,
    // `exclude_deleted` (default true) drops deleted ones, `exclude_ended` ended ones.
    let guild = param(query, "guild_id");
    let user = param(query, "user_id");
    let exclude_deleted = param(query, "exclude_deleted").is_none_or(|v| v != "false");
    let exclude_ended = param(query, "exclude_ended").is_some_and(|v| v == "true");
    let now = chrono::Utc::now();
    let page: Vec<Value> = state
        .entitlements
        .iter()
        .filter(|e| {
            e["id"]
                .as_str()
                .and_then(|i| i.parse::<u64>().ok())
                .unwrap_or(0)
                > after
        })
        .filter(|e| guild.is_none_or(|g| e["guild_id"].as_str() == Some(g)))
        .filter(|e| user.is_none_or(|u| e["user_id"].as_str() == Some(u)))
        .filter(|e| !(exclude_deleted && e["deleted"] == true))
        .filter(|e| {
            let ends = e["ends_at"].as_str();
            let ends = ends.and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
            !exclude_ended || ends.is_none_or(|end| end > now)
        })
        .take(limit)
        .cloned()
        .collect();
    (200, Value::Array(page))
}

/// Opens a DM channel with `recipient_id`.
fn open_dm(state: &mut SimState, body: &Value) -> Answer {
    let recipient = body
        .get("recipient_id")
        .and_then(|v| v.as_str().map(id_of).or_else(|| v.as_u64()))
        .unwrap_or(0);
    state.next_id += 1;
    let channel = state.next_id;
    state.dm_channels.insert(channel, recipient);
    let value = json!({
        "id": channel.to_string(),
        "type": 1,
        "last_message_id": null,
        "recipients": [state.world.user_json(recipient)],
    });
    (200, value)
}

/// Kicks a member the bot outranks.
fn kick(state: &mut SimState, user: u64) -> Answer {
    if state.world.top_position(user) >= state.world.top_position(ids::BOT) {
        error(403, 50013, "Missing Permissions")
    } else if state.world.members.remove(&user).is_some() {
        state.bans_and_kicks.push(("kick".into(), user));
        let removed = super::member_removed_json(state, user);
        state.trailing.push(("GUILD_MEMBER_REMOVE".into(), removed));
        (204, Value::Null)
    } else {
        error(404, 10007, "Unknown Member")
    }
}

/// Bans a member the bot outranks.
fn ban(state: &mut SimState, user: u64) -> Answer {
    if state.world.top_position(user) >= state.world.top_position(ids::BOT) {
        error(403, 50013, "Missing Permissions")
    } else {
        // Discord: GUILD_BAN_ADD, and GUILD_MEMBER_REMOVE when they were a member.
        let was_member = state.world.members.remove(&user).is_some();
        state.bans_and_kicks.push(("ban".into(), user));
        let removed = super::member_removed_json(state, user);
        state
            .trailing
            .push(("GUILD_BAN_ADD".into(), removed.clone()));
        if was_member {
            state.trailing.push(("GUILD_MEMBER_REMOVE".into(), removed));
        }
        (204, Value::Null)
    }
}

fn delete_message(state: &mut SimState, channel: u64, message: &str) -> Answer {
    let list = state.messages().entry(channel).or_default();
    let before = list.len();
    list.retain(|m| m.get("id").and_then(Value::as_str) != Some(message));
    if list.len() < before {
        (204, Value::Null)
    } else {
        error(404, 10008, "Unknown Message")
    }
}

/// Discord's limit of pinned messages in one channel.
const MAX_PINS: usize = 50;

/// `PUT /channels/{c}/pins/{m}`: needs Manage Messages; at most 50 pins per channel (error
/// 30003); pinning a pinned message is a no-op.
fn pin_message(state: &mut SimState, channel: u64, message: &str) -> Answer {
    const MANAGE_MESSAGES: u64 = 0x2000;
    let perms = state.world.permissions_of(ids::BOT);
    if perms & (MANAGE_MESSAGES | 0x8) == 0 {
        return error(403, 50013, "Missing Permissions");
    }
    let Some(list) = state.messages().get_mut(&channel) else {
        return error(404, 10008, "Unknown Message");
    };
    let pinned = list.iter().filter(|m| m["pinned"] == json!(true)).count();
    let Some(found) = list.iter_mut().find(|m| m["id"].as_str() == Some(message)) else {
        return error(404, 10008, "Unknown Message");
    };
    if found["pinned"] != json!(true) {
        if pinned >= MAX_PINS {
            return error(400, 30003, "Maximum number of pins reached (50)");
        }
        found["pinned"] = json!(true);
    }
    (204, Value::Null)
}

fn get_message(state: &mut SimState, channel: u64, message: &str) -> Answer {
    let found = state.messages().get(&channel).and_then(|list| {
        list.iter()
            .find(|m| m["id"].as_str() == Some(message))
            .cloned()
    });
    match found {
        Some(m) => (200, m),
        None => error(404, 10008, "Unknown Message"),
    }
}

fn route(
    sim: &Inner,
    state: &mut SimState,
    method: &Method,
    path: &str,
    query: &str,
    body: &Value,
) -> (u16, Value, String) {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let m = method.as_str();
    let tagged = |(s, v): Answer, kind: &str| (s, v, kind.to_string());
    match (m, segments.as_slice()) {
        ("GET", ["gateway"]) => tagged(
            (200, json!({ "url": format!("ws://{}/gateway", sim.addr) })),
            "gateway",
        ),
        ("GET", ["gateway", "bot"]) => tagged(
            (
                200,
                json!({
                    "url": format!("ws://{}/gateway", sim.addr),
                    "shards": 1,
                    "session_start_limit": { "total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1 },
                }),
            ),
            "gateway_bot",
        ),
        ("GET", ["oauth2", "applications", "@me"]) => {
            tagged((200, state.world.application_info()), "application")
        }
        ("GET", ["users", "@me"]) => tagged((200, state.world.user_json(ids::BOT)), "user"),
        // Discord's Get User: any user by id; 10013 Unknown User for an id that is no user.
        ("GET", ["users", user]) if *user != "@me" => {
            let user = id_of(user);
            if state.world.users.contains_key(&user) {
                tagged((200, state.world.user_json(user)), "user")
            } else {
                tagged(error(404, 10013, "Unknown User"), "")
            }
        }
        // Discord's Get Current User Guilds: partial guilds the bot is in.
        ("GET", ["users", "@me", "guilds"]) => tagged(
            (
                200,
                json!([{
                    "id": state.world.guild_id.to_string(),
                    "name": state.world.guild_name,
                    "icon": null,
                    "owner": false,
                    "permissions": "0",
                    "features": ["COMMUNITY"],
                }]),
            ),
            "guilds",
        ),
        ("GET", ["guilds", guild]) if id_of(guild) == state.world.guild_id => {
            // Get Guild: the guild object without GUILD_CREATE's extra fields.
            let mut guild = state.world.guild_create();
            if let Some(object) = guild.as_object_mut() {
                for extra in [
                    "joined_at",
                    "large",
                    "unavailable",
                    "member_count",
                    "voice_states",
                    "members",
                    "channels",
                    "threads",
                    "presences",
                    "stage_instances",
                    "guild_scheduled_events",
                ] {
                    object.remove(extra);
                }
            }
            tagged((200, guild), "partial_guild")
        }
        ("GET", ["guilds", guild, "channels"]) if id_of(guild) == state.world.guild_id => {
            let channels: Vec<Value> = (state.world.channels.iter().enumerate())
                .map(|(i, c)| super::world::World::channel_json(c, i, Some(state.world.guild_id)))
                .collect();
            tagged((200, Value::Array(channels)), "channels")
        }
        ("GET", ["guilds", guild, "roles"]) if id_of(guild) == state.world.guild_id => {
            let roles: Vec<Value> = state
                .world
                .roles
                .iter()
                .map(super::world::World::role_json)
                .collect();
            tagged((200, Value::Array(roles)), "roles")
        }
        ("PUT", ["applications", _, "guilds", guild, "commands"]) => {
            tagged(register_commands(state, id_of(guild), body), "commands")
        }
        ("GET", ["applications", _, "guilds", _, "commands"]) => {
            tagged((200, Value::Array(state.commands.clone())), "commands")
        }
        ("POST", ["interactions", id, token, "callback"]) => {
            tagged(interaction_callback(sim, state, id_of(id), token, body), "")
        }
        ("POST", ["webhooks", _, token]) => tagged(followup(state, token, body), "message"),
        ("PATCH", ["webhooks", _, token, "messages", _]) => {
            tagged(edit_original(state, token, body), "message")
        }
        ("GET", ["webhooks", _, token, "messages", _]) => {
            tagged(edit_original(state, token, &Value::Null), "message")
        }
        ("DELETE", ["webhooks", _, _, "messages", _]) => tagged((204, Value::Null), ""),
        ("PUT", ["guilds", guild, "members", user, "roles", role]) => tagged(
            change_role(state, id_of(guild), id_of(user), id_of(role), true),
            "",
        ),
        ("DELETE", ["guilds", guild, "members", user, "roles", role]) => tagged(
            change_role(state, id_of(guild), id_of(user), id_of(role), false),
            "",
        ),
        ("GET", ["guilds", _, "members"]) => tagged(list_members(state, query), "members"),
        ("GET", ["applications", _, "entitlements"]) => {
            tagged(list_entitlements(state, query), "entitlements")
        }
        ("GET", ["guilds", _, "members", user]) => {
            let user = id_of(user);
            if state.world.members.contains_key(&user) {
                tagged((200, state.world.member_json(user, true)), "member")
            } else {
                tagged(error(404, 10007, "Unknown Member"), "")
            }
        }
        ("PATCH", ["guilds", _, "members", user]) => {
            tagged(timeout_member(state, id_of(user), body), "member")
        }
        ("PUT", ["channels", channel, "permissions", target]) => tagged(
            set_overwrite(state, id_of(channel), id_of(target), body),
            "",
        ),
        ("POST", ["channels", channel, "messages"]) => {
            tagged(create_message(state, id_of(channel), body), "message")
        }
        ("PATCH", ["channels", channel, "messages", message]) => tagged(
            edit_message(state, id_of(channel), message, body),
            "message",
        ),
        ("GET", ["channels", channel, "messages", message]) => {
            tagged(get_message(state, id_of(channel), message), "message")
        }
        ("GET", ["guilds", _, "threads", "active"]) => tagged(active_threads(state), ""),
        ("GET", ["channels", channel]) => tagged(get_channel(state, id_of(channel)), "channel"),
        // Discord's Start Thread in Forum Channel takes a starter `message`; Start Thread
        // without Message opens a thread (private: type 12) under a text channel.
        ("POST", ["channels", channel, "threads"]) if body.get("message").is_none() => {
            tagged(start_thread(state, id_of(channel), body), "thread")
        }
        ("POST", ["channels", channel, "threads"]) => {
            tagged(create_forum_post(state, id_of(channel), body), "thread")
        }
        ("PUT", ["channels", thread, "thread-members", user]) => {
            tagged(add_thread_member(state, id_of(thread), id_of(user)), "")
        }
        ("POST", ["guilds", _, "scheduled-events"]) => {
            tagged(super::events_tab::create(state, body), "scheduled_event")
        }
        ("GET", ["guilds", _, "scheduled-events"]) => tagged(
            super::events_tab::list(state, param(query, "with_user_count") == Some("true")),
            "scheduled_events",
        ),
        ("GET", ["guilds", _, "scheduled-events", event]) => tagged(
            super::events_tab::get(
                state,
                event,
                param(query, "with_user_count") == Some("true"),
            ),
            "scheduled_event",
        ),
        ("PATCH", ["guilds", _, "scheduled-events", event]) => tagged(
            super::events_tab::edit(state, event, body),
            "scheduled_event",
        ),
        ("PUT", ["channels", channel, "pins", message]) => {
            tagged(pin_message(state, id_of(channel), message), "")
        }
        ("DELETE", ["guilds", _, "members", user]) => tagged(kick(state, id_of(user)), ""),
        ("PUT", ["guilds", _, "bans", user]) => tagged(ban(state, id_of(user)), ""),
        ("GET", ["channels", channel, "messages"]) => {
            tagged(recent_messages(state, id_of(channel)), "messages")
        }
        ("DELETE", ["channels", channel, "messages", message]) => {
            tagged(delete_message(state, id_of(channel), message), "")
        }
        ("POST", ["users", "@me", "channels"]) => tagged(open_dm(state, body), "private_channel"),
        _ => {
            tracing::warn!(method = m, path, "sim: unknown route");
            tagged(error(404, 0, "404: Not Found"), "")
        }
    }
}

fn register_commands(state: &mut SimState, guild: u64, body: &Value) -> Answer {
    if guild != state.world.guild_id {
        return error(404, 10004, "Unknown Guild");
    }
    let problems = rules::check_commands(body);
    if !problems.is_empty() {
        return invalid_form(problems);
    }
    let mut registered = Vec::new();
    for command in body.as_array().into_iter().flatten() {
        state.next_id += 1;
        let mut command = command.clone();
        command["id"] = json!(state.next_id.to_string());
        command["application_id"] = json!(ids::APPLICATION.to_string());
        command["guild_id"] = json!(guild.to_string());
        command["version"] = json!("1");
        command["type"] = command.get("type").cloned().unwrap_or(json!(1));
        if command.get("default_member_permissions").is_none() {
            command["default_member_permissions"] = Value::Null;
        }
        // Discord answers every command with a description: "" for a user or message menu.
        if command.get("description").is_none() {
            command["description"] = json!("");
        }
        registered.push(command);
    }
    state.commands = registered.clone();
    (200, Value::Array(registered))
}

fn interaction_callback(
    sim: &Inner,
    state: &mut SimState,
    id: u64,
    token: &str,
    body: &Value,
) -> Answer {
    let Some(interaction) = state.interactions.get_mut(&id) else {
        return error(404, 10062, "Unknown interaction");
    };
    if interaction.token != token {
        return error(401, 50027, "Invalid Webhook Token");
    }
    let deadline = sim
        .interaction_deadline_ms
        .load(std::sync::atomic::Ordering::Relaxed);
    if interaction.created.elapsed() > std::time::Duration::from_millis(deadline) {
        return error(404, 10062, "Unknown interaction");
    }
    if interaction.response.is_some() {
        return error(400, 40060, "Interaction has already been acknowledged.");
    }
    let kind = body.get("type").and_then(Value::as_u64).unwrap_or(0);
    if kind == 4 || kind == 7 {
        let data = body.get("data").cloned().unwrap_or(Value::Null);
        let problems = rules::check_message(&data);
        if !problems.is_empty() {
            return invalid_form(problems);
        }
    }
    if kind == 9 {
        // A modal answers a command or a component, never another modal.
        if interaction.kind == 5 {
            return invalid_form(vec!["type: a modal cannot answer a modal submit".into()]);
        }
        let problems = rules::check_modal(body.get("data").unwrap_or(&Value::Null));
        if !problems.is_empty() {
            return invalid_form(problems);
        }
    }
    interaction.response = Some(body.clone());
    interaction.answered = Some(Instant::now());
    // Type 7 edits the message whose button was pressed.
    if let (7, Some((channel, message))) = (kind, interaction.message) {
        let data = body.get("data").cloned().unwrap_or(Value::Null);
        if let Some(stored) = state.messages().get_mut(&channel).and_then(|list| {
            list.iter_mut()
                .find(|m| m["id"] == json!(message.to_string()))
        }) {
            for field in ["content", "embeds", "components"] {
                if let Some(value) = data.get(field) {
                    stored[field] = value.clone();
                }
            }
        }
    }
    (204, Value::Null)
}

fn interaction_by_token<'a>(
    state: &'a mut SimState,
    token: &str,
) -> Option<&'a mut super::InteractionState> {
    state.interactions.values_mut().find(|i| i.token == token)
}

fn followup(state: &mut SimState, token: &str, body: &Value) -> Answer {
    let problems = rules::check_message(body);
    if !problems.is_empty() {
        return invalid_form(problems);
    }
    state.next_id += 1;
    let id = state.next_id;
    let message = state.world.message_json(
        id,
        ids::CHANNEL_GENERAL,
        ids::BOT,
        body.get("content")
            .and_then(Value::as_str)
            .unwrap_or_default(),
        body,
    );
    let Some(interaction) = interaction_by_token(state, token) else {
        return error(404, 10015, "Unknown Webhook");
    };
    if interaction.response.is_none() {
        return error(400, 40060, "Interaction has not been acknowledged.");
    }
    interaction.followups.push(body.clone());
    (200, message)
}

fn edit_original(state: &mut SimState, token: &str, body: &Value) -> Answer {
    if !body.is_null() {
        let problems = rules::check_message(body);
        if !problems.is_empty() {
            return invalid_form(problems);
        }
    }
    let Some(interaction) = interaction_by_token(state, token) else {
        return error(404, 10015, "Unknown Webhook");
    };
    let id = interaction.id;
    if !body.is_null() {
        interaction.followups.push(body.clone());
    }
    let content = body
        .get("content")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let message = state
        .world
        .message_json(id, ids::CHANNEL_GENERAL, ids::BOT, content, body);
    (200, message)
}

fn change_role(state: &mut SimState, guild: u64, user: u64, role: u64, add: bool) -> Answer {
    let world = &state.world;
    if guild != world.guild_id {
        return error(404, 10004, "Unknown Guild");
    }
    let Some(target_role) = world.role(role).cloned() else {
        return error(404, 10011, "Unknown Role");
    };
    if !world.members.contains_key(&user) {
        return error(404, 10007, "Unknown Member");
    }
    // The bot may only manage roles strictly below its own highest role.
    if target_role.position >= world.top_position(ids::BOT) || role == ids::ROLE_BOT {
        return error(403, 50013, "Missing Permissions");
    }
    let roles = state.world.members.get_mut(&user).expect("member exists");
    let changed = if add {
        if roles.contains(&role) {
            false
        } else {
            roles.push(role);
            true
        }
    } else {
        let before = roles.len();
        roles.retain(|r| *r != role);
        roles.len() != before
    };
    if changed {
        let mut update = state.world.member_json(user, true);
        update["guild_id"] = json!(guild.to_string());
        state.trailing.push(("GUILD_MEMBER_UPDATE".into(), update));
    }
    (204, Value::Null)
}

fn timeout_member(state: &mut SimState, user: u64, body: &Value) -> Answer {
    if !state.world.members.contains_key(&user) {
        return error(404, 10007, "Unknown Member");
    }
    if state.world.top_position(user) >= state.world.top_position(ids::BOT) {
        return error(403, 50013, "Missing Permissions");
    }
    let mut member = state.world.member_json(user, true);
    if let Some(until) = body.get("communication_disabled_until") {
        member["communication_disabled_until"] = until.clone();
    }
    (200, member)
}

/// `PUT /channels/{c}/permissions/{id}`: needs Manage Roles, and a bot cannot allow a
/// permission it does not have itself. Answers 204 and sends CHANNEL_UPDATE.
fn set_overwrite(state: &mut SimState, channel: u64, target: u64, body: &Value) -> Answer {
    let bits = |key: &str| {
        body.get(key)
            .and_then(|v| {
                v.as_str()
                    .and_then(|s| s.parse::<u64>().ok())
                    .or_else(|| v.as_u64())
            })
            .unwrap_or(0)
    };
    let (allow, deny) = (bits("allow"), bits("deny"));
    let kind = body.get("type").and_then(Value::as_u64).unwrap_or(0) as u8;
    let bot_perms = state.world.permissions_of(ids::BOT);
    if bot_perms & super::world::MANAGE_ROLES == 0 || allow & !bot_perms != 0 {
        return error(403, 50013, "Missing Permissions");
    }
    let guild = state.world.guild_id;
    let Some(index) = state.world.channels.iter().position(|c| c.id == channel) else {
        return error(404, 10003, "Unknown Channel");
    };
    let known = &mut state.world.channels[index];
    if target == guild {
        known.allow_everyone = allow;
        known.deny_everyone = deny;
    } else {
        known.overwrites.retain(|(id, _, _, _)| *id != target);
        known.overwrites.push((target, kind, allow, deny));
    }
    let value = super::world::World::channel_json(known, index, Some(guild));
    state.trailing.push(("CHANNEL_UPDATE".into(), value));
    (204, Value::Null)
}

fn create_message(state: &mut SimState, channel: u64, body: &Value) -> Answer {
    let problems = rules::check_message(body);
    if !problems.is_empty() {
        return invalid_form(problems);
    }
    let is_dm = state.dm_channels.get(&channel).copied();
    if let Some(recipient) = is_dm {
        if !state
            .world
            .users
            .get(&recipient)
            .is_some_and(|u| u.dms_open)
        {
            return error(403, 50007, "Cannot send messages to this user");
        }
    } else {
        let Some(known) = state.world.channels.iter().find(|c| c.id == channel) else {
            return error(404, 10003, "Unknown Channel");
        };
        // A forum takes posts (threads), not messages.
        if known.kind == 15 || known.kind == 4 {
            return error(400, 50008, "Cannot send messages in a non-text channel");
        }
        // A channel overwrite that denies @everyone sending applies to the bot too, and so
        // does one that hides the channel from it.
        if known.deny_everyone & super::world::SEND_MESSAGES != 0
            || !state.world.can_view(known, ids::BOT)
        {
            return error(403, 50013, "Missing Permissions");
        }
    }
    // enforce_nonce: a repeated nonce returns the message created the first time, within
    // Discord's window; after it, the same nonce creates a new message.
    let nonce = body
        .get("nonce")
        .map(|n| n.to_string())
        .filter(|_| body.get("enforce_nonce") == Some(&json!(true)));
    if let Some(nonce) = &nonce {
        let window = state.nonce_window;
        if let Some((existing, at)) = state.nonces.get(&(channel, nonce.clone())) {
            if at.elapsed() <= window {
                return (200, existing.clone());
            }
        }
    }
    state.next_id += 1;
    let id = state.next_id;
    let content = body
        .get("content")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut message = state
        .world
        .message_json(id, channel, ids::BOT, &content, body);
    if is_dm.is_some() {
        message.as_object_mut().map(|m| m.remove("guild_id"));
    }
    if let Some(nonce) = nonce {
        state
            .nonces
            .insert((channel, nonce), (message.clone(), Instant::now()));
    }
    let mut stored = message.clone();
    stored.as_object_mut().map(|m| m.remove("nonce"));
    state.messages().entry(channel).or_default().push(stored);
    (200, message)
}

/// `POST /channels/{forum}/threads`: a forum post, a thread (type 11) whose starter message
/// has the thread's id. Discord's rules: the channel is a forum, `name` 1–100, `message` a
/// valid message; THREAD_CREATE follows. (Threads from a text channel are not modelled.)
fn create_forum_post(state: &mut SimState, forum: u64, body: &Value) -> Answer {
    let Some(index) = state.world.channels.iter().position(|c| c.id == forum) else {
        return error(404, 10003, "Unknown Channel");
    };
    if state.world.channels[index].kind != 15 {
        return invalid_form(vec![
            "message: only forum channels take a post with a message here".into(),
        ]);
    }
    if !state.world.can_view(&state.world.channels[index], ids::BOT) {
        return error(403, 50013, "Missing Permissions");
    }
    let name = body["name"].as_str().unwrap_or_default();
    let mut problems = Vec::new();
    if !(1..=100).contains(&name.chars().count()) {
        problems.push("name: must be between 1 and 100 in length".to_string());
    }
    problems.extend(
        rules::check_message(&body["message"])
            .into_iter()
            .map(|p| format!("message.{p}")),
    );
    if !problems.is_empty() {
        return invalid_form(problems);
    }
    let id = new_thread(state, name, 11, forum);
    let content = body["message"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let message = state
        .world
        .message_json(id, id, ids::BOT, &content, &body["message"]);
    state
        .messages()
        .entry(id)
        .or_default()
        .push(message.clone());
    let applied: Vec<u64> = body["applied_tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str().and_then(|t| t.parse().ok()))
        .collect();
    state.thread_tags.insert(id, applied);
    let position = state.world.channels.len() - 1;
    let mut thread = super::channel_json_of(state, position);
    Inner::dispatch_locked(state, "THREAD_CREATE", thread.clone());
    thread["message"] = message;
    (201, thread)
}

/// `GET /guilds/{g}/threads/active`: the threads not archived (every forum post here).
fn active_threads(state: &SimState) -> Answer {
    let threads: Vec<Value> = state
        .world
        .channels
        .iter()
        .enumerate()
        .filter(|(_, c)| c.kind == 11 || c.kind == 12)
        .map(|(i, _)| super::channel_json_of(state, i))
        .collect();
    (200, json!({ "threads": threads, "members": [] }))
}

/// A new thread channel (`kind` 11 public, 12 private) under `parent`; returns its id.
fn new_thread(state: &mut SimState, name: &str, kind: u8, parent: u64) -> u64 {
    state.next_id += 1;
    let id = state.next_id;
    state.world.channels.push(super::world::SimChannel {
        id,
        name: name.to_string(),
        deny_everyone: 0,
        allow_everyone: 0,
        overwrites: Vec::new(),
        kind,
        parent_id: Some(parent),
    });
    id
}

/// Discord's Start Thread without Message under a text channel: `type` 11 (public) or 12
/// (private, the default), a name of 1 to 100 characters, a channel the bot can see. The bot
/// is the thread's first member.
fn start_thread(state: &mut SimState, parent: u64, body: &Value) -> Answer {
    let Some(index) = state.world.channels.iter().position(|c| c.id == parent) else {
        return error(404, 10003, "Unknown Channel");
    };
    if state.world.channels[index].kind != 0 {
        return invalid_form(vec![
            "type: a thread without a message starts only in a text channel".into(),
        ]);
    }
    if !state.world.can_view(&state.world.channels[index], ids::BOT) {
        return error(403, 50001, "Missing Access");
    }
    let kind = body["type"].as_u64().unwrap_or(12);
    let name = body["name"].as_str().unwrap_or_default();
    let mut problems = Vec::new();
    if !(1..=100).contains(&name.chars().count()) {
        problems.push("name: must be between 1 and 100 in length".to_string());
    }
    if kind != 11 && kind != 12 {
        problems.push("type: must be 11 or 12".to_string());
    }
    if !problems.is_empty() {
        return invalid_form(problems);
    }
    let id = new_thread(state, name, kind as u8, parent);
    state.thread_owner.insert(id, ids::BOT);
    state.thread_members.insert(id, vec![ids::BOT]);
    let position = state.world.channels.len() - 1;
    let thread = super::channel_json_of(state, position);
    Inner::dispatch_locked(state, "THREAD_CREATE", thread.clone());
    (201, thread)
}

/// Discord's Add Thread Member: the user must be in the server and able to see the thread's
/// parent channel.
fn add_thread_member(state: &mut SimState, thread: u64, user: u64) -> Answer {
    let Some(channel) = state.world.channels.iter().find(|c| c.id == thread) else {
        return error(404, 10003, "Unknown Channel");
    };
    if channel.kind != 11 && channel.kind != 12 {
        return invalid_form(vec!["channel: not a thread".into()]);
    }
    if !state.world.members.contains_key(&user) {
        return error(404, 10007, "Unknown Member");
    }
    let parent = channel.parent_id;
    let sees_parent = state
        .world
        .channels
        .iter()
        .find(|c| Some(c.id) == parent)
        .is_some_and(|p| state.world.can_view(p, user));
    if !sees_parent {
        return error(403, 50001, "Missing Access");
    }
    let members = state.thread_members.entry(thread).or_default();
    if !members.contains(&user) {
        members.push(user);
    }
    (204, Value::Null)
}

/// `GET /channels/{id}`: a channel or thread of the guild.
fn get_channel(state: &SimState, channel: u64) -> Answer {
    match state.world.channels.iter().position(|c| c.id == channel) {
        Some(index) => (200, super::channel_json_of(state, index)),
        None => error(404, 10003, "Unknown Channel"),
    }
}

/// `PATCH /channels/{id}/messages/{id}`: edits a message the bot posted.
fn edit_message(state: &mut SimState, channel: u64, message: &str, body: &Value) -> Answer {
    let problems = rules::check_message(body);
    if !problems.is_empty() {
        return invalid_form(problems);
    }
    let Some(stored) = state
        .messages()
        .get_mut(&channel)
        .and_then(|list| list.iter_mut().find(|m| m["id"].as_str() == Some(message)))
    else {
        return error(404, 10008, "Unknown Message");
    };
    if stored["author"]["id"].as_str() != Some(&ids::BOT.to_string()) {
        return error(403, 50005, "Cannot edit a message authored by another user");
    }
    for field in ["content", "embeds", "components"] {
        if let Some(value) = body.get(field) {
            stored[field] = value.clone();
        }
    }
    stored["edited_timestamp"] = json!(chrono::Utc::now().to_rfc3339());
    (200, stored.clone())
}

/// `GET /channels/{id}/messages`: the newest first, up to 50 (Discord's default), without
/// nonces (Discord does not keep them).
fn recent_messages(state: &mut SimState, channel: u64) -> Answer {
    let known = state.world.channels.iter().any(|c| c.id == channel)
        || state.dm_channels.contains_key(&channel);
    if !known {
        return error(404, 10003, "Unknown Channel");
    }
    let list: Vec<Value> = state
        .messages()
        .get(&channel)
        .map(|list| list.iter().rev().take(50).cloned().collect())
        .unwrap_or_default();
    (200, Value::Array(list))
}
