//! `/event …`: create, preview, list, show, cancel, skip, pause, resume, attendees.

use poise::serenity_prelude as serenity;

use super::actions;
use super::error::ScheduleError;
use super::ops::{self, LOCAL_FORMAT};
use super::recurrence;
use super::store;
use crate::access::Level;
use crate::clock::to_millis;
use crate::discord::invocation::invocation;
use crate::discord::reply::{self, paginate};
use crate::discord::{Command, Context};
use crate::error::Error;
use crate::t;

pub fn commands() -> Vec<Command> {
    vec![event(), plan()]
}

#[poise::command(
    slash_command,
    guild_only,
    subcommands("plan_show", "plan_done"),
    subcommand_required,
    custom_data = "Level::Moderator"
)]
async fn plan(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// The content plan: this week, month and quarter against the targets
#[poise::command(slash_command, rename = "show", custom_data = "Level::Moderator")]
async fn plan_show(ctx: Context<'_>) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let data = ctx.data();
    let text =
        super::progress::report(&data.db, &inv.config, data.clock.now(), inv.locale(ctx)).await?;
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Count a published piece of content that was not a post in its channel
#[poise::command(slash_command, rename = "done", custom_data = "Level::Moderator")]
async fn plan_done(ctx: Context<'_>, #[max_length = 40] kind: String) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let kind = kind.trim().to_lowercase();
    let Some(item) = inv.config.plan.items.iter().find(|i| i.kind == kind) else {
        return Err(ScheduleError::UnknownKind { kind }.into());
    };
    actions::content_done(ctx.data(), &kind, ctx.author().id).await?;
    let locale = inv.locale(ctx);
    let text = t!(locale, "plan-done", kind = item.label(locale));
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// What happens to occurrences missed while the bot was offline.
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
enum CatchUp {
    /// The latest missed occurrence is posted, marked late.
    #[name = "post_late"]
    PostLate,
    #[name = "skip"]
    Skip,
    /// One message lists the missed occurrences.
    #[name = "digest"]
    Digest,
}

impl CatchUp {
    fn as_str(self) -> &'static str {
        match self {
            CatchUp::PostLate => "post_late",
            CatchUp::Skip => "skip",
            CatchUp::Digest => "digest",
        }
    }
}

fn parse_duration_option(text: Option<&str>) -> Result<Option<i64>, ScheduleError> {
    text.map(|d| {
        crate::features::moderation::warnings::parse_duration(d)
            .map(|d| d.as_secs() as i64)
            .map_err(|_| ScheduleError::BadRemind {
                part: d.to_string(),
            })
    })
    .transpose()
}

#[poise::command(
    slash_command,
    guild_only,
    subcommands(
        "create",
        "edit",
        "preview",
        "list",
        "show",
        "cancel",
        "skip",
        "pause",
        "resume",
        "attendees",
        "attended"
    ),
    subcommand_required,
    custom_data = "Level::Member"
)]
async fn event(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Checked inputs of a series: its local start, rule and reminders.
fn read_series(
    when: &str,
    repeat: Option<&str>,
    remind: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
    tz: chrono_tz::Tz,
) -> Result<ops::Series, ScheduleError> {
    let start =
        recurrence::parse_when(when, now, tz).map_err(|e| ScheduleError::BadWhen { part: e.0 })?;
    let repeat = recurrence::parse_repeat(repeat.unwrap_or(""), start)
        .map_err(|e| ScheduleError::BadRepeat { part: e.0 })?;
    let reminders = recurrence::parse_reminders(remind.unwrap_or(""))
        .map_err(|e| ScheduleError::BadRemind { part: e.0 })?;
    Ok(ops::Series {
        start,
        repeat,
        reminders,
    })
}

/// Schedule an event (one-off or recurring) with reminders and RSVP
#[poise::command(slash_command, custom_data = "Level::Moderator")]
#[allow(clippy::too_many_arguments)]
async fn create(
    ctx: Context<'_>,
    #[max_length = 100] title: String,
    #[max_length = 60] when: String,
    #[max_length = 60] repeat: Option<String>,
    #[channel_types("Text", "News")] channel: Option<serenity::ChannelId>,
    #[max_length = 1000] description: Option<String>,
    #[max_length = 60] remind: Option<String>,
    #[max_length = 20] duration: Option<String>,
    catch_up: Option<CatchUp>,
    mirror: Option<bool>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let config = &inv.config;
    let tz = config.community.timezone;
    let data = ctx.data();
    let now = data.clock.now();
    let series = read_series(&when, repeat.as_deref(), remind.as_deref(), now, tz)?;
    let plan = ops::plan_new(&series, tz, now)?;
    let channel = channel
        .or(config.channels.announcements)
        .ok_or(ScheduleError::NoChannel)?;
    let missing =
        crate::discord::hierarchy::missing_to_post(ctx.cache(), config.discord.guild_id, channel)
            .unwrap_or_default();
    if !missing.is_empty() {
        return Err(ScheduleError::CannotPost {
            channel: format!("<#{channel}>"),
            missing: missing.join(", "),
        }
        .into());
    }
    let duration_s = parse_duration_option(duration.as_deref())?.unwrap_or(3_600);
    let new = store::NewEvent {
        title: title.trim(),
        description: description.as_deref().unwrap_or("").trim(),
        channel_id: channel.get(),
        starts_local: series.start.format(LOCAL_FORMAT).to_string(),
        repeat: repeat.as_deref().unwrap_or("").trim(),
        remind: remind.as_deref().unwrap_or("").trim(),
        duration_s,
        catch_up: catch_up.unwrap_or(CatchUp::PostLate).as_str(),
        next_at: plan.0,
        due_at: plan.1,
        prev_at: to_millis(now),
        created_by: ctx.author().id.get(),
        translations: None,
        mirror,
    };
    let id = actions::create(data, config, ctx.author().id, &new).await?;
    let text = t!(
        inv.locale(ctx),
        "event-created",
        id = id,
        title = new.title.to_string(),
        when = format!("<t:{}:F>", plan.0 / 1000),
        channel = format!("<#{channel}>")
    );
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// The next occurrences of a schedule, in local time and UTC (nothing is saved)
#[poise::command(slash_command, custom_data = "Level::Moderator")]
async fn preview(
    ctx: Context<'_>,
    #[max_length = 60] when: String,
    #[max_length = 60] repeat: Option<String>,
    #[min = 1]
    #[max = 20]
    count: Option<u32>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let tz = inv.config.community.timezone;
    let now = ctx.data().clock.now();
    let series = read_series(&when, repeat.as_deref(), None, now, tz)?;
    let first = recurrence::resolve(tz, series.start) - chrono::Duration::seconds(1);
    let next = recurrence::upcoming(
        &series.repeat,
        series.start,
        tz,
        first.max(now),
        count.unwrap_or(5) as usize,
    );
    if next.is_empty() {
        return Err(ScheduleError::NeverFires.into());
    }
    let lines: Vec<String> = next
        .iter()
        .map(|at| {
            format!(
                "• {} ({tz}) · {} UTC",
                at.with_timezone(&tz).format("%Y-%m-%d %a %H:%M"),
                at.format("%Y-%m-%d %H:%M")
            )
        })
        .collect();
    let text = format!(
        "{}\n{}",
        t!(
            inv.locale(ctx),
            "event-preview-header",
            count = lines.len() as i64
        ),
        lines.join("\n")
    );
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Upcoming events
#[poise::command(slash_command, custom_data = "Level::Member")]
async fn list(ctx: Context<'_>, #[min = 1] page: Option<u32>) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let rows = store::list(&ctx.data().db, 200).await?;
    let lines: Vec<String> = rows
        .iter()
        .map(|r| {
            let paused = if r.status == super::Status::Paused {
                format!(" · {}", t!(locale, "event-paused-mark"))
            } else {
                String::new()
            };
            let repeat = if r.repeat.is_empty() {
                String::new()
            } else {
                format!(" · 🔁 {}", r.repeat)
            };
            format!(
                "`#{}` **{}** — <t:{}:F>{repeat}{paused}",
                r.id,
                r.title_in(locale),
                r.next_at.unwrap_or(0) / 1000
            )
        })
        .collect();
    let header = t!(locale, "event-list-header", count = lines.len() as i64);
    reply::ephemeral(
        ctx,
        paginate(&header, &lines, page.unwrap_or(1) as usize, locale),
    )
    .await?;
    Ok(())
}

async fn find(ctx: Context<'_>, id: i64) -> Result<store::EventRow, Error> {
    let mut conn = ctx.data().db.read.acquire().await?;
    Ok(store::get(&mut conn, id)
        .await?
        .ok_or(ScheduleError::UnknownEvent { id })?)
}

/// A standing schedule from config is changed in the file (then `/admin reload`), never by a
/// command: one source of truth per event.
fn refuse_config_made(row: &store::EventRow) -> Result<(), ScheduleError> {
    match &row.config_id {
        Some(config_id) => Err(ScheduleError::FromConfig {
            id: row.id,
            config_id: config_id.clone(),
        }),
        None => Ok(()),
    }
}

/// One event: when, how it repeats, where, reminders
#[poise::command(slash_command, custom_data = "Level::Member")]
async fn show(ctx: Context<'_>, #[min = 1] event: i64) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let row = find(ctx, event).await?;
    let text = t!(
        inv.locale(ctx),
        "event-show",
        id = row.id,
        title = row.title_in(inv.locale(ctx)),
        next = row
            .next_at
            .map(|n| format!("<t:{}:F> (<t:{}:R>)", n / 1000, n / 1000))
            .unwrap_or_else(|| "—".into()),
        repeat = if row.repeat.is_empty() {
            "—".to_string()
        } else {
            row.repeat.clone()
        },
        remind = if row.remind.is_empty() {
            "—".to_string()
        } else {
            row.remind.clone()
        },
        channel = format!("<#{}>", row.channel_id),
        status = row.status.label(inv.locale(ctx))
    );
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Change an event's state: cancel, pause or resume it
async fn change(ctx: Context<'_>, event: i64, to: super::Status) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let data = ctx.data();
    let row = find(ctx, event).await?;
    refuse_config_made(&row)?;
    if row.status == super::Status::Cancelled {
        return Err(ScheduleError::Cancelled { id: event }.into());
    }
    actions::set_state(data, &inv.config, ctx.author().id, &row, to).await?;
    let locale = inv.locale(ctx);
    let text = match to {
        super::Status::Cancelled | super::Status::Finished => t!(
            locale,
            "event-cancelled",
            id = event,
            title = row.title_in(locale)
        ),
        super::Status::Paused => t!(
            locale,
            "event-paused",
            id = event,
            title = row.title_in(locale)
        ),
        super::Status::Active => t!(
            locale,
            "event-resumed",
            id = event,
            title = row.title_in(locale)
        ),
    };
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Cancel an event (no more announcements or reminders)
#[poise::command(slash_command, custom_data = "Level::Moderator")]
async fn cancel(ctx: Context<'_>, #[min = 1] event: i64) -> Result<(), Error> {
    change(ctx, event, super::Status::Cancelled).await
}

/// Pause a recurring event
#[poise::command(slash_command, custom_data = "Level::Moderator")]
async fn pause(ctx: Context<'_>, #[min = 1] event: i64) -> Result<(), Error> {
    change(ctx, event, super::Status::Paused).await
}

/// Resume a paused event from its next occurrence
#[poise::command(slash_command, custom_data = "Level::Moderator")]
async fn resume(ctx: Context<'_>, #[min = 1] event: i64) -> Result<(), Error> {
    change(ctx, event, super::Status::Active).await
}

/// Skip the next occurrence only
#[poise::command(slash_command, custom_data = "Level::Moderator")]
async fn skip(ctx: Context<'_>, #[min = 1] event: i64) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let data = ctx.data();
    let row = find(ctx, event).await?;
    if row.status == super::Status::Cancelled {
        return Err(ScheduleError::Cancelled { id: event }.into());
    }
    let skipped = actions::skip(data, &inv.config, &row).await?;
    let text = t!(
        inv.locale(ctx),
        "event-skipped",
        title = row.title_in(inv.locale(ctx)),
        when = skipped
            .map(|s| format!("<t:{}:F>", s / 1000))
            .unwrap_or_else(|| "—".into())
    );
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Who answered Going for the next (or last announced) occurrence
#[poise::command(slash_command, custom_data = "Level::Member")]
async fn attendees(ctx: Context<'_>, #[min = 1] event: i64) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let row = find(ctx, event).await?;
    let last = store::last_rsvp_occurrence(&ctx.data().db, event).await?;
    let occ = last.or(row.next_at).unwrap_or(0);
    let going = store::going(&ctx.data().db, event, occ).await?;
    let names: Vec<String> = going.iter().map(|m| format!("<@{m}>")).collect();
    let mut text = t!(
        inv.locale(ctx),
        "event-attendees",
        title = row.title_in(inv.locale(ctx)),
        count = names.len() as i64,
        list = names.join(", ")
    );
    if let Some(interested) = interested_in_discord(ctx, &inv.config, event).await? {
        text.push('\n');
        text.push_str(&t!(
            inv.locale(ctx),
            "event-interested",
            count = interested as i64
        ));
    }
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// How many members pressed "Interested" on the event's mirror in Discord's Events tab (read
/// from Discord now), when it is mirrored there.
async fn interested_in_discord(
    ctx: Context<'_>,
    config: &crate::config::Config,
    event: i64,
) -> Result<Option<u64>, Error> {
    let mirror = {
        let mut conn = ctx.data().db.read.acquire().await?;
        store::mirror_of(&mut conn, event).await?
    };
    let Some(mirror) = mirror else {
        return Ok(None);
    };
    let Some(id) = crate::outbox::store::message_id_of(&ctx.data().db, mirror.outbox_id).await?
    else {
        return Ok(None);
    };
    let found = ctx
        .http()
        .get_scheduled_event(
            config.discord.guild_id,
            serenity::ScheduledEventId::new(id),
            true,
        )
        .await;
    Ok(found.ok().and_then(|e| e.user_count))
}

/// Mark that a member attended an event (they earn attendance points once)
#[poise::command(slash_command, custom_data = "Level::Moderator")]
async fn attended(
    ctx: Context<'_>,
    #[min = 1] event: i64,
    member: serenity::User,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let author = ctx.author().id;
    let (occ, balance) =
        actions::attended(ctx.data(), &inv.config, event, member.id, author).await?;
    let text = t!(
        inv.locale(ctx),
        "event-attended",
        member = format!("<@{}>", member.id),
        when = format!("<t:{}:F>", occ / 1000),
        points = inv.config.points.attendance_points,
        balance = balance
    );
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// Change an event: any option given replaces the old value; a new time or rule re-plans it
#[poise::command(slash_command, custom_data = "Level::Moderator")]
#[allow(clippy::too_many_arguments)]
async fn edit(
    ctx: Context<'_>,
    #[min = 1] event: i64,
    #[max_length = 100] title: Option<String>,
    #[max_length = 60] when: Option<String>,
    #[max_length = 60] repeat: Option<String>,
    #[channel_types("Text", "News")] channel: Option<serenity::ChannelId>,
    #[max_length = 1000] description: Option<String>,
    #[max_length = 60] remind: Option<String>,
    #[max_length = 20] duration: Option<String>,
    catch_up: Option<CatchUp>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let tz = inv.config.community.timezone;
    let data = ctx.data();
    let now = data.clock.now();
    let row = find(ctx, event).await?;
    refuse_config_made(&row)?;
    if row.status == super::Status::Cancelled {
        return Err(ScheduleError::Cancelled { id: event }.into());
    }
    let duration_s = parse_duration_option(duration.as_deref())?.unwrap_or(row.duration_s);
    let replans = when.is_some() || repeat.is_some() || remind.is_some();
    let start_text = match &when {
        Some(when) => recurrence::parse_when(when, now, tz)
            .map_err(|e| ScheduleError::BadWhen { part: e.0 })?
            .format(LOCAL_FORMAT)
            .to_string(),
        None => row.starts_local.clone(),
    };
    let repeat_text = repeat.clone().unwrap_or_else(|| row.repeat.clone());
    let remind_text = remind.clone().unwrap_or_else(|| row.remind.clone());
    let mut updated = row.clone();
    updated.starts_local = start_text;
    updated.repeat = repeat_text.trim().to_string();
    updated.remind = remind_text.trim().to_string();
    let series = ops::series_checked(&updated).map_err(|part| ScheduleError::BadRepeat { part })?;
    if let Some(title) = title.as_deref() {
        updated.title = title.trim().to_string();
    }
    if let Some(description) = description.as_deref() {
        updated.description = description.trim().to_string();
    }
    if let Some(channel) = channel {
        updated.channel_id = channel.get() as i64;
    }
    updated.duration_s = duration_s;
    if let Some(catch_up) = catch_up {
        updated.catch_up = catch_up.as_str().to_string();
    }
    let replan = replans.then_some(&series);
    actions::edit(data, &inv.config, ctx.author().id, &updated, replan).await?;
    let text = t!(inv.locale(ctx), "event-edited", id = event);
    reply::ephemeral(ctx, text).await?;
    Ok(())
}
