//! Typed configuration: the policy of one community. Parsed from TOML with every problem
//! reported at once (see [`reader`]), validated, then shared behind one atomically swapped
//! pointer ([`SharedConfig`]) so `/admin reload` never mixes two policies in one handler.

pub mod community;
pub mod highlights;
pub mod mistakes;
pub mod moderation;
pub mod plan;
pub mod points;
pub mod products;
mod reader;
pub mod report;
pub mod retention;
pub mod roles;
pub mod schedule;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use chrono_tz::Tz;
use serenity::all::{ChannelId, GuildId, RoleId, UserId};
use toml::Table;

pub use community::{Expert, Positioning, QaConfig, WelcomeTo};
pub use highlights::HighlightsConfig;
pub use moderation::{Action, AutomodConfig, Escalate, FilterPolicy, Rule, Rung, WarningsConfig};
pub use plan::{Per, PlanConfig, PlanItem};
pub use points::{ItemKind, LevelRole, PointsConfig, ShopConfig, ShopItem};
pub use products::{MembershipConfig, PartialRefund, Product, ProductKind, WhenHeld};
pub use reader::{suggest, Problem};
use reader::{Reader, Section};
pub use retention::{Credit, ReferralsConfig, RenewalsConfig, ReportConfig};
pub use roles::{MenuRole, RoleMenu, RolesConfig};
pub use schedule::ScheduleItem;

use crate::i18n::{Locale, LocalizedText};

/// The real Discord; anything else is a proxy or the simulator.
pub const DISCORD_API: &str = "https://discord.com";

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub discord: DiscordConfig,
    pub database: DatabaseConfig,
    pub community: CommunityConfig,
    pub web: WebConfig,
    pub channels: ChannelsConfig,
    pub staff: StaffConfig,
    pub outbox: OutboxConfig,
    pub points: PointsConfig,
    pub shop: ShopConfig,
    pub rules: Vec<Rule>,
    pub automod: AutomodConfig,
    pub warnings: WarningsConfig,
    pub onboarding: OnboardingConfig,
    /// `[[content_plan]]` and `[plan]`.
    pub plan: PlanConfig,
    /// `[[schedule]]`: standing schedules (policy), synced into events.
    pub schedules: Vec<ScheduleItem>,
    /// `[[products]]`: what members pay for.
    pub products: Vec<Product>,
    /// `[membership]`: renewal, redeem and reconciliation policy.
    pub membership: MembershipConfig,
    /// `[qa]`: paid questions to experts.
    pub qa: QaConfig,
    /// `[roles]`: roles members choose themselves (`[[roles.menus]]`).
    pub roles: RolesConfig,
    /// `[highlights]`: the 精华 index's topics and the "start here" DM.
    pub highlights: HighlightsConfig,
    /// `[events]`: how events also appear in Discord's Events tab.
    pub events: EventsConfig,
    /// `[referrals]`: what a referrer earns.
    pub referrals: ReferralsConfig,
    /// `[renewals]`: the win-back offer.
    pub renewals: RenewalsConfig,
    /// `[report]`: the weekly report.
    pub report: ReportConfig,
}

/// `[events]` (or `[schedule]` in a file without `[[schedule]]` items: TOML cannot have both,
/// so a file with standing schedules sets the Events tab here; each `[[schedule]]` item and
/// `/event create` can still say `mirror_to_discord` / `mirror`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EventsConfig {
    /// Every event also exists as a Discord guild scheduled event (its next occurrence).
    pub mirror_to_discord: bool,
    /// The location Discord shows for a mirrored event (default: a link to its channel).
    pub location: Option<String>,
    /// Mirrored events take place in this voice channel (Discord shows "join"), instead of an
    /// external location.
    pub voice_channel: Option<ChannelId>,
    /// … or in this stage channel.
    pub stage_channel: Option<ChannelId>,
}

/// Every top-level section a config file may have.
const SECTIONS: &[&str] = &[
    "discord",
    "database",
    "community",
    "web",
    "channels",
    "staff",
    "outbox",
    "points",
    "shop",
    "rules",
    "automod",
    "warnings",
    "onboarding",
    "content_plan",
    "plan",
    "schedule",
    "products",
    "membership",
    "qa",
    "roles",
    "highlights",
    "events",
    "referrals",
    "renewals",
    "report",
];

impl Config {
    pub fn product(&self, id: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.id == id)
    }
}

/// `[onboarding]`: what new members go through.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OnboardingConfig {
    /// Granted when a member presses "I accept" under the rules. Optional.
    pub accepted_role: Option<RoleId>,
    /// Where a new member's welcome goes.
    pub welcome: Option<WelcomeTo>,
    /// The welcome text (`{member}`, `{community}`); default: the built-in one.
    pub welcome_message: Option<LocalizedText>,
    /// A `[[roles.menus]]` id offered right after "I accept" (in the member's language).
    pub menu: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DiscordConfig {
    pub guild_id: GuildId,
    pub owner_ids: Vec<UserId>,
    pub api_url: String,
    /// The application's id, for the web login (default: read from DISCORD_TOKEN).
    pub client_id: Option<u64>,
    /// Where the web login sends members to consent (Discord's page; the simulator's in tests).
    pub oauth_authorize_url: String,
    /// Lyceum's own hop in front of serenity's gateway connection, deciding MESSAGE_CREATE
    /// without serenity's generic decoding (`app::front`). Off: serenity reads every event.
    pub gateway_front: bool,
}

impl DiscordConfig {
    /// True when REST goes somewhere other than discord.com (a proxy or the simulator).
    pub fn is_proxied(&self) -> bool {
        self.api_url.trim_end_matches('/') != DISCORD_API
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DatabaseConfig {
    pub path: PathBuf,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CommunityConfig {
    /// The community's name as members read it (plain or per locale).
    pub name: LocalizedText,
    pub timezone: Tz,
    pub default_locale: Locale,
    /// What `/about` shows.
    pub positioning: Positioning,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WebConfig {
    pub bind: SocketAddr,
    /// The address members reach the web pages at (`https://community.example.com`): the
    /// Discord login's redirect URI is built from it, and cookies are `Secure` when it is
    /// https. `None`: no login (public pages only).
    pub public_url: Option<String>,
    /// Who sees `/leaderboard`.
    pub leaderboard: LeaderboardVisibility,
}

/// `[web] leaderboard`: like MEE6's privacy switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LeaderboardVisibility {
    Public,
    #[default]
    Members,
    Off,
}

/// Discord's OAuth2 authorize page (a browser page, not the API).
pub const DISCORD_AUTHORIZE: &str = "https://discord.com/oauth2/authorize";

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChannelsConfig {
    pub mod_log: Option<ChannelId>,
    pub announcements: Option<ChannelId>,
    pub welcome: Option<ChannelId>,
    /// Where staff see work for them (shop orders to hand over). Optional.
    pub staff: Option<ChannelId>,
    /// Where `/rules post` puts the rules message. Optional.
    pub rules: Option<ChannelId>,
    /// Where paid questions and answers are posted (default: `announcements`). Optional.
    pub qa: Option<ChannelId>,
    /// Where feedback goes for staff (default: `staff`). Optional.
    pub feedback: Option<ChannelId>,
    /// Where the 精华 index messages are kept (pinned, edited in place). Optional.
    pub highlights: Option<ChannelId>,
    /// Where a member whose DMs are closed gets what Lyceum meant to DM them: a private thread
    /// that mentions them (only they and staff see it). Optional.
    pub inbox: Option<ChannelId>,
}

/// Discord roles the bot keeps in step with staff levels granted to individual members.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StaffConfig {
    pub admin_role: Option<RoleId>,
    pub moderator_role: Option<RoleId>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutboxConfig {
    /// First retry delay after a transient failure; doubles per attempt.
    pub retry_base: Duration,
    /// Upper bound for one retry delay.
    pub retry_max: Duration,
    /// How long finished items (delivered, skipped, failed) stay visible before pruning.
    pub keep_finished: Duration,
    /// How long Discord is trusted to drop a repeated message nonce. A post whose outcome was
    /// unknown is retried blind inside it and checked against the channel after it.
    pub nonce_window: Duration,
    /// Deliveries in flight at once (to different targets; one target's items go in order).
    pub concurrency: usize,
    /// Discord's global limit for this bot, requests per second.
    pub global_rate_limit: u32,
}

/// Why a config could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "there is no config file at {path}: copy config.example.toml there and fill in \
         discord.guild_id (every other key has a documented default)"
    )]
    Missing { path: PathBuf },
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", render_problems(.0))]
    Invalid(Vec<Problem>),
}

fn render_problems(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl Config {
    /// Reads and checks the config file at `path`. A relative `database.path` is taken from
    /// the config file's folder, not the working directory, so starting Lyceum from another
    /// folder never opens a new, empty database.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => ConfigError::Missing {
                path: path.to_path_buf(),
            },
            _ => ConfigError::Io {
                path: path.to_path_buf(),
                source,
            },
        })?;
        let mut config = Config::parse(&text).map_err(ConfigError::Invalid)?;
        if config.database.path.is_relative() {
            let folder = path.parent().unwrap_or(Path::new(""));
            config.database.path = folder.join(&config.database.path);
        }
        Ok(config)
    }

    /// Parses and validates; on failure returns every problem found, in file order of sections.
    pub fn parse(text: &str) -> Result<Config, Vec<Problem>> {
        let root: Table = toml::from_str(text).map_err(|e| vec![syntax_problem(text, &e)])?;
        let reader = Reader::default();
        reader.unknown_sections(&root, SECTIONS);

        let discord = reader.read(&root, "discord", read_discord);
        let database = reader.read(&root, "database", read_database);
        let community = reader.read(&root, "community", read_community);
        let web = reader.read(&root, "web", read_web);
        let channels = reader.read(&root, "channels", read_channels);
        let staff = reader.read(&root, "staff", read_staff);
        let outbox = reader.read(&root, "outbox", read_outbox);

        let points = reader.read(&root, "points", points::read_points);
        let shop = reader.read(&root, "shop", points::read_shop);

        let rules = moderation::read_rules(reader.array(&root, "rules"));
        let automod = reader.read(&root, "automod", moderation::read_automod);
        let warnings = reader.read(&root, "warnings", moderation::read_warnings);
        let onboarding = reader.read(&root, "onboarding", read_onboarding);

        let items = plan::read_items(reader.array(&root, "content_plan"));
        let plan = reader.read(&root, "plan", |s| plan::read_plan(s, items));

        let schedules = read_schedules(&reader, &root, community.as_ref(), &channels);

        let qa = reader.read(&root, "qa", community::read_qa);

        let products = products::read_products(reader.array(&root, "products"));
        let membership = reader.read(&root, "membership", products::read_membership);
        let roles = reader.read(&root, "roles", roles::read_roles);
        check_role_menus(&reader, &roles, &onboarding, &products, &points, &staff);
        let highlights = reader.read(&root, "highlights", highlights::read_highlights);
        let events = read_events_tab(&reader, &root);
        let referrals = reader.read(&root, "referrals", retention::read_referrals);
        let renewals = reader.read(&root, "renewals", retention::read_renewals);
        let report = reader.read(&root, "report", retention::read_report);
        check_start_here(&reader, &highlights, &products);

        let problems = reader.into_problems();
        match (discord, community, web) {
            (Some(discord), Some(community), Some(web)) if problems.is_empty() => Ok(Config {
                discord,
                database,
                community,
                web,
                channels,
                staff,
                points,
                shop,
                rules,
                automod,
                warnings,
                onboarding,
                plan,
                schedules,
                products,
                membership,
                qa,
                roles,
                highlights,
                events,
                referrals,
                renewals,
                report,
                outbox,
            }),
            _ => Err(problems),
        }
    }

    /// A short human summary for `check-config`.
    pub fn summary(&self) -> String {
        let channel = |c: Option<ChannelId>| c.map_or("-".to_string(), |c| c.to_string());
        format!(
            "community  {} ({}, default locale {})\nguild      {}\nowners     {}\ndatabase   {}\nweb        {}\ndiscord    {}\nchannels   mod_log={} announcements={} welcome={}",
            self.community.name.get(self.community.default_locale),
            self.community.timezone.name(),
            self.community.default_locale.tag(),
            self.discord.guild_id,
            self.discord.owner_ids.len(),
            self.database.path.display(),
            self.web.bind,
            self.discord.api_url,
            channel(self.channels.mod_log),
            channel(self.channels.announcements),
            channel(self.channels.welcome),
        )
    }

    /// Keys that differ between two configs and only take effect after a restart.
    pub fn restart_required_changes(&self, new: &Config) -> Vec<&'static str> {
        let mut keys = Vec::new();
        if self.discord.guild_id != new.discord.guild_id {
            keys.push("discord.guild_id");
        }
        if self.discord.api_url != new.discord.api_url {
            keys.push("discord.api_url");
        }
        if self.database.path != new.database.path {
            keys.push("database.path");
        }
        if self.web.bind != new.web.bind {
            keys.push("web.bind");
        }
        keys
    }
}

/// A TOML syntax error as a creator can act on it: line and column, the line itself with a
/// caret under the spot, and a hint for the mistakes Chinese keyboards make (full-width quotes
/// and colons).
fn syntax_problem(text: &str, error: &toml::de::Error) -> Problem {
    let Some(span) = error.span() else {
        return Problem {
            path: "(file)".into(),
            value: None,
            message: format!("not valid TOML: {}", error.message().trim()),
        };
    };
    let start = span.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = &text[line_start..line_end];
    let number = text[..start].matches('\n').count() + 1;
    let column = text[line_start..start].chars().count() + 1;
    let caret = format!("{}^", " ".repeat(display_width(&text[line_start..start])));
    let mut message = format!(
        "not valid TOML: {}\n    {line}\n    {caret}",
        error.message().trim()
    );
    if line.contains(['“', '”', '‘', '’']) {
        message.push_str("\n    use straight quotes (\") instead of “ ” or ‘ ’");
    }
    if line.contains('：') || line.contains('＝') {
        message.push_str("\n    use a plain = (and : in times) instead of the full-width ＝ or ：");
    }
    Problem {
        path: format!("(file, line {number}, column {column})"),
        value: None,
        message,
    }
}

/// How many terminal columns `text` takes (East Asian wide characters take two), so the caret
/// lands under the mistake in a line with Chinese in it.
fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6 => 2,
            _ => 1,
        })
        .sum()
}

/// Whether an `http(s)://host[:port]/…` URL points at this machine.
fn is_loopback_url(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn parse_timezone(name: &str) -> Result<Tz, String> {
    name.parse::<Tz>().map_err(|_| {
        if let Some(meant) = mistakes::zone_meant(name) {
            return format!("not an IANA time zone name, did you mean \"{meant}\"?");
        }
        let names = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name());
        match suggest(name, names) {
            Some(s) => format!("unknown IANA time zone, did you mean \"{s}\"?"),
            None => {
                "unknown IANA time zone (e.g. \"Asia/Shanghai\", \"America/New_York\", \"UTC\")"
                    .to_string()
            }
        }
    })
}

/// The live config: one snapshot per handler, swapped whole on reload.
#[derive(Clone)]
pub struct SharedConfig {
    current: Arc<ArcSwap<Config>>,
    path: Option<PathBuf>,
}

impl SharedConfig {
    pub fn new(config: Config, path: Option<PathBuf>) -> SharedConfig {
        SharedConfig {
            current: Arc::new(ArcSwap::from_pointee(config)),
            path,
        }
    }

    pub fn snapshot(&self) -> Arc<Config> {
        self.current.load_full()
    }

    /// Re-reads the file. On any problem the running config stays as it is.
    pub fn reload(&self) -> Result<ReloadOutcome, ConfigError> {
        let path = self.path.as_deref().ok_or_else(|| {
            ConfigError::Invalid(vec![Problem {
                path: "(file)".into(),
                value: None,
                message: "this instance was started without a config file".into(),
            }])
        })?;
        let new = Config::load(path)?;
        let old = self.current.load();
        let restart_required = old.restart_required_changes(&new);
        self.current.store(Arc::new(new));
        Ok(ReloadOutcome { restart_required })
    }
}

pub struct ReloadOutcome {
    /// Changed keys that the running process cannot apply.
    pub restart_required: Vec<&'static str>,
}

/// `[discord]`; `None` when `guild_id` is missing or bad (the problem is recorded).
fn read_discord(s: &mut Section<'_>) -> Option<DiscordConfig> {
    let guild_id = s.id("guild_id");
    if s.raw("guild_id").is_none() {
        s.missing("guild_id");
    }
    let owner_ids = s.ids("owner_ids").into_iter().map(UserId::new).collect();
    let api_url = s.string("api_url").unwrap_or_else(|| DISCORD_API.into());
    if !(api_url.starts_with("http://") || api_url.starts_with("https://")) {
        s.problem(
            "api_url",
            Some(&toml::Value::String(api_url.clone())),
            "expected an http:// or https:// base URL",
        );
    } else if api_url.starts_with("http://") && !is_loopback_url(&api_url) {
        s.problem(
            "api_url",
            Some(&toml::Value::String(api_url.clone())),
            "plain http:// would send the bot token in clear text; use https:// (http:// is allowed only for 127.0.0.1, localhost or [::1])",
        );
    }
    let client_id = s.id("client_id");
    let oauth_authorize_url = s
        .string("oauth_authorize_url")
        .unwrap_or_else(|| DISCORD_AUTHORIZE.into());
    let gateway_front = s.boolean("gateway_front").unwrap_or(true);
    Some(DiscordConfig {
        guild_id: GuildId::new(guild_id?),
        owner_ids,
        api_url: api_url.trim_end_matches('/').to_string(),
        client_id,
        oauth_authorize_url,
        gateway_front,
    })
}

/// `[database]`.
fn read_database(s: &mut Section<'_>) -> DatabaseConfig {
    let path = s.string("path").unwrap_or_else(|| "lyceum.db".into());
    if path.trim().is_empty() {
        s.problem("path", None, "must not be empty");
    }
    DatabaseConfig {
        path: PathBuf::from(path),
    }
}

/// `[community]`; `None` when the time zone is bad.
fn read_community(s: &mut Section<'_>) -> Option<CommunityConfig> {
    let name = s
        .text("name")
        .unwrap_or_else(|| LocalizedText::plain("Lyceum".into()));
    let timezone = match s.raw("timezone") {
        None => Some(Tz::UTC),
        Some(value) => match value.as_str() {
            Some(tz) => parse_timezone(tz)
                .map_err(|message| s.problem("timezone", Some(value), message))
                .ok(),
            None => {
                s.problem("timezone", Some(value), "expected an IANA time zone name");
                None
            }
        },
    };
    let default_locale = s.locale("default_locale").unwrap_or(Locale::En);
    let positioning = community::read_positioning(s);
    Some(CommunityConfig {
        name,
        timezone: timezone?,
        default_locale,
        positioning,
    })
}

/// `[web]`; `None` when `bind` is not an address.
fn read_web(s: &mut Section<'_>) -> Option<WebConfig> {
    let bind = match s.raw("bind") {
        None => Some(SocketAddr::from(([127, 0, 0, 1], 8080))),
        Some(value) => {
            let parsed = value.as_str().and_then(|b| b.parse::<SocketAddr>().ok());
            if parsed.is_none() {
                s.problem(
                    "bind",
                    Some(value),
                    "expected an address like \"127.0.0.1:8080\"",
                );
            }
            parsed
        }
    };
    let public_url = s
        .string("public_url")
        .map(|u| u.trim_end_matches('/').to_string());
    if let Some(url) = &public_url {
        if !(url.starts_with("https://") || (url.starts_with("http://") && is_loopback_url(url))) {
            s.problem(
                "public_url",
                Some(&toml::Value::String(url.clone())),
                "expected https://… (http:// only for 127.0.0.1 or localhost): the login cookie must not travel in clear text",
            );
        }
    }
    let leaderboard = match s.string("leaderboard").as_deref() {
        None | Some("members") => LeaderboardVisibility::Members,
        Some("public") => LeaderboardVisibility::Public,
        Some("off") => LeaderboardVisibility::Off,
        Some(other) => {
            s.problem(
                "leaderboard",
                Some(&toml::Value::String(other.to_string())),
                "expected \"public\", \"members\" or \"off\"",
            );
            LeaderboardVisibility::Members
        }
    };
    Some(WebConfig {
        bind: bind?,
        public_url,
        leaderboard,
    })
}

/// `[onboarding]`.
fn read_onboarding(s: &mut Section<'_>) -> OnboardingConfig {
    let accepted_role = s.id("accepted_role").map(RoleId::new);
    let (welcome, welcome_message) = community::read_welcome(s);
    OnboardingConfig {
        accepted_role,
        welcome: Some(welcome),
        welcome_message,
        menu: s.string("menu"),
    }
}

/// `[[schedule]]` items: the standing schedules, in the community's zone and language.
/// `[schedule]` as a table holds the Events-tab settings instead (as `[events]` does); TOML
/// allows one or the other in a file.
fn read_schedules(
    reader: &Reader,
    root: &Table,
    community: Option<&CommunityConfig>,
    channels: &ChannelsConfig,
) -> Vec<ScheduleItem> {
    if matches!(root.get("schedule"), Some(toml::Value::Table(_))) {
        return Vec::new();
    }
    schedule::read_items(
        reader.array(root, "schedule"),
        community.map_or(Tz::UTC, |c| c.timezone),
        community.map_or(Locale::En, |c| c.default_locale),
        channels.announcements,
    )
}

/// The Events-tab settings: `[events]`, or `[schedule]` written as a table (not both).
fn read_events_tab(reader: &Reader, root: &Table) -> EventsConfig {
    let schedule_settings = matches!(root.get("schedule"), Some(toml::Value::Table(_)));
    if schedule_settings && root.get("events").is_none() {
        return reader.read(root, "schedule", read_events);
    }
    if schedule_settings {
        reader.problem(
            "schedule",
            None,
            "set the Events tab in [events] or in [schedule], not both",
        );
    }
    reader.read(root, "events", read_events)
}

/// Each `[[highlights.start_here]]` names a product that exists.
fn check_start_here(reader: &Reader, highlights: &HighlightsConfig, products: &[Product]) {
    for (i, h) in highlights.start_here.iter().enumerate() {
        if !products.iter().any(|p| p.id == h.product) {
            reader.problem(
                format!("highlights.start_here[{i}].product"),
                Some(&toml::Value::String(h.product.clone())),
                "no [[products]] has this id",
            );
        }
    }
}

/// What `[roles]` must agree with elsewhere: a required product exists, `onboarding.menu`
/// names a menu, and no menu role is one Lyceum already manages for another reason (a
/// product's, a level's, a staff or rules-acceptance role): two owners would undo each other.
fn check_role_menus(
    reader: &Reader,
    roles: &RolesConfig,
    onboarding: &OnboardingConfig,
    products: &[Product],
    points: &PointsConfig,
    staff: &StaffConfig,
) {
    let managed = |role: RoleId| -> Option<&'static str> {
        if products
            .iter()
            .any(|p| p.role == role || p.grace_role == Some(role))
        {
            Some("a product's role")
        } else if points.level_roles.iter().any(|l| l.role == role) {
            Some("a level role (points.level_roles)")
        } else if [staff.admin_role, staff.moderator_role].contains(&Some(role)) {
            Some("a staff role")
        } else if onboarding.accepted_role == Some(role) {
            Some("the rules-acceptance role (onboarding.accepted_role)")
        } else {
            None
        }
    };
    for (i, menu) in roles.menus.iter().enumerate() {
        if let Some(product) = &menu.required_product {
            if !products.iter().any(|p| &p.id == product) {
                let ids = products.iter().map(|p| p.id.as_str());
                let hint = suggest(product, ids)
                    .map(|s| format!(", did you mean \"{s}\"?"))
                    .unwrap_or_default();
                reader.problem(
                    format!("roles.menus[{i}].required_product"),
                    Some(&toml::Value::String(product.clone())),
                    format!("no [[products]] has this id{hint}"),
                );
            }
        }
        for (j, r) in menu.roles.iter().enumerate() {
            if let Some(owner) = managed(r.role) {
                reader.problem(
                    format!("roles.menus[{i}].roles[{j}].role"),
                    None,
                    format!("is already {owner}; a menu cannot also hand it out"),
                );
            }
        }
    }
    if let Some(menu) = &onboarding.menu {
        if roles.menu(menu).is_none() {
            let hint = suggest(menu, roles.menus.iter().map(|m| m.id.as_str()))
                .map(|s| format!(", did you mean \"{s}\"?"))
                .unwrap_or_default();
            reader.problem(
                "onboarding.menu",
                Some(&toml::Value::String(menu.clone())),
                format!("no [[roles.menus]] has this id{hint}"),
            );
        }
    }
}

/// `[events]`.
fn read_events(s: &mut Section<'_>) -> EventsConfig {
    let location = s.string("location").map(|l| l.trim().to_string());
    if location
        .as_ref()
        .is_some_and(|l| l.is_empty() || l.chars().count() > 100)
    {
        s.problem(
            "location",
            None,
            "must be 1 to 100 characters (Discord's limit)",
        );
    }
    let voice_channel = s.id("voice_channel").map(ChannelId::new);
    let stage_channel = s.id("stage_channel").map(ChannelId::new);
    if voice_channel.is_some() && stage_channel.is_some() {
        s.problem(
            "stage_channel",
            None,
            "set voice_channel or stage_channel, not both",
        );
    }
    EventsConfig {
        mirror_to_discord: s.boolean("mirror_to_discord").unwrap_or(false),
        location,
        voice_channel,
        stage_channel,
    }
}

/// `[channels]`.
fn read_channels(s: &mut Section<'_>) -> ChannelsConfig {
    ChannelsConfig {
        mod_log: s.id("mod_log").map(ChannelId::new),
        announcements: s.id("announcements").map(ChannelId::new),
        welcome: s.id("welcome").map(ChannelId::new),
        staff: s.id("staff").map(ChannelId::new),
        rules: s.id("rules").map(ChannelId::new),
        qa: s.id("qa").map(ChannelId::new),
        feedback: s.id("feedback").map(ChannelId::new),
        highlights: s.id("highlights").map(ChannelId::new),
        inbox: s.id("inbox").map(ChannelId::new),
    }
}

/// `[staff]`.
fn read_staff(s: &mut Section<'_>) -> StaffConfig {
    StaffConfig {
        admin_role: s.id("admin_role").map(RoleId::new),
        moderator_role: s.id("moderator_role").map(RoleId::new),
    }
}

/// `[outbox]`.
fn read_outbox(s: &mut Section<'_>) -> OutboxConfig {
    let retry_base = s.duration("retry_base").unwrap_or(Duration::from_secs(2));
    let retry_max = s.duration("retry_max").unwrap_or(Duration::from_secs(600));
    let keep_finished = s
        .duration("keep_finished")
        .unwrap_or(Duration::from_secs(30 * 86_400));
    let nonce_window = s
        .duration("nonce_window")
        .unwrap_or(Duration::from_secs(120));
    let concurrency = s.int("concurrency", 1..=64).unwrap_or(16) as usize;
    let global_rate_limit = s.int("global_rate_limit", 1..=10_000).unwrap_or(50) as u32;
    if retry_base.is_zero() {
        s.problem("retry_base", None, "must be longer than zero");
    }
    if retry_max < retry_base {
        s.problem(
            "retry_max",
            None,
            "must not be shorter than outbox.retry_base",
        );
    }
    OutboxConfig {
        retry_base,
        retry_max,
        keep_finished,
        nonce_window,
        concurrency,
        global_rate_limit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "[discord]\nguild_id = 42\n";

    fn problems(text: &str) -> Vec<String> {
        Config::parse(text)
            .expect_err("config should be rejected")
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// A role menu that would fight another owner of its role, name a product or menu that
    /// does not exist, or exceed Discord's 25 components is refused with the key to fix.
    #[test]
    fn role_menus_are_checked_against_the_rest_of_the_config() {
        let roles: String = (1..=26)
            .map(|r| {
                format!(
                    "[[roles.menus.roles]]\nrole = {}\nlabel = \"r{r}\"\n",
                    100 + r
                )
            })
            .collect();
        let text = format!(
            "[discord]\nguild_id = 1\n[points]\nlevel_roles = [{{ level = 2, role = 101 }}]\n\
             [onboarding]\nmenu = \"topic\"\n\
             [[roles.menus]]\nid = \"topics\"\ntitle = \"T\"\nrequired_product = \"pro\"\n{roles}"
        );
        let found = problems(&text);
        let has = |needle: &str| found.iter().any(|p| p.contains(needle));
        assert!(has("roles.menus[0].roles[0].role"), "{found:?}");
        assert!(has("is already a level role"), "{found:?}");
        assert!(has("roles.menus[0].required_product"), "{found:?}");
        assert!(has("at most 25 roles"), "{found:?}");
        assert!(
            has("onboarding.menu") && has("did you mean \"topics\"?"),
            "{found:?}"
        );
        let twice = problems(
            "[discord]\nguild_id = 1\n[[roles.menus]]\nid = \"a\"\ntitle = \"A\"\n\
             [[roles.menus.roles]]\nrole = 5\nlabel = \"x\"\n\
             [[roles.menus]]\nid = \"b\"\ntitle = \"B\"\n\
             [[roles.menus.roles]]\nrole = 5\nlabel = \"y\"\n",
        );
        assert!(
            twice
                .iter()
                .any(|p| p.contains("roles.menus[1].roles[0].role") && p.contains("offered twice")),
            "{twice:?}"
        );
    }

    /// `[schedule] mirror_to_discord = true`, as the issue names it, works in a file without
    /// standing schedules; with `[[schedule]]` items the same keys go in `[events]`.
    #[test]
    fn the_events_tab_switch_reads_from_schedule_or_events() {
        let as_table =
            Config::parse("[discord]\nguild_id = 1\n[schedule]\nmirror_to_discord = true\n")
                .unwrap();
        assert!(as_table.events.mirror_to_discord);
        assert!(as_table.schedules.is_empty());
        let beside = Config::parse(
            "[discord]\nguild_id = 1\n[channels]\nannouncements = 5\n[events]\nmirror_to_discord = true\n\
             [[schedule]]\nid = \"live\"\ntitle = \"Live\"\nwhen = \"2026-12-04 20:00\"\n",
        )
        .unwrap();
        assert!(beside.events.mirror_to_discord);
        assert_eq!(beside.schedules.len(), 1);
        let both = problems(
            "[discord]\nguild_id = 1\n[schedule]\nmirror_to_discord = true\n[events]\nmirror_to_discord = false\n",
        );
        assert!(both.iter().any(|p| p.contains("not both")), "{both:?}");
    }

    /// The mistakes creators make, each answered with what to write instead.
    #[test]
    fn typical_mistakes_say_what_to_write() {
        let syntax = problems("[discord]\nguild_id = 1\n[community]\nname = “我的社群”\n");
        assert_eq!(syntax.len(), 1, "{syntax:?}");
        assert!(
            syntax[0].starts_with("(file, line 4, column 8)"),
            "{syntax:?}"
        );
        assert!(
            syntax[0].contains("    name = “我的社群”\n           ^"),
            "{syntax:?}"
        );
        assert!(syntax[0].contains("use straight quotes"), "{syntax:?}");
        let zone = problems("[discord]\nguild_id = 1\n[community]\ntimezone = \"Asia/Beijing\"\n");
        assert!(
            zone[0].contains("did you mean \"Asia/Shanghai\""),
            "{zone:?}"
        );
        let emoji =
            problems("[discord]\nguild_id = 1\n[points]\nhelpful_emoji = \":white_check_mark:\"\n");
        assert!(emoji[0].starts_with("points.helpful_emoji"), "{emoji:?}");
        assert!(emoji[0].contains("\"✅\""), "{emoji:?}");
        let product = "[discord]\nguild_id = 1\n[[products]]\nid = \"pro\"\nname = \"Pro\"\nrole = 5\nprice = 9.9\ncurrency = \"RMB\"\n";
        let currency = problems(product);
        assert!(
            currency.iter().any(|p| p.contains("did you mean \"CNY\"")),
            "{currency:?}"
        );
    }

    /// A relative database path is the config file's neighbour, wherever Lyceum starts from;
    /// a missing file says how to make one.
    #[test]
    fn the_database_is_found_beside_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lyceum.toml");
        std::fs::write(&path, MINIMAL).unwrap();
        let config = Config::load(&path).unwrap();
        assert_eq!(config.database.path, dir.path().join("lyceum.db"));
        let missing = Config::load(&dir.path().join("nope.toml")).unwrap_err();
        assert!(
            missing.to_string().contains("copy config.example.toml"),
            "{missing}"
        );
    }

    #[test]
    fn minimal_config_takes_defaults() {
        let config = Config::parse(MINIMAL).unwrap();
        assert_eq!(config.discord.guild_id, GuildId::new(42));
        assert_eq!(config.discord.api_url, DISCORD_API);
        assert!(!config.discord.is_proxied());
        assert_eq!(config.database.path, PathBuf::from("lyceum.db"));
        assert_eq!(config.community.timezone, Tz::UTC);
        assert_eq!(config.community.default_locale, Locale::En);
        assert_eq!(config.web.bind.to_string(), "127.0.0.1:8080");
    }

    #[test]
    fn plain_http_is_refused_for_anything_but_this_machine() {
        for ok in [
            "http://127.0.0.1:9000",
            "http://localhost:1/",
            "http://[::1]:80",
            "https://discord.example",
        ] {
            let text = format!("[discord]\nguild_id = 1\napi_url = \"{ok}\"\n");
            assert!(Config::parse(&text).is_ok(), "{ok}");
        }
        for bad in [
            "http://10.0.0.5:9000",
            "http://discord.example",
            "http://127.0.0.1.evil.example/",
            "http://user@192.168.1.2",
        ] {
            let text = format!("[discord]\nguild_id = 1\napi_url = \"{bad}\"\n");
            let problems = Config::parse(&text).unwrap_err();
            let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
            assert!(
                shown
                    .iter()
                    .any(|p| p.starts_with("discord.api_url") && p.contains("clear text")),
                "{bad}: {shown:?}"
            );
        }
    }

    /// Every problem `text` has, as check-config prints them.
    fn shown_problems(text: &str) -> Vec<String> {
        Config::parse(text)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn points_and_shop_problems_name_their_keys() {
        let text = r#"
[discord]
guild_id = 1
[points]
message_min = 30
message_max = 20
level_roles = [{ level = 0, role = 5 }]
[shop]
items = [
  { id = "a", name = "A", price = 10, kind = "timed_role", role = 3 },
  { id = "a", name = "B", price = 0, kind = "gift" },
]
"#;
        let shown = shown_problems(text);
        let expect = [
            "points.message_min: must not be more than points.message_max (20)",
            "points.level_roles[0].level = 0: must be between 1 and 1000",
            "shop.items[0].duration: is required for a timed_role item, e.g. \"7d\"",
            "shop.items[1].price = 0: must be between 1 and 10000000",
            "shop.items[1].kind = \"gift\": expected \"role\", \"timed_role\" or \"manual\"",
            "shop.items[1].id: \"a\" is used by another item",
        ];
        for line in expect {
            assert!(
                shown.iter().any(|s| s == line),
                "missing {line:?} in {shown:#?}"
            );
        }
    }

    #[test]
    fn automod_problems_name_their_keys() {
        let text = r#"
[discord]
guild_id = 1
[automod.banned_words]
enabled = true
words = ["idiot", "", "IDIOT"]
action = "shout"
[automod.regex]
patterns = ["(unclosed"]
[[warnings.escalation]]
at_points = 3
action = "timeout"
duration = "30d"
"#;
        let shown = shown_problems(text);
        let expect = [
            "automod.banned_words.words[1] = \"\": must not be empty",
            "automod.banned_words.words[2] = \"IDIOT\": is listed twice",
            "automod.banned_words.action = \"shout\": expected \"delete\", \"delete_warn\", \"timeout\" or \"log\"",
            "warnings.escalation[0].duration: must be at most 28 days (Discord's limit)",
        ];
        for line in expect {
            assert!(
                shown.iter().any(|s| s == line),
                "missing {line:?} in {shown:#?}"
            );
        }
        assert!(
            shown
                .iter()
                .any(|s| s.starts_with("automod.regex.patterns[0]: not a valid regex")),
            "{shown:#?}"
        );
    }

    #[test]
    fn example_config_is_valid() {
        let config = Config::parse(include_str!("../../config.example.toml")).unwrap();
        assert_eq!(config.community.timezone, chrono_tz::Asia::Shanghai);
    }

    #[test]
    fn unknown_key_names_its_path_and_suggests() {
        let p = problems("[discord]\nguild_id = 1\n[community]\ntimezon = \"UTC\"\n");
        assert_eq!(
            p,
            vec!["community.timezon = \"UTC\": unknown key, did you mean \"timezone\"?"]
        );
    }

    #[test]
    fn unknown_section_is_reported() {
        let p = problems("[discord]\nguild_id = 1\n[comunity]\nname = \"x\"\n");
        assert_eq!(p.len(), 1);
        assert!(p[0].starts_with("comunity = "), "{p:?}");
        assert!(p[0].contains("did you mean [community]?"), "{p:?}");
    }

    #[test]
    fn bad_type_names_its_path() {
        let p = problems("[discord]\nguild_id = \"abc\"\n");
        assert_eq!(
            p,
            vec!["discord.guild_id = \"abc\": expected a Discord id (a positive integer, e.g. 123456789012345678)"]
        );
        let p = problems("[discord]\nguild_id = 1\n[community]\nname = 5\n");
        assert_eq!(
            p,
            vec!["community.name = 5: expected a string or a table keyed by locale (en, zh-CN)"]
        );
    }

    #[test]
    fn unknown_time_zone_suggests_the_closest() {
        let p = problems("[discord]\nguild_id = 1\n[community]\ntimezone = \"Asia/Shangai\"\n");
        assert_eq!(
            p,
            vec!["community.timezone = \"Asia/Shangai\": unknown IANA time zone, did you mean \"Asia/Shanghai\"?"]
        );
    }

    #[test]
    fn bad_locale_is_reported() {
        let p = problems("[discord]\nguild_id = 1\n[community]\ndefault_locale = \"fr\"\n");
        assert_eq!(
            p,
            vec!["community.default_locale = \"fr\": unknown locale; expected \"en\" or \"zh-CN\""]
        );
    }

    #[test]
    fn missing_guild_id_is_reported() {
        assert_eq!(
            problems("[community]\nname = \"x\"\n"),
            vec!["discord.guild_id: is required"]
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let p = problems(
            "[discord]\nowner_ids = [1, \"x\"]\n[community]\ntimezone = \"Mars/Base\"\nextra = 1\n[web]\nbind = \"nowhere\"\n[outbox]\nretry_base = \"soon\"\n",
        );
        let paths: Vec<&str> = p
            .iter()
            .map(|l| l.split([' ', ':']).next().unwrap())
            .collect();
        assert_eq!(
            paths,
            vec![
                "discord.guild_id",
                "discord.owner_ids[1]",
                "community.timezone",
                "community.extra",
                "web.bind",
                "outbox.retry_base",
            ],
            "{p:#?}"
        );
    }

    #[test]
    fn syntax_errors_are_one_problem_with_a_position() {
        let p = problems("[discord\nguild_id = 1\n");
        assert_eq!(p.len(), 1);
        assert!(p[0].starts_with("(file, line 1, column 9)"), "{p:?}");
        assert!(p[0].ends_with("    [discord\n            ^"), "{p:?}");
    }

    #[test]
    fn member_text_is_plain_or_per_locale() {
        let config = Config::parse(
            "[discord]\nguild_id = 1\n[community]\nname = { en = \"Lyceum\", \"zh-CN\" = \"学园\" }\n",
        )
        .unwrap();
        assert_eq!(config.community.name.get(Locale::ZhCn), "学园");
        assert_eq!(config.community.name.get(Locale::En), "Lyceum");
        let p = problems("[discord]\nguild_id = 1\n[community]\nname = { fr = \"x\" }\n");
        assert_eq!(
            p,
            vec![
                "community.name.fr = \"x\": unknown locale; expected \"en\" or \"zh-CN\"",
                "community.name = { fr = \"x\" }: needs at least one locale",
            ]
        );
    }

    #[test]
    fn durations_are_human_strings() {
        let config = Config::parse(
            "[discord]\nguild_id = 1\n[outbox]\nretry_base = \"250ms\"\nretry_max = \"30d\"\n",
        )
        .unwrap();
        assert_eq!(config.outbox.retry_base, Duration::from_millis(250));
        assert_eq!(config.outbox.retry_max, Duration::from_secs(30 * 86_400));
    }

    #[test]
    fn delivery_concurrency_and_the_global_limit_are_bounded() {
        let config = Config::parse("[discord]\nguild_id = 1\n").unwrap();
        assert_eq!(
            (config.outbox.concurrency, config.outbox.global_rate_limit),
            (16, 50)
        );
        let found = problems(
            "[discord]\nguild_id = 1\n[outbox]\nconcurrency = 0\nglobal_rate_limit = -5\n",
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("outbox.concurrency"), "{found:?}");
        assert!(found[1].contains("outbox.global_rate_limit"), "{found:?}");
    }

    #[test]
    fn reload_keeps_the_old_config_on_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, MINIMAL).unwrap();
        let shared = SharedConfig::new(Config::load(&path).unwrap(), Some(path.clone()));
        std::fs::write(
            &path,
            "[discord]\nguild_id = 42\n[community]\ntimezone = \"Nope\"\n",
        )
        .unwrap();
        assert!(shared.reload().is_err());
        assert_eq!(shared.snapshot().community.timezone, Tz::UTC);
        std::fs::write(
            &path,
            "[discord]\nguild_id = 43\n[community]\nname = \"New\"\n",
        )
        .unwrap();
        let outcome = shared.reload().unwrap();
        assert_eq!(shared.snapshot().community.name.get(Locale::En), "New");
        assert_eq!(outcome.restart_required, vec!["discord.guild_id"]);
    }
}
