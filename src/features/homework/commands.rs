//! `/homework assign|submit|status|stats`.

use poise::serenity_prelude as serenity;

use super::error::HomeworkError;
use super::{actions, ops, store};
use crate::access::Level;
use crate::discord::invocation::invocation;
use crate::discord::reply::{self, paginate};
use crate::discord::{Command, Context};
use crate::error::Error;
use crate::t;

pub fn commands() -> Vec<Command> {
    vec![homework()]
}

#[poise::command(
    slash_command,
    guild_only,
    subcommands(
        "homework_assign",
        "homework_submit",
        "homework_status",
        "homework_stats"
    ),
    subcommand_required,
    custom_data = "Level::Member"
)]
async fn homework(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Set an assignment with a due time; members hand in with /homework submit
#[poise::command(slash_command, rename = "assign", custom_data = "Level::Moderator")]
async fn homework_assign(
    ctx: Context<'_>,
    #[min_length = 1]
    #[max_length = 100]
    title: String,
    #[max_length = 40] due: String,
    #[channel_types("Text", "News", "Forum")] channel: Option<serenity::ChannelId>,
    #[max_length = 2000] description: Option<String>,
    #[max_length = 20] tag: Option<String>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let config = &inv.config;
    let now = ctx.data().clock.now();
    let tz = config.community.timezone;
    let local = crate::recurrence::parse_when(&due, now, tz)
        .map_err(|_| HomeworkError::BadDue { input: due.clone() })?;
    let forum_tag = match channel {
        Some(channel) => forum_tag(ctx, config, channel, tag.as_deref())?,
        None => None,
    };
    let assign = ops::Assign {
        title: title.trim(),
        description: description.as_deref().unwrap_or_default().trim(),
        due: crate::recurrence::resolve(tz, local),
        channel,
        forum_tag,
        by: ctx.author().id,
    };
    let id = actions::assign(ctx.data(), config, &assign).await?;
    let text = t!(
        locale,
        "homework-assigned",
        id = id,
        title = title.trim().to_string(),
        due = format!("<t:{}:f>", assign.due.timestamp())
    );
    reply::ephemeral(ctx, text).await?;
    Ok(())
}

/// In a forum channel, the tag whose posts are hand-ins (from the forum's tags, by name);
/// `None` for any other channel.
fn forum_tag(
    ctx: Context<'_>,
    config: &crate::config::Config,
    channel: serenity::ChannelId,
    tag: Option<&str>,
) -> Result<Option<u64>, Error> {
    let Some(guild) = ctx.cache().guild(config.discord.guild_id) else {
        return Ok(None);
    };
    let Some(forum) = guild
        .channels
        .get(&channel)
        .filter(|c| c.kind == serenity::ChannelType::Forum)
    else {
        return Ok(None);
    };
    let wanted = tag.map(|t| t.trim().to_lowercase());
    let found = forum
        .available_tags
        .iter()
        .find(|t| Some(t.name.to_lowercase()) == wanted);
    match found {
        Some(t) => Ok(Some(t.id.get())),
        None => Err(HomeworkError::NeedsTag {
            available: forum
                .available_tags
                .iter()
                .map(|t| t.name.clone())
                .collect::<Vec<_>>()
                .join(", "),
        }
        .into()),
    }
}

/// Hand in your homework (again, if it came back with “needs work”)
#[poise::command(slash_command, rename = "submit", custom_data = "Level::Member")]
async fn homework_submit(
    ctx: Context<'_>,
    #[min = 1] assignment: i64,
    #[min_length = 2]
    #[max_length = 3500]
    text: String,
    #[max_length = 300] link: Option<String>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let submit = ops::Submit {
        assignment,
        member: ctx.author().id,
        text: &text,
        link: link.as_deref(),
        locale,
    };
    let done = actions::submit(ctx.data(), &inv.config, &submit).await?;
    let mut answer = if done.again {
        t!(locale, "homework-resubmitted", id = assignment)
    } else {
        t!(locale, "homework-submitted", id = assignment)
    };
    if done.late {
        answer.push(' ');
        answer.push_str(&t!(locale, "homework-late-note"));
    }
    if done.points > 0 {
        answer.push(' ');
        answer.push_str(&t!(locale, "homework-submit-points", points = done.points));
    }
    reply::ephemeral(ctx, answer).await?;
    Ok(())
}

/// Where your homework stands (staff: every member's, for one assignment)
#[poise::command(slash_command, rename = "status", custom_data = "Level::Member")]
async fn homework_status(
    ctx: Context<'_>,
    #[min = 1] assignment: Option<i64>,
    #[min = 1] page: Option<u32>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let staff = inv.level(ctx).await? >= Level::Moderator;
    let mut conn = ctx.data().db.read.acquire().await?;
    let line = |s: &store::SubmissionRow, who: String| {
        let late = if s.late {
            format!(" · {}", t!(locale, "homework-field-late"))
        } else {
            String::new()
        };
        format!(
            "`#{}` {who} — {}{late}",
            s.assignment_id,
            s.status.label(locale)
        )
    };
    let (header, lines) = match assignment {
        Some(id) if staff => {
            let Some(a) = store::assignment(&mut conn, id).await? else {
                return Err(HomeworkError::UnknownAssignment { id }.into());
            };
            let rows = store::submissions_to(&mut conn, id).await?;
            let lines: Vec<String> = rows
                .iter()
                .map(|s| line(s, format!("<@{}>", s.member_id)))
                .collect();
            (
                t!(
                    locale,
                    "homework-status-staff",
                    id = id,
                    title = a.title,
                    count = lines.len() as i64
                ),
                lines,
            )
        }
        _ => {
            let rows = store::submissions_by(&mut conn, ctx.author().id).await?;
            let lines: Vec<String> = rows
                .iter()
                .filter(|s| assignment.is_none_or(|id| s.assignment_id == id))
                .map(|s| line(s, String::new()))
                .collect();
            (
                t!(locale, "homework-status-mine", count = lines.len() as i64),
                lines,
            )
        }
    };
    reply::ephemeral(
        ctx,
        paginate(&header, &lines, page.unwrap_or(1) as usize, locale),
    )
    .await?;
    Ok(())
}

/// Hand-ins per assignment, and submissions waiting more than 48 hours for review
#[poise::command(slash_command, rename = "stats", custom_data = "Level::Moderator")]
async fn homework_stats(ctx: Context<'_>) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let now = crate::clock::to_millis(ctx.data().clock.now());
    let mut conn = ctx.data().db.read.acquire().await?;
    let mut lines: Vec<String> = store::overview(&mut conn)
        .await?
        .into_iter()
        .map(|(id, title, handed, pending, late)| {
            t!(
                locale,
                "homework-stats-line",
                id = id,
                title = title,
                handed = handed,
                pending = pending,
                late = late
            )
        })
        .collect();
    drop(conn);
    lines.push(String::new());
    let waiting =
        super::waiting_report(&ctx.data().db, crate::clock::from_millis(now), locale).await?;
    lines.push(waiting.unwrap_or_else(|| t!(locale, "homework-waiting-none")));
    let header = t!(locale, "homework-stats-header");
    reply::ephemeral(ctx, paginate(&header, &lines, 1, locale)).await?;
    Ok(())
}
