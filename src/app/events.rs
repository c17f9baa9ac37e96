//! Gateway events routed to whoever cares. No business rules here: features get plain data.

use poise::serenity_prelude as serenity;
use serenity::FullEvent;

use super::interactions::all_doors;
use crate::discord::chat::ChatMessage;
use crate::discord::doors::OnMember;
use crate::discord::Data;
use crate::error::Error;
use crate::features::{homework, membership, moderation, points, schedule, stats};

pub async fn handle(
    framework: poise::FrameworkContext<'_, Data, Error>,
    event: &FullEvent,
) -> Result<(), Error> {
    let data = framework.user_data;
    if let Some(shared) = data.try_part::<super::front::SharedContext>() {
        shared.set(framework.serenity_context);
    }
    // What the kit keeps from the gateway: the connection's state, public channels, the cache.
    crate::discord::gateway::observe(framework.serenity_context, data, event);
    match event {
        FullEvent::EntitlementCreate { entitlement }
        | FullEvent::EntitlementUpdate { entitlement } => {
            membership::doors::entitlement_changed(data, entitlement, false).await?;
        }
        FullEvent::EntitlementDelete { entitlement } => {
            membership::doors::entitlement_changed(data, entitlement, true).await?;
        }
        FullEvent::GuildMemberAddition { new_member } if ours(data, new_member.guild_id) => {
            member_joined(data, new_member.user.id).await;
        }
        FullEvent::GuildMemberRemoval { guild_id, user, .. } if ours(data, *guild_id) => {
            run_hooks(data, all_doors().leaves(), user.id, "leave").await;
            crate::web::login::left_the_server(data, user.id).await?;
        }
        FullEvent::GuildBanAddition {
            guild_id,
            banned_user,
        } if ours(data, *guild_id) => {
            crate::web::login::left_the_server(data, banned_user.id).await?;
        }
        FullEvent::Message { new_message } => {
            on_message(framework.serenity_context, data, &new_message.into()).await?;
        }
        FullEvent::MessageUpdate {
            event,
            new: Some(new_message),
            ..
        } if event.content.is_some() => {
            moderation::doors::moderate(
                framework.serenity_context,
                data,
                &new_message.into(),
                true,
            )
            .await?;
        }
        FullEvent::MessageUpdate {
            new: None, event, ..
        } if event.content.is_some() => {
            // Not cached: automod reads the edit from the event itself.
            if let Some(edited) = ChatMessage::from_update(event) {
                moderation::doors::moderate(framework.serenity_context, data, &edited, true)
                    .await?;
            }
        }
        FullEvent::InteractionCreate {
            interaction: serenity::Interaction::Component(press),
        } => {
            super::interactions::button(framework.serenity_context, data, press).await?;
        }
        FullEvent::InteractionCreate {
            interaction: serenity::Interaction::Modal(submit),
        } => {
            super::interactions::modal(framework.serenity_context, data, submit).await?;
        }
        FullEvent::MessageDelete {
            deleted_message_id,
            guild_id,
            ..
        } => {
            points::doors::on_delete(data, *deleted_message_id, *guild_id);
        }
        FullEvent::ReactionAdd { add_reaction } => {
            points::doors::on_reaction(framework.serenity_context, data, add_reaction).await?;
        }
        _ => {}
    }
    Ok(())
}

/// A new message, from serenity's events or the gateway front's fast path, through each
/// feature's hook in order: automod first, and a message it caught goes no further.
pub async fn on_message(
    ctx: &serenity::Context,
    data: &Data,
    message: &ChatMessage,
) -> Result<(), Error> {
    if !moderation::doors::moderate(ctx, data, message, false).await? {
        points::doors::on_message(data, message);
        stats::doors::on_message(data, message);
        schedule::doors::on_event_post(data, message).await?;
        schedule::doors::on_plan_post(ctx, data, message).await?;
        // A forum post's starter message has the thread's id.
        if message.id.get() == message.channel_id.get() {
            homework::doors::on_forum_post(ctx, data, message).await?;
        }
    }
    // Counted once decided (the gateway ingest bench reads it from /metrics).
    data.health.message_seen();
    Ok(())
}

/// Whether `guild` is the community's server (the bot hears only its events).
fn ours(data: &Data, guild: serenity::GuildId) -> bool {
    guild == data.config.snapshot().discord.guild_id
}

/// A member joined (or rejoined): each feature's join hook; what they got back is logged.
async fn member_joined(data: &Data, user: serenity::UserId) {
    let restored = run_hooks(data, all_doors().joins(), user, "join").await;
    if !restored.is_empty() {
        tracing::info!(%user, restored = restored.join(", "), "restored roles on join");
    }
}

/// Runs member `hooks` in registration order, each in its own write (one failing leaves the
/// others done and is logged). Returns what queued roles, as "what: count".
async fn run_hooks(
    data: &Data,
    hooks: &[(&'static str, OnMember)],
    user: serenity::UserId,
    on: &str,
) -> Vec<String> {
    let config = data.config.snapshot();
    let mut restored = Vec::new();
    for (what, hook) in hooks {
        match hook(data, &config, user).await {
            Ok(0) => {}
            Ok(n) => restored.push(format!("{what}: {n}")),
            Err(e) => tracing::error!(%user, hook = what, on, error = ?e, "member hook failed"),
        }
    }
    restored
}
