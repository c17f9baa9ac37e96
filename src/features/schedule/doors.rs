//! What schedule brings to the Discord door beside its commands: the presses and forms it
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
    Doors::new().press(super::RSVP_PREFIX, |c, d, p| Box::pin(rsvp(c, d, p)))
}

/// An RSVP button: the answer is stored and the announcement's counts are updated in place
/// (a component update, type 7, not a new message).
async fn rsvp(
    ctx: &serenity::Context,
    data: &Data,
    press: &serenity::ComponentInteraction,
) -> Result<(), Error> {
    use super::actions::{self, Refresh};
    let config = data.config.snapshot();
    let answered = match super::Rsvp::from_custom_id(&press.data.custom_id) {
        Some(rsvp) => actions::rsvp(data, &config, &rsvp, press.user.id, Refresh::InPlace).await?,
        None => None,
    };
    // An unknown event: acknowledge without changing the message.
    let response = answer::update_or_ack(answered.map(|a| a.body));
    ctx.http
        .create_interaction_response(press.id, &press.token, &response, Vec::new())
        .await?;
    Ok(())
}

/// A staff post in a content-plan channel (with the plan's tag, if it has one) counts as
/// published. Only messages in plan channels reach the database.
pub async fn on_plan_post(
    ctx: &serenity::Context,
    data: &Data,
    message: &ChatMessage,
) -> Result<(), Error> {
    let config = data.config.snapshot();
    let guild = config.discord.guild_id;
    let item = config.plan.items.iter().find(|i| {
        i.channel == Some(message.channel_id)
            && i.tag
                .as_deref()
                .is_none_or(|tag| message.content.contains(tag))
    });
    let Some(item) = item else {
        return Ok(());
    };
    if message.guild_id != Some(guild) || message.author.bot {
        return Ok(());
    }
    let roles = message.roles().to_vec();
    if answer::level_of(ctx, data, &config, message.author.id, &roles).await? < Level::Moderator {
        return Ok(());
    }
    crate::features::schedule::actions::record_content(
        data,
        &item.kind,
        message.author.id,
        message.channel_id,
        message.id,
    )
    .await?;
    Ok(())
}

/// A member's first post in an event's channel while the event is on counts as attending it
/// (attendance points, once). Memory decides; only that first post writes.
pub async fn on_event_post(data: &Data, message: &ChatMessage) -> Result<(), Error> {
    if message.author.bot || message.webhook_id.is_some() {
        return Ok(());
    }
    let now = data.clock.now();
    let windows = crate::features::schedule::engine(data).first_posts(
        message.channel_id.get(),
        message.author.id.get(),
        now,
    );
    if windows.is_empty() {
        return Ok(());
    }
    let config = data.config.snapshot();
    if message.guild_id != Some(config.discord.guild_id) || config.points.attendance_points == 0 {
        return Ok(());
    }
    let member = message.author.id;
    crate::features::schedule::actions::attend(data, &config, &windows, member).await?;
    Ok(())
}
