//! One function per `/admin` write. The operations a door calls (`grant_level`,
//! `revoke_level`, `retry_failed`, `reload`) own their transaction: they open it, decide with
//! the pure rules, store the change with its audit row, mod-log line and outbox items, commit
//! through `AppState::commit` (which wakes the outbox) and fire the other wake-ups the change
//! needs. A slash command, a button, a gateway event, a job or a web page calls them alike and
//! only renders what they return. The parts that take a caller's transaction (`grant`,
//! `revoke`, `retry`, `record_reload`, `restore_on_join`) compose into larger writes, such as a
//! member's join.

use chrono::{DateTime, Utc};
use serde_json::json;
use serenity::all::UserId;
use sqlx::SqliteConnection;

use super::error::AdminError;
use super::rules;
use crate::access::store;
use crate::access::{Level, Owners, Target};
use crate::config::Config;
use crate::config::ConfigError;
use crate::error::Error;
use crate::outbox::{self, store as outbox_store};
use crate::state::AppState;
use crate::t;
use crate::{audit, modlog};

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

/// What `/admin reload` did.
#[derive(Debug, Clone)]
pub struct Reloaded {
    /// Keys that changed but take effect only after a restart.
    pub restart_required: Vec<&'static str>,
    /// The standing schedules the new file added, changed or removed.
    pub synced: crate::features::schedule::sync::SyncReport,
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

/// Who is acting, with the level they were found to hold for this invocation.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: UserId,
    pub name: String,
    pub level: Level,
}

/// What a grant or revoke changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaffChange {
    pub target: Target,
    /// The level granted, or the level revoked.
    pub level: Level,
    pub previous: Option<Level>,
}

/// Grants `level` to `target` (replacing any level it held).
pub async fn grant(
    tx: &mut SqliteConnection,
    config: &Config,
    owners: &Owners,
    actor: &Actor,
    target: Target,
    level: Level,
    now: DateTime<Utc>,
) -> Result<StaffChange, Error> {
    let guild = config.discord.guild_id;
    rules::may_manage(actor.level, level)?;
    match target {
        Target::User(user) if owners.contains(user) => {
            return Err(AdminError::OwnerIsPermanent.into())
        }
        // The @everyone role shares the guild's id.
        Target::Role(role) if role.get() == guild.get() => {
            return Err(AdminError::EveryoneCannotBeStaff.into())
        }
        _ => {}
    }
    let previous = store::grant_of(tx, guild, target).await?;
    if let Some(previous) = previous {
        // Demoting an admin is managing an admin.
        rules::may_manage(actor.level, previous)?;
    }
    store::upsert(tx, guild, target, level, actor.id, now).await?;
    let reason = format!("Lyceum: {} granted by {}", level.as_str(), actor.name);
    for effect in rules::role_changes(&config.staff, guild, target, previous, Some(level), &reason)
    {
        outbox::enqueue(tx, &effect, now, None).await?;
    }
    let change = StaffChange {
        target,
        level,
        previous,
    };
    let arguments = json!({ "level": level.as_str(), "previous": previous.map(Level::as_str) });
    record_change(tx, config, actor, "staff.grant", change, arguments, now).await?;
    Ok(change)
}

/// Takes `target`'s staff level away.
pub async fn revoke(
    tx: &mut SqliteConnection,
    config: &Config,
    owners: &Owners,
    actor: &Actor,
    target: Target,
    now: DateTime<Utc>,
) -> Result<StaffChange, Error> {
    let guild = config.discord.guild_id;
    if let Target::User(user) = target {
        if owners.contains(user) {
            return Err(AdminError::OwnerIsPermanent.into());
        }
    }
    let previous =
        store::grant_of(tx, guild, target)
            .await?
            .ok_or_else(|| AdminError::NoGrant {
                target: target.mention(),
            })?;
    rules::may_manage(actor.level, previous)?;
    store::delete(tx, guild, target).await?;
    let reason = format!("Lyceum: {} revoked by {}", previous.as_str(), actor.name);
    for effect in rules::role_changes(&config.staff, guild, target, Some(previous), None, &reason) {
        outbox::enqueue(tx, &effect, now, None).await?;
    }
    let change = StaffChange {
        target,
        level: previous,
        previous: Some(previous),
    };
    let arguments = json!({ "previous": previous.as_str() });
    record_change(tx, config, actor, "staff.revoke", change, arguments, now).await?;
    Ok(change)
}

/// The audit row and the mod-log line of a grant or revoke.
async fn record_change(
    tx: &mut SqliteConnection,
    config: &Config,
    actor: &Actor,
    action: &'static str,
    change: StaffChange,
    arguments: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let entry = audit::Action {
        guild_id: config.discord.guild_id,
        actor: actor.id,
        action,
        target_kind: Some(change.target.kind()),
        target_id: Some(change.target.id()),
        arguments,
    };
    audit::record(tx, &entry, now).await?;
    let by = format!("<@{}>", actor.id);
    let target = change.target.mention();
    modlog::post(tx, config, now, |l| {
        let level = change.level.label(l);
        if action == "staff.grant" {
            t!(
                l,
                "modlog-granted",
                actor = by,
                level = level,
                target = target
            )
        } else {
            t!(
                l,
                "modlog-revoked",
                actor = by,
                level = level,
                target = target
            )
        }
    })
    .await?;
    Ok(())
}

/// Records a config reload that already happened (the swap itself is not a database write).
pub async fn record_reload(
    tx: &mut SqliteConnection,
    config: &Config,
    actor: &Actor,
    restart_required: &[&str],
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let entry = audit::Action {
        guild_id: config.discord.guild_id,
        actor: actor.id,
        action: "config.reload",
        target_kind: None,
        target_id: None,
        arguments: json!({ "restart_required": restart_required }),
    };
    audit::record(tx, &entry, now).await?;
    let by = format!("<@{}>", actor.id);
    modlog::post(tx, config, now, |l| t!(l, "modlog-reloaded", actor = by)).await?;
    Ok(())
}

/// Puts failed outbox items back in the queue: `item`, or every failed item when `None`.
/// Returns how many were re-queued.
pub async fn retry(
    tx: &mut SqliteConnection,
    config: &Config,
    actor: &Actor,
    item: Option<i64>,
    now: DateTime<Utc>,
) -> Result<u64, Error> {
    let requeued = outbox_store::requeue_failed(tx, item, now).await?;
    if let (Some(item), 0) = (item, requeued) {
        return Err(AdminError::NotRetryable { item }.into());
    }
    let entry = audit::Action {
        guild_id: config.discord.guild_id,
        actor: actor.id,
        action: "outbox.retry",
        target_kind: None,
        target_id: None,
        arguments: json!({ "item": item, "requeued": requeued }),
    };
    audit::record(tx, &entry, now).await?;
    let by = format!("<@{}>", actor.id);
    let count = requeued as i64;
    modlog::post(tx, config, now, |l| {
        t!(l, "modlog-retried", actor = by, count = count)
    })
    .await?;
    Ok(requeued)
}

/// A member who joins (or rejoins) gets back the `staff.*_role` of the level granted to them
/// personally. Role grants need nothing: the role's members already have the role.
/// A member (re)joined: the staff role of their level comes back. Returns how many roles.
pub async fn on_join(app: &AppState, config: &Config, user: UserId) -> Result<usize, Error> {
    let mut tx = app.db.write.begin().await?;
    let restored = restore_on_join(&mut tx, config, user, app.clock.now()).await?;
    app.commit(tx).await?;
    Ok(restored)
}

/// Returns how many role adds were queued.
pub async fn restore_on_join(
    tx: &mut SqliteConnection,
    config: &Config,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<usize, Error> {
    let guild = config.discord.guild_id;
    let Some(level) = store::grant_of(tx, guild, Target::User(user)).await? else {
        return Ok(0);
    };
    let reason = format!("Lyceum: {} restored on rejoin", level.as_str());
    let effects = rules::role_changes(
        &config.staff,
        guild,
        Target::User(user),
        None,
        Some(level),
        &reason,
    );
    for effect in &effects {
        outbox::enqueue(tx, effect, now, None).await?;
    }
    Ok(effects.len())
}
