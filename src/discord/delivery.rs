//! The outbox worker: claims the next due item, performs its REST call, and records what
//! happened. It talks to Discord with its own HTTP client rather than serenity's `Http`,
//! because serenity turns a 429 into an error without `retry_after` when its rate limiter is off
//! (which it must be behind a proxy) — and honouring `retry_after` is the worker's job.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use poise::serenity_prelude as serenity;
use rand::Rng;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::clock::from_millis;
use crate::jobs::Job;
use crate::outbox::policy::{decide, pause_all, Outcome, Response};
use crate::outbox::store::{self, OutboxRow};
use crate::outbox::{Effect, MessageBody};
use crate::state::AppState;

/// A minimal Discord REST client for side effects.
#[derive(Clone)]
pub struct Rest {
    client: reqwest::Client,
    base: String,
    authorization: String,
}

impl std::fmt::Debug for Rest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the token.
        f.debug_struct("Rest")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

/// Percent-encodes an audit-log reason, as Discord requires for the header.
fn encode_reason(reason: &str) -> String {
    let mut out = String::with_capacity(reason.len());
    for byte in reason.bytes().take(512) {
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

    /// One call; returns the policy's view of the response and the JSON body if any.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        reason: Option<&str>,
    ) -> (Response, Option<Value>) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("Authorization", &self.authorization);
        if let Some(reason) = reason.filter(|r| !r.is_empty()) {
            request = request.header("X-Audit-Log-Reason", encode_reason(reason));
        }
        request = match body {
            Some(body) => request.json(&body),
            // Discord answers 411 to a body-less PUT without `Content-Length: 0`.
            None => request.header("Content-Length", "0").body(""),
        };
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => return (Response::Unreachable(e.without_url().to_string()), None),
        };
        let status = response.status();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let header_retry = header("retry-after").and_then(|v| v.parse::<f64>().ok());
        let bucket_reset_after = match header("x-ratelimit-remaining").as_deref() {
            Some("0") => header("x-ratelimit-reset-after").and_then(|v| v.parse::<f64>().ok()),
            _ => None,
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
            .unwrap_or(false);
        (
            Response::Status {
                status: status.as_u16(),
                retry_after,
                message,
                global,
                bucket_reset_after,
            },
            json,
        )
    }
}

fn message_json(body: &MessageBody, nonce: &str) -> Value {
    json!({
        "content": body.content,
        "embeds": body.embeds,
        // Mod-log lines and announcements mention people without pinging them.
        "allowed_mentions": { "parse": [] },
        // Discord drops a second create with the same nonce, so a retry after a lost
        // response cannot post the message twice.
        "nonce": nonce,
        "enforce_nonce": true,
    })
}

/// Delivers outbox items, one at a time, until told to stop.
pub struct Worker {
    state: AppState,
    rest: Rest,
    cache: Arc<serenity::Cache>,
    /// Set by a global 429 or an exhausted bucket: nothing is sent before this instant.
    paused_until: Mutex<Option<DateTime<Utc>>>,
}

impl Worker {
    pub fn new(state: AppState, rest: Rest, cache: Arc<serenity::Cache>) -> Worker {
        Worker {
            state,
            rest,
            cache,
            paused_until: Mutex::new(None),
        }
    }

    fn pause_if_told(&self, response: &Response) {
        if let Some(pause) = pause_all(response) {
            let until =
                self.state.clock.now() + chrono::Duration::from_std(pause).unwrap_or_default();
            tracing::warn!(?pause, "Discord asked for a pause; holding every delivery");
            *self.paused_until.lock().expect("pause lock") = Some(until);
        }
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

    /// Performs one effect. Role changes the member already reflects are skipped.
    /// `attempt` counts this one (1 for the first try).
    async fn perform(&self, id: i64, attempt: u32, effect: &Effect) -> Outcome {
        let has_role =
            |guild: serenity::GuildId, user: serenity::UserId, role: serenity::RoleId| {
                self.cache
                    .guild(guild)
                    .and_then(|g| g.members.get(&user).map(|m| m.roles.contains(&role)))
            };
        let (response, _) = match effect {
            Effect::AddRole {
                guild_id,
                user_id,
                role_id,
                reason,
            } => {
                if has_role(*guild_id, *user_id, *role_id) == Some(true) {
                    return Outcome::Skipped("member already has the role".into());
                }
                let path = format!("/guilds/{guild_id}/members/{user_id}/roles/{role_id}");
                self.rest.call(Method::PUT, &path, None, Some(reason)).await
            }
            Effect::RemoveRole {
                guild_id,
                user_id,
                role_id,
                reason,
            } => {
                if has_role(*guild_id, *user_id, *role_id) == Some(false) {
                    return Outcome::Skipped("member does not have the role".into());
                }
                let path = format!("/guilds/{guild_id}/members/{user_id}/roles/{role_id}");
                self.rest
                    .call(Method::DELETE, &path, None, Some(reason))
                    .await
            }
            Effect::SendMessage { channel_id, body } => {
                self.post_message(&channel_id.to_string(), body, id).await
            }
            Effect::SendDm { user_id, body } => {
                let open = json!({ "recipient_id": user_id.to_string() });
                let (response, channel) = self
                    .rest
                    .call(Method::POST, "/users/@me/channels", Some(open), None)
                    .await;
                let channel_id = channel
                    .as_ref()
                    .and_then(|c| c.get("id"))
                    .and_then(Value::as_str)
                    .map(str::to_string);
                match (&response, channel_id) {
                    (Response::Status { status, .. }, Some(channel_id)) if *status < 300 => {
                        self.post_message(&channel_id, body, id).await
                    }
                    _ => (response, channel),
                }
            }
            Effect::DeleteMessage {
                channel_id,
                message_id,
                reason,
            } => {
                let path = format!("/channels/{channel_id}/messages/{message_id}");
                self.rest
                    .call(Method::DELETE, &path, None, Some(reason))
                    .await
            }
            Effect::TimeoutMember {
                guild_id,
                user_id,
                until,
                reason,
            } => {
                let path = format!("/guilds/{guild_id}/members/{user_id}");
                let body = json!({ "communication_disabled_until": until.map(|u| u.to_rfc3339()) });
                self.rest
                    .call(Method::PATCH, &path, Some(body), Some(reason))
                    .await
            }
        };
        self.pause_if_told(&response);
        let already_deleted = matches!(effect, Effect::DeleteMessage { .. })
            && matches!(response, Response::Status { status: 404, .. });
        if already_deleted {
            return Outcome::Skipped("message was already gone".into());
        }
        let config = self.state.config.snapshot();
        let (base, max) = (config.outbox.retry_base, config.outbox.retry_max);
        decide(&response, attempt, base, max, rand::thread_rng().gen())
    }

    /// Creates a message in `channel_id`; the item's id is the nonce, so a retry after a lost
    /// response cannot post twice.
    async fn post_message(
        &self,
        channel_id: &str,
        body: &MessageBody,
        id: i64,
    ) -> (Response, Option<Value>) {
        let path = format!("/channels/{channel_id}/messages");
        let payload = message_json(body, &format!("lyceum-{id}"));
        self.rest
            .call(Method::POST, &path, Some(payload), None)
            .await
    }

    /// Claims and delivers one item due at `now`. Returns whether there was one.
    pub async fn deliver_next(&self, now: DateTime<Utc>) -> anyhow::Result<bool> {
        if self.paused_at(now).is_some() {
            return Ok(false);
        }
        let Some(row) = store::claim_next(&self.state.db, now).await? else {
            return Ok(false);
        };
        let outcome = match row.effect() {
            Ok(effect) => {
                let attempt = u32::try_from(row.attempts)
                    .unwrap_or(u32::MAX)
                    .saturating_add(1);
                self.perform(row.id, attempt, &effect).await
            }
            Err(e) => Outcome::Failed(format!("unreadable payload: {e}")),
        };
        self.record(&row, outcome).await?;
        Ok(true)
    }

    async fn record(&self, row: &OutboxRow, outcome: Outcome) -> anyhow::Result<()> {
        let db = &self.state.db;
        let now = self.state.clock.now();
        match outcome {
            Outcome::Delivered => {
                tracing::info!(id = row.id, kind = row.kind, "outbox item delivered");
                store::finish(db, row.id, "delivered", None, now).await?;
            }
            Outcome::Skipped(why) => {
                tracing::info!(id = row.id, kind = row.kind, why, "outbox item skipped");
                store::finish(db, row.id, "skipped", Some(&why), now).await?;
            }
            Outcome::Failed(why) => {
                tracing::warn!(
                    id = row.id,
                    kind = row.kind,
                    why,
                    "outbox item failed permanently"
                );
                store::finish(db, row.id, "failed", Some(&why), now).await?;
            }
            Outcome::Retry { after, error } => {
                tracing::warn!(id = row.id, kind = row.kind, error, retry_in = ?after, "outbox item will be retried");
                let at = now + chrono::Duration::from_std(after).unwrap_or_default();
                store::retry_at(db, row.id, at, &error).await?;
            }
        }
        Ok(())
    }
}

/// One item per run, so shutdown never waits for more than the item in flight.
#[async_trait::async_trait]
impl Job for Worker {
    fn name(&self) -> &'static str {
        "outbox"
    }

    async fn recover(&self) -> anyhow::Result<()> {
        let released = store::release_stale_claims(&self.state.db).await?;
        if released > 0 {
            tracing::info!(released, "released outbox items claimed before a restart");
        }
        Ok(())
    }

    async fn run_once(&self, now: DateTime<Utc>) -> anyhow::Result<Option<DateTime<Utc>>> {
        if let Some(until) = self.paused_at(now) {
            return Ok(Some(until));
        }
        if self.deliver_next(now).await? {
            return Ok(Some(now));
        }
        Ok(store::next_due(&self.state.db).await?.map(from_millis))
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

    #[test]
    fn the_token_is_not_in_debug_output() {
        let rest = Rest::new("http://127.0.0.1:1", "secret-token");
        assert!(!format!("{rest:?}").contains("secret-token"));
    }
}
