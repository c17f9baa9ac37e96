//! Daily activity, counted in memory on the message hot path (a hash-map increment, no I/O)
//! and written in batches: one transaction of upserts every [`FLUSH_EVERY`], and before any
//! `/stats` read. A crash loses at most the last interval's message counts (never points:
//! those are in the ledger).

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::db::Db;
use crate::jobs::Job;
use crate::state::AppState;

pub const FLUSH_EVERY: Duration = Duration::seconds(30);

/// What was counted since the last flush. A member's counts and name share one entry: a
/// message looks up its author once (with 100,000 members each lookup is a cache miss).
#[derive(Default)]
struct Counts {
    members: HashMap<u64, MemberSeen>,
    channels: HashMap<(u64, NaiveDate), i64>,
    /// The last local day computed, for the quarter hour it holds in.
    day: Option<(Tz, i64, NaiveDate)>,
}

/// A member's messages this interval by local day (keyed by date, formatted only when
/// written), and their name as Discord shows it and avatar hash, for the web pages' lists.
struct MemberSeen {
    /// The first day counted for them this interval, and its messages.
    first: (NaiveDate, i64),
    /// Other days, when an interval spans a midnight (rare: no allocation otherwise).
    others: Vec<(NaiveDate, i64)>,
    name: String,
    avatar: Option<String>,
}

impl MemberSeen {
    fn add(&mut self, day: NaiveDate, messages: i64) {
        if self.first.0 == day {
            self.first.1 += messages;
        } else if let Some(entry) = self.others.iter_mut().find(|(d, _)| *d == day) {
            entry.1 += messages;
        } else {
            self.others.push((day, messages));
        }
    }

    fn days(&self) -> impl Iterator<Item = (NaiveDate, i64)> + '_ {
        std::iter::once(self.first).chain(self.others.iter().copied())
    }
}

impl Counts {
    /// The community-local date of `at`. Every time zone's offset and every DST change is a
    /// whole quarter hour, so the date cannot change inside a UTC quarter hour: it is
    /// computed once per quarter hour, not per message.
    fn day_of(&mut self, at: DateTime<Utc>, tz: Tz) -> NaiveDate {
        let quarter = at.timestamp().div_euclid(900);
        match self.day {
            Some((known, q, day)) if known == tz && q == quarter => day,
            _ => {
                let day = at.with_timezone(&tz).date_naive();
                self.day = Some((tz, quarter, day));
                day
            }
        }
    }
}

#[derive(Clone, Default)]
pub struct Activity {
    counts: Arc<Mutex<Counts>>,
}

/// The community-local day of `at`, as stored (`YYYY-MM-DD`).
pub fn day_of(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d").to_string()
}

impl Activity {
    /// A member's message counted for the day, and the author's name as Discord shows it (and
    /// avatar hash) copied once per member per interval, the avatar read only then: one lock
    /// and one member lookup per message.
    pub fn on_message(
        &self,
        member: u64,
        channel: u64,
        at: DateTime<Utc>,
        tz: Tz,
        name: &str,
        avatar: impl FnOnce() -> Option<String>,
    ) {
        let mut counts = self.counts.lock().expect("activity lock");
        let day = counts.day_of(at, tz);
        *counts.channels.entry((channel, day)).or_default() += 1;
        match counts.members.entry(member) {
            Entry::Occupied(mut seen) => seen.get_mut().add(day, 1),
            Entry::Vacant(new) => {
                new.insert(MemberSeen {
                    first: (day, 1),
                    others: Vec::new(),
                    name: name.to_string(),
                    avatar: avatar(),
                });
            }
        }
    }

    /// Writes what was counted since the last flush (one transaction).
    pub async fn flush(&self, db: &Db) -> sqlx::Result<()> {
        let taken = std::mem::take(&mut *self.counts.lock().expect("activity lock"));
        if taken.members.is_empty() && taken.channels.is_empty() {
            return Ok(());
        }
        let result = write(db, &taken).await;
        if result.is_err() {
            // Put the counts back for the next try.
            let mut counts = self.counts.lock().expect("activity lock");
            for (member, seen) in taken.members {
                match counts.members.entry(member) {
                    Entry::Occupied(mut now) => {
                        for (day, messages) in seen.days() {
                            now.get_mut().add(day, messages);
                        }
                    }
                    Entry::Vacant(new) => {
                        new.insert(seen);
                    }
                }
            }
            for (k, v) in taken.channels {
                *counts.channels.entry(k).or_default() += v;
            }
        }
        result
    }
}

async fn write(db: &Db, counts: &Counts) -> sqlx::Result<()> {
    let members: Vec<(u64, NaiveDate, i64)> = counts
        .members
        .iter()
        .flat_map(|(id, seen)| seen.days().map(|(day, n)| (*id, day, n)))
        .collect();
    let channels: Vec<(u64, NaiveDate, i64)> = counts
        .channels
        .iter()
        .map(|((id, day), n)| (*id, *day, *n))
        .collect();
    let names: Vec<(u64, String, Option<String>)> = counts
        .members
        .iter()
        .map(|(id, seen)| (*id, seen.name.clone(), seen.avatar.clone()))
        .collect();
    let at = crate::clock::to_millis(Utc::now());
    let mut tx = db.write.begin().await?;
    super::store::add_activity(&mut tx, &members, &channels, &names, at).await?;
    tx.commit().await
}

/// The batch writer.
pub struct Flusher {
    pub state: AppState,
}

#[async_trait::async_trait]
impl Job for Flusher {
    fn name(&self) -> &'static str {
        "activity-writer"
    }

    async fn run_once(&self, now: DateTime<Utc>) -> anyhow::Result<Option<DateTime<Utc>>> {
        super::activity(&self.state).flush(&self.state.db).await?;
        Ok(Some(now + FLUSH_EVERY))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_local_day_is_right_on_both_sides_of_midnight_and_a_dst_change() {
        let mut counts = Counts::default();
        let tz: Tz = "America/New_York".parse().expect("tz");
        // Every minute over two days around the 2026-11-01 DST change, and Kathmandu's
        // +05:45 around its midnight: the cached day equals chrono's own answer.
        let start = "2026-10-31T00:00:00Z"
            .parse::<DateTime<Utc>>()
            .expect("time");
        for tz in [tz, chrono_tz::Asia::Kathmandu] {
            for minute in 0..(3 * 24 * 60) {
                let at = start + Duration::minutes(minute);
                assert_eq!(counts.day_of(at, tz), at.with_timezone(&tz).date_naive());
            }
        }
    }

    #[test]
    fn a_member_counted_across_midnight_keeps_both_days() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 12, d).expect("date");
        let mut seen = MemberSeen {
            first: (day(4), 2),
            others: Vec::new(),
            name: "mina".into(),
            avatar: None,
        };
        seen.add(day(5), 1);
        seen.add(day(4), 1);
        seen.add(day(5), 3);
        let mut days: Vec<_> = seen.days().collect();
        days.sort();
        assert_eq!(days, vec![(day(4), 3), (day(5), 4)]);
    }
}
