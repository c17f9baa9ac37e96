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

/// Every source of truth about members' managed roles, for the delivery worker to converge on
/// (grants, membership grace, staff levels, level roles, the rules gate).
pub fn role_truth() -> crate::roles::RoleTruth {
    use std::sync::Arc;
    crate::roles::RoleTruth::new(vec![
        Arc::new(crate::grants::truth::GrantRoles),
        Arc::new(membership::roles::GraceRoles),
        Arc::new(admin::roles::StaffRoles),
        Arc::new(points::roles::LevelRoles),
        Arc::new(rules::roles::AcceptedRole),
    ])
}
