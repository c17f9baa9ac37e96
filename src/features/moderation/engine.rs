//! Automod's memory: the compiled filters of the current config (rebuilt when the config is
//! swapped, never per message), per-member recent messages for flood and duplicate spam,
//! incidents already DMed, and recent joins for the raid alert. Decides with no I/O.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serenity::all::{ChannelId, RoleId, UserId};

use super::automod::{Compiled, Filter, Hit};
use crate::config::{Config, FilterPolicy};
use crate::features::points::rules::fingerprint;

/// One DM per incident: a member hit by the same filter again within this long gets no new DM.
const INCIDENT: chrono::Duration = chrono::Duration::minutes(10);
/// Messages remembered per member for flood and duplicate checks.
const KEPT: usize = 32;

#[derive(Default)]
struct Memory {
    compiled: Option<(Arc<Config>, Arc<Compiled>)>,
    recent: HashMap<UserId, VecDeque<(DateTime<Utc>, u64)>>,
    dmed: HashMap<(UserId, Filter), DateTime<Utc>>,
    joins: VecDeque<DateTime<Utc>>,
    raid_alerted: Option<DateTime<Utc>>,
}

#[derive(Clone, Default)]
pub struct Engine {
    memory: Arc<Mutex<Memory>>,
}

/// A message as automod sees it.
pub struct Seen<'a> {
    pub author: UserId,
    pub channel: ChannelId,
    pub roles: &'a [RoleId],
    pub text: &'a str,
    pub at: DateTime<Utc>,
    /// An edit is checked again, but does not count again toward flood or duplicates.
    pub edited: bool,
}

impl Engine {
    /// The compiled filters for `config` (compiled once per config snapshot).
    pub fn compiled(&self, config: &Arc<Config>) -> Arc<Compiled> {
        let mut memory = self.memory.lock().expect("automod memory");
        if let Some((for_config, compiled)) = &memory.compiled {
            if Arc::ptr_eq(for_config, config) {
                return compiled.clone();
            }
        }
        let compiled = Arc::new(Compiled::new(&config.automod));
        memory.compiled = Some((config.clone(), compiled.clone()));
        compiled
    }

    /// Every filter that fires on `message` (scope and exempt roles applied; staff are the
    /// caller's to skip). The first hit decides the action.
    pub fn check(&self, config: &Arc<Config>, message: &Seen<'_>) -> Vec<Hit> {
        let automod = &config.automod;
        let compiled = self.compiled(config);
        let applies = |policy: &FilterPolicy| policy.applies(message.channel, message.roles);
        let mut hits: Vec<Hit> = compiled
            .check(automod, message.text)
            .into_iter()
            .filter(|h| applies(policy_of(config, h.filter)))
            .collect();
        if message.edited {
            return hits;
        }
        let print = fingerprint(message.text);
        let mut memory = self.memory.lock().expect("automod memory");
        let recent = memory.recent.entry(message.author).or_default();
        recent.push_back((message.at, print));
        if recent.len() > KEPT {
            recent.pop_front();
        }
        if applies(&automod.flood) {
            let window = chrono::Duration::from_std(automod.flood_window).unwrap_or_default();
            let count = recent
                .iter()
                .filter(|(t, _)| *t > message.at - window)
                .count();
            if count > automod.flood_messages {
                hits.push(Hit {
                    filter: Filter::Flood,
                    detail: count.to_string(),
                });
            }
        }
        if applies(&automod.duplicates) {
            let window = chrono::Duration::from_std(automod.duplicate_window).unwrap_or_default();
            let same = recent
                .iter()
                .filter(|(t, p)| *t > message.at - window && *p == print)
                .count();
            if same >= automod.duplicate_count {
                hits.push(Hit {
                    filter: Filter::Duplicates,
                    detail: same.to_string(),
                });
            }
        }
        hits
    }

    /// Whether to DM the member about this incident (once per filter per incident window).
    pub fn first_of_incident(&self, member: UserId, filter: Filter, now: DateTime<Utc>) -> bool {
        let mut memory = self.memory.lock().expect("automod memory");
        let last = memory.dmed.insert((member, filter), now);
        last.is_none_or(|at| now - at > INCIDENT)
    }

    /// A member joined: true when this join makes a raid (more than `raid_joins` in the
    /// window), once per window.
    pub fn join(&self, config: &Config, now: DateTime<Utc>) -> Option<usize> {
        let window = chrono::Duration::from_std(config.automod.raid_window).unwrap_or_default();
        let mut memory = self.memory.lock().expect("automod memory");
        memory.joins.push_back(now);
        while memory.joins.front().is_some_and(|t| *t <= now - window) {
            memory.joins.pop_front();
        }
        let count = memory.joins.len();
        let alerted_recently = memory.raid_alerted.is_some_and(|t| t > now - window);
        if count > config.automod.raid_joins && !alerted_recently {
            memory.raid_alerted = Some(now);
            return Some(count);
        }
        None
    }
}

pub fn policy_of(config: &Config, filter: Filter) -> &FilterPolicy {
    let a = &config.automod;
    match filter {
        Filter::BannedWords => &a.banned_words,
        Filter::Regex => &a.regex,
        Filter::Links => &a.links,
        Filter::Mentions => &a.mentions,
        Filter::Flood => &a.flood,
        Filter::Duplicates => &a.duplicates,
        Filter::Caps => &a.caps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::from_millis;

    fn config() -> Arc<Config> {
        Arc::new(
            Config::parse(
                "[discord]\nguild_id = 1\n[automod.flood]\nenabled = true\nmessages = 3\nwindow = \"10s\"\n[automod.duplicates]\nenabled = true\ncount = 2\nwindow = \"60s\"\n[automod.raid]\njoins = 2\nwindow = \"30s\"\n",
            )
            .unwrap(),
        )
    }

    fn seen(text: &str, at_s: i64) -> Seen<'_> {
        Seen {
            author: UserId::new(7),
            channel: ChannelId::new(1),
            roles: &[],
            text,
            at: from_millis(at_s * 1000),
            edited: false,
        }
    }

    #[test]
    fn flood_and_duplicates_count_within_their_windows() {
        let config = config();
        let engine = Engine::default();
        let fired = |text: &str, at: i64| -> Vec<Filter> {
            engine
                .check(&config, &seen(text, at))
                .into_iter()
                .map(|h| h.filter)
                .collect()
        };
        assert!(fired("one", 0).is_empty());
        assert!(fired("two", 1).is_empty());
        assert!(fired("three", 2).is_empty());
        assert_eq!(fired("four", 3), vec![Filter::Flood]);
        assert!(fired("five", 30).is_empty(), "the window moved on");
        assert_eq!(
            fired("Five!", 40),
            vec![Filter::Duplicates],
            "across channels too"
        );
    }

    #[test]
    fn one_dm_per_incident_and_one_raid_alert_per_window() {
        let config = config();
        let engine = Engine::default();
        let member = UserId::new(7);
        assert!(engine.first_of_incident(member, Filter::Flood, from_millis(0)));
        assert!(!engine.first_of_incident(member, Filter::Flood, from_millis(60_000)));
        assert!(engine.first_of_incident(member, Filter::Caps, from_millis(60_000)));
        assert!(engine.first_of_incident(member, Filter::Flood, from_millis(3_600_000)));
        assert_eq!(engine.join(&config, from_millis(0)), None);
        assert_eq!(engine.join(&config, from_millis(1_000)), None);
        assert_eq!(engine.join(&config, from_millis(2_000)), Some(3));
        assert_eq!(
            engine.join(&config, from_millis(3_000)),
            None,
            "alerted once"
        );
    }
}
