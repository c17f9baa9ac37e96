//! Events in Discord's Events tab: each mirrored event's next occurrence also exists as a guild
//! scheduled event (in `[events] voice_channel` or `stage_channel`, else external at a link to
//! its channel or `[events] location`). A job compares
//! what should stand in Discord with what Lyceum last sent (the `event_mirrors` rows) and
//! queues the differences through the outbox in the same transaction: a new occurrence is
//! created, a change is edited, a cancelled, paused or un-mirrored event is cancelled in Discord.
//! Restart-safe: the rows say what was sent, so nothing is sent twice.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use super::store::{self, EventRow, MirrorRow};
use crate::clock::{from_millis, to_millis};
use crate::config::Config;
use crate::jobs::Job;
use crate::outbox::{self, Effect};
use crate::state::AppState;

/// Discord's body for `event`'s next occurrence (`POST /guilds/{g}/scheduled-events`).
pub fn body(event: &EventRow, config: &Config) -> Option<Value> {
    let start = from_millis(event.next_at?);
    let end = start + Duration::seconds(event.duration_s.max(60));
    let location = config.events.location.clone().unwrap_or_else(|| {
        format!(
            "https://discord.com/channels/{}/{}",
            config.discord.guild_id, event.channel_id
        )
    });
    let locale = config.community.default_locale;
    let name: String = event.title_in(locale).chars().take(100).collect();
    let mut body = json!({
        "name": name,
        "privacy_level": 2,
        "scheduled_start_time": start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "scheduled_end_time": end.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    });
    // A voice or stage channel when the community holds its events in one (Discord then shows
    // a "join" button); else an external event at a location.
    match (config.events.stage_channel, config.events.voice_channel) {
        (Some(stage), _) => {
            body["entity_type"] = json!(1);
            body["channel_id"] = json!(stage.to_string());
        }
        (None, Some(voice)) => {
            body["entity_type"] = json!(2);
            body["channel_id"] = json!(voice.to_string());
        }
        (None, None) => {
            body["entity_type"] = json!(3);
            body["entity_metadata"] = json!({ "location": location });
        }
    }
    let description: String = event.description.trim().chars().take(1_000).collect();
    if !description.is_empty() {
        body["description"] = json!(description);
    }
    Some(body)
}

/// What to do about one event in Discord.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Not in Discord yet, or its occurrence there is over: create this occurrence.
    Create { event: i64, at: i64, body: Value },
    /// Its occurrence or details changed: edit it in place.
    Edit {
        event: i64,
        at: i64,
        outbox_id: i64,
        body: Value,
    },
    /// No longer mirrored (cancelled, paused, finished, or mirroring turned off): cancel the
    /// occurrence in Discord if it has not happened yet.
    Cancel {
        event: i64,
        outbox_id: i64,
        upcoming: bool,
    },
}

/// The steps that bring Discord to `wanted` (event id → (occurrence, body)) from `mirrors`.
pub fn steps(wanted: &[(i64, i64, Value)], mirrors: &[MirrorRow], now: i64) -> Vec<Step> {
    let by_event: HashMap<i64, &MirrorRow> = mirrors.iter().map(|m| (m.event_id, m)).collect();
    let mut out = Vec::new();
    for (event, at, body) in wanted {
        let text = body.to_string();
        match by_event.get(event) {
            None => out.push(Step::Create {
                event: *event,
                at: *at,
                body: body.clone(),
            }),
            Some(m) if m.occurrence_at != *at && m.occurrence_at <= now => out.push(Step::Create {
                event: *event,
                at: *at,
                body: body.clone(),
            }),
            Some(m) if m.occurrence_at != *at || m.body != text => out.push(Step::Edit {
                event: *event,
                at: *at,
                outbox_id: m.outbox_id,
                body: body.clone(),
            }),
            Some(_) => {}
        }
    }
    for m in mirrors {
        if !wanted.iter().any(|(event, _, _)| *event == m.event_id) {
            out.push(Step::Cancel {
                event: m.event_id,
                outbox_id: m.outbox_id,
                upcoming: m.occurrence_at > now,
            });
        }
    }
    out
}

/// The steps that bring Discord in step with the events as `conn` reads them at `now`.
async fn plan(
    conn: &mut sqlx::SqliteConnection,
    config: &Config,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Step>> {
    let events = store::mirrored(conn, config.events.mirror_to_discord).await?;
    let wanted: Vec<(i64, i64, Value)> = events
        .iter()
        .filter_map(|e| Some((e.id, e.next_at?, body(e, config)?)))
        .collect();
    let mirrors = store::mirrors(conn).await?;
    Ok(steps(&wanted, &mirrors, to_millis(now)))
}

pub struct Mirror {
    pub state: AppState,
}

impl Mirror {
    /// Brings Discord's Events tab in step with the events at `now`. Returns the steps queued.
    pub async fn sync(&self, now: DateTime<Utc>) -> anyhow::Result<usize> {
        let config = self.state.config.snapshot();
        let guild = config.discord.guild_id;
        // Most runs find Discord in step: decided on a reader, without taking the writer.
        {
            let mut conn = self.state.db.read.acquire().await?;
            if plan(&mut conn, &config, now).await?.is_empty() {
                return Ok(0);
            }
        }
        let mut tx = self.state.db.write.begin().await?;
        let steps = plan(&mut tx, &config, now).await?;
        for step in &steps {
            match step {
                Step::Create { event, at, body } => {
                    let effect = Effect::CreateScheduledEvent {
                        guild_id: guild,
                        body: body.clone(),
                    };
                    if let Some(outbox_id) = outbox::enqueue(&mut tx, &effect, now, None).await? {
                        let row = MirrorRow {
                            event_id: *event,
                            occurrence_at: *at,
                            body: body.to_string(),
                            outbox_id,
                        };
                        store::put_mirror(&mut tx, &row).await?;
                    }
                }
                Step::Edit {
                    event,
                    at,
                    outbox_id,
                    body,
                } => {
                    let effect = Effect::EditScheduledEvent {
                        guild_id: guild,
                        outbox_id: *outbox_id,
                        body: body.clone(),
                    };
                    outbox::enqueue(&mut tx, &effect, now, None).await?;
                    let row = MirrorRow {
                        event_id: *event,
                        occurrence_at: *at,
                        body: body.to_string(),
                        outbox_id: *outbox_id,
                    };
                    store::put_mirror(&mut tx, &row).await?;
                }
                Step::Cancel {
                    event,
                    outbox_id,
                    upcoming,
                } => {
                    if *upcoming {
                        let effect = Effect::EditScheduledEvent {
                            guild_id: guild,
                            outbox_id: *outbox_id,
                            body: json!({ "status": outbox::SCHEDULED_EVENT_CANCELED }),
                        };
                        outbox::enqueue(&mut tx, &effect, now, None).await?;
                    }
                    store::cancel_mirror(&mut tx, *event).await?;
                }
            }
        }
        self.state.commit(tx).await?;
        Ok(steps.len())
    }
}

#[async_trait::async_trait]
impl Job for Mirror {
    fn name(&self) -> &'static str {
        "events-tab"
    }

    async fn run_once(&self, now: DateTime<Utc>) -> anyhow::Result<Option<DateTime<Utc>>> {
        self.sync(now).await?;
        // Woken by every event change; a minute's look catches an occurrence that began.
        Ok(Some(now + Duration::minutes(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mirror(event: i64, at: i64, body: &Value) -> MirrorRow {
        MirrorRow {
            event_id: event,
            occurrence_at: at,
            body: body.to_string(),
            outbox_id: 100 + event,
        }
    }

    #[test]
    fn discord_follows_the_events_and_nothing_is_sent_twice() {
        let a = json!({ "name": "Live" });
        let b = json!({ "name": "Live, renamed" });
        // New → create; unchanged → nothing.
        let wanted = vec![(1, 1_000, a.clone())];
        assert!(matches!(
            steps(&wanted, &[], 0)[0],
            Step::Create { event: 1, .. }
        ));
        assert!(steps(&wanted, &[mirror(1, 1_000, &a)], 0).is_empty());
        // Renamed or moved (still ahead) → edit in place.
        let renamed = steps(&[(1, 1_000, b.clone())], &[mirror(1, 1_000, &a)], 0);
        assert!(matches!(renamed[0], Step::Edit { outbox_id: 101, .. }));
        let moved = steps(&[(1, 2_000, a.clone())], &[mirror(1, 1_000, &a)], 500);
        assert!(matches!(moved[0], Step::Edit { at: 2_000, .. }));
        // The occurrence in Discord happened → the next one is created.
        let next = steps(&[(1, 2_000, a.clone())], &[mirror(1, 1_000, &a)], 1_500);
        assert!(matches!(next[0], Step::Create { at: 2_000, .. }));
        // Gone from the wanted list → cancelled in Discord only if still ahead.
        let gone = steps(&[], &[mirror(1, 1_000, &a)], 0);
        assert_eq!(
            gone,
            vec![Step::Cancel {
                event: 1,
                outbox_id: 101,
                upcoming: true
            }]
        );
        let past = steps(&[], &[mirror(1, 1_000, &a)], 5_000);
        assert!(matches!(
            past[0],
            Step::Cancel {
                upcoming: false,
                ..
            }
        ));
    }
}

#[cfg(test)]
mod body_tests {
    use super::*;

    fn event() -> EventRow {
        EventRow {
            id: 1,
            title: "Live".into(),
            description: String::new(),
            channel_id: 7,
            starts_local: "2026-12-03 20:00".into(),
            repeat: String::new(),
            remind: String::new(),
            duration_s: 3_600,
            catch_up: "post_late".into(),
            status: crate::features::schedule::Status::Active,
            next_at: Some(1_800_000_000_000),
            due_at: None,
            prev_at: None,
            config_id: None,
            translations: None,
        }
    }

    #[test]
    fn events_are_external_unless_a_voice_or_stage_channel_is_set() {
        let external = Config::parse("[discord]\nguild_id = 1\n").unwrap();
        let b = body(&event(), &external).unwrap();
        assert_eq!(b["entity_type"], 3);
        assert_eq!(
            b["entity_metadata"]["location"],
            "https://discord.com/channels/1/7"
        );
        assert!(b.get("description").is_none());
        let voice =
            Config::parse("[discord]\nguild_id = 1\n[events]\nvoice_channel = 42\n").unwrap();
        let b = body(&event(), &voice).unwrap();
        assert_eq!(
            (b["entity_type"].clone(), b["channel_id"].clone()),
            (json!(2), json!("42"))
        );
        assert!(b.get("entity_metadata").is_none());
        let both = Config::parse(
            "[discord]\nguild_id = 1\n[events]\nvoice_channel = 42\nstage_channel = 43\n",
        );
        assert!(both.is_err());
    }
}
