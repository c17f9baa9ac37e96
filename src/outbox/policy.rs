//! What to do after a delivery attempt: pure decisions over an HTTP status, so every branch of
//! the retry policy is unit-tested without a network.

use std::time::Duration;

/// What the worker does with an item after one attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Delivered,
    /// Nothing to do (e.g. the member already has the role).
    Skipped(String),
    /// Try again after this long.
    Retry {
        after: Duration,
        error: String,
    },
    /// Permanent: Discord will never accept this request as it is.
    Failed(String),
    /// Discord refused a change Lyceum still wants (a role removal answered 403, or 404 for
    /// something other than an unknown member): not dropped, retried after `after`, and staff
    /// hear of it once.
    Refused {
        after: Duration,
        error: String,
    },
    /// Discord refused the bot's token (401). Not the item's fault: every delivery pauses, the
    /// item stays pending, and nothing is counted against it.
    Unauthorized(String),
}

/// Discord's error code for "Missing Permissions" (the bot lacks a permission or its role is too
/// low). A run of these means the server's setup changed, not that each item is bad.
pub const MISSING_PERMISSIONS: i64 = 50013;

/// Discord's error code for "Cannot send messages to this user": the member closed their DMs
/// (or blocked the bot). The message waits on their `/me` page instead.
pub const CANNOT_DM: i64 = 50007;

/// The result of one REST call, reduced to what the policy needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// Network error, timeout, connection refused.
    Unreachable(String),
    Status {
        status: u16,
        /// Seconds, from a 429 body or `Retry-After` header.
        retry_after: Option<f64>,
        /// Discord's error message and code, if the body had one.
        message: String,
        /// A 429 that applies to every request of the bot, not just this route.
        global: bool,
    },
}

impl Response {
    /// A plain response with only a status (tests and simple call sites).
    pub fn status(status: u16, message: impl Into<String>) -> Response {
        Response::Status {
            status,
            retry_after: None,
            message: message.into(),
            global: false,
        }
    }
}

/// How long *every* delivery should wait after this response: Discord's global rate limit.
/// (A route's bucket holds only that route: the worker's `outbox::limits` keeps those.)
pub fn pause_all(response: &Response) -> Option<Duration> {
    let seconds = match response {
        Response::Status {
            status: 429,
            global: true,
            retry_after,
            ..
        } => *retry_after,
        _ => None,
    }?;
    (seconds.is_finite() && seconds > 0.0).then(|| Duration::from_secs_f64(seconds.min(3_600.0)))
}

/// Exponential backoff with full jitter in [d/2, d], capped at `max`.
pub fn backoff(attempt: u32, base: Duration, max: Duration, jitter: f64) -> Duration {
    let exp = base.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1).min(20)));
    let capped = exp.min(max);
    let jitter = jitter.clamp(0.0, 1.0);
    capped.mul_f64(0.5 + jitter / 2.0)
}

/// Decides the fate of an item after attempt number `attempt` (1-based).
pub fn decide(
    response: &Response,
    attempt: u32,
    base: Duration,
    max: Duration,
    jitter: f64,
) -> Outcome {
    match response {
        Response::Unreachable(error) => Outcome::Retry {
            after: backoff(attempt, base, max, jitter),
            error: format!("network: {error}"),
        },
        Response::Status { status, .. } if (200..300).contains(status) => Outcome::Delivered,
        Response::Status {
            status: 429,
            retry_after,
            message,
            ..
        } => {
            // Discord says exactly how long to wait; add a little so we land after the reset.
            let after = retry_after
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map(|s| Duration::from_secs_f64(s) + Duration::from_millis(50))
                .unwrap_or_else(|| backoff(attempt, base, max, jitter));
            Outcome::Retry {
                after,
                error: format!("429 rate limited: {message}"),
            }
        }
        Response::Status {
            status, message, ..
        } if *status >= 500 || *status == 408 => Outcome::Retry {
            // 5xx and 408 (request timeout) say nothing about the request itself.
            after: backoff(attempt, base, max, jitter),
            error: format!("{status}: {message}"),
        },
        Response::Status {
            status: 401,
            message,
            ..
        } => Outcome::Unauthorized(format!("401: {message}")),
        Response::Status {
            status, message, ..
        } => Outcome::Failed(format!("{status}: {message}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: Duration = Duration::from_secs(1);
    const MAX: Duration = Duration::from_secs(60);

    fn status(status: u16) -> Response {
        Response::status(status, "x")
    }

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(1, BASE, MAX, 1.0), Duration::from_secs(1));
        assert_eq!(backoff(2, BASE, MAX, 1.0), Duration::from_secs(2));
        assert_eq!(backoff(5, BASE, MAX, 1.0), Duration::from_secs(16));
        assert_eq!(backoff(30, BASE, MAX, 1.0), MAX);
        assert_eq!(
            backoff(3, BASE, MAX, 0.0),
            Duration::from_secs(2),
            "jitter halves at most"
        );
    }

    #[test]
    fn statuses_map_to_outcomes() {
        assert_eq!(decide(&status(204), 1, BASE, MAX, 1.0), Outcome::Delivered);
        assert!(matches!(
            decide(&status(500), 1, BASE, MAX, 1.0),
            Outcome::Retry { .. }
        ));
        assert!(matches!(
            decide(&status(503), 1, BASE, MAX, 1.0),
            Outcome::Retry { .. }
        ));
        assert!(matches!(
            decide(&status(408), 1, BASE, MAX, 1.0),
            Outcome::Retry { .. }
        ));
        assert!(matches!(
            decide(&status(401), 1, BASE, MAX, 1.0),
            Outcome::Unauthorized(_)
        ));
        for permanent in [400, 403, 404] {
            assert!(
                matches!(
                    decide(&status(permanent), 1, BASE, MAX, 1.0),
                    Outcome::Failed(_)
                ),
                "{permanent}"
            );
        }
        assert!(matches!(
            decide(&Response::Unreachable("refused".into()), 1, BASE, MAX, 1.0),
            Outcome::Retry { .. }
        ));
    }

    #[test]
    fn only_global_limits_pause_every_delivery() {
        let global = Response::Status {
            status: 429,
            retry_after: Some(1.5),
            message: String::new(),
            global: true,
        };
        assert_eq!(pause_all(&global), Some(Duration::from_millis(1500)));
        let route_only = Response::Status {
            status: 429,
            retry_after: Some(1.5),
            message: String::new(),
            global: false,
        };
        assert_eq!(pause_all(&route_only), None);
        assert_eq!(pause_all(&Response::status(204, "")), None);
    }

    #[test]
    fn rate_limits_wait_exactly_as_told() {
        let r = Response::Status {
            status: 429,
            retry_after: Some(2.5),
            message: "slow down".into(),
            global: false,
        };
        match decide(&r, 7, BASE, MAX, 0.3) {
            Outcome::Retry { after, .. } => assert_eq!(after, Duration::from_millis(2550)),
            other => panic!("{other:?}"),
        }
    }
}
