//! The simulated guild: who is in it, which roles and channels exist, and the JSON shapes
//! Discord uses for them (checked by decoding into serenity's own types in the tests).

use std::collections::HashMap;

use serde_json::{json, Value};

/// Fixed ids of the demo world, so tests and the demo script can name people and places.
pub mod ids {
    pub const APPLICATION: u64 = 900_000_000_000_000_001;
    pub const BOT: u64 = 900_000_000_000_000_001;
    pub const GUILD: u64 = 100_000_000_000_000_001;
    pub const OWNER: u64 = 200_000_000_000_000_001;
    /// Mina: an ordinary English-speaking member.
    pub const MINA: u64 = 200_000_000_000_000_002;
    /// Kai (小凯): an ordinary member whose Discord is set to Chinese.
    pub const KAI: u64 = 200_000_000_000_000_003;
    /// Sam: a member whose DMs are closed (sends to them fail with 403).
    pub const SAM: u64 = 200_000_000_000_000_004;
    pub const ROLE_BOT: u64 = 300_000_000_000_000_010;
    pub const ROLE_ADMIN: u64 = 300_000_000_000_000_011;
    pub const ROLE_MODERATOR: u64 = 300_000_000_000_000_012;
    pub const ROLE_MODERATORS_GROUP: u64 = 300_000_000_000_000_013;
    /// A role above the bot's own: the bot may not assign it.
    pub const ROLE_ABOVE_BOT: u64 = 300_000_000_000_000_014;
    /// A level role (points).
    pub const ROLE_REGULAR: u64 = 300_000_000_000_000_015;
    /// A paid tier's role, also sold as a timed trial in the points shop.
    pub const ROLE_PRO: u64 = 300_000_000_000_000_016;
    /// A course's role (paid access to `CHANNEL_COURSE`).
    pub const ROLE_COURSE: u64 = 300_000_000_000_000_017;
    /// A topic role members choose themselves (role menus); no permissions.
    pub const ROLE_TOPIC: u64 = 300_000_000_000_000_018;
    pub const CHANNEL_GENERAL: u64 = 400_000_000_000_000_001;
    pub const CHANNEL_MOD_LOG: u64 = 400_000_000_000_000_002;
    pub const CHANNEL_ANNOUNCEMENTS: u64 = 400_000_000_000_000_003;
    pub const CHANNEL_WELCOME: u64 = 400_000_000_000_000_004;
    /// A channel where @everyone (the bot too) may read but not send.
    pub const CHANNEL_READ_ONLY: u64 = 400_000_000_000_000_005;
    /// A course channel, open to everyone until `/gate apply` closes it.
    pub const CHANNEL_COURSE: u64 = 400_000_000_000_000_006;
}

/// Discord's SEND_MESSAGES permission bit.
pub const SEND_MESSAGES: u64 = 0x800;

pub const JOINED_AT: &str = "2026-01-01T00:00:00.000000+00:00";

#[derive(Debug, Clone)]
pub struct SimUser {
    pub id: u64,
    pub name: String,
    pub bot: bool,
    pub locale: String,
    pub dms_open: bool,
}

#[derive(Debug, Clone)]
pub struct SimRole {
    pub id: u64,
    pub name: String,
    pub position: i64,
    pub permissions: u64,
}

#[derive(Debug, Clone)]
pub struct SimChannel {
    pub id: u64,
    pub name: String,
    /// Permission bits an overwrite denies to @everyone here (the bot included).
    pub deny_everyone: u64,
    /// Permission bits the @everyone overwrite allows.
    pub allow_everyone: u64,
    /// Other overwrites: (role or member id, type 0 role / 1 member, allow, deny).
    pub overwrites: Vec<(u64, u8, u64, u64)>,
    /// Discord's channel type: 0 text, 4 category.
    pub kind: u8,
    /// The category it sits in.
    pub parent_id: Option<u64>,
}

/// View Channel.
pub const VIEW_CHANNEL: u64 = 0x400;
/// Manage Roles (also what editing channel overwrites needs).
pub const MANAGE_ROLES: u64 = 0x1000_0000;

/// The guild and everyone in it.
#[derive(Debug, Clone)]
pub struct World {
    pub guild_id: u64,
    pub guild_name: String,
    pub owner_id: u64,
    /// Hash maps, not B-trees: every MESSAGE_CREATE looks its author up in both, and with
    /// 100,000 members a B-tree walk was a quarter of the simulator's CPU in the ingest bench
    /// (where the simulator shares the cores with the bot). Listings sort by id
    /// ([`World::member_ids`]).
    pub users: HashMap<u64, SimUser>,
    /// Member id → role ids.
    pub members: HashMap<u64, Vec<u64>>,
    pub roles: Vec<SimRole>,
    pub channels: Vec<SimChannel>,
}

impl Default for World {
    fn default() -> World {
        use ids::*;
        let user = |id, name: &str, locale: &str| SimUser {
            id,
            name: name.into(),
            bot: false,
            locale: locale.into(),
            dms_open: true,
        };
        let mut users = HashMap::new();
        for u in [
            SimUser {
                bot: true,
                ..user(BOT, "Lyceum", "en-US")
            },
            user(OWNER, "olivia", "en-US"),
            user(MINA, "mina", "en-US"),
            user(KAI, "kai", "zh-CN"),
            SimUser {
                dms_open: false,
                ..user(SAM, "sam", "en-US")
            },
        ] {
            users.insert(u.id, u);
        }
        let mut members = HashMap::new();
        members.insert(BOT, vec![ROLE_BOT]);
        members.insert(OWNER, vec![]);
        members.insert(MINA, vec![]);
        members.insert(KAI, vec![]);
        members.insert(SAM, vec![]);
        let role = |id, name: &str, position, permissions| SimRole {
            id,
            name: name.into(),
            position,
            permissions,
        };
        World {
            guild_id: GUILD,
            guild_name: "Lyceum Academy".into(),
            owner_id: OWNER,
            users,
            members,
            roles: vec![
                role(
                    GUILD,
                    "@everyone",
                    0,
                    0x0000_0400 | 0x0000_0800 | 0x0001_0000,
                ),
                role(ROLE_ABOVE_BOT, "Founders", 20, 8),
                role(
                    ROLE_BOT,
                    "Lyceum",
                    10,
                    0x1000_0000 | 0x0000_2000 | 0x0000_0800 | (1 << 33),
                ),
                role(ROLE_ADMIN, "Admin", 6, 0x20),
                role(ROLE_MODERATOR, "Moderator", 5, 0x2000),
                role(ROLE_MODERATORS_GROUP, "Mod Team", 4, 0),
                role(ROLE_PRO, "Pro", 3, 0),
                role(ROLE_REGULAR, "Regular", 2, 0),
                role(ROLE_COURSE, "Rust Course", 1, 0),
                role(ROLE_TOPIC, "Async Rust", 1, 0),
            ],
            channels: vec![
                SimChannel {
                    id: CHANNEL_GENERAL,
                    name: "general".into(),
                    deny_everyone: 0,
                    allow_everyone: 0,
                    overwrites: Vec::new(),
                    kind: 0,
                    parent_id: None,
                },
                SimChannel {
                    id: CHANNEL_MOD_LOG,
                    name: "mod-log".into(),
                    deny_everyone: 0,
                    allow_everyone: 0,
                    overwrites: Vec::new(),
                    kind: 0,
                    parent_id: None,
                },
                SimChannel {
                    id: CHANNEL_ANNOUNCEMENTS,
                    name: "announcements".into(),
                    deny_everyone: 0,
                    allow_everyone: 0,
                    overwrites: Vec::new(),
                    kind: 0,
                    parent_id: None,
                },
                SimChannel {
                    id: CHANNEL_WELCOME,
                    name: "welcome".into(),
                    deny_everyone: 0,
                    allow_everyone: 0,
                    overwrites: Vec::new(),
                    kind: 0,
                    parent_id: None,
                },
                SimChannel {
                    id: CHANNEL_READ_ONLY,
                    name: "read-only".into(),
                    deny_everyone: SEND_MESSAGES,
                    allow_everyone: 0,
                    overwrites: Vec::new(),
                    kind: 0,
                    parent_id: None,
                },
                SimChannel {
                    id: CHANNEL_COURSE,
                    name: "rust-course".into(),
                    deny_everyone: 0,
                    allow_everyone: 0,
                    overwrites: Vec::new(),
                    kind: 0,
                    parent_id: None,
                },
            ],
        }
    }
}

impl World {
    /// A member with no roles, named after their id, speaking English.
    pub fn add_member(&mut self, id: u64) {
        self.users.insert(
            id,
            SimUser {
                id,
                name: format!("member{}", id % 1_000_000),
                bot: false,
                locale: "en-US".into(),
                dms_open: true,
            },
        );
        self.members.insert(id, Vec::new());
    }

    pub fn user_json(&self, id: u64) -> Value {
        let user = self.users.get(&id);
        let name = user.map_or_else(|| format!("user{id}"), |u| u.name.clone());
        json!({
            "id": id.to_string(),
            "username": name,
            "global_name": name,
            "discriminator": "0",
            "avatar": null,
            "bot": user.is_some_and(|u| u.bot),
        })
    }

    pub fn user_name(&self, id: u64) -> String {
        self.users
            .get(&id)
            .map_or_else(|| id.to_string(), |u| u.name.clone())
    }

    pub fn role_name(&self, id: u64) -> String {
        self.role(id)
            .map_or_else(|| id.to_string(), |r| r.name.clone())
    }

    pub fn channel_name(&self, id: u64) -> String {
        self.channels
            .iter()
            .find(|c| c.id == id)
            .map_or_else(|| id.to_string(), |c| c.name.clone())
    }

    pub fn role(&self, id: u64) -> Option<&SimRole> {
        self.roles.iter().find(|r| r.id == id)
    }

    /// A member object without `user`/`guild_id` context decisions: `with_user` adds the user.
    pub fn member_json(&self, id: u64, with_user: bool) -> Value {
        let roles: Vec<String> = self
            .members
            .get(&id)
            .map(|r| r.iter().map(u64::to_string).collect())
            .unwrap_or_default();
        let mut member = json!({
            "roles": roles,
            "joined_at": JOINED_AT,
            "deaf": false,
            "mute": false,
            "flags": 0,
            "pending": false,
            "nick": null,
            "avatar": null,
            "premium_since": null,
            "communication_disabled_until": null,
        });
        if with_user {
            member["user"] = self.user_json(id);
        }
        member
    }

    /// Member ids above `after`, ascending, at most `limit`: Discord's order for member lists.
    pub fn member_ids(&self, after: u64, limit: usize) -> Vec<u64> {
        let mut ids: Vec<u64> = self
            .members
            .keys()
            .copied()
            .filter(|id| *id > after)
            .collect();
        if ids.len() > limit {
            ids.select_nth_unstable(limit);
            ids.truncate(limit);
        }
        ids.sort_unstable();
        ids
    }

    /// The member's permissions as Discord computes them (owner: all; else union of roles).
    pub fn permissions_of(&self, id: u64) -> u64 {
        if id == self.owner_id {
            return 0x1_FFFF_FFFF_FFFF;
        }
        let everyone = self.role(self.guild_id).map_or(0, |r| r.permissions);
        self.members
            .get(&id)
            .into_iter()
            .flatten()
            .filter_map(|r| self.role(*r))
            .fold(everyone, |acc, r| acc | r.permissions)
    }

    /// The highest position among a member's roles (the owner outranks everyone).
    pub fn top_position(&self, id: u64) -> i64 {
        if id == self.owner_id {
            return i64::MAX;
        }
        self.members
            .get(&id)
            .into_iter()
            .flatten()
            .filter_map(|r| self.role(*r))
            .map(|r| r.position)
            .max()
            .unwrap_or(0)
    }

    pub fn role_json(role: &SimRole) -> Value {
        json!({
            "id": role.id.to_string(),
            "name": role.name,
            "color": 0,
            "colors": { "primary_color": 0, "secondary_color": null, "tertiary_color": null },
            "hoist": false,
            "icon": null,
            "unicode_emoji": null,
            "position": role.position,
            "permissions": role.permissions.to_string(),
            "managed": role.id == ids::ROLE_BOT,
            "mentionable": true,
            "flags": 0,
        })
    }

    /// Whether `member` can see `channel`: @everyone's base permission, then the @everyone
    /// overwrite, then role overwrites, then the member's own (Discord's order).
    pub fn can_view(&self, channel: &SimChannel, member: u64) -> bool {
        let roles = self.members.get(&member).cloned().unwrap_or_default();
        let mut perms = self.role(self.guild_id).map_or(0, |r| r.permissions);
        for r in &roles {
            perms |= self.role(*r).map_or(0, |r| r.permissions);
        }
        if perms & 0x8 != 0 {
            return true;
        }
        perms = (perms & !channel.deny_everyone) | channel.allow_everyone;
        let (mut allow, mut deny) = (0, 0);
        for (id, kind, a, d) in &channel.overwrites {
            if *kind == 0 && roles.contains(id) {
                allow |= a;
                deny |= d;
            }
        }
        perms = (perms & !deny) | allow;
        for (id, kind, a, d) in &channel.overwrites {
            if *kind == 1 && *id == member {
                perms = (perms & !d) | a;
            }
        }
        perms & VIEW_CHANNEL != 0
    }

    pub fn channel_json(channel: &SimChannel, position: usize, guild: Option<u64>) -> Value {
        let mut value = json!({
            "id": channel.id.to_string(),
            "type": channel.kind,
            "name": channel.name,
            "position": position,
            "permission_overwrites": channel_overwrites(channel, guild.unwrap_or(ids::GUILD)),
            "nsfw": false,
            "topic": null,
            "parent_id": channel.parent_id.map(|p| p.to_string()),
            "last_message_id": null,
            "rate_limit_per_user": 0,
        });
        if let Some(guild) = guild {
            value["guild_id"] = json!(guild.to_string());
        }
        value
    }

    /// Like Discord's: a guild over the IDENTIFY `large_threshold` (serenity sends 250) is
    /// `large`, and its GUILD_CREATE carries only the bot and the owner, not every member (a bot
    /// that wants them all asks for GUILD_MEMBERS_CHUNKs).
    pub fn guild_create(&self) -> Value {
        const LARGE_THRESHOLD: usize = 250;
        let large = self.members.len() > LARGE_THRESHOLD;
        let members: Vec<Value> = self
            .members
            .keys()
            .filter(|id| !large || **id == ids::BOT || **id == self.owner_id)
            .map(|id| self.member_json(*id, true))
            .collect();
        json!({
            "id": self.guild_id.to_string(),
            "name": self.guild_name,
            "icon": null,
            "splash": null,
            "discovery_splash": null,
            "owner_id": self.owner_id.to_string(),
            "afk_channel_id": null,
            "afk_timeout": 300,
            "verification_level": 1,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": self.roles.iter().map(World::role_json).collect::<Vec<_>>(),
            "emojis": [],
            "features": ["COMMUNITY"],
            "mfa_level": 0,
            "application_id": null,
            "system_channel_id": null,
            "system_channel_flags": 0,
            "rules_channel_id": null,
            "vanity_url_code": null,
            "description": null,
            "banner": null,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": null,
            "nsfw_level": 0,
            "stickers": [],
            "premium_progress_bar_enabled": false,
            "joined_at": JOINED_AT,
            "large": large,
            "unavailable": false,
            "member_count": self.members.len(),
            "voice_states": [],
            "members": members,
            "channels": self.channels.iter().enumerate().map(|(i, c)| World::channel_json(c, i, None)).collect::<Vec<_>>(),
            "threads": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
        })
    }

    pub fn ready(&self, session_id: &str, resume_url: &str) -> Value {
        json!({
            "v": 10,
            "user": self.user_json(ids::BOT),
            "guilds": [{ "id": self.guild_id.to_string(), "unavailable": true }],
            "session_id": session_id,
            "resume_gateway_url": resume_url,
            "shard": [0, 1],
            "application": { "id": ids::APPLICATION.to_string(), "flags": 0 },
        })
    }

    pub fn application_info(&self) -> Value {
        json!({
            "id": ids::APPLICATION.to_string(),
            "name": "Lyceum",
            "icon": null,
            "description": "Lyceum (simulated)",
            "bot_public": false,
            "bot_require_code_grant": false,
            "owner": self.user_json(self.owner_id),
            "team": null,
            "verify_key": "0000",
            "flags": 0,
            "summary": "",
        })
    }

    pub fn message_json(
        &self,
        id: u64,
        channel: u64,
        author: u64,
        content: &str,
        extra: &Value,
    ) -> Value {
        let mut message = json!({
            "id": id.to_string(),
            "channel_id": channel.to_string(),
            "guild_id": self.guild_id.to_string(),
            "author": self.user_json(author),
            "content": content,
            "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, false),
            "edited_timestamp": null,
            "tts": false,
            "mention_everyone": false,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": extra.get("embeds").cloned().unwrap_or_else(|| json!([])),
            "components": extra.get("components").cloned().unwrap_or_else(|| json!([])),
            "pinned": false,
            "type": 0,
            "flags": extra.get("flags").cloned().unwrap_or(json!(0)),
        });
        if let Some(nonce) = extra.get("nonce") {
            message["nonce"] = nonce.clone();
        }
        if author != ids::BOT {
            message["member"] = self.member_json(author, false);
        }
        message
    }
}

impl World {
    /// [`World::message_json`] of a plain member message (no extras), written straight to
    /// JSON text without building a `Value` first: ten times cheaper, for the ingest bench.
    pub fn message_text(&self, id: u64, channel: u64, author: u64, content: &str) -> String {
        let mut out = String::with_capacity(1_024);
        self.write_message_text(&mut out, id, channel, author, content);
        out
    }

    /// [`World::message_text`] appended to `out` (the gateway frame it goes in).
    pub fn write_message_text(
        &self,
        out: &mut String,
        id: u64,
        channel: u64,
        author: u64,
        content: &str,
    ) {
        use std::fmt::Write as _;
        // A JSON string; most need no escaping and are copied as they are.
        let json = |out: &mut String, s: &str| {
            if s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
                out.push_str(&serde_json::to_string(s).expect("a string"));
            } else {
                out.push('"');
                out.push_str(s);
                out.push('"');
            }
        };
        let user = self.users.get(&author);
        let bot = user.is_some_and(|u| u.bot);
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, false);
        let _ = write!(
            out,
            r#"{{"id":"{id}","channel_id":"{channel}","guild_id":"{guild}","author":{{"id":"{author}","username":"#,
            guild = self.guild_id,
        );
        let write_name = |out: &mut String| match user {
            Some(u) => json(out, &u.name),
            None => {
                let _ = write!(out, "\"user{author}\"");
            }
        };
        write_name(out);
        out.push_str(r#","global_name":"#);
        write_name(out);
        let _ = write!(
            out,
            r#","discriminator":"0","avatar":null,"bot":{bot}}},"content":"#
        );
        json(out, content);
        let _ = write!(
            out,
            r#","timestamp":"{now}","edited_timestamp":null,"tts":false,"mention_everyone":false,"mentions":[],"mention_roles":[],"attachments":[],"embeds":[],"components":[],"pinned":false,"type":0,"flags":0"#
        );
        if author != ids::BOT {
            out.push_str(r#","member":{"roles":["#);
            let roles = self.members.get(&author).map_or(&[][..], Vec::as_slice);
            for (i, role) in roles.iter().enumerate() {
                let comma = if i == 0 { "" } else { "," };
                let _ = write!(out, "{comma}\"{role}\"");
            }
            let _ = write!(
                out,
                r#"],"joined_at":"{JOINED_AT}","deaf":false,"mute":false,"flags":0,"pending":false,"nick":null,"avatar":null,"premium_since":null,"communication_disabled_until":null}}"#
            );
        }
        out.push('}');
    }
}

fn channel_overwrites(channel: &SimChannel, guild: u64) -> Value {
    let mut list = Vec::new();
    if channel.deny_everyone != 0 || channel.allow_everyone != 0 {
        list.push(json!({
            "id": guild.to_string(),
            "type": 0,
            "allow": channel.allow_everyone.to_string(),
            "deny": channel.deny_everyone.to_string(),
        }));
    }
    for (id, kind, allow, deny) in &channel.overwrites {
        list.push(json!({
            "id": id.to_string(),
            "type": kind,
            "allow": allow.to_string(),
            "deny": deny.to_string(),
        }));
    }
    Value::Array(list)
}

#[cfg(test)]
mod message_text_tests {
    use super::*;

    #[test]
    fn message_text_is_message_json_written_directly() {
        let world = World::default();
        for author in [ids::MINA, ids::OWNER, ids::BOT, 42] {
            let text = world.message_text(7, ids::CHANNEL_GENERAL, author, "hi \"there\" 你好\n");
            let mut parsed: Value = serde_json::from_str(&text).unwrap();
            let mut built = world.message_json(
                7,
                ids::CHANNEL_GENERAL,
                author,
                "hi \"there\" 你好\n",
                &json!({}),
            );
            parsed["timestamp"] = Value::Null;
            built["timestamp"] = Value::Null;
            assert_eq!(parsed, built);
        }
    }
}
