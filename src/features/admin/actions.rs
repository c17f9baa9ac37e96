//! The `/admin` writes a door calls (`grant_level`, `revoke_level`, `retry_failed`, `reload`,
//! `on_join`): each opens its transaction, runs the operation from `ops.rs`, commits through
//! `AppState::commit` (which wakes the outbox) and fires the other wake-ups the change needs.
//! A slash command, a button, a gateway event or a web page calls them alike and only renders
//! what they return.

use serenity::all::UserId;

use super::error::AdminError;
use super::ops::{
    grant, record_reload, restore_on_join, retry, revoke, Actor, Reloaded, StaffChange,
};
use crate::access::{Level, Owners, Target};
use crate::config::{Config, ConfigError};
use crate::error::Error;
use crate::state::AppState;

/// `/admin grant`: gives `target` a staff level, in its own transaction. Automod forgets whom
/// it knew as staff.
pub async fn grant_level(
    app: &AppState,
    config: &Config,
    owners: &Owners,
    actor: &Actor,
    target: Target,
    level: Level,
) -> Result<StaffChange, Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let change = grant(&mut tx, config, owners, actor, target, level, now).await?;
    app.commit(tx).await?;
    crate::access::forget_staff_grants(app);
    Ok(change)
}

/// `/admin revoke`: takes `target`'s staff level away, in its own transaction.
pub async fn revoke_level(
    app: &AppState,
    config: &Config,
    owners: &Owners,
    actor: &Actor,
    target: Target,
) -> Result<StaffChange, Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let change = revoke(&mut tx, config, owners, actor, target, now).await?;
    app.commit(tx).await?;
    crate::access::forget_staff_grants(app);
    Ok(change)
}

/// `/admin retry`: re-queues failed outbox items (`item`, or all), in its own transaction.
pub async fn retry_failed(
    app: &AppState,
    config: &Config,
    actor: &Actor,
    item: Option<i64>,
) -> Result<u64, Error> {
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    let requeued = retry(&mut tx, config, actor, item, now).await?;
    app.commit(tx).await?;
    Ok(requeued)
}

/// `/admin reload`: re-reads the config file (a bad file keeps the running policy and names
/// every problem), records it under the new policy (its mod-log channel, its language), syncs
/// the standing schedules, and wakes the scheduler and the reconciliation.
pub async fn reload(app: &AppState, actor: &Actor) -> Result<Reloaded, Error> {
    let outcome = app.config.reload().map_err(|e| match e {
        ConfigError::Invalid(problems) => AdminError::ConfigRejected {
            problems: problems.iter().map(ToString::to_string).collect(),
        },
        other @ (ConfigError::Io { .. } | ConfigError::Missing { .. }) => {
            AdminError::ConfigRejected {
                problems: vec![other.to_string()],
            }
        }
    })?;
    let config = app.config.snapshot();
    let now = app.clock.now();
    let mut tx = app.db.write.begin().await?;
    record_reload(&mut tx, &config, actor, &outcome.restart_required, now).await?;
    let synced = crate::features::schedule::apply_config(&mut tx, &config, now).await?;
    app.commit_with(tx, &[crate::state::Topic::CONFIG]).await?;
    Ok(Reloaded {
        restart_required: outcome.restart_required,
        synced,
    })
}

/// A member (re)joined: the staff role of their level comes back. Returns how many roles.
pub async fn on_join(app: &AppState, config: &Config, user: UserId) -> Result<usize, Error> {
    let mut tx = app.db.write.begin().await?;
    let restored = restore_on_join(&mut tx, config, user, app.clock.now()).await?;
    app.commit(tx).await?;
    Ok(restored)
}
