//! `[referrals]`, `[renewals]` and `[report]`: what keeps members paying — the credit a
//! referrer earns, the win-back offer to members whose paid time ran out, and the weekly report
//! staff read on Monday. Policy only.

use std::time::Duration;

use chrono::NaiveTime;
use toml::Value;

use super::reader::Section;

/// What a referrer earns when someone they referred pays for the first time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credit {
    /// `"points:500"`: points (lifetime too, like any award).
    Points(i64),
    /// `"days:7"`: paid days on the referrer's current product.
    Days(i64),
}

impl Credit {
    /// `"points:500"` or `"days:7"` (also `积分:500`, `天:7`).
    pub fn parse(text: &str) -> Option<Credit> {
        let (kind, amount) = text.trim().split_once([':', '：'])?;
        let amount: i64 = amount.trim().parse().ok().filter(|n| *n > 0)?;
        match kind.trim() {
            "points" | "积分" if amount <= 1_000_000 => Some(Credit::Points(amount)),
            "days" | "天" if amount <= 3_650 => Some(Credit::Days(amount)),
            _ => None,
        }
    }
}

/// `[referrals]`: off unless `credit` is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReferralsConfig {
    pub credit: Option<Credit>,
    /// A refund or lost dispute of the referred payment this long after it reverses the
    /// credit; later, the credit stands.
    pub hold: Duration,
}

impl Default for ReferralsConfig {
    fn default() -> Self {
        ReferralsConfig {
            credit: None,
            hold: Duration::from_secs(14 * 86_400),
        }
    }
}

pub fn read_referrals(s: &mut Section<'_>) -> ReferralsConfig {
    let d = ReferralsConfig::default();
    let credit = match s.raw("credit") {
        None => None,
        Some(value) => {
            let parsed = value.as_str().and_then(Credit::parse);
            if parsed.is_none() {
                s.problem(
                    "credit",
                    Some(value),
                    "expected \"points:<n>\" or \"days:<n>\" (e.g. \"points:500\")",
                );
            }
            parsed
        }
    };
    ReferralsConfig {
        credit,
        hold: s.duration("hold").unwrap_or(d.hold),
    }
}

/// `[renewals]`: the win-back offer `/renewals winback` sends members whose paid time ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenewalsConfig {
    /// What a win-back code sells the product for, in the product's minor unit; `None`: the
    /// product's own price.
    pub winback_price_minor: Option<i64>,
    /// How long a win-back code can be redeemed.
    pub winback_expiry: Duration,
}

impl Default for RenewalsConfig {
    fn default() -> Self {
        RenewalsConfig {
            winback_price_minor: None,
            winback_expiry: Duration::from_secs(14 * 86_400),
        }
    }
}

pub fn read_renewals(s: &mut Section<'_>) -> RenewalsConfig {
    let d = RenewalsConfig::default();
    let price = match s.raw("winback_price") {
        None => None,
        Some(Value::Integer(n)) if *n >= 0 => Some(n * 100),
        Some(Value::Float(f)) if *f >= 0.0 => Some((f * 100.0).round() as i64),
        Some(other) => {
            s.problem(
                "winback_price",
                Some(other),
                "expected a price in the product's currency (e.g. 19 or 19.5)",
            );
            None
        }
    };
    RenewalsConfig {
        winback_price_minor: price,
        winback_expiry: s.duration("winback_expiry").unwrap_or(d.winback_expiry),
    }
}

/// `[report]`: the weekly report to `channels.staff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReportConfig {
    /// Monday at this local time (the community's zone); `None`: only `/report week`.
    pub time: Option<NaiveTime>,
}

pub fn read_report(s: &mut Section<'_>) -> ReportConfig {
    let time = match s.raw("time") {
        None => None,
        Some(value) => {
            let parsed = value
                .as_str()
                .and_then(|t| NaiveTime::parse_from_str(t.trim(), "%H:%M").ok());
            if parsed.is_none() {
                s.problem(
                    "time",
                    Some(value),
                    "expected a local time such as \"09:00\"",
                );
            }
            parsed
        }
    };
    ReportConfig { time }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credits_read_as_written_and_nonsense_is_refused() {
        assert_eq!(Credit::parse("points:500"), Some(Credit::Points(500)));
        assert_eq!(Credit::parse(" days : 7 "), Some(Credit::Days(7)));
        assert_eq!(Credit::parse("积分：300"), Some(Credit::Points(300)));
        assert_eq!(Credit::parse("days:0"), None);
        assert_eq!(Credit::parse("cash:5"), None);
        assert_eq!(Credit::parse("points"), None);
        assert_eq!(Credit::parse("days:99999"), None);
    }
}
