//! Warnings that expire or decay, and the escalation ladder, pure: the active total is a
//! function of the rows and the time, so tests need no waiting.

use std::time::Duration;

use crate::config::{Rung, WarningsConfig};

/// A warning as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub points: i64,
    pub created_at: i64,
    pub pardoned: bool,
}

/// Points a warning still counts at `now_ms`: nothing once pardoned or expired; with decay,
/// `decay_points` less per full `decay_every`.
pub fn active_points(policy: &WarningsConfig, warning: &Warning, now_ms: i64) -> i64 {
    if warning.pardoned {
        return 0;
    }
    let age = (now_ms - warning.created_at).max(0);
    if age >= policy.expire_after.as_millis() as i64 {
        return 0;
    }
    let every = policy.decay_every.as_millis() as i64;
    let decayed = if policy.decay_points > 0 && every > 0 {
        policy.decay_points * (age / every)
    } else {
        0
    };
    (warning.points - decayed).max(0)
}

pub fn active_total(policy: &WarningsConfig, warnings: &[Warning], now_ms: i64) -> i64 {
    warnings
        .iter()
        .map(|w| active_points(policy, w, now_ms))
        .sum()
}

/// The rungs a change of the active total from `before` to `after` crosses upward: each runs
/// once per crossing (a total that stays above a rung does not trigger it again).
pub fn crossed(policy: &WarningsConfig, before: i64, after: i64) -> Vec<Rung> {
    policy
        .escalation
        .iter()
        .filter(|r| before < r.at_points && r.at_points <= after)
        .cloned()
        .collect()
}

/// Why a duration could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DurationError {
    Unreadable,
    TooLong,
}

/// Discord's longest timeout: 28 days.
pub const MAX_TIMEOUT: Duration = crate::config::moderation::MAX_TIMEOUT;

/// `10m`, `2h`, `7d`, `2w`, `1h30m`, `90 minutes`, and Chinese: `10分钟`, `2小时`, `7天`,
/// `两周`, `三天`, `半小时`. At most 28 days.
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let duration = crate::span::parse(text).ok_or(DurationError::Unreadable)?;
    if duration > MAX_TIMEOUT {
        return Err(DurationError::TooLong);
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Escalate;

    const DAY: i64 = 86_400_000;

    fn policy() -> WarningsConfig {
        WarningsConfig {
            expire_after: Duration::from_secs(30 * 86_400),
            decay_points: 0,
            decay_every: Duration::from_secs(7 * 86_400),
            escalation: vec![
                Rung {
                    at_points: 3,
                    action: Escalate::Timeout,
                    duration: Duration::from_secs(3_600),
                },
                Rung {
                    at_points: 5,
                    action: Escalate::Kick,
                    duration: Duration::ZERO,
                },
            ],
        }
    }

    fn w(points: i64, day: i64) -> Warning {
        Warning {
            points,
            created_at: day * DAY,
            pardoned: false,
        }
    }

    #[test]
    fn warnings_expire_and_pardons_do_not_count() {
        let p = policy();
        assert_eq!(active_points(&p, &w(2, 0), 29 * DAY), 2);
        assert_eq!(active_points(&p, &w(2, 0), 30 * DAY), 0, "expired");
        let mut pardoned = w(2, 0);
        pardoned.pardoned = true;
        assert_eq!(active_points(&p, &pardoned, DAY), 0);
        assert_eq!(active_total(&p, &[w(1, 0), w(2, 10)], 31 * DAY), 2);
    }

    #[test]
    fn warnings_decay_by_full_periods() {
        let p = WarningsConfig {
            decay_points: 1,
            ..policy()
        };
        assert_eq!(active_points(&p, &w(3, 0), 6 * DAY), 3);
        assert_eq!(active_points(&p, &w(3, 0), 7 * DAY), 2);
        assert_eq!(active_points(&p, &w(3, 0), 21 * DAY), 0);
    }

    #[test]
    fn each_rung_runs_once_per_upward_crossing() {
        let p = policy();
        let actions = |b, a| {
            crossed(&p, b, a)
                .iter()
                .map(|r| r.action)
                .collect::<Vec<_>>()
        };
        assert_eq!(actions(2, 3), vec![Escalate::Timeout]);
        assert!(actions(3, 4).is_empty(), "already above the first rung");
        assert_eq!(actions(2, 6), vec![Escalate::Timeout, Escalate::Kick]);
        assert!(actions(4, 2).is_empty());
    }

    #[test]
    fn durations_in_english_and_chinese() {
        let ok = |t: &str, s: u64| assert_eq!(parse_duration(t), Ok(Duration::from_secs(s)), "{t}");
        ok("10m", 600);
        ok("2h", 7_200);
        ok("7d", 604_800);
        ok("2w", 1_209_600);
        ok("1h30m", 5_400);
        ok("90 minutes", 5_400);
        ok("10分钟", 600);
        ok("2小时", 7_200);
        ok("7天", 604_800);
        ok("两周", 1_209_600);
        ok("三天", 259_200);
        ok("半小时", 1_800);
        ok("十五分钟", 900);
        ok("28d", 28 * 86_400);
        assert_eq!(parse_duration("29d"), Err(DurationError::TooLong));
        assert_eq!(parse_duration("五周"), Err(DurationError::TooLong));
        for bad in ["", "soon", "10x", "0m", "三年", "m10"] {
            assert_eq!(parse_duration(bad), Err(DurationError::Unreadable), "{bad}");
        }
    }
}
