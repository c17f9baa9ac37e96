//! Guild scheduled events (Discord's Events tab), as the simulated REST API enforces them:
//! `POST/GET /guilds/{g}/scheduled-events`, `GET/PATCH …/{id}`. The rules Discord documents:
//! Manage Events (or Create Events) needed; `name` 1–100, `description` ≤ 1,000,
//! `privacy_level` 2; an external event (`entity_type` 3) needs `entity_metadata.location`
//! (1–100) and `scheduled_end_time`, a stage or voice one a `channel_id`; the start must be in
//! the future and before the end; at most 100 scheduled or active events per guild; status
//! (1 SCHEDULED, 2 ACTIVE, 3 COMPLETED, 4 CANCELED) moves only SCHEDULED → ACTIVE or
//! CANCELED, ACTIVE → COMPLETED, and a canceled or completed
//! event cannot be edited. Each change is dispatched as GUILD_SCHEDULED_EVENT_* with
//! `user_count` for members' "Interested".

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::world::ids;
use super::{Inner, Sim, SimState};

type Answer = (u16, Value);

const MANAGE_EVENTS: u64 = 1 << 33;
const CREATE_EVENTS: u64 = 1 << 44;
const ADMINISTRATOR: u64 = 0x8;
/// Scheduled or active events a guild may have at once.
const MAX_OPEN: usize = 100;

fn error(status: u16, code: u64, message: &str) -> Answer {
    (status, json!({ "message": message, "code": code }))
}

fn invalid(problems: Vec<String>) -> Answer {
    (
        400,
        json!({ "message": "Invalid Form Body", "code": 50035, "errors": { "_errors": problems } }),
    )
}

fn chars(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

fn instant(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// Discord's clock: the wall clock unless a test set it (its bot runs on a stepped clock).
fn now(state: &SimState) -> DateTime<Utc> {
    state.discord_now.unwrap_or_else(Utc::now)
}

/// The problems with an event as it would stand after `body` (the whole event on create).
fn check(event: &Value, state: &SimState, creating: bool) -> Vec<String> {
    let mut problems = Vec::new();
    if !(1..=100).contains(&chars(&event["name"])) {
        problems.push("name: must be between 1 and 100 in length".into());
    }
    if chars(&event["description"]) > 1_000 {
        problems.push("description: must be 1000 or fewer in length".into());
    }
    if event["privacy_level"] != json!(2) {
        problems.push("privacy_level: must be 2 (GUILD_ONLY)".into());
    }
    let start = instant(&event["scheduled_start_time"]);
    let end = instant(&event["scheduled_end_time"]);
    match event["entity_type"].as_u64() {
        Some(3) => {
            if !(1..=100).contains(&chars(&event["entity_metadata"]["location"])) {
                problems.push(
                    "entity_metadata.location: required for an external event (1-100)".into(),
                );
            }
            if end.is_none() {
                problems.push("scheduled_end_time: required for an external event".into());
            }
        }
        Some(1 | 2) => {
            if event["channel_id"].as_str().is_none() {
                problems.push("channel_id: required for a stage or voice event".into());
            }
        }
        _ => problems.push("entity_type: must be 1, 2 or 3".into()),
    }
    match start {
        None => problems.push("scheduled_start_time: not an ISO 8601 timestamp".into()),
        Some(start) if creating && start <= now(state) => {
            problems.push("scheduled_start_time: Cannot schedule event in the past.".into())
        }
        Some(start) if end.is_some_and(|end| end <= start) => {
            problems.push("scheduled_end_time: must be after the start".into())
        }
        Some(_) => {}
    }
    problems
}

/// Discord's status automation: an external event starts by itself at its start time and
/// ends by itself at its end time (others wait for a person).
fn automate(state: &mut SimState) {
    let now = now(state);
    let mut changed = Vec::new();
    for event in &mut state.scheduled_events {
        if event["entity_type"] != json!(3) {
            continue;
        }
        let status = event["status"].as_u64().unwrap_or(1);
        let started = instant(&event["scheduled_start_time"]).is_some_and(|s| s <= now);
        let ended = instant(&event["scheduled_end_time"]).is_some_and(|e| e <= now);
        let next = match status {
            // Completed (3) at its end time.
            1 | 2 if ended => 3,
            1 if started => 2,
            other => other,
        };
        if next != status {
            event["status"] = json!(next);
            changed.push(event.clone());
        }
    }
    for event in changed {
        Inner::dispatch_locked(state, "GUILD_SCHEDULED_EVENT_UPDATE", event);
    }
}

fn may_manage_events(state: &SimState) -> bool {
    state.world.permissions_of(ids::BOT) & (MANAGE_EVENTS | CREATE_EVENTS | ADMINISTRATOR) != 0
}

pub(super) fn create(state: &mut SimState, body: &Value) -> Answer {
    automate(state);
    if !may_manage_events(state) {
        return error(403, 50013, "Missing Permissions");
    }
    let open = state
        .scheduled_events
        .iter()
        .filter(|e| matches!(e["status"].as_u64(), Some(1 | 2)))
        .count();
    if open >= MAX_OPEN {
        return error(
            400,
            30038,
            "Maximum number of uncompleted guild scheduled events reached (100)",
        );
    }
    let problems = check(body, state, true);
    if !problems.is_empty() {
        return invalid(problems);
    }
    state.next_id += 1;
    let mut event = body.clone();
    event["id"] = json!(state.next_id.to_string());
    event["guild_id"] = json!(state.world.guild_id.to_string());
    event["creator_id"] = json!(ids::BOT.to_string());
    event["status"] = json!(1);
    event["user_count"] = json!(0);
    if event.get("channel_id").is_none() {
        event["channel_id"] = Value::Null;
    }
    if event.get("description").is_none() {
        event["description"] = Value::Null;
    }
    state.scheduled_events.push(event.clone());
    Inner::dispatch_locked(state, "GUILD_SCHEDULED_EVENT_CREATE", event.clone());
    (200, event)
}

pub(super) fn edit(state: &mut SimState, id: &str, body: &Value) -> Answer {
    automate(state);
    if !may_manage_events(state) {
        return error(403, 50013, "Missing Permissions");
    }
    let Some(index) = state
        .scheduled_events
        .iter()
        .position(|e| e["id"] == json!(id))
    else {
        return error(404, 10070, "Unknown Guild Scheduled Event");
    };
    let current = state.scheduled_events[index].clone();
    let from = current["status"].as_u64().unwrap_or(1);
    if matches!(from, 3 | 4) {
        return invalid(vec![
            "status: a canceled or completed event cannot be edited".into(),
        ]);
    }
    let mut next = current.clone();
    for (key, value) in body.as_object().into_iter().flatten() {
        next[key] = value.clone();
    }
    let to = next["status"].as_u64().unwrap_or(from);
    // Discord's statuses: 1 SCHEDULED, 2 ACTIVE, 3 COMPLETED, 4 CANCELED.
    if to != from && !matches!((from, to), (1, 2) | (1, 4) | (2, 3)) {
        return invalid(vec![format!("status: cannot move from {from} to {to}")]);
    }
    let moved = next["scheduled_start_time"] != current["scheduled_start_time"];
    let problems = check(&next, state, moved);
    if !problems.is_empty() {
        return invalid(problems);
    }
    state.scheduled_events[index] = next.clone();
    Inner::dispatch_locked(state, "GUILD_SCHEDULED_EVENT_UPDATE", next.clone());
    (200, next)
}

fn shown(event: &Value, with_count: bool) -> Value {
    let mut event = event.clone();
    if !with_count {
        if let Some(map) = event.as_object_mut() {
            map.remove("user_count");
        }
    }
    event
}

pub(super) fn list(state: &mut SimState, with_count: bool) -> Answer {
    automate(state);
    let events: Vec<Value> = state
        .scheduled_events
        .iter()
        .filter(|e| matches!(e["status"].as_u64(), Some(1 | 2)))
        .map(|e| shown(e, with_count))
        .collect();
    (200, Value::Array(events))
}

pub(super) fn get(state: &mut SimState, id: &str, with_count: bool) -> Answer {
    automate(state);
    match state.scheduled_events.iter().find(|e| e["id"] == json!(id)) {
        Some(event) => (200, shown(event, with_count)),
        None => error(404, 10070, "Unknown Guild Scheduled Event"),
    }
}

impl Sim {
    /// Every scheduled event the bot made, in any status (as Discord's clock has moved them).
    pub fn scheduled_events(&self) -> Vec<Value> {
        let mut state = self.inner.lock();
        automate(&mut state);
        state.scheduled_events.clone()
    }

    /// A member presses "Interested" on a scheduled event.
    pub fn scheduled_event_interest(&self, user: u64, event: &str) {
        let mut state = self.inner.lock();
        let guild = state.world.guild_id;
        let Some(found) = state
            .scheduled_events
            .iter_mut()
            .find(|e| e["id"] == json!(event))
        else {
            return;
        };
        found["user_count"] = json!(found["user_count"].as_u64().unwrap_or(0) + 1);
        let d = json!({
            "guild_scheduled_event_id": event,
            "user_id": user.to_string(),
            "guild_id": guild.to_string(),
        });
        Inner::dispatch_locked(&mut state, "GUILD_SCHEDULED_EVENT_USER_ADD", d);
    }

    /// Sets Discord's clock (`None`: the wall clock), for a bot on a stepped clock.
    pub fn set_discord_now(&self, at: Option<DateTime<Utc>>) {
        self.inner.lock().discord_now = at;
    }
}
