//! `/feedback send|list`.

use super::{actions, store};

use crate::access::Level;
use crate::discord::invocation::invocation;
use crate::discord::reply::{self, paginate};
use crate::discord::{Command, Context};
use crate::error::Error;
use crate::t;

pub fn commands() -> Vec<Command> {
    vec![feedback()]
}

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
enum FeedbackKind {
    #[name = "suggestion"]
    Suggestion,
    #[name = "bug"]
    Bug,
    #[name = "content_request"]
    ContentRequest,
}

impl FeedbackKind {
    /// The feature's kind this choice names.
    fn kind(self) -> super::Kind {
        match self {
            FeedbackKind::Suggestion => super::Kind::Suggestion,
            FeedbackKind::Bug => super::Kind::Bug,
            FeedbackKind::ContentRequest => super::Kind::ContentRequest,
        }
    }
}

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
enum FeedbackStatus {
    #[name = "new"]
    New,
    #[name = "planned"]
    Planned,
    #[name = "done"]
    Done,
    #[name = "declined"]
    Declined,
}

impl FeedbackStatus {
    /// The feature's status this choice names (the choice list is Discord's face of it).
    fn status(self) -> super::Status {
        match self {
            FeedbackStatus::New => super::Status::New,
            FeedbackStatus::Planned => super::Status::Planned,
            FeedbackStatus::Done => super::Status::Done,
            FeedbackStatus::Declined => super::Status::Declined,
        }
    }
}

#[poise::command(
    slash_command,
    guild_only,
    subcommands("feedback_send", "feedback_list"),
    subcommand_required,
    custom_data = "Level::Member"
)]
async fn feedback(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Send the team a suggestion, a bug report or a content request
#[poise::command(slash_command, rename = "send", custom_data = "Level::Member")]
async fn feedback_send(
    ctx: Context<'_>,
    #[min_length = 5]
    #[max_length = 1500]
    text: String,
    kind: Option<FeedbackKind>,
    anonymous: Option<bool>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let id = actions::send_feedback(
        ctx.data(),
        &inv.config,
        ctx.author().id,
        kind.unwrap_or(FeedbackKind::Suggestion).kind(),
        text.trim(),
        anonymous.unwrap_or(false),
    )
    .await?;
    reply::ephemeral(ctx, t!(inv.locale(ctx), "feedback-sent", id = id)).await?;
    Ok(())
}

/// Feedback by status (admins see who sent anonymous feedback)
#[poise::command(slash_command, rename = "list", custom_data = "Level::Moderator")]
async fn feedback_list(
    ctx: Context<'_>,
    status: Option<FeedbackStatus>,
    #[min = 1] page: Option<u32>,
) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let admin = inv.level(ctx).await? >= Level::Admin;
    let mut conn = ctx.data().db.read.acquire().await?;
    let rows = store::list(&mut conn, status.map(FeedbackStatus::status)).await?;
    let lines: Vec<String> = rows
        .iter()
        .map(|r| {
            let from = if r.anonymous && !admin {
                t!(locale, "feedback-anonymous")
            } else if r.anonymous {
                format!("<@{}> ({})", r.member_id, t!(locale, "feedback-anonymous"))
            } else {
                format!("<@{}>", r.member_id)
            };
            let short: String = r.text.chars().take(120).collect();
            format!(
                "`#{}` {} · {} · {from} — {short}",
                r.id,
                r.kind.label(locale),
                r.status.label(locale)
            )
        })
        .collect();
    let header = t!(locale, "feedback-list-header", count = lines.len() as i64);
    reply::ephemeral(
        ctx,
        paginate(&header, &lines, page.unwrap_or(1) as usize, locale),
    )
    .await?;
    Ok(())
}
