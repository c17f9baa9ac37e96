//! Gateway events routed to whoever cares. No business rules here: features get plain data.

use poise::serenity_prelude as serenity;
use serenity::FullEvent;

use crate::discord::Data;
use crate::error::Error;

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
        _ => {}
    }
    Ok(())
}
