//! Challenges in SQLite.

use serenity::all::UserId;
use sqlx::{FromRow, SqliteConnection};

use crate::db::Db;

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct ChallengeRow {
    pub id: i64,
    pub title: String,
    pub days: i64,
    pub channel_id: i64,
    pub prompts: String,
    pub excused_days: i64,
    pub completion_role: Option<i64>,
    pub status: String,
    pub ends_at: i64,
    /// Posted in a forum channel: each day is a forum post of its own.
    pub forum: bool,
}

impl ChallengeRow {
    pub fn prompts(&self) -> Vec<String> {
        serde_json::from_str(&self.prompts).unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct DayRow {
    pub day: i64,
    pub opens_at: i64,
    pub closes_at: i64,
    pub posted_at: Option<i64>,
    pub skipped: bool,
}

pub struct NewChallenge<'a> {
    pub title: &'a str,
    pub days: i64,
    pub channel_id: i64,
    pub prompts: &'a str,
    pub excused_days: i64,
    pub completion_role: Option<i64>,
    pub ends_at: i64,
    pub forum: bool,
    pub created_by: i64,
    pub created_at: i64,
}

const COLUMNS: &str =
    "id, title, days, channel_id, prompts, excused_days, completion_role, status, ends_at, forum";

pub async fn insert(tx: &mut SqliteConnection, c: &NewChallenge<'_>) -> sqlx::Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO challenges (title, days, channel_id, prompts, excused_days, completion_role, ends_at, forum, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(c.title)
    .bind(c.days)
    .bind(c.channel_id)
    .bind(c.prompts)
    .bind(c.excused_days)
    .bind(c.completion_role)
    .bind(c.ends_at)
    .bind(c.forum)
    .bind(c.created_by)
    .bind(c.created_at)
    .fetch_one(&mut *tx)
    .await?;
    Ok(id)
}

pub async fn insert_day(
    tx: &mut SqliteConnection,
    challenge: i64,
    day: i64,
    opens_at: i64,
    closes_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO challenge_days (challenge_id, day, opens_at, closes_at) VALUES (?, ?, ?, ?)",
    )
    .bind(challenge)
    .bind(day)
    .bind(opens_at)
    .bind(closes_at)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut SqliteConnection, id: i64) -> sqlx::Result<Option<ChallengeRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM challenges WHERE id = ?"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// Active challenges, newest first.
pub async fn active(conn: &mut SqliteConnection) -> sqlx::Result<Vec<ChallengeRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM challenges WHERE status = 'active' ORDER BY id DESC"
    ))
    .fetch_all(&mut *conn)
    .await
}

/// The newest challenge of any status (for `/challenge stats` without an id).
pub async fn latest(conn: &mut SqliteConnection) -> sqlx::Result<Option<ChallengeRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM challenges ORDER BY id DESC LIMIT 1"
    ))
    .fetch_optional(&mut *conn)
    .await
}

pub async fn days(conn: &mut SqliteConnection, challenge: i64) -> sqlx::Result<Vec<DayRow>> {
    sqlx::query_as(
        "SELECT day, opens_at, closes_at, posted_at, skipped FROM challenge_days
         WHERE challenge_id = ? ORDER BY day",
    )
    .bind(challenge)
    .fetch_all(&mut *conn)
    .await
}

pub async fn day(
    conn: &mut SqliteConnection,
    challenge: i64,
    day: i64,
) -> sqlx::Result<Option<DayRow>> {
    sqlx::query_as(
        "SELECT day, opens_at, closes_at, posted_at, skipped FROM challenge_days
         WHERE challenge_id = ? AND day = ?",
    )
    .bind(challenge)
    .bind(day)
    .fetch_optional(&mut *conn)
    .await
}

/// Days due to be posted at `now` (ms), oldest first.
pub async fn due_days(
    conn: &mut SqliteConnection,
    now: i64,
    limit: i64,
) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT challenge_id, day FROM challenge_days
         WHERE posted_at IS NULL AND opens_at <= ? ORDER BY opens_at LIMIT ?",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await
}

/// Marks a day posted (or skipped) unless it already was. Returns whether this call did.
pub async fn mark_posted(
    tx: &mut SqliteConnection,
    challenge: i64,
    day: i64,
    at: i64,
    skipped: bool,
    outbox_id: Option<i64>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE challenge_days SET posted_at = ?, skipped = ?, outbox_id = ?
         WHERE challenge_id = ? AND day = ? AND posted_at IS NULL",
    )
    .bind(at)
    .bind(skipped)
    .bind(outbox_id)
    .bind(challenge)
    .bind(day)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Active challenges whose last deadline passed at `now` (ms).
pub async fn ended(conn: &mut SqliteConnection, now: i64) -> sqlx::Result<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM challenges WHERE status = 'active' AND ends_at <= ? ORDER BY ends_at",
    )
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Ends an active challenge. Returns whether this call did.
pub async fn finish(tx: &mut SqliteConnection, id: i64) -> sqlx::Result<bool> {
    let done =
        sqlx::query("UPDATE challenges SET status = 'finished' WHERE id = ? AND status = 'active'")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// The next instant the poster has work: a day to post or a challenge to end.
pub async fn next_due(db: &Db) -> sqlx::Result<Option<i64>> {
    let (next,): (Option<i64>,) = sqlx::query_as(
        "SELECT MIN(t) FROM (
            SELECT MIN(opens_at) AS t FROM challenge_days WHERE posted_at IS NULL
            UNION ALL SELECT MIN(ends_at) FROM challenges WHERE status = 'active')",
    )
    .fetch_one(&db.read)
    .await?;
    Ok(next)
}

/// Joins `member`. Returns whether they were new.
pub async fn join(
    tx: &mut SqliteConnection,
    challenge: i64,
    member: UserId,
    at: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO challenge_members (challenge_id, member_id, joined_at) VALUES (?, ?, ?)
         ON CONFLICT DO NOTHING",
    )
    .bind(challenge)
    .bind(member.get() as i64)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// `(excuses used)` when `member` takes part.
pub async fn membership(
    conn: &mut SqliteConnection,
    challenge: i64,
    member: UserId,
) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT excuses_used FROM challenge_members WHERE challenge_id = ? AND member_id = ?",
    )
    .bind(challenge)
    .bind(member.get() as i64)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|(n,)| n))
}

pub async fn use_excuse(
    tx: &mut SqliteConnection,
    challenge: i64,
    member: UserId,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE challenge_members SET excuses_used = excuses_used + 1
         WHERE challenge_id = ? AND member_id = ?",
    )
    .bind(challenge)
    .bind(member.get() as i64)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A member's day: a check-in (`checkin`, with text and an optional link) or an excuse
/// (`excused`).
pub struct Record<'a> {
    pub challenge: i64,
    pub member: UserId,
    pub day: i64,
    pub kind: &'a str,
    pub text: Option<&'a str>,
    pub link: Option<&'a str>,
    pub at: i64,
}

/// Records a check-in or an excuse for a day. Returns false when the day already had one.
pub async fn record(tx: &mut SqliteConnection, r: &Record<'_>) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO challenge_checkins (challenge_id, member_id, day, kind, text, link, at)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(r.challenge)
    .bind(r.member.get() as i64)
    .bind(r.day)
    .bind(r.kind)
    .bind(r.text)
    .bind(r.link)
    .bind(r.at)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Every participant with the days they did (checked in or excused).
pub async fn done_days(
    conn: &mut SqliteConnection,
    challenge: i64,
) -> sqlx::Result<Vec<(i64, Vec<i64>)>> {
    let rows: Vec<(i64, Option<String>)> = sqlx::query_as(
        "SELECT m.member_id, GROUP_CONCAT(c.day) FROM challenge_members m
         LEFT JOIN challenge_checkins c
           ON c.challenge_id = m.challenge_id AND c.member_id = m.member_id
         WHERE m.challenge_id = ? GROUP BY m.member_id ORDER BY m.joined_at, m.member_id",
    )
    .bind(challenge)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(member, days)| {
            let days = days
                .unwrap_or_default()
                .split(',')
                .filter_map(|d| d.parse().ok())
                .collect();
            (member, days)
        })
        .collect())
}

/// Per day: check-ins and excuses.
pub async fn day_counts(
    conn: &mut SqliteConnection,
    challenge: i64,
) -> sqlx::Result<Vec<(i64, i64, i64)>> {
    sqlx::query_as(
        "SELECT day, SUM(kind = 'checkin'), SUM(kind = 'excused') FROM challenge_checkins
         WHERE challenge_id = ? GROUP BY day ORDER BY day",
    )
    .bind(challenge)
    .fetch_all(&mut *conn)
    .await
}

pub async fn set_finished(
    tx: &mut SqliteConnection,
    challenge: i64,
    member: i64,
    at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE challenge_members SET finished_at = ? WHERE challenge_id = ? AND member_id = ?",
    )
    .bind(at)
    .bind(challenge)
    .bind(member)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Whether `member` finished a challenge whose completion role is `role`.
pub async fn finished_with_role(
    conn: &mut SqliteConnection,
    member: UserId,
    role: i64,
) -> sqlx::Result<bool> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT 1 FROM challenge_members m JOIN challenges c ON c.id = m.challenge_id
         WHERE m.member_id = ? AND m.finished_at IS NOT NULL AND c.completion_role = ? LIMIT 1",
    )
    .bind(member.get() as i64)
    .bind(role)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.is_some())
}

/// Whether any challenge hands out `role` on completion.
pub async fn is_completion_role(conn: &mut SqliteConnection, role: i64) -> sqlx::Result<bool> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT 1 FROM challenges WHERE completion_role = ? LIMIT 1")
            .bind(role)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.is_some())
}

/// Whether `member` already checked in or was excused on `day`.
pub async fn recorded(
    conn: &mut SqliteConnection,
    challenge: i64,
    member: UserId,
    day: i64,
) -> sqlx::Result<bool> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT 1 FROM challenge_checkins WHERE challenge_id = ? AND member_id = ? AND day = ?",
    )
    .bind(challenge)
    .bind(member.get() as i64)
    .bind(day)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.is_some())
}

/// The days `member` did (checked in or excused).
pub async fn member_days(
    conn: &mut SqliteConnection,
    challenge: i64,
    member: UserId,
) -> sqlx::Result<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT day FROM challenge_checkins WHERE challenge_id = ? AND member_id = ? ORDER BY day",
    )
    .bind(challenge)
    .bind(member.get() as i64)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(d,)| d).collect())
}
