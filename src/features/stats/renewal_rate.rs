//! Renewal rate = renewed ÷ due, per product, per month due and per monthly cohort. Pure:
//! paid terms and renewal payments in, counts out.
//!
//! - A **renewal** is a payment recorded as one (`revenue.kind = 'renewal'`, money in): a
//!   Stripe subscription's cycle invoice, or a purchase, code or grant by hand while the member
//!   still held the product (grace included). It is due, and renewed, in the month it was paid.
//! - A **lapse** is access that ran out without a renewal: the member's grants of the product,
//!   merged where one began before the last one's access ended, whose access has ended by now
//!   at its own time (not cut short by a refund, a lost dispute or staff). It was due, and not
//!   renewed, in the month of its last paid end.
//! - The **cohort** is the month of the member's first grant of that product.
//!
//! Referral days and points-shop trials are not paid terms and are left out.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;

use crate::clock::from_millis;

/// One paid grant (from the `grants` table).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Term {
    pub member_id: i64,
    pub product: String,
    pub starts_at: i64,
    pub paid_until: i64,
    /// Access end: the paid end plus grace.
    pub ends_at: i64,
    pub ended_at: Option<i64>,
}

/// One renewal payment (from `revenue`).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Renewal {
    pub member_id: i64,
    pub product: String,
    pub at: i64,
}

/// One time a member was due to renew a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub member: i64,
    pub product: String,
    pub at: i64,
    pub renewed: bool,
}

/// Every due moment up to `now`: each renewal, and each lapse.
pub fn dues(terms: &[Term], renewals: &[Renewal], now: i64) -> Vec<Due> {
    let mut out: Vec<Due> = renewals
        .iter()
        .filter(|r| r.at <= now)
        .map(|r| Due {
            member: r.member_id,
            product: r.product.clone(),
            at: r.at,
            renewed: true,
        })
        .collect();
    let mut by_holder: HashMap<(i64, &str), Vec<&Term>> = HashMap::new();
    for t in terms {
        by_holder
            .entry((t.member_id, t.product.as_str()))
            .or_default()
            .push(t);
    }
    for ((member, product), mut held) in by_holder {
        held.sort_by_key(|t| (t.starts_at, t.ends_at));
        // Merge into spells of unbroken access; the spell's last-ending term decides.
        let mut spells: Vec<&Term> = Vec::new();
        for t in held {
            match spells.last_mut() {
                Some(last) if t.starts_at <= last.ends_at => {
                    if t.ends_at > last.ends_at {
                        *last = t;
                    }
                }
                _ => spells.push(t),
            }
        }
        for last in spells {
            let ran_out = last.ends_at <= now;
            let cut_short = last.ended_at.is_some_and(|e| e < last.ends_at);
            if ran_out && !cut_short {
                out.push(Due {
                    member,
                    product: product.to_string(),
                    at: last.paid_until,
                    renewed: false,
                });
            }
        }
    }
    out.sort_by(|a, b| (a.at, a.member, &a.product).cmp(&(b.at, b.member, &b.product)));
    out
}

/// Renewed of due, under one key (a product, a month, a cohort).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rate {
    pub key: String,
    pub due: i64,
    pub renewed: i64,
}

impl Rate {
    pub fn share(&self) -> Option<f64> {
        (self.due > 0).then(|| self.renewed as f64 / self.due as f64)
    }
}

fn month_of(at: i64, tz: Tz) -> NaiveDate {
    let local = from_millis(at).with_timezone(&tz).date_naive();
    NaiveDate::from_ymd_opt(local.year(), local.month(), 1).expect("the first of a month")
}

fn tally(keys: impl Iterator<Item = (String, bool)>, order: &[String]) -> Vec<Rate> {
    let mut rates: Vec<Rate> = order
        .iter()
        .map(|k| Rate {
            key: k.clone(),
            due: 0,
            renewed: 0,
        })
        .collect();
    for (key, renewed) in keys {
        let i = match rates.iter().position(|r| r.key == key) {
            Some(i) => i,
            None => {
                rates.push(Rate {
                    key,
                    due: 0,
                    renewed: 0,
                });
                rates.len() - 1
            }
        };
        rates[i].due += 1;
        rates[i].renewed += i64::from(renewed);
    }
    rates
}

/// The renewal rates of the `months` months up to `now`'s (in `tz`).
pub struct Report {
    /// Each product (in `products` order, then any other), over the window.
    pub products: Vec<Rate>,
    /// Each month of the window, oldest first (`2026-09`), all products.
    pub months: Vec<Rate>,
    /// Each month members first got a product (`2026-09`), for dues in the window.
    pub cohorts: Vec<Rate>,
}

pub fn report(
    terms: &[Term],
    renewals: &[Renewal],
    products: &[String],
    now: i64,
    tz: Tz,
    months: u32,
) -> Report {
    let this_month = month_of(now, tz);
    let first = (1..months).fold(this_month, |m, _| {
        m.pred_opt().map_or(m, |d| {
            NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d)
        })
    });
    let in_window: Vec<Due> = dues(terms, renewals, now)
        .into_iter()
        .filter(|d| month_of(d.at, tz) >= first)
        .collect();
    let mut started: HashMap<(i64, &str), i64> = HashMap::new();
    for t in terms {
        let at = started
            .entry((t.member_id, t.product.as_str()))
            .or_insert(t.starts_at);
        *at = (*at).min(t.starts_at);
    }
    let label = |d: NaiveDate| d.format("%Y-%m").to_string();
    let mut month_keys = Vec::new();
    let mut m = first;
    while m <= this_month {
        month_keys.push(label(m));
        m = NaiveDate::from_ymd_opt(
            if m.month() == 12 {
                m.year() + 1
            } else {
                m.year()
            },
            m.month() % 12 + 1,
            1,
        )
        .expect("a month");
    }
    let products = tally(
        in_window.iter().map(|d| (d.product.clone(), d.renewed)),
        products,
    )
    .into_iter()
    .filter(|r| r.due > 0)
    .collect();
    let months_rates = tally(
        in_window
            .iter()
            .map(|d| (label(month_of(d.at, tz)), d.renewed)),
        &month_keys,
    );
    let mut cohorts = tally(
        in_window.iter().map(|d| {
            let start = started
                .get(&(d.member, d.product.as_str()))
                .copied()
                .unwrap_or(d.at);
            (label(month_of(start, tz)), d.renewed)
        }),
        &[],
    );
    cohorts.sort_by(|a, b| a.key.cmp(&b.key));
    Report {
        products,
        months: months_rates,
        cohorts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::to_millis;

    fn ms(s: &str) -> i64 {
        to_millis(s.parse().unwrap())
    }

    fn term(member: i64, start: &str, paid: &str, ends: &str, ended: Option<&str>) -> Term {
        Term {
            member_id: member,
            product: "pro".into(),
            starts_at: ms(start),
            paid_until: ms(paid),
            ends_at: ms(ends),
            ended_at: ended.map(ms),
        }
    }

    #[test]
    fn lapses_renewals_and_refunds_are_counted_as_a_bookkeeper_would() {
        let terms = vec![
            // 1: one term that ran out (a lapse in October).
            term(
                1,
                "2026-09-01T00:00:00Z",
                "2026-10-01T00:00:00Z",
                "2026-10-04T00:00:00Z",
                Some("2026-10-04T00:01:00Z"),
            ),
            // 2: renewed inside grace (two terms, one spell), still running.
            term(
                2,
                "2026-09-01T00:00:00Z",
                "2026-10-01T00:00:00Z",
                "2026-10-04T00:00:00Z",
                Some("2026-10-04T00:01:00Z"),
            ),
            term(
                2,
                "2026-10-02T00:00:00Z",
                "2026-10-31T00:00:00Z",
                "2026-11-03T00:00:00Z",
                None,
            ),
            // 3: refunded: cut short, not a lapse.
            term(
                3,
                "2026-09-01T00:00:00Z",
                "2026-10-01T00:00:00Z",
                "2026-10-04T00:00:00Z",
                Some("2026-09-05T00:00:00Z"),
            ),
            // 4: lapsed, came back a month later (new), lapsed again.
            term(
                4,
                "2026-08-01T00:00:00Z",
                "2026-08-31T00:00:00Z",
                "2026-09-03T00:00:00Z",
                None,
            ),
            term(
                4,
                "2026-10-01T00:00:00Z",
                "2026-10-20T00:00:00Z",
                "2026-10-23T00:00:00Z",
                None,
            ),
        ];
        let renewals = vec![Renewal {
            member_id: 2,
            product: "pro".into(),
            at: ms("2026-10-02T00:00:00Z"),
        }];
        let now = ms("2026-10-25T00:00:00Z");
        let dues = dues(&terms, &renewals, now);
        let got: Vec<(i64, bool)> = dues.iter().map(|d| (d.member, d.renewed)).collect();
        assert_eq!(got, vec![(4, false), (1, false), (2, true), (4, false)]);

        let r = report(&terms, &renewals, &["pro".into()], now, Tz::UTC, 3);
        assert_eq!(
            r.months
                .iter()
                .map(|m| (m.key.as_str(), m.renewed, m.due))
                .collect::<Vec<_>>(),
            vec![("2026-08", 0, 1), ("2026-09", 0, 0), ("2026-10", 1, 3)]
        );
        assert_eq!(r.products[0].due, 4);
        assert_eq!(r.products[0].renewed, 1);
        assert_eq!(
            r.cohorts
                .iter()
                .map(|m| (m.key.as_str(), m.renewed, m.due))
                .collect::<Vec<_>>(),
            vec![("2026-08", 0, 2), ("2026-09", 1, 2)]
        );
    }
}
