//! The `outbox` table. Items are enqueued inside the caller's transaction, claimed one at a
//! time by the worker (the head of each ordering key only, so order per target holds), and
//! finished as delivered, skipped or failed.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, SqliteConnection};

use super::effect::{Effect, MessageBody};
use crate::clock::to_millis;
use crate::db::Db;

#[derive(Debug, Clone, FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub ordering_key: String,
    pub kind: String,
    pub payload: String,
    pub status: super::Status,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    /// When the first attempt began (None before the first claim).
    pub first_attempt_at: Option<i64>,
}

impl OutboxRow {
    pub fn effect(&self) -> Result<Effect, serde_json::Error> {
        serde_json::from_str(&self.payload)
    }
}

/// Writes an effect into the outbox as part of `tx`. With an idempotency key, a second enqueue
/// of the same key is a no-op and returns `None`.
pub async fn enqueue(
    tx: &mut SqliteConnection,
    effect: &Effect,
    now: DateTime<Utc>,
    idempotency_key: Option<&str>,
) -> sqlx::Result<Option<i64>> {
    let payload = serde_json::to_string(effect).expect("effects serialize");
    let row: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO outbox (ordering_key, kind, payload, next_attempt_at, created_at, idempotency_key, priority)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING id",
    )
    .bind(effect.ordering_key())
    .bind(effect.kind())
    .bind(payload)
    .bind(to_millis(now))
    .bind(to_millis(now))
    .bind(idempotency_key)
    .bind(effect.priority())
    .fetch_optional(&mut *tx)
    .await?;
    Ok(row.map(|(id,)| id))
}

/// How long a claim holds. The worker records every outcome (retrying the bookkeeping write
/// itself when it fails), so a lease only expires when a claim was truly lost; then the item is
/// claimed again rather than wedging its target until a restart. Longer than any one delivery
/// (two calls of at most 15 s each, plus a check of recent messages).
pub const LEASE: chrono::Duration = chrono::Duration::minutes(2);

/// Parked items (a payload this build cannot read) wait at this instant until a build that
/// can read them re-arms them at start ([`unpark`]).
pub const PARKED_AT: i64 = i64::MAX / 2;

const COLUMNS: &str = "id, ordering_key, kind, payload, status, attempts, next_attempt_at, last_error, created_at, first_attempt_at";

/// Claims the most urgent due item that heads its ordering key (items behind a retrying head
/// wait). Heads are flagged by triggers and read through a partial index, so a claim costs the
/// same with ten items queued or a million. A claim older than [`LEASE`] is considered lost and
/// may be taken again.
pub async fn claim_next(db: &Db, now: DateTime<Utc>) -> sqlx::Result<Option<OutboxRow>> {
    claim_next_except(db, now, &[]).await
}

/// [`claim_next`], never taking an item in `in_flight`: a delivery still running past its
/// lease (a slow Discord) is not claimed a second time by the worker that runs it.
pub async fn claim_next_except(
    db: &Db,
    now: DateTime<Utc>,
    in_flight: &[i64],
) -> sqlx::Result<Option<OutboxRow>> {
    let now = to_millis(now);
    let in_flight = serde_json::to_string(in_flight).expect("ids serialize");
    sqlx::query_as(&format!(
        "UPDATE outbox SET claimed_at = ?1, first_attempt_at = COALESCE(first_attempt_at, ?1)
         WHERE id = (
             SELECT o.id FROM outbox o INDEXED BY outbox_heads
             WHERE o.status = 'pending' AND o.is_head = 1 AND o.next_attempt_at <= ?1
               AND (o.claimed_at IS NULL OR o.claimed_at <= ?1 - ?2)
               AND o.id NOT IN (SELECT value FROM json_each(?3))
             ORDER BY o.priority, o.next_attempt_at, o.id
             LIMIT 1)
         RETURNING {COLUMNS}"
    ))
    .bind(now)
    .bind(LEASE.num_milliseconds())
    .bind(in_flight)
    .fetch_optional(&db.write)
    .await
}

/// When the next claimable item becomes due (None when nothing is queued). Only heads of their
/// ordering key count: an item waiting behind another is not due, whatever its own time says.
/// A claimed head counts from when its lease runs out.
pub async fn next_due(db: &Db) -> sqlx::Result<Option<i64>> {
    let (due,): (Option<i64>,) = sqlx::query_as(
        "SELECT MIN(CASE WHEN o.claimed_at IS NULL THEN o.next_attempt_at
                         ELSE MAX(o.next_attempt_at, o.claimed_at + ?1) END)
         FROM outbox o INDEXED BY outbox_heads
         WHERE o.status = 'pending' AND o.is_head = 1 AND o.next_attempt_at < ?2",
    )
    .bind(LEASE.num_milliseconds())
    .bind(PARKED_AT)
    .fetch_one(&db.read)
    .await?;
    Ok(due)
}

/// Hands a claimed item back without counting an attempt (the bot, not the item, could not go
/// on: a refused token, a paused queue). It becomes due at `at`.
pub async fn release(db: &Db, id: i64, at: DateTime<Utc>, error: &str) -> sqlx::Result<()> {
    hand_back(db, id, to_millis(at), error).await
}

/// Unclaims an item, due at `at_ms`, without counting an attempt.
async fn hand_back(db: &Db, id: i64, at_ms: i64, error: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE outbox SET next_attempt_at = ?, last_error = ?, claimed_at = NULL WHERE id = ?",
    )
    .bind(at_ms)
    .bind(error)
    .bind(id)
    .execute(&db.write)
    .await?;
    Ok(())
}

/// Sets aside an item whose payload this build cannot read (written by a newer build before a
/// rollback): it stays pending, holding its target's place in line, until [`unpark`].
pub async fn park(db: &Db, id: i64, why: &str) -> sqlx::Result<()> {
    hand_back(db, id, PARKED_AT, why).await
}

/// At start: makes parked items due again, so a build that can read them delivers them (and a
/// build that still cannot parks them again, warning once).
pub async fn unpark(db: &Db, now: DateTime<Utc>) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE outbox SET next_attempt_at = ? WHERE status = 'pending' AND next_attempt_at >= ?",
    )
    .bind(to_millis(now))
    .bind(PARKED_AT)
    .execute(&db.write)
    .await?;
    Ok(done.rows_affected())
}

/// When the oldest pending item was written (None when nothing is pending).
pub async fn oldest_pending(db: &Db) -> sqlx::Result<Option<i64>> {
    let (oldest,): (Option<i64>,) =
        sqlx::query_as("SELECT MIN(created_at) FROM outbox WHERE status = 'pending'")
            .fetch_one(&db.read)
            .await?;
    Ok(oldest)
}

/// Ends an item for good.
pub async fn finish(
    db: &Db,
    id: i64,
    status: super::Status,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE outbox SET status = ?, last_error = COALESCE(?, last_error), attempts = attempts + 1,
                finished_at = ?, claimed_at = NULL
         WHERE id = ?",
    )
    .bind(status)
    .bind(error)
    .bind(to_millis(now))
    .bind(id)
    .execute(&db.write)
    .await?;
    Ok(())
}

/// Remembers the id of the message a delivered post created.
pub async fn set_message_id(db: &Db, id: i64, message_id: u64) -> sqlx::Result<()> {
    sqlx::query("UPDATE outbox SET message_id = ? WHERE id = ?")
        .bind(message_id as i64)
        .bind(id)
        .execute(&db.write)
        .await?;
    Ok(())
}

/// The DMs Discord refused for `member` (closed DMs) not yet shown to them at a command:
/// (outbox id, body), oldest first.
pub async fn undelivered_unshown(
    db: &Db,
    member: u64,
    limit: i64,
) -> sqlx::Result<Vec<(i64, MessageBody)>> {
    closed_dms(db, member, limit, true).await
}

/// Refused DMs to `member` as (outbox id or creation time, body): the unshown ones oldest
/// first, or every one newest first.
async fn closed_dms(
    db: &Db,
    member: u64,
    limit: i64,
    unshown: bool,
) -> sqlx::Result<Vec<(i64, MessageBody)>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT CASE WHEN ?3 THEN id ELSE created_at END, payload FROM outbox
          WHERE kind = 'send_dm' AND status = 'failed' AND last_error LIKE '%(code 50007)%'
            AND CAST(json_extract(payload, '$.user_id') AS TEXT) = ?1
            AND (NOT ?3 OR id NOT IN (SELECT outbox_id FROM undelivered_shown))
          ORDER BY CASE WHEN ?3 THEN id ELSE -id END LIMIT ?2",
    )
    .bind(member.to_string())
    .bind(limit)
    .bind(unshown)
    .fetch_all(&db.read)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(
            |(at, payload)| match serde_json::from_str::<Effect>(&payload) {
                Ok(Effect::SendDm { body, .. }) => Some((at, body)),
                _ => None,
            },
        )
        .collect())
}

/// Remembers that the undelivered DMs `ids` were shown to `member`.
pub async fn mark_undelivered_shown(
    db: &Db,
    member: u64,
    ids: &[i64],
    at: i64,
) -> sqlx::Result<()> {
    let mut tx = db.write.begin().await?;
    for id in ids {
        sqlx::query(
            "INSERT INTO undelivered_shown (outbox_id, member_id, shown_at) VALUES (?, ?, ?)
             ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(member as i64)
        .bind(at)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// The message id a delivered post got (None while it is not delivered).
/// The DMs Discord refused to deliver to `member` (closed DMs, code 50007), newest first, with
/// when each was written: what waits for them on their `/me` page.
pub async fn undelivered_dms(
    db: &Db,
    member: u64,
    limit: i64,
) -> sqlx::Result<Vec<(i64, MessageBody)>> {
    closed_dms(db, member, limit, false).await
}

/// The channel outbox item `id` posted a message to, to edit it there later
/// even if the config's channel changed since.
pub async fn posted_to(
    conn: &mut sqlx::SqliteConnection,
    id: i64,
) -> sqlx::Result<Option<serenity::all::ChannelId>> {
    let payload: Option<(String,)> = sqlx::query_as("SELECT payload FROM outbox WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(payload
        .and_then(|(p,)| serde_json::from_str::<Effect>(&p).ok())
        .and_then(|effect| match effect {
            Effect::SendMessage { channel_id, .. } => Some(channel_id),
            _ => None,
        }))
}

pub async fn message_id_of(db: &Db, id: i64) -> sqlx::Result<Option<u64>> {
    let row: Option<(Option<i64>,)> = sqlx::query_as("SELECT message_id FROM outbox WHERE id = ?")
        .bind(id)
        .fetch_optional(&db.read)
        .await?;
    Ok(row.and_then(|(m,)| m).map(|m| m as u64))
}

/// Puts an item back in the queue after a transient failure.
pub async fn retry_at(db: &Db, id: i64, at: DateTime<Utc>, error: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, claimed_at = NULL
         WHERE id = ?",
    )
    .bind(to_millis(at))
    .bind(error)
    .bind(id)
    .execute(&db.write)
    .await?;
    Ok(())
}

/// Puts failed items back in the queue (`item`, or every failed one), due at once, with a fresh
/// attempt count; their last error stays visible until the next attempt. Returns how many.
pub async fn requeue_failed(
    tx: &mut SqliteConnection,
    item: Option<i64>,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?1,
                finished_at = NULL, claimed_at = NULL
         WHERE status = 'failed' AND (?2 IS NULL OR id = ?2)",
    )
    .bind(to_millis(now))
    .bind(item)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected())
}

/// Releases claims left by a process that stopped mid-delivery, so their items are retried.
pub async fn release_stale_claims(db: &Db) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE outbox SET claimed_at = NULL WHERE status = 'pending' AND claimed_at IS NOT NULL",
    )
    .execute(&db.write)
    .await?;
    Ok(done.rows_affected())
}

/// Deletes finished items (delivered, skipped, failed) that finished before `cutoff`, in
/// batches through the `finished_at` index, so a large prune never holds the writer long.
/// Pending items are never touched.
pub async fn prune_finished(db: &Db, cutoff: DateTime<Utc>) -> sqlx::Result<u64> {
    const BATCH: i64 = 5_000;
    let mut total = 0;
    loop {
        let done = sqlx::query(
            "DELETE FROM outbox WHERE id IN (
                 SELECT id FROM outbox WHERE status != 'pending' AND finished_at < ? LIMIT ?)",
        )
        .bind(to_millis(cutoff))
        .bind(BATCH)
        .execute(&db.write)
        .await?;
        total += done.rows_affected();
        if done.rows_affected() < BATCH as u64 {
            return Ok(total);
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub pending: i64,
    pub failed: i64,
}

pub async fn counts(db: &Db) -> sqlx::Result<Counts> {
    let by_status = counts_by_status(db).await?;
    Ok(Counts {
        pending: count_of(&by_status, super::Status::Pending),
        failed: count_of(&by_status, super::Status::Failed),
    })
}

/// The count for `status` in a [`counts_by_status`] result (0 when absent).
pub fn count_of(by_status: &[(String, i64)], status: super::Status) -> i64 {
    by_status
        .iter()
        .find(|(s, _)| s == status.as_str())
        .map_or(0, |(_, n)| *n)
}

/// How many items are in each status (statuses with none are absent).
pub async fn counts_by_status(db: &Db) -> sqlx::Result<Vec<(String, i64)>> {
    // Kept by triggers (migration 0010): constant time however long the history is.
    sqlx::query_as("SELECT status, n FROM outbox_counts WHERE n != 0")
        .fetch_all(&db.read)
        .await
}

/// Role removals Discord refused and that are still wanted (pending, retried with backoff):
/// members who keep a role they should have lost. `/healthz` reports the count.
pub async fn roles_out_of_sync(db: &Db) -> sqlx::Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND kind = 'remove_role'
           AND (last_error LIKE '403%' OR last_error LIKE '404%')",
    )
    .fetch_one(&db.read)
    .await?;
    Ok(n)
}

/// Pending and failed items, newest first, for `/admin outbox`.
pub async fn problems(db: &Db, limit: i64, offset: i64) -> sqlx::Result<Vec<OutboxRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM outbox WHERE status IN ('pending', 'failed')
         ORDER BY id DESC LIMIT ? OFFSET ?"
    ))
    .bind(limit)
    .bind(offset)
    .fetch_all(&db.read)
    .await
}

/// Every item's payload, oldest first (tests and the demo read what was queued).
pub async fn payloads(db: &Db) -> sqlx::Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT payload FROM outbox ORDER BY id")
        .fetch_all(&db.read)
        .await?;
    Ok(rows.into_iter().map(|(p,)| p).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::from_millis;
    use crate::outbox::effect::MessageBody;
    use crate::outbox::Status;
    use serenity::all::{ChannelId, GuildId, RoleId, UserId};

    async fn db() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("o.db")).await.unwrap();
        (dir, db)
    }

    fn role(user: u64, role: u64) -> Effect {
        Effect::AddRole {
            guild_id: GuildId::new(1),
            user_id: UserId::new(user),
            role_id: RoleId::new(role),
            reason: String::new(),
        }
    }

    /// The removal of the same role: ordered behind its add (one target).
    fn unrole(user: u64, role: u64) -> Effect {
        Effect::RemoveRole {
            guild_id: GuildId::new(1),
            user_id: UserId::new(user),
            role_id: RoleId::new(role),
            reason: String::new(),
        }
    }

    async fn put(db: &Db, effect: &Effect, at: i64, key: Option<&str>) -> Option<i64> {
        let mut tx = db.write.begin().await.unwrap();
        let id = enqueue(&mut tx, effect, from_millis(at), key)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        id
    }

    #[tokio::test]
    async fn items_for_one_target_are_claimed_in_order_behind_a_retrying_head() {
        let (_dir, db) = db().await;
        let first = put(&db, &role(7, 1), 1_000, None).await.unwrap();
        let second = put(&db, &unrole(7, 1), 1_000, None).await.unwrap();
        let other = put(
            &db,
            &Effect::SendMessage {
                channel_id: ChannelId::new(5),
                body: MessageBody::text("hi"),
            },
            1_000,
            None,
        )
        .await
        .unwrap();

        // Messages go before bulk role changes.
        let claimed = claim_next(&db, from_millis(2_000)).await.unwrap().unwrap();
        assert_eq!(claimed.id, other);
        finish(&db, other, Status::Delivered, None, from_millis(2_000))
            .await
            .unwrap();
        let claimed = claim_next(&db, from_millis(2_000)).await.unwrap().unwrap();
        assert_eq!(claimed.id, first);
        retry_at(&db, first, from_millis(10_000), "500")
            .await
            .unwrap();

        // The head of member 7's role 1 is waiting: its removal must not overtake it.
        assert!(claim_next(&db, from_millis(2_000)).await.unwrap().is_none());

        let claimed = claim_next(&db, from_millis(10_000)).await.unwrap().unwrap();
        assert_eq!((claimed.id, claimed.attempts), (first, 1));
        finish(&db, first, Status::Delivered, None, from_millis(10_000))
            .await
            .unwrap();
        let claimed = claim_next(&db, from_millis(10_000)).await.unwrap().unwrap();
        assert_eq!(claimed.id, second);
    }

    #[tokio::test]
    async fn an_automod_delete_goes_before_a_long_role_sync_and_a_retried_item_heads_again() {
        let (_dir, db) = db().await;
        for member in 1..=500 {
            put(&db, &role(member, 1), 1_000, None).await.unwrap();
        }
        let delete = put(
            &db,
            &Effect::DeleteMessage {
                channel_id: ChannelId::new(5),
                message_id: serenity::all::MessageId::new(9),
                reason: "automod".into(),
            },
            1_500,
            None,
        )
        .await
        .unwrap();
        let claimed = claim_next(&db, from_millis(2_000)).await.unwrap().unwrap();
        assert_eq!(claimed.id, delete, "urgent first");

        // A failed head retried by an admin heads its key again, ahead of a later item.
        let a = put(&db, &role(900, 1), 3_000, None).await.unwrap();
        assert!(claim_next(&db, from_millis(3_000)).await.unwrap().is_some());
        finish(&db, a, Status::Failed, Some("403"), from_millis(3_000))
            .await
            .unwrap();
        let b = put(&db, &unrole(900, 1), 3_000, None).await.unwrap();
        let mut conn = db.write.acquire().await.unwrap();
        assert_eq!(
            requeue_failed(&mut conn, Some(a), from_millis(3_000))
                .await
                .unwrap(),
            1
        );
        drop(conn);
        let heads: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM outbox WHERE ordering_key = (SELECT ordering_key FROM outbox WHERE id = ?) AND is_head = 1",
        )
        .bind(a)
        .fetch_all(&db.read)
        .await
        .unwrap();
        assert_eq!(heads, [(a,)], "b ({b}) waits behind a");
    }

    #[tokio::test]
    async fn a_claimed_item_is_not_claimed_twice_until_released() {
        let (_dir, db) = db().await;
        put(&db, &role(1, 1), 0, None).await.unwrap();
        assert!(claim_next(&db, from_millis(1)).await.unwrap().is_some());
        assert!(claim_next(&db, from_millis(1)).await.unwrap().is_none());
        assert_eq!(release_stale_claims(&db).await.unwrap(), 1);
        assert!(claim_next(&db, from_millis(1)).await.unwrap().is_some());
    }

    /// A claim whose holder lost track of it (a failed bookkeeping write, a dead task) expires:
    /// the item is claimed again and its target's later items are not wedged until a restart.
    #[tokio::test]
    async fn a_lost_claim_expires_after_its_lease() {
        let (_dir, db) = db().await;
        let first = put(&db, &role(1, 1), 0, None).await.unwrap();
        let second = put(&db, &unrole(1, 1), 0, None).await.unwrap();
        let claimed = claim_next(&db, from_millis(10)).await.unwrap().unwrap();
        assert_eq!((claimed.id, claimed.first_attempt_at), (first, Some(10)));
        let lease = LEASE.num_milliseconds();
        assert!(claim_next(&db, from_millis(10 + lease - 1))
            .await
            .unwrap()
            .is_none());
        assert_eq!(next_due(&db).await.unwrap(), Some(10 + lease));
        let again = claim_next(&db, from_millis(10 + lease))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(again.id, first, "the head again, never the item behind it");
        assert_eq!(
            again.first_attempt_at,
            Some(10),
            "the first attempt is kept"
        );
        finish(&db, first, Status::Delivered, None, from_millis(20))
            .await
            .unwrap();
        let next = claim_next(&db, from_millis(10 + lease))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(next.id, second);
    }

    #[tokio::test]
    async fn a_parked_item_holds_its_place_until_unparked() {
        let (_dir, db) = db().await;
        let unknown = put(&db, &role(1, 1), 0, None).await.unwrap();
        let behind = put(&db, &unrole(1, 1), 0, None).await.unwrap();
        claim_next(&db, from_millis(1)).await.unwrap().unwrap();
        park(&db, unknown, "unknown kind").await.unwrap();
        assert!(claim_next(&db, from_millis(1_000_000))
            .await
            .unwrap()
            .is_none());
        assert_eq!(next_due(&db).await.unwrap(), None, "parked is not due");
        assert_eq!(counts(&db).await.unwrap().pending, 2, "nothing failed");
        assert_eq!(unpark(&db, from_millis(5)).await.unwrap(), 1);
        let claimed = claim_next(&db, from_millis(5)).await.unwrap().unwrap();
        assert_eq!(claimed.id, unknown);
        finish(&db, unknown, Status::Delivered, None, from_millis(5))
            .await
            .unwrap();
        assert_eq!(
            claim_next(&db, from_millis(5)).await.unwrap().unwrap().id,
            behind
        );
    }

    #[tokio::test]
    async fn failed_items_are_requeued_one_or_all() {
        let (_dir, db) = db().await;
        let a = put(&db, &role(1, 1), 0, None).await.unwrap();
        let b = put(&db, &role(2, 1), 0, None).await.unwrap();
        let ok = put(&db, &role(3, 1), 0, None).await.unwrap();
        finish(&db, a, Status::Failed, Some("403"), from_millis(1))
            .await
            .unwrap();
        finish(&db, b, Status::Failed, Some("403"), from_millis(1))
            .await
            .unwrap();
        finish(&db, ok, Status::Delivered, None, from_millis(1))
            .await
            .unwrap();

        let mut tx = db.write.begin().await.unwrap();
        assert_eq!(
            requeue_failed(&mut tx, Some(ok), from_millis(2))
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            requeue_failed(&mut tx, Some(a), from_millis(2))
                .await
                .unwrap(),
            1
        );
        tx.commit().await.unwrap();
        assert_eq!(
            counts(&db).await.unwrap(),
            Counts {
                pending: 1,
                failed: 1
            }
        );
        let claimed = claim_next(&db, from_millis(2)).await.unwrap().unwrap();
        assert_eq!((claimed.id, claimed.attempts), (a, 0));

        let mut tx = db.write.begin().await.unwrap();
        assert_eq!(
            requeue_failed(&mut tx, None, from_millis(3)).await.unwrap(),
            1
        );
        tx.commit().await.unwrap();
        assert_eq!(
            counts(&db).await.unwrap(),
            Counts {
                pending: 2,
                failed: 0
            }
        );
    }

    #[tokio::test]
    async fn idempotency_keys_enqueue_once() {
        let (_dir, db) = db().await;
        assert!(put(&db, &role(1, 1), 0, Some("grant:1")).await.is_some());
        assert!(put(&db, &role(1, 1), 0, Some("grant:1")).await.is_none());
        assert_eq!(
            counts(&db).await.unwrap(),
            Counts {
                pending: 1,
                failed: 0
            }
        );
    }

    /// Property, over random interleavings of enqueue, claim, retry and finish: an item is
    /// never claimed while it is claimed, and each target's items finish in the order written.
    #[tokio::test]
    async fn random_interleavings_keep_per_target_order_and_single_claims() {
        use rand::{Rng, SeedableRng};
        for seed in 0..8u64 {
            let (_dir, db) = db().await;
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let mut now = 0i64;
            let mut claimed: Vec<OutboxRow> = Vec::new();
            let mut finished: Vec<(String, i64)> = Vec::new();
            for _ in 0..200 {
                now += rng.gen_range(0..50);
                match rng.gen_range(0..4) {
                    0 => {
                        let effect = role(rng.gen_range(1..4), rng.gen_range(1..100));
                        put(&db, &effect, now, None).await.unwrap();
                    }
                    1 => {
                        if let Some(row) = claim_next(&db, from_millis(now)).await.unwrap() {
                            assert!(claimed.iter().all(|c| c.id != row.id), "claimed twice");
                            claimed.push(row);
                        }
                    }
                    2 if !claimed.is_empty() => {
                        let row = claimed.swap_remove(rng.gen_range(0..claimed.len()));
                        retry_at(&db, row.id, from_millis(now + rng.gen_range(0..200)), "500")
                            .await
                            .unwrap();
                    }
                    _ if !claimed.is_empty() => {
                        let row = claimed.swap_remove(rng.gen_range(0..claimed.len()));
                        finish(&db, row.id, Status::Delivered, None, from_millis(now))
                            .await
                            .unwrap();
                        finished.push((row.ordering_key, row.id));
                    }
                    _ => {}
                }
                // At most one claimed item per target at any time.
                let mut keys: Vec<&str> = claimed.iter().map(|c| c.ordering_key.as_str()).collect();
                keys.sort_unstable();
                let before = keys.len();
                keys.dedup();
                assert_eq!(
                    keys.len(),
                    before,
                    "two items of one target in flight (seed {seed})"
                );
            }
            for key in finished
                .iter()
                .map(|(k, _)| k.clone())
                .collect::<std::collections::BTreeSet<_>>()
            {
                let ids: Vec<i64> = finished
                    .iter()
                    .filter(|(k, _)| *k == key)
                    .map(|(_, id)| *id)
                    .collect();
                assert!(
                    ids.windows(2).all(|w| w[0] < w[1]),
                    "{key} finished out of order: {ids:?} (seed {seed})"
                );
            }
        }
    }

    #[tokio::test]
    async fn pruning_removes_only_old_finished_items() {
        let (_dir, db) = db().await;
        let old = put(&db, &role(1, 1), 0, None).await.unwrap();
        let recent = put(&db, &role(2, 1), 0, None).await.unwrap();
        let pending = put(&db, &role(3, 1), 0, None).await.unwrap();
        finish(&db, old, Status::Delivered, None, from_millis(1_000))
            .await
            .unwrap();
        finish(&db, recent, Status::Failed, Some("403"), from_millis(9_000))
            .await
            .unwrap();
        assert_eq!(prune_finished(&db, from_millis(5_000)).await.unwrap(), 1);
        let (left,): (String,) = sqlx::query_as("SELECT group_concat(id) FROM outbox ORDER BY id")
            .fetch_one(&db.read)
            .await
            .unwrap();
        assert_eq!(left, format!("{recent},{pending}"));
    }

    /// The kept counts behind /healthz and /metrics equal a real count after inserts,
    /// finishes, a requeue and a prune.
    #[tokio::test]
    async fn kept_counts_match_a_real_count_through_every_write() {
        let (_dir, db) = db().await;
        let mut ids = Vec::new();
        for i in 1..=6 {
            ids.push(put(&db, &role(i, 1), 0, None).await.unwrap());
        }
        finish(&db, ids[0], Status::Delivered, None, from_millis(1_000))
            .await
            .unwrap();
        finish(&db, ids[1], Status::Delivered, None, from_millis(9_000))
            .await
            .unwrap();
        finish(&db, ids[2], Status::Failed, Some("403"), from_millis(1_000))
            .await
            .unwrap();
        finish(
            &db,
            ids[3],
            Status::Skipped,
            Some("gone"),
            from_millis(1_000),
        )
        .await
        .unwrap();
        finish(&db, ids[4], Status::Failed, Some("403"), from_millis(1_000))
            .await
            .unwrap();
        let mut tx = db.write.begin().await.unwrap();
        requeue_failed(&mut tx, Some(ids[4]), from_millis(2_000))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        prune_finished(&db, from_millis(5_000)).await.unwrap();
        let real: Vec<(String, i64)> =
            sqlx::query_as("SELECT status, COUNT(*) FROM outbox GROUP BY status ORDER BY status")
                .fetch_all(&db.read)
                .await
                .unwrap();
        let mut kept = counts_by_status(&db).await.unwrap();
        kept.sort();
        assert_eq!(kept, real);
        assert_eq!(count_of(&kept, Status::Pending), 2);
        assert_eq!(count_of(&kept, Status::Delivered), 1);
    }

    #[tokio::test]
    async fn an_enqueue_rolled_back_with_its_transaction_leaves_nothing() {
        let (_dir, db) = db().await;
        let mut tx = db.write.begin().await.unwrap();
        enqueue(&mut tx, &role(1, 1), from_millis(0), None)
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(counts(&db).await.unwrap().pending, 0);
    }
}
