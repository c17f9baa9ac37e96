//! `/admin …`: parse the interaction, call an operation or a read, render the reply. Each
//! command declares its level where it is defined; `discord::checks::check` enforces it before
//! the body runs, and the operations re-check the finer rules (only owners manage admins).

use poise::serenity_prelude as serenity;

use super::actions;
use super::ops::{Actor, StaffChange};
use crate::access::store;
use crate::access::{Level, Target};
use crate::audit;
use crate::discord::args::MentionTarget;
use crate::discord::invocation::{invocation, Invocation};
use crate::discord::reply::{self, paginate};
use crate::discord::{Command, Context};
use crate::error::Error;
use crate::i18n::Locale;
use crate::outbox::store as outbox_store;
use crate::t;

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
enum StaffLevel {
    #[name = "admin"]
    Admin,
    #[name = "moderator"]
    Moderator,
}

impl From<StaffLevel> for Level {
    fn from(level: StaffLevel) -> Level {
        match level {
            StaffLevel::Admin => Level::Admin,
            StaffLevel::Moderator => Level::Moderator,
        }
    }
}

/// The feature's commands, each with its level declared on it.
pub fn commands() -> Vec<Command> {
    vec![admin()]
}

#[poise::command(
    slash_command,
    guild_only,
    subcommands("grant", "revoke", "list", "audit", "outbox", "retry", "reload"),
    subcommand_required,
    custom_data = "Level::Moderator"
)]
async fn admin(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// The invoker as an operation sees them.
async fn actor(ctx: Context<'_>, inv: &Invocation) -> Result<Actor, Error> {
    Ok(Actor {
        id: ctx.author().id,
        name: ctx.author().name.clone(),
        level: inv.level(ctx).await?,
    })
}

/// Grant a staff level to a member or a role
#[poise::command(slash_command, custom_data = "Level::Admin")]
async fn grant(ctx: Context<'_>, target: MentionTarget, level: StaffLevel) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let actor = actor(ctx, &inv).await?;
    let owners = inv.owners(ctx);
    let change = actions::grant_level(
        ctx.data(),
        &inv.config,
        &owners,
        &actor,
        target.0,
        level.into(),
    )
    .await?;
    let locale = inv.locale(ctx);
    let text = t!(
        locale,
        "admin-granted",
        level = change.level.label(locale),
        target = change.target.mention()
    );
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Take a staff level away from a member or a role
#[poise::command(slash_command, custom_data = "Level::Admin")]
async fn revoke(ctx: Context<'_>, target: MentionTarget) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let actor = actor(ctx, &inv).await?;
    let owners = inv.owners(ctx);
    let StaffChange { target, level, .. } =
        actions::revoke_level(ctx.data(), &inv.config, &owners, &actor, target.0).await?;
    let locale = inv.locale(ctx);
    let text = t!(
        locale,
        "admin-revoked",
        level = level.label(locale),
        target = target.mention()
    );
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Show owners and everyone holding a staff level
#[poise::command(slash_command, custom_data = "Level::Moderator")]
async fn list(ctx: Context<'_>, #[min = 1] page: Option<u32>) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let mut lines: Vec<String> = inv
        .owners(ctx)
        .iter()
        .map(|o| format!("• <@{o}> — {}", Level::Owner.label(locale)))
        .collect();
    let mut grants = store::grants(&ctx.data().db, inv.config.discord.guild_id).await?;
    grants.sort_by_key(|g| std::cmp::Reverse(g.level));
    lines.extend(grants.iter().map(|g| {
        t!(
            locale,
            "admin-list-line",
            target = g.target.mention(),
            level = g.level.label(locale),
            by = format!("<@{}>", g.granted_by),
            since = format!("<t:{}:d>", g.granted_at / 1000)
        )
    }));
    // What it lists: owners and every grant.
    let header = t!(locale, "admin-list-header", count = lines.len() as i64);
    let text = paginate(&header, &lines, page.unwrap_or(1) as usize, locale);
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Show recent privileged actions
#[poise::command(slash_command, custom_data = "Level::Moderator")]
async fn audit(
    ctx: Context<'_>,
    member: Option<serenity::User>,
    #[min = 1]
    #[max = 100]
    limit: Option<u32>,
    #[min = 1] page: Option<u32>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let limit = i64::from(limit.unwrap_or(10));
    let involving = member.as_ref().map(|m| m.id.get());
    let guild = inv.config.discord.guild_id;
    let rows = audit::list(&ctx.data().db, guild, involving, limit, 0).await?;
    let lines: Vec<String> = rows.iter().map(audit_line).collect();
    let header = if lines.is_empty() {
        t!(locale, "admin-audit-empty")
    } else {
        t!(locale, "admin-audit-header", count = lines.len() as i64)
    };
    let text = paginate(&header, &lines, page.unwrap_or(1) as usize, locale);
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// An audit row's arguments as a reader would write them: `level: admin, days: 30`, nothing for
/// empty values, never raw JSON.
pub fn arguments_as_words(json: &str) -> String {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(json) else {
        return json.to_string();
    };
    map.iter()
        .filter_map(|(key, value)| {
            let value = match value {
                serde_json::Value::Null => return None,
                serde_json::Value::String(s) if s.is_empty() => return None,
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Array(items) if items.is_empty() => return None,
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            };
            Some(format!("{}: {value}", key.replace('_', " ")))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

fn audit_line(row: &audit::AuditRow) -> String {
    let target = match (row.target_kind.as_deref(), row.target_id) {
        (Some(kind), Some(id)) => Target::from_parts(kind, id as u64)
            .map(|t| format!(" → {}", t.mention()))
            .unwrap_or_default(),
        _ => String::new(),
    };
    let args = arguments_as_words(&row.arguments);
    let args = if args.is_empty() {
        String::new()
    } else {
        format!(" · {args}")
    };
    format!(
        "`#{}` <t:{}:f> <@{}> **{}**{target}{args}",
        row.id,
        row.created_at / 1000,
        row.actor_id,
        row.action
    )
}

/// Show pending and failed Discord side effects
#[poise::command(slash_command, custom_data = "Level::Admin")]
async fn outbox(ctx: Context<'_>, #[min = 1] page: Option<u32>) -> Result<(), Error> {
    let locale = locale(ctx).await;
    let db = &ctx.data().db;
    let counts = outbox_store::counts(db).await?;
    let rows = outbox_store::problems(db, 100, 0).await?;
    let lines: Vec<String> = rows
        .iter()
        .map(|row| {
            let what = row
                .effect()
                .map(|e| e.describe())
                .unwrap_or_else(|_| row.kind.clone());
            let error = row.last_error.clone().unwrap_or_else(|| "-".into());
            t!(
                locale,
                "admin-outbox-line",
                id = row.id,
                status = row.status.label(locale),
                what = what,
                attempts = row.attempts,
                error = error
            )
        })
        .collect();
    let header = t!(
        locale,
        "admin-outbox-header",
        pending = counts.pending,
        failed = counts.failed
    );
    let text = paginate(&header, &lines, page.unwrap_or(1) as usize, locale);
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Re-queue failed Discord side effects after fixing their cause
#[poise::command(slash_command, custom_data = "Level::Admin")]
async fn retry(ctx: Context<'_>, #[min = 1] item: Option<i64>) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let actor = actor(ctx, &inv).await?;
    let requeued = actions::retry_failed(ctx.data(), &inv.config, &actor, item).await?;
    let text = t!(inv.locale(ctx), "admin-retried", count = requeued as i64);
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Re-read policy from the config file
#[poise::command(slash_command, custom_data = "Level::Admin")]
async fn reload(ctx: Context<'_>) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let actor = actor(ctx, &inv).await?;
    let super::ops::Reloaded {
        restart_required,
        synced,
    } = actions::reload(ctx.data(), &actor).await?;

    let locale = inv.locale(ctx);
    let mut text = t!(locale, "admin-reloaded");
    if !restart_required.is_empty() {
        text.push('\n');
        text.push_str(&t!(
            locale,
            "admin-reload-restart",
            keys = restart_required.join(", ")
        ));
    }
    if !synced.is_empty() {
        let list = |ids: &[String]| {
            if ids.is_empty() {
                "—".to_string()
            } else {
                ids.join(", ")
            }
        };
        text.push('\n');
        text.push_str(&t!(
            locale,
            "admin-reload-schedules",
            added = list(&synced.added),
            changed = list(&synced.changed),
            removed = list(&synced.removed)
        ));
    }
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

async fn locale(ctx: Context<'_>) -> Locale {
    invocation(ctx).await.locale(ctx)
}
