//! SQLite: pool options, embedded migrations, the "newer database" guard, and online backup.
//!
//! Two pools over one file: `write` has a single connection so writers queue in-process instead
//! of failing with `SQLITE_BUSY`; `read` serves everything else concurrently (WAL).

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context as _};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, SqliteConnection, SqlitePool};

pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// The name of the write connection's thread (Linux keeps 15 characters of a thread's name).
const WRITER_THREAD: &str = "lyceum-dbwrite";

#[derive(Clone, Debug)]
pub struct Db {
    pub read: SqlitePool,
    pub write: SqlitePool,
    pub path: PathBuf,
}

fn options(path: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .journal_mode(SqliteJournalMode::Wal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        // Durability is not traded for speed: hot paths batch their writes instead.
        .synchronous(SqliteSynchronous::Full)
}

impl Db {
    /// Opens (creating if needed) and migrates the database, refusing one written by a newer
    /// Lyceum without touching it.
    pub async fn open(path: &Path) -> anyhow::Result<Db> {
        if path.exists() {
            refuse_newer(path).await?;
        }
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            // The writer commits chat's points in bulk: it yields a contended core to the
            // readers answering members' commands (see `crate::priority`).
            .after_connect(|_, _| {
                Box::pin(async {
                    crate::priority::lower_threads_named(WRITER_THREAD);
                    Ok(())
                })
            })
            .connect_with(
                options(path)
                    .create_if_missing(true)
                    .thread_name(|id| format!("{WRITER_THREAD}{id}")),
            )
            .await
            .with_context(|| format!("cannot open database {}", path.display()))?;
        MIGRATOR
            .run(&write)
            .await
            .with_context(|| format!("cannot migrate database {}", path.display()))?;
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options(path))
            .await?;
        Ok(Db {
            read,
            write,
            path: path.to_path_buf(),
        })
    }

    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.read).await.is_ok()
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

/// Fails when the database records a migration this binary does not know.
async fn refuse_newer(path: &Path) -> anyhow::Result<()> {
    let mut conn =
        SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(path).read_only(true))
            .await
            .with_context(|| format!("cannot open database {}", path.display()))?;
    let has_table: Option<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_optional(&mut conn)
    .await?;
    if has_table.is_none() {
        conn.close().await?;
        return Ok(());
    }
    let applied: Vec<(i64, String)> =
        sqlx::query_as("SELECT version, description FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut conn)
            .await?;
    conn.close().await?;
    let known: Vec<i64> = MIGRATOR.iter().map(|m| m.version).collect();
    if let Some((version, description)) = applied.iter().find(|(v, _)| !known.contains(v)) {
        bail!(
            "database {} was written by a newer Lyceum (it has migration {version} \"{description}\", this build knows up to {}); refusing to open it. Upgrade Lyceum or restore a backup.",
            path.display(),
            known.last().copied().unwrap_or_default()
        );
    }
    Ok(())
}

/// Proof that this process is the only bot using a database file. Two bots on one file would
/// each release the other's outbox claims at start and could deliver an item twice, so the
/// second one is refused. Held until dropped; the OS releases it if the process dies.
#[derive(Debug)]
pub struct InstanceLock {
    _file: std::fs::File,
}

impl InstanceLock {
    pub fn acquire(db_path: &Path) -> anyhow::Result<InstanceLock> {
        // Keyed on the file itself, not the spelling of its path: a symlink or `./x/../`
        // must not let a second bot onto the same database.
        let canonical = canonical_path(db_path);
        let mut lock_path = canonical.as_os_str().to_owned();
        lock_path.push(".lock");
        let lock_path = PathBuf::from(lock_path);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .with_context(|| format!("cannot create {}", lock_path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(InstanceLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => bail!(
                "another Lyceum is already running on {} (lock file {}); stop it first",
                db_path.display(),
                lock_path.display()
            ),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(e).with_context(|| format!("cannot lock {}", lock_path.display()))
            }
        }
    }
}

/// The database file's real path: resolved if it exists, else its directory resolved and the
/// file name kept (the first start creates it).
fn canonical_path(db_path: &Path) -> PathBuf {
    if let Ok(path) = std::fs::canonicalize(db_path) {
        return path;
    }
    let parent = match db_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match (std::fs::canonicalize(parent), db_path.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => db_path.to_path_buf(),
    }
}

/// Writes a consistent copy of the database to `target` while it may be in use.
pub async fn backup(source: &Path, target: &Path) -> anyhow::Result<()> {
    if target.exists() {
        bail!("{} already exists; choose a new file", target.display());
    }
    if !source.exists() {
        bail!("database {} does not exist", source.display());
    }
    let mut conn = SqliteConnection::connect_with(
        &options(source)
            .read_only(true)
            .journal_mode(SqliteJournalMode::Wal),
    )
    .await
    .with_context(|| format!("cannot open database {}", source.display()))?;
    let target_text = target
        .to_str()
        .context("backup path must be valid UTF-8")?
        .to_string();
    sqlx::query("VACUUM INTO ?")
        .bind(target_text)
        .execute(&mut conn)
        .await
        .with_context(|| format!("backup to {} failed", target.display()))?;
    conn.close().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn opens_with_wal_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("t.db")).await.unwrap();
        let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
            .fetch_one(&db.read)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let (fk,): (i64,) = sqlx::query_as("PRAGMA foreign_keys")
            .fetch_one(&db.write)
            .await
            .unwrap();
        assert_eq!(fk, 1);
        let (sync,): (i64,) = sqlx::query_as("PRAGMA synchronous")
            .fetch_one(&db.write)
            .await
            .unwrap();
        assert_eq!(sync, 2, "synchronous=FULL");
    }

    #[test]
    fn a_second_instance_on_one_database_is_refused_until_the_first_stops() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let first = InstanceLock::acquire(&path).unwrap();
        let error = InstanceLock::acquire(&path).unwrap_err().to_string();
        assert!(
            error.contains("another Lyceum is already running"),
            "{error}"
        );
        drop(first);
        InstanceLock::acquire(&path).expect("free again");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_or_another_spelling_of_the_path_is_the_same_database() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.db");
        std::fs::write(&real, b"").unwrap();
        let link = dir.path().join("link.db");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let _first = InstanceLock::acquire(&real).unwrap();
        assert!(InstanceLock::acquire(&link).is_err(), "through a symlink");
        let dotted = dir.path().join(".").join("real.db");
        assert!(InstanceLock::acquire(&dotted).is_err(), "through ./");
    }

    #[tokio::test]
    async fn reopening_is_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        Db::open(&path).await.unwrap().close().await;
        Db::open(&path).await.unwrap().close().await;
    }
}
