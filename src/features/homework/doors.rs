//! What homework brings to the Discord door beside its commands: the presses and forms it
//! answers, registered by custom-id prefix (see `crate::discord::doors`).

use poise::serenity_prelude as serenity;

use crate::access::Level;
use crate::discord::answer;
use crate::discord::chat::ChatMessage;
use crate::discord::doors::Doors;
use crate::discord::Data;
use crate::error::Error;

/// This feature's presses and forms.
pub fn doors() -> Doors {
    Doors::new()
        .press(super::BUTTON_PREFIX, |c, d, p| {
            Box::pin(homework_press(c, d, p))
        })
        .submit(super::MODAL_PREFIX, |c, d, s| {
            Box::pin(homework_review(c, d, s))
        })
}

/// A review button under a submission: moderators and up (checked here) get the comment modal.
async fn homework_press(
    ctx: &serenity::Context,
    data: &Data,
    press: &serenity::ComponentInteraction,
) -> Result<(), Error> {
    use crate::features::homework::render;
    let (config, locale) = answer::answering(data, &press.locale);
    let Some((submission, status)) = render::parse_ids(&press.data.custom_id) else {
        return Ok(());
    };
    if answer::presser_level(ctx, data, &config, press).await? < Level::Moderator {
        let text = crate::t!(locale, "homework-staff-only");
        return answer::ephemeral(ctx, press.id, &press.token, text).await;
    }
    let response = render::review_modal(submission, status, locale);
    ctx.http
        .create_interaction_response(press.id, &press.token, &response, Vec::new())
        .await?;
    Ok(())
}

/// The review modal submitted: the level checked again, the review stored, the member told.
async fn homework_review(
    ctx: &serenity::Context,
    data: &Data,
    submit: &serenity::ModalInteraction,
) -> Result<(), Error> {
    use crate::features::homework::{actions, render};
    let (config, locale) = answer::answering(data, &submit.locale);
    let Some((submission, status)) = render::parse_ids(&submit.data.custom_id) else {
        return Ok(());
    };
    if answer::submitter_level(ctx, data, &config, submit).await? < Level::Moderator {
        let text = crate::t!(locale, "homework-staff-only");
        return answer::ephemeral(ctx, submit.id, &submit.token, text).await;
    }
    let comment = answer::field(submit, "comment");
    let text = match actions::review(
        data,
        &config,
        submission,
        status,
        comment.as_deref(),
        submit.user.id,
    )
    .await
    {
        Ok(row) => crate::t!(
            locale,
            "homework-review-saved",
            status = status.label(locale),
            member = format!("<@{}>", row.member_id)
        ),
        Err(Error::User(user)) => user.message(locale),
        Err(e) => return Err(e),
    };
    answer::ephemeral(ctx, submit.id, &submit.token, text).await
}

/// A member's forum post: the thread's forum and tags from the cache (or Discord, when the
/// thread event has not reached the cache yet), then homework decides whether it is a hand-in.
pub async fn on_forum_post(
    ctx: &serenity::Context,
    data: &Data,
    message: &ChatMessage,
) -> Result<(), Error> {
    let config = data.config.snapshot();
    if message.guild_id != Some(config.discord.guild_id) || message.author.bot {
        return Ok(());
    }
    let cached = ctx.cache.guild(config.discord.guild_id).and_then(|g| {
        g.threads
            .iter()
            .find(|t| t.id == message.channel_id)
            .map(|t| (t.parent_id, t.applied_tags.clone(), t.name.clone()))
    });
    let (parent, tags, name) = match cached {
        Some(found) => found,
        None => match message.channel_id.to_channel(&ctx.http).await {
            Ok(serenity::Channel::Guild(t)) => {
                (t.parent_id, t.applied_tags.clone(), t.name.clone())
            }
            _ => return Ok(()),
        },
    };
    let Some(forum) = parent else {
        return Ok(());
    };
    let tags: Vec<u64> = tags.iter().map(|t| t.get()).collect();
    let post = crate::features::homework::ops::ForumPost {
        forum,
        thread: message.channel_id,
        tags: &tags,
        author: message.author.id,
        name: &name,
        content: &message.content,
    };
    crate::features::homework::actions::submit_post(data, &config, &post).await?;
    Ok(())
}
