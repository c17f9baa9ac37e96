//! Members as the pages show them: the directory's name and avatar (`crate::members`). A member
//! the directory has never seen (an imported MEE6 member who never spoke since) is asked of
//! Discord through the shared rate limiter — a few per page view, remembered for the next —
//! and a member who left reads "former member".

use std::collections::HashMap;

use maud::{html, Markup};
use serenity::all::{GuildId, UserId};

use super::page::initials;
use super::Web;
use crate::i18n::Locale;
use crate::members::{self, Known, Seen};
use crate::t;

/// Unknown members asked of Discord per page view at most (the rest are named next time).
pub const ASK_PER_VIEW: usize = 25;

/// The members a page shows, by id.
pub struct Names(HashMap<i64, Known>);

impl Names {
    /// The directory's members of `ids`, and up to [`ASK_PER_VIEW`] more asked of Discord.
    pub async fn of(web: &Web, ids: &[i64]) -> Names {
        let mut known = members::known(&web.app.db, ids).await.unwrap_or_default();
        let mut missing: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| !known.contains_key(id))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        missing.truncate(ASK_PER_VIEW);
        if missing.is_empty() {
            return Names(known);
        }
        let guild = web.app.config.snapshot().discord.guild_id;
        let asked = futures::future::join_all(missing.iter().map(|id| ask(web, guild, *id))).await;
        let at = crate::clock::to_millis(web.app.clock.now());
        for (id, found) in missing.into_iter().zip(asked) {
            let Some(found) = found else { continue };
            let seen = Seen {
                member: id as u64,
                name: found.name.clone(),
                avatar: found.avatar.clone(),
            };
            let remembered = async {
                if found.left {
                    members::left(&web.app.db, &seen, at).await?;
                } else {
                    members::remember(&web.app.db, &[seen], at, members::SeenAs::Present).await?;
                }
                Ok::<(), sqlx::Error>(())
            };
            if let Err(e) = remembered.await {
                tracing::warn!(member = id, error = %e, "could not remember a member's name");
            }
            known.insert(id, found);
        }
        Names(known)
    }

    /// The members `texts` mention (`<@id>`, `<@!id>`), to pass to [`Names::of`].
    pub fn mentioned<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<i64> {
        let mut ids = Vec::new();
        for text in texts {
            for (at, _) in text.match_indices("<@") {
                let rest = text[at + 2..].trim_start_matches('!');
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                if rest[digits.len()..].starts_with('>') {
                    if let Ok(id) = digits.parse() {
                        ids.push(id);
                    }
                }
            }
        }
        ids
    }

    /// `text` (written for Discord, which shows mentions as names) with each mention of a
    /// member, role or channel replaced by its name, for a web page.
    pub fn words(&self, web: &Web, text: &str, l: Locale) -> String {
        let guild = web.app.config.snapshot().discord.guild_id;
        let cached = web.discord.cache.as_ref().and_then(|c| c.guild(guild));
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find('<') {
            out.push_str(&rest[..at]);
            let tail = &rest[at..];
            let (sigil, body) = if let Some(b) = tail.strip_prefix("<@&") {
                ('&', b)
            } else if let Some(b) = tail.strip_prefix("<@!") {
                ('@', b)
            } else if let Some(b) = tail.strip_prefix("<@") {
                ('@', b)
            } else if let Some(b) = tail.strip_prefix("<#") {
                ('#', b)
            } else {
                out.push('<');
                rest = &tail[1..];
                continue;
            };
            let digits: String = body.chars().take_while(char::is_ascii_digit).collect();
            let Some(id) = digits
                .parse::<u64>()
                .ok()
                .filter(|_| body[digits.len()..].starts_with('>'))
            else {
                out.push('<');
                rest = &tail[1..];
                continue;
            };
            let name = match sigil {
                '@' => format!("@{}", self.name(id as i64, l)),
                '&' => cached
                    .as_ref()
                    .and_then(|g| g.roles.get(&id.into()).map(|r| format!("@{}", r.name)))
                    .unwrap_or_else(|| t!(l, "web-a-role")),
                _ => cached
                    .as_ref()
                    .and_then(|g| g.channels.get(&id.into()).map(|c| format!("#{}", c.name)))
                    .unwrap_or_else(|| t!(l, "web-a-channel")),
            };
            out.push_str(&name);
            rest = &body[digits.len() + 1..];
        }
        out.push_str(rest);
        out
    }

    pub fn get(&self, id: i64) -> Option<&Known> {
        self.0.get(&id)
    }

    /// The member's name, "former member" beside it for one who left; "(a member)" for one
    /// Discord could not name.
    pub fn name(&self, id: i64, l: Locale) -> String {
        match self.get(id) {
            Some(k) if k.left => format!("{} ({})", k.name, t!(l, "web-former-member")),
            Some(k) => k.name.clone(),
            None => t!(l, "web-someone"),
        }
    }

    /// The member in a list: their avatar (initials where Discord has no picture) and name.
    /// `public`: a page anyone can read names a member who left only as "former member".
    pub fn cell(&self, id: i64, l: Locale, public: bool) -> Markup {
        let known = self.get(id);
        let name = match known {
            Some(k) if k.left && public => t!(l, "web-former-member"),
            _ => self.name(id, l),
        };
        let picture = known
            .filter(|k| !(k.left && public))
            .and_then(|k| k.avatar_url(id as u64, 64));
        html! {
            @match picture {
                Some(url) => { img.avatar src=(url) alt="" loading="lazy"; }
                None => { span.avatar { (initials(&name)) } }
            }
            (name)
        }
    }
}

/// One member Discord can name: in the server (the name it shows there), or gone (their
/// account's name, marked as left). None when Discord does not know the id or cannot answer.
async fn ask(web: &Web, guild: GuildId, id: i64) -> Option<Known> {
    let user = UserId::new(u64::try_from(id).ok().filter(|id| *id > 0)?);
    match web.discord.member_now(guild, user).await {
        Ok(Some(member)) => Some(Known {
            name: member.display_name().to_string(),
            avatar: member.avatar.or(member.user.avatar).map(|h| h.to_string()),
            left: false,
        }),
        Ok(None) => match web.discord.user(user).await {
            Ok(Some(user)) => Some(Known {
                name: user.display_name().to_string(),
                avatar: user.avatar.map(|h| h.to_string()),
                left: true,
            }),
            _ => None,
        },
        Err(e) => {
            tracing::debug!(member = id, error = %e, "could not ask Discord for a member");
            None
        }
    }
}
