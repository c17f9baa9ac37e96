//! What stats brings to the Discord door: every member's message counted toward activity.

use crate::discord::chat::ChatMessage;
use crate::discord::Data;

/// The message hot path: a member's message counted in memory (member × local day, channel ×
/// local day, the name they showed), written by the activity batches.
pub fn on_message(data: &Data, message: &ChatMessage) {
    let config = data.config.snapshot();
    if message.guild_id != Some(config.discord.guild_id)
        || message.author.bot
        || message.webhook_id.is_some()
    {
        return;
    }
    super::activity(data).on_message(
        message.author.id.get(),
        message.channel_id.get(),
        data.clock.now(),
        config.community.timezone,
        message.shown_name(),
        || message.author.avatar.map(|a| a.to_string()),
    );
}
