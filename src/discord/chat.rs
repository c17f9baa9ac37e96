//! A chat message as Lyceum's message handlers read it (automod, points, activity, attendance,
//! the content plan, homework): a dozen fields of Discord's message, not serenity's whole
//! model. The gateway front decodes MESSAGE_CREATE straight into it (every other field of the
//! ~900-byte payload skipped unread); serenity's events convert into it.
//!
//! Why a type of our own: serenity's `Message` carries ~40 fields and its `PartialMember`
//! parses `joined_at` and four other fields no handler reads; neither can be built field by
//! field outside serenity. A handler that starts reading another field adds it here (the
//! integration tests run every message through the front).

use poise::serenity_prelude as serenity;
use serde::Deserialize;

/// What the handlers read of a new or edited message.
#[derive(Debug, Clone, Deserialize)]
pub struct ChatMessage {
    pub id: serenity::MessageId,
    pub channel_id: serenity::ChannelId,
    #[serde(default)]
    pub guild_id: Option<serenity::GuildId>,
    pub author: ChatAuthor,
    pub content: String,
    #[serde(default)]
    pub webhook_id: Option<serenity::WebhookId>,
    /// The author as a member of the guild (absent in DMs and on some edits).
    #[serde(default)]
    pub member: Option<ChatMember>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ChatAuthor {
    pub id: serenity::UserId,
    #[serde(rename = "username")]
    pub name: String,
    #[serde(default)]
    pub global_name: Option<String>,
    #[serde(default)]
    pub avatar: Option<serenity::ImageHash>,
    #[serde(default)]
    pub bot: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ChatMember {
    #[serde(default)]
    pub roles: Vec<serenity::RoleId>,
    #[serde(default)]
    pub nick: Option<String>,
}

impl ChatMessage {
    /// The name members see for the author: nickname, display name, then username.
    pub fn shown_name(&self) -> &str {
        self.member
            .as_ref()
            .and_then(|m| m.nick.as_deref())
            .or(self.author.global_name.as_deref())
            .unwrap_or(&self.author.name)
    }

    /// The author's roles as the message reported them (empty when it carried no member).
    pub fn roles(&self) -> &[serenity::RoleId] {
        self.member.as_ref().map_or(&[], |m| m.roles.as_slice())
    }

    /// An edit serenity had not cached, from the event itself (None without author or text).
    pub fn from_update(event: &serenity::MessageUpdateEvent) -> Option<ChatMessage> {
        let (Some(author), Some(content)) = (&event.author, &event.content) else {
            return None;
        };
        Some(ChatMessage {
            id: event.id,
            channel_id: event.channel_id,
            guild_id: event.guild_id,
            author: ChatAuthor::from(author),
            content: content.clone(),
            webhook_id: None,
            member: event
                .member
                .as_ref()
                .and_then(|m| m.as_deref())
                .map(ChatMember::from),
        })
    }
}

impl From<&serenity::User> for ChatAuthor {
    fn from(user: &serenity::User) -> ChatAuthor {
        ChatAuthor {
            id: user.id,
            name: user.name.clone(),
            global_name: user.global_name.clone(),
            avatar: user.avatar,
            bot: user.bot,
        }
    }
}

impl From<&serenity::PartialMember> for ChatMember {
    fn from(member: &serenity::PartialMember) -> ChatMember {
        ChatMember {
            roles: member.roles.clone(),
            nick: member.nick.clone(),
        }
    }
}

impl From<&serenity::Message> for ChatMessage {
    fn from(message: &serenity::Message) -> ChatMessage {
        ChatMessage {
            id: message.id,
            channel_id: message.channel_id,
            guild_id: message.guild_id,
            author: ChatAuthor::from(&message.author),
            content: message.content.clone(),
            webhook_id: message.webhook_id,
            member: message.member.as_deref().map(ChatMember::from),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_discord_sends_and_skips_the_rest() {
        let text = r#"{"id":"5","channel_id":"6","guild_id":"7","author":{"id":"8","username":"mina",
            "global_name":null,"avatar":null,"bot":false},"content":"hi \"there\"","tts":false,
            "embeds":[{"title":"x"}],"member":{"roles":["9","10"],"joined_at":"2026-01-01T00:00:00+00:00",
            "nick":"Mina N","deaf":false}}"#;
        let message: ChatMessage = serde_json::from_str(text).expect("reads");
        assert_eq!(message.id.get(), 5);
        assert_eq!(message.guild_id.map(|g| g.get()), Some(7));
        assert_eq!(message.content, "hi \"there\"");
        assert_eq!(
            message.roles(),
            [serenity::RoleId::new(9), serenity::RoleId::new(10)]
        );
        assert_eq!(message.shown_name(), "Mina N");
        assert!(message.webhook_id.is_none());
    }

    #[test]
    fn the_shown_name_falls_back_to_display_name_then_username() {
        let text = r#"{"id":"5","channel_id":"6","author":{"id":"8","username":"mina","global_name":"Mina"},"content":""}"#;
        let mut message: ChatMessage = serde_json::from_str(text).expect("reads");
        assert_eq!(message.shown_name(), "Mina");
        message.author.global_name = None;
        assert_eq!(message.shown_name(), "mina");
        assert!(message.roles().is_empty());
    }
}
