//! Discord's rate limits, as the simulated REST API enforces them.
//!
//! The model is Discord's documented one (docs: Topics → Rate Limits):
//! - a **global** limit of 50 requests per second per bot, across every route except the
//!   interaction endpoints (callbacks and webhooks with an interaction token are not bound by it);
//! - **per-route buckets**, keyed by the route and its *major parameter* (`channel_id`,
//!   `guild_id` or `webhook_id`): `PUT /guilds/1/members/2/roles/3` and
//!   `PUT /guilds/1/members/9/roles/4` share a bucket, another guild has its own. Each answer
//!   carries `X-RateLimit-Bucket`, `-Limit`, `-Remaining`, `-Reset` and `-Reset-After`;
//! - a request over either limit gets 429 with `retry_after` (and `global: true` plus
//!   `X-RateLimit-Global` for the global one) and does nothing.
//!
//! Discord does not document each route's numbers; the defaults below are the ones commonly
//! observed (5 messages per 5 s per channel), except the role routes, whose window Discord does
//! not announce: they allow 50 per second per guild so that, as for a large bot on real Discord,
//! the global limit is what bounds a role storm. Adding and removing a role are separate
//! buckets, as Discord's hashes differ by method for most routes. Tests and the bench may set
//! their own table.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Whether `path` (query ignored) is an instance of `template`, read as Discord's docs write
/// routes: literal segments match themselves, `{…}` matches one snowflake id. On a match,
/// returns the major parameter's value (`{channel}`, `{guild}` or `{webhook}`; empty when the
/// route has none). The simulator's own reading of routes, independent of the bot's, so a
/// bucket-keying mistake in the bot cannot hide behind the same mistake here.
pub fn match_route(template: &str, path: &str) -> Option<String> {
    let path = path.split('?').next().unwrap_or(path);
    let mut wanted = template.trim_matches('/').split('/');
    let mut given = path.trim_matches('/').split('/');
    let mut major = None;
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return Some(major.unwrap_or_default()),
            (Some(w), Some(g)) if w.starts_with('{') => {
                if g.is_empty() || !g.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let is_major = matches!(w, "{channel}" | "{guild}" | "{webhook}");
                if is_major && major.is_none() {
                    major = Some(g.to_string());
                }
            }
            (Some(w), Some(g)) if w == g => {}
            _ => return None,
        }
    }
}

/// One route's bucket: requests allowed per window.
#[derive(Debug, Clone)]
pub struct RouteLimit {
    pub method: &'static str,
    /// The path with ids as `{channel}`, `{guild}`, `{webhook}` (major) or `{id}` (minor).
    pub template: &'static str,
    /// Routes with the same name share a bucket (Discord's `X-RateLimit-Bucket` hash).
    pub bucket: &'static str,
    pub limit: u32,
    pub window: Duration,
}

/// The limits the simulator enforces, and how slow it answers.
#[derive(Debug, Clone)]
pub struct RateLimits {
    /// Requests per second across all bucketed and unbucketed routes; 0 turns it off.
    pub global_per_second: u32,
    pub routes: Vec<RouteLimit>,
    /// Added to every REST answer (network and Discord's own time).
    pub latency: Duration,
}

const fn route(
    method: &'static str,
    template: &'static str,
    bucket: &'static str,
    limit: u32,
    window_ms: u64,
) -> RouteLimit {
    RouteLimit {
        method,
        template,
        bucket,
        limit,
        window: Duration::from_millis(window_ms),
    }
}

impl Default for RateLimits {
    fn default() -> RateLimits {
        RateLimits {
            global_per_second: 50,
            routes: vec![
                route(
                    "POST",
                    "/channels/{channel}/messages",
                    "message-create",
                    5,
                    5_000,
                ),
                route(
                    "PATCH",
                    "/channels/{channel}/messages/{id}",
                    "message-edit",
                    5,
                    5_000,
                ),
                route(
                    "DELETE",
                    "/channels/{channel}/messages/{id}",
                    "message-delete",
                    5,
                    1_000,
                ),
                route(
                    "PUT",
                    "/channels/{channel}/permissions/{id}",
                    "overwrite",
                    10,
                    1_000,
                ),
                route(
                    "PUT",
                    "/guilds/{guild}/members/{id}/roles/{id}",
                    "role-add",
                    50,
                    1_000,
                ),
                route(
                    "DELETE",
                    "/guilds/{guild}/members/{id}/roles/{id}",
                    "role-remove",
                    50,
                    1_000,
                ),
                route(
                    "PATCH",
                    "/guilds/{guild}/members/{id}",
                    "member-edit",
                    10,
                    10_000,
                ),
                route(
                    "DELETE",
                    "/guilds/{guild}/members/{id}",
                    "member-kick",
                    5,
                    1_000,
                ),
                route("PUT", "/guilds/{guild}/bans/{id}", "ban", 5, 1_000),
                route("POST", "/users/@me/channels", "dm-open", 10, 1_000),
            ],
            latency: Duration::ZERO,
        }
    }
}

impl RateLimits {
    /// No limits and no latency (for tests about something else that fire many requests).
    pub fn off() -> RateLimits {
        RateLimits {
            global_per_second: 0,
            routes: Vec::new(),
            latency: Duration::ZERO,
        }
    }
}

/// A bucket's name as Discord shows it: an opaque hash.
fn bucket_hash(name: &str) -> String {
    // FNV-1a: stable across runs, so a client can key on it.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in name.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The rate-limit headers of one answer, and for a 429 its body.
#[derive(Debug, Default)]
pub struct Verdict {
    pub headers: Vec<(&'static str, String)>,
    /// Set when the request is refused: the 429 body.
    pub refused: Option<Value>,
}

/// The simulator's count of what it has seen.
#[derive(Default)]
pub struct Limiter {
    pub limits: RateLimits,
    /// When each recent request under the global limit arrived.
    recent: VecDeque<Instant>,
    /// (bucket, major) → (used in the window, the window's end).
    windows: HashMap<(&'static str, String), (u32, Instant)>,
    /// 429s answered.
    pub refused: u32,
}

impl Limiter {
    pub fn new(limits: RateLimits) -> Limiter {
        Limiter {
            limits,
            ..Limiter::default()
        }
    }

    /// Counts one request arriving `now` and says whether Discord would serve it.
    pub fn check(&mut self, method: &str, path: &str, now: Instant) -> Verdict {
        // Interaction callbacks and followups are not bound by the global limit.
        if path.starts_with("/interactions/") || path.starts_with("/webhooks/") {
            return Verdict::default();
        }
        let global = self.limits.global_per_second as usize;
        while self
            .recent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
        {
            self.recent.pop_front();
        }
        if global > 0 && self.recent.len() >= global {
            let free_at = self.recent[0] + Duration::from_secs(1);
            let after = free_at.duration_since(now).as_secs_f64();
            self.refused += 1;
            return Verdict {
                headers: vec![
                    ("x-ratelimit-global", "true".into()),
                    ("x-ratelimit-scope", "global".into()),
                    ("retry-after", format!("{}", after.ceil().max(1.0))),
                ],
                refused: Some(json!({
                    "message": "You are being rate limited.",
                    "retry_after": round3(after),
                    "global": true,
                })),
            };
        }
        let matched = self.limits.routes.iter().find_map(|r| {
            let major = (r.method == method).then(|| match_route(r.template, path))??;
            Some((r, major))
        });
        let Some((route, major)) = matched else {
            self.recent.push_back(now);
            return Verdict::default();
        };
        let (used, ends) = self
            .windows
            .entry((route.bucket, major))
            .or_insert((0, now));
        if now >= *ends {
            *used = 0;
            *ends = now + route.window;
        }
        let reset_after = ends.duration_since(now).as_secs_f64();
        let reset_at = std::time::SystemTime::now() + ends.duration_since(now);
        let reset_epoch = reset_at
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        let refused = *used >= route.limit;
        if !refused {
            *used += 1;
            self.recent.push_back(now);
        }
        let mut headers = vec![
            ("x-ratelimit-bucket", bucket_hash(route.bucket)),
            ("x-ratelimit-limit", route.limit.to_string()),
            ("x-ratelimit-remaining", (route.limit - *used).to_string()),
            ("x-ratelimit-reset", format!("{reset_epoch:.3}")),
            (
                "x-ratelimit-reset-after",
                format!("{:.3}", round3(reset_after)),
            ),
        ];
        if !refused {
            return Verdict {
                headers,
                refused: None,
            };
        }
        self.refused += 1;
        headers.push(("x-ratelimit-scope", "user".into()));
        headers.push(("retry-after", format!("{}", reset_after.ceil().max(1.0))));
        Verdict {
            headers,
            refused: Some(json!({
                "message": "You are being rate limited.",
                "retry_after": round3(reset_after),
                "global": false,
            })),
        }
    }
}

/// Discord's `retry_after` and `Reset-After` have millisecond precision; rounding up keeps a
/// client that waits exactly that long from arriving a hair early.
fn round3(seconds: f64) -> f64 {
    (seconds * 1000.0).ceil() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header<'v>(verdict: &'v Verdict, name: &str) -> &'v str {
        verdict
            .headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    #[test]
    fn a_bucket_counts_per_major_parameter_and_refuses_past_its_limit() {
        let mut limiter = Limiter::new(RateLimits::default());
        let now = Instant::now();
        for i in 0..5 {
            let verdict = limiter.check("POST", "/channels/7/messages", now);
            assert!(verdict.refused.is_none());
            assert_eq!(
                header(&verdict, "x-ratelimit-remaining"),
                (4 - i).to_string()
            );
            assert_eq!(header(&verdict, "x-ratelimit-limit"), "5");
        }
        let sixth = limiter.check("POST", "/channels/7/messages", now);
        assert_eq!(sixth.refused.as_ref().unwrap()["global"], false);
        assert_eq!(header(&sixth, "x-ratelimit-scope"), "user");
        // Another channel is another bucket; reading messages has none.
        assert!(limiter
            .check("POST", "/channels/8/messages", now)
            .refused
            .is_none());
        assert!(limiter
            .check("GET", "/channels/7/messages", now)
            .headers
            .is_empty());
        // The window ends: the bucket is full again.
        let later = now + Duration::from_secs(5);
        assert!(limiter
            .check("POST", "/channels/7/messages", later)
            .refused
            .is_none());
        assert_eq!(limiter.refused, 1);
    }

    #[test]
    fn the_global_limit_spans_routes_but_not_interactions() {
        let mut limiter = Limiter::new(RateLimits::default());
        let now = Instant::now();
        for i in 0..50 {
            let path = format!("/guilds/1/members/{i}/roles/3");
            assert!(limiter.check("PUT", &path, now).refused.is_none(), "{i}");
        }
        let over = limiter.check("GET", "/guilds/1/members", now);
        assert_eq!(over.refused.as_ref().unwrap()["global"], true);
        assert_eq!(header(&over, "x-ratelimit-global"), "true");
        assert!(limiter
            .check("POST", "/interactions/5/token/callback", now)
            .refused
            .is_none());
        let later = now + Duration::from_secs(1);
        assert!(limiter
            .check("GET", "/guilds/1/members", later)
            .refused
            .is_none());
    }

    #[test]
    fn routes_are_read_from_discords_templates_with_their_major_parameter() {
        let roles = "/guilds/{guild}/members/{id}/roles/{id}";
        assert_eq!(
            match_route(roles, "/guilds/1/members/2/roles/3?x=1").as_deref(),
            Some("1")
        );
        assert_eq!(match_route(roles, "/guilds/1/members/2/roles"), None);
        assert_eq!(match_route(roles, "/guilds/1/members/me/roles/3"), None);
        assert_eq!(
            match_route("/channels/{channel}/messages", "/channels/7/messages").as_deref(),
            Some("7")
        );
        assert_eq!(
            match_route("/users/@me/channels", "/users/@me/channels").as_deref(),
            Some("")
        );
        assert_eq!(
            match_route("/channels/{channel}/messages", "/channels/7"),
            None
        );
    }
}
