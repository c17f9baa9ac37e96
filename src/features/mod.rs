//! Community features. Each folder: `mod.rs` (its public face and `commands()`), `rules.rs`
//! (pure decisions), `ops.rs` (one function per write), `store.rs` (SQL), `commands.rs`
//! (poise), `error.rs` (its user errors). Only `commands.rs` files touch poise or serenity's
//! client types; `common` holds what they share (audit log, mod log).

pub mod admin;
pub mod common;
pub mod community;
pub mod membership;
pub mod points;
pub mod rules;
pub mod schedule;

/// Policy that is mirrored into state (standing `[[schedule]]`s), applied on start and after
/// every `/admin reload`, inside the caller's transaction. The caller wakes the jobs.
pub async fn apply_config(
    tx: &mut sqlx::SqliteConnection,
    config: &crate::config::Config,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<schedule::sync::SyncReport, crate::error::Error> {
    schedule::sync::sync(tx, config, now).await
}
