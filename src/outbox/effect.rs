//! The side effects Lyceum asks of Discord, as data. An [`Effect`] is what is stored in the
//! outbox; the delivery worker turns it into one (or, for a DM, two) REST calls.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serenity::all::{ChannelId, GuildId, MessageId, RoleId, UserId};

/// A message body as Discord's create-message endpoint takes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct MessageBody {
    pub content: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub embeds: Vec<serde_json::Value>,
    /// Buttons (action rows), as Discord takes them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<serde_json::Value>,
    /// Attached files (a report's image), kept in the outbox so a retry sends the same bytes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileAttachment>,
}

/// A file attached to a message: its name and its bytes (base64 in the stored effect).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileAttachment {
    pub filename: String,
    #[serde(with = "base64_bytes")]
    pub data: Vec<u8>,
}

mod base64_bytes {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(serde::de::Error::custom)
    }
}

impl MessageBody {
    /// What a reader sees of it as plain text: the content, then each embed's title and
    /// description (for a page that shows a message Discord did not deliver).
    pub fn plain_text(&self) -> String {
        let mut parts = vec![self.content.clone()];
        for embed in &self.embeds {
            for key in ["title", "description"] {
                if let Some(text) = embed[key].as_str() {
                    parts.push(text.to_string());
                }
            }
        }
        parts.retain(|p| !p.trim().is_empty());
        parts.join("\n")
    }

    pub fn text(content: impl Into<String>) -> MessageBody {
        MessageBody {
            content: content.into(),
            embeds: Vec::new(),
            components: Vec::new(),
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Effect {
    AddRole {
        guild_id: GuildId,
        user_id: UserId,
        role_id: RoleId,
        reason: String,
    },
    RemoveRole {
        guild_id: GuildId,
        user_id: UserId,
        role_id: RoleId,
        reason: String,
    },
    SendMessage {
        channel_id: ChannelId,
        body: MessageBody,
    },
    SendDm {
        user_id: UserId,
        body: MessageBody,
    },
    DeleteMessage {
        channel_id: ChannelId,
        message_id: MessageId,
        reason: String,
    },
    TimeoutMember {
        guild_id: GuildId,
        user_id: UserId,
        /// `None` lifts a timeout.
        until: Option<DateTime<Utc>>,
        reason: String,
    },
    KickMember {
        guild_id: GuildId,
        user_id: UserId,
        reason: String,
    },
    BanMember {
        guild_id: GuildId,
        user_id: UserId,
        reason: String,
    },
    /// Sets one permission overwrite on a channel (a role's or a member's allow/deny bits):
    /// `/gate apply` closes a gated channel to @everyone and opens it to the product role.
    SetChannelPermission {
        channel_id: ChannelId,
        /// A role id (`target_type` 0) or a member id (1); the guild id is @everyone.
        overwrite_id: u64,
        target_type: u8,
        allow: u64,
        deny: u64,
        reason: String,
    },
    /// Edits a message the bot posted earlier through the outbox (item `outbox_id`); the
    /// worker looks up the message id that post got.
    EditPost {
        channel_id: ChannelId,
        outbox_id: i64,
        body: MessageBody,
    },
    /// Pins a message the bot posted earlier through the outbox (item `outbox_id`), like the
    /// 精华 index.
    PinPost {
        channel_id: ChannelId,
        outbox_id: i64,
    },
    /// A post in a forum channel: a thread named `name` whose starter message is `body`; the
    /// thread's id (its starter message's too) is kept with the outbox item.
    CreateForumPost {
        guild_id: GuildId,
        channel_id: ChannelId,
        name: String,
        body: MessageBody,
    },
    /// A DM Discord refused (closed DMs), delivered instead in a private thread named `name`
    /// under the inbox channel: the member is added to it and mentioned in `body`.
    InboxThread {
        channel_id: ChannelId,
        user_id: UserId,
        name: String,
        body: MessageBody,
    },
    /// Creates a guild scheduled event (Discord's Events tab) from `body`; Discord's id for it
    /// is kept with the outbox item, as a posted message's is, for later edits.
    CreateScheduledEvent {
        guild_id: GuildId,
        body: serde_json::Value,
    },
    /// Edits the scheduled event that outbox item `outbox_id` created (`{"status": 3}`
    /// cancels it).
    EditScheduledEvent {
        guild_id: GuildId,
        outbox_id: i64,
        body: serde_json::Value,
    },
}

impl Effect {
    /// Adds (`add`) or removes a member's role.
    pub fn role_change(
        add: bool,
        guild_id: GuildId,
        user_id: UserId,
        role_id: RoleId,
        reason: String,
    ) -> Effect {
        if add {
            Effect::AddRole {
                guild_id,
                user_id,
                role_id,
                reason,
            }
        } else {
            Effect::RemoveRole {
                guild_id,
                user_id,
                role_id,
                reason,
            }
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Effect::AddRole { .. } => "add_role",
            Effect::RemoveRole { .. } => "remove_role",
            Effect::SendMessage { .. } => "send_message",
            Effect::SendDm { .. } => "send_dm",
            Effect::DeleteMessage { .. } => "delete_message",
            Effect::TimeoutMember { .. } => "timeout_member",
            Effect::KickMember { .. } => "kick_member",
            Effect::BanMember { .. } => "ban_member",
            Effect::EditPost { .. } => "edit_post",
            Effect::PinPost { .. } => "pin_post",
            Effect::CreateForumPost { .. } => "create_forum_post",
            Effect::InboxThread { .. } => "inbox_thread",
            Effect::CreateScheduledEvent { .. } => "create_scheduled_event",
            Effect::EditScheduledEvent { .. } => "edit_scheduled_event",
            Effect::SetChannelPermission { .. } => "set_channel_permission",
        }
    }

    /// Claim order between targets: 0 urgent moderation (a delete or timeout must not wait
    /// behind a role sync), 1 messages and DMs, 2 bulk changes (roles, permissions).
    pub fn priority(&self) -> i64 {
        match self {
            Effect::DeleteMessage { .. }
            | Effect::TimeoutMember { .. }
            | Effect::KickMember { .. }
            | Effect::BanMember { .. } => 0,
            Effect::SendMessage { .. }
            | Effect::SendDm { .. }
            | Effect::EditPost { .. }
            | Effect::PinPost { .. }
            | Effect::CreateForumPost { .. }
            | Effect::InboxThread { .. }
            | Effect::CreateScheduledEvent { .. }
            | Effect::EditScheduledEvent { .. } => 1,
            Effect::AddRole { .. }
            | Effect::RemoveRole { .. }
            | Effect::SetChannelPermission { .. } => 2,
        }
    }

    /// Effects with the same key are delivered strictly in the order they were written: an add
    /// then a remove of one member's role must not arrive swapped; a channel's messages stay in
    /// order. Only what must be ordered shares a key: changes to a member's *other* roles are
    /// independent (each converges to the truth when sent), so a removal Discord refuses and
    /// retries never holds back a role the member was just given.
    pub fn ordering_key(&self) -> String {
        match self {
            Effect::AddRole {
                guild_id,
                user_id,
                role_id,
                ..
            }
            | Effect::RemoveRole {
                guild_id,
                user_id,
                role_id,
                ..
            } => format!("member-role:{guild_id}:{user_id}:{role_id}"),
            Effect::TimeoutMember {
                guild_id, user_id, ..
            }
            | Effect::KickMember {
                guild_id, user_id, ..
            }
            | Effect::BanMember {
                guild_id, user_id, ..
            } => format!("member:{guild_id}:{user_id}"),
            Effect::SendMessage { channel_id, .. }
            | Effect::DeleteMessage { channel_id, .. }
            | Effect::EditPost { channel_id, .. }
            | Effect::PinPost { channel_id, .. }
            | Effect::CreateForumPost { channel_id, .. }
            | Effect::InboxThread { channel_id, .. } => format!("channel:{channel_id}"),
            Effect::SetChannelPermission { channel_id, .. } => {
                format!("channel-permissions:{channel_id}")
            }
            Effect::SendDm { user_id, .. } => format!("dm:{user_id}"),
            Effect::CreateScheduledEvent { guild_id, .. }
            | Effect::EditScheduledEvent { guild_id, .. } => format!("guild-events:{guild_id}"),
        }
    }

    /// One line for `/admin outbox` and logs (no message bodies: they may be long or private).
    pub fn describe(&self) -> String {
        match self {
            Effect::AddRole {
                user_id, role_id, ..
            } => format!("add <@&{role_id}> to <@{user_id}>"),
            Effect::RemoveRole {
                user_id, role_id, ..
            } => format!("remove <@&{role_id}> from <@{user_id}>"),
            Effect::SendMessage { channel_id, .. } => format!("message in <#{channel_id}>"),
            Effect::SendDm { user_id, .. } => format!("DM to <@{user_id}>"),
            Effect::DeleteMessage {
                channel_id,
                message_id,
                ..
            } => format!("delete message {message_id} in <#{channel_id}>"),
            Effect::TimeoutMember { user_id, until, .. } => match until {
                Some(until) => format!("time out <@{user_id}> until {}", until.to_rfc3339()),
                None => format!("lift timeout of <@{user_id}>"),
            },
            Effect::KickMember { user_id, .. } => format!("kick <@{user_id}>"),
            Effect::BanMember { user_id, .. } => format!("ban <@{user_id}>"),
            Effect::EditPost { channel_id, .. } => format!("edit a post in <#{channel_id}>"),
            Effect::PinPost { channel_id, .. } => format!("pin a post in <#{channel_id}>"),
            Effect::CreateForumPost {
                channel_id, name, ..
            } => format!("post “{name}” in the forum <#{channel_id}>"),
            Effect::InboxThread {
                channel_id,
                user_id,
                ..
            } => format!("message <@{user_id}> in a private thread of <#{channel_id}>"),
            Effect::CreateScheduledEvent { body, .. } => format!(
                "add “{}” to the Events tab",
                body["name"].as_str().unwrap_or_default()
            ),
            Effect::EditScheduledEvent { .. } => "update an event in the Events tab".into(),
            Effect::SetChannelPermission {
                channel_id,
                overwrite_id,
                ..
            } => format!("set permissions of {overwrite_id} in <#{channel_id}>"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effects_round_trip_through_json() {
        let effect = Effect::AddRole {
            guild_id: GuildId::new(1),
            user_id: UserId::new(2),
            role_id: RoleId::new(3),
            reason: "staff".into(),
        };
        let json = serde_json::to_string(&effect).unwrap();
        assert!(json.contains("\"kind\":\"add_role\""), "{json}");
        assert_eq!(serde_json::from_str::<Effect>(&json).unwrap(), effect);
    }

    #[test]
    fn changes_to_one_role_of_one_member_share_an_ordering_key_and_no_more() {
        let role_change = |add: bool, user: u64, role: u64| {
            Effect::role_change(
                add,
                GuildId::new(1),
                UserId::new(user),
                RoleId::new(role),
                String::new(),
            )
        };
        let add = role_change(true, 2, 3);
        let remove = role_change(false, 2, 3);
        assert_eq!(add.ordering_key(), remove.ordering_key());
        // Another role of the same member, or the same role of another member: independent.
        assert_ne!(add.ordering_key(), role_change(false, 2, 4).ordering_key());
        assert_ne!(add.ordering_key(), role_change(true, 5, 3).ordering_key());
        let message = Effect::SendMessage {
            channel_id: ChannelId::new(9),
            body: MessageBody::text("hi"),
        };
        assert_ne!(add.ordering_key(), message.ordering_key());
    }
}
