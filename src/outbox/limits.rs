//! Discord's rate limits as the outbox worker keeps them, so that a storm of role changes goes
//! out as fast as Discord allows without drawing a 429.
//!
//! Two limits apply to every request (Discord's docs, Topics → Rate Limits):
//! - the **global** limit, 50 requests per second per bot. Discord counts a request when it
//!   arrives, which is somewhere between when it left here and when its answer came back; so a
//!   request holds its slot until one second after its answer (or, if no answer ever comes,
//!   for [`PROBE_TIMEOUT`]). No margin to guess: a CPU-starved host or a slow network delays
//!   the answer and the slot with it;
//! - the **route's bucket**, keyed by the bucket hash Discord names in `X-RateLimit-Bucket` and
//!   the route's major parameter (channel, guild or webhook). A bucket's state comes from the
//!   `-Remaining` and `-Reset-After` headers. While it is unknown (first use, or its window has
//!   ended) exactly one request goes out as a probe; its answer says how many more may follow
//!   at once before the reset.
//!
//! Waiting for the global limit goes by priority: an automod delete waiting beside a thousand
//! role changes takes the next free slot. This module is pure (instants are passed in); the
//! worker's async gate wraps it.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

/// Added to a bucket's reset: the answer's `Reset-After` was measured on Discord's side.
const RESET_MARGIN: Duration = Duration::from_millis(10);
/// A probe whose answer never came (its task was stopped) stops holding its bucket after this.
const PROBE_TIMEOUT: Duration = Duration::from_secs(20);

/// A path reduced to its route: ids replaced by `{channel}`, `{guild}`, `{webhook}` (the major
/// parameters, which get buckets of their own) or `{id}`, and the major parameter's value.
pub fn route_of(path: &str) -> (String, String) {
    let path = path.split('?').next().unwrap_or(path);
    let mut template = String::with_capacity(path.len());
    let mut major = String::new();
    let mut previous = "";
    for segment in path.trim_matches('/').split('/') {
        template.push('/');
        let is_id = !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit());
        if !is_id {
            template.push_str(segment);
        } else {
            let name = match previous {
                "channels" => "{channel}",
                "guilds" => "{guild}",
                "webhooks" => "{webhook}",
                _ => "{id}",
            };
            if name != "{id}" && major.is_empty() {
                major = segment.to_string();
            }
            template.push_str(name);
        }
        previous = segment;
    }
    (template, major)
}

/// What an answer said about the limits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RateHeaders {
    pub status: u16,
    pub bucket: Option<String>,
    pub remaining: Option<u32>,
    /// Seconds until the bucket refills.
    pub reset_after: Option<f64>,
    /// Seconds to wait, from a 429.
    pub retry_after: Option<f64>,
    /// A 429 from the global limit.
    pub global: bool,
}

/// Leave to send one request, to be handed back with its answer.
#[derive(Debug)]
pub struct Ticket {
    route: String,
    major: String,
    bucket: String,
    probe: bool,
    /// Its slot of the global limit (none when there is no global limit).
    slot: Option<u64>,
}

/// One request counted against the global limit.
#[derive(Debug)]
struct Slot {
    id: u64,
    sent: Instant,
    /// One second after its answer came: Discord has forgotten it by then.
    free_at: Option<Instant>,
}

impl Slot {
    /// When it stops counting, as far as is known now.
    fn frees_at(&self) -> Instant {
        self.free_at.unwrap_or(self.sent + PROBE_TIMEOUT)
    }
}

#[derive(Debug, Default)]
struct Bucket {
    /// Requests still allowed before `reset_at`.
    remaining: u32,
    /// When the window known from the last answer ends (None: not known).
    reset_at: Option<Instant>,
    /// A probe is out since this instant.
    probing: Option<Instant>,
}

/// Why a request has to wait.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Wait {
    /// Until this instant.
    Until(Instant),
    /// Until another request's answer arrives (a probe is out, or a more urgent request is
    /// first in line for the global limit).
    ForAnswer,
}

/// The worker's view of Discord's limits.
#[derive(Debug)]
pub struct Limits {
    global_per_second: usize,
    /// Requests that may still count against the global limit.
    slots: Vec<Slot>,
    next_slot: u64,
    /// Route ("METHOD template") → bucket hash ("" for a route Discord does not bucket).
    buckets_of_routes: HashMap<String, String>,
    /// "bucket/major" → state.
    buckets: HashMap<String, Bucket>,
    /// Requests waiting for the global limit: waiter id → priority (lower goes first).
    waiting: BTreeMap<u64, i64>,
    /// A global 429 holds everything until then.
    blocked_until: Option<Instant>,
}

impl Limits {
    /// `global_per_second`: 50 for most bots; 0 means no global limit.
    pub fn new(global_per_second: u32) -> Limits {
        Limits {
            global_per_second: global_per_second as usize,
            slots: Vec::new(),
            next_slot: 0,
            buckets_of_routes: HashMap::new(),
            buckets: HashMap::new(),
            waiting: BTreeMap::new(),
            blocked_until: None,
        }
    }

    fn bucket_key(bucket: &str, major: &str) -> String {
        format!("{bucket}/{major}")
    }

    /// Takes leave to send `method path` now, or says how long to wait. `waiter` identifies
    /// the caller across retries (for its place in the global line).
    pub fn try_acquire(
        &mut self,
        method: &str,
        path: &str,
        priority: i64,
        waiter: u64,
        now: Instant,
    ) -> Result<Ticket, Wait> {
        if let Some(until) = self.blocked_until.filter(|u| *u > now) {
            return Err(Wait::Until(until));
        }
        let (template, major) = route_of(path);
        let route = format!("{method} {template}");
        // A route not yet answered is its own bucket until Discord names one.
        let bucket = self
            .buckets_of_routes
            .get(&route)
            .cloned()
            .unwrap_or_else(|| route.clone());
        let mut probe = false;
        if !bucket.is_empty() {
            let state = self
                .buckets
                .entry(Self::bucket_key(&bucket, &major))
                .or_default();
            match state.reset_at {
                Some(reset) if now < reset => {
                    if state.remaining == 0 {
                        return Err(Wait::Until(reset));
                    }
                }
                _ => {
                    let probe_out = state
                        .probing
                        .is_some_and(|since| now.duration_since(since) < PROBE_TIMEOUT);
                    if probe_out {
                        return Err(Wait::ForAnswer);
                    }
                    probe = true;
                }
            }
        }
        let slot = self.take_global(priority, waiter, now)?;
        if !bucket.is_empty() {
            let state = self
                .buckets
                .get_mut(&Self::bucket_key(&bucket, &major))
                .expect("bucket created above");
            if probe {
                state.probing = Some(now);
            } else {
                state.remaining -= 1;
            }
        }
        Ok(Ticket {
            route,
            major,
            bucket,
            probe,
            slot,
        })
    }

    /// One slot of the global limit, most urgent waiter first.
    fn take_global(
        &mut self,
        priority: i64,
        waiter: u64,
        now: Instant,
    ) -> Result<Option<u64>, Wait> {
        if self.global_per_second == 0 {
            self.waiting.remove(&waiter);
            return Ok(None);
        }
        self.slots.retain(|slot| slot.frees_at() > now);
        if self.slots.len() >= self.global_per_second {
            self.waiting.insert(waiter, priority);
            let answered = self.slots.iter().filter_map(|slot| slot.free_at).min();
            return Err(match answered {
                Some(at) => Wait::Until(at),
                // Every slot is out: the first answer says when one frees.
                None => Wait::ForAnswer,
            });
        }
        let more_urgent = self
            .waiting
            .iter()
            .any(|(other, p)| *other != waiter && *p < priority);
        if more_urgent {
            return Err(Wait::ForAnswer);
        }
        self.waiting.remove(&waiter);
        let id = self.next_slot;
        self.next_slot += 1;
        self.slots.push(Slot {
            id,
            sent: now,
            free_at: None,
        });
        Ok(Some(id))
    }

    /// Forgets a waiter that gave up (its task ended).
    pub fn leave(&mut self, waiter: u64) {
        self.waiting.remove(&waiter);
    }

    /// Learns from the answer to a ticket's request. `headers` is None when no answer came
    /// (a network error).
    pub fn observe(&mut self, ticket: Ticket, headers: Option<&RateHeaders>, now: Instant) {
        // Discord counted it at the latest now, answer or not.
        if let Some(slot) = self.slots.iter_mut().find(|s| Some(s.id) == ticket.slot) {
            slot.free_at = Some(now + Duration::from_secs(1));
        }
        let Some(headers) = headers else {
            if let Some(state) = self
                .buckets
                .get_mut(&Self::bucket_key(&ticket.bucket, &ticket.major))
            {
                if ticket.probe {
                    state.probing = None;
                }
            }
            return;
        };
        if headers.status == 429 && headers.global {
            let wait =
                Duration::from_secs_f64(headers.retry_after.unwrap_or(1.0).clamp(0.0, 3600.0));
            self.blocked_until = Some(now + wait + RESET_MARGIN);
        }
        let bucket = match (&headers.bucket, headers.status) {
            (Some(hash), _) => hash.clone(),
            // A 429 without bucket headers still limits this route.
            (None, 429) => ticket.bucket.clone(),
            (None, _) => String::new(),
        };
        if ticket.bucket != bucket {
            // The route's first answer named its bucket: drop the stand-in.
            self.buckets
                .remove(&Self::bucket_key(&ticket.bucket, &ticket.major));
            self.buckets_of_routes
                .insert(ticket.route.clone(), bucket.clone());
        }
        if bucket.is_empty() {
            return;
        }
        let state = self
            .buckets
            .entry(Self::bucket_key(&bucket, &ticket.major))
            .or_default();
        // The answer to this bucket's own probe (a first answer probed a stand-in).
        let own_probe = ticket.probe && ticket.bucket == bucket;
        if own_probe {
            state.probing = None;
        }
        if headers.status == 429 && !headers.global {
            let wait = headers.retry_after.or(headers.reset_after).unwrap_or(1.0);
            state.remaining = 0;
            state.reset_at =
                Some(now + Duration::from_secs_f64(wait.clamp(0.0, 3600.0)) + RESET_MARGIN);
            return;
        }
        let (Some(remaining), Some(reset_after)) = (headers.remaining, headers.reset_after) else {
            return;
        };
        let reset = now + Duration::from_secs_f64(reset_after.clamp(0.0, 3600.0)) + RESET_MARGIN;
        if state.reset_at.is_some_and(|r| now < r) {
            // Requests sent in a known window were counted when they left: an answer can only
            // lower what is left, and a later reset is believed (this request may have opened
            // a new window, whose budget stays unknown until then).
            state.remaining = state.remaining.min(remaining);
            state.reset_at = state.reset_at.max(Some(reset));
        } else if own_probe || state.probing.is_none() {
            // The window is unknown and nothing else is asking: Discord's count is the truth.
            state.remaining = remaining;
            state.reset_at = Some(reset);
        }
        // Otherwise a probe is out; its answer will say.
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLE: &str = "/guilds/1/members/2/roles/3";

    fn answer(bucket: &str, remaining: u32, reset_after: f64) -> RateHeaders {
        RateHeaders {
            status: 204,
            bucket: Some(bucket.into()),
            remaining: Some(remaining),
            reset_after: Some(reset_after),
            ..RateHeaders::default()
        }
    }

    #[test]
    fn routes_keep_only_their_major_parameter() {
        assert_eq!(
            route_of(ROLE),
            ("/guilds/{guild}/members/{id}/roles/{id}".into(), "1".into())
        );
        assert_eq!(
            route_of("/channels/7/messages?limit=50"),
            ("/channels/{channel}/messages".into(), "7".into())
        );
        assert_eq!(
            route_of("/users/@me/channels"),
            ("/users/@me/channels".into(), String::new())
        );
    }

    #[test]
    fn one_probe_learns_the_bucket_then_its_remaining_go_at_once() {
        let mut limits = Limits::new(0);
        let t0 = Instant::now();
        let probe = limits.try_acquire("PUT", ROLE, 2, 1, t0).unwrap();
        // While the probe is out, others wait for its answer.
        assert_eq!(
            limits
                .try_acquire("PUT", "/guilds/1/members/5/roles/3", 2, 2, t0)
                .unwrap_err(),
            Wait::ForAnswer
        );
        limits.observe(probe, Some(&answer("roles", 3, 1.0)), t0);
        let tickets: Vec<_> = (0..3)
            .map(|i| {
                limits.try_acquire(
                    "PUT",
                    &format!("/guilds/1/members/{i}/roles/3"),
                    2,
                    10 + i,
                    t0,
                )
            })
            .collect();
        assert!(tickets.iter().all(Result::is_ok), "{tickets:?}");
        // The fourth waits for the reset Discord announced.
        let reset = t0 + Duration::from_secs(1) + RESET_MARGIN;
        assert_eq!(
            limits.try_acquire("PUT", ROLE, 2, 20, t0).unwrap_err(),
            Wait::Until(reset)
        );
        // Another guild is another bucket.
        assert!(limits
            .try_acquire("PUT", "/guilds/9/members/2/roles/3", 2, 21, t0)
            .is_ok());
        // After the reset, one probe again.
        let later = reset + Duration::from_millis(1);
        assert!(limits.try_acquire("PUT", ROLE, 2, 22, later).unwrap().probe);
        assert_eq!(
            limits.try_acquire("PUT", ROLE, 2, 23, later).unwrap_err(),
            Wait::ForAnswer
        );
    }

    #[test]
    fn late_answers_only_lower_what_is_left() {
        let mut limits = Limits::new(0);
        let t0 = Instant::now();
        let probe = limits.try_acquire("PUT", ROLE, 2, 1, t0).unwrap();
        limits.observe(probe, Some(&answer("roles", 4, 1.0)), t0);
        let a = limits.try_acquire("PUT", ROLE, 2, 2, t0).unwrap();
        let b = limits.try_acquire("PUT", ROLE, 2, 3, t0).unwrap();
        // b's answer (2 left) and then a's late one (3 left): still 2 left for us.
        limits.observe(b, Some(&answer("roles", 2, 0.9)), t0);
        limits.observe(a, Some(&answer("roles", 3, 0.9)), t0);
        assert!(limits.try_acquire("PUT", ROLE, 2, 4, t0).is_ok());
        assert!(limits.try_acquire("PUT", ROLE, 2, 5, t0).is_ok());
        assert!(limits.try_acquire("PUT", ROLE, 2, 6, t0).is_err());
    }

    #[test]
    fn the_global_limit_serves_the_most_urgent_waiter_first() {
        let mut limits = Limits::new(2);
        let t0 = Instant::now();
        for waiter in 0..2 {
            let ticket = limits
                .try_acquire("GET", "/users/@me", 2, waiter, t0)
                .unwrap();
            limits.observe(
                ticket,
                Some(&RateHeaders {
                    status: 200,
                    ..RateHeaders::default()
                }),
                t0,
            );
        }
        let free = t0 + Duration::from_secs(1);
        // A role change and an automod delete both wait for the same free slot.
        assert_eq!(
            limits
                .try_acquire("GET", "/users/@me", 2, 10, t0)
                .unwrap_err(),
            Wait::Until(free)
        );
        assert!(limits
            .try_acquire("DELETE", "/channels/4/messages/5", 0, 11, t0)
            .is_err());
        assert_eq!(
            limits
                .try_acquire("GET", "/users/@me", 2, 10, free)
                .unwrap_err(),
            Wait::ForAnswer,
            "the role change yields"
        );
        assert!(limits
            .try_acquire("DELETE", "/channels/4/messages/5", 0, 11, free)
            .is_ok());
        assert!(limits.try_acquire("GET", "/users/@me", 2, 10, free).is_ok());
        assert!(
            limits
                .try_acquire("GET", "/users/@me", 2, 12, free)
                .is_err(),
            "2 per second"
        );
    }

    #[test]
    fn a_slow_answer_holds_its_global_slot_until_a_second_after_it() {
        let mut limits = Limits::new(2);
        // The route's first answer says it has no bucket: only the global limit applies.
        let start = Instant::now();
        let learn = limits
            .try_acquire("GET", "/users/@me", 2, 0, start)
            .unwrap();
        let unbucketed = RateHeaders {
            status: 200,
            ..RateHeaders::default()
        };
        limits.observe(learn, Some(&unbucketed), start);
        let t0 = start + Duration::from_secs(2);
        let first = limits.try_acquire("GET", "/users/@me", 2, 1, t0).unwrap();
        let second = limits.try_acquire("GET", "/users/@me", 2, 2, t0).unwrap();
        // Both out, no answer yet: nobody knows when Discord counted them.
        assert_eq!(
            limits
                .try_acquire("GET", "/users/@me", 2, 3, t0)
                .unwrap_err(),
            Wait::ForAnswer
        );
        // The first answer is 300 ms late (a starved host): it may have arrived just now.
        let late = t0 + Duration::from_millis(300);
        limits.observe(first, None, late);
        let second_answered = t0 + Duration::from_millis(10);
        limits.observe(second, None, second_answered);
        let one_second_on = t0 + Duration::from_secs(1);
        assert_eq!(
            limits
                .try_acquire("GET", "/users/@me", 2, 3, one_second_on)
                .unwrap_err(),
            Wait::Until(second_answered + Duration::from_secs(1)),
            "a second after the send is not enough"
        );
        assert!(limits
            .try_acquire(
                "GET",
                "/users/@me",
                2,
                3,
                second_answered + Duration::from_secs(1)
            )
            .is_ok());
        assert_eq!(
            limits
                .try_acquire(
                    "GET",
                    "/users/@me",
                    2,
                    4,
                    one_second_on + Duration::from_millis(100)
                )
                .unwrap_err(),
            Wait::Until(late + Duration::from_secs(1))
        );
    }

    #[test]
    fn a_429_blocks_its_bucket_or_everything() {
        let mut limits = Limits::new(0);
        let t0 = Instant::now();
        let ticket = limits
            .try_acquire("POST", "/channels/4/messages", 1, 1, t0)
            .unwrap();
        let refused = RateHeaders {
            status: 429,
            bucket: Some("messages".into()),
            remaining: Some(0),
            reset_after: Some(2.0),
            retry_after: Some(2.0),
            global: false,
        };
        limits.observe(ticket, Some(&refused), t0);
        assert!(limits
            .try_acquire("POST", "/channels/4/messages", 1, 2, t0)
            .is_err());
        assert!(limits
            .try_acquire("POST", "/channels/5/messages", 1, 3, t0)
            .is_ok());
        let ticket = limits.try_acquire("GET", "/users/@me", 1, 4, t0).unwrap();
        let global = RateHeaders {
            status: 429,
            retry_after: Some(1.0),
            global: true,
            ..RateHeaders::default()
        };
        limits.observe(ticket, Some(&global), t0);
        assert!(matches!(
            limits.try_acquire("POST", "/channels/6/messages", 1, 5, t0),
            Err(Wait::Until(_))
        ));
    }

    #[test]
    fn a_lost_probe_stops_holding_its_bucket() {
        let mut limits = Limits::new(0);
        let t0 = Instant::now();
        let _lost = limits.try_acquire("PUT", ROLE, 2, 1, t0).unwrap();
        assert!(limits.try_acquire("PUT", ROLE, 2, 2, t0).is_err());
        assert!(limits
            .try_acquire("PUT", ROLE, 2, 2, t0 + PROBE_TIMEOUT)
            .is_ok());
    }
}
