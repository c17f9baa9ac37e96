//! The invite link with exactly the permissions this config needs, each with why: a creator
//! grants no more than Lyceum uses, and nothing it needs is missing. Pure.

use base64::Engine as _;

use crate::config::moderation::{Action, Escalate, FilterPolicy};
use crate::config::Config;

/// One permission the bot asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needed {
    pub bit: u64,
    pub name: &'static str,
    pub why: &'static str,
}

const fn needed(bit: u32, name: &'static str, why: &'static str) -> Needed {
    Needed {
        bit: 1 << bit,
        name,
        why,
    }
}

/// What every community needs, whatever its config.
const ALWAYS: [Needed; 7] = [
    needed(
        10,
        "View Channels",
        "to see the channels it posts in and reads",
    ),
    needed(
        11,
        "Send Messages",
        "announcements, reminders, the mod log, welcomes",
    ),
    needed(
        14,
        "Embed Links",
        "/about, mod-log entries and event announcements are embeds",
    ),
    needed(15, "Attach Files", "/stats charts and CSV exports"),
    needed(
        16,
        "Read Message History",
        "to check a message landed before posting it again",
    ),
    needed(
        28,
        "Manage Roles",
        "paid roles, level roles, staff roles and gated channels",
    ),
    needed(
        40,
        "Moderate Members",
        "/timeout and automod or warning timeouts",
    ),
];

/// The permissions `config` needs, in Discord's bit order.
pub fn permissions(config: &Config) -> Vec<Needed> {
    let mut out = ALWAYS.to_vec();
    let automod = &config.automod;
    let filters: [&FilterPolicy; 6] = [
        &automod.banned_words,
        &automod.regex,
        &automod.links,
        &automod.mentions,
        &automod.flood,
        &automod.duplicates,
    ];
    let deletes = filters
        .iter()
        .chain(std::iter::once(&&automod.caps))
        .any(|f| f.enabled && matches!(f.action, Action::Delete | Action::DeleteWarn));
    if deletes {
        out.push(needed(
            13,
            "Manage Messages",
            "automod deletes messages that break a filter",
        ));
    }
    let ladder = &config.warnings.escalation;
    if ladder.iter().any(|r| r.action == Escalate::Kick) {
        out.push(needed(
            1,
            "Kick Members",
            "the warning ladder kicks at a rung",
        ));
    }
    if ladder.iter().any(|r| r.action == Escalate::Ban) {
        out.push(needed(
            2,
            "Ban Members",
            "the warning ladder bans at a rung",
        ));
    }
    let mirrors = config.events.mirror_to_discord
        || config
            .schedules
            .iter()
            .any(|s| s.mirror.unwrap_or(config.events.mirror_to_discord));
    if mirrors {
        out.push(needed(
            33,
            "Manage Events",
            "events are mirrored to Discord's Events tab (mirror_to_discord)",
        ));
    }
    let pins = !config.highlights.topics.is_empty() && config.channels.highlights.is_some();
    if pins && !out.iter().any(|n| n.bit == 1 << 13) {
        out.push(needed(
            13,
            "Manage Messages",
            "the highlights index is pinned in channels.highlights",
        ));
    }
    if config.channels.inbox.is_some() {
        out.push(needed(
            36,
            "Create Private Threads",
            "a member whose DMs are closed gets their message in a private thread in channels.inbox",
        ));
        out.push(needed(
            38,
            "Send Messages in Threads",
            "the message for a member whose DMs are closed is posted in their inbox thread",
        ));
    }
    out.sort_by_key(|n| n.bit);
    out
}

/// The OAuth2 invite link for application `client_id` with `needed`.
pub fn url(client_id: u64, needed: &[Needed]) -> String {
    let bits: u64 = needed.iter().map(|n| n.bit).fold(0, |a, b| a | b);
    format!(
        "https://discord.com/oauth2/authorize?client_id={client_id}&scope=bot+applications.commands&permissions={bits}"
    )
}

/// The application id a bot token belongs to: its first segment is the bot's user id in
/// base64, and a bot's user id is its application's id.
pub fn client_id_of(token: &str) -> Option<u64> {
    let first = token.split('.').next()?;
    let engine = base64::engine::general_purpose::STANDARD_NO_PAD;
    let decoded = engine.decode(first.trim_end_matches('=')).ok()?;
    std::str::from_utf8(&decoded).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: &str) -> Config {
        Config::parse(&format!("[discord]\nguild_id = 1\n{extra}")).unwrap()
    }

    #[test]
    fn kick_and_ban_are_asked_for_only_when_the_ladder_uses_them() {
        let plain = permissions(&config(""));
        assert!(!plain
            .iter()
            .any(|n| n.name == "Kick Members" || n.name == "Ban Members"));
        let ladder =
            "[[warnings.escalation]]\nat_points = 3\naction = \"timeout\"\nduration = \"1h\"\n\
                      [[warnings.escalation]]\nat_points = 5\naction = \"kick\"\n\
                      [[warnings.escalation]]\nat_points = 8\naction = \"ban\"\n";
        let strict = permissions(&config(ladder));
        let names: Vec<&str> = strict.iter().map(|n| n.name).collect();
        assert!(
            names.contains(&"Kick Members") && names.contains(&"Ban Members"),
            "{names:?}"
        );
        let link = url(123, &strict);
        assert!(link.contains("client_id=123"), "{link}");
        let bits: u64 = link.rsplit('=').next().unwrap().parse().unwrap();
        assert_eq!(bits & 0b110, 0b110, "{link}");
        assert_eq!(bits & (1 << 28), 1 << 28, "{link}");
    }

    /// The example config turns on the Events-tab mirror and pinned highlights: the link asks
    /// for Manage Events and Manage Messages, each with why; a plain config asks for neither.
    #[test]
    fn what_the_config_turns_on_is_asked_for() {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml"))
                .unwrap();
        let example = permissions(&Config::parse(&text).unwrap());
        let find = |name: &str| example.iter().find(|n| n.name == name).map(|n| n.why);
        assert!(find("Manage Events").is_some_and(|why| why.contains("Events tab")));
        assert!(find("Manage Messages").is_some());
        let plain = permissions(&config(""));
        assert!(!plain.iter().any(|n| n.name == "Manage Events"
            || n.name == "Manage Messages"
            || n.name == "Create Private Threads"));
        // An inbox channel for closed DMs: private threads, and messages in them.
        let inbox = permissions(&config("[channels]\ninbox = 7\n"));
        let bits: u64 = inbox.iter().map(|n| n.bit).fold(0, |a, b| a | b);
        assert_eq!(bits & (1 << 36 | 1 << 38), 1 << 36 | 1 << 38, "{inbox:?}");
        let pinned = permissions(&config(
            "[channels]\nhighlights = 5\n[[highlights.topics]]\nid = \"rust\"\nname = \"Rust\"\n",
        ));
        assert!(
            pinned.iter().any(|n| n.why.contains("pinned")),
            "{pinned:?}"
        );
    }

    #[test]
    fn the_application_id_is_read_from_the_token() {
        let id = base64::engine::general_purpose::STANDARD_NO_PAD.encode("123456789012345678");
        assert_eq!(
            client_id_of(&format!("{id}.Gabcde.secret")),
            Some(123456789012345678)
        );
        assert_eq!(client_id_of("not a token"), None);
    }
}
