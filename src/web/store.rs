//! The web's own rows: sessions (migration 0015; logins in progress live in a signed cookie). Single statements,
//! no transaction: each is one row's insert, read, move or delete.

use sqlx::FromRow;

use crate::db::Db;

pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub member: u64,
    pub locale: Option<&'a str>,
    pub in_guild: bool,
    pub csrf: &'a str,
    pub at: i64,
    pub expires_at: i64,
}

pub async fn insert_session(db: &Db, s: &NewSession<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO web_sessions (id_hash, member_id, locale, in_guild, csrf, created_at, seen_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(s.id_hash)
    .bind(s.member as i64)
    .bind(s.locale)
    .bind(s.in_guild)
    .bind(s.csrf)
    .bind(s.at)
    .bind(s.at)
    .bind(s.expires_at)
    .execute(&db.write)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub member_id: i64,
    pub locale: Option<String>,
    pub in_guild: bool,
    pub csrf: String,
    pub seen_at: i64,
}

/// The live session with this id hash at `now`.
pub async fn session(db: &Db, id_hash: &str, now: i64) -> sqlx::Result<Option<SessionRow>> {
    sqlx::query_as(
        "SELECT member_id, locale, in_guild, csrf, seen_at FROM web_sessions
          WHERE id_hash = ? AND expires_at > ?",
    )
    .bind(id_hash)
    .bind(now)
    .fetch_optional(&db.read)
    .await
}

/// Slides a session's expiry forward.
pub async fn touch_session(db: &Db, id_hash: &str, now: i64, expires_at: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE web_sessions SET seen_at = ?, expires_at = ? WHERE id_hash = ?")
        .bind(now)
        .bind(expires_at)
        .bind(id_hash)
        .execute(&db.write)
        .await?;
    Ok(())
}

/// Ends every session of `member` (they left or were banned: the gateway says so), so no page
/// keeps treating them as in the server. Returns how many ended.
pub async fn end_sessions_of(db: &Db, member: u64) -> sqlx::Result<u64> {
    let done = sqlx::query("DELETE FROM web_sessions WHERE member_id = ?")
        .bind(member as i64)
        .execute(&db.write)
        .await?;
    Ok(done.rows_affected())
}

pub async fn delete_session(db: &Db, id_hash: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM web_sessions WHERE id_hash = ?")
        .bind(id_hash)
        .execute(&db.write)
        .await?;
    Ok(())
}

/// Every table that holds something about a member, as the statement that reads their rows:
/// what `/me/export.json` holds, under each key. (Session rows are listed by date only: their
/// hashes and CSRF tokens are secrets even from their owner's export.)
pub const MEMBER_ROWS: &[(&str, &str)] = &[
    (
        "member_names",
        "SELECT * FROM member_names WHERE member_id = ?",
    ),
    (
        "member_locales",
        "SELECT * FROM member_locales WHERE member_id = ?",
    ),
    (
        "points_members",
        "SELECT * FROM points_members WHERE member_id = ?",
    ),
    (
        "points_ledger",
        "SELECT * FROM points_ledger WHERE member_id = ?",
    ),
    (
        "shop_orders",
        "SELECT * FROM shop_orders WHERE member_id = ?",
    ),
    (
        "helpful_votes",
        "SELECT * FROM helpful_votes WHERE author_id = ?",
    ),
    ("grants", "SELECT * FROM grants WHERE member_id = ?"),
    (
        "grant_reminders",
        "SELECT * FROM grant_reminders WHERE member_id = ?",
    ),
    (
        "code_redemptions",
        "SELECT * FROM code_redemptions WHERE member_id = ?",
    ),
    ("revenue", "SELECT * FROM revenue WHERE member_id = ?"),
    (
        "stripe_links",
        "SELECT * FROM stripe_links WHERE member_id = ?",
    ),
    (
        "stripe_payments",
        "SELECT * FROM stripe_payments WHERE member_id = ?",
    ),
    ("warnings", "SELECT * FROM warnings WHERE member_id = ?"),
    (
        "escalations",
        "SELECT * FROM escalations WHERE member_id = ?",
    ),
    (
        "rules_acceptances",
        "SELECT * FROM rules_acceptances WHERE member_id = ?",
    ),
    ("rsvps", "SELECT * FROM rsvps WHERE member_id = ?"),
    (
        "content_posts",
        "SELECT * FROM content_posts WHERE member_id = ?",
    ),
    ("feedback", "SELECT * FROM feedback WHERE member_id = ?"),
    (
        "questions_as_asker",
        "SELECT * FROM questions WHERE asker_id = ?",
    ),
    (
        "questions_as_expert",
        "SELECT * FROM questions WHERE expert_id = ?",
    ),
    (
        "activity_daily",
        "SELECT * FROM activity_daily WHERE member_id = ?",
    ),
    (
        "action_daily",
        "SELECT * FROM action_daily WHERE member_id = ?",
    ),
    (
        "undelivered_shown",
        "SELECT * FROM undelivered_shown WHERE member_id = ?",
    ),
    (
        "member_last_active",
        "SELECT * FROM member_last_active WHERE member_id = ?",
    ),
    (
        "challenge_members",
        "SELECT * FROM challenge_members WHERE member_id = ?",
    ),
    (
        "challenge_checkins",
        "SELECT * FROM challenge_checkins WHERE member_id = ?",
    ),
    (
        "submissions",
        "SELECT * FROM submissions WHERE member_id = ?",
    ),
    (
        "highlights_authored",
        "SELECT * FROM highlights WHERE author_id = ?",
    ),
    (
        "start_here_sent",
        "SELECT * FROM start_here_sent WHERE member_id = ?",
    ),
    (
        "question_listens",
        "SELECT * FROM question_listens WHERE member_id = ?",
    ),
    (
        "lesson_unlocks",
        "SELECT * FROM lesson_unlocks WHERE member_id = ?",
    ),
    (
        "renewal_drafts_sent",
        "SELECT * FROM renewal_drafts_sent WHERE member_id = ?",
    ),
    (
        "winbacks_sent",
        "SELECT * FROM winbacks_sent WHERE member_id = ?",
    ),
    (
        "referral_codes",
        "SELECT * FROM referral_codes WHERE member_id = ?",
    ),
    (
        "referrals_as_referred",
        "SELECT * FROM referrals WHERE referred_id = ?",
    ),
    (
        "referrals_as_referrer",
        "SELECT * FROM referrals WHERE referrer_id = ?",
    ),
    (
        "chosen_roles",
        "SELECT * FROM chosen_roles WHERE member_id = ?",
    ),
    (
        "member_joins",
        "SELECT * FROM member_joins WHERE member_id = ?",
    ),
    (
        "redeem_failures",
        "SELECT * FROM redeem_failures WHERE member_id = ?",
    ),
    (
        "stripe_unmatched",
        "SELECT * FROM stripe_unmatched WHERE member_id = ?",
    ),
];

/// The rows one of [`MEMBER_ROWS`]' statements reads about `member`, as JSON objects.
pub async fn rows_about(
    db: &Db,
    statement: &str,
    member: u64,
) -> sqlx::Result<Vec<serde_json::Value>> {
    use sqlx::{Column, Row, TypeInfo, ValueRef};
    let rows = sqlx::query(statement)
        .bind(member as i64)
        .fetch_all(&db.read)
        .await?;
    Ok(rows
        .iter()
        .map(|row| {
            let mut object = serde_json::Map::new();
            for (i, c) in row.columns().iter().enumerate() {
                let raw = row.try_get_raw(i).ok();
                let value = match raw
                    .as_ref()
                    .map(|r| (r.is_null(), r.type_info().name().to_string()))
                {
                    None | Some((true, _)) => serde_json::Value::Null,
                    Some((_, kind)) if kind == "INTEGER" => row
                        .try_get::<i64, _>(i)
                        .map_or(serde_json::Value::Null, Into::into),
                    Some((_, kind)) if kind == "REAL" => row
                        .try_get::<f64, _>(i)
                        .map_or(serde_json::Value::Null, Into::into),
                    Some(_) => row
                        .try_get::<String, _>(i)
                        .map_or(serde_json::Value::Null, Into::into),
                };
                object.insert(c.name().to_string(), value);
            }
            serde_json::Value::Object(object)
        })
        .collect())
}

/// The member's web sessions, by date only.
pub async fn sessions_of(db: &Db, member: u64) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT created_at, expires_at FROM web_sessions WHERE member_id = ? ORDER BY created_at",
    )
    .bind(member as i64)
    .fetch_all(&db.read)
    .await
}

/// Staff levels granted to the member themself.
pub async fn staff_grants_of(db: &Db, member: u64) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT level, granted_at FROM staff_grants WHERE target_kind = 'user' AND target_id = ?",
    )
    .bind(member as i64)
    .fetch_all(&db.read)
    .await
}

/// Replaces the member's calendar token (the old link stops working).
pub async fn set_calendar_token(
    db: &Db,
    member: u64,
    token_hash: &str,
    at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO web_calendar_tokens (member_id, token_hash, created_at) VALUES (?, ?, ?)
         ON CONFLICT (member_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at",
    )
    .bind(member as i64)
    .bind(token_hash)
    .bind(at)
    .execute(&db.write)
    .await?;
    Ok(())
}

/// Revokes the member's calendar link.
pub async fn delete_calendar_token(db: &Db, member: u64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM web_calendar_tokens WHERE member_id = ?")
        .bind(member as i64)
        .execute(&db.write)
        .await?;
    Ok(())
}

/// Whose calendar token this is.
pub async fn calendar_owner(db: &Db, token_hash: &str) -> sqlx::Result<Option<i64>> {
    let found: Option<(i64,)> =
        sqlx::query_as("SELECT member_id FROM web_calendar_tokens WHERE token_hash = ?")
            .bind(token_hash)
            .fetch_optional(&db.read)
            .await?;
    Ok(found.map(|(m,)| m))
}

/// When the member's calendar link was made, if they have one.
pub async fn calendar_made(db: &Db, member: u64) -> sqlx::Result<Option<i64>> {
    let found: Option<(i64,)> =
        sqlx::query_as("SELECT created_at FROM web_calendar_tokens WHERE member_id = ?")
            .bind(member as i64)
            .fetch_optional(&db.read)
            .await?;
    Ok(found.map(|(at,)| at))
}
