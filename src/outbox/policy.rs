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
}

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
    },
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
        } if *status >= 500 => Outcome::Retry {
            after: backoff(attempt, base, max, jitter),
            error: format!("{status}: {message}"),
        },
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
        Response::Status {
            status,
            retry_after: None,
            message: "x".into(),
        }
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
        for permanent in [400, 401, 403, 404] {
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
    fn rate_limits_wait_exactly_as_told() {
        let r = Response::Status {
            status: 429,
            retry_after: Some(2.5),
            message: "slow down".into(),
        };
        match decide(&r, 7, BASE, MAX, 0.3) {
            Outcome::Retry { after, .. } => assert_eq!(after, Duration::from_millis(2550)),
            other => panic!("{other:?}"),
        }
    }
}
