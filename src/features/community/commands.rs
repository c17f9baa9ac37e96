//! `/about`.

use poise::serenity_prelude as serenity;

use crate::access::Level;
use crate::discord::invocation::invocation;
use crate::discord::{Command, Context};
use crate::error::Error;

pub fn commands() -> Vec<Command> {
    vec![about()]
}

/// What this community is about, what it offers, and how to join
#[poise::command(slash_command, guild_only, custom_data = "Level::Member")]
async fn about(ctx: Context<'_>) -> Result<(), Error> {
    let inv = invocation(ctx).await;
    let locale = inv.locale(ctx);
    let embed: serenity::CreateEmbed =
        serde_json::from_value::<serenity::Embed>(super::render::embed(&inv.config, locale))
            .map(Into::into)
            .map_err(|e| Error::Internal(anyhow::anyhow!("about embed: {e}")))?;
    ctx.send(poise::CreateReply::default().embed(embed).ephemeral(true))
        .await?;
    Ok(())
}
