//! The points SQL: the ledger, members' totals, orders. Nothing else.

use chrono::{DateTime, NaiveDate, Utc};
use serenity::all::{ChannelId, MessageId, UserId};
use sqlx::{FromRow, QueryBuilder, Sqlite, SqliteConnection};

use crate::clock::to_millis;
use crate::db::Db;

/// One balance change, as the ledger stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub member: UserId,
    pub delta: i64,
    pub lifetime_delta: i64,
    pub kind: super::Kind,
    pub reason: Option<String>,
    /// Makes the entry happen once (a second entry with the same reference is dropped).
    pub reference: Option<String>,
    pub actor: Option<UserId>,
    pub channel: Option<ChannelId>,
    pub at: DateTime<Utc>,
}

/// Rows per multi-row INSERT (SQLite allows 32,766 bound values; an entry binds 9).
const CHUNK: usize = 500;

/// The ledger's width of a `points_flow` bucket: a quarter hour, so every time zone's midnight
/// starts one.
const FLOW_BUCKET_MS: i64 = 900_000;

/// Points issued and spent per bucket by one batch of ledger rows, added to `points_flow` in
/// the batch's own transaction.
#[derive(Default)]
struct Flow(std::collections::BTreeMap<i64, (i64, i64)>);

impl Flow {
    fn add(&mut self, at_ms: i64, kind: Option<super::Kind>, delta: i64) {
        if kind.is_some_and(super::Kind::is_escrow) || delta == 0 {
            return;
        }
        let bucket = self.0.entry(at_ms.div_euclid(FLOW_BUCKET_MS)).or_default();
        if delta > 0 {
            bucket.0 += delta;
        } else {
            bucket.1 -= delta;
        }
    }

    async fn write(self, tx: &mut SqliteConnection) -> sqlx::Result<()> {
        let buckets: Vec<(i64, (i64, i64))> = self.0.into_iter().collect();
        for chunk in buckets.chunks(CHUNK) {
            let mut query: QueryBuilder<Sqlite> =
                QueryBuilder::new("INSERT INTO points_flow (bucket, issued, spent) ");
            query.push_values(chunk, |mut row, (bucket, (issued, spent))| {
                row.push_bind(*bucket).push_bind(*issued).push_bind(*spent);
            });
            query.push(
                " ON CONFLICT (bucket) DO UPDATE SET issued = issued + excluded.issued,
                     spent = spent + excluded.spent",
            );
            query.build().execute(&mut *tx).await?;
        }
        Ok(())
    }
}

/// One multi-row ledger INSERT for `chunk`; `skip_used` skips entries whose reference was
/// already used and returns what was written.
fn ledger_insert(chunk: &[Entry], skip_used: bool) -> QueryBuilder<'_, Sqlite> {
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(
        "INSERT INTO points_ledger (member_id, delta, lifetime_delta, kind, reason, reference, actor_id, channel_id, created_at) ",
    );
    query.push_values(chunk, |mut row, e| {
        row.push_bind(e.member.get() as i64)
            .push_bind(e.delta)
            .push_bind(e.lifetime_delta)
            .push_bind(e.kind.as_str())
            .push_bind(e.reason.as_deref())
            .push_bind(e.reference.as_deref())
            .push_bind(e.actor.map(|a| a.get() as i64))
            .push_bind(e.channel.map(|c| c.get() as i64))
            .push_bind(to_millis(e.at));
    });
    if skip_used {
        query
            .push(" ON CONFLICT (reference) DO NOTHING RETURNING member_id, delta, lifetime_delta, kind, created_at");
    }
    query
}

/// Writes `entries` (multi-row statements) and moves members' totals by what was written;
/// entries whose reference was already used are skipped. Returns the members whose stored
/// level no longer matches their lifetime points.
pub async fn insert_entries(
    tx: &mut SqliteConnection,
    entries: &[Entry],
) -> sqlx::Result<Vec<StaleLevel>> {
    let mut written: Vec<(i64, i64, i64)> = Vec::with_capacity(entries.len());
    let mut flow = Flow::default();
    for chunk in entries.chunks(CHUNK) {
        // Fast path: a plain INSERT. A used reference (a replayed award) aborts the statement,
        // undoing it alone; then the chunk goes again skipping used references and returning
        // what it wrote. RETURNING on every chunk cost half the writer's time (bench profile).
        match ledger_insert(chunk, false).build().execute(&mut *tx).await {
            Ok(_) => {
                for e in chunk {
                    flow.add(to_millis(e.at), Some(e.kind), e.delta);
                    written.push((e.member.get() as i64, e.delta, e.lifetime_delta));
                }
            }
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                let rows: Vec<(i64, i64, i64, String, i64)> = ledger_insert(chunk, true)
                    .build_query_as()
                    .fetch_all(&mut *tx)
                    .await?;
                for (member, delta, lifetime, kind, at) in rows {
                    flow.add(at, super::Kind::parse(&kind), delta);
                    written.push((member, delta, lifetime));
                }
            }
            Err(e) => return Err(e),
        }
    }
    flow.write(tx).await?;
    let mut totals: std::collections::BTreeMap<i64, (i64, i64)> = Default::default();
    for (member, delta, lifetime) in written {
        let total = totals.entry(member).or_default();
        total.0 += delta;
        total.1 += lifetime;
    }
    let members: Vec<(i64, (i64, i64))> = totals.into_iter().collect();
    // Nearly every batch only adds points: one upsert per chunk. Members losing points (a
    // deleted message, a staff correction) take the clamping path.
    let (gains, losses): (Vec<_>, Vec<_>) = members
        .iter()
        .partition(|(_, (delta, lifetime))| *delta >= 0 && *lifetime >= 0);
    for chunk in gains.chunks(CHUNK) {
        add_to_totals(tx, chunk).await?;
    }
    for chunk in losses.chunks(CHUNK) {
        take_from_totals(tx, chunk).await?;
    }
    let mut changed: Vec<StaleLevel> = Vec::new();
    for chunk in members.chunks(CHUNK) {
        changed.extend(stale_levels(tx, chunk).await?);
    }
    Ok(changed)
}

/// `head`, then `chunk` as rows of (member, balance delta, lifetime delta), then `tail`.
fn with_totals<'a>(
    head: &str,
    chunk: &'a [&(i64, (i64, i64))],
    tail: &str,
) -> QueryBuilder<'a, Sqlite> {
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(head);
    query.push_values(chunk, |mut row, (member, (delta, lifetime))| {
        row.push_bind(*member)
            .push_bind(*delta)
            .push_bind(*lifetime);
    });
    query.push(tail);
    query
}

/// Moves members' totals up by non-negative amounts (creating members first seen).
async fn add_to_totals(
    tx: &mut SqliteConnection,
    chunk: &[&(i64, (i64, i64))],
) -> sqlx::Result<()> {
    with_totals(
        "INSERT INTO points_members (member_id, balance, lifetime) ",
        chunk,
        " ON CONFLICT (member_id) DO UPDATE SET
             balance = balance + excluded.balance,
             lifetime = lifetime + excluded.lifetime",
    )
    .build()
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Moves members' totals by amounts that may be negative; balances never go below zero (a
/// revoked chat award after the points were spent takes what is left).
async fn take_from_totals(
    tx: &mut SqliteConnection,
    chunk: &[&(i64, (i64, i64))],
) -> sqlx::Result<()> {
    let mut create: QueryBuilder<Sqlite> =
        QueryBuilder::new("INSERT OR IGNORE INTO points_members (member_id) ");
    create.push_values(chunk, |mut row, (member, _)| {
        row.push_bind(*member);
    });
    create.build().execute(&mut *tx).await?;
    with_totals(
        "WITH d(member_id, delta, lifetime) AS (",
        chunk,
        ") UPDATE points_members SET
             balance = MAX(0, points_members.balance + d.delta),
             lifetime = MAX(0, points_members.lifetime + d.lifetime)
         FROM d WHERE points_members.member_id = d.member_id",
    )
    .build()
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A member whose stored level (the one whose roles were applied) no longer matches their
/// lifetime points.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct StaleLevel {
    pub member_id: i64,
    pub lifetime: i64,
    pub level: i64,
    pub locale: Option<String>,
}

/// Of `chunk`'s members, those whose stored level no longer matches their lifetime points.
/// Only they come back: reading every updated row back cost more than the update itself (one
/// hop to the database thread per row).
async fn stale_levels(
    tx: &mut SqliteConnection,
    chunk: &[(i64, (i64, i64))],
) -> sqlx::Result<Vec<StaleLevel>> {
    let mut stale: QueryBuilder<Sqlite> = QueryBuilder::new(
        "SELECT member_id, lifetime, level, locale FROM points_members WHERE member_id IN (",
    );
    let mut ids = stale.separated(", ");
    for (member, _) in chunk {
        ids.push_bind(*member);
    }
    stale.push(format!(
        ") AND (lifetime < {} OR lifetime >= {})",
        super::rules::level_start_sql("level"),
        super::rules::level_start_sql("level + 1"),
    ));
    stale.build_query_as().fetch_all(&mut *tx).await
}

#[derive(Debug, Clone, Default, PartialEq, FromRow)]
pub struct MemberRow {
    pub balance: i64,
    pub lifetime: i64,
    pub level: i64,
    pub streak: i64,
    pub last_checkin: Option<String>,
    pub freezes: i64,
    pub locale: Option<String>,
}

impl MemberRow {
    pub fn last_checkin_date(&self) -> Option<NaiveDate> {
        self.last_checkin
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    }
}

const MEMBER_COLUMNS: &str = "balance, lifetime, level, streak, last_checkin, freezes, locale";

pub async fn member(conn: &mut SqliteConnection, member: UserId) -> sqlx::Result<MemberRow> {
    let row: Option<MemberRow> = sqlx::query_as(&format!(
        "SELECT {MEMBER_COLUMNS} FROM points_members WHERE member_id = ?"
    ))
    .bind(member.get() as i64)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.unwrap_or_default())
}

pub async fn member_read(db: &Db, member: UserId) -> sqlx::Result<MemberRow> {
    let mut conn = db.read.acquire().await?;
    self::member(&mut conn, member).await
}

/// A member's row and the number of the last chat batch it includes, from one statement (one
/// snapshot, one round trip).
pub async fn member_with_batch(db: &Db, member: UserId) -> sqlx::Result<(MemberRow, i64)> {
    type Row = (i64, i64, i64, i64, i64, Option<String>, i64, Option<String>);
    let (batch, balance, lifetime, level, streak, last_checkin, freezes, locale): Row =
        sqlx::query_as(
            "SELECT w.last_batch, COALESCE(m.balance, 0), COALESCE(m.lifetime, 0),
                    COALESCE(m.level, 0), COALESCE(m.streak, 0), m.last_checkin,
                    COALESCE(m.freezes, 0), m.locale
               FROM points_writer w LEFT JOIN points_members m ON m.member_id = ?
              WHERE w.id = 1",
        )
        .bind(member.get() as i64)
        .fetch_one(&db.read)
        .await?;
    let row = MemberRow {
        balance,
        lifetime,
        level,
        streak,
        last_checkin,
        freezes,
        locale,
    };
    Ok((row, batch))
}

/// The number of the last chat batch committed.
pub async fn last_batch(conn: &mut SqliteConnection) -> sqlx::Result<i64> {
    let (batch,): (i64,) = sqlx::query_as("SELECT last_batch FROM points_writer WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    Ok(batch)
}

/// Records that this transaction commits chat batch `batch`.
pub async fn mark_batch(tx: &mut SqliteConnection, batch: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE points_writer SET last_batch = ? WHERE id = 1")
        .bind(batch)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Records the level whose roles were applied, for many members in one statement per chunk.
pub async fn set_levels(tx: &mut SqliteConnection, levels: &[(UserId, u32)]) -> sqlx::Result<()> {
    for chunk in levels.chunks(CHUNK) {
        let mut upsert: QueryBuilder<Sqlite> =
            QueryBuilder::new("INSERT INTO points_members (member_id, level) ");
        upsert.push_values(chunk, |mut row, (member, level)| {
            row.push_bind(member.get() as i64)
                .push_bind(i64::from(*level));
        });
        upsert.push(" ON CONFLICT (member_id) DO UPDATE SET level = excluded.level");
        upsert.build().execute(&mut *tx).await?;
    }
    Ok(())
}

pub async fn set_streak(
    tx: &mut SqliteConnection,
    member: UserId,
    streak: u32,
    day: NaiveDate,
    freezes: u32,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO points_members (member_id, streak, last_checkin, freezes) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (member_id) DO UPDATE SET streak = ?2, last_checkin = ?3, freezes = ?4",
    )
    .bind(member.get() as i64)
    .bind(i64::from(streak))
    .bind(day.format("%Y-%m-%d").to_string())
    .bind(i64::from(freezes))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct LedgerRow {
    pub id: i64,
    pub delta: i64,
    pub lifetime_delta: i64,
    pub kind: String,
    pub reason: Option<String>,
    pub actor_id: Option<i64>,
    pub created_at: i64,
}

/// A member's ledger without chat awards (those are shown as a total, [`chat_lifetime`]),
/// newest first.
/// Records `voter`'s helpful reaction on `message` (once per voter); returns the message's
/// votes so far.
pub async fn helpful_vote(
    tx: &mut SqliteConnection,
    message: MessageId,
    channel: ChannelId,
    author: UserId,
    voter: UserId,
    now: DateTime<Utc>,
) -> sqlx::Result<i64> {
    sqlx::query(
        "INSERT INTO helpful_votes (message_id, voter_id, author_id, channel_id, created_at)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(message.get() as i64)
    .bind(voter.get() as i64)
    .bind(author.get() as i64)
    .bind(channel.get() as i64)
    .bind(to_millis(now))
    .execute(&mut *tx)
    .await?;
    let (votes,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM helpful_votes WHERE message_id = ?")
            .bind(message.get() as i64)
            .fetch_one(&mut *tx)
            .await?;
    Ok(votes)
}

/// Whether a ledger entry already carries `reference` (an award made once).
pub async fn reference_used(tx: &mut SqliteConnection, reference: &str) -> sqlx::Result<bool> {
    let (used,): (i64,) =
        sqlx::query_as("SELECT EXISTS (SELECT 1 FROM points_ledger WHERE reference = ?)")
            .bind(reference)
            .fetch_one(&mut *tx)
            .await?;
    Ok(used > 0)
}

/// The member's latest order of `item` since `since` (ms) that was not refunded.
pub async fn recent_order(
    tx: &mut SqliteConnection,
    member: UserId,
    item: &str,
    since: i64,
) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM shop_orders WHERE member_id = ? AND item_id = ? AND created_at > ?
         AND status != 'refunded' ORDER BY id DESC LIMIT 1",
    )
    .bind(member.get() as i64)
    .bind(item)
    .bind(since)
    .fetch_optional(&mut *tx)
    .await?;
    Ok(row.map(|(id,)| id))
}

/// Orders of `item` not refunded: everyone's, or one member's.
pub async fn orders_of_item(
    tx: &mut SqliteConnection,
    item: &str,
    member: Option<UserId>,
) -> sqlx::Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM shop_orders WHERE item_id = ?1 AND status != 'refunded'
           AND (?2 IS NULL OR member_id = ?2)",
    )
    .bind(item)
    .bind(member.map(|m| m.get() as i64))
    .fetch_one(&mut *tx)
    .await?;
    Ok(n)
}

/// A new order; returns its number.
pub async fn insert_order(
    tx: &mut SqliteConnection,
    member: UserId,
    item: &str,
    price: i64,
    status: super::OrderStatus,
    now: DateTime<Utc>,
) -> sqlx::Result<i64> {
    let (order,): (i64,) = sqlx::query_as(
        "INSERT INTO shop_orders (member_id, item_id, price, status, created_at)
         VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(member.get() as i64)
    .bind(item)
    .bind(price)
    .bind(status)
    .bind(to_millis(now))
    .fetch_one(&mut *tx)
    .await?;
    Ok(order)
}

/// One order: (member, item, price, status).
pub async fn order(
    tx: &mut SqliteConnection,
    order: i64,
) -> sqlx::Result<Option<(i64, String, i64, super::OrderStatus)>> {
    sqlx::query_as("SELECT member_id, item_id, price, status FROM shop_orders WHERE id = ?")
        .bind(order)
        .fetch_optional(&mut *tx)
        .await
}

/// Closes an order (`fulfilled` or `refunded`) by `staff`.
pub async fn finish_order(
    tx: &mut SqliteConnection,
    order: i64,
    status: super::OrderStatus,
    staff: UserId,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE shop_orders SET status = ?, finished_at = ?, finished_by = ? WHERE id = ?")
        .bind(status)
        .bind(to_millis(now))
        .bind(staff.get() as i64)
        .bind(order)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// A member's newest shop orders: (order, item, price, status, created at ms).
pub async fn orders_of(
    db: &Db,
    member: UserId,
    limit: i64,
) -> sqlx::Result<Vec<(i64, String, i64, super::OrderStatus, i64)>> {
    sqlx::query_as(
        "SELECT id, item_id, price, status, created_at FROM shop_orders WHERE member_id = ?
          ORDER BY id DESC LIMIT ?",
    )
    .bind(member.get() as i64)
    .bind(limit)
    .fetch_all(&db.read)
    .await
}

pub async fn history(db: &Db, member: UserId, limit: i64) -> sqlx::Result<Vec<LedgerRow>> {
    sqlx::query_as(
        "SELECT id, delta, lifetime_delta, kind, reason, actor_id, created_at FROM points_ledger
         WHERE member_id = ? AND kind <> 'chat' ORDER BY id DESC LIMIT ?",
    )
    .bind(member.get() as i64)
    .bind(limit)
    .fetch_all(&db.read)
    .await
}

/// Lifetime points `member`'s chat awards gave (deleted messages' give-backs are listed rows):
/// everything but chat awards is indexed per member, so chat is what the rest leaves of their
/// lifetime (the ledger keeps no per-member index over chat awards, most of its rows).
pub async fn chat_lifetime(db: &Db, member: UserId) -> sqlx::Result<i64> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT MAX(0, lifetime - COALESCE((SELECT SUM(lifetime_delta) FROM points_ledger
                                             WHERE member_id = ?1 AND kind <> 'chat'), 0))
           FROM points_members WHERE member_id = ?1",
    )
    .bind(member.get() as i64)
    .fetch_optional(&db.read)
    .await?;
    Ok(row.map_or(0, |(points,)| points))
}

/// Members ranked by points earned since `since` (lifetime when `None`), best first.
pub async fn leaderboard(db: &Db, since: Option<i64>, limit: i64) -> sqlx::Result<Vec<(i64, i64)>> {
    leaderboard_page(db, since, limit, 0).await
}

/// One page of the leaderboard: members ranked by points earned since `since` (lifetime when
/// `None`), best first, `limit` rows from `offset`.
pub async fn leaderboard_page(
    db: &Db,
    since: Option<i64>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<(i64, i64)>> {
    match since {
        None => {
            sqlx::query_as(
                "SELECT member_id, lifetime FROM points_members WHERE lifetime > 0
                 ORDER BY lifetime DESC, member_id LIMIT ? OFFSET ?",
            )
            .bind(limit)
            .bind(offset)
            .fetch_all(&db.read)
            .await
        }
        Some(since) => {
            sqlx::query_as(
                "SELECT member_id, SUM(lifetime_delta) AS earned FROM points_ledger
                 WHERE created_at >= ? GROUP BY member_id HAVING earned > 0
                 ORDER BY earned DESC, member_id LIMIT ? OFFSET ?",
            )
            .bind(since)
            .bind(limit)
            .bind(offset)
            .fetch_all(&db.read)
            .await
        }
    }
}

/// Lifetime points of the members given (for their levels).
pub async fn lifetimes(
    db: &Db,
    members: &[i64],
) -> sqlx::Result<std::collections::HashMap<i64, i64>> {
    let mut out = std::collections::HashMap::new();
    for chunk in members.chunks(500) {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT member_id, lifetime FROM points_members WHERE member_id IN (",
        );
        let mut ids = q.separated(", ");
        for id in chunk {
            ids.push_bind(*id);
        }
        q.push(")");
        let rows: Vec<(i64, i64)> = q.build_query_as().fetch_all(&db.read).await?;
        out.extend(rows);
    }
    Ok(out)
}

/// Everyone's lifetime points, highest first (an index-only scan), for the rank snapshot.
pub async fn lifetimes_desc(db: &Db) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT lifetime FROM points_members ORDER BY lifetime DESC")
        .fetch_all(&db.read)
        .await
}

/// 1 + how many members have more lifetime points.
pub async fn rank(db: &Db, lifetime: i64) -> sqlx::Result<i64> {
    let (above,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM points_members WHERE lifetime > ?")
        .bind(lifetime)
        .fetch_one(&db.read)
        .await?;
    Ok(above + 1)
}

/// Per member: chat points since `since` and the last chat award, to rebuild the hot path's
/// memory after a restart.
pub async fn chat_since(db: &Db, since: i64) -> sqlx::Result<Vec<(i64, i64, i64)>> {
    sqlx::query_as(
        "SELECT member_id, SUM(delta), MAX(created_at) FROM points_ledger
         WHERE kind = 'chat' AND created_at >= ? GROUP BY member_id",
    )
    .bind(since)
    .fetch_all(&db.read)
    .await
}

/// Points issued and spent from `from` (ms) on. Escrow moves points between members; it
/// neither issues nor spends them.
pub async fn issued_and_spent_since(
    conn: &mut SqliteConnection,
    from: i64,
) -> sqlx::Result<(i64, i64)> {
    // Whole quarter hours from `from` on come from `points_flow` (the current one included:
    // nothing is written ahead of the clock); the ledger covers only a partial quarter hour
    // at the start (none at a local midnight).
    let first = from.div_euclid(FLOW_BUCKET_MS) + i64::from(from.rem_euclid(FLOW_BUCKET_MS) != 0);
    let (issued, spent): (Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT SUM(issued), SUM(spent) FROM points_flow WHERE bucket >= ?")
            .bind(first)
            .fetch_one(&mut *conn)
            .await?;
    let head = ledger_flow(conn, from, first * FLOW_BUCKET_MS - 1).await?;
    let sum = |parts: [Option<i64>; 2]| parts.into_iter().flatten().sum();
    Ok((sum([issued, head.0]), sum([spent, head.1])))
}

/// Points issued and spent by the ledger rows written in [from, to] (ms), escrow left out.
async fn ledger_flow(
    conn: &mut SqliteConnection,
    from: i64,
    to: i64,
) -> sqlx::Result<(Option<i64>, Option<i64>)> {
    if from > to {
        return Ok((None, None));
    }
    sqlx::query_as(
        "SELECT SUM(CASE WHEN delta > 0 THEN delta END), -SUM(CASE WHEN delta < 0 THEN delta END)
           FROM points_ledger WHERE created_at >= ? AND created_at <= ? AND substr(kind, 1, 3) <> 'qa_'",
    )
    .bind(from)
    .bind(to)
    .fetch_one(&mut *conn)
    .await
}

/// Points earned since `since` (ms), refunds left out: (member, points, kind, at ms).
pub async fn earned_since(
    conn: &mut SqliteConnection,
    since: i64,
) -> sqlx::Result<Vec<(i64, i64, String, i64)>> {
    sqlx::query_as(
        "SELECT member_id, delta, kind, created_at FROM points_ledger
          WHERE created_at >= ? AND delta > 0 AND kind NOT IN ('qa_refund', 'refund')",
    )
    .bind(since)
    .fetch_all(&mut *conn)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::points::{rules, Kind};

    fn award(member: u64, points: i64, reference: &str) -> Entry {
        Entry {
            member: UserId::new(member),
            delta: points,
            lifetime_delta: points,
            kind: crate::features::points::Kind::Chat,
            reason: None,
            reference: Some(reference.to_string()),
            actor: None,
            channel: None,
            at: chrono::Utc::now(),
        }
    }

    /// The SQL form of a level's start agrees with `level_of` at and around every boundary, as
    /// SQLite computes it.
    #[tokio::test]
    async fn the_sql_level_threshold_agrees_with_level_of() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("p.db")).await.unwrap();
        for level in 0..300u32 {
            let start = rules::level_start(level);
            let sql = format!("SELECT {}", rules::level_start_sql("?1"));
            let (in_sql,): (i64,) = sqlx::query_as(&sql)
                .bind(i64::from(level))
                .fetch_one(&db.read)
                .await
                .unwrap();
            assert_eq!(in_sql, start, "level {level}");
            assert_eq!(rules::level_of(start).0, level);
            if level > 0 {
                assert_eq!(rules::level_of(start - 1).0, level - 1);
            }
        }
    }

    /// A batch that repeats a used reference (a replayed award) writes only the new entries and
    /// moves totals by them alone: the plain INSERT aborts and the chunk goes again, skipping.
    #[tokio::test]
    async fn a_used_reference_in_a_batch_is_skipped_and_not_counted() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("p.db")).await.unwrap();
        let mut tx = db.write.begin().await.unwrap();
        insert_entries(&mut tx, &[award(1, 10, "chat:1")])
            .await
            .unwrap();
        let batch = [
            award(1, 10, "chat:2"),
            award(1, 10, "chat:1"),
            award(2, 5, "chat:3"),
        ];
        insert_entries(&mut tx, &batch).await.unwrap();
        tx.commit().await.unwrap();
        let totals: Vec<(i64, i64)> =
            sqlx::query_as("SELECT member_id, balance FROM points_members ORDER BY member_id")
                .fetch_all(&db.read)
                .await
                .unwrap();
        assert_eq!(totals, vec![(1, 20), (2, 5)]);
        let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM points_ledger")
            .fetch_one(&db.read)
            .await
            .unwrap();
        assert_eq!(rows, 3);
    }

    /// The overview's issued and spent totals from `points_flow` equal a sum over the ledger
    /// itself from any instant on: whole quarter hours, a partial one at the start, escrow
    /// left out, and a replayed entry (the skipping path) counted once.
    #[tokio::test]
    async fn issued_and_spent_equal_the_ledger_from_any_instant() {
        use rand::{Rng, SeedableRng};
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("p.db")).await.unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let start = 1_800_000_000_000i64;
        let span = 3 * 86_400_000i64;
        let kinds = [
            Kind::Chat,
            Kind::Shop,
            Kind::QaEscrow,
            Kind::QaPayout,
            Kind::Give,
        ];
        for batch in 0..40 {
            let entries: Vec<Entry> = (0..50)
                .map(|i| {
                    let delta = rng.gen_range(-30..60);
                    Entry {
                        member: UserId::new(rng.gen_range(1..20)),
                        delta,
                        lifetime_delta: delta.max(0),
                        kind: kinds[rng.gen_range(0..kinds.len())],
                        reason: None,
                        // Some references repeat an earlier batch's: those rows are skipped.
                        reference: Some(format!("r{}", (batch * 50 + i) % 1_700)),
                        actor: None,
                        channel: None,
                        at: crate::clock::from_millis(start + rng.gen_range(0..span)),
                    }
                })
                .collect();
            let mut tx = db.write.begin().await.unwrap();
            insert_entries(&mut tx, &entries).await.unwrap();
            tx.commit().await.unwrap();
        }
        let mut conn = db.read.acquire().await.unwrap();
        let mut starts = vec![start - 1, start, start + span, start + span + 1];
        starts.extend((0..200).map(|_| start + rng.gen_range(0..span)));
        // A local midnight in UTC+05:45 (a quarter-hour zone).
        starts.push(start - start.rem_euclid(FLOW_BUCKET_MS) + FLOW_BUCKET_MS * 3);
        for from in starts {
            let fast = issued_and_spent_since(&mut conn, from).await.unwrap();
            let (issued, spent) = ledger_flow(&mut conn, from, i64::MAX).await.unwrap();
            let slow = (issued.unwrap_or(0), spent.unwrap_or(0));
            assert_eq!(fast, slow, "from {from}");
        }
    }
}
