//! `lyceum demo`: the real bot against the built-in simulated Discord, playing a short scripted
//! session and printing what members would have seen. No token, nothing leaves 127.0.0.1.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chrono_tz::Tz;

mod activity_scene;
mod setup_scene;
mod stripe_scene;

use crate::harness::sim::calls::admin;
use crate::harness::sim::harness::SimBot;
use crate::harness::sim::{ids, Fault, Recorded, Sim, SlashCall, World};

const WAIT: Duration = Duration::from_secs(15);

/// `at` in the community's time zone with its UTC offset (`2026-12-03 21:47 (UTC+8)`): an
/// abbreviation like `CST` means US Central to an American reader.
fn local_time(at: chrono::DateTime<chrono::Utc>, tz: Tz) -> String {
    use chrono::Offset;
    let local = at.with_timezone(&tz);
    let offset = local.offset().fix().local_minus_utc();
    let (sign, offset) = if offset < 0 {
        ('-', -offset)
    } else {
        ('+', offset)
    };
    let (hours, minutes) = (offset / 3600, offset % 3600 / 60);
    let offset = if minutes == 0 {
        format!("UTC{sign}{hours}")
    } else {
        format!("UTC{sign}{hours}:{minutes:02}")
    };
    format!("{} ({offset})", local.format("%Y-%m-%d %H:%M"))
}

/// A `<t:…:R>` as Discord shows it: "in 3 days", "5 minutes ago" — rounded to the nearest
/// unit, with moment.js's thresholds (45 s, 45 min, 22 h, 26 d, 11 months), as Discord's
/// client does: a lesson 5 days 23 hours away reads "in 6 days".
fn relative(delta: chrono::Duration) -> String {
    let seconds = delta.num_seconds();
    let magnitude = seconds.unsigned_abs();
    if magnitude < 45 {
        // The demo's clock and the transcript's may be a moment apart: neither way reads right.
        return "just now".into();
    }
    let (size, unit) = match magnitude {
        0..=2_699 => (60, "minute"),
        2_700..=79_199 => (3_600, "hour"),
        79_200..=2_246_399 => (86_400, "day"),
        2_246_400..=28_511_999 => (2_592_000, "month"),
        _ => (31_536_000, "year"),
    };
    let n = ((magnitude + size / 2) / size).max(1);
    let unit = if n == 1 {
        unit.to_string()
    } else {
        format!("{unit}s")
    };
    if seconds >= 0 {
        format!("in {n} {unit}")
    } else {
        format!("{n} {unit} ago")
    }
}

/// Replaces Discord mention and timestamp markup with readable names; timestamps are shown in
/// `tz` (Discord shows each member their own time zone; the transcript uses the community's),
/// relative ones from `now`, the bot's clock (the demo moves it past the wall clock).
pub fn render(world: &World, tz: Tz, now: chrono::DateTime<chrono::Utc>, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let Some(end) = tail.find('>') else {
            out.push_str(tail);
            return out;
        };
        let inner = &tail[1..end];
        let id = |s: &str| s.parse::<u64>().ok();
        let rendered = if let Some(role) = inner.strip_prefix("@&").and_then(id) {
            Some(format!("@{}", world.role_name(role)))
        } else if let Some(user) = inner.strip_prefix('@').and_then(id) {
            Some(format!("@{}", world.user_name(user)))
        } else if let Some(channel) = inner.strip_prefix('#').and_then(id) {
            Some(format!("#{}", world.channel_name(channel)))
        } else if let Some(ts) = inner.strip_prefix("t:") {
            let mut parts = ts.split(':');
            let at = parts
                .next()
                .and_then(|s| s.parse::<i64>().ok())
                .and_then(|s| chrono::DateTime::from_timestamp(s, 0));
            at.map(|at| match parts.next() {
                Some("R") => relative(at - now),
                _ => local_time(at, tz),
            })
        } else {
            None
        };
        match rendered {
            Some(r) => out.push_str(&r),
            None => out.push_str(&tail[..=end]),
        }
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    out
}

struct Script {
    sim: Sim,
    world: World,
    tz: Tz,
    /// The bot's clock: what the scenes sign and date with, so they agree with the bot.
    clock: Arc<crate::clock::OffsetClock>,
}

impl Script {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        crate::clock::Clock::now(&*self.clock)
    }

    fn say(&self, line: &str) {
        println!("{}", render(&self.world, self.tz, self.now(), line));
    }

    fn indent(&self, who: &str, text: &str) {
        let text = render(&self.world, self.tz, self.now(), text);
        let mut lines = text.lines();
        println!("  {who:>8} ▸ {}", lines.next().unwrap_or_default());
        for line in lines {
            println!("  {:>8}   {line}", "");
        }
    }

    async fn command(&self, call: SlashCall, shown: &str) -> anyhow::Result<()> {
        let who = self.world.user_name(call.user);
        let lang = match call.locale.as_deref().or(self
            .world
            .users
            .get(&call.user)
            .map(|u| u.locale.as_str()))
        {
            Some("zh-CN") => "  (Discord language: 中文)",
            _ => "",
        };
        println!("  {who:>8} ▸ {shown}{lang}");
        let reply = self.sim.slash(call).await?;
        let label = if reply.ephemeral {
            "Lyceum 👁"
        } else {
            "Lyceum"
        };
        self.indent(label, &reply.content);
        Ok(())
    }
}

impl Script {
    /// The owner grants `level` to `member` while Discord answers the role change with
    /// `faults`; shows the reply, the `nth` mod-log line and every delivery attempt.
    async fn grant_through(
        &self,
        member: u64,
        level: &str,
        role: u64,
        faults: Vec<Fault>,
    ) -> anyhow::Result<()> {
        let path = format!("/members/{member}/roles/{role}");
        let tries_needed = faults.len() + 1;
        self.sim.inject_faults("PUT", &path, faults);
        let name = self.world.user_name(member);
        let about = |r: &Recorded| {
            r.method == "POST"
                && r.path == format!("/channels/{}/messages", ids::CHANNEL_MOD_LOG)
                && r.body["content"]
                    .as_str()
                    .is_some_and(|c| c.contains(&format!("<@{member}>")))
        };
        let before = self.sim.requests().iter().filter(|r| about(r)).count();
        let call = grant_call(ids::OWNER, member, level);
        self.command(call, &format!("/admin grant target:@{name} level:{level}"))
            .await?;
        let deadline = tokio::time::Instant::now() + WAIT;
        let logged = loop {
            if let Some(found) = self
                .sim
                .requests()
                .into_iter()
                .filter(|r| about(r))
                .nth(before)
            {
                break found;
            }
            anyhow::ensure!(
                tokio::time::Instant::now() < deadline,
                "the mod-log message did not arrive"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        self.indent(
            "#mod-log",
            logged.body["content"].as_str().unwrap_or_default(),
        );
        self.sim
            .wait_request("PUT", &path, tries_needed, WAIT)
            .await
            .context("the role change was not delivered")?;
        let tries: Vec<Recorded> = self
            .sim
            .requests()
            .into_iter()
            .filter(|r| r.path.contains(&path))
            .collect();
        let took = tries[tries.len() - 1].at.duration_since(tries[0].at);
        let after = if tries.len() > 1 {
            format!(" (delivered {} ms after the first try)", took.as_millis())
        } else {
            String::new()
        };
        self.indent(
            "outbox",
            &format!(
                "add role <@&{role}> to <@{member}>: {}{after}",
                attempts(&tries)
            ),
        );
        Ok(())
    }
}

/// `/admin grant target:<target> level:<level>` run by `user`.
fn grant_call(user: u64, target: u64, level: &str) -> SlashCall {
    admin::grant(user, target, level)
}

fn attempts(requests: &[Recorded]) -> String {
    requests
        .iter()
        .map(|r| match r.status {
            200..=299 => format!("{} ✓", r.status),
            429 => "429 (waits retry_after)".to_string(),
            status => format!("{status} (retry)"),
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

pub async fn run(web: bool) -> anyhow::Result<()> {
    let dir = tempfile_dir()?;
    let sim = Sim::start().await?;
    let world = sim.world();
    println!(
        "Lyceum demo — the real bot against a simulated Discord on 127.0.0.1 (no token needed)\n"
    );
    println!(
        "Community  {} ({} members)",
        world.guild_name,
        world.members.len()
    );
    println!("People     @olivia (server owner), @mina, @kai (Discord in Chinese), @sam\n");

    setup_scene::init(&sim).await?;
    // What /about says goes in [community], which the simulated server's config opens.
    let config =
        crate::harness::sim::harness::config_text(&sim, &dir.join("lyceum.db"), &demo_config())
            .replacen("[community]\n", &format!("[community]\n{POSITIONING}"), 1)
            .replacen(
                "[channels]\n",
                &format!(
                    "[channels]\nhighlights = {}\ninbox = {}\n",
                    ids::CHANNEL_ANNOUNCEMENTS,
                    ids::CHANNEL_GENERAL
                ),
                1,
            );
    std::fs::write(dir.join("config.toml"), config)?;
    // The wall clock, which the activity scene moves a day forward (a challenge's second day).
    let clock = Arc::new(crate::clock::OffsetClock::default());
    let bot = SimBot::start_clocked(sim.clone(), &dir, "", clock.clone()).await?;
    // The community's full config (with its warning ladder) from here on.
    setup_scene::invite_url(&bot.app.state.config.snapshot());
    let commands = sim.registered_commands();
    let names = |field: &dyn Fn(&serde_json::Value) -> Option<String>| {
        commands
            .iter()
            .filter(|c| c["type"] == 1)
            .filter_map(field)
            .map(|n| format!("/{n}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let menus: Vec<String> = commands
        .iter()
        .filter(|c| c["type"] == 3)
        .map(|c| {
            format!(
                "“{}” ({})",
                c["name"].as_str().unwrap_or_default(),
                c["name_localizations"]["zh-CN"]
                    .as_str()
                    .unwrap_or_default()
            )
        })
        .collect();
    println!(
        "✓ Bot connected (IDENTIFY → READY → GUILD_CREATE) and registered {} in English and 中文 ({}), and the message menu {}.\n",
        names(&|c| c["name"].as_str().map(str::to_string)),
        names(&|c| c["name_localizations"]["zh-CN"].as_str().map(str::to_string)),
        menus.join(", "),
    );
    let tz = bot.app.state.config.snapshot().community.timezone;
    let script = Script {
        sim: sim.clone(),
        world,
        tz,
        clock: clock.clone(),
    };
    println!("(👁 marks an ephemeral reply: only the member who ran the command sees it. Times are in {tz}.)\n");

    script.say("── Scene 1 · The owner appoints a moderator");
    script
        .grant_through(ids::MINA, "moderator", ids::ROLE_MODERATOR, Vec::new())
        .await?;
    println!();

    script.say("── Scene 2 · Members try privileged commands; the server says no");
    script
        .command(
            grant_call(ids::KAI, ids::KAI, "admin"),
            "/admin grant target:@kai level:admin",
        )
        .await?;
    script
        .command(admin::reload(ids::MINA), "/admin reload")
        .await?;
    script
        .command(
            grant_call(ids::MINA, ids::KAI, "moderator"),
            "/admin grant target:@kai level:moderator",
        )
        .await?;
    println!();

    script.say("── Scene 3 · The owner appoints an admin; staff look around");
    script
        .grant_through(ids::KAI, "admin", ids::ROLE_ADMIN, Vec::new())
        .await?;
    script
        .command(admin::list(ids::MINA), "/admin list")
        .await?;
    script
        .command(admin::audit(ids::OWNER), "/admin audit")
        .await?;
    script
        .command(admin::outbox(ids::OWNER).locale("zh-CN"), "/admin outbox")
        .await?;
    println!();

    points_scene(&script, &bot.app.state).await?;
    rules_scene(&script, &bot.app.state).await?;
    events_scene(&script, bot.app.web_addr).await?;
    plan_scene(&script, &bot.app.state).await?;
    membership_scene(&script).await?;
    stripe_scene::run(&script, bot.app.web_addr).await?;
    community_scene(&script, &bot.app.state).await?;
    activity_scene::run(&script, &bot.app.state, &clock).await?;
    // Last of the community's scenes, so the ranks shown above are the community's own.
    setup_scene::import_mee6(&bot.app.state, &script.world).await?;
    under_the_hood(&script).await?;
    storm_scene(&script).await?;

    let requests = sim.requests();
    println!(
        "Done: {} REST calls reached the simulated Discord; every reply above is what members saw.",
        requests.len()
    );
    println!("Next: `cargo test` runs the same bot through these and harder scenarios.");
    if web {
        keep_serving(&sim, bot.app.web_addr).await;
    }
    bot.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// `demo --web`: the community keeps running; one-click links sign a browser in to the
/// simulated Discord as a member or the owner and start the real login.
async fn keep_serving(sim: &Sim, web: std::net::SocketAddr) {
    let login = format!("http://{web}/login");
    let link = |user: u64| {
        let mut url = url::Url::parse(&format!("{}/demo/sign-in", sim.api_url())).expect("a URL");
        url.query_pairs_mut()
            .append_pair("user", &user.to_string())
            .append_pair("next", &login);
        url.to_string()
    };
    println!("\n══ The web pages ══\n");
    println!("The community keeps running on 127.0.0.1 until Ctrl-C. Open in a browser:");
    println!("  the community page       http://{web}/");
    println!("  log in as @mina (member) {}", link(ids::MINA));
    println!(
        "  log in as @olivia (owner, sees /staff) {}",
        link(ids::OWNER)
    );
    println!("(Each link signs the browser in to the simulated Discord, whose consent page says yes, then runs Lyceum's real Discord login.)");
    let _ = tokio::signal::ctrl_c().await;
}

/// What the demo community says about itself in /about.
const POSITIONING: &str = r#"tagline = { en = "Learn Rust by shipping real projects", "zh-CN" = "在真实项目中学 Rust" }
value = { en = "A chapter a week, live code reviews, answers from working Rust engineers", "zh-CN" = "每周一章、直播代码评审、一线 Rust 工程师答疑" }
audience = { en = "Developers moving to Rust", "zh-CN" = "转向 Rust 的开发者" }
"#;

/// The engineering scenes, after the community's: Discord failing in the three ways a bot
/// meets every week, and nothing lost (the launch storm follows).
async fn under_the_hood(script: &Script) -> anyhow::Result<()> {
    let sim = &script.sim;
    println!("══ Under the hood ══\n");
    script.say("── Discord has an outage while the owner appoints a moderator");
    println!("  ⚡ Discord will answer the next two role changes with 500 Internal Server Error");
    let faults = vec![Fault::Status(500), Fault::Status(500)];
    script
        .grant_through(ids::SAM, "moderator", ids::ROLE_MODERATOR, faults)
        .await?;
    script.indent(
        "Discord",
        &format!(
            "<@{}> now has the roles: {}",
            ids::SAM,
            sim.member_roles(ids::SAM)
                .iter()
                .map(|r| format!("<@&{r}>"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    println!();

    script.say("── Discord rate-limits the bot while the owner appoints an admin");
    println!("  ⚡ Discord will answer the next role change with 429 Too Many Requests (retry_after 0.5 s)");
    let faults = vec![Fault::RateLimited(0.5)];
    script
        .grant_through(ids::SAM, "admin", ids::ROLE_ADMIN, faults)
        .await?;
    println!();

    script.say("── The gateway connection drops mid-session");
    let (_, resumes) = sim.gateway_counts();
    sim.drop_gateway();
    println!("  ⚡ the bot's websocket was cut without a close frame");
    let deadline = tokio::time::Instant::now() + WAIT;
    while sim.gateway_counts().1 == resumes {
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "the bot did not resume"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!("  ✓ the bot reconnected and RESUMEd its session (missed events replayed)");
    script
        .command(
            admin::list(ids::OWNER).integer("page", 1),
            "/admin list page:1",
        )
        .await?;
    println!();
    Ok(())
}

/// The demo community's points and shop (fixed 20 points a message, so the transcript reads
/// the same every time; real communities use a range).
fn demo_config() -> String {
    format!(
        r#"
[points]
message_min = 20
message_max = 20
level_up_channel = {announcements}
level_roles = [{{ level = 1, role = {regular} }}]

[shop]
items = [{{ id = "pro-trial", name = {{ en = "7 days of Pro", "zh-CN" = "7 天 Pro 体验" }}, price = 100, kind = "timed_role", role = {pro}, duration = "7d" }}]

[automod.banned_words]
enabled = true
words = ["idiot", "傻瓜"]
action = "delete_warn"

[[warnings.escalation]]
at_points = 2
action = "timeout"
duration = "1h"

[[content_plan]]
kind = "article"
channel = {general}
tag = "+article"
target = "3/week"

[[products]]
id = "rust-course"
kind = "course"
name = {{ en = "Rust course", "zh-CN" = "Rust 课程" }}
role = {course}
channels = [{course_channel}]
duration = "lifetime"
price = 99

[[products.lessons]]
title = {{ en = "Ownership", "zh-CN" = "所有权" }}
link = "https://discord.com/channels/{guild}/{course_channel}"
unlock_after = "0d"

[[products.lessons]]
title = {{ en = "Lifetimes", "zh-CN" = "生命周期" }}
link = "https://discord.com/channels/{guild}/{course_channel}"
unlock_after = "7d"

# Demo-length times (real products use days): the expiry scene ends in seconds.
[[products]]
id = "pro"
name = {{ en = "Pro membership", "zh-CN" = "专业会员" }}
role = {pro}
duration = "30d"
price = 29
grace = "1s"
renew_reminders = ""
payment_link = "https://buy.stripe.com/demo_pro"

[qa]
default_price = 50
default_within = "48h"
listen_price = 10
listen_split = "50:50"

[referrals]
credit = "points:500"
hold = "14d"

[[highlights.topics]]
id = "basics"
name = {{ en = "Getting started", "zh-CN" = "入门" }}

[[highlights.start_here]]
product = "pro"

[[roles.menus]]
id = "topics"
title = {{ en = "Pick your topics", "zh-CN" = "选择你的话题" }}
[[roles.menus.roles]]
role = {topic}
label = {{ en = "Async Rust", "zh-CN" = "异步 Rust" }}
emoji = "⚡"
"#,
        announcements = ids::CHANNEL_ANNOUNCEMENTS,
        general = ids::CHANNEL_GENERAL,
        regular = ids::ROLE_REGULAR,
        pro = ids::ROLE_PRO,
        course = ids::ROLE_COURSE,
        course_channel = ids::CHANNEL_COURSE,
        guild = ids::GUILD,
        topic = ids::ROLE_TOPIC,
    )
}

impl Script {
    /// A member posts in #general; shows the line and waits until the bot handled it.
    async fn chat(
        &self,
        state: &crate::state::AppState,
        author: u64,
        text: &str,
        note: &str,
    ) -> anyhow::Result<()> {
        let id = self.sim.message_create(ids::CHANNEL_GENERAL, author, text);
        let name = self.world.user_name(author);
        println!("  {:>8} ▸ {text}   {note}", format!("#general @{name}"));
        let deadline = tokio::time::Instant::now() + WAIT;
        while crate::features::points::engine(state)
            .author_of(serenity::all::MessageId::new(id))
            .is_none()
        {
            anyhow::ensure!(
                tokio::time::Instant::now() < deadline,
                "the message was not handled"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Ok(())
    }

    /// Waits for the `n`th message the bot posts in `channel` and shows it.
    async fn channel_post(&self, channel: u64, n: usize, label: &str) -> anyhow::Result<()> {
        let path = format!("/channels/{channel}/messages");
        let posted = self
            .sim
            .wait_request("POST", &path, n, WAIT)
            .await
            .context("the channel message did not arrive")?;
        self.indent(label, posted.body["content"].as_str().unwrap_or_default());
        Ok(())
    }

    /// Waits for the role PUT and shows it.
    async fn role_added(&self, member: u64, role: u64) -> anyhow::Result<()> {
        let path = format!("/members/{member}/roles/{role}");
        self.sim
            .wait_request("PUT", &path, 1, WAIT)
            .await
            .context("the role was not added")?;
        self.indent("Discord", &format!("<@{member}> got the role <@&{role}>"));
        Ok(())
    }
}

/// Scene 4: members earn points, one levels up, one buys a timed role, the leaderboard.
async fn points_scene(script: &Script, state: &crate::state::AppState) -> anyhow::Result<()> {
    script.say("── Scene 4 · Members earn points by taking part");
    script
        .chat(
            state,
            ids::MINA,
            "Has anyone finished chapter 3 of the course?",
            "(+20)",
        )
        .await?;
    script
        .chat(
            state,
            ids::MINA,
            "The part on spaced repetition is great",
            "(within the 60 s cooldown: no points)",
        )
        .await?;
    script
        .chat(
            state,
            ids::KAI,
            "我看完了，第三章讲得很清楚",
            "(Chinese counts by character: +20)",
        )
        .await?;
    script
        .command(SlashCall::new(ids::KAI, "checkin"), "/checkin")
        .await?;
    script
        .command(
            SlashCall::new(ids::OWNER, "points")
                .subcommand("give")
                .user_option("member", ids::MINA)
                .integer("amount", 100)
                .string("reason", "great chapter summary"),
            "/points give member:@mina amount:100 reason:great chapter summary",
        )
        .await?;
    script
        .channel_post(ids::CHANNEL_ANNOUNCEMENTS, 1, "#announce")
        .await?;
    script.role_added(ids::MINA, ids::ROLE_REGULAR).await?;
    script
        .command(
            SlashCall::new(ids::MINA, "points").subcommand("show"),
            "/points show",
        )
        .await?;
    script
        .command(
            SlashCall::new(ids::MINA, "shop")
                .subcommand("buy")
                .string("item", "pro-trial"),
            "/shop buy item:pro-trial",
        )
        .await?;
    script.role_added(ids::MINA, ids::ROLE_PRO).await?;
    script
        .command(
            SlashCall::new(ids::MINA, "points").subcommand("history"),
            "/points history",
        )
        .await?;
    script
        .command(SlashCall::new(ids::KAI, "leaderboard"), "/leaderboard")
        .await?;
    println!();
    Ok(())
}

/// Scene 5: automod in English and Chinese, a DM and a warning each, the escalation ladder,
/// and `/automod test`.
async fn rules_scene(script: &Script, state: &crate::state::AppState) -> anyhow::Result<()> {
    script.say("── Scene 5 · Automod keeps the atmosphere (in English and Chinese)");
    let english = script.sim.message_create(
        ids::CHANNEL_GENERAL,
        ids::SAM,
        "only an idiot would skip chapter 1",
    );
    println!("  #general @sam ▸ only an idiot would skip chapter 1");
    script
        .sim
        .wait_request("DELETE", &format!("/messages/{english}"), 1, WAIT)
        .await
        .context("the message was not deleted")?;
    script.indent("Discord", "the message is deleted");
    let dms = || -> Vec<String> {
        script
            .sim
            .requests()
            .into_iter()
            .filter(|r| {
                let text = r.body["content"].as_str().unwrap_or_default();
                r.method == "POST" && (text.contains("broke the rule") || text.contains("违反了"))
            })
            .map(|r| r.body["content"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let deadline = tokio::time::Instant::now() + WAIT;
    while dms().is_empty() {
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "no DM");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let refused = script
        .sim
        .requests()
        .into_iter()
        .find(|r| r.body["content"].as_str() == Some(dms()[0].as_str()))
        .map_or(200, |r| r.status);
    script
        .delivered_or_not(ids::SAM, refused, &dms()[0])
        .await?;
    let chinese = script
        .sim
        .message_create(ids::CHANNEL_GENERAL, ids::SAM, "你这个傻瓜");
    println!("  #general @sam ▸ 你这个傻瓜");
    script
        .sim
        .wait_request("DELETE", &format!("/messages/{chinese}"), 1, WAIT)
        .await
        .context("the Chinese message was not deleted")?;
    script.indent("Discord", "the message is deleted");
    let timeout = format!("/guilds/{}/members/{}", ids::GUILD, ids::SAM);
    script
        .sim
        .wait_request("PATCH", &timeout, 1, WAIT)
        .await
        .context("the escalation did not time sam out")?;
    script.indent(
        "ladder",
        "2 warning points reached: @sam is timed out for 1 hour (once, through the outbox)",
    );
    script
        .command(
            SlashCall::new(ids::OWNER, "warnings").user_option("member", ids::SAM),
            "/warnings member:@sam",
        )
        .await?;
    script
        .command(
            SlashCall::new(ids::MINA, "automod")
                .subcommand("test")
                .string("text", "ｉ\u{200B}ｄｉｏｔ"),
            "/automod test text:ｉ(zero-width space)ｄｉｏｔ",
        )
        .await?;
    let _ = state;
    println!();
    Ok(())
}

/// Scene 6: a livestream announced with RSVP buttons, a member answers Going, the feed.
async fn events_scene(script: &Script, web: std::net::SocketAddr) -> anyhow::Result<()> {
    script.say("── Scene 6 · A livestream is announced; members RSVP");
    script
        .command(
            SlashCall::new(ids::OWNER, "event")
                .subcommand("preview")
                .string("when", "周五 20:00")
                .string("repeat", "monthly on the first friday")
                .integer("count", 3),
            "/event preview when:周五 20:00 repeat:monthly on the first friday count:3",
        )
        .await?;
    script
        .command(
            SlashCall::new(ids::OWNER, "event")
                .subcommand("create")
                .string("title", "Monthly livestream: Q&A")
                .string("when", "in 2s")
                .string("description", "Bring your questions about chapter 3."),
            "/event create title:Monthly livestream: Q&A when:in 2s",
        )
        .await?;
    let path = format!("/channels/{}/messages", ids::CHANNEL_ANNOUNCEMENTS);
    let before = script
        .sim
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.contains(&path))
        .count();
    let posted = script
        .sim
        .wait_request("POST", &path, before + 1, WAIT)
        .await
        .context("the livestream was not announced")?;
    let embed = &posted.body["embeds"][0];
    script.indent(
        "#announce",
        &format!(
            "{}\n{}\n{}: {}\n[ {} ] [ {} ] [ {} ]",
            embed["title"].as_str().unwrap_or_default(),
            embed["description"].as_str().unwrap_or_default(),
            embed["fields"][0]["name"].as_str().unwrap_or_default(),
            embed["fields"][0]["value"].as_str().unwrap_or_default(),
            posted.body["components"][0]["components"][0]["label"]
                .as_str()
                .unwrap_or_default(),
            posted.body["components"][0]["components"][1]["label"]
                .as_str()
                .unwrap_or_default(),
            posted.body["components"][0]["components"][2]["label"]
                .as_str()
                .unwrap_or_default(),
        ),
    );
    let message: u64 = posted.response["id"].as_str().unwrap_or("0").parse()?;
    let going = posted.body["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (press, _) = script
        .sim
        .press(ids::MINA, ids::CHANNEL_ANNOUNCEMENTS, message, &going)?;
    println!("      mina ▸ presses [ Going ]");
    let response = script
        .sim
        .wait_response(press)
        .await
        .context("the RSVP was not answered")?;
    script.indent(
        "#announce",
        &format!(
            "(the same message, updated) RSVP: {}",
            response["data"]["embeds"][0]["fields"][0]["value"]
                .as_str()
                .unwrap_or_default()
        ),
    );
    println!(
        "  calendar ▸ members subscribe to http://{web}/calendar.ics (behind your reverse proxy)"
    );
    println!();
    Ok(())
}

/// Scene 7: the creator checks the content plan after publishing one article.
async fn plan_scene(script: &Script, state: &crate::state::AppState) -> anyhow::Result<()> {
    script.say("── Scene 7 · The creator checks the content plan");
    script.sim.message_create(
        ids::CHANNEL_GENERAL,
        ids::OWNER,
        "+article Chapter 3 notes are up",
    );
    println!(
        "  #general @olivia ▸ +article Chapter 3 notes are up   (a staff post with the plan's tag counts)"
    );
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM content_posts")
            .fetch_one(&state.db.read)
            .await?;
        if n > 0 {
            break;
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "the article was not counted"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    script
        .command(
            SlashCall::new(ids::OWNER, "plan").subcommand("show"),
            "/plan show",
        )
        .await?;
    println!();
    Ok(())
}

impl Script {
    /// Waits for a DM from the bot starting with `prefix` and shows what really happened: the
    /// DM, or Discord refusing it (closed DMs) and where the message went instead.
    async fn dm(&self, to: u64, prefix: &str) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            // Not a post in an inbox thread: that is where a refused DM goes, not a DM.
            let threads: Vec<String> = self
                .sim
                .private_threads(ids::CHANNEL_GENERAL)
                .into_iter()
                .map(|(id, _, _)| format!("/channels/{id}/"))
                .collect();
            let found = self.sim.requests().into_iter().find(|r| {
                r.method == "POST"
                    && r.path.starts_with("/channels/")
                    && !threads.iter().any(|t| r.path.starts_with(t.as_str()))
                    && r.body["content"]
                        .as_str()
                        .is_some_and(|c| c.starts_with(prefix))
            });
            if let Some(found) = found {
                let text = found.body["content"].as_str().unwrap_or_default();
                return self.delivered_or_not(to, found.status, text).await;
            }
            anyhow::ensure!(tokio::time::Instant::now() < deadline, "no DM {prefix}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// A DM to `to` with `status` from Discord: shown as sent, or as refused with where it
    /// went instead (the inbox thread once it is there, the member's /me page, the mod log).
    async fn delivered_or_not(&self, to: u64, status: u16, text: &str) -> anyhow::Result<()> {
        let name = self.world.user_name(to);
        if status < 300 {
            self.indent(&format!("DM @{name}"), text);
            return Ok(());
        }
        self.indent(
            "Discord",
            &format!("refuses the DM to @{name} ({status}: their DMs are closed) — it said:"),
        );
        self.indent("", text);
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let threads = self.sim.private_threads(ids::CHANNEL_GENERAL);
            let posted = threads.iter().find_map(|(id, name, members)| {
                let body = self.sim.messages_in(*id);
                let last = body.last()?["content"].as_str()?.to_string();
                (members.contains(&to) && last.contains(text.lines().next().unwrap_or_default()))
                    .then(|| (name.clone(), last))
            });
            if let Some((thread, _)) = posted {
                self.indent(
                    "Lyceum",
                    &format!(
                        "posts it in the private thread “{thread}” under #general (only @{name} and staff see it), keeps it on @{name}'s /me page and at their next command, and tells the mod log"
                    ),
                );
                return Ok(());
            }
            anyhow::ensure!(
                tokio::time::Instant::now() < deadline,
                "no inbox thread for @{name}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Scene 8: a course channel gated, codes made and one redeemed (the channel opens), a
/// membership that runs out after grace, the month's revenue.
async fn membership_scene(script: &Script) -> anyhow::Result<()> {
    script.say("── Scene 8 · Paid access: a course behind a gate, a redeem code, an expiry, the month's revenue");
    let sim = &script.sim;
    script
        .command(
            SlashCall::new(ids::OWNER, "gate").subcommand("check"),
            "/gate check",
        )
        .await?;
    println!("    olivia ▸ /gate apply");
    let (asked, _) = sim.invoke(&SlashCall::new(ids::OWNER, "gate").subcommand("apply"))?;
    let reply = sim
        .wait_reply(asked)
        .await
        .context("no /gate apply reply")?;
    script.indent("Lyceum 👁", &reply.content);
    let button = reply.raw["components"][0]["components"][0]["label"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    println!("    olivia ▸ [{button}]");
    let (press, _) = sim.press_on_reply(ids::OWNER, asked, "lyceum:gate:apply")?;
    let done = sim
        .wait_response(press)
        .await
        .context("no answer to the press")?;
    script.indent(
        "Lyceum 👁",
        done["data"]["content"].as_str().unwrap_or_default(),
    );
    sim.wait_request("PUT", "/permissions/", 3, WAIT)
        .await
        .context("the overwrites did not arrive")?;
    script.indent(
        "Discord",
        &format!(
            "<#{}> is now hidden from @everyone and open to <@&{}>",
            ids::CHANNEL_COURSE,
            ids::ROLE_COURSE
        ),
    );

    println!("    olivia ▸ /code create product:rust-course count:3 price:99");
    let created = sim
        .slash(
            SlashCall::new(ids::OWNER, "code")
                .subcommand("create")
                .string("product", "rust-course")
                .integer("count", 3)
                .number("price", 99.0),
        )
        .await?;
    script.indent("Lyceum 👁", &created.content);
    let csv = created.raw["_files"][0]["content"]
        .as_str()
        .unwrap_or_default();
    let codes: Vec<&str> = csv
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .collect();
    let file = created.raw["_files"][0]["filename"]
        .as_str()
        .unwrap_or_default();
    script.indent("📎", &format!("{file}: {}", codes.join(", ")));
    let code = codes.first().copied().context("no code in the CSV")?;
    script
        .command(
            SlashCall::new(ids::MINA, "redeem").string("code", code),
            &format!("/redeem code:{code}"),
        )
        .await?;
    script.role_added(ids::MINA, ids::ROLE_COURSE).await?;
    let deadline = tokio::time::Instant::now() + WAIT;
    while !sim.can_view(ids::CHANNEL_COURSE, ids::MINA) {
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "the channel did not open"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    script.indent(
        "Discord",
        &format!(
            "<#{}> is visible to <@{}>: {} · to <@{}>: {}",
            ids::CHANNEL_COURSE,
            ids::MINA,
            if sim.can_view(ids::CHANNEL_COURSE, ids::MINA) {
                "yes"
            } else {
                "no"
            },
            ids::KAI,
            if sim.can_view(ids::CHANNEL_COURSE, ids::KAI) {
                "yes"
            } else {
                "no"
            },
        ),
    );

    script
        .command(
            SlashCall::new(ids::OWNER, "membership")
                .subcommand("grant")
                .user_option("member", ids::SAM)
                .string("product", "pro")
                .string("duration", "2s")
                .number("paid", 29.0),
            "/membership grant member:@sam product:pro duration:2s paid:29   (Sam paid by transfer; demo-length, grace is 1 s here)",
        )
        .await?;
    script.role_added(ids::SAM, ids::ROLE_PRO).await?;
    script.dm(ids::SAM, "⌛").await?;
    let path = format!("/members/{}/roles/{}", ids::SAM, ids::ROLE_PRO);
    sim.wait_request("DELETE", &path, 1, WAIT)
        .await
        .context("the Pro role was not removed")?;
    script.indent(
        "Discord",
        &format!(
            "<@{}> lost the role <@&{}> (paid time and grace over)",
            ids::SAM,
            ids::ROLE_PRO
        ),
    );
    script.dm(ids::SAM, "🔒").await?;
    script
        .command(
            SlashCall::new(ids::OWNER, "revenue").subcommand("show"),
            "/revenue show",
        )
        .await?;
    println!();
    Ok(())
}

/// Under the hood, last: a launch grants Pro to 120 members at once; their role changes go out as fast as
/// Discord's limits allow, several at a time, without a single 429.
async fn storm_scene(script: &Script) -> anyhow::Result<()> {
    const ATTENDEES: usize = 120;
    script.say(&format!(
        "── A launch: {ATTENDEES} webinar attendees get Pro at once, within Discord's rate limits"
    ));
    let sim = &script.sim;
    let members = sim.add_quiet_members(800_000_000_000_000_000, ATTENDEES);
    sim.set_rate_limits(crate::harness::sim::limits::RateLimits {
        latency: Duration::from_millis(30),
        ..Default::default()
    });
    println!("  ⚡ Discord answers after 30 ms and allows 50 requests/s, plus per-route buckets announced in X-RateLimit headers");
    println!("    olivia ▸ /membership grant member:@attendee product:pro   (×{ATTENDEES})");
    // The grants arrive together, as from a launch's redeem rush.
    let began = std::time::Instant::now();
    let mut asked = Vec::with_capacity(members.len());
    for member in &members {
        let call = SlashCall::new(ids::OWNER, "membership")
            .subcommand("grant")
            .user_option("member", *member)
            .string("product", "pro");
        asked.push(sim.invoke(&call)?.0);
    }
    let mut first = None;
    for id in asked {
        let reply = sim
            .wait_reply(id)
            .await
            .context("no /membership grant reply")?;
        first.get_or_insert(reply.content);
    }
    // Rendered with today's member list: the attendees joined after the script began.
    let first = render(
        &sim.world(),
        script.tz,
        script.now(),
        &first.unwrap_or_default(),
    );
    println!("  {:>8} ▸ {first}", "Lyceum 👁");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !members
        .iter()
        .all(|m| sim.member_roles(*m).contains(&ids::ROLE_PRO))
    {
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "the role changes did not all arrive"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let refused = sim.rate_limited();
    println!(
        "  ✓ {ATTENDEES} role changes reached Discord {:.1} s after the first command, up to {} at once; {}",
        began.elapsed().as_secs_f64(),
        sim.max_in_flight(),
        if refused == 0 {
            "none answered 429".to_string()
        } else {
            format!("{refused} answered 429")
        }
    );
    println!();
    Ok(())
}

/// Scene 10: a member reads /about, sends feedback that staff mark done, asks a paid question
/// that is answered; the owner looks at /stats and the chart is saved beside the transcript.
async fn community_scene(script: &Script, state: &crate::state::AppState) -> anyhow::Result<()> {
    script.say("── Scene 10 · Community: about, feedback, a paid question, the numbers");
    let sim = &script.sim;
    println!("      mina ▸ /about");
    let about = sim.slash(SlashCall::new(ids::MINA, "about")).await?;
    let embed = &about.raw["embeds"][0];
    let mut lines = vec![format!(
        "**{}** — {}",
        embed["title"].as_str().unwrap_or_default(),
        embed["description"].as_str().unwrap_or_default()
    )];
    for field in embed["fields"].as_array().into_iter().flatten() {
        lines.push(format!("{}:", field["name"].as_str().unwrap_or_default()));
        for line in field["value"].as_str().unwrap_or_default().lines() {
            lines.push(format!("  {line}"));
        }
    }
    script.indent("Lyceum 👁", &lines.join("\n"));
    script
        .command(
            SlashCall::new(ids::MINA, "feedback")
                .subcommand("send")
                .string("text", "Could we get a session on async Rust?")
                .choice("kind", "content_request"),
            "/feedback send text:Could we get a session on async Rust? kind:content_request",
        )
        .await?;
    let deadline = tokio::time::Instant::now() + WAIT;
    let posted = loop {
        let found = sim.messages_in(ids::CHANNEL_MOD_LOG).into_iter().find(|m| {
            m["embeds"][0]["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("💬"))
        });
        if let Some(found) = found {
            break found;
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "the feedback did not reach staff"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let message: u64 = posted["id"]
        .as_str()
        .and_then(|i| i.parse().ok())
        .context("no message id")?;
    script.indent(
        "#mod-log",
        &format!(
            "{} — {}  [Planned] [Done] [Declined] [Reply]",
            posted["embeds"][0]["title"].as_str().unwrap_or_default(),
            posted["embeds"][0]["description"]
                .as_str()
                .unwrap_or_default()
        ),
    );
    println!("    olivia ▸ [Done]");
    let (press, _) = sim.press(
        ids::OWNER,
        ids::CHANNEL_MOD_LOG,
        message,
        "lyceum:fb:1:done",
    )?;
    sim.wait_response(press)
        .await
        .context("no answer to the press")?;
    script.dm(ids::MINA, "📬").await?;
    // Staff answer the author from the same post: a form, then a DM in the author's language.
    println!(
        "    olivia ▸ [Reply] ▸ \"Yes — the async Rust session is on the calendar for next week.\""
    );
    let (press, _) = sim.press(ids::OWNER, ids::CHANNEL_MOD_LOG, message, "lyceum:fbr:1")?;
    sim.wait_response(press).await.context("no reply form")?;
    let (submitted, _) = sim.submit_modal(
        ids::OWNER,
        "lyceum:fbr:1",
        &[(
            "reply",
            "Yes — the async Rust session is on the calendar for next week.",
        )],
    );
    sim.wait_reply(submitted)
        .await
        .context("no answer to the reply form")?;
    script.dm(ids::MINA, "💬").await?;

    script
        .command(
            SlashCall::new(ids::MINA, "ask")
                .user_option("expert", ids::OWNER)
                .string("question", "Tokio or async-std for a new bot?"),
            "/ask expert:@olivia question:Tokio or async-std for a new bot?",
        )
        .await?;
    script
        .command(
            SlashCall::new(ids::OWNER, "answer")
                .integer("question_id", 1)
                .string("text", "Tokio: the ecosystem (serenity, sqlx, axum) is built on it."),
            "/answer question_id:1 text:Tokio: the ecosystem (serenity, sqlx, axum) is built on it.",
        )
        .await?;
    // 围观: the answer is posted with a Listen button; Kai pays 10 points to read it, split
    // between the asker and the expert.
    let deadline = tokio::time::Instant::now() + WAIT;
    let answer_post = loop {
        let found = sim
            .messages_in(ids::CHANNEL_ANNOUNCEMENTS)
            .into_iter()
            .find(|m| m["components"].to_string().contains("lyceum:qal:1"));
        if let Some(found) = found {
            break found;
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "the answer was not posted with a Listen button"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let post: u64 = answer_post["id"]
        .as_str()
        .and_then(|i| i.parse().ok())
        .context("no message id")?;
    script.indent(
        "#announcements",
        &format!(
            "{}  [围观 Listen]",
            answer_post["content"].as_str().unwrap_or_default()
        ),
    );
    println!("       kai ▸ [围观 Listen]");
    let (press, _) = sim.press(ids::KAI, ids::CHANNEL_ANNOUNCEMENTS, post, "lyceum:qal:1")?;
    let listened = sim
        .wait_response(press)
        .await
        .context("no answer to the Listen press")?;
    script.indent(
        "Lyceum 👁",
        listened["data"]["content"].as_str().unwrap_or_default(),
    );

    crate::features::stats::activity(state)
        .flush(&state.db)
        .await?;
    println!("    olivia ▸ /stats overview period:7d");
    let stats = sim
        .slash(
            SlashCall::new(ids::OWNER, "stats")
                .subcommand("overview")
                .string("period", "7d"),
        )
        .await?;
    script.indent("Lyceum 👁", &stats.content);
    println!("    olivia ▸ /report week");
    let report = sim
        .slash(SlashCall::new(ids::OWNER, "report").subcommand("week"))
        .await?;
    script.indent("Lyceum 👁", &report.content);
    let (series, cohorts, weekly) = {
        let mut conn = state.db.read.acquire().await?;
        let config = state.config.snapshot();
        let now = state.clock.now();
        let overview = crate::features::stats::store::overview(&mut conn, &config, now, 7).await?;
        let (cohorts, _) =
            crate::features::stats::store::retention(&mut conn, &config, now, 8).await?;
        let week = crate::features::stats::report::last_seven_days(now, config.community.timezone);
        let weekly = crate::features::stats::report::gather(&mut conn, &config, week, now).await?;
        (overview.series, cohorts, weekly)
    };
    use crate::features::stats::charts;
    use crate::i18n::Locale;
    let fail = |e: crate::error::Error| anyhow::anyhow!("{e:?}");
    let charts = [
        (
            "activity.png",
            charts::activity(&series, Locale::En).map_err(fail)?,
        ),
        (
            "activity-zh-CN.png",
            charts::activity(&series, Locale::ZhCn).map_err(fail)?,
        ),
        (
            "retention.png",
            charts::retention(&cohorts, Locale::En).map_err(fail)?,
        ),
        ("weekly-report.png", charts::weekly(&weekly).map_err(fail)?),
    ];
    let dir = std::path::Path::new("target").join("lyceum-demo");
    let dir = if std::fs::create_dir_all(&dir).is_ok() {
        dir
    } else {
        std::env::temp_dir()
    };
    for (name, png) in &charts {
        std::fs::write(dir.join(name), png)?;
    }
    let names: Vec<&str> = charts.iter().map(|(name, _)| *name).collect();
    let path = dir.join("activity.png");
    script.indent(
        "📎",
        &format!(
            "{} (saved to {}; the same charts /stats overview, /stats retention and /report week attach)",
            names.join(", "),
            path.parent().unwrap_or(&dir).display()
        ),
    );
    println!();
    Ok(())
}

/// A private scratch directory for the demo's database (removed at the end).
fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("lyceum-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_and_timestamps_render_as_names() {
        let world = World::default();
        let text = format!(
            "<@{}> gave <@&{}> in <#{}> at <t:0:f> <unknown>",
            ids::OWNER,
            ids::ROLE_MODERATOR,
            ids::CHANNEL_MOD_LOG
        );
        assert_eq!(
            render(&world, chrono_tz::Asia::Shanghai, chrono::Utc::now(), &text),
            "@olivia gave @Moderator in #mod-log at 1970-01-01 08:00 (UTC+8) <unknown>"
        );
        let now = chrono::Utc::now();
        let later = now.timestamp() + 3 * 86_400 + 60;
        let relative = render(
            &world,
            chrono_tz::Asia::Shanghai,
            now,
            &format!("<t:{later}:R>"),
        );
        assert_eq!(relative, "in 3 days");
    }
}
