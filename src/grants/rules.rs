//! Pure decisions for timed access: what a member holds of one product, how a renewal extends
//! it, and when access ends after grace. Time is a parameter.

use chrono::{DateTime, Duration, Utc};

/// What a member holds of one product, from their open grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    None,
    /// Paid until this instant (the role stays through grace after it).
    Until(DateTime<Utc>),
    Lifetime,
}

/// A renewal extends from the later of now and the current paid end: paying early never loses
/// days, paying late never back-dates.
pub fn renewed_until(now: DateTime<Utc>, held: Held, length: Duration) -> Option<DateTime<Utc>> {
    match held {
        Held::Lifetime => None,
        Held::Until(end) if end > now => Some(end + length),
        _ => Some(now + length),
    }
}

/// When the role goes: the paid end plus grace. `None` (lifetime) never.
pub fn access_ends(paid_until: Option<DateTime<Utc>>, grace: Duration) -> Option<DateTime<Utc>> {
    paid_until.map(|p| p + grace)
}

/// Overlapping grants of one product: access lasts until the latest end; any lifetime grant wins.
pub fn combine(ends: impl IntoIterator<Item = Option<DateTime<Utc>>>) -> Held {
    let mut held = Held::None;
    for end in ends {
        held = match (held, end) {
            (_, None) | (Held::Lifetime, _) => Held::Lifetime,
            (Held::None, Some(e)) => Held::Until(e),
            (Held::Until(a), Some(b)) => Held::Until(a.max(b)),
        };
    }
    held
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn renewal_extends_from_the_later_of_now_and_the_current_end() {
        let now = at("2026-12-01T00:00:00Z");
        let month = Duration::days(30);
        // Early: from the current end.
        assert_eq!(
            renewed_until(now, Held::Until(at("2026-12-10T00:00:00Z")), month),
            Some(at("2027-01-09T00:00:00Z"))
        );
        // Lapsed: from now, not back-dated.
        assert_eq!(
            renewed_until(now, Held::Until(at("2026-11-01T00:00:00Z")), month),
            Some(at("2026-12-31T00:00:00Z"))
        );
        assert_eq!(renewed_until(now, Held::None, month), Some(now + month));
        assert_eq!(renewed_until(now, Held::Lifetime, month), None);
    }

    #[test]
    fn overlapping_grants_last_until_the_latest_end() {
        let a = at("2026-12-10T00:00:00Z");
        let b = at("2027-01-10T00:00:00Z");
        assert_eq!(combine([Some(a), Some(b)]), Held::Until(b));
        assert_eq!(combine([Some(b), Some(a)]), Held::Until(b));
        assert_eq!(combine([Some(a), None]), Held::Lifetime);
        assert_eq!(combine([]), Held::None);
        assert_eq!(
            access_ends(Some(a), Duration::days(3)),
            Some(at("2026-12-13T00:00:00Z"))
        );
    }
}
