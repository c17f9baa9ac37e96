//! `/admin …`: staff levels, audit log, outbox status and config reload. Each subcommand declares
//! its level; `discord::access::check` enforces it before the body runs, and the bodies that
//! change a level re-check the finer rule (only owners manage admins).

use poise::serenity_prelude as serenity;
use serde_json::json;
use serenity::{GuildId, UserId};

use super::{audit, staff, store};
use crate::config::{Config, ConfigError};
use crate::discord::access::{self, Level, Target};
use crate::discord::reply::{self, paginate};
use crate::discord::{locale_of, Command, Context};
use crate::error::{Error, UserError};
use crate::i18n::Locale;
use crate::outbox::{self, store as outbox_store};
use crate::t;

/// A user or a role, from a Discord "mentionable" option.
struct MentionTarget(Target);

#[poise::async_trait]
impl poise::SlashArgument for MentionTarget {
    async fn extract(
        _: &serenity::Context,
        _: &serenity::CommandInteraction,
        value: &serenity::ResolvedValue<'_>,
    ) -> Result<Self, poise::SlashArgError> {
        match value {
            serenity::ResolvedValue::User(user, _) => Ok(MentionTarget(Target::User(user.id))),
            serenity::ResolvedValue::Role(role) => Ok(MentionTarget(Target::Role(role.id))),
            _ => Err(poise::SlashArgError::new_command_structure_mismatch(
                "expected a user or a role",
            )),
        }
    }

    fn create(builder: serenity::CreateCommandOption) -> serenity::CreateCommandOption {
        builder.kind(serenity::CommandOptionType::Mentionable)
    }
}

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

/// The command group with each subcommand's level attached as data.
pub fn admin() -> Command {
    let mut command = admin_group();
    for sub in &mut command.subcommands {
        let level = match sub.name.as_ref() {
            "list" | "audit" => Level::Moderator,
            _ => Level::Admin,
        };
        sub.custom_data = Box::new(level);
    }
    command.custom_data = Box::new(Level::Member);
    command
}

#[poise::command(
    slash_command,
    rename = "admin",
    guild_only,
    subcommands("grant", "revoke", "list", "audit", "outbox", "reload"),
    subcommand_required,
    default_member_permissions = "MANAGE_GUILD"
)]
async fn admin_group(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

fn guild_of(ctx: Context<'_>) -> Result<GuildId, Error> {
    ctx.guild_id().ok_or_else(|| UserError::GuildOnly.into())
}

/// The mod-log channel and the line to post there, in the community's language.
fn mod_log(
    config: &Config,
    line: impl FnOnce(Locale) -> String,
) -> Option<(serenity::ChannelId, String)> {
    config
        .channels
        .mod_log
        .map(|channel| (channel, line(config.community.default_locale)))
}

/// Grant a staff level to a member or a role
#[poise::command(slash_command)]
async fn grant(ctx: Context<'_>, target: MentionTarget, level: StaffLevel) -> Result<(), Error> {
    let target = target.0;
    let level = Level::from(level);
    let data = ctx.data();
    let config = data.config.snapshot();
    let guild = guild_of(ctx)?;
    let actor_level = access::invoker_level(ctx).await?;
    access::may_manage(actor_level, level)?;
    match target {
        Target::User(user) if access::is_owner(ctx, user) => {
            return Err(UserError::OwnerIsPermanent.into());
        }
        // The @everyone role shares the guild's id.
        Target::Role(role) if role.get() == guild.get() => {
            return Err(UserError::EveryoneCannotBeStaff.into());
        }
        _ => {}
    }

    let now = data.clock.now();
    let mut tx = data.db.write.begin().await?;
    let previous = store::grant_of(&mut tx, guild, target).await?;
    if let Some(previous) = previous {
        // Demoting an admin is managing an admin.
        access::may_manage(actor_level, previous)?;
    }
    store::upsert(&mut tx, guild, target, level, ctx.author().id, now).await?;
    let reason = format!(
        "Lyceum: {} granted by {}",
        level.as_str(),
        ctx.author().name
    );
    for effect in staff::role_changes(&config.staff, guild, target, previous, Some(level), &reason)
    {
        outbox::enqueue(&mut tx, &effect, now, None).await?;
    }
    let arguments = json!({ "level": level.as_str(), "previous": previous.map(Level::as_str) });
    finish_staff_change(ctx, tx, StaffChange::Granted, level, target, arguments, now).await
}

/// Take a staff level away from a member or a role
#[poise::command(slash_command)]
async fn revoke(ctx: Context<'_>, target: MentionTarget) -> Result<(), Error> {
    let target = target.0;
    let data = ctx.data();
    let config = data.config.snapshot();
    let guild = guild_of(ctx)?;
    if let Target::User(user) = target {
        if access::is_owner(ctx, user) {
            return Err(UserError::OwnerIsPermanent.into());
        }
    }
    let actor_level = access::invoker_level(ctx).await?;

    let now = data.clock.now();
    let mut tx = data.db.write.begin().await?;
    let previous = store::grant_of(&mut tx, guild, target)
        .await?
        .ok_or_else(|| UserError::NoGrant {
            target: target.mention(),
        })?;
    access::may_manage(actor_level, previous)?;
    store::delete(&mut tx, guild, target).await?;
    let reason = format!(
        "Lyceum: {} revoked by {}",
        previous.as_str(),
        ctx.author().name
    );
    for effect in staff::role_changes(&config.staff, guild, target, Some(previous), None, &reason) {
        outbox::enqueue(&mut tx, &effect, now, None).await?;
    }
    let arguments = json!({ "previous": previous.as_str() });
    finish_staff_change(
        ctx,
        tx,
        StaffChange::Revoked,
        previous,
        target,
        arguments,
        now,
    )
    .await
}

#[derive(Clone, Copy)]
enum StaffChange {
    Granted,
    Revoked,
}

impl StaffChange {
    /// The audit action.
    fn action(self) -> &'static str {
        match self {
            StaffChange::Granted => "staff.grant",
            StaffChange::Revoked => "staff.revoke",
        }
    }

    /// Names the messages: `modlog-granted`, `admin-granted`, …
    fn key(self) -> &'static str {
        match self {
            StaffChange::Granted => "granted",
            StaffChange::Revoked => "revoked",
        }
    }
}

/// Ends a staff change: the audit row and the mod-log line join the change's transaction, which
/// commits; then the outbox is woken and the invoker told.
async fn finish_staff_change(
    ctx: Context<'_>,
    mut tx: sqlx::Transaction<'_, sqlx::Sqlite>,
    change: StaffChange,
    level: Level,
    target: Target,
    arguments: serde_json::Value,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), Error> {
    let data = ctx.data();
    let config = data.config.snapshot();
    let actor = ctx.author().id;
    let action = audit::Action {
        guild_id: guild_of(ctx)?,
        actor,
        action: change.action(),
        target_kind: Some(target.kind()),
        target_id: Some(target.id()),
        arguments,
    };
    let line = mod_log(&config, |l| {
        t!(
            l,
            &format!("modlog-{}", change.key()),
            actor = format!("<@{actor}>"),
            level = level.label(l),
            target = target.mention()
        )
    });
    audit::record(&mut tx, &action, line, now).await?;
    tx.commit().await?;
    data.outbox_wake.notify_one();

    let locale = locale_of(ctx);
    let text = t!(
        locale,
        &format!("admin-{}", change.key()),
        level = level.label(locale),
        target = target.mention()
    );
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Show owners and everyone holding a staff level
#[poise::command(slash_command)]
async fn list(ctx: Context<'_>, #[min = 1] page: Option<u32>) -> Result<(), Error> {
    let data = ctx.data();
    let config = data.config.snapshot();
    let guild = guild_of(ctx)?;
    let locale = locale_of(ctx);
    let mut owners: Vec<UserId> = config.discord.owner_ids.clone();
    if let Some(owner) = ctx.guild().map(|g| g.owner_id) {
        if !owners.contains(&owner) {
            owners.push(owner);
        }
    }
    let mut lines: Vec<String> = owners
        .iter()
        .map(|o| format!("• <@{o}> — {}", Level::Owner.label(locale)))
        .collect();
    let mut grants = store::grants(&data.db, guild).await?;
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
    let header = t!(locale, "admin-list-header", count = grants.len() as i64);
    let text = paginate(&header, &lines, page.unwrap_or(1) as usize, locale);
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Show recent privileged actions
#[poise::command(slash_command)]
async fn audit(
    ctx: Context<'_>,
    member: Option<serenity::User>,
    #[min = 1]
    #[max = 100]
    limit: Option<u32>,
    #[min = 1] page: Option<u32>,
) -> Result<(), Error> {
    let data = ctx.data();
    let guild = guild_of(ctx)?;
    let locale = locale_of(ctx);
    let limit = i64::from(limit.unwrap_or(10));
    let rows = audit::list(
        &data.db,
        guild,
        member.as_ref().map(|m| m.id.get()),
        limit,
        0,
    )
    .await?;
    let lines: Vec<String> = rows
        .iter()
        .map(|row| {
            let target = match (row.target_kind.as_deref(), row.target_id) {
                (Some(kind), Some(id)) => Target::from_parts(kind, id as u64)
                    .map(|t| format!(" → {}", t.mention()))
                    .unwrap_or_default(),
                _ => String::new(),
            };
            let args = if row.arguments == "{}" {
                String::new()
            } else {
                format!(" `{}`", row.arguments)
            };
            format!(
                "`#{}` <t:{}:f> <@{}> **{}**{target}{args}",
                row.id,
                row.created_at / 1000,
                row.actor_id,
                row.action
            )
        })
        .collect();
    let header = if lines.is_empty() {
        t!(locale, "admin-audit-empty")
    } else {
        t!(locale, "admin-audit-header", count = lines.len() as i64)
    };
    let text = paginate(&header, &lines, page.unwrap_or(1) as usize, locale);
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Show pending and failed Discord side effects
#[poise::command(slash_command)]
async fn outbox(ctx: Context<'_>, #[min = 1] page: Option<u32>) -> Result<(), Error> {
    let data = ctx.data();
    let locale = locale_of(ctx);
    let counts = outbox_store::counts(&data.db).await?;
    let rows = outbox_store::problems(&data.db, 100, 0).await?;
    let lines: Vec<String> = rows
        .iter()
        .map(|row| {
            let what = row
                .effect()
                .map(|e| e.describe())
                .unwrap_or_else(|_| row.kind.clone());
            let status = t!(locale, &format!("outbox-status-{}", row.status));
            let error = row.last_error.clone().unwrap_or_else(|| "-".into());
            t!(
                locale,
                "admin-outbox-line",
                id = row.id,
                status = status,
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

/// Re-read policy from the config file
#[poise::command(slash_command)]
async fn reload(ctx: Context<'_>) -> Result<(), Error> {
    let data = ctx.data();
    let guild = guild_of(ctx)?;
    let locale = locale_of(ctx);
    let outcome = data.config.reload().map_err(|e| match e {
        ConfigError::Invalid(problems) => UserError::ConfigRejected {
            problems: problems.iter().map(ToString::to_string).collect(),
        },
        io @ ConfigError::Io { .. } => UserError::ConfigRejected {
            problems: vec![io.to_string()],
        },
    })?;
    let config = data.config.snapshot();
    let now = data.clock.now();
    let actor = ctx.author().id;
    let mut tx = data.db.write.begin().await?;
    let action = audit::Action {
        guild_id: guild,
        actor,
        action: "config.reload",
        target_kind: None,
        target_id: None,
        arguments: json!({ "restart_required": outcome.restart_required }),
    };
    let line = mod_log(&config, |l| {
        t!(l, "modlog-reloaded", actor = format!("<@{actor}>"))
    });
    audit::record(&mut tx, &action, line, now).await?;
    tx.commit().await?;
    data.outbox_wake.notify_one();

    let mut text = t!(locale, "admin-reloaded");
    if !outcome.restart_required.is_empty() {
        text.push('\n');
        text.push_str(&t!(
            locale,
            "admin-reload-restart",
            keys = outcome.restart_required.join(", ")
        ));
    }
    reply::ephemeral(ctx, text).await?;
    Ok(())
}
