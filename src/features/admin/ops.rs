//! One function per `/admin` write, each in the caller's transaction (`actions.rs` opens it):
//! decide with the pure rules, store the change with its audit row, mod-log line and outbox
//! items. They compose into larger writes, such as a member's join.

use chrono::{DateTime, Utc};
use serde_json::json;
use serenity::all::UserId;
use sqlx::SqliteConnection;

use super::error::AdminError;
use super::rules;
use crate::access::store;
use crate::access::{Level, Owners, Target};
use crate::config::Config;
use crate::error::Error;
use crate::outbox::{self, store as outbox_store};
use crate::t;
use crate::{audit, modlog};

/// What `/admin reload` did.
#[derive(Debug, Clone)]
pub struct Reloaded {
    /// Keys that changed but take effect only after a restart.
    pub restart_required: Vec<&'static str>,
    /// The standing schedules the new file added, changed or removed.
    pub synced: crate::features::schedule::sync::SyncReport,
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
/// personally (role grants need nothing: the role's members already have the role). Returns
/// how many role adds were queued.
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
