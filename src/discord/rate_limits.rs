//! Discord's rate limits as one limiter for the bot's REST calls in bulk (interaction answers
//! aside, which Discord does not count): the outbox worker's deliveries and the reconcile job's
//! member and entitlement pages. Discord's global limit is per bot, so one limiter for both is the
//! only way a role storm and a reconcile pass can run together without drawing a 429. (A few
//! commands still read one thing each through serenity's client, outside the limiter.)

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use reqwest::Method;
use tokio::sync::Notify;

use crate::outbox::limits::{Limits, RateHeaders, Ticket, Wait};

/// How a call made outside the outbox waits for the global limit: after the outbox's own
/// bulk changes (see `Effect::priority`), since nobody is waiting on it.
pub const BACKGROUND_PRIORITY: i64 = 3;

/// Discord's limits, shared by the outbox worker and the reconcile job.
pub struct RateLimiter {
    limits: Mutex<Limits>,
    /// Rung when leave was taken or an answer came: waiters look again.
    changed: Notify,
    next_waiter: AtomicU64,
}

/// Takes a waiter out of the global line when its request stops waiting (sent or dropped).
struct LeaveLine<'g>(&'g RateLimiter, u64);

impl Drop for LeaveLine<'_> {
    fn drop(&mut self) {
        self.0.limits.lock().expect("limits lock").leave(self.1);
    }
}

impl RateLimiter {
    pub fn new(global_per_second: u32) -> RateLimiter {
        RateLimiter {
            limits: Mutex::new(Limits::new(global_per_second)),
            changed: Notify::new(),
            next_waiter: AtomicU64::new(0),
        }
    }

    /// Waits until `method path` may be sent without drawing a 429.
    pub async fn acquire(&self, method: &Method, path: &str, priority: i64) -> Ticket {
        let waiter = self.next_waiter.fetch_add(1, Ordering::Relaxed);
        let _line = LeaveLine(self, waiter);
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let now = std::time::Instant::now();
            let taken = self.limits.lock().expect("limits lock").try_acquire(
                method.as_str(),
                path,
                priority,
                waiter,
                now,
            );
            let until = match taken {
                Ok(ticket) => {
                    // A more urgent waiter going first lets the others look again.
                    self.changed.notify_waiters();
                    return ticket;
                }
                Err(Wait::Until(at)) => at,
                // Bounded, in case the answer never comes (its task was stopped).
                Err(Wait::ForAnswer) => now + Duration::from_secs(1),
            };
            tokio::select! {
                _ = tokio::time::sleep_until(until.into()) => {}
                _ = &mut notified => {}
            }
        }
    }

    pub fn observe(&self, ticket: Ticket, headers: Option<&RateHeaders>) {
        self.limits.lock().expect("limits lock").observe(
            ticket,
            headers,
            std::time::Instant::now(),
        );
        self.changed.notify_waiters();
    }

    /// Runs `call` (a serenity request for `method path`) when the limits allow it. Serenity
    /// does not hand back the answer's headers: the call counts against the global limit
    /// until a second after it returns, which is all the limiter needs.
    pub async fn around<T>(
        &self,
        method: Method,
        path: &str,
        call: impl std::future::Future<Output = T>,
    ) -> T {
        let ticket = self.acquire(&method, path, BACKGROUND_PRIORITY).await;
        let out = call.await;
        self.observe(ticket, None);
        out
    }
}
