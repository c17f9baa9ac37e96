//! Gateway events routed to whoever cares. No business rules here: features get plain data.

use poise::serenity_prelude as serenity;
use serenity::FullEvent;

use crate::discord::Data;
use crate::error::Error;
use crate::features::admin;

pub async fn handle(
    framework: poise::FrameworkContext<'_, Data, Error>,
    event: &FullEvent,
) -> Result<(), Error> {
    let data = framework.user_data;
    match event {
        FullEvent::Ready { data_about_bot } => {
            tracing::info!(user = %data_about_bot.user.name, guilds = data_about_bot.guilds.len(), "gateway ready");
            data.gateway.set("connected");
        }
        FullEvent::Resume { .. } => {
            tracing::info!("gateway session resumed");
            data.gateway.set("connected");
        }
        FullEvent::ShardStageUpdate { event } => {
            tracing::debug!(old = ?event.old, new = ?event.new, "shard stage");
            let stage = event.new.to_string().to_lowercase();
            data.gateway.set(stage);
        }
        FullEvent::GuildMemberAddition { new_member } => {
            member_joined(data, new_member.guild_id, new_member.user.id).await?;
        }
        _ => {}
    }
    Ok(())
}

/// A member joined (or rejoined): features restore what is theirs, through the outbox.
async fn member_joined(
    data: &Data,
    guild: serenity::GuildId,
    user: serenity::UserId,
) -> Result<(), Error> {
    let config = data.config.snapshot();
    if guild != config.discord.guild_id {
        return Ok(());
    }
    let now = data.clock.now();
    let mut tx = data.db.write.begin().await?;
    let restored = admin::ops::restore_on_join(&mut tx, &config, user, now).await?;
    data.commit(tx).await?;
    if restored > 0 {
        tracing::info!(%user, restored, "restored staff roles on join");
    }
    Ok(())
}
