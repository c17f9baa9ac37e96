//! `lyceum init`: a first config from the bot's own view of Discord — its servers, then that
//! server's channels and roles by name — so a creator never hunts for ids. Fetching goes
//! through Discord's REST API with the bot token; choosing and writing are plain functions.

use anyhow::Context as _;
use chrono_tz::Tz;
use serde::Deserialize;

/// A server, channel or role as Discord lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Named {
    #[serde(deserialize_with = "id_from_string")]
    pub id: u64,
    pub name: String,
    /// Channels only: 0 text, 5 announcement, 4 category…
    #[serde(default, rename = "type")]
    pub kind: u8,
    /// Roles only: a bot's or integration's own role cannot be given to people.
    #[serde(default)]
    pub managed: bool,
}

fn id_from_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let text = String::deserialize(d)?;
    text.parse().map_err(serde::de::Error::custom)
}

/// What Discord shows the bot: its servers, and for one of them its text channels and roles.
pub struct Discord {
    client: reqwest::Client,
    base: String,
    authorization: String,
}

impl Discord {
    pub fn new(api_url: &str, token: &str) -> Discord {
        Discord {
            client: reqwest::Client::new(),
            base: format!("{}/api/v10", api_url.trim_end_matches('/')),
            authorization: format!("Bot {token}"),
        }
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> anyhow::Result<T> {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header("Authorization", &self.authorization)
            .send()
            .await
            .with_context(|| format!("cannot reach Discord for {path}"))?;
        let status = response.status();
        if status == reqwest::StatusCode::UNAUTHORIZED {
            anyhow::bail!("Discord refused the token (401): check DISCORD_TOKEN");
        }
        if !status.is_success() {
            anyhow::bail!("Discord answered {status} for {path}");
        }
        Ok(response.json().await?)
    }

    pub async fn servers(&self) -> anyhow::Result<Vec<Named>> {
        self.get("/users/@me/guilds").await
    }

    /// Text and announcement channels, in Discord's order.
    pub async fn text_channels(&self, server: u64) -> anyhow::Result<Vec<Named>> {
        let all: Vec<Named> = self.get(&format!("/guilds/{server}/channels")).await?;
        Ok(all
            .into_iter()
            .filter(|c| matches!(c.kind, 0 | 5))
            .collect())
    }

    /// Roles people can hold (not @everyone, not bots' own).
    pub async fn roles(&self, server: u64) -> anyhow::Result<Vec<Named>> {
        let all: Vec<Named> = self.get(&format!("/guilds/{server}/roles")).await?;
        Ok(all
            .into_iter()
            .filter(|r| r.id != server && !r.managed)
            .collect())
    }
}

impl Discord {
    /// Every member of `server` as (username, id), a thousand per request as Discord pages them.
    pub async fn members(&self, server: u64) -> anyhow::Result<Vec<(String, u64)>> {
        #[derive(Deserialize)]
        struct User {
            #[serde(deserialize_with = "id_from_string")]
            id: u64,
            username: String,
        }
        #[derive(Deserialize)]
        struct Member {
            user: User,
        }
        let mut all = Vec::new();
        let mut after = 0u64;
        loop {
            let page: Vec<Member> = self
                .get(&format!(
                    "/guilds/{server}/members?limit=1000&after={after}"
                ))
                .await?;
            let full = page.len() == 1000;
            for member in page {
                after = after.max(member.user.id);
                all.push((member.user.username, member.user.id));
            }
            if !full {
                return Ok(all);
            }
        }
    }
}

/// The one of `options` a creator meant by `typed`: its number in the list shown (1-based), its
/// name (case, a leading `#` or `@` and surrounding spaces ignored), or its id.
pub fn choose<'a>(options: &'a [Named], typed: &str) -> Option<&'a Named> {
    let typed = typed.trim().trim_start_matches(['#', '@']).trim();
    if let Ok(n) = typed.parse::<usize>() {
        if (1..=options.len()).contains(&n) {
            return options.get(n - 1);
        }
        if let Some(by_id) = options.iter().find(|o| o.id.to_string() == typed) {
            return Some(by_id);
        }
    }
    options.iter().find(|o| o.name.eq_ignore_ascii_case(typed))
}

/// The time zone to suggest: the machine's (`TZ`, then `/etc/timezone`), else UTC.
pub fn suggested_timezone() -> Tz {
    let from_env = std::env::var("TZ").ok();
    let from_file = || std::fs::read_to_string("/etc/timezone").ok();
    from_env
        .or_else(from_file)
        .and_then(|name| name.trim().parse().ok())
        .unwrap_or(Tz::UTC)
}

/// Everything `init` asks.
pub struct Answers<'a> {
    pub server: &'a Named,
    pub mod_log: Option<&'a Named>,
    pub announcements: Option<&'a Named>,
    pub timezone: Tz,
    /// `en` or `zh-CN`.
    pub language: &'a str,
    pub admin_role: Option<&'a Named>,
    pub moderator_role: Option<&'a Named>,
    /// Only when not Discord itself (the simulated Discord).
    pub api_url: Option<&'a str>,
}

/// A short, commented config with real ids; every other key keeps its documented default
/// (`config.example.toml` shows them all).
pub fn config_text(a: &Answers<'_>) -> String {
    let line = |key: &str, item: Option<&Named>, what: &str| match item {
        Some(n) => format!("{key} = {}   # {}\n", n.id, n.name),
        None => format!("# {key} =   # {what}\n"),
    };
    let mut out = String::from(
        "# Written by `lyceum init`. Every key not here keeps its default; see\n\
         # config.example.toml for all of them, and `lyceum check-config` after an edit.\n\n",
    );
    out.push_str("[discord]\n");
    out.push_str(&format!(
        "guild_id = {}   # {}\n",
        a.server.id, a.server.name
    ));
    if let Some(url) = a.api_url {
        out.push_str(&format!("api_url = \"{url}\"\n"));
    }
    out.push_str("# owner_ids = []   # besides the server owner, who may do everything\n\n");
    out.push_str("[database]\n# Beside this file, wherever Lyceum is started from.\npath = \"lyceum.db\"\n\n");
    out.push_str(&format!(
        "[community]\nname = \"{}\"\ntimezone = \"{}\"\ndefault_locale = \"{}\"\n\n",
        a.server.name.replace('"', "'"),
        a.timezone.name(),
        a.language
    ));
    out.push_str("[channels]\n");
    out.push_str(&line(
        "mod_log",
        a.mod_log,
        "where moderation and payments are logged",
    ));
    out.push_str(&line(
        "announcements",
        a.announcements,
        "where events are announced",
    ));
    out.push_str("\n[staff]\n");
    out.push_str(&line("admin_role", a.admin_role, "holders are admins"));
    out.push_str(&line(
        "moderator_role",
        a.moderator_role,
        "holders are moderators",
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(id: u64, name: &str) -> Named {
        Named {
            id,
            name: name.into(),
            kind: 0,
            managed: false,
        }
    }

    #[test]
    fn a_choice_is_a_number_a_name_or_an_id() {
        let options = [named(100, "mod-log"), named(200, "Announcements")];
        assert_eq!(choose(&options, "2").map(|n| n.id), Some(200));
        assert_eq!(choose(&options, " #MOD-LOG ").map(|n| n.id), Some(100));
        assert_eq!(choose(&options, "200").map(|n| n.id), Some(200));
        assert_eq!(choose(&options, "general"), None);
        assert_eq!(choose(&options, "3"), None);
    }

    #[test]
    fn the_written_config_is_one_lyceum_accepts() {
        let server = named(42, "My \"Academy\"");
        let log = named(7, "mod-log");
        let text = config_text(&Answers {
            server: &server,
            mod_log: Some(&log),
            announcements: None,
            timezone: chrono_tz::Asia::Shanghai,
            language: "zh-CN",
            admin_role: None,
            moderator_role: None,
            api_url: None,
        });
        let config = crate::config::Config::parse(&text).unwrap();
        assert_eq!(config.discord.guild_id.get(), 42);
        assert_eq!(config.channels.mod_log.map(|c| c.get()), Some(7));
        assert_eq!(config.community.timezone, chrono_tz::Asia::Shanghai);
        assert!(text.contains("# announcements ="), "{text}");
    }
}
