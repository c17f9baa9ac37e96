//! The schedule SQL: events, run records, RSVPs.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, SqliteConnection};

use crate::clock::to_millis;
use crate::db::Db;

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct EventRow {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub channel_id: i64,
    pub starts_local: String,
    pub repeat: String,
    pub remind: String,
    pub duration_s: i64,
    pub catch_up: String,
    pub status: super::Status,
    pub next_at: Option<i64>,
    pub due_at: Option<i64>,
    /// The previous occurrence (or, before the first, when the series was planned).
    pub prev_at: Option<i64>,
    /// Set for a standing schedule from config (`[[schedule]] id`): commands do not change it.
    pub config_id: Option<String>,
    /// Per-language title and description (a standing schedule's), see migration 0014.
    pub translations: Option<String>,
}

impl EventRow {
    /// The title a reader of `locale` sees: its own language's when the schedule gives one.
    pub fn title_in(&self, locale: crate::i18n::Locale) -> String {
        self.translated(locale, "title")
            .unwrap_or_else(|| self.title.clone())
    }

    /// The description a reader of `locale` sees.
    pub fn description_in(&self, locale: crate::i18n::Locale) -> String {
        self.translated(locale, "description")
            .unwrap_or_else(|| self.description.clone())
    }

    fn translated(&self, locale: crate::i18n::Locale, field: &str) -> Option<String> {
        let all: serde_json::Value = serde_json::from_str(self.translations.as_deref()?).ok()?;
        Some(all[locale.tag()][field].as_str()?.to_string())
    }
}

pub const COLUMNS: &str = "id, title, description, channel_id, starts_local, repeat, remind, duration_s, catch_up, status, next_at, due_at, prev_at, config_id, translations";

pub struct NewEvent<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub channel_id: u64,
    pub starts_local: String,
    pub repeat: &'a str,
    pub remind: &'a str,
    pub duration_s: i64,
    pub catch_up: &'a str,
    pub next_at: i64,
    pub due_at: i64,
    /// When the series was planned (the first occurrence is announced from then).
    pub prev_at: i64,
    pub created_by: u64,
    /// See [`EventRow::translations`].
    pub translations: Option<&'a str>,
    /// Also in Discord's Events tab (`None`: as `[events] mirror_to_discord` says).
    pub mirror: Option<bool>,
}

pub async fn insert(
    tx: &mut SqliteConnection,
    e: &NewEvent<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO events (title, description, channel_id, starts_local, repeat, remind, duration_s, catch_up, next_at, due_at, prev_at, created_by, created_at, translations, mirror)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(e.title)
    .bind(e.description)
    .bind(e.channel_id as i64)
    .bind(&e.starts_local)
    .bind(e.repeat)
    .bind(e.remind)
    .bind(e.duration_s)
    .bind(e.catch_up)
    .bind(e.next_at)
    .bind(e.due_at)
    .bind(e.prev_at)
    .bind(e.created_by as i64)
    .bind(to_millis(now))
    .bind(e.translations)
    .bind(e.mirror)
    .fetch_one(&mut *tx)
    .await?;
    Ok(id)
}

pub async fn get(conn: &mut SqliteConnection, id: i64) -> sqlx::Result<Option<EventRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM events WHERE id = ?"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// Active events with something due by `now`.
pub async fn due(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<EventRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM events WHERE status = 'active' AND due_at <= ? ORDER BY due_at LIMIT ?"
    ))
    .bind(to_millis(now))
    .bind(limit)
    .fetch_all(&mut *conn)
    .await
}

pub async fn next_due(db: &Db) -> sqlx::Result<Option<i64>> {
    let (due,): (Option<i64>,) =
        sqlx::query_as("SELECT MIN(due_at) FROM events WHERE status = 'active'")
            .fetch_one(&db.read)
            .await?;
    Ok(due)
}

pub async fn set_plan(
    tx: &mut SqliteConnection,
    id: i64,
    next_at: Option<i64>,
    due_at: Option<i64>,
    status: super::Status,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE events SET next_at = ?, due_at = ?, status = ? WHERE id = ?")
        .bind(next_at)
        .bind(due_at)
        .bind(status)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

pub async fn set_previous(
    tx: &mut SqliteConnection,
    id: i64,
    previous: Option<i64>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE events SET prev_at = ? WHERE id = ?")
        .bind(previous)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// The latest occurrence of `event` anyone answered an RSVP for.
pub async fn last_rsvp_occurrence(db: &Db, event: i64) -> sqlx::Result<Option<i64>> {
    let (last,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(occurrence_at) FROM rsvps WHERE event_id = ?")
            .bind(event)
            .fetch_one(&db.read)
            .await?;
    Ok(last)
}

/// Stores an event's editable fields as `e` has them.
pub async fn update_event(tx: &mut SqliteConnection, e: &EventRow) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE events SET title = ?, description = ?, channel_id = ?, starts_local = ?, repeat = ?,
                remind = ?, duration_s = ?, catch_up = ?, translations = ? WHERE id = ?",
    )
    .bind(&e.title)
    .bind(&e.description)
    .bind(e.channel_id)
    .bind(&e.starts_local)
    .bind(&e.repeat)
    .bind(&e.remind)
    .bind(e.duration_s)
    .bind(&e.catch_up)
    .bind(&e.translations)
    .bind(e.id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The events made from config (`[[schedule]]`), any status.
pub async fn from_config(tx: &mut SqliteConnection) -> sqlx::Result<Vec<EventRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM events WHERE config_id IS NOT NULL"
    ))
    .fetch_all(&mut *tx)
    .await
}

/// Marks event `id` as made from the config's `[[schedule]] id`.
pub async fn set_config_id(
    tx: &mut SqliteConnection,
    id: i64,
    config_id: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE events SET config_id = ? WHERE id = ?")
        .bind(config_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

pub async fn set_status(
    tx: &mut SqliteConnection,
    id: i64,
    status: super::Status,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE events SET status = ? WHERE id = ?")
        .bind(status)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Upcoming, not cancelled events, soonest first.
pub async fn list(db: &Db, limit: i64) -> sqlx::Result<Vec<EventRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM events WHERE status IN ('active', 'paused') AND next_at IS NOT NULL
         ORDER BY next_at LIMIT ?"
    ))
    .bind(limit)
    .fetch_all(&db.read)
    .await
}

/// Occurrences of `event` skipped on purpose (`/event skip`), as opposed to ones missed during
/// downtime. (Before the `skip` record existed, a skip was an announce run marked skipped
/// before it was due.)
pub async fn skipped_on_purpose(db: &Db, event: i64) -> sqlx::Result<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT DISTINCT occurrence_at FROM event_runs
          WHERE event_id = ? AND (kind = 'skip' OR (kind = 'announce' AND outcome = 'skipped'
                                                  AND created_at < occurrence_at))
          ORDER BY occurrence_at",
    )
    .bind(event)
    .fetch_all(&db.read)
    .await?;
    Ok(rows.into_iter().map(|(at,)| at).collect())
}

/// Records a run once; false when it already exists (then nothing must be posted).
pub async fn record_run(
    tx: &mut SqliteConnection,
    event: i64,
    occurrence: i64,
    kind: &str,
    outcome: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO event_runs (event_id, occurrence_at, kind, outcome, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING",
    )
    .bind(event)
    .bind(occurrence)
    .bind(kind)
    .bind(outcome)
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The outbox item that carries a run's post.
pub async fn set_run_outbox(
    tx: &mut SqliteConnection,
    event: i64,
    occurrence: i64,
    kind: &str,
    outbox_id: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE event_runs SET outbox_id = ? WHERE event_id = ? AND occurrence_at = ? AND kind = ?",
    )
    .bind(outbox_id)
    .bind(event)
    .bind(occurrence)
    .bind(kind)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

pub async fn has_run(
    conn: &mut SqliteConnection,
    event: i64,
    occurrence: i64,
    kind: &str,
) -> sqlx::Result<bool> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT 1 FROM event_runs WHERE event_id = ? AND occurrence_at = ? AND kind = ?",
    )
    .bind(event)
    .bind(occurrence)
    .bind(kind)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.is_some())
}

pub async fn set_rsvp(
    tx: &mut SqliteConnection,
    event: i64,
    occurrence: i64,
    member: u64,
    answer: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO rsvps (event_id, occurrence_at, member_id, answer, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (event_id, occurrence_at, member_id) DO UPDATE SET answer = ?4, updated_at = ?5",
    )
    .bind(event)
    .bind(occurrence)
    .bind(member as i64)
    .bind(answer)
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The outbox item that posted an occurrence's announcement (to edit its counts in place).
pub async fn announce_outbox(
    conn: &mut SqliteConnection,
    event: i64,
    occurrence: i64,
) -> sqlx::Result<Option<i64>> {
    let found: Option<(Option<i64>,)> = sqlx::query_as(
        "SELECT outbox_id FROM event_runs WHERE event_id = ? AND occurrence_at = ? AND kind = 'announce'
           AND outcome IN ('posted', 'late')",
    )
    .bind(event)
    .bind(occurrence)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found.and_then(|(id,)| id))
}

/// (going, maybe, no) for one occurrence.
pub async fn rsvp_counts(
    conn: &mut SqliteConnection,
    event: i64,
    occurrence: i64,
) -> sqlx::Result<(i64, i64, i64)> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT answer, COUNT(*) FROM rsvps WHERE event_id = ? AND occurrence_at = ? GROUP BY answer",
    )
    .bind(event)
    .bind(occurrence)
    .fetch_all(&mut *conn)
    .await?;
    let of = |a: &str| rows.iter().find(|(x, _)| x == a).map_or(0, |(_, n)| *n);
    Ok((of("going"), of("maybe"), of("no")))
}

/// Members who answered `going` for an occurrence (inside a write transaction).
pub async fn going_in(
    conn: &mut SqliteConnection,
    event: i64,
    occurrence: i64,
) -> sqlx::Result<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT member_id FROM rsvps WHERE event_id = ? AND occurrence_at = ? AND answer = 'going' ORDER BY updated_at",
    )
    .bind(event)
    .bind(occurrence)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(m,)| m).collect())
}

/// Members who answered `going` for an occurrence.
pub async fn going(db: &Db, event: i64, occurrence: i64) -> sqlx::Result<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT member_id FROM rsvps WHERE event_id = ? AND occurrence_at = ? AND answer = 'going' ORDER BY updated_at",
    )
    .bind(event)
    .bind(occurrence)
    .fetch_all(&db.read)
    .await?;
    Ok(rows.into_iter().map(|(m,)| m).collect())
}

/// Records a published piece of content (once per message).
pub async fn record_content(
    tx: &mut SqliteConnection,
    kind: &str,
    member: u64,
    channel: Option<u64>,
    message: Option<u64>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO content_posts (kind, member_id, channel_id, message_id, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING",
    )
    .bind(kind)
    .bind(member as i64)
    .bind(channel.map(|c| c as i64))
    .bind(message.map(|m| m as i64))
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Content of `kind` published in [from, to) (UTC ms).
pub async fn content_between(db: &Db, kind: &str, from: i64, to: i64) -> sqlx::Result<u32> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM content_posts WHERE kind = ? AND created_at >= ? AND created_at < ?",
    )
    .bind(kind)
    .bind(from)
    .bind(to)
    .fetch_one(&db.read)
    .await?;
    Ok(n as u32)
}

/// Marks the digest of `week` as posted; false when it already was.
pub async fn claim_digest(
    tx: &mut SqliteConnection,
    week: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO digest_runs (week, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(week)
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The occurrences in progress at `at` (ms): (event, channel, occurrence, end), one indexed
/// query. `prev_at` is the latest occurrence once one has been run (before that it is when the
/// series was planned, which has no announce record and so is not an occurrence).
pub async fn on_at(db: &Db, at: i64) -> sqlx::Result<Vec<(i64, i64, i64, i64)>> {
    sqlx::query_as(
        "SELECT e.id, e.channel_id, e.prev_at, e.prev_at + e.duration_s * 1000
               FROM events e
               JOIN event_runs r ON r.event_id = e.id AND r.occurrence_at = e.prev_at
                                AND r.kind = 'announce' AND r.outcome != 'skipped'
              WHERE e.status IN ('active', 'finished')
                AND NOT EXISTS (SELECT 1 FROM event_runs s WHERE s.event_id = e.id
                                  AND s.occurrence_at = e.prev_at AND s.kind = 'skip')
                AND e.prev_at <= ?1 AND e.prev_at + e.duration_s * 1000 > ?1",
    )
    .bind(at)
    .fetch_all(&db.read)
    .await
}

/// The latest occurrence of `event` announced at or before `at` (ms).
pub async fn latest_held(
    tx: &mut SqliteConnection,
    event: i64,
    at: i64,
) -> sqlx::Result<Option<i64>> {
    let (occ,): (Option<i64>,) = sqlx::query_as(
        "SELECT MAX(occurrence_at) FROM event_runs
          WHERE event_id = ? AND kind = 'announce' AND occurrence_at <= ?",
    )
    .bind(event)
    .bind(at)
    .fetch_one(&mut *tx)
    .await?;
    Ok(occ)
}

/// How many content-plan posts were published in [`from`, `to`] (ms).
pub async fn published_between(
    conn: &mut SqliteConnection,
    from: i64,
    to: i64,
) -> sqlx::Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM content_posts WHERE created_at >= ? AND created_at <= ?",
    )
    .bind(from)
    .bind(to)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n)
}

/// The member's answers for occurrences from `from` on: (event, occurrence, answer), soonest
/// first.
pub async fn rsvps_of(
    db: &Db,
    member: u64,
    from: i64,
    limit: i64,
) -> sqlx::Result<Vec<(i64, i64, super::Answer)>> {
    sqlx::query_as(
        "SELECT event_id, occurrence_at, answer FROM rsvps
          WHERE member_id = ? AND occurrence_at >= ? ORDER BY occurrence_at LIMIT ?",
    )
    .bind(member as i64)
    .bind(from)
    .bind(limit)
    .fetch_all(&db.read)
    .await
}

pub async fn set_mirror(
    tx: &mut SqliteConnection,
    id: i64,
    mirror: Option<bool>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE events SET mirror = ? WHERE id = ?")
        .bind(mirror)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Active events with a next occurrence that are mirrored into Discord's Events tab
/// (`default`: what `[events] mirror_to_discord` says for events that chose nothing).
pub async fn mirrored(conn: &mut SqliteConnection, default: bool) -> sqlx::Result<Vec<EventRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM events
         WHERE status = 'active' AND next_at IS NOT NULL AND COALESCE(mirror, ?) = 1
         ORDER BY id"
    ))
    .bind(default)
    .fetch_all(&mut *conn)
    .await
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct MirrorRow {
    pub event_id: i64,
    pub occurrence_at: i64,
    pub body: String,
    pub outbox_id: i64,
}

/// The mirrors still standing in Discord (not cancelled).
pub async fn mirrors(conn: &mut SqliteConnection) -> sqlx::Result<Vec<MirrorRow>> {
    sqlx::query_as(
        "SELECT event_id, occurrence_at, body, outbox_id FROM event_mirrors WHERE cancelled = 0",
    )
    .fetch_all(&mut *conn)
    .await
}

/// The mirror of `event` (any state), for `/event attendees`.
pub async fn mirror_of(conn: &mut SqliteConnection, event: i64) -> sqlx::Result<Option<MirrorRow>> {
    sqlx::query_as(
        "SELECT event_id, occurrence_at, body, outbox_id FROM event_mirrors WHERE event_id = ? AND cancelled = 0",
    )
    .bind(event)
    .fetch_optional(&mut *conn)
    .await
}

pub async fn put_mirror(tx: &mut SqliteConnection, m: &MirrorRow) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO event_mirrors (event_id, occurrence_at, body, outbox_id, cancelled)
         VALUES (?, ?, ?, ?, 0)
         ON CONFLICT (event_id) DO UPDATE SET occurrence_at = excluded.occurrence_at,
           body = excluded.body, outbox_id = excluded.outbox_id, cancelled = 0",
    )
    .bind(m.event_id)
    .bind(m.occurrence_at)
    .bind(&m.body)
    .bind(m.outbox_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

pub async fn cancel_mirror(tx: &mut SqliteConnection, event: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE event_mirrors SET cancelled = 1 WHERE event_id = ?")
        .bind(event)
        .execute(&mut *tx)
        .await?;
    Ok(())
}
