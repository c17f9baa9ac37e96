//! The member directory: what each member is called (their name as Discord shows it in the
//! server) and their avatar, fed by everything Discord already sends about members — the
//! server's member list at connect and in chunks, joins, updates and leaves, the member on
//! every interaction, a web login, a message's author — so no page, CSV or chart shows a raw
//! id where a name can be known. A member who left keeps their last name, marked as gone.
//!
//! Noting is cheap on the hot path: the last name written per member is kept in memory and a
//! row is written only when it changes, in batches, off the caller's path.

use std::collections::HashMap;
use std::sync::Mutex;

use sqlx::SqliteConnection;

use crate::db::Db;
use crate::state::AppState;

/// What a member is called and looks like, as Discord last showed them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub member: u64,
    /// The server nickname, else the display name, else the username.
    pub name: String,
    /// Discord's avatar hash (the server avatar's when set).
    pub avatar: Option<String>,
}

/// A member as a page shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    pub name: String,
    pub avatar: Option<String>,
    /// Left the server (kicked, banned, or gone by themselves).
    pub left: bool,
}

impl Known {
    /// The avatar's picture at Discord's CDN, `px` wide (a power of two, 16 to 4096).
    pub fn avatar_url(&self, member: u64, px: u32) -> Option<String> {
        let hash = self.avatar.as_deref()?;
        let ext = if hash.starts_with("a_") { "gif" } else { "png" };
        Some(format!(
            "https://cdn.discordapp.com/avatars/{member}/{hash}.{ext}?size={px}"
        ))
    }
}

/// The names last written, by member (a state part).
#[derive(Default)]
pub struct Written(Mutex<HashMap<u64, (String, Option<String>)>>);

/// Rows per statement when a whole member list arrives (100,000 members at connect).
const CHUNK: usize = 500;

/// How a member was seen, which says whether they are in the server now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeenAs {
    /// Here now: joined, updated, interacted, logged in. A member marked as gone is back.
    Present,
    /// In a member list (at connect, in chunks): a snapshot that may be older than a leave
    /// handled meanwhile (serenity hands events over concurrently), so it never clears one.
    Listed,
}

/// Notes members as Discord showed them: the ones whose name or avatar changed since last
/// written are written, on a task of its own so the caller never waits for the disk.
pub fn note(app: &AppState, seen: Vec<Seen>, seen_as: SeenAs) {
    let changed: Vec<Seen> = match app.try_part::<Written>() {
        Some(written) => {
            let mut written = written.0.lock().expect("written names");
            seen.into_iter()
                .filter(|s| {
                    let now = (s.name.clone(), s.avatar.clone());
                    written.insert(s.member, now.clone()) != Some(now)
                })
                .collect()
        }
        None => seen,
    };
    if changed.is_empty() {
        return;
    }
    let app = app.clone();
    tokio::spawn(async move {
        let at = crate::clock::to_millis(app.clock.now());
        if let Err(e) = remember(&app.db, &changed, at, seen_as).await {
            tracing::warn!(members = changed.len(), error = %e, "could not remember members' names");
            if let Some(written) = app.try_part::<Written>() {
                let mut written = written.0.lock().expect("written names");
                for s in &changed {
                    written.remove(&s.member);
                }
            }
        }
    });
}

/// Writes `seen`, in one transaction (a member [`SeenAs::Present`] is no longer gone).
pub async fn remember(db: &Db, seen: &[Seen], at: i64, seen_as: SeenAs) -> sqlx::Result<()> {
    let mut tx = db.write.begin().await?;
    for chunk in seen.chunks(CHUNK) {
        let mut q: sqlx::QueryBuilder<sqlx::Sqlite> = sqlx::QueryBuilder::new(
            "INSERT INTO member_names (member_id, name, avatar, updated_at, left_at) ",
        );
        q.push_values(chunk, |mut row, s| {
            row.push_bind(s.member as i64)
                .push_bind(&s.name)
                .push_bind(&s.avatar)
                .push_bind(at)
                .push("NULL");
        });
        q.push(
            " ON CONFLICT (member_id) DO UPDATE SET name = excluded.name, avatar = excluded.avatar,
                 updated_at = excluded.updated_at",
        );
        if seen_as == SeenAs::Present {
            q.push(", left_at = NULL");
        }
        q.build().execute(&mut *tx).await?;
    }
    tx.commit().await
}

/// `seen` left the server: their last name stays (the one Discord sent with the leave when
/// none was known), marked as a former member's.
pub async fn left(db: &Db, seen: &Seen, at: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO member_names (member_id, name, avatar, updated_at, left_at)
         VALUES (?1, ?2, ?3, ?4, ?4)
         ON CONFLICT (member_id) DO UPDATE SET left_at = COALESCE(left_at, ?4)",
    )
    .bind(seen.member as i64)
    .bind(&seen.name)
    .bind(&seen.avatar)
    .bind(at)
    .execute(&db.write)
    .await?;
    Ok(())
}

/// The members of `ids` the directory knows.
pub async fn known(db: &Db, ids: &[i64]) -> sqlx::Result<HashMap<i64, Known>> {
    let mut conn = db.read.acquire().await?;
    known_in(&mut conn, ids).await
}

/// [`known`] on a connection the caller holds.
pub async fn known_in(
    conn: &mut SqliteConnection,
    ids: &[i64],
) -> sqlx::Result<HashMap<i64, Known>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let mut q: sqlx::QueryBuilder<sqlx::Sqlite> = sqlx::QueryBuilder::new(
            "SELECT member_id, name, avatar, left_at IS NOT NULL FROM member_names WHERE member_id IN (",
        );
        let mut list = q.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        q.push(")");
        let rows: Vec<(i64, String, Option<String>, bool)> =
            q.build_query_as().fetch_all(&mut *conn).await?;
        out.extend(
            rows.into_iter()
                .map(|(id, name, avatar, left)| (id, Known { name, avatar, left })),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_member_seen_is_named_and_one_who_left_is_marked() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("m.db")).await.unwrap();
        let seen = |member, name: &str| Seen {
            member,
            name: name.into(),
            avatar: Some("abc".into()),
        };
        remember(&db, &[seen(1, "Mina"), seen(2, "凯")], 10, SeenAs::Present)
            .await
            .unwrap();
        left(&db, &seen(2, "kai"), 20).await.unwrap();
        // A member list older than the leave does not bring them back.
        remember(&db, &[seen(2, "凯")], 25, SeenAs::Listed)
            .await
            .unwrap();
        let found = known(&db, &[1, 2, 3]).await.unwrap();
        assert_eq!(found.len(), 2);
        assert!(!found[&1].left);
        assert_eq!((found[&2].name.as_str(), found[&2].left), ("凯", true));
        assert_eq!(
            found[&1].avatar_url(1, 64).as_deref(),
            Some("https://cdn.discordapp.com/avatars/1/abc.png?size=64")
        );
        // Seen again (a rejoin): a member once more.
        remember(&db, &[seen(2, "Kai")], 30, SeenAs::Present)
            .await
            .unwrap();
        // A leave of someone never seen keeps the name Discord sent with it.
        left(&db, &seen(3, "ghost"), 35).await.unwrap();
        let found = known(&db, &[3]).await.unwrap();
        assert_eq!((found[&3].name.as_str(), found[&3].left), ("ghost", true));
        let found = known(&db, &[2]).await.unwrap();
        assert_eq!((found[&2].name.as_str(), found[&2].left), ("Kai", false));
        // 1,200 members at once (a member list at connect) go in chunks.
        let many: Vec<Seen> = (100..1_300).map(|m| seen(m, "x")).collect();
        remember(&db, &many, 40, SeenAs::Listed).await.unwrap();
        let ids: Vec<i64> = (100..1_300).collect();
        assert_eq!(known(&db, &ids).await.unwrap().len(), 1_200);
    }
}
